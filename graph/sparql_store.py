"""The ``sparql`` backend: the graph in an external SPARQL 1.1 engine, reached through
``graph.sparql_client`` (Query, Update and Graph Store protocols).

The service's model holds on the engine as in the embedded store: each write is one named
graph, its provenance in the default graph, and queries read the union of all graphs (by the
engine's own means where its profile says it has one, else by naming every graph). A batch is
sent into its new graph by Graph Store POST, in chunks when the profile limits a request, and
the graph is dropped again if a chunk fails; the provenance is written last, so a half-sent
batch is never listed as an import. Updates are planned here, over the engine's triples read
pattern by pattern, and applied as one ``DELETE DATA``/``INSERT DATA`` request.

On an engine whose default graph cannot be written (Virtuoso), the provenance lives in a named
graph of its own (``PROVENANCE_GRAPH``), never listed as an import. In progress (issue 8):
engines with no way to read the union of graphs (the generic profile); see decision 0018.
"""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.store import Store as RdflibStore
from rdflib.term import BNode, Node, Variable

from graph.parsing import FORMATS
from graph.settings import Settings
from graph.sparql_client import PROFILES, EngineError, EngineTimeout, SparqlClient, auth_for
from graph.store import (
    QueryKind,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    Triple,
    located_syntax_error,
)
from graph.terms import to_ox
from graph.update_plan import Change, parse_update, plan

