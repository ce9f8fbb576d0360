"""The SPARQL 1.1 Protocol query operation, over a real socket, with real SPARQL clients."""

import csv
import io
import re
import socket

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from graph.memory_store import MemoryStore
from graph.settings import Settings
from graph.validation import vocabulary_graph
from tests.api.conftest import problem, running

EV = "https://w3id.org/evidence-graph/ns#"
BASE = "http://127.0.0.1:8000/id/"
SUPPORT = f"""
PREFIX ev: <{EV}>
SELECT ?evidence WHERE {{ ?evidence ev:supports ?h . ?h a ev:Hypothesis }} ORDER BY ?evidence
"""
SUPPORTERS = [
    f"{BASE}claim/badwe-growth-advantage",
    f"{BASE}claim/fisher-growth-factor",
    f"{BASE}finding/badwe2013-distant-pfs",
]
ESTIMATES = f"""
PREFIX ev: <{EV}>
CONSTRUCT {{ ?e ev:pointEstimate ?v }} WHERE {{ <{BASE}finding/khan2022-os> ev:estimate ?e .
  ?e ev:pointEstimate ?v }}
"""


def client(service: str, fmt: str, query: str) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(f"{service}/sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    return wrapper


def test_sparqlwrapper_select_as_json_xml_and_csv(service: str) -> None:
    as_json = client(service, JSON, SUPPORT).query().convert()
    assert [b["evidence"]["value"] for b in as_json["results"]["bindings"]] == SUPPORTERS
    as_xml = client(service, XML, SUPPORT).query().convert()
    uris = [node.firstChild.data for node in as_xml.getElementsByTagName("uri")]
    assert uris == SUPPORTERS
    as_csv = client(service, CSV, SUPPORT).query().convert().decode()
    assert [row["evidence"] for row in csv.DictReader(io.StringIO(as_csv))] == SUPPORTERS


def test_sparqlwrapper_ask_and_construct(service: str) -> None:
    ask = client(service, JSON, f"ASK {{ ?h a <{EV}Hypothesis> }}").query().convert()
    assert ask["boolean"] is True
    turtle = client(service, TURTLE, ESTIMATES).query().convert()
    graph = Graph().parse(data=turtle, format="turtle")
    values = sorted(float(v) for v in graph.objects(None, URIRef(EV + "pointEstimate")))
    assert values == [1.11, 67.9, 68.4]


def test_rdflib_sparqlstore_reads(service: str) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=f"{service}/sparql"))
    rows = list(graph.query(SUPPORT))
    assert [str(row.evidence) for row in rows] == SUPPORTERS
    [(level,)] = graph.query(
        f"SELECT ?l WHERE {{ <{BASE}finding/khan2022-os> <{EV}estimate>/<{EV}ciLevel> ?l }}"
    )
    assert level.eq(Literal("0.90", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))


