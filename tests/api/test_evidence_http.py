"""Hypotheses and evidence maps over a real socket: /hypotheses, /hypotheses/{id}/evidence and
/evidence-map, in JSON, Turtle, JSON-LD and HTML, with their problems."""

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from graph.settings import Settings
from tests.api.conftest import problem, running

BASE = "http://127.0.0.1:8000/id/"
EV = Namespace("https://w3id.org/evidence-graph/ns#")
HYPOTHESIS_ID = "primary-removal-accelerates-metastases"
HYPOTHESIS = f"{BASE}hypothesis/{HYPOTHESIS_ID}"
CLAIM = f"{BASE}claim/badwe-no-os-benefit"
SUPPORTERS = {
    f"{BASE}claim/fisher-growth-factor",
    f"{BASE}claim/badwe-growth-advantage",
    f"{BASE}finding/badwe2013-distant-pfs",
}
TOKEN = "evidence-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def evidence_url(service: str) -> str:
    return f"{service}/hypotheses/{HYPOTHESIS_ID}/evidence"


def nodes_by_iri(found: dict) -> dict[str, dict]:
    return {node["iri"]: node for node in found["evidence"]}


def supports_triples(graph: Graph) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, o in graph.subject_objects(EV.supports)}


def test_hypotheses_lists_the_hypothesis_with_counts_and_a_working_link(service: str) -> None:
    response = httpx.get(f"{service}/hypotheses")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    [hypothesis] = response.json()
    assert hypothesis["iri"] == HYPOTHESIS
    assert hypothesis["label"] == "Removal of the primary tumour accelerates distant metastases"
    assert hypothesis["statement"].startswith("Surgical removal of the primary tumour")
    assert (hypothesis["supporting"], hypothesis["challenging"]) == (3, 0)
    assert hypothesis["evidence"] == evidence_url(service)

    followed = httpx.get(hypothesis["evidence"])
    assert followed.status_code == 200
    assert followed.json()["target"]["iri"] == HYPOTHESIS


def test_the_hypothesis_map_in_json_has_stances_depths_and_link_provenance(
    service: str,
) -> None:
    response = httpx.get(evidence_url(service))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept"
    found = response.json()
    assert found["target"]["kind"] == "hypothesis"
    assert found["target"]["attributed_to"] == ["Bernard Fisher"]
    assert found["summary"] == {"supporting": 3, "challenging": 0, "mixed": 0, "direct": 3}
    evidence = nodes_by_iri(found)
    assert set(evidence) == SUPPORTERS
    assert {(n["stance"], n["depth"]) for n in evidence.values()} == {("supports", 1)}
    fisher = evidence[f"{BASE}claim/fisher-growth-factor"]
    assert fisher["kind"] == "claim"
    assert fisher["chains"] == {"supports": [fisher["iri"], HYPOTHESIS]}
    assert fisher["study"]["evidence_type"] == "animal in vivo"
    assert fisher["source"]["iri"] == f"{BASE}publication/fisher1989"
    finding = evidence[f"{BASE}finding/badwe2013-distant-pfs"]
    assert finding["kind"] == "finding"
    assert finding["study"]["evidence_type"] == "human RCT"
    assert {e["point"] for e in finding["estimates"]} == {1.42}

    # Every link on the map: four (the finding also supports Badwe's claim), with provenance.
    links = {(ln["source"], ln["relation"], ln["target"]): ln for ln in found["links"]}
    assert set(links) == {(s, "supports", HYPOTHESIS) for s in SUPPORTERS} | {
        (f"{BASE}finding/badwe2013-distant-pfs", "supports", f"{BASE}claim/badwe-growth-advantage")
    }
    for link in links.values():
        assert link["graph"].startswith(f"{BASE}graph/")
        assert link["asserted_by"] == "evidence-graph"  # the examples' import agent
        assert datetime.fromisoformat(link["asserted_at"]).tzinfo is not None
        assert "claims.ttl" in link["sources"]
    assert found["cycles"] == []


def test_each_estimate_is_listed_once(service: str) -> None:
    # The reference arm has an rdfs:label and a skos:prefLabel: one estimate, not one per label.
    finding = next(
        n
        for n in httpx.get(evidence_url(service)).json()["evidence"]
        if n["iri"] == f"{BASE}finding/badwe2013-distant-pfs"
    )
    assert [e["iri"] for e in finding["estimates"]] == [f"{BASE}estimate/badwe2013-distant-pfs-hr"]


