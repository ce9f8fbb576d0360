"""Time evidence maps and synthesis on a generated graph, beside the stored SPARQL query they
extend.

The generated file is bulk-loaded into an on-disk store (pyoxigraph ``bulk_load`` into one named
graph, with that graph's provenance in the default graph as an import would give it; no
validation), then opened as ``OxigraphStore``. Two targets are picked from the data with SPARQL:
the hypothesis with the most direct supporters and challengers, and the (intervention,
comparator, outcome, measure) with the most studies, then findings, that print that comparative
estimate (one estimate per study is pooled); its concept IRIs and measure make the selection.

Timed, in the same store and the same process:

* ``hypothesis-evidence``: the stored query that lists the hypothesis's direct evidence (the
  baseline), run with ``store.query`` on its bound text;
* ``evidence_map`` and ``evidence_subgraph`` of the hypothesis, with their ratio to the baseline;
* ``synthesize`` (REML) of the selection, ``forest`` (the plot's model), and ``render`` of that
  plot as SVG and as PNG;
* ``record`` of the pooled result through the validated write path. It writes, so it runs last;
  each call gets a synthesis of its own (the same selection at another confidence level: 0.949,
  0.948, ...), whose pooled IRI is new, so that every call stores one. ``record`` of a result
  already held (it stores nothing) is timed too.

Each operation runs ``--warmup`` (2) times untimed, then ``--runs`` (10) times; the read
operations take turns within a run (the first one changes every run). It prints, per operation,
what it returned, the median and the minimum, the share of the time spent inside ``store.query``
and the number of queries sent, then a one-line JSON summary. An operation that fails is shown
with its error and the others still run. Nothing asserts on time.

Usage::

    python -m bench.evidence --publications 10000          # makes bench/out/pubs-10k.nt if missing
    python -m bench.evidence -n 100000 --runs 10
    python -m bench.evidence -n 600 --runs 1 --file /tmp/pubs-600.nt
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

import queries
from bench.generate import BASE_IRI, default_output, write_file
from bench.report import code_version, markdown_table, ms, progress, rounded
from graph.evidence_map import EvidenceMap, evidence_map, evidence_subgraph
from graph.forest_plot import ForestPlot, render
from graph.namespaces import DCTERMS, EV, PROV, RDF, RDFS, VOID, XSD
from graph.oxigraph_store import OxigraphStore
from graph.pooled_results import record
from graph.store import QueryResult, Store
from graph.stored_queries import load_catalogue
from graph.synthesis import MEASURES, Selection, Synthesis, synthesize
from graph.synthesis_report import forest
from graph.terms import to_ox

__all__ = ["main"]

#: The named graph the generated triples are loaded into (as ``bench.sparql`` does).
GRAPH = f"{BASE_IRI}graph/bench"
AGENT = "bench"
_TIMES = "\u00d7"
_PREFIXES = """PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_MOST_EVIDENCE = (
    _PREFIXES
    + """SELECT ?hypothesis (COUNT(*) AS ?links) WHERE {
  ?hypothesis a ev:Hypothesis .
  ?evidence ev:supports|ev:challenges ?hypothesis .
} GROUP BY ?hypothesis ORDER BY DESC(?links) ?hypothesis LIMIT 1"""
)
_MEASURE_TYPES = ", ".join(iri.n3() for iri in MEASURES.values())
#: The combination with the most studies (one estimate per study is pooled), then findings,
#: that print a comparative estimate of one measure. The measures are kept by HAVING, after the
#: grouping: ``VALUES ?type`` in the pattern made the set-up 3 times slower (pyoxigraph 0.5).
_MOST_FINDINGS = (
    _PREFIXES
    + f"""SELECT ?intervention ?comparator ?outcome ?type
       (COUNT(DISTINCT ?study) AS ?studies) (COUNT(DISTINCT ?finding) AS ?findings)
WHERE {{
  ?finding a ev:Finding ; ev:intervention ?intervention ; ev:comparator ?comparator ;
           ev:outcome ?outcome ; ev:study ?study ; ev:estimate ?estimate .
  ?estimate a ?type .
}} GROUP BY ?intervention ?comparator ?outcome ?type
HAVING (?type IN ({_MEASURE_TYPES}))
ORDER BY DESC(?studies) DESC(?findings) ?intervention ?comparator ?outcome ?type LIMIT 1"""
)
_FINDINGS_ANY_MEASURE = (
    _PREFIXES
    + """SELECT (COUNT(DISTINCT ?finding) AS ?findings) WHERE {
  ?finding a ev:Finding ; ev:intervention %s ; ev:comparator %s ; ev:outcome %s .
}"""
)


