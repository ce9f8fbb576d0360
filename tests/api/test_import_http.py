"""POST /import over a real socket: OpenCitations CSV through the write path, with the token."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from graph.settings import Settings
from tests.api.conftest import problem, running

TOKEN = "import-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
CSV = {**AUTH, "content-type": "text/csv; charset=utf-8"}
BASE = "http://127.0.0.1:8000/id/"
HEADER = "oci,citing,cited,creation,timespan,journal_sc,author_sc"
PEERJ = "omid:br/06101801781 doi:10.7717/peerj-cs.421 pmid:33817056"
CITO = "http://purl.org/spar/cito/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("import") / "data"
    with running(Settings(data_dir=data_dir, write_token=TOKEN)) as (url, _):
        yield url


def body(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode("utf-8")


def quads(url: str) -> int:
    return httpx.get(f"{url}/health").json()["quads"]


def ask(url: str, sparql: str) -> bool:
    answer = httpx.get(
        f"{url}/sparql",
        params={"query": sparql},
        headers={"accept": "application/sparql-results+json"},
    )
    return answer.json()["boolean"]


def test_a_csv_is_imported_as_a_new_graph_matched_to_stored_publications(served: str) -> None:
    data = body(f"1-2,{PEERJ},doi:10.1016/S1470-2045(15)00135-7,2021-03-10,P6Y0M1D,no,yes")
    response = httpx.post(f"{served}/import", content=data, headers=CSV)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["sources"] == ["request body"]
    assert (result["rows_read"], result["rows_imported"], result["rows_skipped"]) == (1, 1, 0)
    assert (result["publications_new"], result["publications_matched"]) == (1, 1)
    location = response.headers["location"]
    assert location == str(httpx.URL(f"{served}/store", params={"graph": result["graph"]}))
    graph = Graph().parse(data=httpx.get(location).content, format="turtle")
    citation = URIRef(f"{BASE}citation/oci/1-2")
    assert graph.value(citation, URIRef(f"{CITO}hasCitedEntity")) == URIRef(
        f"{BASE}publication/badwe2015"
    )
    assert len(graph) == result["triples"]
    assert ask(
        served,
        f"ASK {{ <{BASE}publication/doi/10.7717/peerj-cs.421> <{CITO}cites> "
        f"<{BASE}publication/badwe2015> }}",
    )


def test_format_names_a_body_of_any_media_type(served: str) -> None:
    response = httpx.post(
        f"{served}/import",
        params={"format": "opencitations-csv"},
        content=body("1-3,pmid:33817056,pmid:2702641,2021,,no,no"),
        headers={**AUTH, "content-type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["publications_matched"] == 2  # peerj (stored above) and fisher1989


def test_bad_rows_are_listed_and_nothing_is_stored(served: str) -> None:
    before = quads(served)
    data = body(
        f"1-4,{PEERJ},pmid:4,2021,,no,no",
        "1-5,omid:br/1,pmid:5,2021,,no,no",
        "1-6,pmid:6,doi:10.1/6,2021,,no,no",
    )
    found = problem(httpx.post(f"{served}/import", content=data, headers=CSV), 422)
    assert found["detail"] == "2 rows cannot be imported; nothing was stored"
    assert [(r["line"], r["column"]) for r in found["rows"]] == [(3, "citing"), (4, "cited")]
    assert found["rows"][0]["reason"] == "'omid:br/1' names no DOI, PMID or PMCID"
    assert quads(served) == before
    assert not ask(served, f"ASK {{ ?c <{CITO}hasCitedEntity> <{BASE}publication/pmid/4> }}")


def test_skip_malformed_stores_the_good_rows_and_lists_the_bad(served: str) -> None:
    data = body("1-7,pmid:7,pmid:8,2021,,no,no", "1-9,pmid:7,pmid:9,2021,,no,perhaps")
    response = httpx.post(
        f"{served}/import", params={"skip-malformed": "true"}, content=data, headers=CSV
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["rows_imported"], result["rows_skipped"]) == (1, 1)
    assert result["problems"] == [
        {
            "source": "request body",
            "line": 3,
            "column": "author_sc",
            "reason": "'perhaps' is neither yes nor no",
            "record": None,
        }
    ]


def test_a_body_in_no_known_format_or_media_type_is_refused(served: str) -> None:
    before = quads(served)
    found = problem(httpx.post(f"{served}/import", content=b"a,b\n1,2\n", headers=CSV), 422)
    assert "cannot tell the format of request body" in found["detail"]
    assert "opencitations-csv" in found["offered"]
    turtle = {**AUTH, "content-type": "text/turtle"}
    unsupported = problem(httpx.post(f"{served}/import", content=b"", headers=turtle), 415)
    assert (
        "text/csv" in unsupported["accepted"] and "multipart/form-data" in unsupported["accepted"]
    )
    forced = httpx.post(
        f"{served}/import", params={"format": "opencitations-csv"}, content=b"a,b\n", headers=CSV
    )
    assert [(r["line"], r["column"]) for r in problem(forced, 422)["rows"]] == [(1, None)]
    unknown = httpx.post(f"{served}/import", params={"format": "endnote"}, content=b"", headers=CSV)
    assert "opencitations-csv" in problem(unknown, 422)["offered"]
    assert quads(served) == before


def test_the_shapes_still_judge_what_an_import_would_store(served: str) -> None:
    before = quads(served)
    data = body("1-10,doi:10.1200/JCO.21.02006,pmcid:PMC8937009,2022,,no,no")  # both khan2022
    found = problem(httpx.post(f"{served}/import", content=data, headers=CSV), 422)
    assert "SelfCitationShape" in {v["shape"].rsplit("#")[1] for v in found["violations"]}
    assert quads(served) == before


def test_an_import_needs_the_write_token(served: str, tmp_path: Path) -> None:
    before = quads(served)
    data = body("1-11,pmid:11,pmid:12,2021,,no,no")
    problem(httpx.post(f"{served}/import", content=data, headers={"content-type": "text/csv"}), 401)
    wrong = {"authorization": "Bearer nope", "content-type": "text/csv"}
    refused = problem(httpx.post(f"{served}/import", content=data, headers=wrong), 401)
    assert "Bearer" in refused["detail"]
    assert quads(served) == before
    with running(Settings(data_dir=tmp_path / "data")) as (url, _):  # no token configured
        problem(httpx.post(f"{url}/import", content=data, headers=CSV), 403)
