"""RIS files, as screening tools and reference managers write them (Rayyan, ASReview, Zotero,
EndNote), read into ``BibRecord``s and written from them, through rispy.

A record runs from a ``TY  - JOUR`` line to an ``ER  - `` line; a field is a two-character tag,
two spaces, ``- `` and its value, and a line without a tag goes on with the field before it.
rispy parses the fields; this module adds what it leaves out:

- line numbers: the text is cut at its ``TY`` lines and each record parsed alone, which also
  keeps a record without its ``ER`` from swallowing the next one (rispy would merge the two, or
  drop the last record of the file without a word);
- every value: rispy keeps only the first of a repeated tag that it does not know as a list,
  and makes each continuation line of a list tag a value of its own; here every tag is a list
  and a continuation line is joined to the value it goes on;
- recognition: rispy reads a PubMed MEDLINE file as no records at all, so a file whose first
  line is not a ``TY`` line is refused, saying what it looks like (rispy, and so ASReview,
  writes a ``1.`` line before each record, which is passed over).

Several tags can carry one attribute (the title ``TI`` or ``T1``, the journal ``JO``, ``JF``,
``T2`` or ``JA``): the first of them in that order that a record has gives the value, and the
other tags, like the fields no attribute reads, are kept in ``extra`` by tag, so a record read
from RIS and written as RIS keeps them. ``PY`` and ``Y1`` must start with a year; of ``PY``,
``Y1`` and ``DA`` (``2015``, ``2015/09/09/``, ``2015///``, Zotero's ``2019/10//undefined``)
the most precise is ``issued``, and a ``DA`` without a year (EndNote's ``Sep 9``) is kept in
``extra``. ``AN`` is the PMID when it is one (up to 8 digits, or ``PMID: ...``; Embase's and
Web of Science's accession numbers are not), ``C2`` the PMCID when it starts ``PMC``.
Screening labels, Rayyan's tags and our provenance note are read from the ``N1`` notes and
written first among them (``graph.screening_labels``). RIS has no MeSH field: MeSH headings are
written as keywords (``KW``), as Zotero does. Of ``extra``, only the fields named by a RIS tag
(two characters) are written, so that another format's field names stay out.
"""

import re
from collections.abc import Callable, Iterable
from datetime import date
from itertools import pairwise
from typing import ClassVar

import rispy

from graph.bib_records import BibRecord
from graph.import_errors import BadRow, UnreadableFile, read_text
from graph.medline_format import split_pages
from graph.parsing import Source
from graph.screening_labels import read_notes, write_notes

__all__ = ["FORMAT", "read_ris", "sniff", "write_ris"]

FORMAT = "ris"
_TY = re.compile(r"^TY  -(?: |$)")
_ER = re.compile(r"^ER  -(?: |$)")
_NUMBERING = re.compile(r"^\d+\.$")  # rispy's "1." before each record
_TAG = re.compile(r"^[A-Z][A-Z0-9]$")
_KINDS = {
    "JOUR": "article",
    "ABST": "abstract",
    "CONF": "conference-paper",
    "CPAPER": "conference-paper",
    "BOOK": "book",
    "CHAP": "chapter",
    "RPRT": "report",
    "THES": "thesis",
    "ELEC": "web-page",
    "WEB": "web-page",
    "DATA": "dataset",
    "NEWS": "news",
}
_TYPES = {
    "article": "JOUR",
    "review": "JOUR",
    "abstract": "ABST",
    "conference-paper": "CPAPER",
    "book": "BOOK",
    "chapter": "CHAP",
    "report": "RPRT",
    "thesis": "THES",
    "preprint": "UNPB",
    "trial-registration": "ELEC",
    "web-page": "ELEC",
    "dataset": "DATA",
    "news": "NEWS",
    "other": "GEN",
}
# The tags of single-valued attributes, in the order they are read; each is written as the first.
_SINGLE = {
    "title": ("TI", "T1"),
    "journal": ("JO", "JF", "T2", "JA"),
    "volume": ("VL",),
    "issue": ("IS",),
    "abstract": ("AB", "N2"),
    "language": ("LA",),
    "issn": ("SN",),
    "publisher": ("PB",),
    "key": ("ID",),
}
_DATE = re.compile(r"^(\d{4})(?!\d)(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PMID = re.compile(r"^(?:PMID:?\s*)?([0-9]{1,8})$", re.IGNORECASE)
_PMCID = re.compile(r"^(?:PMCID:?\s*)?(PMC[0-9]+)$", re.IGNORECASE)
_URL = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)

Fields = dict[str, list[str]]  # a record's values by tag, in the file's order


