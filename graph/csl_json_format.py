"""CSL-JSON, the citation data of citeproc processors, Zotero, Pandoc and Mendeley: an array of
items, each an object of CSL variables.

Item types map to ``KINDS`` (``article-journal`` an article, ``paper-conference`` a conference
paper, ``article`` a preprint, ``webpage`` and ``post-weblog`` web pages...); a type that the
record's kind would not write back is kept in ``extra["type"]``. A name is ``{"family",
"given"}`` (particles before the family name, ``suffix`` between: ``van Beethoven, Jr,
Ludwig``) or ``{"literal"}``; names written ``Family, Given`` (or PubMed's ``Badwe R``) are
written as family and given names, others as literals. ``issued`` is read from ``date-parts``
(the first date of a range) or from an ISO ``raw`` or EDTF string, of which only the year is
kept when it is not ISO. ``page`` is ``1380-1388``; ``keyword`` one string of comma-separated
keywords (semicolons win when there are any); ``note`` one note a line, screening labels and our
provenance among them (``graph.screening_labels``). ``URL`` holds one URL: the first is
written. MeSH headings and publication types are not written.

Other variables go to ``extra`` (names as ``Family, Given``, dates as ISO strings, lists of
strings as lists) and are written back. The schema allows no other keys, so extra fields that
are not CSL variables are written in ``custom``, and read back from it. Items without an ``id``
are written ``item1``, ``item2``...

A file that is not JSON is ``UnreadableFile`` with the line and column of the error. An item
that is not an object, has neither a title nor an identifier, a bad date or name, a variable
of the wrong JSON type, or an ``id`` already used, is a ``BadRow`` naming the variable, with
the line its item starts on.
"""

import json
import re
from collections.abc import Callable, Iterable
from itertools import count
from typing import Any

from graph.bib_records import BibRecord
from graph.import_errors import BadRow, UnreadableFile, read_text
from graph.parsing import Source
from graph.screening_labels import read_notes, write_notes

__all__ = ["FORMAT", "read_csl_json", "sniff", "write_csl_json"]

FORMAT = "csl-json"

_KINDS = {
    "article-journal": "article",
    "paper-conference": "conference-paper",
    "book": "book",
    "chapter": "chapter",
    "report": "report",
    "thesis": "thesis",
    "article": "preprint",
    "webpage": "web-page",
    "post-weblog": "web-page",
    "post": "web-page",
    "dataset": "dataset",
    "article-newspaper": "news",
    "article-magazine": "news",
}
_TYPES = {
    "article": "article-journal",
    "abstract": "paper-conference",
    "conference-paper": "paper-conference",
    "book": "book",
    "chapter": "chapter",
    "report": "report",
    "thesis": "thesis",
    "preprint": "article",
    "review": "article-journal",
    "trial-registration": "webpage",
    "web-page": "webpage",
    "dataset": "dataset",
    "news": "article-newspaper",
    "other": "document",
}
_TEXT = {  # variable: attribute, for the variables read and written as they are
    "title": "title",
    "container-title": "journal",
    "volume": "volume",
    "issue": "issue",
    "abstract": "abstract",
    "DOI": "doi",
    "PMID": "pmid",
    "PMCID": "pmcid",
    "language": "language",
    "ISSN": "issn",
    "publisher": "publisher",
}
_MAPPED = {"type", "id", "author", "issued", "page", "URL", "keyword", "note", "custom", *_TEXT}
# The variables of the CSL-JSON schema (csl-data.json), which allows no others.
_NAMES = frozenset(
    {
        "author",
        "chair",
        "collection-editor",
        "compiler",
        "composer",
        "container-author",
        "contributor",
        "curator",
        "director",
        "editor",
        "editorial-director",
        "executive-producer",
        "interviewer",
        "illustrator",
        "organizer",
        "original-author",
        "performer",
        "producer",
        "recipient",
        "reviewed-author",
        "translator",
    }
)
_DATES = frozenset(
    {
        "accessed",
        "available-date",
        "container",
        "event-date",
        "issued",
        "original-date",
        "submitted",
    }
)
_VARIABLES = (
    _NAMES
    | _DATES
    | frozenset(
        {
            "type",
            "id",
            "categories",
            "language",
            "journalAbbreviation",
            "shortTitle",
            "abstract",
            "annote",
            "archive",
            "archive_collection",
            "archive_location",
            "archive-place",
            "authority",
            "call-number",
            "chapter-number",
            "citation-number",
            "citation-label",
            "collection-number",
            "collection-title",
            "container-title",
            "container-title-short",
            "dimensions",
            "division",
            "DOI",
            "edition",
            "event",
            "event-place",
            "first-reference-note-number",
            "genre",
            "ISAN",
            "ISBN",
            "ISCI",
            "ISMN",
            "ISRC",
            "ISSN",
            "ISWC",
            "issue",
            "jurisdiction",
            "keyword",
            "locator",
            "medium",
            "note",
            "number",
            "number-of-pages",
            "number-of-volumes",
            "original-publisher",
            "original-publisher-place",
            "original-title",
            "page",
            "page-first",
            "part",
            "part-title",
            "PMCID",
            "PMID",
            "printing",
            "publisher",
            "publisher-place",
            "references",
            "reviewed-title",
            "scale",
            "section",
            "source",
            "status",
            "supplement",
            "title",
            "title-short",
            "translated-title",
            "translated-title-short",
            "URL",
            "version",
            "volume",
            "year-suffix",
            "custom",
        }
    )
)
_SEPARATOR = re.compile(r"[\s,]*")  # between the items of an array
_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_YEAR = re.compile(r"\b(\d{4})\b")
_PAGES = re.compile(r"\s*[-\u2013\u2014]+\s*")  # hyphens, en and em dashes
_INITIALS = re.compile(r"(.+?)\s+([A-Z]{1,3})")  # PubMed's "Badwe R", "Gulluoglu BM"


