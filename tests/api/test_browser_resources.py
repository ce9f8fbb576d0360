"""The linked-data pages in a real browser: headless Chromium through chromedriver (the
fixtures of test_browser.py: it reaches 127.0.0.1 and nothing else). A person walks from a
paper to the hypothesis its finding supports, on to the mouse study behind it, and along the
citation chain by clicking the picture."""

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.browser import WAIT_S, elsewhere, requested, screenshot, script_errors

BADWE = "Badwe 2013 (SABCS abstract S2-02)"
HYPOTHESIS = "Removal of the primary tumour accelerates distant metastases"
FISHER = "Fisher 1989 (Cancer Res)"
ASCOPOST = "ASCO Post 2014 (news item)"


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: $EVIDENCE_GRAPH_TEST_ARTIFACTS when set, else the test's tmp_path."""
    folder = Path(os.environ.get("EVIDENCE_GRAPH_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def click_to(driver: WebDriver, css: str, title: str) -> None:
    """Click the element ``css`` and wait for the page titled ``title``."""
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, WAIT_S).until(lambda b: b.title == title)


def drawn(driver: WebDriver) -> list[dict]:
    """Each publication the neighbourhood picture draws: its link, id and on-screen size."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#neighbourhood svg a')].map((a) => {"
        " const box = a.getBBox(); return {href: a.getAttribute('href'), id: a.id,"
        " width: box.width, height: box.height}; })"
    )


def test_a_walk_from_a_paper_to_the_hypothesis_and_the_mouse_study(
    page: WebDriver, service: str, artifacts: Path
) -> None:
    page.get(f"{service}/id/publication/badwe2013")  # the browser's own Accept asks for HTML
    assert page.title == BADWE
    assert page.find_element(By.TAG_NAME, "h1").text == BADWE
    pictured = drawn(page)
    assert {d["href"] for d in pictured} == {
        "/id/publication/badwe2013",
        "/id/publication/ascopost2014",
        "/id/publication/fisher1989",
    }
    assert all(d["width"] > 0 and d["height"] > 0 for d in pictured)
    [focus] = [d for d in pictured if d["id"] == "focus"]
    assert focus["href"] == "/id/publication/badwe2013"
    page.execute_script(
        "document.getElementById('neighbourhood').scrollIntoView({block: 'center'})"
    )
    shot = artifacts / "publication-badwe2013.png"
    screenshot(page, shot)

    click_to(page, "#hypotheses a[href$='/primary-removal-accelerates-metastases']", HYPOTHESIS)
    assert page.current_url == f"{service}/id/hypothesis/primary-removal-accelerates-metastases"
    evidence = page.find_element(By.ID, "evidence").text
    assert "Badwe 2013: distant progression-free survival" in evidence
    assert page.find_element(By.ID, "evidence-map").get_attribute("href") == (
        f"{service}/hypotheses/primary-removal-accelerates-metastases/evidence"
    )

    click_to(page, "#evidence a[href='/id/publication/fisher1989']", FISHER)
    assert page.current_url == f"{service}/id/publication/fisher1989"
    studies = page.find_element(By.ID, "studies").text
    assert "Fisher laboratory mouse study" in studies
    assert "Fisher: removal of the primary" in page.find_element(By.ID, "claims").text
    [focus] = [d for d in drawn(page) if d["id"] == "focus"]
    assert focus["href"] == "/id/publication/fisher1989"

    click_to(page, "#neighbourhood svg a[href='/id/publication/ascopost2014']", ASCOPOST)
    assert page.current_url == f"{service}/id/publication/ascopost2014"
    cites = page.find_element(By.ID, "cites").text
    assert BADWE in cites and FISHER in cites
    assert elsewhere(requested(page)) == []
    assert script_errors(page) == []


def test_the_evidence_map_links_back_to_the_pages(page: WebDriver, service: str) -> None:
    page.get(f"{service}/hypotheses/primary-removal-accelerates-metastases/evidence")
    click_to(
        page,
        "table#supports a[href='/id/study/fisher-mouse-growth-factor']",
        ("Fisher laboratory mouse study of serum growth factor after primary tumour removal"),
    )
    assert page.find_element(By.CSS_SELECTOR, "p.kind").text.lower() == "study"
    facts = page.find_element(By.ID, "facts").text
    assert FISHER in facts and "in vivo design (animal study)" in facts
    assert elsewhere(requested(page)) == []


def test_an_unknown_iri_shows_a_small_page(page: WebDriver, service: str) -> None:
    page.get(f"{service}/id/publication/nobody2099")
    assert page.title == "Not found"
    assert page.find_element(By.ID, "iri").text == "http://127.0.0.1:8000/id/publication/nobody2099"
    assert elsewhere(requested(page)) == []