class _Parser(rispy.RisParser):
    """rispy's parser keeping every value of every tag, and joining a continuation line to the
    value it goes on (a line between ``TY`` and the first field goes on ``TY``)."""

    DEFAULT_MAPPING: ClassVar[dict] = {"TY": "TY"}

    def _add_tag(
        self, record: dict, tag: str | None, content: str, extend_multiline: bool = False
    ) -> None:
        if tag is None:
            record["TY"] = f"{record['TY']} {content}".strip()
            return
        values = record.setdefault(tag, [])
        if extend_multiline and values:
            values[-1] = f"{values[-1]} {content}".strip()
        else:
            values.append(content)


class _Writer(rispy.RisWriter):
    """rispy's writer without its ``1.`` line before each record."""

    def set_header(self, count: int) -> str:
        return ""


def sniff(head: bytes) -> bool:
    """Whether the first non-blank line of ``head`` (after a BOM, and rispy's ``1.``) is a
    ``TY`` line."""
    return bool(_TY.match(_first_line(head.decode("utf-8", "ignore"))[1]))


def read_ris(source: Source) -> tuple[list[BibRecord], list[BadRow]]:
    """The records of ``source``, and what is wrong with those left out; ``UnreadableFile``
    when it is not UTF-8 text or not RIS."""
    lines = [line.rstrip("\r") for line in read_text(source.name, source.stream).split("\n")]
    line, first = _first_line("\n".join(lines))
    if not _TY.match(first):
        problem = BadRow(source.name, line, None, _looks_like(first))
        raise UnreadableFile(f"{source.name} is not a RIS file", [problem])
    starts = [number for number, line in enumerate(lines) if _TY.match(line)]
    records: list[BibRecord] = []
    problems: list[BadRow] = []
    for number, (start, end) in enumerate(pairwise([*starts, len(lines)]), start=1):
        record, faults = _record(lines[start:end])
        if faults:
            problems += [BadRow(source.name, start + 1, tag, why, number) for tag, why in faults]
        elif record:
            record.source, record.number, record.line = source.name, number, start + 1
            records.append(record)
    return records, problems


def write_ris(
    records: Iterable[BibRecord],
    provenance: Callable[[BibRecord], str | None] = lambda record: None,
) -> str:
    """RIS text of ``records``: in ``N1`` their labels, then ``provenance(record)``, then their
    notes; the fields of ``extra`` that are RIS tags written back after the others."""
    written = [(_type(record), _fields(record, provenance(record))) for record in records]
    tags = sorted({tag for _, fields in written for tag in fields})
    mapping = {"TY": "type_of_reference", **{tag: tag.lower() for tag in tags}}
    references = [
        {"type_of_reference": ty, **{tag.lower(): values for tag, values in fields.items()}}
        for ty, fields in written
    ]
    return rispy.dumps(
        references,
        implementation=_Writer,
        mapping=mapping,
        list_tags=tags,
        delimiter_tags_mapping={},
    )


def _first_line(text: str) -> tuple[int, str]:
    """The first line of ``text`` that is neither blank nor rispy's ``1.``, and its number."""
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if line.strip() and not _NUMBERING.match(line.strip()):
            return number, line
    return 1, ""


def _looks_like(first: str) -> str:
    if first.startswith("PMID-"):
        return "this looks like a PubMed MEDLINE file: use --format pubmed"
    if not first:
        return "the file is empty"
    return f"not a RIS file: a record starts with a line 'TY  - JOUR', not {first[:40]!r}"