class TimedStore:
    """The store, with the time spent in ``query`` and the number of calls counted."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.seconds = 0.0
        self.calls = 0

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        started = time.perf_counter()
        try:
            return self._store.query(sparql, bindings)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1

    def __getattr__(self, name: str) -> Any:  # add_graph, named_graphs...: not counted
        return getattr(self._store, name)


@dataclass
class Operation:
    """One thing timed: how to run it, what to say about its result, and its timings."""

    name: str
    run: Callable[[], Any]
    size: Callable[[Any], str]
    baseline: bool = False  # compared with the stored query
    seconds: list[float] = field(default_factory=list)
    in_query: list[float] = field(default_factory=list)
    calls: int = 0
    result: Any = None
    error: str | None = None  # why it stopped, if it failed

    @property
    def median_ms(self) -> float | None:
        return 1000 * statistics.median(self.seconds) if self.seconds else None

    @property
    def min_ms(self) -> float | None:
        return 1000 * min(self.seconds) if self.seconds else None

    @property
    def query_share(self) -> float | None:
        if not self.seconds:
            return None
        return statistics.median(q / s for q, s in zip(self.in_query, self.seconds, strict=True))

    def ratio(self, base: Operation) -> float | None:
        """The median over ``base``'s, for an operation compared with the stored query."""
        if not self.baseline or self.median_ms is None or not base.median_ms:
            return None
        return self.median_ms / base.median_ms


def _call(op: Operation, store: TimedStore) -> tuple[float, float]:
    """Run ``op`` once: the seconds it took, and those spent in ``store.query``."""
    store.seconds, store.calls = 0.0, 0
    started = time.perf_counter()
    op.result = op.run()
    seconds = time.perf_counter() - started
    op.calls = store.calls
    return seconds, store.seconds


def measure(ops: list[Operation], store: TimedStore, runs: int, warmup: int) -> None:
    """``warmup`` untimed calls of each, then ``runs`` rounds in which each runs once, the
    first one changing every round."""
    for op in ops:
        for _ in range(warmup):
            _attempt(op, store)
    for run in range(runs):
        turn = run % len(ops)
        for op in ops[turn:] + ops[:turn]:
            timed = _attempt(op, store)
            if timed is not None:
                op.seconds.append(timed[0])
                op.in_query.append(timed[1])


def _attempt(op: Operation, store: TimedStore) -> tuple[float, float] | None:
    """``_call``, unless the operation failed already; a failure is kept and ends its runs."""
    if op.error is not None:
        return None
    try:
        return _call(op, store)
    except Exception as error:  # reported in the table: the other operations still run
        op.error = _reason(error)
        progress(f"  {op.name} failed: {op.error}")
        return None


def _reason(error: Exception) -> str:
    reason = f"{type(error).__name__}: {error}"
    report = getattr(error, "report", None)  # InvalidBatch: say which value broke which shape
    if report is not None and report.violations:
        v = report.violations[0]
        reason += f"; {v.path.rsplit('#', 1)[-1]} {v.value}: {v.message}"
    return reason


# ---------------------------------------------------------------------------------------------
# Set-up and targets
# ---------------------------------------------------------------------------------------------


def bulk_load(data: Path, store_dir: Path) -> tuple[int, float]:
    """Load ``data`` into a new store in ``store_dir``, in the named graph ``GRAPH``, with the
    graph's provenance in the default graph; return the number of triples and the seconds."""
    started = time.perf_counter()
    raw = ox.Store(str(store_dir))
    graph = ox.NamedNode(GRAPH)
    raw.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    triples = len(raw)
    # the graph's provenance, where an import puts it (graph.writes), for the links' columns
    agent = URIRef(f"{BASE_IRI}agent/{AGENT}")
    name, now = URIRef(GRAPH), datetime.now(UTC).isoformat(timespec="seconds")
    description = [
        (name, RDF.type, EV.Import),
        (name, RDFS.label, Literal(f"import of {data.name}")),
        (name, PROV.wasAttributedTo, agent),
        (name, PROV.generatedAtTime, Literal(now, datatype=XSD.dateTime)),
        (name, VOID.triples, Literal(triples)),
        (name, DCTERMS.source, Literal(data.name)),
        (agent, RDF.type, PROV.Agent),
        (agent, RDFS.label, Literal(AGENT)),
    ]
    default = ox.DefaultGraph()
    raw.extend(ox.Quad(*(to_ox(t) for t in triple), default) for triple in description)
    raw.flush()
    del raw  # closes it: OxigraphStore opens it next
    return triples, time.perf_counter() - started


@dataclass(frozen=True)
class Targets:
    hypothesis: str
    direct: int  # supports/challenges links to it
    selection: Selection
    studies: int  # with a finding that has a comparative estimate of the measure
    findings: int  # with a comparative estimate of the measure
    findings_any: int  # with the same intervention, comparator and outcome


