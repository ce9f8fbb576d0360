"""The store interface every backend implements, and the lookup of a backend by name.

The interface is narrow on purpose: each operation maps onto the SPARQL 1.1 protocols (query,
update, Graph Store), so a backend for an external SPARQL server fits without touching callers.

Errors::

    StoreError            the store cannot do what was asked
    ├── StoreBusy         the data directory is held by another process
    ├── QueryTimeout      a query ran past its deadline
    └── QuerySyntaxError  a query is not SPARQL; with line and column where known
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol

from rdflib import Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

from graph.settings import Settings

if TYPE_CHECKING:
    from graph.update_plan import Change

__all__ = [
    "QueryKind",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "ResultTooLarge",
    "Store",
    "StoreBusy",
    "StoreError",
    "Triple",
    "located_syntax_error",
    "open_store",
]

Triple = tuple[Node, Node, Node]
QueryKind = Literal["SELECT", "ASK", "CONSTRUCT"]
#: Export formats: dataset formats (all graphs) and graph formats (one graph).
DATASET_FORMATS = ("trig", "nquads")
GRAPH_FORMATS = ("turtle", "ntriples", "rdfxml", "json-ld")


class StoreError(Exception):
    """The store cannot do what was asked."""


class StoreBusy(StoreError):
    """The data directory is in use by another process."""


class QueryTimeout(StoreError):
    """A query ran past its deadline and was stopped (or, on an external engine, not waited
    for any longer)."""


class ResultTooLarge(StoreError):
    """An answer is larger than the service sends; it was not sent in part."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"the answer is larger than {max_bytes:,} bytes (EVIDENCE_GRAPH_MAX_RESULT_BYTES); "
            "nothing was sent: narrow the query, or page through it with LIMIT and OFFSET"
        )
        self.max_bytes = max_bytes

    def __reduce__(self) -> tuple:  # rebuilt from its arguments in the worker's parent
        return type(self), (self.max_bytes,)


class QuerySyntaxError(StoreError):
    """A query or update is not valid SPARQL; says where when the parser does."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"SPARQL syntax error{where}: {message}")
        self.message, self.line, self.column = message, line, column

    def __reduce__(self) -> tuple:  # rebuilt from its arguments in the worker's parent
        return type(self), (self.message, self.line, self.column)


#: Media types an answer can be serialised to, by query form.
RESULT_MEDIA_TYPES = {
    "SELECT": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "ASK": ("application/sparql-results+json", "application/sparql-results+xml"),
    "CONSTRUCT": (
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
    ),
}


@dataclass
class QueryResult:
    """The answer to a SPARQL query, in rdflib terms, whatever the backend."""

    kind: QueryKind
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    def as_rdflib(self) -> Result | Graph:
        """The result as rdflib's own type, for its serialisers."""
        if self.kind == "CONSTRUCT":
            graph = Graph()
            for triple in self.triples:
                graph.add(triple)
            return graph
        result = Result(self.kind)
        if self.kind == "ASK":
            result.askAnswer = bool(self.boolean)
        else:
            from rdflib import Variable

            names = [Variable(v) for v in self.variables]
            result.vars = names
            result.bindings = [
                {n: value for n, value in zip(names, row, strict=True) if value is not None}
                for row in self.rows
            ]
        return result


class Store(Protocol):
    """A quad store: named graphs whose union is the default graph for queries."""

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of all graphs; ``bindings`` (variable name ->
        term) are bound after parsing, never pasted into the text."""
        ...

    def answer(
        self,
        sparql: str,
        media_types: Mapping[QueryKind, str | None],
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        max_bytes: int | None = None,
        bindings: Mapping[str, Node] | None = None,
    ) -> tuple[QueryKind, str | None, bytes]:
        """Run a query for the SPARQL protocol and serialise its whole answer in the media type
        given for its form (one of ``RESULT_MEDIA_TYPES``), with no per-row Python work.
        Returns the form, the media type, and the body; no body when the media type for the
        form is None (the caller answers 406).

        The default graph is the union of all graphs unless ``default_graphs`` names some;
        ``named_graphs`` limits what ``GRAPH`` can see. An answer over ``max_bytes`` raises
        ``ResultTooLarge``: it is never cut short.
        """
        ...

    def add_graph(
        self, graph: URIRef, triples: Iterable[Triple], description: Sequence[Triple]
    ) -> None:
        """Atomically add ``triples`` as the new named graph ``graph``, and ``description`` (its
        provenance) to the default graph; durable when this returns."""
        ...

    def plan_update(
        self,
        sparql: str,
        base_iri: str,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        fetched: "Mapping[str, Sequence[Triple]] | None" = None,
    ) -> "Change":
        """What the SPARQL update ``sparql`` would change, without changing anything (see
        ``graph.update_plan``); ``fetched`` holds the data of its ``LOAD`` sources."""
        ...

    def apply(self, change: "Change") -> None:
        """Atomically apply ``change`` (no ``NEW_GRAPH`` left in it; ``DATASET_DEFAULT_GRAPH_ID``
        for the provenance); durable when this returns."""
        ...

    def drop_graph(self, graph: URIRef) -> bool:
        """Remove a named graph and its description; False when there was no such graph."""
        ...

    def named_graphs(self) -> list[URIRef]:
        """The IRIs of the named graphs."""
        ...

    def count(self, graph: URIRef | None = None) -> int:
        """Number of quads in the store, or of triples in one named graph."""
        ...

    def export(self, out: BinaryIO | str, fmt: str, graph: URIRef | None = None) -> None:
        """Write the dataset (``trig``, ``nquads``) or one graph (``turtle``...) to ``out``, a
        binary stream or a file path; rdflib's ``DATASET_DEFAULT_GRAPH_ID`` names the default
        graph (where the provenance of each write is)."""
        ...

    def close(self) -> None:
        """Release the store (and its lock on the data directory)."""
        ...


def open_store(settings: Settings) -> Store:
    """Open the backend named by ``settings.store``."""
    if settings.store == "memory":
        from graph.memory_store import MemoryStore

        return MemoryStore()
    if settings.store == "sparql":
        from graph.sparql_store import open_sparql_store

        return open_sparql_store(settings)
    from graph.oxigraph_store import OxigraphStore

    return OxigraphStore(settings.data_dir)


_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")


def located_syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """Oxigraph says where in its message ("error at 2:9: ..."); keep line and column apart."""
    message = str(error.msg)
    found = _POSITION.match(message)
    if found is None:
        return QuerySyntaxError(message)
    return QuerySyntaxError(message[found.end() :], int(found[1]), int(found[2]))
