"""The whole service on an external engine (``EVIDENCE_GRAPH_STORE=sparql`` on a real
``oxigraph serve``): the examples load through the write path, and SPARQL clients, stored
queries, chases, synthesis, pages, imports and updates all work on it."""

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from graph.settings import Settings
from graph.sparql_client import PROFILES, SparqlClient
from tests.api.conftest import problem, running
from tests.engines import Engine, emptied

TOKEN = "engine-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
BASE = "http://127.0.0.1:8000/id/"
DATA = Path(__file__).parents[1] / "graph" / "data"
FABIO = "http://purl.org/spar/fabio/"
# a chase or a synthesis on an engine, while the rest of the suite runs, can take seconds
get = partial(httpx.get, timeout=120)
post = partial(httpx.post, timeout=120)
HYPOTHESIS = f"{BASE}hypothesis/primary-removal-accelerates-metastases"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def profiled(request: pytest.FixtureRequest) -> tuple[str, Engine]:
    """Each engine and its profile, emptied of the service's data (never of its own graphs)."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    profile = PROFILES[request.param]
    emptied(SparqlClient(engine.query_url, engine.update_url, engine.store_url, profile)).close()
    return request.param, engine


@pytest.fixture(scope="module")
def engine(profiled: tuple[str, Engine]) -> Engine:
    return profiled[1]


@pytest.fixture(scope="module")
def served(profiled: tuple[str, Engine], tmp_path_factory) -> Iterator[str]:
    profile, engine = profiled
    settings = Settings(
        store="sparql",
        sparql_query_url=engine.query_url,
        sparql_update_url=engine.update_url,
        sparql_store_url=engine.store_url,
        sparql_profile=profile,
        write_token=TOKEN,
        data_dir=tmp_path_factory.mktemp("unused") / "data",
    )
    with running(settings) as (url, _):
        yield url


def test_the_examples_are_loaded_into_the_engine(served: str, engine: Engine) -> None:
    health = get(f"{served}/health").json()
    assert health["graphs"] == 2 and 1000 < health["quads"] < 2000  # not the engine's own
    direct = SparqlClient(engine.query_url)
    assert direct.ask(f"ASK {{ GRAPH ?g {{ <{HYPOTHESIS}> ?p ?o }} }}")  # in the engine itself
    direct.close()


def test_a_sparql_client_queries_the_union_through_the_service(served: str) -> None:
    client = SPARQLWrapper(f"{served}/sparql")
    client.setQuery(
        "SELECT (COUNT(?f) AS ?n) WHERE { ?f a <https://w3id.org/evidence-graph/ns#Finding> }"
    )
    client.setReturnFormat(JSON)
    [row] = client.query().convert()["results"]["bindings"]
    assert int(row["n"]["value"]) >= 9


def test_stored_queries_chases_synthesis_and_pages_work(served: str) -> None:
    evidence = get(
        f"{served}/queries/hypothesis-evidence",
        params={"hypothesis": HYPOTHESIS},
        headers={"accept": "application/sparql-results+json"},
    )
    assert evidence.status_code == 200, evidence.text
    assert evidence.json()["results"]["bindings"]
    chase = post(f"{served}/chase", json={"seeds": ["pmid:2702641"], "hops": 2})
    assert chase.status_code == 200, chase.text
    assert any(r["iri"].endswith("publication/badwe2013") for r in chase.json()["records"])
    synthesis = get(
        f"{served}/synthesis",
        params={"intervention": "LRT", "comparator": ["no LRT", "no surgery of the primary",
                "systemic therapy alone", "continued systemic therapy"], "outcome": "OS"},
    )  # fmt: skip
    assert synthesis.status_code == 200, synthesis.text
    assert len(synthesis.json()["studies"]) >= 4
    page = get(f"{served}/id/publication/badwe2013", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Badwe" in page.text


def test_writes_go_through_the_write_path_into_the_engine(served: str) -> None:
    before = get(f"{served}/health").json()["quads"]
    files = {"file": ("pubmed-lrt.nbib", (DATA / "pubmed-lrt.nbib").read_bytes())}
    imported = post(
        f"{served}/import", params={"review": "lrt", "source": "PubMed"}, files=files, headers=AUTH
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["publications_matched"] == 4
    prisma = get(f"{served}/reviews/lrt/prisma", params={"format": "json"}).json()
    assert prisma["counts"]["database_results"] == 4 and prisma["adds_up"]
    invalid = post(
        f"{served}/sparql/update",
        content=f"INSERT DATA {{ <{BASE}publication/x> a <{FABIO}JournalArticle> }}",
        headers={**AUTH, "content-type": "application/sparql-update"},
    )
    problem(invalid, 422)  # no title, no date, no identifier: the shapes refuse it
    assert get(f"{served}/health").json()["quads"] > before