def sniff(head: bytes) -> bool:
    """Whether ``head`` opens a JSON array of objects with CSL's ``type``, ``id`` or ``title``."""
    opens = re.match(rb"(?:\xef\xbb\xbf)?\s*\[\s*\{", head) is not None
    return opens and any(key in head for key in (b'"type"', b'"id"', b'"title"'))


def read_csl_json(source: Source) -> tuple[list[BibRecord], list[BadRow]]:
    """The items of a CSL-JSON array as records, and what is wrong with the others."""
    records: list[BibRecord] = []
    problems: list[BadRow] = []
    ids: set[str] = set()
    for number, (line, item) in enumerate(_items(source), start=1):
        record = BibRecord(source=source.name, number=number, line=line)
        found = _read_item(item, record) if isinstance(item, dict) else [(None, "not an object")]
        if record.key is not None and record.key in ids:
            found.append(("id", f"the id {record.key!r} is used twice"))
        ids.add(record.key or "")
        problems += [BadRow(source.name, line, field, why, number) for field, why in found]
        if not found:
            records.append(record)
    return records, problems


def write_csl_json(
    records: Iterable[BibRecord], provenance: Callable[[BibRecord], str | None] = lambda r: None
) -> str:
    """The records as a CSL-JSON array, each item with a unique ``id``."""
    records = list(records)
    taken = {record.key for record in records if record.key}  # made ids avoid these too
    written: set[str] = set()
    items: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        key = record.key
        if not key or key in written:
            key = next(f"item{n}" for n in count(number) if f"item{n}" not in taken)
            taken.add(key)
        written.add(key)
        items.append(_item(record, key, provenance(record)))
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _items(source: Source) -> list[tuple[int, Any]]:
    """Each item of the array with the line it starts on."""
    text = read_text(source.name, source.stream)
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        problem = BadRow(source.name, error.lineno, str(error.colno), f"not JSON: {error.msg}")
        raise UnreadableFile(f"{source.name} is not JSON", [problem]) from None
    if not isinstance(items, list):
        problem = BadRow(source.name, 1, None, "not a CSL-JSON array of items ([{...}, ...])")
        raise UnreadableFile(f"{source.name} is not CSL-JSON", [problem])
    decoder, found = json.JSONDecoder(), []
    position, line = text.index("[") + 1, 1
    for item in items:  # walk the array again, for the lines
        start = _SEPARATOR.match(text, position).end()  # type: ignore[union-attr]
        line += text.count("\n", position, start)
        found.append((line, item))
        position = decoder.raw_decode(text, start)[1]
        line += text.count("\n", start, position)
    return found


def _read_item(item: dict[str, Any], record: BibRecord) -> list[tuple[str | None, str]]:
    """Fill ``record`` from ``item``; the variables at fault and why, if any."""
    problems: list[tuple[str | None, str]] = []

    def take(variable: str, read: Callable[[Any], Any], given: Any) -> Any:
        try:
            return read(given)
        except (ValueError, TypeError) as error:
            problems.append((variable, str(error)))
            return None

    kind = item.get("type")
    record.kind = _KINDS.get(kind, "other") if isinstance(kind, str) else "other"
    if isinstance(kind, str) and _TYPES[record.kind] != kind:
        record.extra["type"] = [kind]
    record.key = take("id", _string, item.get("id"))
    record.authors = take("author", _names, item.get("author")) or []
    record.issued = take("issued", _date, item.get("issued"))
    for variable, attribute in _TEXT.items():
        setattr(record, attribute, take(variable, _string, item.get(variable)))
    if pages := take("page", _string, item.get("page")):
        start, _, end = _PAGES.sub("-", pages).partition("-")
        record.page_start, record.page_end = start or None, end or None
    record.urls = [url] if (url := take("URL", _string, item.get("URL"))) else []
    keywords = take("keyword", _string, item.get("keyword")) or ""
    separator = ";" if ";" in keywords else ","
    record.keywords = [word.strip() for word in keywords.split(separator) if word.strip()]
    lines = (take("note", _string, item.get("note")) or "").splitlines()
    if notes := take("note", read_notes, [line.strip() for line in lines if line.strip()]):
        record.screening, record.labels, record.iri = notes.screening, notes.labels, notes.iri
        record.notes = notes.notes
    custom = item.get("custom") or {}
    if not isinstance(custom, dict):
        problems.append(("custom", "not an object"))
        custom = {}
    for variable, given in [
        *((k, v) for k, v in item.items() if k not in _MAPPED),
        *custom.items(),
    ]:
        read = _names if variable in _NAMES else _date if variable in _DATES else _strings
        if extra := take(variable, read, given):
            record.extra[variable] = [extra] if isinstance(extra, str) else extra
    if not (record.title or record.doi or record.pmid or record.pmcid):
        problems.append(("title", "neither a title nor a DOI, PMID or PMCID"))
    return problems


