"""`evidence-graph serve` as a user runs it: a real uvicorn server on 127.0.0.1."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from tests.conftest import data_dir_held

EXE = shutil.which("evidence-graph", path=str(Path(sys.executable).parent)) or "evidence-graph"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [EXE, "serve", "--port", str(port), *args],
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read()
            with suppress(httpx.TransportError):  # not listening yet
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def test_serve_loads_the_examples_into_an_empty_store_once(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    with serving("--data-dir", data, cwd=tmp_path) as url:
        health = httpx.get(f"{url}/health").json()
        page = httpx.get(url)
        openapi = httpx.get(f"{url}/openapi.json").json()
    assert {"/health", "/"} <= set(openapi["paths"])
    assert health["status"] == "ok" and health["graphs"] == 2 and health["quads"] > 800
    assert page.headers["content-type"].startswith("text/html")
    for source in (
        "evidence.ttl",
        "publications.ttl",
        "studies.ttl",
        "claims.ttl",
        "citations.ttl",
    ):
        assert source in page.text
    with serving("--data-dir", data, cwd=tmp_path) as url:  # a second start finds the store filled
        assert httpx.get(f"{url}/health").json() == health


def test_serve_on_the_memory_store_without_examples(tmp_path: Path) -> None:
    with serving(
        cwd=tmp_path,
        env={"EVIDENCE_GRAPH_STORE": "memory", "EVIDENCE_GRAPH_LOAD_EXAMPLES": "false"},
    ) as url:
        assert httpx.get(f"{url}/health").json() == {"status": "ok", "quads": 0, "graphs": 0}
    assert not (tmp_path / "data").exists()


def test_serve_on_a_busy_data_directory_says_so(tmp_path: Path) -> None:
    with data_dir_held(tmp_path / "data"):
        done = subprocess.run(
            [EXE, "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "data")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "in use by another evidence-graph process" in done.stderr
    assert "Traceback" not in done.stderr
