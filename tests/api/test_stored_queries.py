"""Stored queries over HTTP: the catalogue, one operation per query in OpenAPI, typed values
that no input can turn into another query, paging, and start-up errors."""

import csv
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.settings import Settings
from tests.api.conftest import problem, running

GRLC = Path(__file__).parents[1] / "grlc_queries"
EXE = shutil.which("evidence-graph", path=str(Path(sys.executable).parent)) or "evidence-graph"
TYPES = {
    "iri": "http://example.org/x",
    "string": "plain",
    "lang-string": "plain",
    "integer": "7",
    "decimal": "0.95",
    "boolean": "true",
    "date": "2013-12-11",
}
REMOTE = "http://127.0.0.1:9/sparql"  # nothing listens: a call would fail, not be refused
ATTACKS = [
    '" } UNION { ?s ?p ?v } #',
    "' } ; DROP ALL ; SELECT * { '",
    "x> } UNION { ?s ?p ?v",
    "1 }\nSELECT * WHERE { ?s ?p ?o }",
    "# comment\n} LIMIT 1",
    "http://example.org/x> . ?s ?p ?o } #",
    '"""',
]


def echo(kind: str, multiple: bool = False) -> str:
    """A query that answers each value it was given, and how often it occurs as an object."""
    return (
        f"#+ summary: Echo a {kind}\n#+ params:\n#+   - name: v\n#+     type: {kind}\n"
        f"#+     required: true\n#+     multiple: {'true' if multiple else 'false'}\n"
        + ("#+     lang: en\n" if kind == "lang-string" else "")
        + "SELECT ?v (COUNT(?s) AS ?n) WHERE { OPTIONAL { ?s ?p ?v } } GROUP BY ?v ORDER BY ?v\n"
    )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("mine")
    for kind in TYPES:
        (folder / f"echo-{kind}.rq").write_text(echo(kind))
    (folder / "echo-strings.rq").write_text(echo("string", multiple=True))
    (folder / "count-to.rq").write_text(
        "#+ summary: As many rows as values\n#+ pagination: 3\n#+ params:\n"
        "#+   - name: k\n#+     type: integer\n#+     multiple: true\n"
        "SELECT ?k WHERE { } ORDER BY ?k\n"
    )
    (folder / "paged-remote.rq").write_text(
        "#+ summary: A paged query that calls another endpoint\n#+ pagination: 5\n"
        f"SELECT * WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}\n"
    )
    data_dir = tmp_path_factory.mktemp("data") / "data"
    mixed = folder.parent / "grlc-and-mine"
    mixed.mkdir()
    for path in [*GRLC.glob("*.rq"), *folder.glob("*.rq")]:
        (mixed / path.name).write_text(path.read_text())
    settings = Settings(data_dir=data_dir, queries_dir=mixed)
    with running(settings) as (url, _):
        yield url


