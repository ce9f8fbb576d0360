"""The stored queries: one SPARQL query per ``<kebab-name>.rq`` file in this folder, with a header
of ``#+ key: value`` lines in grlc's style (``summary``, ``description``, ``tags``...)."""

import re
from dataclasses import dataclass
from importlib.resources import files

__all__ = ["StoredQuery", "stored_queries"]

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
_SUMMARY = re.compile(r"^#\+\s*summary:\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class StoredQuery:
    """A query kept as a file: its name (the file name), one-line summary and text."""

    name: str
    summary: str
    text: str


def stored_queries() -> list[StoredQuery]:
    """The stored queries shipped with the service, by name."""
    found = []
    for entry in sorted(files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        name, text = entry.name.removesuffix(".rq"), entry.read_text(encoding="utf-8")
        if not _NAME.match(name):
            raise ValueError(f"queries/{entry.name}: a query's file name is <kebab-name>.rq")
        summary = _SUMMARY.search(text)
        found.append(StoredQuery(name, summary[1].strip() if summary else name, text))
    return found
