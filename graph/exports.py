"""Exports for review tools, shared by ``evidence-graph export`` and ``GET /export``: the
publications of a selection (``graph.selection``) written in one of ``EXPORT_FORMATS``.

The bibliographic formats carry each record's screening labels and its provenance first in its
notes; ``extraction-csv`` writes the selection's findings in the extraction-sheet layout.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from graph.bib_formats import RECORD_FORMATS
from graph.extraction_export import export_sheet
from graph.extraction_sheet import FORMAT as EXTRACTION
from graph.record_export import export_records
from graph.selection import Selection, select
from graph.store import Store
from graph.stored_queries import StoredQuery

__all__ = ["EXPORT_FORMATS", "Export", "export"]

#: Format name -> (media type, file suffix).
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    **{n: (f.media_type, f.suffix) for n, f in RECORD_FORMATS.items() if f.write is not None},
    EXTRACTION: ("text/csv", ".csv"),
}


@dataclass(frozen=True)
class Export:
    """An export's text, its media type and suffix, and how many publications it holds."""

    text: str
    media_type: str
    suffix: str
    publications: int


def export(
    store: Store,
    selection: Selection,
    fmt: str,
    stored: Mapping[str, StoredQuery],
    base_iri: str,
    on_step: Callable[[str], None] = lambda step: None,
) -> Export:
    """The publications ``selection`` picks, written as ``fmt`` (``ValueError`` for an unknown
    format; ``SelectionError`` for a selection that picks nothing that exists)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
    on_step("selecting publications")
    publications = select(store, selection, stored, base_iri)
    on_step(f"describing {len(publications):,} publications")
    media_type, suffix = EXPORT_FORMATS[fmt]
    if fmt == EXTRACTION:
        text = export_sheet(store, publications, base_iri)
    else:
        exported = export_records(
            store, publications, base_iri, selection.review, selection.stage, fmt
        )
        writer = RECORD_FORMATS[fmt].write
        assert writer is not None  # EXPORT_FORMATS holds only formats with a writer
        text = writer(exported.records, exported.note)
    return Export(text, media_type, suffix, len(publications))
