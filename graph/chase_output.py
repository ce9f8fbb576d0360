"""A chase's records as CSV or RIS, for screening tools. Each RIS record's first note says how
the chase found it, so that the provenance survives a trip through Rayyan, Zotero or ASReview.
"""

import csv
import io

import rispy

from graph.chase import ChaseResult, Record
from graph.namespaces import FABIO

__all__ = ["CSV_COLUMNS", "as_csv", "as_ris", "provenance_note"]

CSV_COLUMNS = (
    "rank",
    "iri",
    "doi",
    "pmid",
    "pmcid",
    "title",
    "year",
    "authors",
    "journal",
    "known",
    "evidence",
    "hops",
    "directions",
    "seeds",
    "co_citation",
    "coupling",
    "pagerank",
    "path",
    "sources",
)
_RIS_TYPES = {
    str(FABIO.JournalArticle): "JOUR",
    str(FABIO.Abstract): "ABST",
    str(FABIO.NewsItem): "NEWS",
}


def as_csv(result: ChaseResult) -> str:
    """One row per record, in rank order; lists joined with ``"; "``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in result.records:
        row = record.as_json()
        writer.writerow(
            {
                **{k: row[k] for k in CSV_COLUMNS if k in row and not isinstance(row[k], list)},
                **record.publication.identifiers,
                "authors": "; ".join(row["authors"]),
                "directions": "; ".join(row["directions"]),
                "seeds": "; ".join(f"{r.seed} ({r.hops})" for r in record.reached),
                "path": " ".join(row["path"]),
                "sources": "; ".join(_source(s) for s in record.sources),
            }
        )
    return out.getvalue()


def as_ris(result: ChaseResult) -> str:
    """The records as RIS, the chase's provenance first in each record's notes."""
    entries = []
    for record in result.records:
        p = record.publication
        entry: dict = {
            "type_of_reference": next((_RIS_TYPES[t] for t in p.types if t in _RIS_TYPES), "GEN"),
            "id": p.iri,
            "notes": [provenance_note(result, record)],
            "urls": [p.iri],
        }
        if p.title:
            entry["title"] = p.title
        if p.year:
            entry["year"] = str(p.year)
        if p.authors:
            entry["authors"] = sorted(p.authors)
        if p.journal:
            entry["journal_name"] = p.journal
        if "doi" in p.identifiers:
            entry["doi"] = p.identifiers["doi"]
            entry["urls"].append(f"https://doi.org/{p.identifiers['doi']}")
        if "pmid" in p.identifiers:
            entry["accession_number"] = p.identifiers["pmid"]
        entries.append(entry)
    return rispy.dumps(entries)


def provenance_note(result: ChaseResult, record: Record) -> str:
    """How the chase found ``record``, in one line."""
    request = result.request
    seeds = {s.iri: (s.ids[0] if s.ids else s.iri) for s in result.seeds}
    reached = "; ".join(
        f"{', '.join(r.directions)} from {seeds.get(r.seed, r.seed)} in {r.hops} "
        f"hop{'s' * (r.hops != 1)}"
        for r in record.reached
    )
    scores = "".join(
        f"; {name} {value}"
        for name, value in (
            ("co-citation", record.co_citation),
            ("coupling", record.coupling),
            ("PageRank", None if record.pagerank is None else f"{record.pagerank:.4g}"),
        )
        if value is not None
    )
    sources = "; ".join(_source(s) for s in record.sources) or "unknown"
    return (
        f"evidence-graph chase {result.created} ({request.direction}, {request.hops} "
        f"hop{'s' * (request.hops != 1)}, ranked by {request.ranking}): rank {record.rank} of "
        f"{result.total}; {reached}{scores}; citation data: {sources}"
    )


def _source(source: dict) -> str:
    where = ", ".join(source["files"]) or source["graph"]
    return f"{where} (imported {source['time'] or '?'} by {source['agent'] or '?'})"
