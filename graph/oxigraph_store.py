"""The default backend: pyoxigraph's on-disk store in a data directory."""

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from graph.parsing import FORMATS
from graph.store import QueryKind, QueryResult, QuerySyntaxError, StoreBusy, StoreError, Triple
from graph.terms import from_ox, to_ox

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

    def query(self, sparql: str) -> QueryResult:
        answer = self._run(sparql, (), ())
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
    ) -> tuple[QueryKind, str | None, bytes]:
        # pyoxigraph results must be used and dropped on the thread that made them: all here.
        result = self._run(sparql, default_graphs, named_graphs)
        if isinstance(result, ox.QueryTriples):
            kind, formats = "CONSTRUCT", _RDF_MEDIA
        else:
            kind = "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"
            formats = _RESULTS_MEDIA
        media_type = media_types.get(kind)
        try:
            body = b"" if media_type is None else result.serialize(format=formats[media_type])
        except OSError as error:  # evaluation is lazy: a SERVICE call can fail here
            raise StoreError(f"the query failed while it ran: {error}") from None
        return kind, media_type, body

    def _run(
        self, sparql: str, default_graphs: Sequence[str], named_graphs: Sequence[str]
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        dataset: dict = {"use_default_graph_as_union": not default_graphs}
        if default_graphs:
            dataset["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            dataset["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, **dataset)
        except SyntaxError as error:
            raise _syntax_error(error) from error
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
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")


def _syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """Oxigraph says where in its message ("error at 2:9: ..."); keep line and column apart."""
    message = str(error.msg)
    found = _POSITION.match(message)
    if found is None:
        return QuerySyntaxError(message)
    return QuerySyntaxError(message[found.end() :], int(found[1]), int(found[2]))
