"""SPARQL fragments the evidence modules share, written the way Oxigraph evaluates fast.

Oxigraph reads every triple of a class or property named in a ``VALUES`` block, and evaluates an
``OPTIONAL`` of several patterns (or one that comes before the required patterns) over the whole
store before joining it. So constants go in ``FILTER (?x IN (...))``, each ``OPTIONAL`` holds one
pattern, and the required patterns come first: at 100k publications (5M triples) that took the
estimates of an evidence map from 9.8 s to 47 ms, and the findings of a synthesis from 6.7 s to
6 ms (``bench/evidence.py``).
"""

from graph.namespaces import RDF
from graph.store import Store

__all__ = ["COMPARATIVE", "INTERVAL_AND_P", "ask_in_chunks"]

_CHUNK = 500  # terms per VALUES block

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


def ask_in_chunks(store: Store, var: str, terms: list, template: str) -> list[tuple]:
    """Run ``template`` with ``{values}`` replaced by a VALUES block of ``var`` over ``terms``
    (one variable, bound to instances, never to a class or property), in chunks of 500."""
    rows: list[tuple] = []
    for start in range(0, len(terms), _CHUNK):
        block = " ".join(t.n3() for t in terms[start : start + _CHUNK])
        sparql = template.replace("{values}", f"VALUES {var} {{ {block} }}")
        rows += store.query(f"PREFIX rdf: <{RDF}>\n{sparql}").rows
    return rows
