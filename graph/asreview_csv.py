"""ASReview's tabular format: a CSV file of one record a row, as ASReview LAB reads and exports it.

Columns are found by ASReview's own names, case-insensitively, with spaces and underscores
alike: ``title``/``primary_title``, ``abstract``/``abstract_note``/``notes_abstract``,
``authors``/``author_names``/``first_authors``, ``doi``, ``url``, ``keywords``, ``notes``,
``record_id`` and ``included`` (or ``final_included``, ``label``, ``label_included``,
``included_label``, ``included_final``, ``included_flag``, ``include``), plus our ``year``,
``journal`` and ``pmid``; other columns go to ``extra`` by their header and are written back
after ours. The delimiter is a comma, a semicolon or a tab, whichever the header has most of.

``included`` is ``1`` (include), ``0`` (exclude), ``-1`` (ASReview's "not seen") or empty. It
is written from ``consensus(record.screening)``: 1, 0, or empty for anything else. Cells hold
lists thus, read back as they were written: authors and keywords joined with ``"; "``
(keywords without a semicolon are split on commas), notes one a line in their cell (CSV quotes
line breaks). The notes carry every screening label and our provenance
(``graph.screening_labels``), so ``included`` says something only when it differs from what
the notes say: then it is ASReview's decision, and replaces theirs. That is what happens when
ASReview screens the file: it exports our notes untouched and its own ``included``.

ASReview wants integer ``record_id``s: the records' keys are written when they all are distinct
integers, else the rows are numbered from 1. ``year`` holds the year of ``issued`` only, and
``url`` the first URL; volume, issue, pages, PMCID and the rest are not written.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable

from graph.bib_records import BibRecord, Decision, ScreeningLabel, consensus
from graph.import_errors import BadRow, UnreadableFile, read_text
from graph.parsing import Source
from graph.screening_labels import read_notes, write_notes

__all__ = ["COLUMNS", "FORMAT", "read_asreview_csv", "sniff", "write_asreview_csv"]

FORMAT = "asreview-csv"
#: The columns written, in order; extra columns follow.
COLUMNS = (
    "record_id",
    "title",
    "abstract",
    "authors",
    "doi",
    "url",
    "included",
    "year",
    "journal",
    "pmid",
    "keywords",
    "notes",
)
_ALIASES = {  # column, spaces as underscores: what it holds
    "record_id": "record_id",
    "title": "title",
    "primary_title": "title",
    "abstract": "abstract",
    "abstract_note": "abstract",
    "notes_abstract": "abstract",
    "authors": "authors",
    "author_names": "authors",
    "first_authors": "authors",
    "doi": "doi",
    "url": "url",
    "keywords": "keywords",
    "notes": "notes",
    "year": "year",
    "journal": "journal",
    "pmid": "pmid",
    **dict.fromkeys(
        (
            "included",
            "final_included",
            "label",
            "label_included",
            "included_label",
            "included_final",
            "included_flag",
            "include",
        ),
        "included",
    ),
}
_DECISIONS: dict[float, Decision] = {1: "include", 0: "exclude", -1: "unseen"}
_WRITTEN = {"include": "1", "exclude": "0"}
_YEAR = re.compile(r"(\d{4})(?:\.0*)?")  # pandas writes a year column with gaps as 2015.0


def sniff(head: bytes) -> bool:
    """Whether the first line of ``head`` is a CSV header with a title column and another of
    ASReview's."""
    first = head.decode("utf-8-sig", errors="replace").partition("\n")[0]
    names = [_alias(cell) for cell in next(csv.reader([first], delimiter=_delimiter(first)), [])]
    return "title" in names and len({name for name in names if name}) > 1


def read_asreview_csv(source: Source) -> tuple[list[BibRecord], list[BadRow]]:
    """The rows of an ASReview CSV file as records, and what is wrong with the others."""
    text = read_text(source.name, source.stream)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n")[0]))
    header = next(rows, [])
    columns: dict[str, int] = {}  # what a column holds: its index (the first such column)
    for index, cell in enumerate(header):
        if (name := _alias(cell)) and name not in columns:
            columns[name] = index
    if "title" not in columns and "abstract" not in columns:
        problem = BadRow(source.name, 1, None, "no title or abstract column")
        raise UnreadableFile(f"{source.name} is not an ASReview CSV file", [problem])
    others = [(i, cell.strip()) for i, cell in enumerate(header) if i not in columns.values()]
    records: list[BibRecord] = []
    problems: list[BadRow] = []
    line, number = rows.line_num + 1, 0
    for cells in rows:
        start, line = line, rows.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        number += 1
        record = BibRecord(source=source.name, number=number, line=start)
        found = _read_row(cells, header, columns, others, record)
        problems += [BadRow(source.name, start, column, why, number) for column, why in found]
        if not found:
            records.append(record)
    return records, problems


