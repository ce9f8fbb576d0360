"""A small client of the SPARQL 1.1 Query, Update and Graph Store protocols, on httpx.

Written for the ``sparql`` store backend instead of rdflib's ``SPARQLUpdateStore``, which has
no HTTP timeout, picks its ``Accept`` order at random per process, knows Basic auth only and
returns some errors as values. Here every call has connect and read timeouts, says exactly
what it accepts for its query form, authenticates with Basic, Digest or a bearer token, and
turns a partial or cut answer into an error, never into a short result:

- Virtuoso answers a query stopped by its own timeout with a 200 and a partial result, flagged
  only by its ``X-SQL-State`` header;
- a body shorter than its ``Content-Length``, or one that does not parse, was cut.

What each engine can do differs (a writable default graph, ``HEAD``, how many triples one
``INSERT DATA`` may carry...): ``Profile`` declares it, and the backend adapts to the flags
rather than to the engine's name. An unknown engine gets the conservative ``generic`` profile.

Errors::

    EngineError         the engine refused or failed (status, and the start of its answer)
    ├── EngineTimeout   no answer within the timeout
    └── PartialAnswer   the answer is partial or cut; it is never passed on
"""

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import httpx
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

from graph.terms import from_ox

__all__ = [
    "PROFILES",
    "VIRTUOSO_SYSTEM_GRAPHS",
    "EngineError",
    "EngineTimeout",
    "PartialAnswer",
    "Profile",
    "SparqlClient",
    "auth_for",
]

Auth = Literal["none", "basic", "digest", "bearer"]
_SELECT = "application/sparql-results+json"
_GRAPH = "application/n-triples"
_DATASET = ("default-graph-uri", "named-graph-uri")


@dataclass(frozen=True)
class Profile:
    """What an engine supports, as the backend needs to know it."""

    name: str
    default_graph_writes: bool  # triples can be written to the default graph
    union_default_graph: bool  # the default graph of a query is the union of the graphs
    head: bool  # HEAD on the Graph Store works
    max_triples_per_update: int | None  # the most triples one INSERT DATA may carry
    gsp_default: bool  # the Graph Store's ``?default`` works
    blank_nodes_in_updates: bool  # INSERT DATA may carry blank nodes
    union_parameter: str | None = None  # the query parameter that reads the union of graphs
    system_graphs: tuple[str, ...] = ()  # the engine's own graphs, never listed or dropped


#: Virtuoso's own graphs, in a fresh database: never listed, counted, exported or dropped.
#: They stay in its union default graph: its ``define input:default-graph-exclude`` pragma
#: also empties every ``GRAPH <g>`` pattern (7.2.5).
VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
PROFILES: dict[str, Profile] = {
    "oxigraph": Profile("oxigraph", True, False, True, None, True, True, "union-default-graph"),
    "virtuoso": Profile(
        "virtuoso",
        False,
        True,
        False,
        1400,
        False,
        False,
        system_graphs=VIRTUOSO_SYSTEM_GRAPHS,
    ),
    "generic": Profile("generic", False, False, False, 1000, False, False),
}


class EngineError(Exception):
    """The engine refused the request or failed; carries its status and what it said."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EngineTimeout(EngineError):
    """The engine did not answer in time."""


class PartialAnswer(EngineError):
    """The engine's answer is partial or was cut; it is not passed on as complete."""


def auth_for(kind: Auth, user: str | None, password: str | None) -> httpx.Auth | None:
    """The httpx authentication for ``EVIDENCE_GRAPH_SPARQL_AUTH`` and its credentials (for
    ``bearer``, the token is the password)."""
    if kind == "none":
        return None
    if kind == "bearer":
        if not password:
            raise ValueError("bearer authentication needs the token as the password")
        return _Bearer(password)
    if not user or password is None:
        raise ValueError(f"{kind} authentication needs a user and a password")
    return httpx.BasicAuth(user, password) if kind == "basic" else httpx.DigestAuth(user, password)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = self._header
        yield request


