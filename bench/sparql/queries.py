"""The seven benchmark queries, and how their answers are counted and compared.

Each ``.rq`` file beside this module is one query a user would send. Its ``$name`` variables are
bound to terms picked from the generated graph (``parameters``), the same IRIs at every size, so
every server receives the same plain text. The terms are written into the text because the
protocol has no way to send bindings to every peer; they come from our own generated file, never
from a request.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bench.generate import BASE_IRI

__all__ = [
    "GRAPH",
    "PAPER_INDEX",
    "QUERY_DIR",
    "Query",
    "count",
    "digest",
    "load_queries",
    "parameters",
]

#: The named graph every server holds the data in; queries see the union of graphs.
GRAPH = f"{BASE_IRI}graph/bench"
#: The paper of the DOI, references and citers-of-citers queries.
PAPER_INDEX = 1000
QUERY_DIR = Path(__file__).parent
_DOI = "<http://purl.org/ontology/bibo/doi>"
_VARIABLE = re.compile(r"\$(\w+)")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {f"{_XSD}{t}" for t in ("integer", "decimal", "double", "float", "int", "long")}
_NUMBER = re.compile(rf'"([^"]*)"\^\^<({"|".join(map(re.escape, sorted(_NUMERIC)))})>')


@dataclass(frozen=True)
class Query:
    """One query, bound and ready to send."""

    name: str
    text: str

    @property
    def construct(self) -> bool:
        """Whether it answers a graph (asked for as N-Triples) rather than solutions (JSON)."""
        return re.search(r"^\s*CONSTRUCT\b", self.text, re.MULTILINE | re.IGNORECASE) is not None

    @property
    def accept(self) -> str:
        return "application/n-triples" if self.construct else "application/sparql-results+json"

    @property
    def deterministic(self) -> bool:
        """False for a LIMIT without ORDER BY: servers may rightly return different rows."""
        upper = self.text.upper()
        return "LIMIT" not in upper or "ORDER BY" in upper


def _publication(index: int, publications: int) -> str:
    width = max(6, len(str(publications - 1)))  # as bench.generate names them
    return f"{BASE_IRI}publication/p{index:0{width}d}"


def parameters(path: Path, publications: int) -> dict[str, str]:
    """The terms (N-Triples syntax) the queries' ``$variables`` are bound to, for the graph
    that ``bench.generate`` wrote to ``path`` with ``publications`` papers."""
    if publications <= PAPER_INDEX:
        raise ValueError(f"the queries need more than {PAPER_INDEX} publications")
    paper = _publication(PAPER_INDEX, publications)
    prefix = f"<{paper}> {_DOI} "
    with path.open(encoding="utf-8") as lines:
        doi = next((line[len(prefix) : -3] for line in lines if line.startswith(prefix)), None)
    if doi is None:
        raise ValueError(f"{path} has no DOI for {paper}: not a generated graph?")
    return {
        "doi": doi,
        "paper": str(ox.NamedNode(paper)),
        "newest": str(ox.NamedNode(_publication(publications - 1, publications))),
        "hypothesis": str(ox.NamedNode(f"{BASE_IRI}hypothesis/h{0:06d}")),
    }


def load_queries(bindings: dict[str, str]) -> list[Query]:
    """The queries in file order, comments dropped and ``$variables`` replaced by terms."""
    queries = []
    for path in sorted(QUERY_DIR.glob("*.rq")):
        lines = path.read_text(encoding="utf-8").splitlines()
        text = "\n".join(line for line in lines if not line.startswith("#")).strip() + "\n"
        unbound = set(_VARIABLE.findall(text)) - bindings.keys()
        if unbound:
            raise ValueError(f"{path.name}: nothing to bind ${', $'.join(sorted(unbound))} to")
        queries.append(Query(path.stem, _VARIABLE.sub(lambda m: bindings[m[1]], text)))
    return queries


def _rows(body: bytes, construct: bool) -> list:
    if construct:  # N-Triples: one triple a line; a graph is a set
        lines = {_NUMBER.sub(_number, line.strip()) for line in body.decode().splitlines()}
        return sorted(lines - {""})
    bindings = json.loads(body)["results"]["bindings"]
    return sorted(
        json.dumps({var: _value(term) for var, term in row.items()}, sort_keys=True)
        for row in bindings
    )


def _value(term: dict[str, str]) -> str:
    """A term's value; numbers compared as numbers ("0.90" and "0.9" are the same decimal)."""
    if term.get("datatype") in _NUMERIC:
        return repr(float(term["value"]))
    return term["value"]


def _number(literal: re.Match[str]) -> str:
    return f'"{float(literal[1])!r}"^^<{literal[2]}>'


def count(body: bytes, construct: bool) -> int:
    """The solutions in a SPARQL JSON body, or the distinct triples in an N-Triples body."""
    return len(_rows(body, construct))


def digest(body: bytes, construct: bool) -> str:
    """A short hash of the answer as a set of rows (order and number forms do not count)."""
    return hashlib.sha256("\n".join(_rows(body, construct)).encode()).hexdigest()[:12]
