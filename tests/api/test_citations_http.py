"""Citations over HTTP, on a real server over the hand-checked graph of tests/citation_graph.py:
the OpenCitations-style index routes, ``POST /chase`` in JSON, CSV and RIS, saved chases, and
``/citation-path``."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rispy

from graph.oxigraph_store import OxigraphStore
from graph.settings import Settings
from tests.api.conftest import problem, running
from tests.citation_graph import load_into
from tests.conftest import BASE

TOKEN = "chase-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = Path(tmp_path_factory.mktemp("citations")) / "data"
    store = OxigraphStore(data_dir)
    load_into(store)
    settings = Settings(data_dir=data_dir, write_token=TOKEN, load_examples=False)
    with running(settings, store) as (base, _):
        yield base


def test_references_in_the_opencitations_shape(url: str) -> None:
    rows = httpx.get(f"{url}/references/doi:10.5555/S").json()
    assert [set(r) for r in rows] == [
        {"oci", "citing", "cited", "creation", "timespan", "journal_sc", "author_sc"}
    ] * 2
    assert {r["cited"] for r in rows} == {
        f"doi:10.5555/{k} {BASE}publication/{k}" for k in ("a", "b")
    }
    a = next(r for r in rows if r["cited"].endswith("/a"))
    assert a["citing"] == f"doi:10.5555/s {BASE}publication/s"
    assert (a["creation"], a["timespan"]) == ("2005", "P3Y")  # cited 2002, citing 2005
    assert (a["author_sc"], a["journal_sc"], a["oci"]) == ("no", "no", "")


def test_citations_counts_and_csv(url: str) -> None:
    rows = httpx.get(f"{url}/citations/publication/s").json()
    assert sorted(r["citing"].split()[0] for r in rows) == ["doi:10.5555/d", "doi:10.5555/e"]
    assert httpx.get(f"{url}/citation-count/doi:10.5555/s").json() == [{"count": "2"}]
    assert httpx.get(f"{url}/reference-count/{BASE}publication/d").json() == [{"count": "3"}]
    answer = httpx.get(f"{url}/references/doi:10.5555/d", headers={"Accept": "text/csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(table) == 3 and table[0]["citing"].startswith("doi:10.5555/d ")
    count = httpx.get(f"{url}/citation-count/doi:10.5555/f?format=csv").text
    assert count == "count\n0\n"


def test_unknown_and_malformed_ids_are_problems(url: str) -> None:
    assert (
        "10.5555/nothing"
        in problem(httpx.get(f"{url}/citations/doi:10.5555/nothing"), 404)["detail"]
    )
    assert "well-formed" in problem(httpx.get(f"{url}/citations/doi:12345"), 400)["detail"]
    assert problem(httpx.get(f"{url}/citations/pmid:0x12"), 400)


def test_chase_as_json(url: str) -> None:
    body = {"seeds": ["doi:10.5555/s"], "direction": "both", "hops": 2}
    found = httpx.post(f"{url}/chase", json=body).json()
    assert found["chase"]["limit"] == 1000  # the default; null asks for every record
    assert httpx.post(f"{url}/chase", json=body | {"limit": None}).json()["chase"]["limit"] is None
    assert found["chase"]["per_hop"] == {"1": 4, "2": 4}
    assert [r["iri"][-1] for r in found["records"]] == ["g", "h", "a", "d", "b", "e", "c", "f"]
    assert found["records"][1]["directions"] == ["co-citing"]


def test_chase_as_csv_and_as_ris(url: str) -> None:
    body = {"seeds": ["publication/s", "doi:10.5555/t"], "direction": "backward", "limit": 2}
    table = httpx.post(f"{url}/chase?format=csv", json=body)
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [r["rank"] for r in rows] == ["1", "2"]
    ris = httpx.post(
        f"{url}/chase", json=body, headers={"Accept": "application/x-research-info-systems"}
    )
    assert ris.headers["content-type"] == "application/x-research-info-systems"
    entries = rispy.loads(ris.text)
    assert len(entries) == 2
    assert all(e["notes"][0].startswith("evidence-graph chase ") for e in entries)


def test_bad_chases_are_problems(url: str) -> None:
    assert problem(httpx.post(f"{url}/chase", json={"seeds": ["doi:10.5555/s"], "hops": 9}), 422)
    assert problem(httpx.post(f"{url}/chase", json={"seeds": []}), 422)
    assert problem(httpx.post(f"{url}/chase", json={"seeds": ["doi:10.5555/x"]}), 404)
    missing = httpx.post(f"{url}/chase?format=bibtex", json={"seeds": ["doi:10.5555/s"]})
    assert problem(missing, 406)["offered"]


def test_a_saved_chase_needs_the_token_and_a_new_name(url: str) -> None:
    body = {"seeds": ["doi:10.5555/s"], "direction": "both", "hops": 2, "save": "Review 1 chase"}
    assert problem(httpx.post(f"{url}/chase", json=body), 401)
    saved = httpx.post(f"{url}/chase", json=body, headers=AUTH)
    assert saved.status_code == 201, saved.text
    assert saved.headers["location"] == f"{BASE}chase/review-1-chase"
    members = httpx.get(
        f"{url}/queries/chase-members",
        params={"chase": f"{BASE}chase/review-1-chase"},
    ).json()["results"]["bindings"]
    assert [m["publication"]["value"][-1] for m in members] == list("ghadbecf")
    assert members[0]["reachedAs"]["value"] == "co-cited"
    assert "already" in problem(httpx.post(f"{url}/chase", json=body, headers=AUTH), 409)["detail"]


def test_citation_path(url: str) -> None:
    path = httpx.get(
        f"{url}/citation-path", params={"from": "doi:10.5555/f", "to": "doi:10.5555/c"}
    )
    found = path.json()
    assert found["hops"] == 3
    assert [p["ids"] for p in found["publications"]] == [
        [f"doi:10.5555/{k}"] for k in ("f", "d", "a", "c")
    ]
    assert all(step["forward"] is False for step in found["citations"])
    back = httpx.get(
        f"{url}/citation-path", params={"from": "doi:10.5555/c", "to": "doi:10.5555/a"}
    )
    assert back.json()["citations"] == [
        {"citing": f"{BASE}publication/a", "cited": f"{BASE}publication/c", "forward": True}
    ]
    far = httpx.get(
        f"{url}/citation-path",
        params={"from": "doi:10.5555/f", "to": "doi:10.5555/t", "max_hops": 2},
    )
    assert "no chain of at most 2 citations" in problem(far, 404)["detail"]