def pick_targets(store: Store) -> Targets:
    rows = store.query(_MOST_EVIDENCE).rows
    if not rows:
        raise SystemExit("no hypothesis with evidence in the graph")
    hypothesis, direct = rows[0]
    rows = store.query(_MOST_FINDINGS).rows
    if not rows:
        raise SystemExit("no finding with a comparative estimate in the graph")
    intervention, comparator, outcome, type_, studies, findings = rows[0]
    measure = next(code for code, iri in MEASURES.items() if iri == type_)
    selection = Selection(
        (str(intervention),), (str(comparator),), str(outcome), measure=measure, methods=("REML",)
    )
    query = _FINDINGS_ANY_MEASURE % (intervention.n3(), comparator.n3(), outcome.n3())
    (findings_any,) = store.query(query).rows[0]
    return Targets(
        str(hypothesis), int(direct), selection, int(studies), int(findings), int(findings_any)
    )


# ---------------------------------------------------------------------------------------------
# What the results hold
# ---------------------------------------------------------------------------------------------


def _rows(result: QueryResult) -> str:
    return f"{len(result.rows):,} rows"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _map_size(m: EvidenceMap) -> str:
    direct = sum(1 for n in m.evidence if n["depth"] == 1)
    depth = max((n["depth"] for n in m.evidence), default=0)
    return (
        f"{len(m.evidence):,} evidence nodes ({direct:,} direct, depth <= {depth}), "
        f"{len(m.links):,} links, {len(m.cycles)} cycles"
    )


def _synthesis_size(s: Synthesis) -> str:
    return (
        f"{_count(len(s.contributions), 'study', 'studies')} pooled, {len(s.exclusions)} excluded"
    )


def _plot_size(p: ForestPlot) -> str:
    return f"{_count(len(p.rows), 'row')}, {_count(len(p.footnotes), 'footnote')}"


def _stored(recorded: list) -> str:
    return f"{sum(r.stored for r in recorded)} of {len(recorded)} stored"


def _bytes(data: bytes) -> str:
    return f"{len(data) / 1024:,.0f} KiB"


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def report(ops: list[Operation], meta: dict[str, Any]) -> None:
    """Print the targets, the table and the JSON summary."""
    base = ops[0]  # the stored query
    rows = [["operation", "result", "median ms", "min ms", "in SPARQL", "queries", "vs query"]]
    for op in ops:
        if op.median_ms is None or op.min_ms is None or op.query_share is None:
            rows.append([op.name, f"failed: {op.error}", "-", "-", "-", "-", ""])
            continue
        ratio = op.ratio(base)
        rows.append(
            [
                op.name,
                op.size(op.result) + (f" (failed later: {op.error})" if op.error else ""),
                ms(op.median_ms),
                ms(op.min_ms),
                f"{100 * op.query_share:.0f}%",
                f"{op.calls:,}",
                "" if ratio is None else f"{ratio:.2f}{_TIMES}",
            ]
        )
    s = meta["selection"]
    print(
        f"\n{meta['publications']:,} publications (seed {meta['seed']}), "
        f"{meta['triples']:,} triples, bulk-loaded in {meta['load_s']:.1f} s, targets picked in "
        f"{meta['targets_s']:.1f} s, code at {meta['code']}\n"
        f"hypothesis: <{meta['hypothesis']}>, {meta['direct']:,} direct supports/challenges\n"
        f"selection: {s['measure']} of <{s['intervention']}> vs <{s['comparator']}> on "
        f"<{s['outcome']}>: {_count(meta['studies'], 'study', 'studies')}, "
        f"{_count(meta['findings'], 'finding')} with {_article(s['measure'])}, "
        f"{_count(meta['findings_any'], 'finding')} in all\n\n"
        f"median and min ms of {_count(meta['runs'], 'run')} after {meta['warmup']} warm-ups; "
        "in SPARQL: share of the time in store.query; queries: how many it sends; vs query: "
        "median / the stored query's\n"
    )
    print(markdown_table(rows, right={2, 3, 4, 5, 6}))
    summary = {
        **meta,
        "operations": {
            op.name: {
                "median_ms": rounded(op.median_ms),
                "min_ms": rounded(op.min_ms),
                "sparql_share": rounded(op.query_share),
                "queries": op.calls,
                "result": None if op.result is None else op.size(op.result),
                "ratio": rounded(op.ratio(base)),
                "error": op.error,
            }
            for op in ops
        },
    }
    print("\n" + json.dumps(summary, separators=(",", ":")))


