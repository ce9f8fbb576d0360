"""One entry for every importable file format, shared by ``evidence-graph import`` and
``POST /import``: the format is given or recognised from the files' first bytes, the options
are checked against it, and the files are stored through that format's importer.

- OpenCitations CSV exports: citations (``graph.opencitations``);
- extraction sheets: studies, findings and estimates (``graph.extraction_sheet``);
- RIS, PubMed, BibTeX, CSL-JSON, ASReview CSV, identifier lists: bibliographic records, their
  deduplication and their screening labels (``graph.bib_import``), counted for a review's
  PRISMA flow when a review and a search source are named.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graph import extraction_sheet, opencitations
from graph.bib_formats import ALL_FORMATS, HEAD_BYTES, RECORD_FORMATS, recognise
from graph.bib_import import RecordsImported, import_records
from graph.extraction_sheet import ImportedSheet
from graph.opencitations import Imported
from graph.parsing import Source
from graph.record_graph import SOURCE_TYPES, STAGES, RecordImport
from graph.store import Store

__all__ = ["FORMATS", "ImportOptionError", "ImportOptions", "head_of", "import_files"]

#: Every format by name.
FORMATS = tuple(ALL_FORMATS)


class ImportOptionError(ValueError):
    """The options do not fit the format, or each other."""


@dataclass(frozen=True)
class ImportOptions:
    """What an import is for: the review and search source its records count for, the PRISMA
    source type, the screening stage of the labels it carries, and whether bad rows of an
    OpenCitations file are skipped rather than refusing the file."""

    review: str | None = None
    source: str | None = None
    source_type: str = "database"
    stage: str = "title-abstract"
    skip_malformed: bool = False

    def check(self, fmt: str, files: int) -> None:
        """Raise ``ImportOptionError`` when the options do not fit ``fmt``."""
        if fmt not in ALL_FORMATS:
            raise ImportOptionError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
        if self.source and not self.review:
            raise ImportOptionError("a search source counts for a review: name the review too")
        if self.source_type not in SOURCE_TYPES:
            raise ImportOptionError(f"source type is one of {', '.join(SOURCE_TYPES)}")
        if self.stage not in STAGES:
            raise ImportOptionError(f"stage is one of {', '.join(STAGES)}")
        if self.skip_malformed and fmt != opencitations.FORMAT:
            raise ImportOptionError(
                "skipping malformed rows is for OpenCitations CSV; a bad record of any other "
                "format refuses the import"
            )
        if fmt not in RECORD_FORMATS and (self.review or self.source):
            raise ImportOptionError(f"a review and a search source are for records, not {fmt}")
        if fmt == extraction_sheet.FORMAT and files != 1:
            raise ImportOptionError("an extraction sheet is imported one file at a time")


def head_of(source: Source) -> bytes:
    """The first bytes of a seekable source, the stream put back where it was."""
    stream = source.stream
    start = stream.tell()
    head = stream.read(HEAD_BYTES)
    stream.seek(start)
    return head


def import_files(
    store: Store,
    sources: Sequence[Source],
    fmt: str | None,
    base_iri: str,
    agent: str,
    options: ImportOptions = ImportOptions(),
    on_step: Callable[[str], None] = lambda step: None,
    on_file: Callable[[Source], None] = lambda source: None,
) -> Imported | ImportedSheet | RecordsImported:
    """Store ``sources`` (all in format ``fmt``, or the one their first bytes show) as one
    import. Raises ``ValueError`` when the format cannot be told, ``ImportOptionError``,
    ``graph.import_errors.FileRefused`` for bad input, ``InvalidBatch`` for a batch that
    violates the shapes: in each case nothing is stored."""
    fmt = fmt or recognise((source.name, head_of(source)) for source in sources)
    options.check(fmt, len(sources))
    if fmt == opencitations.FORMAT:
        citations = opencitations.read_opencitations(sources, base_iri, options.skip_malformed)
        for source in sources:
            on_file(source)
        return opencitations.write_citations(store, citations, base_iri, agent, on_step)
    if fmt == extraction_sheet.FORMAT:
        sheet = extraction_sheet.read_sheet(store, sources[0], base_iri)
        on_file(sources[0])
        return extraction_sheet.write_sheet(store, sheet, base_iri, agent, on_step)
    how = RecordImport(
        base_iri, fmt, options.review, options.source, options.source_type, options.stage
    )
    return import_records(store, sources, how, agent, on_step, on_file)
