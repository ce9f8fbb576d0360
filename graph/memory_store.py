"""The in-memory backend: an rdflib Dataset, for quick tests and tiny graphs."""

from collections.abc import Iterable, Mapping, Sequence
from typing import BinaryIO

from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from graph.query_output import FORMAT_OF_MEDIA_TYPE, render
from graph.store import (
    QueryKind,
    QueryResult,
    QuerySyntaxError,
    ResultTooLarge,
    StoreError,
    Triple,
)
from graph.update_plan import Change, parse_update, plan

__all__ = ["MemoryStore"]

_RDFLIB_FORMATS = {"rdfxml": "xml"}


class MemoryStore:
    """Named graphs in an rdflib ``Dataset`` whose default graph is the union."""

    def __init__(self) -> None:
        self._dataset = Dataset(default_union=True)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        try:
            answer = self._dataset.query(sparql, initBindings=dict(bindings or {}))
        except ParseException as error:
            raise QuerySyntaxError(str(error.msg), error.lineno, error.column) from error
        if answer.type == "ASK":
            return QueryResult("ASK", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            return QueryResult("CONSTRUCT", triples=list(answer.graph))
        names = [str(v) for v in answer.vars or []]
        return QueryResult("SELECT", variables=names, rows=[tuple(row) for row in answer])

    def answer(
        self,
        sparql: str,
        media_types: Mapping[QueryKind, str | None],
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        max_bytes: int | None = None,
        bindings: Mapping[str, Node] | None = None,
    ) -> tuple[QueryKind, str | None, bytes]:
        if default_graphs or named_graphs:
            raise StoreError(
                "default-graph-uri and named-graph-uri need the oxigraph store; "
                "use FROM and FROM NAMED in the query instead"
            )
        result = self.query(sparql, bindings)
        media_type = media_types.get(result.kind)
        if media_type is None:
            return result.kind, None, b""
        body = render(result, FORMAT_OF_MEDIA_TYPE[media_type]).encode()
        if max_bytes is not None and len(body) > max_bytes:
            raise ResultTooLarge(max_bytes)
        return result.kind, media_type, body

    def add_graph(
        self, graph: URIRef, triples: Iterable[Triple], description: Sequence[Triple]
    ) -> None:
        if graph in self.named_graphs():
            raise StoreError(f"the graph {graph} exists already")
        staged = Graph()
        for triple in triples:
            staged.add(triple)
        target = self._dataset.graph(graph)
        target.addN((s, p, o, target) for s, p, o in staged)
        default = self._dataset.graph(DATASET_DEFAULT_GRAPH_ID)
        default.addN((s, p, o, default) for s, p, o in description)

    def plan_update(
        self,
        sparql: str,
        base_iri: str,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        fetched: Mapping[str, Sequence[Triple]] | None = None,
    ) -> Change:
        request = parse_update(sparql, base_iri, using_graphs, using_named_graphs)
        return plan(self._dataset.store, request, fetched)

    def apply(self, change: Change) -> None:
        for name, triples in change.removed.items():
            target = self._dataset.graph(name)
            for triple in triples:
                target.remove(triple)
        for name in change.dropped:
            self._dataset.remove_graph(self._dataset.graph(name))
        for name in change.created:
            self._dataset.graph(name)
        for name, triples in change.added.items():
            target = self._dataset.graph(name)
            target.addN((s, p, o, target) for s, p, o in triples)

    def drop_graph(self, graph: URIRef) -> bool:
        if graph not in self.named_graphs():
            return False
        self._dataset.remove_graph(self._dataset.graph(graph))
        self._dataset.graph(DATASET_DEFAULT_GRAPH_ID).remove((graph, None, None))
        return True

    def named_graphs(self) -> list[URIRef]:
        return sorted(
            g.identifier
            for g in self._dataset.graphs()
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and isinstance(g.identifier, URIRef)
        )

    def count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return sum(len(g) for g in self._dataset.graphs())
        return len(self._dataset.graph(graph))

    def export(self, out: BinaryIO | str, fmt: str, graph: URIRef | None = None) -> None:
        source = self._dataset if graph is None else self._dataset.graph(graph)
        data = source.serialize(format=_RDFLIB_FORMATS.get(fmt, fmt), encoding="utf-8")
        if isinstance(out, str):
            with open(out, "wb") as file:
                file.write(data)
        else:
            out.write(data)

    def close(self) -> None:
        """Nothing to release: the data lives and dies with the process."""
