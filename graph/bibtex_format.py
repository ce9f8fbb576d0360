"""BibTeX (and biblatex) files, read and written with bibtexparser 2.

Entry types map to ``KINDS`` (``@inproceedings`` is a conference paper, ``@incollection`` and
``@inbook`` chapters, ``@techreport`` a report, ``@phdthesis`` and ``@mastersthesis`` theses,
``@online`` a web page, ``@misc`` and unknown types other); an entry type that the record's
kind would not write back (``@mastersthesis``, ``@manual``) is kept in ``extra["ENTRYTYPE"]``.
``author`` is split on ``and`` the BibTeX way (braces protect ``{World Health Organization}``)
and each name is read ``von Last, Jr, First``; names are written ``Family, Given``, PubMed's
``Badwe R`` as ``Badwe, R``. A lone ``others`` (BibTeX's et al.) is dropped.

LaTeX is decoded on reading (``M{\\"u}ller`` is Müller, ``--`` an en dash, braces go) and
special characters are escaped on writing, except in the verbatim fields ``url``, ``doi`` and
``eprint``, read and written as they stand. ``date`` (biblatex) wins over ``year`` and
``month`` (``sep``, ``September`` or ``9``); both are written, ``date`` only for a full date.
``journal`` is the container of articles, ``booktitle`` that of conference papers and
chapters. ``keywords`` are split on semicolons, else on commas. ``note`` holds one note a line,
screening labels and our provenance among them (``graph.screening_labels``). Only the first
URL is written: BibTeX has one ``url``. MeSH headings and publication types are not written.

Keys are the records' own, else ``badwe2015locoregional`` (first author, year, first word of
the title), made unique (ignoring case, as BibTeX does) with ``b``, ``c``... Entries that
bibtexparser cannot parse, duplicate keys and fields, unreadable years, months and dates,
contradicting screening labels, and entries with neither a title nor an identifier are
``BadRow``s with the entry's first line.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    LatexEncodingMiddleware,
    NormalizeFieldKeys,
    SeparateCoAuthors,
    SplitNameParts,
    default_unparse_stack,
)
from bibtexparser.middlewares.names import (
    InvalidNameError,
    NameParts,
    parse_single_name_into_parts,
)
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
)
from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from graph.bib_records import BibRecord
from graph.import_errors import BadRow, UnreadableFile, read_text
from graph.parsing import Source
from graph.screening_labels import read_notes, write_notes

__all__ = ["FORMAT", "read_bibtex", "sniff", "write_bibtex"]

FORMAT = "bibtex"

_KINDS = {
    "article": "article",
    "inproceedings": "conference-paper",
    "conference": "conference-paper",
    "book": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "unpublished": "preprint",
    "online": "web-page",
    "electronic": "web-page",
    "www": "web-page",
    "dataset": "dataset",
    "misc": "other",
}
_TYPES = {
    "article": "article",
    "abstract": "inproceedings",
    "conference-paper": "inproceedings",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
    "thesis": "phdthesis",
    "preprint": "unpublished",
    "review": "article",
    "trial-registration": "online",
    "web-page": "online",
    "dataset": "dataset",
    "news": "article",
    "other": "misc",
}
_ENTRYTYPE = "ENTRYTYPE"  # the extra that keeps an entry type the kind would not write back
_TEXT = {  # field: attribute, for the fields read and written as they are
    "title": "title",
    "volume": "volume",
    "number": "issue",
    "abstract": "abstract",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmcid",
    "language": "language",
    "issn": "issn",
    "publisher": "publisher",
}
_IN_BOOKS = ("conference-paper", "chapter")  # kinds whose container is a booktitle
_VERBATIM = frozenset({"url", "doi", "eprint"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PAGES = re.compile(r"\s*[-\u2013\u2014]+\s*")  # hyphens, en and em dashes
_INITIALS = re.compile(r"(.+?)\s+([A-Z]{1,3})")  # PubMed's "Badwe R", "Gulluoglu BM"
_FIELD_NAME = re.compile(r"[A-Za-z][\w-]*")
_KEY_UNSAFE = re.compile(r"[^\w\-:.+/]")
_STOP_WORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to"})


class _Verbatim:
    """A LaTeX middleware that leaves the verbatim fields alone and also reaches the names
    split by ``SplitNameParts`` (bibtexparser's own middleware skips lists of names)."""

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        fields = entry.fields
        # A field for each name: the middleware changes the parts of a NameParts in place,
        # so the list of names in the entry's own field is transformed with it.
        names = [Field(f.key, n) for f in fields if isinstance(f.value, list) for n in f.value]
        kept = [f for f in fields if f.key not in _VERBATIM and not isinstance(f.value, list)]
        entry.fields = names + kept
        block = super().transform_entry(entry, library)  # type: ignore[misc]
        entry.fields = fields
        return block


class _Decoding(_Verbatim, LatexDecodingMiddleware):
    """LaTeX to Unicode on reading, identifiers and URLs left as written."""


class _Encoding(_Verbatim, LatexEncodingMiddleware):
    """Unicode to LaTeX on writing, identifiers and URLs left as written."""


# Braces around each escape ({\"O}zmen): bibtexparser's name splitter loses an unbraced \"O.
# pylatexenc writes " as '' (a closing quote on reading); inside braces " is a plain quote.
_ENCODER = UnicodeToLatexEncoder(
    conversion_rules=[UnicodeToLatexConversionRule(RULE_DICT, {ord('"'): '"'}), "defaults"],
    replacement_latex_protection="braces-almost-all",
)


def sniff(head: bytes) -> bool:
    """Whether a line of ``head`` opens a BibTeX entry (``@article{``)."""
    return re.search(rb"^[ \t]*@[A-Za-z]+[ \t]*[{(]", head, re.MULTILINE) is not None


def read_bibtex(source: Source) -> tuple[list[BibRecord], list[BadRow]]:
    """The entries of a BibTeX file as records, and what is wrong with the others."""
    text = read_text(source.name, source.stream)
    stack = [
        NormalizeFieldKeys(),
        SeparateCoAuthors(name_fields=("author",)),
        SplitNameParts(name_fields=("author",)),
        _Decoding(keep_math_mode=False),
    ]
    library = bibtexparser.parse_string(text, append_middleware=stack)
    records: list[BibRecord] = []
    problems: list[BadRow] = []
    number = 0
    for block in library.blocks:
        if not isinstance(block, Entry | ParsingFailedBlock):
            continue
        number += 1
        line = block.start_line + 1 if block.start_line is not None else None
        if isinstance(block, ParsingFailedBlock):
            problems.append(_failure(source.name, block, line, number))
            continue
        record = BibRecord(source=source.name, number=number, line=line)
        found = _read_entry(block, record)
        problems += [BadRow(source.name, line, field, why, number) for field, why in found]
        if not found:
            records.append(record)
    if not number:
        problem = BadRow(source.name, None, None, "no BibTeX entries (@article{key, ...})")
        raise UnreadableFile(f"{source.name} is not a BibTeX file", [problem])
    return records, problems


def write_bibtex(
    records: Iterable[BibRecord], provenance: Callable[[BibRecord], str | None] = lambda r: None
) -> str:
    """The records as BibTeX entries, LaTeX-escaped, with unique keys."""
    library = Library()
    keys: set[str] = set()
    for record in records:
        key = _unique(_KEY_UNSAFE.sub("", record.key or "") or _made_key(record), keys)
        library.add(Entry(_entry_type(record), key, _fields(record, provenance(record))))
    stack = [_Encoding(encoder=_ENCODER), *default_unparse_stack(allow_inplace_modification=True)]
    layout = bibtexparser.BibtexFormat()
    layout.indent = "  "
    return bibtexparser.write_string(library, unparse_stack=stack, bibtex_format=layout)


def _failure(source: str, block: ParsingFailedBlock, line: int | None, number: int) -> BadRow:
    error = block.error
    if isinstance(block, DuplicateBlockKeyBlock):
        return BadRow(source, line, "ID", f"the key {block.key!r} is used twice", number)
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return BadRow(source, line, fields, f"{fields} given twice", number)
    if isinstance(error, InvalidNameError):
        return BadRow(source, line, "author", str(error), number)
    reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
    return BadRow(source, line, None, f"not a well-formed BibTeX entry: {reason}", number)


def _read_entry(entry: Entry, record: BibRecord) -> list[tuple[str | None, str]]:
    """Fill ``record`` from ``entry``; the fields at fault and why, if any."""
    fields = {field.key: field.value for field in entry.fields}
    problems: list[tuple[str | None, str]] = []
    entry_type = entry.entry_type.lower()
    record.kind = _KINDS.get(entry_type, "other")
    if _TYPES[record.kind] != entry_type:
        record.extra[_ENTRYTYPE] = [entry_type]
    record.key = entry.key
    names: list[NameParts] = fields.pop("author", [])
    record.authors = [name for parts in names if (name := _name(parts)) not in ("", "others")]
    note = fields.pop("note", "")
    values = {key: " ".join(value.split()) for key, value in fields.items()}  # TeX spacing
    for field, attribute in _TEXT.items():
        setattr(record, attribute, values.pop(field, None) or None)
    container = "booktitle" if record.kind in _IN_BOOKS else "journal"
    record.journal = values.pop(container, None) or None
    try:
        record.issued = _issued(values)
    except ValueError as error:
        problems.append(error.args)
    if pages := values.pop("pages", None):
        start, _, end = _PAGES.sub("-", pages).partition("-")
        record.page_start, record.page_end = start or None, end or None
    if url := values.pop("url", None):
        record.urls = [url]
    record.keywords = _split_keywords(values.pop("keywords", ""))
    try:
        notes = read_notes([line.strip() for line in note.splitlines() if line.strip()])
    except ValueError as error:
        problems.append(("note", str(error)))
    else:
        record.screening, record.labels, record.iri = notes.screening, notes.labels, notes.iri
        record.notes = notes.notes
    record.extra |= {key: [value] for key, value in values.items() if value}
    if not (record.title or record.doi or record.pmid or record.pmcid):
        problems.append(("title", "neither a title nor a DOI, PMID or PMCID"))
    return problems


def _name(parts: NameParts) -> str:
    family = " ".join(parts.von + parts.last)
    return ", ".join(p for p in (family, " ".join(parts.jr), " ".join(parts.first)) if p)


def _issued(values: dict[str, str]) -> str | None:
    """``issued`` from ``date``, else ``year`` and ``month`` (taken out of ``values``); a bad
    one raises ``ValueError(field, reason)``."""
    date, year, month = (values.pop(field, None) for field in ("date", "year", "month"))
    if date:
        if not (match := _DATE.fullmatch(date.split("/")[0])):
            raise ValueError("date", f"date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return match.group(0)
    if not year:
        return None
    if not re.fullmatch(r"\d{4}", year):
        raise ValueError("year", f"year {year!r} is not a year of four digits")
    if not month:
        return year
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{year}-{int(month):02d}"
    if len(month) >= 3 and month[:3].lower() in _MONTHS:
        return f"{year}-{_MONTHS.index(month[:3].lower()) + 1:02d}"
    raise ValueError("month", f"month {month!r} is not a month")


def _split_keywords(value: str) -> list[str]:
    separator = ";" if ";" in value else ","
    return [keyword.strip() for keyword in value.split(separator) if keyword.strip()]


def _entry_type(record: BibRecord) -> str:
    kept = record.extra.get(_ENTRYTYPE, [""])[0].lower()
    if kept and _KINDS.get(kept, "other") == record.kind:
        return kept
    return _TYPES.get(record.kind, "misc")


def _fields(record: BibRecord, provenance: str | None) -> list[Field]:
    issued = record.issued or ""
    values: dict[str, str | None] = {
        "author": " and ".join(_family_given(name) for name in record.authors),
        "title": record.title,
        "booktitle" if record.kind in _IN_BOOKS else "journal": record.journal,
        "year": issued[:4],
        "month": _MONTHS[int(issued[5:7]) - 1] if len(issued) > 4 else None,
        "date": issued if len(issued) == 10 else None,
        "pages": "--".join(page for page in (record.page_start, record.page_end) if page),
    }
    values |= {field: getattr(record, attribute) for field, attribute in _TEXT.items()}
    values |= {
        "url": record.urls[0] if record.urls else None,
        "keywords": ", ".join(record.keywords),
        "note": "\n".join(write_notes(record, provenance)),
    }
    for field, extra in record.extra.items():
        if field != _ENTRYTYPE and _FIELD_NAME.fullmatch(field) and field.lower() not in values:
            values[field] = "\n".join(extra)
    fields = [Field(field, value) for field, value in values.items() if value]
    for field in fields:
        if field.key == "month":
            field.enclosing = "no-enclosing"  # the month macro: sep, not {sep}
    return fields


def _family_given(name: str) -> str:
    """A name as BibTeX reads it unambiguously: ``Family, Given``."""
    if "," in name:
        return name
    if match := _INITIALS.fullmatch(name):
        return f"{match.group(1)}, {match.group(2)}"
    return _name(parse_single_name_into_parts(name, strict=False))


def _made_key(record: BibRecord) -> str:
    family = _family_given(record.authors[0]).split(",")[0] if record.authors else ""
    words = re.findall(r"\w+", _ascii(record.title or ""))
    word = next((w for w in words if w.lower() not in _STOP_WORDS), "")
    return re.sub(r"\W", "", _ascii(family)).lower() + (record.issued or "")[:4] + word.lower()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _unique(key: str, keys: set[str]) -> str:
    """``key``, else ``key`` with ``b``, ``c``... ``z``, then 27, 28...: one not in ``keys``
    (lower-cased), which it joins."""
    key = key or "ref"
    candidate, count = key, 1
    while candidate.lower() in keys:
        count += 1
        candidate = key + (chr(ord("a") + count - 1) if count <= 26 else str(count))
    keys.add(candidate.lower())
    return candidate