def test_a_claim_map_by_node_has_the_challenger_and_the_supporters(service: str) -> None:
    response = httpx.get(f"{service}/evidence-map", params={"node": CLAIM})
    assert response.status_code == 200
    found = response.json()
    assert found["target"]["kind"] == "claim"
    assert found["summary"] == {"supporting": 3, "challenging": 1, "mixed": 0, "direct": 4}
    stances = {n["iri"]: (n["stance"], n["depth"]) for n in found["evidence"]}
    assert stances == {
        f"{BASE}finding/soran2018-os": ("challenges", 1),
        f"{BASE}finding/badwe2015-os": ("supports", 1),
        f"{BASE}finding/khan2022-os": ("supports", 1),
        f"{BASE}claim/osborne-practice-changing": ("supports", 1),
    }
    soran = next(n for n in found["evidence"] if n["stance"] == "challenges")
    assert soran["chains"] == {"challenges": [soran["iri"], CLAIM]}
    khan = nodes_by_iri(found)[f"{BASE}finding/khan2022-os"]
    [khan_hr] = [e for e in khan["estimates"] if e["measure"] == "HazardRatio"]
    assert (khan_hr["point"], khan_hr["ci_lower"], khan_hr["ci_upper"]) == (1.11, 0.82, 1.52)
    assert khan_hr["ci_level"] == 0.9

    # The same map by the IRI relative to the base
    relative = httpx.get(f"{service}/evidence-map", params={"node": "claim/badwe-no-os-benefit"})
    assert relative.status_code == 200
    assert relative.json()["evidence"] == found["evidence"]


