"""Review files over a real socket: POST /import of records (multipart and raw body, with the
token), GET /export by selection in each format, GET /reviews/{name}/prisma."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rispy

from graph.settings import Settings
from tests.api.conftest import problem, running

TOKEN = "review-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
DATA = Path(__file__).parents[1] / "graph" / "data"
BASE = "http://127.0.0.1:8000/id/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with the examples, a PubMed search uploaded as multipart and a Rayyan
    export (labels, duplicates of the PubMed records) sent as the raw body, for review lrt."""
    data_dir = tmp_path_factory.mktemp("reviews") / "data"
    with running(Settings(data_dir=data_dir, write_token=TOKEN)) as (url, _):
        files = {"file": ("pubmed-lrt.nbib", (DATA / "pubmed-lrt.nbib").read_bytes())}
        params = {"review": "lrt", "source": "PubMed"}
        first = httpx.post(f"{url}/import", params=params, files=files, headers=AUTH)
        assert first.status_code == 201, first.text
        headers = {**AUTH, "content-type": "application/x-research-info-systems"}
        params = {"review": "lrt", "source": "Embase"}
        body = (DATA / "rayyan.ris").read_bytes()
        second = httpx.post(f"{url}/import", params=params, content=body, headers=headers)
        assert second.status_code == 201, second.text
        yield url


def quads(url: str) -> int:
    return httpx.get(f"{url}/health").json()["quads"]


def test_an_upload_says_what_it_matched_and_which_records_are_duplicates(served: str) -> None:
    body = (DATA / "rayyan.ris").read_bytes()
    headers = {**AUTH, "content-type": "text/plain"}
    response = httpx.post(
        f"{served}/import", params={"review": "other"}, content=body, headers=headers
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["records"] == 4 and result["publications_new"] == 0
    assert result["review"] == "other" and result["search_source"] is None
    assert result["decisions"] == 8  # two Rayyan reviewers on four records
    assert result["duplicates"] == []  # a review of its own: nothing earlier to duplicate
    assert response.headers["location"].startswith(f"{served}/store?graph=")


def test_malformed_records_are_listed_with_their_numbers_and_nothing_is_stored(
    served: str,
) -> None:
    before = quads(served)
    files = {"file": ("malformed.ris", (DATA / "malformed.ris").read_bytes())}
    found = problem(httpx.post(f"{served}/import", files=files, headers=AUTH), 422)
    assert "nothing was stored" in found["detail"]
    assert {row["source"] for row in found["rows"]} == {"malformed.ris"}
    assert len({row["record"] for row in found["rows"]}) >= 2
    assert quads(served) == before


def test_an_import_needs_the_token_and_a_known_format(served: str) -> None:
    before = quads(served)
    body = (DATA / "rayyan.ris").read_bytes()
    problem(
        httpx.post(f"{served}/import", content=body, headers={"content-type": "text/plain"}), 401
    )
    unknown = httpx.post(
        f"{served}/import",
        content=b"just some words\n",
        headers={**AUTH, "content-type": "text/plain"},
    )
    assert "cannot tell the format" in problem(unknown, 422)["detail"]
    options = httpx.post(
        f"{served}/import",
        params={"source": "PubMed"},
        content=body,
        headers={**AUTH, "content-type": "text/plain"},
    )
    assert "name the review" in problem(options, 422)["detail"]
    assert quads(served) == before


def test_export_writes_the_review_as_ris_with_labels_and_provenance_first(served: str) -> None:
    response = httpx.get(f"{served}/export", params={"review": "lrt", "format": "ris"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-research-info-systems")
    assert "attachment" in response.headers["content-disposition"]
    records = rispy.loads(response.text)
    assert len(records) == int(response.headers["x-publications"]) == 5
    soran = next(r for r in records if r.get("doi") == "10.1245/s10434-018-6494-6")
    assert soran["notes"][0].startswith("RAYYAN-INCLUSION: ")
    assert soran["notes"][1].startswith(f"evidence-graph: <{BASE}publication/soran2018>")


def test_export_as_asreview_csv_has_the_columns_asreview_reads(served: str) -> None:
    response = httpx.get(
        f"{served}/export",
        params={"review": "lrt", "format": "asreview-csv", "decision": "include"},
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0])[:7] == [
        "record_id",
        "title",
        "abstract",
        "authors",
        "doi",
        "url",
        "included",
    ]
    assert [row["included"] for row in rows] == ["1"] * len(rows)


def test_export_by_stored_query_and_by_hypothesis(served: str) -> None:
    hypothesis = f"{BASE}hypothesis/primary-removal-accelerates-metastases"
    by_query = httpx.get(
        f"{served}/export",
        params={
            "query": "hypothesis-evidence",
            "param": f"hypothesis={hypothesis}",
            "format": "csl-json",
        },
    )
    by_name = httpx.get(f"{served}/export", params={"hypothesis": hypothesis, "format": "csl-json"})
    assert by_query.status_code == by_name.status_code == 200, by_query.text
    items = json.loads(by_query.text)
    assert items == json.loads(by_name.text)
    assert {item.get("PMID") for item in items} >= {"2702641"}  # fisher1989


def test_a_selection_of_nothing_known_is_a_problem(served: str) -> None:
    found = problem(httpx.get(f"{served}/export", params={"chase": "never-saved"}), 422)
    assert "no saved chase" in found["detail"]
    both = problem(httpx.get(f"{served}/export", params={"review": "lrt", "chase": "x"}), 422)
    assert "not review and chase" in both["detail"] or "one of" in both["detail"]


def test_prisma_counts_as_the_template_csv_or_as_json(served: str) -> None:
    response = httpx.get(f"{served}/reviews/lrt/prisma")
    assert response.status_code == 200, response.text
    assert response.headers["x-prisma-adds-up"] == "true"
    n = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(response.text))}
    assert n["database_results"] == "8" and n["duplicates"] == "3"
    assert n["database_specific_results"] == "Embase, 4; PubMed, 4"
    as_json = httpx.get(f"{served}/reviews/lrt/prisma", headers={"accept": "application/json"})
    assert as_json.json()["counts"]["records_screened"] == 5
    assert as_json.json()["adds_up"] is True
    by_name = httpx.get(f"{served}/reviews/lrt/prisma", params={"format": "json"})
    assert by_name.headers["content-type"] == "application/json"
    assert by_name.json() == as_json.json()
    problem(httpx.get(f"{served}/reviews/lrt/prisma", params={"format": "xml"}), 406)
    problem(httpx.get(f"{served}/reviews/nothing/prisma"), 404)


def test_several_uploaded_files_are_one_import(served: str) -> None:
    data = (DATA / "pubmed-lrt.nbib").read_bytes()
    files = [("file", ("monday.nbib", data)), ("file", ("tuesday.nbib", data))]
    params = {"review": "twice", "source": "PubMed"}
    response = httpx.post(f"{served}/import", params=params, files=files, headers=AUTH)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["sources"] == ["monday.nbib", "tuesday.nbib"]
    assert result["records"] == 8
    # Tuesday's records repeat Monday's, by PMID or DOI
    assert {(d["source"], d["rule"]) for d in result["duplicates"]} <= {
        ("tuesday.nbib", "doi"),
        ("tuesday.nbib", "pmid"),
    }
    assert len(result["duplicates"]) == 4
