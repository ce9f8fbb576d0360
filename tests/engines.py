"""Real SPARQL engines for the tests: ``oxigraph serve`` (PyPI ``oxigraph``) on a free
loopback port with a fresh data directory, proved to be the process answering, stopped by its
pid."""

import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Engine", "oxigraph_server"]


@dataclass(frozen=True)
class Engine:
    """A running engine: its endpoints, and the marker triple only its own data holds."""

    query_url: str
    update_url: str
    store_url: str
    marker: str  # the subject IRI of a triple loaded into its data directory before it started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    return found


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[Engine]:
    """``oxigraph serve`` on a fresh data directory in ``folder``. A marker triple is loaded
    into the directory first, so an answer that holds it comes from this process and no other
    server on the port."""
    data = folder / "oxigraph-data"
    marker = f"urn:uuid:{uuid.uuid4()}"
    triple = f'<{marker}> <urn:evidence-graph:test#marker> "engine" .\n'
    subprocess.run(
        [_oxigraph(), "load", "--location", str(data), "--format", "nt"],
        input=triple.encode(),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [_oxigraph(), "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    engine = Engine(f"{base}/query", f"{base}/update", f"{base}/store", marker)
    try:
        _wait_for(engine, server)
        yield engine
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()


def _wait_for(engine: Engine, server: subprocess.Popen, seconds: float = 20.0) -> None:
    """Wait until the server answers, and check that the answer holds its marker."""
    ask = f"ASK {{ <{engine.marker}> ?p ?o }}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {server.returncode}")
        try:
            answer = httpx.post(
                engine.query_url,
                data={"query": ask},
                headers={"Accept": "application/sparql-results+json"},
                timeout=2,
            )
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if answer.status_code == 200 and answer.json()["boolean"] is True:
            return
        raise RuntimeError(f"another server answers on {engine.query_url}")
    raise RuntimeError(f"oxigraph serve did not answer within {seconds} s")
