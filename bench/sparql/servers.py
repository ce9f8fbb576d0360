"""The servers compared, each holding the same graph in the named graph ``GRAPH`` and answering
SPARQL over HTTP on 127.0.0.1 with the union of graphs as default graph.

``start`` puts the data in (when the server does not load it itself), starts the server in a
session of its own, and returns at once; ``Server.wait_ready`` waits for its first answer, and
``Server.stop`` ends it and whatever it started, by process id.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from bench.sparql.queries import GRAPH

__all__ = ["LABELS", "Server", "start", "start_ours_with_queries"]

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
#: Each server's key (for ``--servers``) and label, in the order they are started and shown.
LABELS = {
    "oxigraph": "oxigraph serve",
    "ours": "evidence-graph serve",
    "ours-external": "evidence-graph serve on oxigraph serve",
    "memory": "in-memory app",
    "rdflib": "rdflib-endpoint",
}


@dataclass
class Server:
    """A running server and what it took to get there."""

    key: str
    endpoint: str
    process: subprocess.Popen[bytes]
    log: Path
    load_s: float  # data put in before the process started (0 when it loads the data itself)
    start_s: float = 0.0  # from the process start to its first answer

    @property
    def label(self) -> str:
        return LABELS[self.key]

    def wait_ready(self, timeout_s: float) -> None:
        """Wait until the server answers a query; fail with its log if it exits or takes longer
        than ``timeout_s``."""
        started = time.perf_counter()
        probe = f"{self.endpoint}?query={quote('ASK {}')}"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.label} exited ({self.process.returncode}):\n{self.tail()}"
                )
            # not listening yet: an OSError (URLError is one), and the next try
            with contextlib.suppress(OSError), urllib.request.urlopen(probe, timeout=5) as answer:
                if answer.status == 200:
                    break
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(
                    f"{self.label} did not answer in {timeout_s:g} s:\n{self.tail()}"
                )
            time.sleep(0.2)
        self.start_s = time.perf_counter() - started

    def rss_mib(self) -> tuple[float, float]:
        """Resident memory of the server and its child processes: now, and the sum of peaks."""
        pids = _tree(self.process.pid)
        return _status_mib(pids, "VmRSS"), _status_mib(pids, "VmHWM")

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the server (a clean shut-down), then SIGKILL to what is left of its
        session: the store process our service starts."""
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def start(key: str, data: Path, workdir: Path, query_timeout_s: float) -> Server:
    """Load ``data`` for the server ``key`` in ``workdir`` and start it on a free port."""
    return _STARTERS[key](data, workdir, query_timeout_s)


def start_ours_with_queries(data: Path, workdir: Path, queries_dir: Path) -> Server:
    """This service, with the stored queries in ``queries_dir`` next to its own."""
    return _start_ours(data, workdir, 3600, queries_dir)


def _start_ours(
    data: Path, workdir: Path, query_timeout_s: float, queries_dir: Path | None = None
) -> Server:
    store_dir = workdir / "evidence-graph"
    started = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    store.flush()
    del store  # closes the store: the service opens it next
    load_s = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_GRAPH_")}
    env |= {
        "EVIDENCE_GRAPH_DATA_DIR": str(store_dir),
        "EVIDENCE_GRAPH_LOAD_EXAMPLES": "false",
        "EVIDENCE_GRAPH_QUERY_TIMEOUT_S": str(query_timeout_s),
    }
    if queries_dir is not None:
        env["EVIDENCE_GRAPH_QUERIES_DIR"] = str(queries_dir)
    port = _free_port()
    command = [str(_executable("evidence-graph")), "serve", "--host", "127.0.0.1"]
    return _launch("ours", [*command, "--port", str(port)], f"{port}/sparql", workdir, load_s, env)


def _start_oxigraph(data: Path, workdir: Path, query_timeout_s: float) -> Server:
    store_dir, oxigraph = workdir / "oxigraph", str(_executable("oxigraph"))
    load_s = _oxigraph_load(oxigraph, data, store_dir)
    port = _free_port()
    command = [oxigraph, "serve", "--location", str(store_dir), "--union-default-graph"]
    command += ["--bind", f"127.0.0.1:{port}"]  # no --timeout-s: it cuts bodies (ADR 0007)
    return _launch("oxigraph", command, f"{port}/query", workdir, load_s)