def _record(lines: list[str]) -> tuple[BibRecord | None, list[tuple[str, str]]]:
    """The record in ``lines`` (from its ``TY`` line to the next record's), or what is wrong
    with it, by tag."""
    if not any(_ER.match(line) for line in lines):
        return None, [("ER", "the record has no ER line: it runs into the next one or the end")]
    parsed = _Parser().parse_lines(iter(lines))[0]
    ty = parsed.pop("TY")
    fields: Fields = {tag: [v for v in values if v] for tag, values in parsed.items()}
    faults: list[tuple[str, str]] = []
    record = BibRecord(kind=_KINDS.get(ty.upper(), "other"))
    if ty and _TYPES[record.kind] != ty:
        fields["TY"] = [ty]  # kept so that it is written back (CONF, PAT...)
    for attribute, tags in _SINGLE.items():
        setattr(record, attribute, _take(fields, tags))
    record.authors = _take_all(fields, "AU") or _take_all(fields, "A1")
    record.issued = _issued(fields, faults)
    record.page_start, record.page_end = split_pages(_take(fields, ("SP",)) or "")
    record.page_end = _take(fields, ("EP",)) or record.page_end
    record.doi = _DOI_PREFIX.sub("", _take(fields, ("DO",)) or "") or None
    record.pmid = _take_match(fields, "AN", _PMID)
    record.pmcid = _take_match(fields, "C2", _PMCID)
    record.urls = _take_all(fields, "UR")
    for tag in ("L1", "L2", "L3", "L4"):  # links to files; those on the web are URLs
        values = fields.get(tag, [])
        record.urls += [value for value in values if _URL.match(value)]
        values[:] = [value for value in values if not _URL.match(value)]
    record.keywords = _take_all(fields, "KW")
    try:
        notes = read_notes(_take_all(fields, "N1"))
    except ValueError as error:
        faults.append(("N1", str(error)))
    else:
        record.screening, record.labels, record.iri = notes.screening, notes.labels, notes.iri
        record.notes = notes.notes
    if not (record.title or record.doi or record.pmid or record.pmcid):
        faults.append(("TI", "the record has no title (TI or T1) and no DOI, PMID or PMCID"))
    record.extra = {tag: values for tag, values in fields.items() if values}
    return record, faults


def _take(fields: Fields, tags: tuple[str, ...]) -> str | None:
    """The first value of the first of ``tags`` that ``fields`` has, taken out of it."""
    for tag in tags:
        if fields.get(tag):
            return fields[tag].pop(0)
    return None


def _take_all(fields: Fields, tag: str) -> list[str]:
    return fields.pop(tag, [])


def _take_match(fields: Fields, tag: str, pattern: re.Pattern[str]) -> str | None:
    """The first value of ``tag`` that matches ``pattern`` (its group 1), taken out of it."""
    values = fields.get(tag, [])
    for index, value in enumerate(values):
        if match := pattern.match(value):
            del values[index]
            return match[1]
    return None


def _issued(fields: Fields, faults: list[tuple[str, str]]) -> str | None:
    """The most precise date of ``PY``, ``Y1`` and ``DA``, taken out of ``fields``; a ``PY``
    or ``Y1`` without a year is a fault, a ``DA`` without one stays."""
    dates = []
    for tag in ("PY", "Y1"):
        for value in _take_all(fields, tag):
            if found := _date(value):
                dates.append(found)
            else:
                faults.append((tag, f"{tag} {value!r} is not a year"))
    if "DA" in fields:
        dates += [found for value in fields["DA"] if (found := _date(value))]
        fields["DA"] = [value for value in fields["DA"] if not _date(value)]
    return max(dates, key=len, default=None)


def _date(value: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as far as a RIS date gives it (an impossible
    month or day is left out); None without a year."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match[1], int(match[2] or 0), int(match[3] or 0)
    if not 1 <= month <= 12:
        return year
    try:
        return date(int(year), month, day).isoformat()
    except ValueError:
        return f"{year}-{month:02d}"


def _type(record: BibRecord) -> str:
    """The ``TY`` of ``record``: the one it was read with when that is of its kind."""
    kept = record.extra.get("TY", [])
    if kept and _KINDS.get(kept[0].upper(), "other") == record.kind:
        return kept[0]
    return _TYPES.get(record.kind, "GEN")


def _fields(record: BibRecord, provenance: str | None) -> Fields:
    """The RIS fields of ``record`` but its ``TY``, by tag."""
    fields: Fields = {}

    def put(tag: str, *values: str | None) -> None:
        kept = [re.sub(r"\s*[\r\n]+\s*", " ", value).strip() for value in values if value]
        if kept:
            fields.setdefault(tag, []).extend(kept)

    put("ID", record.key)
    put("TI", record.title)
    put("AU", *record.authors)
    if record.issued:
        put("PY", record.issued[:4])
        if len(record.issued) > 4:
            year, month, day = (*record.issued.split("-"), "")[:3]
            put("DA", f"{year}/{month}/{day}/")
    put("JO", record.journal)
    put("VL", record.volume)
    put("IS", record.issue)
    put("SP", record.page_start)
    put("EP", record.page_end)
    put("AB", record.abstract)
    put("DO", record.doi)
    put("AN", record.pmid)
    put("C2", record.pmcid)
    put("UR", *record.urls)
    put("KW", *record.keywords, *record.mesh)  # MeSH as keywords, as Zotero writes them
    put("LA", record.language)
    put("SN", record.issn)
    put("PB", record.publisher)
    put("N1", *write_notes(record, provenance))
    for tag, values in record.extra.items():
        if _TAG.match(tag) and tag not in ("TY", "ER"):
            put(tag, *values)
    return fields
