"""Parsing RDF files of any syntax into an rdflib graph, with pyoxigraph's streaming parsers.

Blank nodes are skolemised per source (``{base}.well-known/genid/...``) so that every node can
be dereferenced and two files' ``_:b0`` never merge. Named graphs in TriG or N-Quads input are
flattened into the batch: one write is one named graph.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from uuid import uuid4

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from graph.terms import from_ox

__all__ = ["FORMATS", "ParseError", "Source", "format_for", "parse_into"]

#: Input syntaxes by name, as the CLI and the API accept them.
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_SUFFIXES = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}


class ParseError(ValueError):
    """A source is not well-formed RDF; says which source and where."""

    def __init__(
        self, source: str, message: str, line: int | None = None, column: int | None = None
    ):
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{source}{where}: {message}")
        self.source, self.message, self.line, self.column = source, message, line, column


@dataclass(frozen=True)
class Source:
    """One input: a file path or an open binary stream, with its syntax."""

    name: str
    stream: BinaryIO
    format: str
    size: int | None = None

    @classmethod
    def from_path(cls, path: Path, fmt: str | None = None) -> "Source":
        """Open ``path``; its syntax comes from ``fmt`` or from the file's suffix."""
        return cls(path.name, path.open("rb"), fmt or format_for(path.name), path.stat().st_size)


def format_for(name: str) -> str:
    """The syntax of a file, guessed from its suffix."""
    suffix = Path(name).suffix.lower()
    if suffix not in _SUFFIXES:
        known = ", ".join(sorted(_SUFFIXES))
        raise ParseError(
            name, f"unknown file type {suffix or '(none)'}: use one of {known} or name the format"
        )
    return _SUFFIXES[suffix]


class _Counting:
    """A binary reader that reports how many bytes have been read."""

    def __init__(self, stream: BinaryIO, progress: Callable[[int], None]) -> None:
        self._stream, self._progress = stream, progress

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._progress(len(chunk))
        return chunk

    def readinto(self, buffer: bytearray) -> int:
        n = self._stream.readinto(buffer)
        self._progress(n or 0)
        return n


def parse_into(
    graph: Graph,
    source: Source,
    base_iri: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add the triples of ``source`` to ``graph``; returns how many were new to it."""
    if source.format not in FORMATS:
        raise ParseError(
            source.name, f"unknown format {source.format!r}: use one of {', '.join(FORMATS)}"
        )
    stream = _Counting(source.stream, progress) if progress else source.stream
    genid = f"{base_iri}.well-known/genid/{uuid4().hex}-"
    terms: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Node] = {}  # one object per term

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        known = terms.get(node)
        if known is None:
            blank = isinstance(node, ox.BlankNode)
            known = terms[node] = URIRef(f"{genid}{len(terms)}") if blank else from_ox(node)
        return known

    def triples() -> Iterator[tuple[Node, Node, Node, Graph]]:
        for quad in ox.parse(stream, format=FORMATS[source.format], base_iri=base_iri):
            yield term(quad.subject), term(quad.predicate), term(quad.object), graph

    before = len(graph)
    try:
        graph.addN(triples())
    except SyntaxError as error:
        message = error.msg
        if "LoadDocumentCallback" in message:  # a JSON-LD @context given by URL
            message = "remote JSON-LD contexts are not fetched: put the @context in the document"
        raise ParseError(source.name, message, error.lineno, error.offset) from error
    except (OSError, ValueError) as error:
        raise ParseError(source.name, str(error)) from error
    return len(graph) - before
