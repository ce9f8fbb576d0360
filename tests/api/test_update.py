"""SPARQL Update at /sparql/update and Graph Store writes at /store, over a real socket."""

import http.server
import socket
import threading
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

from graph.settings import Settings
from tests.api.conftest import problem, running
from tests.conftest import PREFIXES, paper

TOKEN = "update-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/"
TITLE = URIRef("http://purl.org/dc/terms/title")
ISSUED = URIRef("http://purl.org/dc/terms/issued")
NEW_PAPER = (
    "PREFIX fabio: <http://purl.org/spar/fabio/> PREFIX dcterms: <http://purl.org/dc/terms/> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
    'INSERT DATA { <http://example.org/u> a fabio:JournalArticle ; dcterms:title "U" ; '
    'dcterms:issued "2021"^^xsd:gYear }'
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("update") / "data"
    with running(Settings(data_dir=data_dir, write_token=TOKEN)) as (url, _):
        yield url


def dataset(url: str) -> bytes:
    """Every stored quad, in a stable order."""
    return b"\n".join(sorted(httpx.get(f"{url}/store?format=nquads").content.splitlines()))


def post_update(url: str, update: str, **params: str) -> httpx.Response:
    return httpx.post(
        f"{url}/sparql/update",
        content=update,
        params=params,
        headers={**AUTH, "content-type": "application/sparql-update"},
    )


def test_an_update_needs_the_bearer_token(served: str) -> None:
    missing = problem(httpx.post(f"{served}/sparql/update", data={"update": NEW_PAPER}), 401)
    assert "Bearer" in missing["detail"]
    wrong = httpx.post(
        f"{served}/sparql/update",
        data={"update": NEW_PAPER},
        headers={"authorization": "Bearer not-it"},
    )
    problem(wrong, 401)
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_rdflib_sparql_update_store_writes_and_reads(served: str) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=f"{served}/sparql",
        update_endpoint=f"{served}/sparql/update",
        headers=dict(AUTH),
    )
    name = URIRef(f"{EX}graph/rdflib")
    graph = Graph(store=store, identifier=name)
    paper_r = URIRef(f"{EX}r")
    graph.addN(
        [
            (paper_r, RDF.type, URIRef("http://purl.org/spar/fabio/JournalArticle"), graph),
            (paper_r, TITLE, Literal("R"), graph),
            (paper_r, ISSUED, Literal("2019", datatype=XSD.gYear), graph),
        ]
    )
    reader = Graph(store=SPARQLStore(f"{served}/sparql"), identifier=name)
    assert reader.value(paper_r, TITLE) == Literal("R")
    with pytest.raises(urllib.error.HTTPError) as refused:
        graph.remove((paper_r, TITLE, None))  # a paper needs its title
    assert refused.value.code == 422
    refused.value.close()
    assert reader.value(paper_r, TITLE) == Literal("R")


def test_an_update_is_applied_and_its_provenance_recorded(served: str) -> None:
    response = httpx.post(f"{served}/sparql/update", data={"update": NEW_PAPER}, headers=AUTH)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["inserted"], result["deleted"], len(result["created"])) == (3, 0, 1)
    rows = httpx.get(
        f"{served}/sparql",
        params={"query": f"SELECT ?t WHERE {{ <{EX}u> <{TITLE}> ?t }}", "format": "csv"},
    )
    assert rows.text.split() == ["t", "U"]
    provenance = Graph().parse(
        data=httpx.get(f"{served}/store", params={"default": ""}).content, format="turtle"
    )
    graph = URIRef(result["created"][0])
    assert provenance.value(graph, URIRef("http://rdfs.org/ns/void#triples")) == Literal(3)


def test_an_update_that_violates_the_shapes_is_422_and_changes_nothing(served: str) -> None:
    before = dataset(served)
    body = problem(
        post_update(
            served,
            "PREFIX fabio: <http://purl.org/spar/fabio/> "
            "INSERT DATA { <http://example.org/bad> a fabio:JournalArticle }",
        ),
        422,
    )
    assert {v["focus_node"] for v in body["violations"]} == {f"{EX}bad"}
    assert {"path", "value", "message", "severity"} <= set(body["violations"][0])
    report = Graph().parse(data=body["shacl_report"], format="turtle")
    assert len(report) > 0
    assert dataset(served) == before


def test_using_graph_uri_limits_what_the_where_sees(served: str) -> None:
    rows = httpx.get(
        f"{served}/sparql",
        params={
            "query": f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{TITLE}> ?t }} }} ORDER BY ?g",
            "format": "csv",
        },
    )
    first = rows.text.split()[1]

    def tag(target: str, **params: str) -> int:
        update = (
            f'INSERT {{ GRAPH <{target}> {{ ?s <{EX}tagged> "x" }} }} WHERE {{ ?s <{TITLE}> ?t }}'
        )
        response = httpx.post(
            f"{served}/sparql/update", data={"update": update, **params}, headers=AUTH
        )
        assert response.status_code == 200, response.text
        return response.json()["inserted"]

    everywhere = tag(f"{EX}tags/all")
    in_first = tag(f"{EX}tags/first", **{"using-graph-uri": first})
    assert 0 < in_first < everywhere
    assert tag(f"{EX}tags/none", **{"using-named-graph-uri": first}) == 0  # empty default graph
    clash = f"INSERT {{ ?s ?p ?o }} USING <{first}> WHERE {{ ?s ?p ?o }}"
    assert (
        "USING" in problem(post_update(served, clash, **{"using-graph-uri": first}), 400)["detail"]
    )


