"""A real uvicorn server on 127.0.0.1 (port 0) over an on-disk store with the examples; the
``evidence-graph`` command line in a real subprocess."""

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from graph.settings import Settings
from graph.store import Store
from tests.api.browser import browser, downloads, page  # noqa: F401 - fixtures for the page tests


@contextmanager
def running(settings: Settings, store: Store | None = None) -> Iterator[tuple[str, FastAPI]]:
    """Serve ``create_app(settings, store)`` on a free port; yield its base URL and the app."""
    app = create_app(settings, store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running service with the example evidence loaded."""
    data_dir = tmp_path_factory.mktemp("service") / "data"
    with running(Settings(data_dir=data_dir)) as (url, _):
        yield url


def problem(response: httpx.Response, status: int) -> dict:
    """The body of an ``application/problem+json`` answer with ``status``, checked for the
    members every problem has."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


EXE = shutil.which("evidence-graph", path=str(Path(sys.executable).parent)) or "evidence-graph"
Run = Callable[..., subprocess.CompletedProcess]


def command_line(data_dir: Path) -> Run:
    """``run(*args, stdin=None, store_args=True)`` runs ``evidence-graph ARGS --data-dir D`` in a
    subprocess (the base IRI the tests use) and checks it printed no traceback."""
    env = {**os.environ, "EVIDENCE_GRAPH_BASE_IRI": "http://127.0.0.1:8000/id/"}

    def run(
        *args: str, stdin: str | None = None, store_args: bool = True
    ) -> subprocess.CompletedProcess:
        extra = ["--data-dir", str(data_dir)] if store_args else []
        done = subprocess.run(
            [EXE, *args, *extra], input=stdin, capture_output=True, text=True, timeout=120, env=env
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    return run