__all__ = ["PROVENANCE_GRAPH", "SparqlStore", "open_sparql_store"]

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_COMMENT = re.compile(r"#[^\n]*")
_VIRTUOSO_LINE = re.compile(r"SPARQL compiler, line (\d+):")
# IRIs and strings go before comments are taken out: an IRI may hold a "#"
_IRI_OR_STRING = re.compile(r'<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_CHUNK = 50_000  # triples per Graph Store POST when the profile sets no limit
#: Where provenance goes on an engine whose default graph cannot be written.
PROVENANCE_GRAPH = URIRef("urn:evidence-graph:provenance")


def open_sparql_store(settings: Settings) -> "SparqlStore":
    """The ``sparql`` store the settings describe; ``StoreError`` when one is missing or the
    engine does not answer."""
    if not settings.sparql_query_url or not settings.sparql_update_url:
        raise StoreError(
            "the sparql store needs EVIDENCE_GRAPH_SPARQL_QUERY_URL and "
            "EVIDENCE_GRAPH_SPARQL_UPDATE_URL (and EVIDENCE_GRAPH_SPARQL_STORE_URL)"
        )
    password = settings.sparql_password.get_secret_value() if settings.sparql_password else None
    try:
        auth = auth_for(settings.sparql_auth, settings.sparql_user, password)
    except ValueError as error:
        raise StoreError(f"EVIDENCE_GRAPH_SPARQL_AUTH: {error}") from None
    client = SparqlClient(
        settings.sparql_query_url,
        settings.sparql_update_url,
        settings.sparql_store_url,
        PROFILES[settings.sparql_profile],
        auth,
        read_timeout_s=settings.query_timeout_s,
    )
    store = SparqlStore(client)
    try:
        client.ask("ASK {}")
    except EngineError as error:
        client.close()
        raise StoreError(f"the SPARQL engine does not answer: {error}") from None
    return store


class SparqlStore:
    """Named graphs in an external engine; its profile says how to reach the union."""

    def __init__(self, client: SparqlClient) -> None:
        self._client = client
        # where the provenance lives: the default graph, or on an engine that cannot write
        # there (Virtuoso), a named graph of its own that is never listed as an import
        self._provenance = None if client.profile.default_graph_writes else PROVENANCE_GRAPH
        self._hidden = {self._provenance, *map(URIRef, client.profile.system_graphs)}

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        text = _bound(sparql, bindings)
        kind = _form(text)
        with _engine_errors():
            if kind == "ASK":
                return QueryResult("ASK", boolean=self._client.ask(text, self._union()))
            if kind == "CONSTRUCT":
                graph = self._client.construct(text, self._union())
                return QueryResult("CONSTRUCT", triples=list(graph))
            names, rows = self._client.select(text, self._union())
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
        text = _bound(sparql, bindings)
        kind = _form(text)
        media_type = media_types.get(kind)
        if media_type is None:
            return kind, None, b""
        params: dict[str, str | list[str]] = (
            {"default-graph-uri": list(default_graphs)} if default_graphs else self._union()
        )
        if named_graphs:
            params["named-graph-uri"] = list(named_graphs)
        with _engine_errors():
            body = self._client.raw(text, media_type, params)
        if max_bytes is not None and len(body) > max_bytes:
            raise ResultTooLarge(max_bytes)
        return kind, media_type, body

    def add_graph(
        self, graph: URIRef, triples: Iterable[Triple], description: Sequence[Triple]
    ) -> None:
        if graph in self.named_graphs():
            raise StoreError(f"the graph {graph} exists already")
        batch = list(triples)
        size = self._client.profile.max_triples_per_update or _CHUNK
        try:
            for start in range(0, len(batch), size):
                self._client.graph_post(graph, _ntriples(batch[start : start + size]))
            if description:  # Virtuoso refuses an empty GRAPH block
                provenance = self._in(DATASET_DEFAULT_GRAPH_ID, description)
                self._client.update(f"INSERT DATA {{ {provenance} }}")
        except EngineError as error:
            self._client.graph_delete(graph)  # all or nothing
            raise StoreError(f"the batch could not be stored: {error}") from None

    def plan_update(
        self,
        sparql: str,
        base_iri: str,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        fetched: Mapping[str, Sequence[Triple]] | None = None,
    ) -> Change:
        request = parse_update(sparql, base_iri, using_graphs, using_named_graphs)
        return plan(_Reader(self._client, self._provenance, self._hidden), request, fetched)

    def apply(self, change: Change) -> None:
        def data(graphs: Mapping[URIRef, Iterable[Triple]]) -> str:
            return " ".join(self._in(g, t) for g, t in graphs.items() if t)

        removed, added = data(change.removed), data(change.added)
        operations = [f"DELETE DATA {{ {removed} }}"] if removed else []
        operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(change.dropped)]
        operations += [f"CREATE SILENT GRAPH <{g}>" for g in sorted(change.created)]
        operations += [f"INSERT DATA {{ {added} }}"] if added else []
        if not operations:
            return
        try:
            self._client.update(" ;\n".join(operations))
        except EngineError as error:
            raise StoreError(f"the change could not be applied: {error}") from None

    def drop_graph(self, graph: URIRef) -> bool:
        if graph not in self.named_graphs():
            return False
        description = f"<{graph}> ?p ?o"
        if self._provenance is not None:
            description = f"GRAPH <{self._provenance}> {{ {description} }}"
        self._client.update(f"DROP SILENT GRAPH <{graph}> ; DELETE WHERE {{ {description} }}")
        return True

    def named_graphs(self) -> list[URIRef]:
        _, rows = self._client.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(g for (g,) in rows if isinstance(g, URIRef) and g not in self._hidden)

    def count(self, graph: URIRef | None = None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else self._every_quad()
        _, rows = self._client.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(rows[0][0])

    def _every_quad(self) -> str:
        """A pattern of every quad of the dataset, ``?g`` unbound for the default graph's.
        Where the default graph cannot be written, it reads as the union of all graphs: the
        quads are then the named graphs', the engine's own left out."""
        if self._provenance is None:
            return "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
        system = ", ".join(f"<{g}>" for g in self._client.profile.system_graphs)
        return "GRAPH ?g { ?s ?p ?o }" + (f" FILTER (?g NOT IN ({system}))" if system else "")

    def export(self, out: BinaryIO | str, fmt: str, graph: URIRef | None = None) -> None:
        """The dataset or one graph, read from the engine and written by pyoxigraph."""
        if graph is None:
            where = self._every_quad()
        elif graph == DATASET_DEFAULT_GRAPH_ID and self._provenance is None:
            where = "?s ?p ?o"
        elif graph == DATASET_DEFAULT_GRAPH_ID:
            where = f"GRAPH <{self._provenance}> {{ ?s ?p ?o }}"
        else:
            where = f"GRAPH {graph.n3()} {{ ?s ?p ?o }}"
        with _engine_errors():
            _, rows = self._client.select(f"SELECT ?g ?s ?p ?o WHERE {{ {where} }}")
        copy = ox.Store()
        copy.extend(
            ox.Quad(
                to_ox(s),
                to_ox(p),
                to_ox(o),
                ox.DefaultGraph() if g is None or g == self._provenance else to_ox(g),
            )
            for g, s, p, o in rows
        )
        # one graph's triples come back without ?g: they sit in the copy's default graph
        source = {} if graph is None else {"from_graph": ox.DefaultGraph()}
        copy.dump(out, format=FORMATS[fmt], **source)

    def close(self) -> None:
        self._client.close()

    def _in(self, graph: Node, triples: Iterable[Triple]) -> str:
        """Triples as update data in ``graph`` (the default graph: where provenance lives)."""
        if graph == DATASET_DEFAULT_GRAPH_ID:
            if self._provenance is None:
                return _block(triples)
            graph = self._provenance
        return f"GRAPH <{graph}> {{ {_block(triples)} }}"

    def _union(self) -> dict[str, str | list[str]]:
        """The protocol parameters that make the engine read the union of the service's
        graphs: its switch for it, or, where the engine has graphs of its own, the graphs
        named one by one (as the default graph and as the named graphs)."""
        profile = self._client.profile
        if profile.union_parameter:
            return {profile.union_parameter: "true"}
        if profile.union_default_graph and not profile.system_graphs:
            return {}
        ours = [str(g) for g in self.named_graphs()]
        if self._provenance is not None:
            ours.append(str(self._provenance))
        return {"default-graph-uri": ours, "named-graph-uri": ours}


@contextmanager
def _engine_errors() -> Iterator[None]:
    """The engine's refusals as the store's errors: a 400 on a query is a syntax error, with
    its line and column when the engine says them as Oxigraph does."""
    try:
        yield
    except EngineTimeout as error:
        raise QueryTimeout(f"the SPARQL engine did not answer in time: {error}") from None
    except EngineError as error:
        said = str(error)
        if error.status == 400:
            message = said.split(": 400 Bad Request: ", 1)[-1]
            located = located_syntax_error(SyntaxError(message))
            virtuoso = _VIRTUOSO_LINE.search(message)  # "SPARQL compiler, line 2: ..."
            if located.line is None and virtuoso is not None:
                located = QuerySyntaxError(message, int(virtuoso.group(1)))
            raise located from None
        raise StoreError(said) from None


def _form(sparql: str) -> QueryKind:
    found = _FORM.search(_COMMENT.sub("", _IRI_OR_STRING.sub("<>", sparql)))
    if found is None:
        raise StoreError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    word = found.group(1).upper()
    return "CONSTRUCT" if word == "DESCRIBE" else word  # type: ignore[return-value]


def _bound(sparql: str, bindings: Mapping[str, Node] | None) -> str:
    """The query with its bindings as a trailing VALUES clause (SPARQL allows one after the
    solution modifiers): terms, never text pasted into the query."""
    if not bindings:
        return sparql
    names = " ".join(Variable(name).n3() for name in bindings)
    values = " ".join(term.n3() for term in bindings.values())
    return f"{sparql}\nVALUES ({names}) {{ ({values}) }}"


def _block(triples: Iterable[Triple]) -> str:
    return " ".join(" ".join(_term(t) for t in triple) + " ." for triple in triples)


def _ntriples(triples: Iterable[Triple]) -> bytes:
    return "".join(" ".join(_term(t) for t in triple) + " .\n" for triple in triples).encode()


def _term(term: Node) -> str:
    if isinstance(term, BNode):
        raise StoreError("blank nodes are skolemised before they reach the sparql backend")
    return term.n3()


class _Reader(RdflibStore):
    """Read access to the engine for rdflib's update evaluator, one pattern at a time."""

    context_aware = True
    graph_aware = True

    def __init__(self, client: SparqlClient, provenance: URIRef | None, hidden: set) -> None:
        super().__init__()
        self._client, self._provenance, self._hidden = client, provenance, hidden

    def triples(self, pattern: tuple, context: Graph | None = None) -> Iterator[tuple]:
        terms = [t.n3() if t is not None else f"?{v}" for t, v in zip(pattern, "spo", strict=True)]
        wanted = " ".join(f"?{v}" for t, v in zip(pattern, "spo", strict=True) if t is None)
        if context is not None and context.identifier != DATASET_DEFAULT_GRAPH_ID:
            where = f"GRAPH {context.identifier.n3()} {{ {' '.join(terms)} }}"
            select = f"SELECT {wanted or '*'} WHERE {{ {where} }}"
        else:
            select = f"SELECT {wanted} ?g WHERE {{ GRAPH ?g {{ {' '.join(terms)} }} }}"
        names, rows = self._client.select(select)
        for row in rows:
            found = dict(zip(names, row, strict=True))
            triple = tuple(
                found.get(v, t) if t is None else t for t, v in zip(pattern, "spo", strict=True)
            )
            name = found.get("g", context.identifier if context is not None else None)
            if name is not None and name != self._provenance and name in self._hidden:
                continue  # the engine's own graphs are not the service's data
            if name is not None and name == self._provenance:  # the default graph, as stored
                name = DATASET_DEFAULT_GRAPH_ID
            yield triple, iter([Graph(store=self, identifier=name)])

    def contexts(self, triple: Triple | None = None) -> Iterator[Graph]:
        _, rows = self._client.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for (name,) in rows:
            if name not in self._hidden:
                yield Graph(store=self, identifier=name)
