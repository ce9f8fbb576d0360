"""Time the seven benchmark queries over HTTP on each server, side by side, in one run.

Usage::

    python -m bench.sparql --publications 10000        # generates bench/out/pubs-10k.nt if missing
    python -m bench.sparql -n 100000 --servers ours,oxigraph --runs 10

Prints, per query and server, the median and p95 of the timed runs, the number of rows (or
distinct triples), and the ratio of each median to ``oxigraph serve``'s; then each server's load
time and memory, the targets, and a one-line JSON summary. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.generate import default_output, write_file
from bench.report import code_version, markdown_table, ms, progress, rounded
from bench.sparql.queries import Query, count, digest, load_queries, parameters
from bench.sparql.servers import LABELS, Server, start

_TIMES = "\u00d7"  # the multiplication sign of "1.05x"
_TARGET_RATIO = 1.1  # our median at most 1.1x oxigraph serve's, on every query


class RequestFailed(Exception):
    """A request that did not come back with a 200 in time."""


class Client:
    """One keep-alive HTTP/1.1 connection to one server: the same client code for every server."""

    def __init__(self, endpoint: str, timeout_s: float) -> None:
        parts = urlsplit(endpoint)
        self.path = parts.path
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
        self._last_used = 0.0

    def get(self, query: Query) -> tuple[float, bytes]:
        """Send ``query`` (GET), read the whole answer; return the seconds it took and the body."""
        return self.fetch(f"{self.path}?{urlencode({'query': query.text})}", query.accept)

    def fetch(self, target: str, accept: str) -> tuple[float, bytes]:
        """GET ``target`` (a path and query string), read the whole answer; return the seconds
        it took and the body."""
        try:
            if time.monotonic() - self._last_used > 2:  # servers drop idle connections: untimed
                self._connection.close()
                self._connection.connect()
            started = time.perf_counter()
            self._connection.request("GET", target, headers={"Accept": accept})
            response = self._connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            self._connection.close()
            raise RequestFailed(f"{type(error).__name__}: {error}") from None
        seconds = time.perf_counter() - started
        self._last_used = time.monotonic()
        if response.status != 200:
            raise RequestFailed(f"HTTP {response.status}: {body[:200].decode(errors='replace')}")
        return seconds, body

    def close(self) -> None:
        self._connection.close()


@dataclass
class Timing:
    """One query on one server."""

    seconds: list[float] = field(default_factory=list)
    count: int | None = None
    digest: str | None = None
    error: str | None = None

    @property
    def median_ms(self) -> float | None:
        return 1000 * statistics.median(self.seconds) if self.seconds else None

    @property
    def p95_ms(self) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return 1000 * ordered[math.ceil(0.95 * len(ordered)) - 1]


def measure(
    queries: list[Query], servers: list[Server], runs: int, warmup: int, timeout_s: float
) -> dict[str, dict[str, Timing]]:
    """Warm-up runs, then ``runs`` timed runs of each query, taking the servers in turn (the
    first server changes every run, so a busy moment of the machine hits them all)."""
    clients = {s.key: Client(s.endpoint, timeout_s) for s in servers}
    results: dict[str, dict[str, Timing]] = {}
    try:
        for query in queries:
            timings = results[query.name] = {s.key: Timing() for s in servers}
            for key, client in clients.items():
                timing = timings[key]
                try:
                    for _ in range(max(1, warmup)):
                        _, body = client.get(query)
                    timing.count = count(body, query.construct)
                    timing.digest = digest(body, query.construct)
                except RequestFailed as error:
                    timing.error = f"warm-up: {error}"
            for run in range(runs):
                turn = run % len(servers)
                for server in servers[turn:] + servers[:turn]:
                    timing = timings[server.key]
                    if timing.error is not None:
                        continue
                    try:
                        seconds, _ = clients[server.key].get(query)
                    except RequestFailed as error:
                        timing.error = f"run {run + 1}: {error}"
                        continue
                    timing.seconds.append(seconds)
            progress(
                f"{query.name}: "
                + ", ".join(f"{LABELS[k]} {ms(t.median_ms)} ms" for k, t in timings.items())
            )
    finally:
        for client in clients.values():
            client.close()
    return results


def _ratio(timing: Timing, base: Timing | None) -> float | None:
    if base is None or timing.median_ms is None or not base.median_ms:
        return None
    return timing.median_ms / base.median_ms


def _mismatches(query: Query, timings: dict[str, Timing]) -> list[str]:
    counts = {LABELS[k]: t.count for k, t in timings.items() if t.count is not None}
    found = []
    if len(set(counts.values())) > 1:
        found.append(f"{query.name}: row counts differ: {counts}")
    digests = {LABELS[k]: t.digest for k, t in timings.items() if t.digest is not None}
    if query.deterministic and len(set(counts.values())) == 1 and len(set(digests.values())) > 1:
        found.append(f"{query.name}: same row count, different rows: {digests}")
    return found


def report(
    queries: list[Query],
    servers: list[Server],
    results: dict[str, dict[str, Timing]],
    memory: dict[str, tuple[float, float]],
    meta: dict[str, Any],
) -> None:
    """Print the query table, the server table, the targets and the JSON summary."""
    keys = [s.key for s in servers]
    mismatches = [m for q in queries for m in _mismatches(q, results[q.name])]
    rows = [["query", "rows", *(f"{LABELS[k]} ms" for k in keys)]]
    for query in queries:
        timings = results[query.name]
        counts = {t.count for t in timings.values() if t.count is not None}
        agreed = len(counts) == 1
        row = [query.name, f"{min(counts):,}" if agreed else "MISMATCH" if counts else "-"]
        for key in keys:
            t, ratio = timings[key], _ratio(timings[key], timings.get("oxigraph"))
            if t.median_ms is None:
                row.append(f"failed ({t.error})" if t.error else "-")
                continue
            cell = f"{ms(t.median_ms)} / {ms(t.p95_ms)}"
            cell += f" ({ratio:.2f}{_TIMES})" if ratio is not None else ""
            if t.error:
                cell += " failed later"
            if not agreed:
                cell += f" n={t.count}"
            row.append(cell)
        rows.append(row)
    print(
        f"\n{meta['publications']:,} publications, {meta['triples']:,} triples, service at "
        f"{meta['code']}: median / p95 ms of {meta['runs']} runs after {meta['warmup']} "
        "warm-up(s), (median / oxigraph serve's)\n"
    )
    print(markdown_table(rows, right=set(range(1, len(keys) + 2))))

    rows = [["server", "load s", "start s", "RSS MiB", "peak RSS MiB"]]
    for server in servers:
        rss, peak = memory[server.key]
        load = server.load_s + server.start_s
        rows.append(
            [server.label, f"{load:.1f}", f"{server.start_s:.1f}", f"{rss:,.0f}", f"{peak:,.0f}"]
        )
    print(
        "\nload s: from the file to the first answer (bulk load, or parse in the server, plus "
        "start); RSS: the server and its child processes, after the runs\n"
    )
    print(markdown_table(rows, right={1, 2, 3, 4}))

    targets = _targets(queries, results)
    for line in targets["lines"]:
        print(line)
    for mismatch in mismatches:
        print(f"!!! MISMATCH {mismatch}")
        print(f"!!! MISMATCH {mismatch}", file=sys.stderr)

    summary = {
        **meta,
        "servers": {
            s.key: {
                "load_s": round(s.load_s + s.start_s, 2),
                "start_s": round(s.start_s, 2),
                "rss_mib": round(memory[s.key][0]),
                "peak_rss_mib": round(memory[s.key][1]),
            }
            for s in servers
        },
        "queries": {
            q.name: {
                k: {
                    "median_ms": rounded(t.median_ms),
                    "p95_ms": rounded(t.p95_ms),
                    "count": t.count,
                    "ratio": rounded(_ratio(t, results[q.name].get("oxigraph"))),
                    **({"error": t.error} if t.error else {}),
                }
                for k, t in results[q.name].items()
            }
            for q in queries
        },
        "targets_missed": targets["missed"],
        "mismatches": mismatches,
    }
    print("\n" + json.dumps(summary, separators=(",", ":")))


def _targets(queries: list[Query], results: dict[str, dict[str, Timing]]) -> dict[str, Any]:
    """Our median at most 1.1x oxigraph serve's, and below rdflib-endpoint's, on every query."""
    missed: dict[str, list[str]] = {}
    lines = []
    for peer, label, ok in (
        (
            "oxigraph",
            f"at most {_TARGET_RATIO}{_TIMES} oxigraph serve",
            lambda r: r <= _TARGET_RATIO,
        ),
        ("rdflib", "faster than rdflib-endpoint", lambda r: r < 1),
    ):
        if peer not in results[queries[0].name] or "ours" not in results[queries[0].name]:
            continue
        ratios = {q.name: _ratio(results[q.name]["ours"], results[q.name][peer]) for q in queries}
        missed[peer] = [name for name, r in ratios.items() if r is None or not ok(r)]
        shown = ", ".join(f"{n} {_ratio_text(ratios[n])}" for n in missed[peer]) or "none"
        met = len(queries) - len(missed[peer])
        lines.append(f"target {label}: met on {met}/{len(queries)}; missed: {shown}")
    return {"missed": missed, "lines": ["", *lines] if lines else []}


def _ratio_text(ratio: float | None) -> str:
    return "(no figure)" if ratio is None else f"({ratio:.2f}{_TIMES})"


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # runs the finally blocks: the servers are stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sparql", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--publications",
        "-n",
        type=int,
        default=10_000,
        help="size of the generated graph (default 10000)",
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="timed runs per query and server (default 20)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed runs first, at least 1 (default 2)"
    )
    parser.add_argument(
        "--servers",
        default=",".join(LABELS),
        help=f"comma-separated subset of {','.join(LABELS)} (default all)",
    )
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds a request may take (default 300)"
    )
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.servers.split(",") if k.strip()]
    unknown = set(keys) - set(LABELS)
    if unknown or not keys:
        parser.error(f"unknown server(s) {', '.join(sorted(unknown))}: use {', '.join(LABELS)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    path = default_output(args.publications)
    if not path.exists():
        stats = write_file(args.publications, 1, path)
        progress(f"generated {stats.triples:,} triples in {stats.seconds:.1f} s -> {path}")
    path = path.resolve()
    queries = load_queries(parameters(path, args.publications))
    with path.open("rb") as lines:
        triples = sum(chunk.count(b"\n") for chunk in iter(lambda: lines.read(1 << 24), b""))
    meta = {
        "publications": args.publications,
        "triples": triples,
        "runs": args.runs,
        "warmup": args.warmup,
        "code": code_version("api", "graph"),
    }

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="bench-sparql-") as workdir:
        try:
            for key in (k for k in LABELS if k in keys):
                progress(f"loading and starting {LABELS[key]}...")
                server = start(key, path, Path(workdir), query_timeout_s=10 * args.timeout)
                servers.append(server)
                server.wait_ready(timeout_s=3600)
                progress(
                    f"  {server.label}: load {server.load_s:.1f} s, start {server.start_s:.1f} s"
                )
            results = measure(queries, servers, args.runs, args.warmup, args.timeout)
            memory = {s.key: s.rss_mib() for s in servers}
        except RuntimeError as error:  # a server that did not start
            progress(f"error: {error}")
            return 1
        finally:
            for server in servers:
                server.stop()
    report(queries, servers, results, memory, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