def rows(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_catalogue_lists_every_query_with_its_parameters(service: str) -> None:
    catalogue = {q["name"]: q for q in httpx.get(f"{service}/queries").json()}
    assert {"hazard-ratios", "publications-of-type", "echo-iri", "count-to"} <= set(catalogue)
    grlc = catalogue["publications-of-type"]
    assert grlc["summary"] == "Returns the publications of a type, with their titles"
    assert grlc["pagination"] == 2
    assert grlc["parameters"] == [
        {
            "name": "type",
            "type": "iri",
            "required": True,
            "multiple": False,
            "description": "",
            "default": "http://purl.org/spar/fabio/JournalArticle",
            "enum": [
                "http://purl.org/spar/fabio/JournalArticle",
                "http://purl.org/spar/fabio/NewsItem",
            ],
        }
    ]


def test_openapi_has_an_operation_per_stored_query_and_docs_work_offline(service: str) -> None:
    document = httpx.get(f"{service}/openapi.json").json()
    catalogue = httpx.get(f"{service}/queries").json()
    for query in catalogue:
        get = document["paths"][f"/queries/{query['name']}"]["get"]
        post = document["paths"][f"/queries/{query['name']}"]["post"]
        assert get["operationId"] == query["name"]
        assert post["operationId"] == f"{query['name']}-post"
        assert get["summary"] == query["summary"]
        named = {p["name"] for p in get["parameters"]}
        assert {p["name"] for p in query["parameters"]} | {"format"} <= named
        body = post["requestBody"]["content"]["application/json"]["schema"]
        assert set(body["properties"]) == {p["name"] for p in query["parameters"]}
    grlc = document["paths"]["/queries/publications-of-type"]["get"]
    [kind] = [p for p in grlc["parameters"] if p["name"] == "type"]
    assert kind["schema"]["enum"] == [
        "http://purl.org/spar/fabio/JournalArticle",
        "http://purl.org/spar/fabio/NewsItem",
    ]
    assert "text/csv" in grlc["responses"]["200"]["content"]
    page = httpx.get(f"{service}/docs")
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert httpx.get(f"{service}/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_get_and_post_answer_alike_and_negotiate_like_sparql(service: str) -> None:
    nct = {"nct": "NCT00193778"}
    by_get = rows(
        httpx.get(f"{service}/queries/study-by-trial-id", params={**nct, "format": "csv"})
    )
    by_post = rows(httpx.post(f"{service}/queries/study-by-trial-id?format=csv", json=nct))
    assert by_get == by_post == [{"study": "http://127.0.0.1:8000/id/study/badwe-tmh-trial"}]
    as_json = httpx.get(f"{service}/queries/study-by-trial-id", params=nct)
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    tsv = httpx.get(
        f"{service}/queries/study-by-trial-id",
        params=nct,
        headers={"accept": "text/tab-separated-values"},
    )
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    problem(
        httpx.get(
            f"{service}/queries/study-by-trial-id", params=nct, headers={"accept": "image/png"}
        ),
        406,
    )
    problem(httpx.get(f"{service}/queries/no-such-query"), 404)
    problem(httpx.post(f"{service}/queries/study-by-trial-id", content=b"[1, 2]"), 400)


def test_optional_values_left_out_stay_unbound(service: str) -> None:
    every = rows(httpx.get(f"{service}/queries/studies-at-least", params={"format": "csv"}))
    large = rows(
        httpx.get(f"{service}/queries/studies-at-least", params={"minimum": "260", "format": "csv"})
    )
    assert len(every) == 4  # the four trials; the mouse study has no sample size
    assert sorted(int(r["size"]) for r in large) == [274, 350]


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_injection_is_refused_or_bound_as_one_value(service: str, kind: str) -> None:
    benign = rows(
        httpx.get(f"{service}/queries/echo-{kind}", params={"v": TYPES[kind], "format": "csv"})
    )
    assert len(benign) == 1
    for attack in ATTACKS:
        for response in (
            httpx.get(f"{service}/queries/echo-{kind}", params={"v": attack, "format": "csv"}),
            httpx.post(f"{service}/queries/echo-{kind}?format=csv", json={"v": attack}),
        ):
            if kind.endswith("string"):  # any text is a string: it must come back as that string
                assert rows(response) == [{"v": attack, "n": "0"}]
            else:
                assert problem(response, 422)["parameter"] == "v"


def test_multiple_values_are_bound_each_as_one_term(service: str) -> None:
    values = ["plain", *ATTACKS]
    answer = rows(
        httpx.get(
            f"{service}/queries/echo-strings",
            params=[("format", "csv"), *(("v", v) for v in values)],
        )
    )
    assert sorted(r["v"] for r in answer) == sorted(values)
    assert {r["n"] for r in answer} == {"0"}


def test_missing_wrong_and_unknown_values_are_422_naming_the_parameter(service: str) -> None:
    assert problem(httpx.get(f"{service}/queries/echo-iri"), 422)["parameter"] == "v"
    assert (
        problem(httpx.get(f"{service}/queries/echo-date", params={"v": "2013-02-30"}), 422)[
            "parameter"
        ]
        == "v"
    )
    unknown = problem(
        httpx.get(f"{service}/queries/echo-iri", params={"v": TYPES["iri"], "w": "1"}), 422
    )
    assert unknown["parameter"] == "w"
    assert (
        problem(httpx.get(f"{service}/queries/count-to", params={"page": "0"}), 422)["parameter"]
        == "page"
    )
    enum = problem(
        httpx.get(
            f"{service}/queries/publications-of-type",
            params={"type": "http://purl.org/spar/fabio/Book"},
        ),
        422,
    )
    assert "one of" in enum["detail"]


@pytest.mark.parametrize(("count", "pages"), [(3, [3]), (4, [3, 1]), (6, [3, 3]), (7, [3, 3, 1])])
def test_paging_links_the_next_page_only_when_there_is_one(
    service: str, count: int, pages: list[int]
) -> None:
    url: str | None = f"{service}/queries/count-to?" + "&".join(f"k={i}" for i in range(count))
    url += "&format=csv"
    seen: list[int] = []
    numbers: list[str] = []
    while url:
        response = httpx.get(url)
        page = rows(response)
        seen.append(len(page))
        numbers += [r["k"] for r in page]
        links = response.headers.get("link", "")
        assert ('rel="prev"' in links) == (len(seen) > 1)
        url = next(
            (part.split(">")[0].strip(" <") for part in links.split(",") if 'rel="next"' in part),
            None,
        )
    assert seen == pages
    assert sorted(numbers, key=int) == [str(i) for i in range(count)]


def test_a_wrong_query_file_stops_serve_with_its_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "broken.rq").write_text("#+ summary: fine\n#+ params:\n#+   - name: gone\nASK {}\n")
    done = subprocess.run(
        [EXE, "serve", "--store", "memory", "--queries-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 1
    assert f"{folder / 'broken.rq'}:3: parameter 'gone' is not used" in done.stderr


def test_a_paged_stored_query_is_refused_its_service_call_like_sparql(service: str) -> None:
    body = problem(httpx.get(f"{service}/queries/paged-remote"), 403)
    assert body["endpoints"] == [REMOTE]