def _oxigraph_load(oxigraph: str, data: Path, store_dir: Path) -> float:
    """Bulk-load ``data`` into ``GRAPH`` of a new oxigraph data directory; the seconds it took."""
    started = time.perf_counter()
    loaded = subprocess.run(
        [oxigraph, "load", "--location", str(store_dir), "--file", str(data), "--graph", GRAPH],
        capture_output=True,
        text=True,
    )
    if loaded.returncode != 0:
        raise RuntimeError(f"oxigraph load failed ({loaded.returncode}): {loaded.stderr[-2000:]}")
    return time.perf_counter() - started


def _start_python_app(module: str, needs: str | None = None) -> Callable[..., Server]:
    def start_app(data: Path, workdir: Path, query_timeout_s: float) -> Server:
        if needs is not None and importlib.util.find_spec(needs) is None:
            raise RuntimeError(f"{needs} is not installed: pip install -e '.[bench]'")
        port = _free_port()
        command = [sys.executable, "-m", f"bench.sparql.{module}", str(data), "--port", str(port)]
        return _launch(module.removesuffix("_app"), command, f"{port}/sparql", workdir, 0.0)

    return start_app


def _start_ours_on_oxigraph(data: Path, workdir: Path, query_timeout_s: float) -> Server:
    """This service with ``EVIDENCE_GRAPH_STORE=sparql`` on an ``oxigraph serve`` of its own
    holding the same data; both in one session, stopped together."""
    store_dir, oxigraph = workdir / "oxigraph-behind-ours", str(_executable("oxigraph"))
    load_s = _oxigraph_load(oxigraph, data, store_dir)
    engine, port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_GRAPH_")}
    env |= {
        "EVIDENCE_GRAPH_STORE": "sparql",
        "EVIDENCE_GRAPH_SPARQL_QUERY_URL": f"http://127.0.0.1:{engine}/query",
        "EVIDENCE_GRAPH_SPARQL_UPDATE_URL": f"http://127.0.0.1:{engine}/update",
        "EVIDENCE_GRAPH_SPARQL_STORE_URL": f"http://127.0.0.1:{engine}/store",
        "EVIDENCE_GRAPH_SPARQL_PROFILE": "oxigraph",
        "EVIDENCE_GRAPH_LOAD_EXAMPLES": "false",
        "EVIDENCE_GRAPH_QUERY_TIMEOUT_S": str(query_timeout_s),
    }
    serve_engine = [oxigraph, "serve", "--location", str(store_dir)]
    serve_engine += ["--bind", f"127.0.0.1:{engine}"]
    serve_ours = [str(_executable("evidence-graph")), "serve", "--host", "127.0.0.1"]
    serve_ours += ["--port", str(port)]
    # the engine first, then the service once the engine answers; one session for both
    script = (
        f"{_quoted(serve_engine)} & "
        f"{_quoted([sys.executable, '-c', _WAIT, str(engine)])}; "
        f"exec {_quoted(serve_ours)}"
    )
    return _launch("ours-external", ["bash", "-c", script], f"{port}/sparql", workdir, load_s, env)


_WAIT = """import sys, time, urllib.request
for _ in range(600):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/query?query=ASK%7B%7D", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
"""


def _quoted(command: list[str]) -> str:
    return " ".join("'" + part.replace("'", "'\\''") + "'" for part in command)


_STARTERS: dict[str, Callable[[Path, Path, float], Server]] = {
    "oxigraph": _start_oxigraph,
    "ours": _start_ours,
    "ours-external": _start_ours_on_oxigraph,
    "memory": _start_python_app("memory_app"),
    "rdflib": _start_python_app("rdflib_app", needs="rdflib_endpoint"),
}


def _launch(
    key: str,
    command: list[str],
    port_and_path: str,
    workdir: Path,
    load_s: float,
    env: dict[str, str] | None = None,
) -> Server:
    log = workdir / f"{key}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
    return Server(key, f"http://127.0.0.1:{port_and_path}", process, log, load_s)


def _executable(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing: pip install -e '.[bench]'")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def _status_mib(pids: list[int], field: str) -> float:
    total_kib = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        total_kib += sum(int(line.split()[1]) for line in lines if line.startswith(f"{field}:"))
    return total_kib / 1024
