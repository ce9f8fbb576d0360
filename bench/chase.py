"""Time citation chases on a generated graph, beside the stored SPARQL query they extend.

The generated file is bulk-loaded into an on-disk store (as ``bench.evidence`` does; or an
existing store is reused with ``--store-dir``). Seeds are picked with SPARQL: the 10th most
cited paper (one of the 10 most cited, as the target names), a paper of median citation count,
and a batch of 20 papers drawn at random (seeded). Timed, in one process, in turns:

* ``citation-chain`` (the stored query) backward and forward, 2 hops, from the single seed:
  the SPARQL baseline, which neither merges the two directions nor ranks;
* ``chase`` both directions, 2 hops, ranked by relatedness (co-citation + coupling), keeping
  the best 100 (the records returned are described: title, authors, identifiers...), from the
  single seed, the batch and the median seed; and keeping all the median seed's records (all
  of the others' would be most of the graph, described at about 1 ms a record).

Then the two targets again through the store process that ``serve`` uses (``WorkerStore``: every
query's answer crosses a pipe). Each operation runs ``--warmup`` times untimed, then ``--runs``
times; it prints the median and minimum, what it found, and its ratio to the baseline. Nothing
asserts on time.

Usage::

    python -m bench.chase -n 100000 --runs 5
    python -m bench.chase -n 100000 --store-dir /tmp/chase-100k   # loads it once, then reuses it
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import queries
from bench.evidence import bulk_load
from bench.generate import BASE_IRI, default_output, write_file
from bench.report import code_version, markdown_table, ms, progress
from graph.chase import ChaseRequest, ChaseResult, chase
from graph.oxigraph_store import OxigraphStore
from graph.settings import Settings
from graph.store import Store
from graph.stored_queries import load_catalogue
from graph.worker import WorkerStore

#: The issue's targets, in seconds, by operation.
TARGETS = {"chase single seed, best 100": 0.2, "chase batch of 20, best 100": 2.0}


@dataclass
class Operation:
    name: str
    call: Callable[[], object]
    size: Callable[[object], str]
    times: list[float] = field(default_factory=list)
    found: str = ""
    error: str | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times) * 1000 if self.times else None


def pick_seeds(store: Store) -> tuple[str, str, list[str]]:
    """The 10th most cited paper, a paper of median citation count, and 20 random papers."""
    counts = store.query(
        "SELECT ?p (COUNT(?c) AS ?n) WHERE { ?c <http://purl.org/spar/cito/cites> ?p } "
        "GROUP BY ?p ORDER BY DESC(?n) ?p"
    ).rows
    ranked = [str(p) for p, _ in counts]
    papers = sorted(
        str(p)
        for (p,) in store.query(
            "SELECT ?p WHERE { ?p a <http://purl.org/spar/fabio/JournalArticle> }"
        ).rows
    )
    return ranked[9], ranked[len(ranked) // 2], random.Random(1).sample(papers, 20)


def chases(store: Store, single: str, median: str, batch: list[str]) -> list[Operation]:
    def run(seeds: list[str], limit: int | None) -> Callable[[], ChaseResult]:
        request = ChaseRequest(tuple(seeds), "both", 2, "relatedness", limit)
        return lambda: chase(store, request, BASE_IRI)

    return [
        Operation("chase single seed, best 100", run([single], 100), _found),
        Operation("chase batch of 20, best 100", run(batch, 100), _found),
        Operation("chase median seed, best 100", run([median], 100), _found),
        Operation("chase median seed, all", run([median], None), _found),
    ]


def measure(ops: list[Operation], runs: int, warmup: int) -> None:
    for turn in range(warmup + runs):
        for op in ops[turn % len(ops) :] + ops[: turn % len(ops)]:
            if op.error:
                continue
            started = time.perf_counter()
            try:
                result = op.call()
            except Exception as error:  # shown in the table; the others go on
                op.error = f"{type(error).__name__}: {error}"
                continue
            if turn >= warmup:
                op.times.append(time.perf_counter() - started)
            op.found = op.size(result)
        progress(f"  run {turn + 1} of {warmup + runs} done")


def _found(result: object) -> str:
    assert isinstance(result, ChaseResult)
    return (
        f"{result.total:,} found, {len(result.records):,} returned, {result.citations:,} citations"
    )


def _rows(result: object) -> str:
    return f"{sum(len(r.rows) for r in result):,} rows"  # type: ignore[attr-defined]


def report(ops: list[Operation], baseline: Operation, meta: dict) -> None:
    rows = [["operation", "median ms", "min ms", "ratio to baseline", "result"]]
    for op in ops:
        ratio = (
            f"{op.median_ms / baseline.median_ms:.2f}"
            if op.median_ms and baseline.median_ms and op is not baseline
            else "-"
        )
        low = ms(min(op.times) * 1000) if op.times else "-"
        rows.append([op.name, ms(op.median_ms), low, ratio, op.error or op.found])
    print(markdown_table(rows, {1, 2, 3}))
    print()
    for name, target in TARGETS.items():
        op = next(o for o in ops if o.name == name)
        met = op.median_ms is not None and op.median_ms <= target * 1000
        print(f"target, {name}: under {target * 1000:,.0f} ms: {'met' if met else 'missed'}")
    print(json.dumps(meta | {o.name: o.median_ms and round(o.median_ms, 1) for o in ops}))


def run(store_dir: Path, runs: int, warmup: int) -> tuple[list[Operation], Operation, dict]:
    store = OxigraphStore(store_dir)
    try:
        single, median, batch = pick_seeds(store)
        progress(f"seeds: {single} (10th most cited), {median} (median), 20 at random")
        chain = load_catalogue([queries.folder()])["citation-chain"]
        bound = [
            chain.bind({"publication": single, "direction": d, "hops": "2"})
            for d in ("backward", "forward")
        ]
        baseline = Operation(
            "citation-chain query, backward + forward",
            lambda: [store.query(b.sparql, b.bindings) for b in bound],
            _rows,
        )
        ops = [baseline, *chases(store, single, median, batch)]
        progress("timing in this process...")
        measure(ops, runs, warmup)
    finally:
        store.close()
    worker = WorkerStore(Settings(data_dir=store_dir), 600)
    try:
        served = [
            op
            for op in chases(worker, single, median, batch)
            if op.name in ("chase single seed, best 100", "chase batch of 20, best 100")
        ]
        for op in served:
            op.name += " (store process)"
        progress("timing through the store process...")
        measure(served, runs, warmup)
    finally:
        worker.close()
    meta = {"single": single, "median": median, "batch": batch}
    return [*ops, *served], baseline, meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.chase", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--publications", "-n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs each (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--store-dir", type=Path, help="load here once and reuse it after")
    parser.add_argument("--file", type=Path, help="the N-Triples file, generated there if missing")
    args = parser.parse_args(argv)
    path = args.file or default_output(args.publications, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-chase-") as workdir:
        store_dir = args.store_dir or Path(workdir) / "store"
        if not (store_dir / "CURRENT").exists():
            if not path.exists():
                progress(f"generating {path}...")
                write_file(args.publications, args.seed, path)
            progress(f"bulk-loading {path}...")
            triples, seconds = bulk_load(path, store_dir)
            progress(f"  {triples:,} triples in {seconds:.1f} s")
        ops, baseline, meta = run(store_dir, args.runs, args.warmup)
    meta = {"publications": args.publications, "code": code_version("graph"), **meta}
    report(ops, baseline, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
