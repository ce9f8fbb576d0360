"""PubMed MEDLINE files (``.nbib``, ``.txt``), as PubMed's "Send to: Citation manager" and its
"PubMed" format write them, read into ``BibRecord``s.

A line is a tag of up to four capitals padded to four columns, ``- `` at column 5 and the value
(``PMID- 29777404``, ``TI  - ...``); a long value goes on over lines indented by six spaces
(PubMed wraps at about 80 columns), joined here with single spaces; a blank line ends a record.
The quirks:

- authors come twice, ``FAU`` "Family, Given" and ``AU`` "Family Initials": FAU is read when
  the record has it (records from before 2002 have AU only);
- ``PG`` abbreviates the last page, ``1380-8`` for 1380 to 1388 (``split_pages`` expands it);
- ``DP`` is the issue date as printed, ``2015 Nov``, ``2018 Oct 12``, ``1990 May-Jun``,
  ``2018 Winter``, read to the precision it gives (the first month of a range; a season is
  the year only);
- the DOI is an ``LID`` or ``AID`` value followed by ``[doi]``; ``[pii]`` values (the
  publisher's own ids) are ignored;
- PubMed ends every ``TI`` with a period, which is dropped;
- ``PT`` publication types say what a record is (a review, a preprint, a meeting abstract);
  a record with none of those is an article.

The tags no attribute reads (``OWN``, ``AD``, ``PHST``...) are kept in ``extra``. A record
without a PMID, with a PMID that is not digits, with two PMIDs (the blank line before the second
record is missing), with a ``DP`` that has no year, or with a line that is neither a field nor a
continuation is reported as a ``BadRow`` and left out.
"""

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from graph.bib_records import BibRecord
from graph.import_errors import BadRow, UnreadableFile, read_text
from graph.parsing import Source

__all__ = ["FORMAT", "read_medline", "sniff", "split_pages"]

FORMAT = "pubmed"
_FIELD = re.compile(r"^(?=.{4}-)([A-Z][A-Z0-9]{0,3}) *-(?: (.*))?$")  # "-" at column 5
_DATE = re.compile(r"^(\d{4})(?!\d)(?:\s+([A-Za-z]{3})[a-z]*\.?(?:\s+(\d{1,2})(?!\d))?)?")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_ID = re.compile(r"^(.*?)\s*\[(\w+)\]$")  # "10.1200/JCO.21.02006 [doi]"
_PAGE = re.compile(r"([A-Za-z]*)(\d+)")
# Publication types that say what a record is, the more specific first.
_KINDS = {
    "Preprint": "preprint",
    "Review": "review",
    "Systematic Review": "review",
    "Congress": "abstract",
    "Meeting Abstract": "abstract",
}
# Tags read into attributes, or passed over (AU beside FAU, TA beside JT, ISSNs after the first).
_READ = {"PMID", "TI", "AB", "FAU", "AU", "DP", "TA", "JT", "VI", "IP", "PG", "LID", "AID"}
_READ |= {"PMC", "MH", "PT", "OT", "LA", "IS"}
_STRAY = (
    "not a MEDLINE line: a field is a tag of up to 4 capitals, '- ' at column 5 and its value; "
    "a value goes on over lines indented by 6 spaces"
)

Fields = dict[str, list[str]]  # a record's values by tag, in the file's order


def sniff(head: bytes) -> bool:
    """Whether the first non-blank line of ``head`` starts with ``PMID- ``."""
    return _first_line(head.decode("utf-8", "ignore"))[1].startswith("PMID- ")


def read_medline(source: Source) -> tuple[list[BibRecord], list[BadRow]]:
    """The records of ``source``, and what is wrong with those left out; ``UnreadableFile``
    when it is not UTF-8 text or not a MEDLINE file."""
    text = read_text(source.name, source.stream)
    line, first = _first_line(text)
    if not first.startswith("PMID- "):
        if first.startswith("TY  -"):
            reason = "this looks like a RIS file: use --format ris"
        else:
            reason = f"not a PubMed MEDLINE file: it should start with 'PMID- ', not {first[:40]!r}"
        problem = BadRow(source.name, line, None, reason)
        raise UnreadableFile(f"{source.name} is not a PubMed MEDLINE file", [problem])
    records: list[BibRecord] = []
    problems: list[BadRow] = []
    for number, (start, fields, strays) in enumerate(_blocks(text.split("\n")), start=1):
        attributes, faults = _attributes(fields)
        found = [BadRow(source.name, stray, None, _STRAY, number) for stray in strays]
        found += [BadRow(source.name, start, tag, reason, number) for tag, reason in faults]
        if found:
            problems += found
        else:
            records.append(BibRecord(**attributes, source=source.name, number=number, line=start))
    return records, problems


