"""The evidence map page and the forest plot in a real browser: headless Chromium through
chromedriver (the fixtures of test_browser.py: it reaches 127.0.0.1 and nothing else)."""

import json
from pathlib import Path
from urllib.parse import quote, urlencode

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.browser import WAIT_S, elsewhere, requested, screenshot, script_errors

BASE = "http://127.0.0.1:8000/id/"
HYPOTHESIS = "Removal of the primary tumour accelerates distant metastases"
GROWTH_CLAIM = "Badwe: removing the primary appears to give distant metastases a growth advantage"
QUESTION = {
    "intervention": "LRT",
    "comparator": [
        "no LRT",
        "no surgery of the primary",
        "systemic therapy alone",
        "continued systemic therapy",
    ],
    "outcome": "OS",
}
STUDIES = ["Badwe 2015", "Soran 2018", "Fitzal 2019", "Khan 2022"]


def rows(driver: WebDriver, table: str) -> list[list[str]]:
    return [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, f"table#{table} tbody tr")
    ]


def test_the_hypothesis_map_page_and_its_links(page: WebDriver, service: str) -> None:
    url = f"{service}/hypotheses/primary-removal-accelerates-metastases/evidence"
    page.get(url)  # the browser's own Accept header asks for HTML
    assert page.title == f"Evidence map: {HYPOTHESIS}"
    assert page.find_element(By.TAG_NAME, "h1").text == HYPOTHESIS
    summary = page.find_element(By.ID, "summary").text
    assert summary.startswith("3 supporting, 0 challenging, 0 mixed; 3 linked directly.")
    supporting = rows(page, "supports")
    assert len(supporting) == 3
    assert [r[0].splitlines()[0] for r in supporting] == ["CLAIM", "CLAIM", "FINDING"]
    assert any(GROWTH_CLAIM in r[0] for r in supporting)
    assert all(r[1].startswith("1 step") for r in supporting)
    assert page.find_elements(By.CSS_SELECTOR, "table#challenges") == []
    assert elsewhere(requested(page)) == []
    assert script_errors(page) == []

    page.find_element(By.LINK_TEXT, GROWTH_CLAIM).click()
    WebDriverWait(page, WAIT_S).until(lambda b: b.title == f"Evidence map: {GROWTH_CLAIM}")
    node = f"{BASE}claim/badwe-growth-advantage"
    assert page.current_url == f"{service}/evidence-map?node={quote(node, safe='')}&format=html"
    assert page.find_element(By.CSS_SELECTOR, "p.kind").text.lower() == "claim"
    [finding] = rows(page, "supports")
    assert "Badwe 2013: distant progression-free survival" in finding[0]
    assert "HR 1.42, p = 0.01" in finding[3]
    assert elsewhere(requested(page)) == []


def test_the_claim_page_shows_the_challenge_and_links_its_json(
    page: WebDriver, service: str
) -> None:
    page.get(f"{service}/evidence-map?{urlencode({'node': 'claim/badwe-no-os-benefit'})}")
    assert page.title == "Evidence map: Badwe: LRT gives no OS benefit; palliation only"
    assert len(rows(page, "supports")) == 3
    [soran] = rows(page, "challenges")
    assert "Soran 2018: overall survival" in soran[0]
    assert "HR 0.66 (95% CI 0.49 to 0.88)" in soran[3]

    page.find_element(By.LINK_TEXT, "JSON").click()
    WebDriverWait(page, WAIT_S).until(lambda b: "format=json" in b.current_url)
    shown = json.loads(page.find_element(By.TAG_NAME, "body").text)
    assert shown["summary"] == {"supporting": 3, "challenging": 1, "mixed": 0, "direct": 4}


def test_the_forest_plot_renders_as_svg_and_as_a_screenshot(
    page: WebDriver, service: str, tmp_path: Path
) -> None:
    page.get(f"{service}/synthesis?{urlencode(QUESTION, doseq=True)}&format=svg")
    assert page.execute_script("return document.documentElement.localName") == "svg"
    text = page.execute_script("return document.documentElement.textContent")
    for label in STUDIES:
        assert label in text
    drawn = page.execute_script(
        "return [...document.querySelectorAll('g[id^=study-row-], g[id^=pooled-]')]"
        ".map((g) => [g.id, g.getBBox().width, g.getBBox().height])"
    )
    assert [g[0] for g in drawn] == [*(f"study-row-{n}" for n in range(1, 5)), "pooled-1"]
    assert all(width > 0 and height > 0 for _, width, height in drawn)
    labels = page.execute_script(
        "return [...document.querySelectorAll('text')].filter((t) =>"
        " t.getBBox().width > 0).map((t) => t.textContent)"
    )
    assert {s for s in STUDIES if any(label.startswith(s) for label in labels)} == set(STUDIES)
    assert elsewhere(requested(page)) == []

    shot = tmp_path / "forest.png"
    screenshot(page, shot)


def test_the_synthesis_page_shows_the_plot_and_the_tables(page: WebDriver, service: str) -> None:
    page.get(f"{service}/synthesis?{urlencode(QUESTION, doseq=True)}")  # a browser gets the page
    assert page.title.startswith("Synthesis: overall survival")
    summary = page.find_element(By.ID, "summary").text
    assert summary.startswith("4 studies pooled, 1 not pooled; hazard ratio, 95% CI.")
    studies = rows(page, "studies")
    assert [r[0].splitlines()[0] for r in studies] == [f"{s}: overall survival" for s in STUDIES]
    fitzal = studies[STUDIES.index("Fitzal 2019")]
    assert fitzal[1] == "HR 0.691 (95% CI 0.358 to 1.333)" and "inverted" in fitzal[3]
    [pooled] = rows(page, "pooled")
    assert pooled[0] == "Random effects (REML)" and pooled[1].startswith("0.9689 (0.716 to 1.311)")
    plot = page.find_element(By.CSS_SELECTOR, "figure svg")
    assert plot.size["width"] > 300 and plot.size["height"] > 200
    excluded = page.find_element(By.ID, "excluded").text
    assert "Badwe 2013: overall survival at 72 months" in excluded
    assert elsewhere(requested(page)) == []
    assert script_errors(page) == []
