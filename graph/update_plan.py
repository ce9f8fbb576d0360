"""What a SPARQL 1.1 Update would change, worked out without changing anything.

rdflib's update evaluator runs the request over a ``Dataset`` whose store is an overlay on the
real store: reads see the stored quads plus what the request has done so far, writes are only
recorded. The result is a ``Change`` — the quads to add and to remove, per graph — that the
write path validates and then applies in one transaction.

The dataset follows the service's model, where the default graph is the union of the named
graphs (each write is one named graph; the real default graph holds their provenance):

* the ``WHERE`` of an update sees the union, like every query;
* triples inserted without ``GRAPH`` go to a new named graph, one per request, like a load;
* triples deleted without ``GRAPH`` are deleted from every named graph that holds them;
* ``DROP``/``CLEAR DEFAULT`` and ``ALL`` empty the named graphs; the provenance is never
  changed by an update.

``LOAD`` is not run here: the caller refuses it or fetches it (``loads``).
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql import update as rdflib_update
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.evalutils import _fillTemplate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import QueryContext
from rdflib.store import Store as RdflibStore
from rdflib.term import Node

from graph.federation import collect_endpoints
from graph.store import QuerySyntaxError, StoreError, Triple, located_syntax_error

__all__ = ["NEW_GRAPH", "Change", "UpdateRequest", "parse_update", "plan"]

_REACHES_OUT = re.compile(r"\b(LOAD|SERVICE)\b", re.IGNORECASE)

#: Where triples inserted without ``GRAPH`` go: a new named graph, named when committed.
NEW_GRAPH = URIRef("urn:evidence-graph:new-graph")

_OPERATIONS: dict[str, Callable[[QueryContext, CompValue], None]] = {
    "Clear": rdflib_update.evalClear,
    "Drop": rdflib_update.evalDrop,
    "Add": rdflib_update.evalAdd,
    "Move": rdflib_update.evalMove,
    "Copy": rdflib_update.evalCopy,
    "InsertData": rdflib_update.evalInsertData,
    "DeleteData": rdflib_update.evalDeleteData,
    "DeleteWhere": rdflib_update.evalDeleteWhere,
    "Modify": rdflib_update.evalModify,
}


@dataclass
class Change:
    """Quads to add and to remove, per graph (``NEW_GRAPH`` for the request's own graph), and
    the named graphs to create or to drop."""

    added: dict[URIRef, set[Triple]] = field(default_factory=lambda: defaultdict(set))
    removed: dict[URIRef, set[Triple]] = field(default_factory=lambda: defaultdict(set))
    created: set[URIRef] = field(default_factory=set)
    dropped: set[URIRef] = field(default_factory=set)

    def __bool__(self) -> bool:
        return (
            any(self.added.values())
            or any(self.removed.values())
            or bool(self.created or self.dropped)
        )

    def counts(self) -> dict[str, int]:
        """How many triples are added and removed."""
        return {
            "inserted": sum(len(t) for t in self.added.values()),
            "deleted": sum(len(t) for t in self.removed.values()),
        }


@dataclass(frozen=True)
class UpdateRequest:
    """A parsed update: its operations, and what it reaches outside the store."""

    operations: list[CompValue]
    loads: list[tuple[str, URIRef | None]]  # (source IRI, target graph or None)
    service_endpoints: list[str]


def parse_update(
    sparql: str,
    base_iri: str | None = None,
    using_graphs: Iterable[str] = (),
    using_named_graphs: Iterable[str] = (),
) -> UpdateRequest:
    """Parse ``sparql``; the protocol's ``using-graph-uri`` and ``using-named-graph-uri`` apply
    to every operation with a ``WHERE`` (an error when the request has its own USING or WITH)."""
    try:
        operations = list(translateUpdate(parseUpdate(sparql), base=base_iri).algebra)
    except ParseException as error:
        raise _located(sparql) or QuerySyntaxError(str(error.msg)) from None
    using = [CompValue("UsingClause", default=URIRef(g)) for g in using_graphs]
    using += [CompValue("UsingClause", named=URIRef(g)) for g in using_named_graphs]
    if using:
        for operation in operations:
            if operation.name != "Modify":
                continue
            if operation.using or operation.withClause:
                raise StoreError(
                    "the update names its dataset itself (USING or WITH): "
                    "using-graph-uri and using-named-graph-uri cannot be given as well"
                )
            operation["using"] = using
    loads = [
        (str(op.iri), URIRef(op.graphiri) if op.graphiri else None)
        for op in operations
        if op.name == "Load"
    ]
    return UpdateRequest(operations, loads, collect_endpoints(operations))


def plan(
    store: RdflibStore,
    request: UpdateRequest,
    fetched: Mapping[str, Iterable[Triple]] | None = None,
) -> Change:
    """Evaluate ``request`` over ``store`` (an rdflib store holding the service's data, with
    provenance in the default graph) and return what it would change. ``fetched`` holds the
    data of each ``LOAD`` source, fetched by the caller."""
    overlay = _Overlay(store)
    dataset = Dataset(store=overlay, default_union=True)
    union = Graph(store=overlay, identifier=DATASET_DEFAULT_GRAPH_ID)
    for operation in request.operations:
        ctx = QueryContext(dataset, initBindings={})
        ctx.graph = union  # what rdflib calls the default graph: here, the union
        ctx.prologue = operation.prologue
        if operation.name == "Load":
            source = (fetched or {}).get(str(operation.iri))
            if source is None:
                raise StoreError(f"LOAD <{operation.iri}> was not fetched")
            target = dataset.get_context(operation.graphiri) if operation.graphiri else union
            target += list(source)
        elif operation.name == "Create":
            overlay.create(URIRef(operation.graphiri), silent=bool(operation.silent))
        elif operation.name == "Modify" and operation.using:
            _modify_using(ctx, operation, overlay, dataset, union)
        else:
            _OPERATIONS[operation.name](ctx, operation)
    return overlay.change


def _modify_using(
    ctx: QueryContext, operation: CompValue, overlay: "_Overlay", dataset: Dataset, union: Graph
) -> None:
    """DELETE/INSERT with USING or USING NAMED (or the protocol's using-graph-uri and
    using-named-graph-uri): the WHERE sees the merge of the USING graphs as its default graph
    (empty without one) and only the USING NAMED graphs for GRAPH; the templates write to the
    store as usual (to the WITH graph, or the union, when they name no graph)."""
    default = Graph()
    for clause in operation.using:
        if clause.default:
            default += list(dataset.get_context(clause.default))
    overlay.visible = {URIRef(c.named) for c in operation.using if c.named}
    try:
        solutions = list(evalPart(ctx.pushGraph(default), operation.where))
    finally:
        overlay.visible = None
    target = dataset.get_context(operation.withClause) if operation.withClause else union
    for solution in solutions:
        for template, change in ((operation.delete, "__isub__"), (operation.insert, "__iadd__")):
            if not template:
                continue
            getattr(target, change)(list(_fillTemplate(template.triples, solution)))
            for graph, triples in template.quads.items():
                named = dataset.get_context(solution.get(graph))
                getattr(named, change)(list(_fillTemplate(triples, solution)))


def _located(sparql: str) -> QuerySyntaxError | None:
    """The syntax error with its line and column, as Oxigraph's parser finds it (rdflib's says
    little for updates). The update is run on an empty store in memory, so it is never run when
    it could reach the network."""
    if _REACHES_OUT.search(sparql):
        return None
    try:
        ox.Store().update(sparql)
    except SyntaxError as error:
        return located_syntax_error(error)
    return None


class _Overlay(RdflibStore):
    """An rdflib store that reads through to ``base`` and records writes in a ``Change``."""

    context_aware = True
    graph_aware = True

    def __init__(self, base: RdflibStore) -> None:
        super().__init__()
        self.base = base
        self.change = Change()
        self.visible: set[URIRef] | None = None  # the named graphs a WHERE may see, if limited

    # -- reading --------------------------------------------------------------------------

    def triples(
        self, pattern: tuple[Node | None, Node | None, Node | None], context: Graph | None = None
    ) -> Iterator[tuple[Triple, Iterator[Graph]]]:
        wanted = _name(context)
        if wanted is not None and self.visible is not None and wanted not in self.visible:
            return
        names = [wanted] if wanted is not None else None
        seen: set[Triple] = set()
        for name, triple in self._quads(pattern, names):
            if wanted is None:
                if triple in seen:
                    continue
                seen.add(triple)
            yield triple, iter([Graph(store=self, identifier=name)])

    def _quads(
        self, pattern: tuple[Node | None, Node | None, Node | None], names: list[URIRef] | None
    ) -> Iterator[tuple[URIRef, Triple]]:
        """Stored quads matching ``pattern`` in the graphs ``names`` (all when None), after the
        change so far. The default graph stands for itself here (the provenance)."""
        change = self.change
        base_context = None if names is None or len(names) != 1 else self._base_graph(names[0])
        if names is None or names[0] not in change.created | {NEW_GRAPH}:
            for triple, contexts in self.base.triples(pattern, base_context):
                for graph in contexts if base_context is None else [base_context]:
                    name = _name(graph) or DATASET_DEFAULT_GRAPH_ID
                    if names is not None and name not in names:
                        continue
                    if name in change.dropped or triple in change.removed.get(name, ()):
                        continue
                    yield name, triple
        for name, added in list(change.added.items()):
            if names is not None and name not in names:
                continue
            for triple in list(added):
                if _matches(triple, pattern):
                    yield name, triple

    def __len__(self, context: Graph | None = None) -> int:
        return sum(1 for _ in self.triples((None, None, None), context))

    def contexts(self, triple: Triple | None = None) -> Iterator[Graph]:
        names = {n for n, _ in self._quads(triple or (None, None, None), None)}
        if triple is None:
            names |= {_name(g) or DATASET_DEFAULT_GRAPH_ID for g in self.base.contexts()}
            names = (names - self.change.dropped) | self.change.created
        if self.visible is not None:
            names &= self.visible
        for name in sorted(names - {DATASET_DEFAULT_GRAPH_ID}):
            yield Graph(store=self, identifier=name)

    def _base_graph(self, name: URIRef) -> Graph:
        return Graph(store=self.base, identifier=name)

    # -- writing --------------------------------------------------------------------------

    def add(self, triple: Triple, context: Graph | None, quoted: bool = False) -> None:
        name = _name(context) or NEW_GRAPH
        change = self.change
        if triple in change.removed.get(name, ()):
            change.removed[name].discard(triple)
        elif (
            name == NEW_GRAPH
            or name in change.dropped
            or not any(True for _ in self.base.triples(triple, self._base_graph(name)))
        ):
            change.added[name].add(triple)

    def addN(self, quads: Iterable[tuple[Node, Node, Node, Graph]]) -> None:
        for s, p, o, graph in quads:
            self.add((s, p, o), graph)

    def remove(
        self, pattern: tuple[Node | None, Node | None, Node | None], context: Graph | None = None
    ) -> None:
        name = _name(context)
        names = None if name is None else [name]  # the default graph: every named graph
        for graph, triple in list(self._quads(pattern, names)):
            if graph == DATASET_DEFAULT_GRAPH_ID:
                continue  # the provenance is kept by the service
            added = self.change.added.get(graph)
            if added is not None and triple in added:
                added.discard(triple)
            else:
                self.change.removed[graph].add(triple)

    def add_graph(self, graph: Graph) -> None:
        name = _name(graph)
        if name is not None:
            self.create(name, silent=True)

    def remove_graph(self, graph: Graph) -> None:
        name = _name(graph)
        self.remove((None, None, None), graph)
        if name is not None:
            self.change.added.pop(name, None)
            self.change.created.discard(name)
            if name in {_name(g) for g in self.base.contexts()}:
                self.change.dropped.add(name)

    def create(self, name: URIRef, silent: bool) -> None:
        """``CREATE GRAPH``: an error when the graph exists, unless SILENT."""
        exists = name in {g.identifier for g in self.contexts()}
        if exists and not silent:
            raise StoreError(f"CREATE GRAPH <{name}>: the graph exists already")
        if not exists:
            self.change.dropped.discard(name)
            self.change.created.add(name)


def _name(graph: Graph | None) -> URIRef | None:
    """The IRI of a named graph; None for the default graph, which stands for the union."""
    if graph is None or isinstance(graph, Dataset):
        return None
    identifier = graph.identifier
    if identifier == DATASET_DEFAULT_GRAPH_ID or not isinstance(identifier, URIRef):
        return None
    return identifier


def _matches(triple: Triple, pattern: tuple[Node | None, Node | None, Node | None]) -> bool:
    return all(want is None or want == got for want, got in zip(pattern, triple, strict=True))