def test_post_form_and_post_query_answer_like_get(service: str) -> None:
    by_get = httpx.get(f"{service}/sparql", params={"query": SUPPORT})
    by_form = httpx.post(f"{service}/sparql", data={"query": SUPPORT})
    by_body = httpx.post(
        f"{service}/sparql",
        content=SUPPORT,
        headers={"content-type": "application/sparql-query"},
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert response.headers["vary"] == "Accept"
        assert response.json() == by_get.json()


def test_default_and_named_graph_uris_choose_the_dataset(service: str) -> None:
    graphs = httpx.get(
        f"{service}/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}
    )
    all_graphs = [b["g"]["value"] for b in graphs.json()["results"]["bindings"]]
    assert len(all_graphs) == 2
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/spar/fabio/JournalArticle> }"
    per_graph = [
        int(
            httpx.get(f"{service}/sparql", params={"query": count, "default-graph-uri": g}).json()[
                "results"
            ]["bindings"][0]["n"]["value"]
        )
        for g in all_graphs
    ]
    assert sorted(per_graph) == [0, 5]  # the vocabulary graph has no papers; the examples five
    named = httpx.get(
        f"{service}/sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": all_graphs[0],
        },
    )
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [all_graphs[0]]


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv;q=0.5, text/tab-separated-values;q=0.9", None, "text/tab-separated-values"),
        ("text/*", None, "text/csv"),
        ("*/*", None, "application/sparql-results+json"),
        ("text/html", "csv", "text/csv"),
    ],
)
def test_negotiation_follows_q_values_and_the_format_override(
    service: str, accept: str, fmt: str | None, expected: str
) -> None:
    params = {"query": SUPPORT, **({"format": fmt} if fmt else {})}
    response = httpx.get(f"{service}/sparql", params=params, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


def test_rdf_is_never_labelled_with_a_results_type(service: str) -> None:
    turtle = httpx.get(f"{service}/sparql", params={"query": ESTIMATES}, headers={"accept": "*/*"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    refused = httpx.get(
        f"{service}/sparql",
        params={"query": ESTIMATES},
        headers={"accept": "application/sparql-results+json"},
    )
    assert refused.status_code == 406


def test_400_for_a_syntax_error_with_line_and_column(service: str) -> None:
    body = problem(
        httpx.get(f"{service}/sparql", params={"query": "SELECT ?x\nWHERE { ?x ?y }"}), 400
    )
    assert body["line"] == 2 and body["column"] > 0


def test_400_for_both_or_neither_query_and_update(service: str) -> None:
    problem(httpx.post(f"{service}/sparql", data={"default-graph-uri": BASE}), 400)
    problem(httpx.post(f"{service}/sparql", data={"query": SUPPORT, "update": "CLEAR ALL"}), 400)
    problem(httpx.get(f"{service}/sparql", params=[("query", SUPPORT), ("query", SUPPORT)]), 400)


def test_404_405_406_415_are_problems(service: str) -> None:
    problem(httpx.get(f"{service}/nowhere"), 404)
    problem(httpx.put(f"{service}/sparql", content=SUPPORT), 405)
    offered = problem(
        httpx.get(f"{service}/sparql", params={"query": SUPPORT}, headers={"accept": "image/png"}),
        406,
    )
    assert "application/sparql-results+json" in offered["offered"]
    assert (
        "application/sparql-query"
        in problem(
            httpx.post(
                f"{service}/sparql", content=SUPPORT, headers={"content-type": "text/plain"}
            ),
            415,
        )["accepted"]
    )


def test_service_to_a_listener_is_refused_and_the_listener_sees_nothing(service: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.0)
    endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    try:
        query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        body = problem(httpx.get(f"{service}/sparql", params={"query": query}), 403)
        assert body["endpoints"] == [endpoint]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_from_a_graph_elsewhere_is_refused_and_the_listener_sees_nothing(service: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.0)
    remote = f"http://127.0.0.1:{listener.getsockname()[1]}/data.ttl"
    try:
        for params in (
            {"query": f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}"},
            {"query": f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
            {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": remote},
        ):
            body = problem(httpx.get(f"{service}/sparql", params=params), 403)
            assert body["graphs"] == [remote]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_413_for_a_body_or_query_string_over_the_limit(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        load_examples=False,
        max_body_bytes=1000,
        max_query_string_bytes=500,
    )
    with running(settings) as (url, _):
        long_query = "SELECT * WHERE { ?s ?p ?o } " + "#" * 2000
        problem(httpx.post(f"{url}/sparql", data={"query": long_query}), 413)
        problem(httpx.get(f"{url}/sparql", params={"query": long_query}), 413)

        def chunks():  # no Content-Length: counted as it arrives
            yield b"query=SELECT"
            yield b"+" * 2000

        problem(
            httpx.post(
                f"{url}/sparql",
                content=chunks(),
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
            413,
        )
        assert httpx.get(f"{url}/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_an_answer_over_the_size_cap_is_refused_whole(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_result_bytes=20_000)
    with running(settings) as (url, _):
        everything = "SELECT * WHERE { ?s ?p ?o }"
        body = problem(httpx.get(f"{url}/sparql", params={"query": everything}), 422)
        assert "20,000 bytes" in body["detail"] and "LIMIT" in body["detail"]
        small = httpx.get(f"{url}/sparql", params={"query": everything + " LIMIT 10"})
        assert len(small.json()["results"]["bindings"]) == 10


def test_a_bug_is_a_500_with_a_request_id_that_is_logged_not_echoed(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(MemoryStore):
        def named_graphs(self) -> list:
            raise RuntimeError("internal detail that must not leak")

    settings = Settings(data_dir=tmp_path / "data", store="memory", load_examples=False)
    with running(settings, Broken()) as (url, _):
        body = problem(httpx.get(f"{url}/health"), 500)
    assert "internal detail" not in str(body)
    logged = [r for r in caplog.records if body["request_id"] in r.getMessage()]
    assert logged and "internal detail that must not leak" in (logged[0].exc_text or "")


def test_cors_is_off_by_default_and_never_with_credentials(service: str, tmp_path) -> None:
    preflight = {"origin": "https://app.example", "access-control-request-method": "POST"}
    plain = httpx.options(f"{service}/sparql", headers=preflight)
    assert "access-control-allow-origin" not in plain.headers
    settings = Settings(data_dir=tmp_path / "data", load_examples=False, cors_origins=["*"])
    with running(settings) as (url, _):
        allowed = httpx.options(f"{url}/sparql", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in allowed.headers


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_get_without_a_query_describes_the_service(
    service: str, accept: str, rdflib_format: str
) -> None:
    response = httpx.get(f"{service}/sparql", headers={"accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=rdflib_format)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(f"{service}/sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in graph
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph
    updates = URIRef(f"{service}/sparql/update")
    assert (updates, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) in graph
    formats = set(graph.objects(endpoint, URIRef(sd + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert len(formats) == 8
    void_triples = URIRef("http://rdfs.org/ns/void#triples")
    sizes = sorted(int(n) for n in graph.objects(None, void_triples))
    dataset = Dataset()
    dataset.parse(data=httpx.get(f"{service}/store").content, format="trig")
    named = [g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)]
    union = {t for g in dataset.graphs() for t in g}  # the named graphs and their provenance
    assert sizes == sorted([*(len(g) for g in named), len(union)])
    assert len(vocabulary_graph()) in sizes
    sources = {str(s) for s in graph.objects(None, URIRef("http://purl.org/dc/terms/source"))}
    assert "studies.ttl" in sources


def test_a_browser_gets_a_query_page_that_needs_no_network(service: str) -> None:
    page = httpx.get(f"{service}/sparql", headers={"accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="get"' in page.text and "<textarea" in page.text
    assert "http" not in page.text.split("<body>")[0].replace(f"{service}", "")  # no remote assets
    example = re.search(r'<a href="([^"]+)">', page.text).group(1).replace("&amp;", "&")
    answer = httpx.get(example)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
