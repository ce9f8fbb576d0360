"""The Graph Store protocol at /store: reading graphs and the dataset, dropping a graph."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef

from graph.settings import Settings
from graph.validation import vocabulary_graph
from tests.api.conftest import problem, running

TOKEN = "s3cret-token"
IMPORT = URIRef("https://w3id.org/evidence-graph/ns#Import")
VOID_TRIPLES = URIRef("http://rdfs.org/ns/void#triples")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with running(Settings(data_dir=tmp_path / "data", write_token=TOKEN)) as (url, _):
        yield url


def graphs(url: str) -> list[str]:
    dataset = Dataset()
    dataset.parse(data=httpx.get(f"{url}/store").content, format="trig")
    return sorted(
        str(g.identifier)
        for g in dataset.graphs()
        if len(g) and str(g.identifier).startswith("http")
    )


def test_the_dataset_and_each_graph_can_be_read(served: str) -> None:
    names = graphs(served)
    assert len(names) == 2
    sizes = []
    for name in names:
        turtle = httpx.get(f"{served}/store", params={"graph": name})
        assert turtle.headers["content-type"].startswith("text/turtle")
        sizes.append(len(Graph().parse(data=turtle.content, format="turtle")))
    provenance = Graph().parse(
        data=httpx.get(f"{served}/store", params={"default": ""}).content, format="turtle"
    )
    described = {str(g): int(n) for g, n in provenance.subject_objects(VOID_TRIPLES)}
    assert sizes == [described[name] for name in names]
    assert len(vocabulary_graph()) in sizes
    quads = httpx.get(f"{served}/store", headers={"accept": "application/n-quads"})
    assert quads.headers["content-type"].startswith("application/n-quads")
    assert quads.headers["content-disposition"] == 'attachment; filename="dataset.nq"'
    assert quads.text.count(" .\n") == sum(sizes) + len(provenance)  # every quad, once
    assert len(list(provenance.subjects(None, IMPORT))) == 2


def test_head_gives_the_headers_without_a_body(served: str) -> None:
    name = graphs(served)[0]
    head = httpx.head(f"{served}/store", params={"graph": name})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(
        httpx.get(f"{served}/store", params={"graph": name}).content
    )


def test_a_missing_graph_is_404_and_both_parameters_400(served: str) -> None:
    problem(httpx.get(f"{served}/store", params={"graph": "http://example.org/none"}), 404)
    problem(httpx.get(f"{served}/store", params={"graph": graphs(served)[0], "default": ""}), 400)


def test_dropping_needs_the_token_and_undoes_the_import(served: str) -> None:
    name = graphs(served)[1]
    missing = problem(httpx.delete(f"{served}/store", params={"graph": name}), 401)
    assert "Bearer" in missing["detail"]
    wrong = httpx.delete(
        f"{served}/store", params={"graph": name}, headers={"authorization": "Bearer nope"}
    )
    problem(wrong, 401)
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    auth = {"authorization": f"Bearer {TOKEN}"}
    problem(httpx.delete(f"{served}/store", params={"default": ""}, headers=auth), 403)
    assert httpx.delete(f"{served}/store", params={"graph": name}, headers=auth).status_code == 204
    assert name not in graphs(served)
    problem(httpx.delete(f"{served}/store", params={"graph": name}, headers=auth), 404)


def test_writes_are_off_without_a_configured_token(service: str) -> None:
    body = problem(
        httpx.delete(
            f"{service}/store",
            params={"graph": "http://example.org/g"},
            headers={"authorization": "Bearer anything"},
        ),
        403,
    )
    assert "EVIDENCE_GRAPH_WRITE_TOKEN" in body["detail"]
