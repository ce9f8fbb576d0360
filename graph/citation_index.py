"""A publication's references and citations in the shape of the OpenCitations Index API, so
that tools written for OpenCitations can read ours: one row per citation with ``oci``,
``citing``, ``cited``, ``creation``, ``timespan``, ``journal_sc`` and ``author_sc``.

``citing`` and ``cited`` list a work's identifiers (``doi:``, ``pmid:``, ``pmcid:``) and then
its IRI, separated by spaces. ``creation`` is the citing work's date; ``timespan`` the time
from the cited work's date to it, as an xsd:duration at the precision both dates have. An
imported citation keeps what its index said (OCI, dates, self-citation); otherwise the
self-citation flags say whether the two works share an author or a journal.
"""

from collections.abc import Sequence

from rdflib import URIRef

from graph.citations import Publication, citers, describe, references
from graph.namespaces import CITO, EV
from graph.store import Store

__all__ = ["citation_count", "citation_rows", "timespan"]


def citation_rows(store: Store, iri: URIRef, direction: str) -> list[dict[str, str]]:
    """The ``references`` or the ``citations`` of the publication ``iri``."""
    edges = (references if direction == "references" else citers)(store, [str(iri)])
    works = describe(store, sorted({n for edge in edges for n in edge}))
    stored = _stored_citations(store, edges)
    rows = []
    for a, b in sorted(edges, key=lambda e: (works[e[0]].issued or "", *e)):
        citing, cited = works[a], works[b]
        known = stored.get((a, b), {})
        creation = known.get("creation") or citing.issued or ""
        rows.append(
            {
                "oci": known.get("oci", ""),
                "citing": _ids(citing),
                "cited": _ids(cited),
                "creation": creation,
                "timespan": known.get("timespan")
                or (timespan(cited.issued, creation) if cited.issued and creation else ""),
                "journal_sc": known.get("journal_sc") or _yes(_same_journal(citing, cited)),
                "author_sc": known.get("author_sc")
                or _yes(bool(set(citing.authors) & set(cited.authors))),
            }
        )
    return rows


def citation_count(store: Store, iri: URIRef, direction: str) -> int:
    """How many works the publication ``iri`` cites (``references``) or is cited by."""
    pattern = (
        f"<{iri}> <{CITO.cites}> ?x" if direction == "references" else f"?x <{CITO.cites}> <{iri}>"
    )
    rows = store.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}").rows
    return int(rows[0][0])


def timespan(start: str, end: str) -> str:
    """The xsd:duration from the date ``start`` to the date ``end`` (YYYY, YYYY-MM or
    YYYY-MM-DD), at the precision both have.

    >>> timespan("2015-03-02", "2021-03-10"), timespan("2019", "2013-05")
    ('P6Y0M8D', '-P6Y')
    >>> timespan("2020-01-31", "2020-03-01"), timespan("2020-01", "2020-03-05")
    ('P0Y1M1D', 'P0Y2M')
    """
    a, b = _parts(start), _parts(end)
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    sign = "-" if b < a else ""
    a, b = min(a, b), max(a, b)
    a, b = a + [1] * (3 - n), b + [1] * (3 - n)
    years, months, days = b[0] - a[0], b[1] - a[1], b[2] - a[2]
    if days < 0:
        months -= 1
        days += _days_in_month(a[0], a[1])
    if months < 0:
        years -= 1
        months += 12
    return (
        sign
        + "P"
        + "".join(
            f"{value}{unit}" for value, unit in zip((years, months, days)[:n], "YMD", strict=False)
        )
    )


def _parts(date: str) -> list[int]:
    return [int(p) for p in date[:10].split("-")]


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _ids(work: Publication) -> str:
    return " ".join([*work.ids, work.iri])


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _same_journal(a: Publication, b: Publication) -> bool:
    return a.journal is not None and a.journal == b.journal


def _stored_citations(
    store: Store, edges: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, str]]:
    """What imported ``cito:Citation`` nodes say of these citations."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for start in range(0, len(edges), 200):
        pairs = " ".join(f"(<{a}> <{b}>)" for a, b in edges[start : start + 200])
        query = f"""SELECT ?a ?b ?oci ?creation ?timespan ?type WHERE {{
          VALUES (?a ?b) {{ {pairs} }}
          ?c <{CITO.hasCitingEntity}> ?a ; <{CITO.hasCitedEntity}> ?b .
          OPTIONAL {{ ?c <{EV.oci}> ?oci }}
          OPTIONAL {{ ?c <{CITO.hasCitationCreationDate}> ?creation }}
          OPTIONAL {{ ?c <{CITO.hasCitationTimeSpan}> ?timespan }}
          OPTIONAL {{ ?c a ?type }}
        }}"""
        for a, b, oci, creation, span, kind in store.query(query).rows:
            entry = found.setdefault((str(a), str(b)), {})
            for key, value in (("oci", oci), ("creation", creation), ("timespan", span)):
                if value is not None:
                    entry[key] = str(value)
            if kind == CITO.JournalSelfCitation:
                entry["journal_sc"] = "yes"
            if kind == CITO.AuthorSelfCitation:
                entry["author_sc"] = "yes"
    return found