def _article(measure: str) -> str:
    return f"{'an' if measure[0] in 'AEFHILMNORSX' else 'a'} {measure}"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def run(data: Path, store_dir: Path, runs: int, warmup: int) -> tuple[list[Operation], dict]:
    """Load ``data`` into ``store_dir``, pick the targets, time everything; the store is left
    holding the recorded pooled results."""
    progress(f"bulk-loading {data}...")
    triples, load_s = bulk_load(data, store_dir)
    progress(f"  {triples:,} triples in {load_s:.1f} s")
    raw = OxigraphStore(store_dir)
    store = TimedStore(raw)
    try:
        started = time.perf_counter()
        targets = pick_targets(store)
        targets_s = time.perf_counter() - started
        progress(f"  targets picked in {targets_s:.1f} s")
        hypothesis, selection = targets.hypothesis, targets.selection
        bound = load_catalogue([queries.folder()])["hypothesis-evidence"].bind(
            {"hypothesis": hypothesis}
        )
        made: dict[str, Any] = {}  # the synthesis and its plot, from the first call

        def synthesis() -> Synthesis:
            if "synthesis" not in made:
                made["synthesis"] = synthesize(raw, BASE_IRI, selection)
            return made["synthesis"]

        def plot() -> ForestPlot:
            if "plot" not in made:
                made["plot"] = forest(synthesis())
            return made["plot"]

        reads = [
            Operation(
                "hypothesis-evidence (stored query)",
                lambda: store.query(bound.sparql, bound.bindings),
                _rows,
            ),
            Operation("evidence_map", lambda: evidence_map(store, hypothesis), _map_size, True),
            Operation(
                "evidence_subgraph",
                lambda: evidence_subgraph(store, hypothesis),
                lambda g: f"{len(g):,} triples",
                True,
            ),
            Operation(
                "synthesize (REML)", lambda: synthesize(store, BASE_IRI, selection), _synthesis_size
            ),
            Operation("forest (plot model)", lambda: forest(synthesis()), _plot_size),
            Operation("render SVG", lambda: render(plot(), "svg"), _bytes),
            Operation("render PNG", lambda: render(plot(), "png"), _bytes),
        ]
        with contextlib.suppress(Exception):  # a failure shows in the operations' rows
            plot()
        progress("timing the reads...")
        measure(reads, store, runs, warmup)

        # record writes: each call records a synthesis of its own (at another confidence level,
        # so that its pooled IRI is new), made before the clock starts; then the first one
        # again, which is held already and stores nothing
        progress("timing record...")
        fresh: list[Synthesis] = []
        with contextlib.suppress(Exception):
            fresh = [
                synthesize(raw, BASE_IRI, replace(selection, level=round(0.949 - 0.001 * k, 3)))
                for k in range(warmup + runs)
            ]
        pending = iter(fresh)
        write = Operation(
            "record (stores a new pooled result)",
            lambda: record(store, next(pending), BASE_IRI, AGENT),
            _stored,
        )
        again = Operation(
            "record (held already: stores nothing)",
            lambda: record(store, fresh[0], BASE_IRI, AGENT),
            _stored,
        )
        if not fresh:
            write.error = "nothing to record: synthesize failed"
        measure([write], store, runs, warmup)
        if write.error is None:
            measure([again], store, runs, warmup)
        else:
            again.error = "nothing was recorded"
        meta = {
            "triples": triples,
            "load_s": round(load_s, 2),
            "targets_s": round(targets_s, 2),
            "runs": runs,
            "warmup": warmup,
            "hypothesis": hypothesis,
            "direct": targets.direct,
            "selection": {
                "intervention": selection.interventions[0],
                "comparator": selection.comparators[0],
                "outcome": selection.outcome,
                "measure": selection.measure,
            },
            "studies": targets.studies,
            "findings": targets.findings,
            "findings_any": targets.findings_any,
        }
        return [*reads, write, again], meta
    finally:
        raw.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.evidence", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--publications",
        "-n",
        type=int,
        default=10_000,
        help="size of the generated graph (default 10000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs each (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    parser.add_argument(
        "--file",
        type=Path,
        help="the N-Triples file, generated there if missing (default bench/out/pubs-<n>.nt)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    path = args.file or default_output(args.publications, args.seed)
    if not path.exists():
        progress(f"generating {path}...")
        stats = write_file(args.publications, args.seed, path)
        progress(f"  {stats.triples:,} triples in {stats.seconds:.1f} s")
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as workdir:
        ops, meta = run(path.resolve(), Path(workdir) / "store", args.runs, args.warmup)
    meta = {
        "publications": args.publications,
        "seed": args.seed,
        "code": code_version("graph", "queries"),
        **meta,
    }
    report(ops, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
