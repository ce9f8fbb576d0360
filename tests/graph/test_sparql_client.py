"""The SPARQL protocol client against a real ``oxigraph serve``: each query form with its own
Accept, updates, the Graph Store, timeouts, and errors that say what the engine said."""

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, URIRef

from graph.sparql_client import (
    PROFILES,
    EngineError,
    EngineTimeout,
    PartialAnswer,
    SparqlClient,
    auth_for,
)
from tests.engines import Engine, oxigraph_server

EX = "http://example.org/"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with oxigraph_server(tmp_path_factory.mktemp("engine")) as running:
        yield running


@pytest.fixture
def client(engine: Engine) -> Iterator[SparqlClient]:
    opened = SparqlClient(
        engine.query_url, engine.update_url, engine.store_url, PROFILES["oxigraph"]
    )
    yield opened
    opened.close()


def test_select_ask_and_construct_answer_in_rdflib_terms(client: SparqlClient) -> None:
    client.update(f'INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> "x"@en , 3 , <{EX}b> . }} }}')
    names, rows = client.select(
        f"SELECT ?o WHERE {{ GRAPH ?g {{ <{EX}a> <{EX}p> ?o }} }} ORDER BY STR(?o)"
    )
    assert names == ["o"]
    assert sorted(rows, key=str) == sorted(
        [(Literal(3),), (Literal("x", lang="en"),), (URIRef(f"{EX}b"),)], key=str
    )
    assert client.ask(f"ASK {{ GRAPH <{EX}g1> {{ <{EX}a> ?p ?o }} }}") is True
    graph = client.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }}")
    assert len(graph) == 3 and (URIRef(f"{EX}a"), URIRef(f"{EX}p"), URIRef(f"{EX}b")) in graph


def test_the_graph_store_adds_reads_and_drops_a_graph(client: SparqlClient) -> None:
    graph = URIRef(f"{EX}g2")
    client.graph_post(graph, f"<{EX}c> <{EX}p> <{EX}d> .\n".encode())
    client.graph_post(graph, f"<{EX}c> <{EX}p> <{EX}e> .\n".encode())
    assert len(client.graph_get(graph)) == 2
    assert client.graph_delete(graph) is True
    assert client.graph_delete(graph) is False
    assert not client.ask(f"ASK {{ GRAPH <{EX}g2> {{ ?s ?p ?o }} }}")


def test_a_bad_query_is_an_error_carrying_the_engines_words(client: SparqlClient) -> None:
    with pytest.raises(EngineError) as refused:
        client.select("SELECT WHERE {")
    assert refused.value.status == 400
    assert "400" in str(refused.value)


def test_an_engine_that_does_not_answer_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        client = SparqlClient(url, read_timeout_s=0.5)
        with pytest.raises(EngineTimeout):
            client.ask("ASK {}")
        client.close()


class _Cutting(BaseHTTPRequestHandler):
    """Answers the way an engine that gives up half way does."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/partial":  # Virtuoso: a 200 with X-SQL-State on a partial answer
            body = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
            self.send_response(200)
            self.send_header("X-SQL-State", "S1TAT")
        else:  # a body cut before its announced length
            body = b'{"head": {"vars": ["s"]}, "results": {"bindi'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 100))
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads the answers, not the server's log."""


@pytest.mark.parametrize("path", ["partial", "cut"])
def test_a_partial_or_cut_answer_is_an_error_not_a_short_result(path: str) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Cutting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = SparqlClient(f"http://127.0.0.1:{server.server_port}/{path}")
        with pytest.raises(PartialAnswer):
            client.select("SELECT ?s WHERE { ?s ?p ?o }")
        client.close()
    finally:
        server.shutdown()
        server.server_close()


def test_auth_is_basic_digest_or_bearer() -> None:
    assert auth_for("none", None, None) is None
    assert isinstance(auth_for("basic", "dba", "secret"), httpx.BasicAuth)
    assert isinstance(auth_for("digest", "dba", "secret"), httpx.DigestAuth)
    request = httpx.Request("GET", "http://127.0.0.1/")
    bearer = auth_for("bearer", None, "token-1")
    assert next(bearer.auth_flow(request)).headers["Authorization"] == "Bearer token-1"
    with pytest.raises(ValueError):
        auth_for("basic", None, "secret")


def test_profiles_declare_what_each_engine_supports() -> None:
    assert PROFILES["oxigraph"].default_graph_writes and PROFILES["oxigraph"].gsp_default
    virtuoso = PROFILES["virtuoso"]
    assert not virtuoso.default_graph_writes and virtuoso.union_default_graph
    assert virtuoso.max_triples_per_update == 1400 and not virtuoso.blank_nodes_in_updates
    generic = PROFILES["generic"]
    assert not (generic.default_graph_writes or generic.head or generic.gsp_default)
