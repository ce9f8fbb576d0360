"""Bibliographic files (RIS, PubMed, BibTeX, CSL-JSON, ASReview CSV, identifier lists) into the
graph through the one write path: read, map to our model with matching and deduplication
(``graph.record_graph``), validate, commit as one new named graph.

A record that cannot be read or mapped is reported with its file, number, line and field, and
the whole batch is refused: nothing is stored.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graph.bib_formats import RECORD_FORMATS
from graph.bib_records import BibRecord
from graph.import_errors import BadRow, refuse_if_any
from graph.parsing import Source
from graph.record_graph import Duplicate, RecordImport, map_records
from graph.store import Store
from graph.writes import commit, prepare_graph

__all__ = ["RecordsImported", "import_records", "read_records"]


@dataclass(frozen=True)
class RecordsImported:
    """What an import of records wrote: its graph, size and files; how many records, new and
    already stored publications; each duplicate found and why; how many screening decisions;
    and the review and search the records were counted for."""

    graph: str
    triples: int
    sources: list[str]
    records: int
    publications_new: int
    publications_matched: int
    duplicates: list[Duplicate]
    decisions: int
    review: str | None
    search_source: str | None


def read_records(
    sources: Sequence[Source], fmt: str, on_file: Callable[[Source], None] = lambda s: None
) -> tuple[list[BibRecord], list[BadRow]]:
    """Every record of ``sources`` in format ``fmt``, and what is wrong with any of them
    (``UnreadableFile`` for a file not in the format)."""
    reader = RECORD_FORMATS[fmt].read
    records: list[BibRecord] = []
    problems: list[BadRow] = []
    for source in sources:
        read, bad = reader(source)
        records += read
        problems += bad
        on_file(source)
    return records, problems


def import_records(
    store: Store,
    sources: Sequence[Source],
    how: RecordImport,
    agent: str,
    on_step: Callable[[str], None] = lambda step: None,
    on_file: Callable[[Source], None] = lambda source: None,
) -> RecordsImported:
    """Read ``sources`` and store their records as one import; ``MalformedRows`` (nothing
    stored) when any record is bad, ``InvalidBatch`` when the result violates the shapes."""
    records, problems = read_records(sources, how.fmt, on_file)
    on_step(f"matching {len(records):,} records")
    mapped = map_records(store, records, how, problems)
    problems.sort(key=lambda p: (p.source, p.record or 0, p.line or 0))
    refuse_if_any(problems)
    names = [source.name for source in sources]
    batch = prepare_graph(store, mapped.graph, names, on_step)
    on_step(f"writing {len(batch.graph):,} triples")
    result = commit(store, batch, how.base_iri, agent)
    distinct = set(mapped.publications)
    return RecordsImported(
        graph=result.graph,
        triples=result.triples,
        sources=result.sources,
        records=len(records),
        publications_new=mapped.publications_new,
        publications_matched=len(distinct) - mapped.publications_new,
        duplicates=mapped.duplicates,
        decisions=mapped.decisions,
        review=how.review,
        search_source=how.source if how.review else None,
    )