def test_400_for_syntax_errors_with_line_and_column(served: str) -> None:
    body = problem(post_update(served, "INSERT DATA {\n  <http://a> <http://b> }"), 400)
    assert body["line"] == 2 and body["column"] >= 20


def test_400_for_a_query_or_two_updates_415_for_other_media(served: str) -> None:
    problem(httpx.post(f"{served}/sparql/update", data={"query": "ASK {}"}, headers=AUTH), 400)
    problem(
        httpx.post(
            f"{served}/sparql/update",
            content=urlencode([("update", NEW_PAPER), ("update", NEW_PAPER)]),
            headers={**AUTH, "content-type": "application/x-www-form-urlencoded"},
        ),
        400,
    )
    problem(
        httpx.post(
            f"{served}/sparql/update",
            content=NEW_PAPER,
            headers={**AUTH, "content-type": "text/plain"},
        ),
        415,
    )
    problem(httpx.get(f"{served}/sparql/update"), 405)


@pytest.mark.parametrize(
    "template", ["LOAD <{url}>", "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"]
)
def test_load_and_service_are_refused_and_the_listener_sees_nothing(
    served: str, template: str
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.0)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/data.ttl"
    try:
        body = problem(post_update(served, template.format(url=url)), 403)
        assert body["endpoints"] == [url]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_an_allowed_load_fetches_and_validates(tmp_path: Path) -> None:
    (tmp_path / "good.ttl").write_text(PREFIXES + paper("loaded", "Loaded"))
    (tmp_path / "bad.ttl").write_text(PREFIXES + "<http://example.org/x> a fabio:JournalArticle .")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    prefix = f"http://127.0.0.1:{files.server_address[1]}/"
    settings = Settings(data_dir=tmp_path / "data", write_token=TOKEN, service_allowlist=[prefix])
    try:
        with running(settings) as (url, _):
            before = dataset(url)
            problem(post_update(url, f"LOAD <{prefix}bad.ttl>"), 422)
            assert dataset(url) == before
            loaded = post_update(url, f"LOAD <{prefix}good.ttl> INTO GRAPH <{EX}loaded>")
            assert loaded.status_code == 200, loaded.text
            assert loaded.json()["created"] == [f"{EX}loaded"]
    finally:
        files.shutdown()
        files.server_close()


def test_graph_store_put_post_and_their_status_codes(served: str) -> None:
    turtle = {**AUTH, "content-type": "text/turtle"}
    name = f"{EX}graph/gsp"
    put = httpx.put(
        f"{served}/store",
        params={"graph": name},
        content=PREFIXES + paper("g1", "G1"),
        headers=turtle,
    )
    assert put.status_code == 201, put.text
    assert put.headers["location"].endswith("/store?graph=http%3A%2F%2Fexample.org%2Fgraph%2Fgsp")
    again = httpx.put(
        f"{served}/store",
        params={"graph": name},
        content=PREFIXES + paper("g2", "G2"),
        headers=turtle,
    )
    assert again.status_code == 204
    added = httpx.post(
        f"{served}/store",
        params={"graph": name},
        content=PREFIXES + paper("g3", "G3"),
        headers=turtle,
    )
    assert added.status_code == 204
    stored = Graph().parse(
        data=httpx.get(f"{served}/store", params={"graph": name}).content, format="turtle"
    )
    assert {str(o) for o in stored.objects(None, TITLE)} == {"G2", "G3"}
    new = httpx.post(f"{served}/store", content=PREFIXES + paper("g4", "G4"), headers=turtle)
    assert new.status_code == 201 and new.json()["triples"] == 3
    assert "graph=" in new.headers["location"]


def test_graph_store_writes_refuse_bad_input_and_change_nothing(served: str) -> None:
    turtle = {**AUTH, "content-type": "text/turtle"}
    before = dataset(served)
    bad = PREFIXES + "<http://example.org/y> a fabio:JournalArticle ."
    body = problem(
        httpx.put(f"{served}/store", params={"graph": f"{EX}g"}, content=bad, headers=turtle), 422
    )
    assert body["violations"]
    problem(
        httpx.put(f"{served}/store", params={"graph": f"{EX}g"}, content="<a> <b", headers=turtle),
        400,
    )
    problem(httpx.put(f"{served}/store", params={"default": ""}, content=bad, headers=turtle), 403)
    problem(
        httpx.put(f"{served}/store", params={"graph": "not an iri"}, content=bad, headers=turtle),
        400,
    )
    problem(
        httpx.put(
            f"{served}/store",
            params={"graph": f"{EX}g"},
            content=bad,
            headers={**AUTH, "content-type": "text/plain"},
        ),
        415,
    )
    problem(httpx.put(f"{served}/store", params={"graph": f"{EX}g"}, content=bad), 401)
    assert dataset(served) == before