def split_pages(pages: str) -> tuple[str | None, str | None]:
    """The first and last page of ``pages``, an abbreviated last page written out (``1380-8``
    is 1380 to 1388, ``S12-5`` S12 to S15); of a list of ranges, the first."""
    first, _, last = re.split(r"[;,]", pages)[0].replace("\u2013", "-").partition("-")
    first, last = first.strip(), last.strip()
    start, end = _PAGE.fullmatch(first), _PAGE.fullmatch(last)
    if start and end and end[1] in ("", start[1]) and len(end[2]) < len(start[2]):
        last = start[1] + start[2][: len(start[2]) - len(end[2])] + end[2]
    return first or None, last or None


def _first_line(text: str) -> tuple[int, str]:
    """The first non-blank line of ``text`` and its number; ``(1, "")`` when there is none."""
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if line.strip():
            return number, line
    return 1, ""


def _blocks(lines: list[str]) -> Iterator[tuple[int, Fields, list[int]]]:
    """The records of ``lines``: each its first line, its fields, and the lines in it that are
    neither a field nor a continuation."""
    start, fields, strays, last = 0, {}, [], None
    for number, line in enumerate((line.rstrip("\r") for line in lines), start=1):
        if not line.strip():
            if start:
                yield start, fields, strays
            start, fields, strays, last = 0, {}, [], None
            continue
        start = start or number
        if match := _FIELD.match(line):
            last = fields.setdefault(match[1], [])
            last.append((match[2] or "").strip())
        elif line[0].isspace() and last:
            last[-1] = f"{last[-1]} {line.strip()}".strip()
        else:
            strays.append(number)
    if start:
        yield start, fields, strays


def _attributes(fields: Fields) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The ``BibRecord`` attributes in ``fields``, and what is wrong with them by tag."""
    faults = []
    pmids = _all(fields, "PMID")
    if not pmids:
        faults.append(("PMID", "the record has no PMID"))
    elif len(pmids) > 1:
        faults.append(("PMID", "two PMIDs in one record: a blank line between records is missing"))
    elif not re.fullmatch("[0-9]+", pmids[0]):
        faults.append(("PMID", f"PMID {pmids[0]!r} is not a PubMed id (digits)"))
    issued = None
    if dp := _first(fields, "DP"):
        issued = _issued(dp)
        if issued is None:
            faults.append(("DP", f"DP {dp!r} has no year"))
    types = _all(fields, "PT")
    pages = split_pages(_first(fields, "PG") or "")
    ids = [_ID.match(value) for value in _all(fields, "LID") + _all(fields, "AID")]
    title = _first(fields, "TI")
    attributes = {
        "kind": next((kind for name, kind in _KINDS.items() if name in types), "article"),
        "title": title.removesuffix(".") if title else None,
        "authors": _all(fields, "FAU") or _all(fields, "AU"),
        "issued": issued,
        "journal": _first(fields, "JT") or _first(fields, "TA"),
        "volume": _first(fields, "VI"),
        "issue": _first(fields, "IP"),
        "page_start": pages[0],
        "page_end": pages[1],
        "abstract": _first(fields, "AB"),
        "doi": next((match[1] for match in ids if match and match[2] == "doi"), None),
        "pmid": pmids[0] if pmids else None,
        "pmcid": _first(fields, "PMC"),
        "keywords": _all(fields, "OT"),
        "mesh": _all(fields, "MH"),
        "publication_types": types,
        "language": _first(fields, "LA"),
        "issn": (_first(fields, "IS") or "").split(" (")[0] or None,
        "extra": {
            tag: _all(fields, tag) for tag in fields if tag not in _READ and _all(fields, tag)
        },
    }
    return attributes, faults


def _all(fields: Fields, tag: str) -> list[str]:
    return [value for value in fields.get(tag, []) if value]


def _first(fields: Fields, tag: str) -> str | None:
    return next((value for value in fields.get(tag, []) if value), None)


def _issued(dp: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as far as ``dp`` gives it; None without a year."""
    match = _DATE.match(dp.strip())
    if not match:
        return None
    year, month, day = match[1], match[2], match[3]
    if not month or month.lower() not in _MONTHS:
        return year
    number = _MONTHS.index(month.lower()) + 1
    try:
        return date(int(year), number, int(day)).isoformat() if day else f"{year}-{number:02d}"
    except ValueError:  # no such day in that month
        return f"{year}-{number:02d}"
