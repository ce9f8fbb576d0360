"""SPARQL fragments the evidence modules share, written the way Oxigraph evaluates fast.

Oxigraph reads every triple of a class or property named in a ``VALUES`` block, and evaluates an
``OPTIONAL`` of several patterns (or one that comes before the required patterns) over the whole
store before joining it. So constants go in ``FILTER (?x IN (...))``, each ``OPTIONAL`` holds one
pattern, and the required patterns come first: at 100k publications (5M triples) that took the
estimates of an evidence map from 9.8 s to 47 ms, and the findings of a synthesis from 6.7 s to
6 ms (``bench/evidence.py``).
"""

__all__ = ["COMPARATIVE", "INTERVAL_AND_P"]

#: The comparative estimate classes, for ``FILTER (?type IN (...))``.
COMPARATIVE = "ev:HazardRatio, ev:OddsRatio, ev:RiskRatio, ev:MeanDifference, ev:RiskDifference"

#: The interval and p-value of ``?estimate``, each optional on its own.
INTERVAL_AND_P = " ".join(
    f"OPTIONAL {{ ?estimate ev:{p} ?{v} }}"
    for p, v in (
        ("ciLower", "lower"),
        ("ciUpper", "upper"),
        ("ciLevel", "level"),
        ("pValue", "p"),
        ("pValueComparator", "pc"),
    )
)
