"""Meta-analysis over a real socket: GET /synthesis as JSON, SVG and PNG, its problems, and
POST /synthesis recording pooled estimates that SPARQL then finds."""

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import matplotlib.image
import pytest

from graph.examples import load_examples
from graph.memory_store import MemoryStore
from graph.settings import Settings
from graph.synthesis import Selection, Synthesis, synthesize
from tests.api.conftest import problem, running

BASE = "http://127.0.0.1:8000/id/"
COMPARATORS = [
    "no LRT",
    "no surgery of the primary",
    "systemic therapy alone",
    "continued systemic therapy",
]
QUESTION = {"intervention": "LRT", "comparator": COMPARATORS, "outcome": "OS"}
BODY = {"intervention": ["LRT"], "comparator": COMPARATORS, "outcome": "OS"}
POOLED = [
    f"{BASE}finding/badwe2015-os",
    f"{BASE}finding/soran2018-os",
    f"{BASE}finding/fitzal2019-os",
    f"{BASE}finding/khan2022-os",
]
NOTHING = {  # Badwe 2013 printed only the arms' survival: nothing comparative to pool
    "intervention": "concept/intervention/mastectomy-axillary-dissection-radiotherapy",
    "comparator": "no LRT",
    "outcome": "OS",
}
TOKEN = "synthesis-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def in_process() -> Iterator[MemoryStore]:
    """The example evidence in a store of this process, to compute what the server should."""
    store = MemoryStore()
    load_examples(store, BASE)
    yield store
    store.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The examples service, taking writes: the POSTs add pooled estimates (not findings, so
    what the GETs pool is the same before and after)."""
    data_dir = tmp_path_factory.mktemp("synthesis-write") / "data"
    with running(Settings(data_dir=data_dir, write_token=TOKEN)) as (url, _):
        yield url


def expected(store: MemoryStore, *methods: str, level: float = 0.95) -> Synthesis:
    selection = Selection(("LRT",), tuple(COMPARATORS), "OS", methods=methods, level=level)
    return synthesize(store, BASE, selection)


def svg_ids(content: bytes) -> list[str]:
    root = ET.fromstring(content)
    assert root.tag == f"{SVG}svg"
    return [g.get("id") for g in root.iter(f"{SVG}g") if g.get("id")]


def sparql(url: str, query: str) -> dict:
    response = httpx.get(
        f"{url}/sparql",
        params={"query": query},
        headers={"accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_synthesis_json_pools_four_studies_as_computed_in_process(
    service: str, in_process: MemoryStore
) -> None:
    response = httpx.get(f"{service}/synthesis", params=QUESTION)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept"
    found = response.json()
    assert (found["measure"], found["scale"], found["level"]) == ("HR", "log", 0.95)
    assert found["outcome"] == {
        "iri": f"{BASE}concept/outcome/overall-survival",
        "label": "overall survival",
    }
    assert [c["label"] for c in found["comparators"]] == [
        "no locoregional treatment",
        *COMPARATORS[1:],
    ]
    studies = {s["finding"]: s for s in found["studies"]}
    assert list(studies) == POOLED  # by publication date
    fitzal, khan = studies[POOLED[2]], studies[POOLED[3]]
    assert fitzal["printed"] == "HR 0.691 (95% CI 0.358 to 1.333)"
    assert fitzal["analysed"]["estimate"] == pytest.approx(1 / 0.691)
    assert "inverted" in fitzal["conversions"][0]
    assert khan["printed"] == "HR 1.11 (90% CI 0.82 to 1.52)"
    assert "90% interval" in khan["conversions"][0]
    assert studies[POOLED[0]]["conversions"] == studies[POOLED[1]]["conversions"] == []
    assert sum(s["weights"]["REML"] for s in found["studies"]) == pytest.approx(100)
    assert found["excluded"] == [
        {
            "finding": f"{BASE}finding/badwe2013-os-72m",
            "label": "Badwe 2013: overall survival at 72 months",
            "reason": "no comparative estimate printed (only arm statistics)",
        }
    ]

    want = expected(in_process, "REML")
    [pooled] = found["pooled"]
    [reml] = want.pooled
    estimate, lower, upper = want.interval(reml.estimate, reml.se)
    assert pooled["method"] == "REML" and pooled["k"] == reml.k == 4
    assert pooled["estimate"] == pytest.approx(estimate, rel=1e-12)
    assert pooled["ci_lower"] == pytest.approx(lower, rel=1e-12)
    assert pooled["ci_upper"] == pytest.approx(upper, rel=1e-12)
    assert pooled["tau2"] == pytest.approx(reml.tau2, rel=1e-9)
    assert pooled["i2"] == pytest.approx(reml.i2, rel=1e-9)
    assert pooled["q"] == pytest.approx(reml.q, rel=1e-12)
    assert pooled["p_value"] == pytest.approx(reml.p_value, rel=1e-9)
    assert pooled["prediction_lower"] == pytest.approx(want.natural(reml.pi_lower), rel=1e-9)
    assert pooled["analysis_scale"]["se"] == pytest.approx(reml.se, rel=1e-12)
    for study, contribution in zip(found["studies"], want.contributions, strict=True):
        assert study["effect"] == pytest.approx(contribution.effect, rel=1e-12)
        assert study["standard_error"] == pytest.approx(contribution.se, rel=1e-12)
        assert study["weights"]["REML"] == pytest.approx(contribution.weights["REML"], rel=1e-9)


def test_two_methods_and_another_level(service: str, in_process: MemoryStore) -> None:
    found = httpx.get(
        f"{service}/synthesis", params=QUESTION | {"method": ["fixed", "DL"], "level": 0.9}
    ).json()
    want = expected(in_process, "fixed", "DL", level=0.9)
    assert [p["method"] for p in found["pooled"]] == ["fixed", "DL"]
    for pooled, computed in zip(found["pooled"], want.pooled, strict=True):
        estimate, lower, upper = want.interval(computed.estimate, computed.se)
        assert pooled["estimate"] == pytest.approx(estimate, rel=1e-12)
        assert (pooled["ci_lower"], pooled["ci_upper"]) == pytest.approx((lower, upper))
    assert found["pooled"][0]["tau2"] == 0  # fixed effect
    # At the 90% level Khan's analysed interval is the printed one, to its rounding (the
    # printed limits are not quite symmetric about 1.11 on the log scale).
    khan = next(s for s in found["studies"] if s["finding"] == POOLED[3])
    assert (khan["analysed"]["ci_lower"], khan["analysed"]["ci_upper"]) == pytest.approx(
        (0.82, 1.52), abs=0.01
    )


def test_the_forest_plot_as_svg_has_a_row_per_study_and_a_diamond_per_method(
    service: str,
) -> None:
    one = httpx.get(f"{service}/synthesis", params=QUESTION | {"format": "svg"})
    assert one.status_code == 200
    assert one.headers["content-type"] == "image/svg+xml"
    assert one.headers["vary"] == "Accept"
    ids = svg_ids(one.content)
    assert [i for i in ids if i.startswith("study-row-")] == [f"study-row-{n}" for n in range(1, 5)]
    assert [i for i in ids if i.startswith("pooled-")] == ["pooled-1"]
    for label in ("Badwe 2015", "Soran 2018", "Fitzal 2019", "Khan 2022"):
        assert label in one.text  # text stays text

    two = httpx.get(
        f"{service}/synthesis",
        params=QUESTION | {"method": ["REML", "fixed"]},
        headers={"accept": "image/svg+xml"},  # by Accept this time
    )
    assert two.headers["content-type"] == "image/svg+xml"
    assert [i for i in svg_ids(two.content) if i.startswith("pooled-")] == [
        "pooled-1",
        "pooled-2",
    ]
    assert "Random effects (REML)" in two.text and "Fixed effect" in two.text


def test_the_forest_plot_as_png(service: str) -> None:
    response = httpx.get(f"{service}/synthesis", params=QUESTION | {"format": "png"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    pixels = matplotlib.image.imread(io.BytesIO(response.content), format="png")
    height, width, channels = pixels.shape
    assert width > 400 and height > 200 and channels in (3, 4)
    assert pixels.min() < 0.5 < pixels.max()  # something is drawn on the white


def test_a_browser_gets_a_page_with_the_plot_and_the_tables(service: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = httpx.get(f"{service}/synthesis", params=QUESTION, headers={"accept": browser})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count('<g id="study-row-') == 4  # the forest plot, inline
    studies = page.text.split('<table id="studies">')[1].split("</table>")[0]
    assert studies.count("<tr>") == 5  # the header and the four studies
    assert "standard error from the printed 90% interval" in studies
    assert "Badwe 2013: overall survival at 72 months" in page.text.split('id="excluded"')[1]
    same = httpx.get(f"{service}/synthesis", params=QUESTION | {"format": "html"})
    assert same.text == page.text
    assert "format=json" in page.text and "format=png" in page.text


def test_an_unknown_concept_is_a_422_problem(service: str) -> None:
    found = problem(
        httpx.get(f"{service}/synthesis", params=QUESTION | {"outcome": "nonsense"}), 422
    )
    assert found["detail"] == "no outcome is named 'nonsense' (give its IRI, or a label it has)"
    found = problem(
        httpx.get(f"{service}/synthesis", params=QUESTION | {"intervention": "nothing"}), 422
    )
    assert "no intervention is named 'nothing'" in found["detail"]


def test_nothing_to_pool_is_a_422_problem_listing_what_was_left_out(service: str) -> None:
    for fmt in ("json", "svg"):
        found = problem(httpx.get(f"{service}/synthesis", params=NOTHING | {"format": fmt}), 422)
        assert found["detail"].startswith("nothing to pool")
        assert found["excluded"] == [
            {
                "finding": f"{BASE}finding/badwe2013-os-72m",
                "label": "Badwe 2013: overall survival at 72 months",
                "reason": "no comparative estimate printed (only arm statistics)",
            }
        ]


def test_overlapping_arms_and_another_measure_are_422_problems(service: str) -> None:
    overlap = problem(
        httpx.get(f"{service}/synthesis", params=QUESTION | {"comparator": "LRT"}), 422
    )
    assert "overlap" in overlap["detail"]
    other = problem(httpx.get(f"{service}/synthesis", params=QUESTION | {"measure": "OR"}), 422)
    assert {e["finding"] for e in other["excluded"]} >= set(POOLED)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"level": 2}, "query.level"),
        ({"level": 0}, "query.level"),
        ({"method": "bogus"}, "query.method.0"),
        ({"measure": "XY"}, "query.measure"),
    ],
)
def test_bad_parameters_are_422_validation_problems(service: str, change: dict, where: str) -> None:
    found = problem(httpx.get(f"{service}/synthesis", params=QUESTION | change), 422)
    assert found["title"] == "Invalid Request"
    assert [e["where"] for e in found["errors"]] == [where]


def test_missing_parameters_and_unacceptable_types(service: str) -> None:
    found = problem(httpx.get(f"{service}/synthesis", params={"intervention": "LRT"}), 422)
    assert {e["where"] for e in found["errors"]} == {"query.comparator", "query.outcome"}
    offered = problem(
        httpx.get(f"{service}/synthesis", params=QUESTION, headers={"accept": "text/csv"}), 406
    )
    assert offered["offered"] == ["application/json", "image/svg+xml", "image/png", "text/html"]
    problem(httpx.get(f"{service}/synthesis", params=QUESTION | {"format": "pdf"}), 406)


def test_recording_needs_the_write_token(service: str) -> None:
    problem(httpx.post(f"{service}/synthesis", json=BODY), 401)
    wrong = httpx.post(f"{service}/synthesis", json=BODY, headers={"authorization": "Bearer no"})
    problem(wrong, 401)
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_a_recorded_synthesis_is_stored_once_and_found_by_sparql(
    service: str, in_process: MemoryStore
) -> None:
    first = httpx.post(f"{service}/synthesis", json=BODY, headers=AUTH)
    assert first.status_code == 201, first.text
    [recorded] = first.json()["recorded"]
    assert recorded["method"] == "REML" and recorded["stored"] is True
    assert recorded["iri"].startswith(f"{BASE}pooled/")
    assert first.headers["location"] == recorded["iri"]
    [pooled] = first.json()["synthesis"]["pooled"]
    [reml] = expected(in_process, "REML").pooled
    assert pooled["analysis_scale"]["estimate"] == pytest.approx(reml.estimate, rel=1e-12)

    again = httpx.post(f"{service}/synthesis", json=BODY, headers=AUTH)
    assert again.status_code == 200, again.text
    assert "location" not in again.headers
    assert again.json()["recorded"] == [recorded | {"stored": False, "graph": None}]

    pool = recorded["iri"]
    answer = sparql(
        service,
        f"""PREFIX ev: <https://w3id.org/evidence-graph/ns#>
        SELECT ?finding ?weight WHERE {{
          <{pool}> a ev:PooledEstimate ; ev:input ?input .
          ?input ev:finding ?finding ; ev:weight ?weight
        }} ORDER BY ?finding""",
    )
    rows = {
        b["finding"]["value"]: float(b["weight"]["value"]) for b in answer["results"]["bindings"]
    }
    assert set(rows) == set(POOLED)
    assert sum(rows.values()) == pytest.approx(100)
    for finding in POOLED:
        asked = sparql(
            service,
            "PREFIX ev: <https://w3id.org/evidence-graph/ns#> "
            f"ASK {{ ?pool a ev:PooledEstimate ; ev:input/ev:finding <{finding}> }}",
        )
        assert asked["boolean"] is True
    # one pooled node, however often it is recorded
    count = sparql(
        service,
        "PREFIX ev: <https://w3id.org/evidence-graph/ns#> "
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ev:PooledEstimate }",
    )
    assert count["results"]["bindings"][0]["n"]["value"] == "1"


def test_a_new_method_is_stored_beside_the_recorded_one(service: str) -> None:
    httpx.post(f"{service}/synthesis", json=BODY, headers=AUTH)  # REML, perhaps already there
    both = httpx.post(
        f"{service}/synthesis", json=BODY | {"method": ["REML", "fixed"]}, headers=AUTH
    )
    assert both.status_code == 201, both.text
    reml, fixed = both.json()["recorded"]
    assert (reml["method"], reml["stored"], fixed["method"], fixed["stored"]) == (
        "REML",
        False,
        "fixed",
        True,
    )
    assert both.headers["location"] == fixed["iri"]  # what this request created


def test_recording_refuses_bad_bodies_and_stores_nothing(service: str) -> None:
    before = httpx.get(f"{service}/store", params={"format": "nquads"}).content
    found = problem(
        httpx.post(f"{service}/synthesis", json=BODY | {"outcome": "nonsense"}, headers=AUTH), 422
    )
    assert "nonsense" in found["detail"]
    nothing = {k: [v] if k != "outcome" else v for k, v in NOTHING.items()}
    found = problem(httpx.post(f"{service}/synthesis", json=nothing, headers=AUTH), 422)
    assert [e["finding"] for e in found["excluded"]] == [f"{BASE}finding/badwe2013-os-72m"]
    for change, where in (
        ({"level": 2}, "body.level"),
        ({"intervention": []}, "body.intervention"),
        ({"method": ["bogus"]}, "body.method.0"),
    ):
        found = problem(httpx.post(f"{service}/synthesis", json=BODY | change, headers=AUTH), 422)
        assert [e["where"] for e in found["errors"]] == [where]
    assert httpx.get(f"{service}/store", params={"format": "nquads"}).content == before


def test_the_openapi_document_lists_the_new_operations(service: str) -> None:
    paths = httpx.get(f"{service}/openapi.json").json()["paths"]
    assert set(paths["/synthesis"]) == {"get", "post"}
    get = paths["/synthesis"]["get"]
    assert {"image/svg+xml", "image/png", "application/json"} <= set(
        get["responses"]["200"]["content"]
    )
    assert {p["name"] for p in get["parameters"]} >= {
        "intervention",
        "comparator",
        "outcome",
        "method",
        "level",
        "measure",
        "format",
    }
    post = paths["/synthesis"]["post"]
    assert "application/json" in post["requestBody"]["content"]
    assert {"201", "200", "422"} <= set(post["responses"])
    evidence = paths["/hypotheses/{id}/evidence"]["get"]
    assert {"text/turtle", "application/ld+json", "text/html"} <= set(
        evidence["responses"]["200"]["content"]
    )
    assert "get" in paths["/hypotheses"] and "get" in paths["/evidence-map"]