def _string(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"{json.dumps(value)} is not a string or a number")
    return str(value).strip() or None


def _strings(value: Any) -> str | list[str] | None:
    """A string or number as a string, a list of them as a list, anything else as JSON text."""
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return _string(value)
    return json.dumps(value, ensure_ascii=False)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("not a list of names")
    return [_name(name) for name in value]


def _name(name: Any) -> str:
    if not isinstance(name, dict):
        raise TypeError(f"name {json.dumps(name)} is not an object")
    if literal := str(name.get("literal") or "").strip():
        return literal
    particles = (name.get("non-dropping-particle"), name.get("dropping-particle"))
    family = " ".join(str(part).strip() for part in (*particles, name.get("family")) if part)
    if not name.get("family"):
        raise ValueError(f"name {json.dumps(name, ensure_ascii=False)} has no family or literal")
    parts = (family, name.get("suffix"), name.get("given"))
    return ", ".join(str(part).strip() for part in parts if part)


def _date(value: Any) -> str | None:
    """A CSL date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        raise TypeError(f"date {json.dumps(value)} is not an object")
    if "date-parts" not in value:
        raw = str(value.get("raw") or value.get("literal") or value.get("edtf") or "")
        if match := _ISO.match(raw):
            return match.group(0)
        if match := _YEAR.search(raw):
            return match.group(1)
        raise ValueError(f"date {json.dumps(value, ensure_ascii=False)} has no year")
    parts = value["date-parts"]
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
        raise ValueError(f"date-parts {json.dumps(parts)} is not [[year, month, day]]")
    first = parts[0]
    if len(first) > 3 or not all(str(part).strip().isdigit() for part in first):
        raise ValueError(f"date-parts {json.dumps(first)} is not [year, month, day] in numbers")
    year, *rest = (int(str(part)) for part in first)
    if (rest and not 1 <= rest[0] <= 12) or (len(rest) == 2 and not 1 <= rest[1] <= 31):
        raise ValueError(f"date-parts {json.dumps(first)} has no such month or day")
    return "-".join([f"{year:04d}", *(f"{part:02d}" for part in rest)])


def _item(record: BibRecord, key: str, provenance: str | None) -> dict[str, Any]:
    kept = record.extra.get("type", [""])[0]
    kind = kept if kept and _KINDS.get(kept, "other") == record.kind else None
    item: dict[str, Any] = {"id": key, "type": kind or _TYPES.get(record.kind, "document")}
    if record.authors:
        item["author"] = [_csl_name(name) for name in record.authors]
    if record.issued:
        item["issued"] = _csl_date(record.issued)
    item |= {variable: getattr(record, attribute) for variable, attribute in _TEXT.items()}
    item["page"] = "-".join(page for page in (record.page_start, record.page_end) if page)
    item["URL"] = record.urls[0] if record.urls else None
    item["keyword"] = ", ".join(record.keywords)
    item["note"] = "\n".join(write_notes(record, provenance))
    custom: dict[str, Any] = {}
    for variable, values in record.extra.items():
        if variable in _MAPPED or not values:
            continue
        if variable in _NAMES:
            item[variable] = [_csl_name(name) for name in values]
        elif variable in _DATES and _ISO.fullmatch(values[0]):
            item[variable] = _csl_date(values[0])
        else:
            target = item if variable in _VARIABLES and variable not in _DATES else custom
            target[variable] = values[0] if len(values) == 1 else values
    item["custom"] = custom
    return {variable: value for variable, value in item.items() if value}


def _csl_name(name: str) -> dict[str, str]:
    if match := _INITIALS.fullmatch(name):
        return {"family": match.group(1), "given": match.group(2)}
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 2:
        return {"family": parts[0], "given": parts[1]}
    if len(parts) == 3:
        return {"family": parts[0], "suffix": parts[1], "given": parts[2]}
    return {"literal": name}


def _csl_date(issued: str) -> dict[str, list[list[int]]]:
    return {"date-parts": [[int(part) for part in issued.split("-")]]}