@pytest.mark.parametrize(
    ("accept", "syntax"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_the_map_as_rdf_parses_and_holds_the_links(service: str, accept: str, syntax: str) -> None:
    response = httpx.get(evidence_url(service), headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert response.headers["vary"] == "Accept"
    graph = Graph().parse(data=response.content, format=syntax)
    assert supports_triples(graph) == {(s, HYPOTHESIS) for s in SUPPORTERS} | {
        (f"{BASE}finding/badwe2013-distant-pfs", f"{BASE}claim/badwe-growth-advantage")
    }
    assert (URIRef(HYPOTHESIS), RDF.type, EV.Hypothesis) in graph
    assert (URIRef(HYPOTHESIS), EV.statement, None) in graph
    # the estimate, and the provenance of the graph that holds the links
    assert (URIRef(f"{BASE}estimate/badwe2013-distant-pfs-hr"), EV.pointEstimate, None) in graph
    assert any(str(s).startswith(f"{BASE}graph/") for s in graph.subjects(None, EV.Import))


def test_the_map_as_html_for_a_browser(service: str) -> None:
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = httpx.get(evidence_url(service), headers={"accept": browser_accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    page = response.text
    title = "Removal of the primary tumour accelerates distant metastases"
    assert f"<title>Evidence map: {title}</title>" in page
    assert "3 supporting, 0 challenging, 0 mixed; 3 linked directly." in page
    assert page.count("<tr data-iri=") == 3
    assert '<table id="challenges">' not in page
    for name, fmt in (("JSON", "json"), ("Turtle", "turtle"), ("JSON-LD", "json-ld")):
        assert f'<a href="{evidence_url(service)}?format={fmt}">{name}</a>' in page


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("json", "application/json"),
        ("json-ld", "application/ld+json"),
        ("turtle", "text/turtle; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
    ],
)
def test_format_overrides_accept(service: str, fmt: str, media_type: str) -> None:
    response = httpx.get(
        f"{service}/evidence-map",
        params={"node": HYPOTHESIS, "format": fmt},
        headers={"accept": "image/png"},  # would be a 406 without format=
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type


@pytest.mark.parametrize(
    "path",
    [
        "/hypotheses/no-such-hypothesis/evidence",
        "/evidence-map?node=unknown",
        "/evidence-map?node=http://example.org/unknown",
        # a study is in the graph, but has no map: Turtle says so too, not only JSON
        f"/evidence-map?node={BASE}study/badwe-tmh-trial&format=turtle",
        f"/evidence-map?node={BASE}study/badwe-tmh-trial",
        # not IRIs at all: a problem, not an error of the server
        "/hypotheses/two%20words/evidence",
        "/evidence-map?node=http://example.org/a%20b%3E",
    ],
)
def test_an_unknown_node_is_a_404_problem(service: str, path: str) -> None:
    found = problem(httpx.get(f"{service}{path}"), 404)
    assert found["title"] == "Not Found"
    assert "not a hypothesis, claim or finding" in found["detail"] or (
        "is not an IRI" in found["detail"]
    )
    assert found["node"]


def test_the_unknown_node_problem_names_the_node(service: str) -> None:
    found = problem(httpx.get(f"{service}/evidence-map", params={"node": "unknown"}), 404)
    assert found["node"] == f"{BASE}unknown"
    assert found["detail"] == f"<{BASE}unknown> is not a hypothesis, claim or finding in the graph"


def test_an_unacceptable_type_is_a_406_naming_what_is_offered(service: str) -> None:
    found = problem(httpx.get(evidence_url(service), headers={"accept": "image/png"}), 406)
    assert found["offered"] == [
        "application/json",
        "application/ld+json",
        "text/turtle",
        "text/html",
    ]
    problem(httpx.get(evidence_url(service), params={"format": "csv"}), 406)


@pytest.fixture
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("evidence-write") / "data"
    with running(Settings(data_dir=data_dir, write_token=TOKEN)) as (url, _):
        yield url


def test_chains_through_new_evidence_have_their_sign_depth_and_writer(writable: str) -> None:
    # A challenge to Soran's challenge supports Badwe's claim, two steps away; a claim that
    # supports both Soran's finding and Khan's reaches it both ways: mixed.
    turtle = f"""
    @prefix ev: <https://w3id.org/evidence-graph/ns#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{BASE}claim/test-soran-imbalanced> a ev:Claim ;
        rdfs:label "Test: Soran's arms were imbalanced" ;
        ev:statement "The arms of MF07-01 were imbalanced." ;
        prov:wasAttributedTo <{BASE}person/badwe-ra> ;
        prov:hadPrimarySource <{BASE}publication/ascopost2014> ;
        prov:generatedAtTime "2020-01-01"^^xsd:date ;
        ev:challenges <{BASE}finding/soran2018-os> .
    <{BASE}claim/test-both> a ev:Claim ;
        rdfs:label "Test: both trials are right" ;
        ev:statement "Both trials are right." ;
        prov:wasAttributedTo <{BASE}person/badwe-ra> ;
        prov:hadPrimarySource <{BASE}publication/ascopost2014> ;
        prov:generatedAtTime "2020-01-02"^^xsd:date ;
        ev:supports <{BASE}finding/soran2018-os>, <{BASE}finding/khan2022-os> .
    """
    written = httpx.post(
        f"{writable}/store", content=turtle, headers={**AUTH, "content-type": "text/turtle"}
    )
    assert written.status_code == 201, written.text

    found = httpx.get(f"{writable}/evidence-map", params={"node": CLAIM}).json()
    assert found["summary"] == {"supporting": 4, "challenging": 1, "mixed": 1, "direct": 4}
    nodes = nodes_by_iri(found)
    imbalanced = nodes[f"{BASE}claim/test-soran-imbalanced"]
    assert (imbalanced["stance"], imbalanced["depth"]) == ("supports", 2)
    assert imbalanced["chains"] == {
        "supports": [imbalanced["iri"], f"{BASE}finding/soran2018-os", CLAIM]
    }
    both = nodes[f"{BASE}claim/test-both"]
    assert (both["stance"], both["depth"]) == ("mixed", 2)
    assert set(both["chains"]) == {"supports", "challenges"}
    [new_link] = [ln for ln in found["links"] if ln["source"] == imbalanced["iri"]]
    assert new_link["relation"] == "challenges"
    assert new_link["asserted_by"] == "write-token holder"
    assert new_link["graph"] == written.json()["graph"]
    old = next(ln for ln in found["links"] if ln["source"].endswith("/khan2022-os"))
    assert old["graph"] != new_link["graph"]

    page = httpx.get(f"{writable}/evidence-map", params={"node": CLAIM, "format": "html"}).text
    assert '<table id="mixed">' in page
    assert "2 steps" in page
