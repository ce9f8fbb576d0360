"""What is wrong with an imported file, and the refusal that carries it.

Every importer (OpenCitations CSV, RIS, PubMed, BibTeX, CSL-JSON, identifier lists, extraction
sheets) reports each bad row or record as a ``BadRow`` and refuses the whole batch with a
``FileRefused``: nothing is stored.

Errors::

    FileRefused         the batch was refused whole; nothing was stored; carries the problems
    ├── UnreadableFile  not in the format, or not UTF-8 text
    └── MalformedRows   rows or records that cannot be imported
"""

from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "BadRow",
    "FileRefused",
    "MalformedRows",
    "UnreadableFile",
    "read_text",
    "refuse_if_any",
]


@dataclass(frozen=True)
class BadRow:
    """Why a row or record (or the header, line 1) cannot be imported: its file, its first
    line (when the format has lines), the column or field at fault, and, for formats of
    several-line records, the record's number in the file (1-based)."""

    source: str
    line: int | None
    column: str | None
    reason: str
    record: int | None = None

    def __str__(self) -> str:
        where = [self.source]
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"{'field' if self.record is not None else 'column'} {self.column}")
        return f"{', '.join(where)}: {self.reason}"


class FileRefused(ValueError):
    """The batch was refused whole; nothing was stored."""

    def __init__(self, message: str, problems: list[BadRow]) -> None:
        super().__init__(message)
        self.problems = problems


class UnreadableFile(FileRefused):
    """Not in the format, or not UTF-8 text: refused even when skipping bad rows."""


class MalformedRows(FileRefused):
    """Rows or records that cannot be imported."""


def refuse_if_any(problems: list[BadRow], what: str = "record") -> None:
    """Raise ``MalformedRows`` naming how many rows or records are bad, if any are."""
    if problems:
        count = len({(p.source, p.record, p.line) for p in problems})
        raise MalformedRows(f"{count} {what}{'s' * (count != 1)} cannot be imported", problems)


def read_text(name: str, stream: BinaryIO) -> str:
    """The whole of a file as text (UTF-8, a byte-order mark dropped); ``UnreadableFile`` with
    the line of the first byte that is not UTF-8 otherwise."""
    data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = BadRow(name, line, None, "not UTF-8 text: save the file as UTF-8")
        raise UnreadableFile(f"{name} is not UTF-8 text", [problem]) from None
