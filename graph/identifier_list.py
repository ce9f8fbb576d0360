"""Plain lists of publication identifiers, one a line, as a reviewer pastes them.

A line holds a DOI (``10.1200/JCO.21.02006``, ``doi:...``, ``https://doi.org/...``,
``http://dx.doi.org/...``, percent-encoded in a URL), a PMID (``34995128``, ``pmid:34995128``,
``PMID: 34995128``, a PubMed URL) or a PMCID (``PMC8937009``, ``pmcid: PMC8937009``); prefixes
are case-insensitive. Blank lines and ``#`` comments (whole lines, or after a space) are
skipped. Each identifier becomes a record holding only it, as written without its prefix (the
graph normalises it); a line that is none of these is a ``BadRow``. A file without a single
identifier, but with other lines, is not a list of identifiers: ``UnreadableFile``.
"""

import re
from urllib.parse import unquote

from graph.bib_records import BibRecord
from graph.import_errors import BadRow, UnreadableFile, read_text
from graph.parsing import Source

__all__ = ["FORMAT", "read_identifiers", "sniff"]

FORMAT = "identifiers"

_PATTERNS = {  # attribute: the line it reads, the identifier in its one group
    "doi": re.compile(r"(?:doi:\s*)?(10\.\d{4,9}/\S+)", re.IGNORECASE),
    "pmid": re.compile(
        r"(?:pmid:?\s*|https?://pubmed\.ncbi\.nlm\.nih\.gov/)?([1-9]\d{0,8})/?", re.IGNORECASE
    ),
    "pmcid": re.compile(r"(?:pmcid:?\s*)?(PMC\d{1,9})", re.IGNORECASE),
}
_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/(\S+)", re.IGNORECASE)
_COMMENT = re.compile(r"(?:^|\s+)#.*")


def sniff(head: bytes) -> bool:
    """Whether every line of ``head`` that is not blank or a comment is an identifier (a last
    line cut off by the end of ``head`` is not looked at)."""
    lines = head.decode("utf-8-sig", errors="replace").splitlines()
    if not head.endswith(b"\n") and len(lines) > 1:
        lines.pop()
    kept = [text for line in lines if (text := _COMMENT.sub("", line).strip())]
    return bool(kept) and all(_identifier(text) for text in kept)


def read_identifiers(source: Source) -> tuple[list[BibRecord], list[BadRow]]:
    """One record for each identifier of the list, and a ``BadRow`` for each line that is
    not one."""
    text = read_text(source.name, source.stream)
    records: list[BibRecord] = []
    problems: list[BadRow] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not (content := _COMMENT.sub("", raw).strip()):
            continue
        number = len(records) + len(problems) + 1
        if found := _identifier(content):
            attribute, value = found
            record = BibRecord(source=source.name, number=number, line=line)
            setattr(record, attribute, value)
            records.append(record)
        else:
            reason = f"{content[:80]!r} is not a DOI, PMID or PMCID"
            problems.append(BadRow(source.name, line, None, reason, number))
    if problems and not records:
        raise UnreadableFile(f"{source.name} is not a list of identifiers", problems[:1])
    return records, problems


def _identifier(text: str) -> tuple[str, str] | None:
    """The attribute and value of the identifier that ``text`` is, if it is one."""
    if match := _DOI_URL.fullmatch(text):
        text = unquote(match.group(1))  # a DOI URL holds a DOI, maybe percent-encoded
        return ("doi", text) if _PATTERNS["doi"].fullmatch(text) else None
    for attribute, pattern in _PATTERNS.items():
        if match := pattern.fullmatch(text):
            return attribute, match.group(1)
    return None