def write_asreview_csv(
    records: Iterable[BibRecord], provenance: Callable[[BibRecord], str | None] = lambda r: None
) -> str:
    """The records as an ASReview CSV file, ``included`` from their screening labels."""
    records = list(records)
    keys = [record.key or "" for record in records]
    numbered = not all(key.isdigit() for key in keys) or len(set(keys)) < len(keys)
    extras = list(
        dict.fromkeys(name for record in records for name in record.extra if not _alias(name))
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, *extras])
    for number, record in enumerate(records, start=1):
        decision = consensus(record.screening)
        writer.writerow(
            [
                str(number) if numbered else record.key,
                record.title or "",
                record.abstract or "",
                "; ".join(record.authors),
                record.doi or "",
                record.urls[0] if record.urls else "",
                _WRITTEN.get(decision or "", ""),
                record.issued[:4] if record.issued else "",
                record.journal or "",
                record.pmid or "",
                "; ".join(record.keywords),
                "\n".join(write_notes(record, provenance(record))),
                *("; ".join(record.extra.get(name, [])) for name in extras),
            ]
        )
    return out.getvalue()


def _alias(header: str) -> str | None:
    return _ALIASES.get(re.sub(r"\s+", "_", header.strip().lower()))


def _delimiter(header: str) -> str:
    return max(",;\t", key=header.count)


def _read_row(
    cells: list[str],
    header: list[str],
    columns: dict[str, int],
    others: list[tuple[int, str]],
    record: BibRecord,
) -> list[tuple[str | None, str]]:
    """Fill ``record`` from a row's ``cells``; the columns at fault and why, if any."""
    if len(cells) > len(header):
        return [(None, f"{len(cells)} cells, but the header has {len(header)} columns")]
    cells = [cell.strip() for cell in cells] + [""] * (len(header) - len(cells))
    cell = {name: cells[index] for name, index in columns.items()}
    problems: list[tuple[str | None, str]] = []
    record.key = cell.get("record_id") or None
    record.title = cell.get("title") or None
    record.abstract = cell.get("abstract") or None
    record.authors = [name.strip() for name in cell.get("authors", "").split(";") if name.strip()]
    record.doi, record.pmid = cell.get("doi") or None, cell.get("pmid") or None
    record.journal = cell.get("journal") or None
    record.urls = [cell["url"]] if cell.get("url") else []
    keywords = cell.get("keywords", "")
    separator = ";" if ";" in keywords else ","
    record.keywords = [word.strip() for word in keywords.split(separator) if word.strip()]
    if year := cell.get("year"):
        if match := _YEAR.fullmatch(year):
            record.issued = match.group(1)
        else:
            problems.append((header[columns["year"]], f"year {year!r} is not a year"))
    try:
        notes = read_notes([line for line in cell.get("notes", "").splitlines() if line.strip()])
    except ValueError as error:
        problems.append((header[columns["notes"]], str(error)))
    else:
        record.screening, record.labels, record.iri = notes.screening, notes.labels, notes.iri
        record.notes = notes.notes
    included = cell.get("included", "")
    try:
        decision = _DECISIONS[float(included)] if included else None
    except (ValueError, KeyError):
        reason = f"included is {included!r}, not 1, 0, -1 or empty"
        problems.append((header[columns["included"]], reason))
    else:
        if decision and decision != consensus(record.screening):
            _decide(record, decision)
    record.extra = {name: [cells[index]] for index, name in others if name and cells[index]}
    if not (record.title or record.doi or record.pmid):
        column = header[columns["title"]] if "title" in columns else None
        problems.append((column, "neither a title nor a DOI or PMID"))
    return problems


def _decide(record: BibRecord, decision: Decision) -> None:
    """Make ``decision`` the record's ASReview label, kept prior knowledge or not."""
    earlier = [label for label in record.screening if label.tool == "asreview"]
    prior = any(label.prior for label in earlier)
    others = [label for label in record.screening if label.tool != "asreview"]
    record.screening = [ScreeningLabel("asreview", decision, prior=prior), *others]
