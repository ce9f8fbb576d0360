"""Real SPARQL engines for the tests, each on free loopback ports with a fresh data directory,
proved to be the process answering, and stopped by its pid: ``oxigraph serve`` (PyPI
``oxigraph``) and Virtuoso Open Source 7 (Debian ``virtuoso-opensource-7-bin``). A missing
engine is an error, not a skip."""

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

from graph.sparql_client import SparqlClient
from graph.sparql_store import PROVENANCE_GRAPH, SparqlStore

__all__ = ["Engine", "emptied", "oxigraph_server", "virtuoso_server"]


@dataclass(frozen=True)
class Engine:
    """A running engine: its endpoints, and the marker triple only its own data holds."""

    query_url: str
    update_url: str
    store_url: str
    marker: str | None  # oxigraph: a triple loaded before it started proved who answers


def emptied(client: SparqlClient) -> SparqlClient:
    """``client``'s engine without the service's data: every graph dropped, but never an
    engine's own (Virtuoso's), which its profile names."""
    if not client.profile.system_graphs:
        client.update("DROP SILENT ALL")
        return client
    store = SparqlStore(client)
    for graph in [*store.named_graphs(), PROVENANCE_GRAPH]:
        client.update(f"DROP SILENT GRAPH <{graph}>")
    return client


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
        httpx.post(
            engine.update_url, data={"update": f"DELETE DATA {{ {triple} }}"}
        ).raise_for_status()
        yield engine  # empty: the marker has done its work
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


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {data}/virtuoso.db
ErrorLogFile = {data}/virtuoso.log
LockFile = {data}/virtuoso.lck
TransactionFile = {data}/virtuoso.trx
xa_persistent_file = {data}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {data}/virtuoso-temp.db
TransactionFile = {data}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
MaxClientConnections = 10
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {data}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {data}
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[Engine]:
    """Virtuoso on a fresh database in ``folder``, its SPARQL endpoint open to updates (the
    ``SPARQL`` user granted ``SPARQL_UPDATE``). Its log names the pid of the server that came
    online: it must be the one started here."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        raise RuntimeError("Virtuoso is not installed (virtuoso-opensource-7-bin)")
    data = folder / "virtuoso-data"
    data.mkdir(parents=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = data / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(data=data, sql_port=sql_port, http_port=http_port))
    console = data / "console.log"  # in the foreground it says at once what its log says late
    with console.open("wb") as out:
        server = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=data,
        )
    base = f"http://127.0.0.1:{http_port}"
    engine = Engine(f"{base}/sparql", f"{base}/sparql", f"{base}/sparql-graph-crud", None)
    try:
        _wait_for_log(console, server, seconds=60)
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba",
             'exec=GRANT SPARQL_UPDATE TO "SPARQL"; checkpoint;'],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
        yield engine
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_log(log: Path, server: subprocess.Popen, seconds: float) -> None:
    """Wait until the log says the server is online, with this process's pid."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {server.returncode}: see {log}")
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Server online at" in text:
            if f"(pid {server.pid})" not in text:
                raise RuntimeError(f"the Virtuoso online in {log} is not process {server.pid}")
            return
        time.sleep(0.2)
    raise RuntimeError(f"Virtuoso did not come online within {seconds} s")