class SparqlClient:
    """One engine's query, update and Graph Store endpoints."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        profile: Profile = PROFILES["generic"],
        auth: httpx.Auth | None = None,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 60.0,
    ) -> None:
        self.query_url, self.update_url, self.store_url = query_url, update_url, store_url
        self.profile = profile
        timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._http = httpx.Client(auth=auth, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def select(
        self, sparql: str, params: Mapping[str, str | list[str]] | None = None
    ) -> tuple[list[str], list[tuple[Node | None, ...]]]:
        """The variables and rows of a SELECT query, as rdflib terms; ``params`` are protocol
        parameters (``default-graph-uri``, an engine's union switch)."""
        body = self._query(sparql, _SELECT, params)
        try:
            result = Result.parse(io.BytesIO(body), format="json")
        except (ValueError, KeyError, json.JSONDecodeError) as error:
            raise PartialAnswer(
                f"the SELECT answer does not parse, so it was cut: {error}"
            ) from None
        names = [str(v) for v in result.vars or []]
        rows = [tuple(row.get(v) for v in result.vars or []) for row in result.bindings]  # type: ignore[union-attr]
        return names, rows

    def ask(self, sparql: str, params: Mapping[str, str | list[str]] | None = None) -> bool:
        body = self._query(sparql, _SELECT, params)
        try:
            return bool(json.loads(body)["boolean"])
        except (ValueError, KeyError) as error:
            raise PartialAnswer(f"the ASK answer does not parse: {error}") from None

    def construct(self, sparql: str, params: Mapping[str, str | list[str]] | None = None) -> Graph:
        """The triples a CONSTRUCT or DESCRIBE query answers."""
        return _triples(self._query(sparql, _GRAPH, params), "the CONSTRUCT answer")

    def raw(self, sparql: str, accept: str, params: Mapping[str, str | list[str]]) -> bytes:
        """A query's answer as the engine serialised it in ``accept`` (for the protocol
        endpoint, which passes it on), with protocol parameters such as
        ``default-graph-uri``."""
        # the dataset in the body (a URL has a length limit), an engine's own switches in the URL
        dataset = {k: v for k, v in params.items() if k in _DATASET}
        switches = {k: v for k, v in params.items() if k not in _DATASET}
        form = {"query": sparql, **dataset}
        return self._send("POST", self.query_url, data=form, params=switches, accept=accept).content

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (form-encoded, as every engine accepts)."""
        if self.update_url is None:
            raise EngineError("no update endpoint is configured")
        self._send("POST", self.update_url, data={"update": sparql}, accept="*/*")

    def graph_post(self, graph: URIRef, ntriples: bytes) -> None:
        """Add N-Triples to a named graph through the Graph Store protocol."""
        self._send(
            "POST",
            self._store(),
            params={"graph": str(graph)},
            content=ntriples,
            headers={"Content-Type": _GRAPH},
            accept="*/*",
        )

    def graph_get(self, graph: URIRef) -> Graph:
        """The triples of a named graph, through the Graph Store protocol."""
        response = self._send("GET", self._store(), params={"graph": str(graph)}, accept=_GRAPH)
        return _triples(response.content, f"graph {graph}")

    def graph_delete(self, graph: URIRef) -> bool:
        """Drop a named graph; False when the engine says there was none."""
        try:
            self._send("DELETE", self._store(), params={"graph": str(graph)}, accept="*/*")
        except EngineError as error:
            if error.status == 404:
                return False
            raise
        return True

    def _store(self) -> str:
        if self.store_url is None:
            raise EngineError("no Graph Store endpoint is configured")
        return self.store_url

    def _query(
        self, sparql: str, accept: str, params: Mapping[str, str | list[str]] | None
    ) -> bytes:
        return self.raw(sparql, accept, params or {})

    def _send(self, method: str, url: str, accept: str, **options) -> httpx.Response:
        headers = {"Accept": accept, **options.pop("headers", {})}
        try:
            response = self._http.request(method, url, headers=headers, **options)
        except httpx.TimeoutException as error:
            raise EngineTimeout(f"{method} {url}: no answer in time ({error})") from None
        except httpx.RemoteProtocolError as error:  # e.g. a body shorter than its length
            raise PartialAnswer(f"{method} {url}: the answer was cut ({error})") from None
        except httpx.HTTPError as error:
            raise EngineError(f"{method} {url}: {error}") from None
        if "x-sql-state" in response.headers:
            raise PartialAnswer(
                f"{method} {url}: the engine flags its answer as partial "
                f"(X-SQL-State {response.headers['x-sql-state']})"
            )
        if response.status_code >= 400:
            said = response.text[:500].strip()
            raise EngineError(
                f"{method} {url}: {response.status_code} {response.reason_phrase}: {said}",
                response.status_code,
            )
        return response


def _triples(body: bytes, what: str) -> Graph:
    graph = Graph()
    try:
        for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    except SyntaxError as error:
        raise PartialAnswer(f"{what} does not parse, so it was cut: {error}") from None
    return graph
