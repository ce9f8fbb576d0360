"""The default backend: pyoxigraph's on-disk store in a data directory."""

import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.store import Store as RdflibStore
from rdflib.term import Node

from graph.parsing import FORMATS
from graph.store import (
    QueryKind,
    QueryResult,
    ResultTooLarge,
    StoreBusy,
    StoreError,
    Triple,
    located_syntax_error,
)
from graph.terms import from_ox, to_ox
from graph.update_plan import Change, parse_update, plan

__all__ = ["OxigraphStore"]


class OxigraphStore:
    """Named graphs in a pyoxigraph store; each write is one transaction, flushed to disk."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._store = ox.Store(str(data_dir))
        except OSError as error:
            if "lock" in str(error).lower():
                raise StoreBusy(
                    f"the data directory {data_dir} is in use by another evidence-graph process "
                    "(a running `serve`?): stop it, or use its HTTP API"
                ) from error
            raise StoreError(f"cannot open the store in {data_dir}: {error}") from error
        self.data_dir = data_dir

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        answer = self._run(sparql, (), (), bindings)
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            return QueryResult(
                "CONSTRUCT",
                triples=[
                    (from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in answer
                ],
            )
        names = [v.value for v in answer.variables]
        rows = [
            tuple(None if (value := solution[name]) is None else from_ox(value) for name in names)
            for solution in answer
        ]
        return QueryResult("SELECT", variables=names, rows=rows)

    def answer(
        self,
        sparql: str,
        media_types: Mapping[QueryKind, str | None],
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        max_bytes: int | None = None,
        bindings: Mapping[str, Node] | None = None,
    ) -> tuple[QueryKind, str | None, bytes]:
        # pyoxigraph results must be used and dropped on the thread that made them: all here.
        result = self._run(sparql, default_graphs, named_graphs, bindings)
        if isinstance(result, ox.QueryTriples):
            kind, formats = "CONSTRUCT", _RDF_MEDIA
        else:
            kind = "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"
            formats = _RESULTS_MEDIA
        media_type = media_types.get(kind)
        if media_type is None:
            return kind, None, b""
        out = _Capped(max_bytes)
        try:
            result.serialize(out, format=formats[media_type])
        except OSError as error:  # evaluation is lazy: a SERVICE call can fail here
            raise StoreError(f"the query failed while it ran: {error}") from None
        return kind, media_type, out.getvalue()

    def _run(
        self,
        sparql: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        bindings: Mapping[str, Node] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        dataset: dict = {"use_default_graph_as_union": not default_graphs}
        if bindings:
            dataset["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
        if default_graphs:
            dataset["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            dataset["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, **dataset)
        except SyntaxError as error:
            raise located_syntax_error(error) from error
        except ValueError as error:  # an IRI in default-graph-uri or named-graph-uri
            raise StoreError(str(error)) from error

    def add_graph(
        self, graph: URIRef, triples: Iterable[Triple], description: Sequence[Triple]
    ) -> None:
        name = ox.NamedNode(str(graph))
        if self._store.contains_named_graph(name):
            raise StoreError(f"the graph {graph} exists already")
        terms: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

        def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
            known = terms.get(node)
            if known is None:
                known = terms[node] = to_ox(node)
            return known

        default = ox.DefaultGraph()
        quads = [ox.Quad(term(s), term(p), term(o), name) for s, p, o in triples]
        quads += [ox.Quad(term(s), term(p), term(o), default) for s, p, o in description]
        self._store.extend(quads)
        self._store.flush()

    def plan_update(
        self,
        sparql: str,
        base_iri: str,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        fetched: Mapping[str, Sequence[Triple]] | None = None,
    ) -> Change:
        request = parse_update(sparql, base_iri, using_graphs, using_named_graphs)
        return plan(_Reader(self._store), request, fetched)

    def apply(self, change: Change) -> None:
        def block(triples: Iterable[Triple]) -> str:
            return " ".join(" ".join(str(to_ox(term)) for term in t) + " ." for t in triples)

        def data(graphs: Mapping[URIRef, Iterable[Triple]]) -> str:
            return " ".join(
                block(t) if g == DATASET_DEFAULT_GRAPH_ID else f"GRAPH <{g}> {{ {block(t)} }}"
                for g, t in graphs.items()
                if t
            )

        operations = [f"DELETE DATA {{ {data(change.removed)} }}"]
        operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(change.dropped)]
        operations += [f"CREATE SILENT GRAPH <{g}>" for g in sorted(change.created)]
        operations.append(f"INSERT DATA {{ {data(change.added)} }}")
        try:
            self._store.update(" ;\n".join(operations))
        except (SyntaxError, OSError) as error:
            raise StoreError(f"the change could not be applied: {error}") from error
        self._store.flush()

    def drop_graph(self, graph: URIRef) -> bool:
        name = ox.NamedNode(str(graph))
        if not self._store.contains_named_graph(name):
            return False
        self._store.update(f"DROP GRAPH <{name.value}> ; DELETE WHERE {{ <{name.value}> ?p ?o }}")
        self._store.flush()
        return True

    def named_graphs(self) -> list[URIRef]:
        return sorted(
            URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    def count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(
            1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))
        )

    def export(self, out: BinaryIO | str, fmt: str, graph: URIRef | None = None) -> None:
        if graph is None:
            source = {}
        elif graph == DATASET_DEFAULT_GRAPH_ID:
            source = {"from_graph": ox.DefaultGraph()}
        else:
            source = {"from_graph": ox.NamedNode(str(graph))}
        self._store.dump(out, format=FORMATS[fmt], **source)

    def close(self) -> None:
        self._store.flush()
        del self._store


class _Capped(io.BytesIO):
    """A buffer that refuses to grow past ``max_bytes`` (pyoxigraph writes to it in chunks)."""

    def __init__(self, max_bytes: int | None) -> None:
        super().__init__()
        self._max_bytes = max_bytes

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        if self._max_bytes is not None and self.tell() + len(chunk) > self._max_bytes:
            raise ResultTooLarge(self._max_bytes)
        return super().write(chunk)


class _Reader(RdflibStore):
    """Read access to a pyoxigraph store for rdflib's update evaluator (terms as stored)."""

    context_aware = True
    graph_aware = True

    def __init__(self, store: ox.Store) -> None:
        super().__init__()
        self._store = store

    def triples(self, pattern: tuple, context: Graph | None = None) -> Iterator[tuple]:
        graph = None
        if context is not None:
            name = context.identifier
            graph = ox.DefaultGraph() if name == DATASET_DEFAULT_GRAPH_ID else to_ox(name)
        for quad in self._store.quads_for_pattern(
            *(None if term is None else to_ox(term) for term in pattern), graph
        ):
            triple = (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
            yield triple, iter([Graph(store=self, identifier=_graph_name(quad.graph_name))])

    def contexts(self, triple: Triple | None = None) -> Iterator[Graph]:
        for name in self._store.named_graphs():
            yield Graph(store=self, identifier=from_ox(name))


def _graph_name(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> Node:
    return DATASET_DEFAULT_GRAPH_ID if isinstance(name, ox.DefaultGraph) else from_ox(name)


_RESULTS_MEDIA = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_RDF_MEDIA = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
