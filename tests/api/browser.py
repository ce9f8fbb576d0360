"""Headless Chromium for the page tests: Debian's chromium driven through Debian's
chromedriver with Selenium. The browser can resolve no host but 127.0.0.1, so a page that needs
a CDN breaks, and every request a page makes can be read back from the browser's network log.

The fixtures (``downloads``, ``browser``, ``page``) are made available to the tests of this
folder by ``tests/api/conftest.py``.
"""

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import matplotlib.image
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

__all__ = [
    "WAIT_S",
    "browser",
    "downloads",
    "elsewhere",
    "page",
    "requested",
    "screenshot",
    "script_errors",
]

WAIT_S = 30  # an upper bound on a busy machine; each wait ends as soon as it can


def _find(program: str) -> str:
    """The path of a Debian package's program; in CI (which installs it) a missing one fails."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    """One headless Chromium for the module, that can reach 127.0.0.1 and nothing else."""
    options = webdriver.ChromeOptions()
    options.binary_location = _find("chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1024",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # The driver named explicitly: Selenium Manager is skipped and nothing is downloaded.
    driver = webdriver.Chrome(
        options=options, service=Service(executable_path=_find("chromedriver"))
    )
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: WebDriver) -> WebDriver:
    """The browser, its network and console logs emptied of what earlier tests did."""
    browser.get("about:blank")
    browser.get_log("performance")
    browser.get_log("browser")
    return browser


def requested(browser: WebDriver) -> list[str]:
    """Every URL the browser requested since the logs were last read."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def elsewhere(urls: list[str]) -> list[str]:
    """The URLs that go to a host other than 127.0.0.1 (data: and about: URLs go nowhere)."""
    parts = [(u, urlsplit(u)) for u in urls]
    return [u for u, p in parts if p.scheme not in ("data", "about") and p.hostname != "127.0.0.1"]


def script_errors(browser: WebDriver) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["source"] == "javascript"]


def screenshot(driver: WebDriver, path: Path) -> None:
    """Save what the browser shows to ``path`` and check it is a drawn PNG, not a blank page."""
    assert driver.save_screenshot(str(path))
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.min() < 0.5 < pixels.max()
