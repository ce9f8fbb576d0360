"""The bibliographic formats by name: how to know a file of each, read it, and write one.

``recognise`` looks at the first 8 KB of a file and names its format. PubMed is asked before
RIS: rispy reads a PubMed file as an empty RIS file, silently. The CSV formats are told apart
by their headers; a plain list of identifiers comes last.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graph import (
    asreview_csv,
    bibtex_format,
    csl_json_format,
    extraction_sheet,
    identifier_list,
    medline_format,
    opencitations,
    ris_format,
)
from graph.bib_records import BibRecord
from graph.import_errors import BadRow
from graph.parsing import Source

__all__ = ["ALL_FORMATS", "HEAD_BYTES", "RECORD_FORMATS", "RecordFormat", "recognise"]

HEAD_BYTES = 8192

Reader = Callable[[Source], tuple[list[BibRecord], list[BadRow]]]
Writer = Callable[..., str]


@dataclass(frozen=True)
class RecordFormat:
    """A format of bibliographic records: its reader, its writer (None when it is read only),
    its media type and file suffix."""

    name: str
    sniff: Callable[[bytes], bool]
    read: Reader
    write: Writer | None
    media_type: str
    suffix: str


RECORD_FORMATS: dict[str, RecordFormat] = {
    f.name: f
    for f in (
        RecordFormat(
            medline_format.FORMAT,
            medline_format.sniff,
            medline_format.read_medline,
            None,
            "application/nbib",
            ".nbib",
        ),
        RecordFormat(
            ris_format.FORMAT,
            ris_format.sniff,
            ris_format.read_ris,
            ris_format.write_ris,
            "application/x-research-info-systems",
            ".ris",
        ),
        RecordFormat(
            bibtex_format.FORMAT,
            bibtex_format.sniff,
            bibtex_format.read_bibtex,
            bibtex_format.write_bibtex,
            "application/x-bibtex",
            ".bib",
        ),
        RecordFormat(
            csl_json_format.FORMAT,
            csl_json_format.sniff,
            csl_json_format.read_csl_json,
            csl_json_format.write_csl_json,
            "application/vnd.citationstyles.csl+json",
            ".json",
        ),
        RecordFormat(
            asreview_csv.FORMAT,
            asreview_csv.sniff,
            asreview_csv.read_asreview_csv,
            asreview_csv.write_asreview_csv,
            "text/csv",
            ".csv",
        ),
        RecordFormat(
            identifier_list.FORMAT,
            identifier_list.sniff,
            identifier_list.read_identifiers,
            None,
            "text/plain",
            ".txt",
        ),
    )
}

#: Every format ``evidence-graph import`` reads, in the order ``recognise`` asks them.
ALL_FORMATS: dict[str, Callable[[bytes], bool]] = {
    opencitations.FORMAT: lambda head: opencitations.sniff(head.split(b"\n", 1)[0]),
    extraction_sheet.FORMAT: extraction_sheet.sniff,
    **{name: f.sniff for name, f in RECORD_FORMATS.items()},
}


def recognise(heads: Iterable[tuple[str, bytes]]) -> str:
    """The one format that the head of every named file says it is in; ``ValueError`` (with
    the file to blame) when a file's format is unknown or the files differ."""
    found: dict[str, str] = {}
    for name, head in heads:
        format_ = next((f for f, sniff in ALL_FORMATS.items() if sniff(head)), None)
        if format_ is None:
            raise ValueError(
                f"cannot tell the format of {name} from its start: give its format "
                f"({', '.join(ALL_FORMATS)})"
            )
        found.setdefault(format_, name)
    if len(found) > 1:
        described = ", ".join(f"{name} is {f}" for f, name in found.items())
        raise ValueError(f"the files are in different formats ({described})")
    return next(iter(found))
