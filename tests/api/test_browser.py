"""The query page and the home page in a real browser (tests/api/browser.py) against a real
server on 127.0.0.1: every request the pages make must stay on 127.0.0.1."""

from pathlib import Path

import httpx
import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

import queries
from graph.stored_queries import load_catalogue, ready_examples
from tests.api.browser import WAIT_S, elsewhere, requested, script_errors

EXAMPLES = ready_examples(load_catalogue([queries.folder()]))
BASE = "http://127.0.0.1:8000/id/"
SUPPORTERS = """\
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?evidence ?label WHERE {
  ?evidence ev:supports ?hypothesis . ?hypothesis a ev:Hypothesis .
  OPTIONAL { ?evidence rdfs:label ?label }
} ORDER BY ?evidence"""


def wait_for(browser: WebDriver, css: str) -> WebElement:
    return WebDriverWait(browser, WAIT_S).until(lambda b: b.find_element(By.CSS_SELECTOR, css))


def results_table(browser: WebDriver) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the results table, once it shows."""
    grid = wait_for(browser, "#results table")
    header = [th.text for th in grid.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in grid.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    return header, rows


def test_the_browser_reaches_no_other_host_and_the_log_shows_it(page: WebDriver) -> None:
    # The guard the other tests rely on: a page asking a CDN gets nothing, and it is seen.
    page.get('data:text/html,<img id="i" src="https://cdn.example.org/x.png">')
    WebDriverWait(page, WAIT_S).until(
        lambda b: b.execute_script("return document.getElementById('i').complete")
    )
    assert page.execute_script("return document.getElementById('i').naturalWidth") == 0
    assert elsewhere(requested(page)) == ["https://cdn.example.org/x.png"]


def test_the_home_page_says_what_is_loaded_and_links_to_the_query_page(
    page: WebDriver, service: str
) -> None:
    page.get(f"{service}/")
    assert page.title == "evidence-graph"
    summary = page.find_element(By.CSS_SELECTOR, "body > p").text
    assert "quads in 2 named graphs" in summary
    sources = [td.text for td in page.find_elements(By.CSS_SELECTOR, "tbody td:last-child")]
    assert len(sources) == 2 and any("studies.ttl" in s for s in sources)

    page.find_element(By.LINK_TEXT, "Query them with SPARQL").click()
    WebDriverWait(page, WAIT_S).until(lambda b: b.title == "evidence-graph SPARQL")
    assert page.current_url == f"{service}/sparql"
    assert page.find_element(By.NAME, "query").is_displayed()
    assert elsewhere(requested(page)) == []


def test_the_home_page_link_downloads_the_dataset(
    page: WebDriver, service: str, downloads: Path
) -> None:
    page.get(f"{service}/")
    link = page.find_element(By.LINK_TEXT, "download the dataset")
    assert link.get_attribute("href") == f"{service}/store"
    before = set(downloads.iterdir())
    link.click()

    sizes: dict[Path, int] = {}

    def downloaded(_: WebDriver) -> list[Path]:
        """The new files, once Chrome has finished them: no partial download left, and each
        the same non-zero size at two polls in a row (under load a file can appear first)."""
        files = set(downloads.iterdir()) - before
        if not files or any(p.suffix == ".crdownload" for p in files):
            return []
        now = {p: p.stat().st_size for p in files}
        steady = now == sizes and all(now.values())
        sizes.clear()
        sizes.update(now)
        return sorted(files) if steady else []

    try:
        [dataset] = WebDriverWait(page, WAIT_S).until(downloaded)
    except TimeoutException:
        found = sorted(p.name for p in downloads.iterdir())
        pytest.fail(f"no download in {WAIT_S} s: {found} in {downloads}; asked {requested(page)}")
    trig = dataset.read_text(encoding="utf-8")
    assert f"<{BASE}publication/khan2022>" in trig
    assert f"<{BASE}claim/fisher-growth-factor>" in trig
    assert elsewhere(requested(page)) == []


def test_the_query_page_loads_offline_with_its_form_and_examples(
    page: WebDriver, service: str
) -> None:
    page.get(f"{service}/sparql")  # the browser's own Accept header asks for HTML
    assert page.title == "evidence-graph SPARQL"
    form = page.find_element(By.TAG_NAME, "form")
    assert form.get_attribute("action") == f"{service}/sparql"
    query = page.find_element(By.NAME, "query")
    assert query.get_property("value") == next(iter(EXAMPLES.values()))
    formats = [o.text for o in Select(page.find_element(By.NAME, "format")).options]
    assert {"json", "csv", "turtle"} <= set(formats)
    assert page.find_element(By.CSS_SELECTOR, "button[type=submit]").is_displayed()
    titles = [a.text for a in page.find_elements(By.CSS_SELECTOR, "#examples li > a")]
    assert titles == list(EXAMPLES)

    urls = requested(page)
    assert f"{service}/sparql" in urls
    assert elsewhere(urls) == []
    resources = page.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.name)"
    )
    assert elsewhere(resources) == []
    assert script_errors(page) == []


def type_query(page: WebDriver, service: str, text: str) -> None:
    """Open the query page and type ``text`` into its query box."""
    page.get(f"{service}/sparql")
    query = page.find_element(By.NAME, "query")
    query.clear()
    query.send_keys(text)


def test_a_select_typed_into_the_form_shows_its_rows(page: WebDriver, service: str) -> None:
    type_query(page, service, SUPPORTERS)
    page.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    header, rows = results_table(page)
    assert header == ["evidence", "label"]
    assert [r[0] for r in rows] == [
        f"{BASE}claim/badwe-growth-advantage",
        f"{BASE}claim/fisher-growth-factor",
        f"{BASE}finding/badwe2013-distant-pfs",
    ]
    assert rows[1][1] == (
        "Fisher: removal of the primary releases a growth factor for distant tumours"
    )
    assert "3 rows" in page.find_element(By.ID, "results").text
    assert page.current_url == f"{service}/sparql"  # answered in the page
    assert elsewhere(requested(page)) == []
    assert script_errors(page) == []


def test_the_chosen_format_shows_as_text(page: WebDriver, service: str) -> None:
    type_query(page, service, SUPPORTERS)
    Select(page.find_element(By.NAME, "format")).select_by_visible_text("csv")
    page.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    csv = wait_for(page, "#results pre").text.splitlines()
    assert csv[0] == "evidence,label"
    assert f"{BASE}claim/fisher-growth-factor,Fisher: removal of the primary releases" in csv[2]
    assert len(csv) == 4
    assert script_errors(page) == []


def test_clicking_an_example_shows_its_results(
    page: WebDriver, service: str, downloads: Path
) -> None:
    title = "Every hazard ratio, with its interval and level"
    page.get(f"{service}/sparql")
    before = set(downloads.iterdir())
    page.find_element(By.LINK_TEXT, title).click()

    header, rows = results_table(page)
    assert header == ["finding", "hr", "lower", "upper", "level", "p"]
    assert len(rows) == 7
    khan = next(r for r in rows if r[0].endswith("/finding/khan2022-os"))
    assert khan[1:] == ["1.11", "0.82", "1.52", "0.9", "0.57"]  # a 90% interval
    assert page.find_element(By.NAME, "query").get_property("value") == EXAMPLES[title]
    assert page.current_url == f"{service}/sparql"
    assert set(downloads.iterdir()) == before  # shown, not saved as a file
    assert elsewhere(requested(page)) == []
    assert script_errors(page) == []


def test_a_syntax_error_shows_its_line_and_column(page: WebDriver, service: str) -> None:
    wrong = "SELECT *\nWHERE { ?s ?p }"
    problem = httpx.get(f"{service}/sparql", params={"query": wrong}).json()
    assert problem["line"] == 2
    type_query(page, service, wrong)
    page.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    error = wait_for(page, "#results [role=alert]")
    assert error.is_displayed()
    assert error.text.startswith(f"Error 400: Bad Request: {problem['detail']}")
    assert error.text.count(f"line {problem['line']}, column {problem['column']}") == 1
    assert page.find_element(By.NAME, "query").get_property("value") == wrong  # kept to fix
    assert script_errors(page) == []


def test_a_new_answer_replaces_the_last_one(page: WebDriver, service: str) -> None:
    page.get(f"{service}/sparql")
    page.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(page, "#results table")
    query = page.find_element(By.NAME, "query")
    query.clear()
    query.send_keys("ASK { ?s ?p ?o }")  # on the same page, after the first answer
    page.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    results = page.find_element(By.ID, "results")
    WebDriverWait(page, WAIT_S).until(lambda _: results.text == "Answer: true")
    assert results.find_elements(By.TAG_NAME, "table") == []


def test_the_api_docs_render_every_stored_query_offline(page: WebDriver, service: str) -> None:
    page.get(f"{service}/docs")
    wait_for(page, ".opblock")  # Swagger UI drew the operations of the OpenAPI document
    shown = page.find_element(By.ID, "swagger-ui").text
    for name in ("hypothesis-evidence", "citation-chain", "publication-by-identifier"):
        assert f"/queries/{name}" in shown
    assert elsewhere(requested(page)) == []
    assert script_errors(page) == []
