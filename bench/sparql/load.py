"""Time a validated load of the generated graph into an external ``oxigraph serve`` (the
``sparql`` store) beside the same load into the embedded on-disk store, in one run.

Both go through the whole write path (parse, match, validate with the shapes, commit); the
external one sends the batch by Graph Store POST in chunks and its provenance last. Prints
triples/s for each and the ratio. Nothing asserts on time.

Usage::

    python -m bench.sparql.load --publications 10000
"""

import argparse
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.generate import default_output, write_file
from bench.report import code_version, markdown_table, progress
from bench.sparql.servers import _executable, _free_port
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.sparql_client import PROFILES, SparqlClient
from graph.sparql_store import SparqlStore
from graph.writes import load

__all__ = ["main"]

BASE_IRI = "http://127.0.0.1:8000/id/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", "-n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", type=Path, help="the generated graph (default bench/out)")
    parser.add_argument(
        "--stores",
        default="embedded,external",
        help="comma-separated subset of embedded,external (default both)",
    )
    args = parser.parse_args(argv)
    data = args.file or default_output(args.publications)
    if not data.exists():
        progress(f"generating {data}")
        write_file(args.publications, args.seed, data)
    stores = set(args.stores.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        if "embedded" in stores:
            embedded = OxigraphStore(Path(folder) / "embedded")
            rows.append(_timed("embedded oxigraph store", embedded, data))
            embedded.close()
        if "external" in stores:
            rows.append(_external(folder, data))
    first = rows[0][1]
    table = [["store", "seconds", "triples/s", "vs the first"]]
    table += [[name, f"{s:.1f}", f"{n / s:,.0f}", f"{s / first:.2f}"] for name, s, n in rows]
    print(f"code {code_version('graph', 'bench')}, {data.name}")
    print(markdown_table(table, right={1, 2, 3}))
    return 0


def _external(folder: str, data: Path) -> tuple[str, float, int]:
    """The load into an ``oxigraph serve`` started for it, stopped after by its pid."""
    port = _free_port()
    engine = subprocess.Popen(
        [str(_executable("oxigraph")), "serve", "--location", f"{folder}/engine",
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(port)
        base = f"http://127.0.0.1:{port}"
        profile = PROFILES["oxigraph"]
        client = SparqlClient(f"{base}/query", f"{base}/update", f"{base}/store", profile)
        row = _timed("external oxigraph serve (sparql store)", SparqlStore(client), data)
        client.close()
    finally:
        engine.terminate()
        engine.wait(timeout=30)
    return row


def _timed(name: str, store, data: Path) -> tuple[str, float, int]:
    progress(f"loading {data.name} into the {name}")
    started = time.perf_counter()
    with data.open("rb") as stream:
        result = load(store, [Source(data.name, stream, "ntriples")], BASE_IRI, "bench")
    return name, time.perf_counter() - started, result.triples


def _wait(port: int) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("oxigraph serve did not answer")


if __name__ == "__main__":
    sys.exit(main())
