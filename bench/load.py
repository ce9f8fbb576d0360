"""Time the validated write path against raw pyoxigraph loading, on one generated file.

Each method runs in its own fresh subprocess with its own fresh temporary data directory, so the
peak RSS reported is that method's own (the child reports its ``ru_maxrss``):

* ``bulk``      ``pyoxigraph.Store.bulk_load`` of the file, then ``flush`` (the baseline);
* ``extend``    ``pyoxigraph.parse`` of the file into a list of quads in one named graph, then
  one transactional ``Store.extend`` and ``flush`` (what our commit does, without rdflib);
* ``validated`` ``graph.writes.load`` through ``OxigraphStore``: parse into rdflib, normalise,
  match, SHACL-validate, commit. Its phases are timed by wrapping the functions it calls.

Usage::

    python -m bench.load --publications 10000          # generates bench/out/pubs-10k.nt if missing
    python -m bench.load --file some.nt --timeout 1200

Prints a table (method, triples, seconds, triples/s, peak RSS, time ratio to the bulk load), a
breakdown of the validated path, and a one-line JSON summary. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import BASE_IRI, default_output, write_file

__all__ = ["main"]

METHODS = ("bulk", "extend", "validated")
_MARK = "BENCH-RESULT "
_TIMES = "\u00d7"  # the multiplication sign of "2.50x"
_SUFFIX_FORMATS = {".nt": "ntriples", ".ttl": "turtle"}
_WRITE_PATH = ("writes", "parsing", "validation", "oxigraph_store", "terms", "identifiers")


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _code_versions() -> dict[str, str]:
    """Short hashes of the write-path sources as imported: they change while we measure."""
    import hashlib

    import graph
    import ontology

    files = [Path(graph.__file__).parent / f"{name}.py" for name in _WRITE_PATH]
    files.append(Path(ontology.__file__).parent / "shapes.ttl")
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in files if f.exists()}


def _dir_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


# ---------------------------------------------------------------------------------------------
# Children: each runs one method and prints one result line
# ---------------------------------------------------------------------------------------------


def _ox_format(fmt: str):
    import pyoxigraph as ox

    return {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}[fmt]


def _child_bulk(path: Path, fmt: str, data_dir: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store(str(data_dir))
    store.bulk_load(path=str(path), format=_ox_format(fmt))
    store.flush()
    seconds = time.perf_counter() - started
    return {"triples": len(store), "seconds": seconds, "phases": {}}


def _child_extend(path: Path, fmt: str, data_dir: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store(str(data_dir))
    name = ox.NamedNode(f"{BASE_IRI}graph/bench")
    with path.open("rb") as f:
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, name)
            for q in ox.parse(f, format=_ox_format(fmt), base_iri=BASE_IRI)
        ]
    parsed = time.perf_counter()
    rss_parsed = _rss_mib()
    store.extend(quads)
    extended = time.perf_counter()
    store.flush()
    done = time.perf_counter()
    return {
        "triples": len(quads),
        "seconds": done - started,
        "phases": {
            "parse": parsed - started,
            "extend": extended - parsed,
            "flush": done - extended,
        },
        "rss_after": {"parse": rss_parsed},
    }


class _TimedStore:
    """Stands in for the pyoxigraph store inside OxigraphStore, timing extend and flush."""

    def __init__(self, inner, timed: Callable[[str, Callable], Callable]) -> None:
        self._inner = inner
        self.extend = timed("extend", inner.extend)
        self.flush = timed("flush", inner.flush)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def __len__(self) -> int:
        return len(self._inner)


def _child_validated(
    path: Path, fmt: str, data_dir: Path, events: Path | None = None
) -> dict[str, Any]:
    import pyshacl

    import graph.oxigraph_store as oxstore
    import graph.validation as validation
    import graph.writes as writes
    from graph.oxigraph_store import OxigraphStore
    from graph.parsing import Source

    phases: dict[str, float] = {}
    rss_after: dict[str, float] = {}

    def timed(name: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
                rss_after[name] = _rss_mib()
                _event(events, name, phases[name], rss_after[name])

        return wrapper

    def wrap(module, attr: str, name: str) -> None:
        if hasattr(module, attr):  # the write path may be reshaped while we measure it
            setattr(module, attr, timed(name, getattr(module, attr)))

    # load() looks prepare and commit up as module globals, prepare looks up the rest.
    for attr, name in (
        ("prepare", "prepare"),
        ("commit", "commit"),
        ("parse_into", "parse"),
        ("_normalise_identifiers", "normalise"),
        ("_add_implied_citations", "implied"),
        ("_match_stored", "match"),
        ("_stored_types", "context"),
        ("_stored_context", "context"),
        ("validate", "validate"),
    ):
        wrap(writes, attr, name)
    wrap(pyshacl, "validate", "pyshacl")  # graph.validation calls pyshacl.validate(...)
    wrap(validation, "_violations", "report")
    wrap(oxstore.OxigraphStore, "add_graph", "add_graph")
    code = _code_versions()

    started = time.perf_counter()
    store = OxigraphStore(data_dir)
    store._store = _TimedStore(store._store, timed)
    with path.open("rb") as f:
        result = writes.load(store, [Source(path.name, f, fmt)], BASE_IRI, "bench")
    seconds = time.perf_counter() - started
    return {
        "triples": result.triples,
        "seconds": seconds,
        "phases": phases,
        "rss_after": rss_after,
        "matched": len(result.matched),
        "code": code,
    }


def _event(events: Path | None, phase: str, seconds: float, rss: float) -> None:
    """Record a finished phase as it ends, so that a run cut short still says how far it got."""
    message = f"[validated]   {phase}: {seconds:.2f} s, RSS {rss:,.0f} MiB"
    print(message, file=sys.stderr, flush=True)
    if events is not None:
        with events.open("a") as out:
            out.write(json.dumps({"phase": phase, "seconds": seconds, "rss": rss}) + "\n")


CHILDREN = {"bulk": _child_bulk, "extend": _child_extend, "validated": _child_validated}


def _run_child(
    method: str, path: Path, fmt: str, data_dir: Path, profile: Path | None, events: Path | None
) -> None:
    run = (
        functools.partial(_child_validated, events=events)
        if method == "validated"
        else (CHILDREN[method])
    )
    if profile is not None:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(run, path, fmt, data_dir)
        with profile.open("w") as out:
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
    else:
        result = run(path, fmt, data_dir)
    result["peak_rss_mib"] = _max_rss_mib()
    result["disk_mib"] = _dir_mib(data_dir)
    print(_MARK + json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# Parent: one fresh subprocess and data directory per method, then the table
# ---------------------------------------------------------------------------------------------


def _measure(
    method: str, path: Path, fmt: str, timeout: float | None, profile: Path | None
) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{method}-"))
    events = data_dir.with_name(data_dir.name + ".events")
    command = [
        sys.executable,
        "-m",
        "bench.load",
        "--child",
        method,
        "--file",
        str(path),
        "--format",
        fmt,
        "--data-dir",
        str(data_dir),
        "--events",
        str(events),
    ]
    if profile is not None:
        command += ["--profile", str(profile)]
    print(f"[{method}] running ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            text=True,
            timeout=timeout,
            cwd=Path(__file__).resolve().parent.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _partial(f"timeout after {timeout:.0f} s", time.perf_counter() - started, events)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith(_MARK)]
    if done.returncode != 0 or not lines:
        return _partial(f"failed (exit {done.returncode})", wall, events)
    events.unlink(missing_ok=True)
    result = json.loads(lines[-1][len(_MARK) :])
    result.update(status="ok", wall=wall)
    print(
        f"[{method}] {result['triples']:,} triples in {result['seconds']:.2f} s "
        f"(peak RSS {result['peak_rss_mib']:.0f} MiB)",
        file=sys.stderr,
        flush=True,
    )
    return result


def _partial(status: str, wall: float, events: Path) -> dict[str, Any]:
    """What a child that did not finish got done: the phases it reported before it stopped."""
    phases: dict[str, float] = {}
    rss: dict[str, float] = {}
    if events.exists():
        for line in events.read_text().splitlines():
            event = json.loads(line)
            phases[event["phase"]] = event["seconds"]
            rss[event["phase"]] = event["rss"]
        events.unlink()
    print(f"{status}", file=sys.stderr, flush=True)
    return {
        "status": status,
        "wall": wall,
        "phases": phases,
        "rss_after": rss,
        "peak_rss_mib": max(rss.values(), default=None),
    }


def _fmt_rate(triples: int | None, seconds: float | None) -> str:
    if not triples or not seconds:
        return "-"
    return f"{triples / seconds:,.0f}"


def _table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


_LABELS = {
    "bulk": "raw pyoxigraph bulk_load",
    "extend": "raw pyoxigraph parse + extend",
    "validated": "validated write path (load)",
}

# (phase, label, depth, counts triples)
_BREAKDOWN = [
    ("prepare", "prepare", 1, True),
    ("parse", "parse (pyoxigraph -> rdflib Graph)", 2, True),
    ("normalise", "normalise identifiers", 2, False),
    ("implied", "implied cito:cites", 2, False),
    ("match", "match DOI/PMID/PMCID/NCT", 2, False),
    ("context", "stored context (store queries)", 2, False),
    ("validate", "validate (SHACL)", 2, True),
    ("pyshacl", "pyshacl.validate", 3, False),
    ("report", "report -> violations", 3, False),
    ("prepare_rest", "other (rdflib bookkeeping)", 2, False),
    ("commit", "commit", 1, True),
    ("add_graph", "OxigraphStore.add_graph", 2, False),
    ("extend", "Store.extend", 3, False),
    ("flush", "Store.flush", 3, False),
    ("convert", "rdflib -> pyoxigraph quads", 3, False),
]


def _report(path: Path, results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> None:
    bulk = results.get("bulk", {})
    base = bulk.get("seconds") if bulk.get("status") == "ok" else None
    rows = [["method", "triples", "seconds", "triples/s", "peak RSS MiB", "store MiB", "vs bulk"]]
    for method, r in results.items():
        if r["status"] != "ok":
            peak = r.get("peak_rss_mib")
            rows.append(
                [
                    _LABELS[method],
                    "-",
                    r["status"],
                    "-",
                    f">= {peak:,.0f}" if peak else "-",
                    "-",
                    "-",
                ]
            )
            continue
        ratio = f"{r['seconds'] / base:.2f}{_TIMES}" if base else "-"
        rows.append(
            [
                _LABELS[method],
                f"{r['triples']:,}",
                f"{r['seconds']:.2f}",
                _fmt_rate(r["triples"], r["seconds"]),
                f"{r['peak_rss_mib']:,.0f}",
                f"{r['disk_mib']:,.0f}",
                ratio,
            ]
        )
    print(f"\n{path} ({path.stat().st_size / 2**20:.1f} MiB)\n")
    print(_table(rows, right={1, 2, 3, 4, 5, 6}))

    validated = results.get("validated", {})
    if validated.get("phases"):
        phases, rss = validated["phases"], validated.get("rss_after", {})
        total = validated.get("seconds") or validated["wall"]
        triples = validated.get("triples") or next(
            (r["triples"] for r in results.values() if r.get("triples")), None
        )
        title = "validated path, phase"
        if validated["status"] != "ok":
            title += f" ({validated['status']}: phases that ended)"
        rows = [[title, "seconds", "share", "triples/s", "RSS after MiB"]]
        if "prepare" in phases:  # what the wrapped functions of prepare do not account for
            known = ("parse", "normalise", "implied", "match", "context", "validate")
            phases["prepare_rest"] = phases["prepare"] - sum(phases.get(k, 0.0) for k in known)
        if "add_graph" in phases:  # building the quads from the rdflib terms
            phases["convert"] = (
                phases["add_graph"] - phases.get("extend", 0.0) - phases.get("flush", 0.0)
            )
        for key, label, depth, rate in _BREAKDOWN:
            if key not in phases:
                continue
            s = phases[key]
            rows.append(
                [
                    "  " * (depth - 1) + label,
                    f"{s:.2f}",
                    f"{100 * s / total:.1f}%",
                    _fmt_rate(triples, s) if rate else "",
                    f"{rss[key]:,.0f}" if key in rss else "",
                ]
            )
        print()
        print(_table(rows, right={1, 2, 3, 4}))
        if validated.get("code"):
            print("code: " + ", ".join(f"{k} {v}" for k, v in validated["code"].items()))

    extend = results.get("extend", {})
    if extend.get("status") == "ok":
        p = extend["phases"]
        print(
            f"\nraw extend: parse to quads {p['parse']:.2f} s, extend {p['extend']:.2f} s "
            f"({_fmt_rate(extend['triples'], p['extend'])} triples/s), flush {p['flush']:.2f} s"
        )

    summary = {
        **meta,
        "file": str(path),
        "methods": {
            method: {
                k: (round(v, 3) if isinstance(v, float) else v)
                for k, v in {
                    "status": r["status"],
                    "triples": r.get("triples"),
                    "seconds": r.get("seconds"),
                    "triples_per_s": (
                        round(r["triples"] / r["seconds"]) if r.get("seconds") else None
                    ),
                    "peak_rss_mib": r.get("peak_rss_mib"),
                    "store_mib": r.get("disk_mib"),
                    "ratio_to_bulk": (r["seconds"] / base) if base and r.get("seconds") else None,
                    "phases": {k: round(v, 3) for k, v in r.get("phases", {}).items()},
                    **({"code": r["code"]} if "code" in r else {}),
                }.items()
            }
            for method, r in results.items()
        },
    }
    print("\n" + json.dumps(summary, separators=(",", ":")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--publications",
        "-n",
        type=int,
        default=10_000,
        help="size of the generated file (default 10000, about 0.5M triples)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--file", type=Path, help="load this file instead of a generated one (.nt or .ttl)"
    )
    parser.add_argument(
        "--format",
        choices=("ntriples", "turtle"),
        help="syntax of --file (default: from its suffix)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the file again even if it exists"
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help=f"comma-separated subset of {','.join(METHODS)} (in that order)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="give up on a method after this many seconds (the others still run)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="cProfile the validated child; write the top functions to this file",
    )
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--events", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        _run_child(
            args.child,
            args.file,
            args.format,
            args.data_dir,
            args.profile if args.child == "validated" else None,
            args.events,
        )
        return 0

    meta: dict[str, Any] = {}
    if args.file:
        path = args.file
        fmt = args.format or _SUFFIX_FORMATS.get(path.suffix, "ntriples")
    else:
        fmt = "ntriples"
        path = default_output(args.publications, args.seed, fmt)
        meta.update(publications=args.publications, seed=args.seed)
        if args.regenerate or not path.exists():
            stats = write_file(args.publications, args.seed, path, fmt)
            print(
                f"generated {stats.triples:,} triples in {stats.seconds:.1f} s -> {path}",
                file=sys.stderr,
            )
            meta["generate_seconds"] = round(stats.seconds, 2)
        else:
            print(f"reusing {path}", file=sys.stderr)
    path = path.resolve()

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown method(s) {', '.join(sorted(unknown))}: use {', '.join(METHODS)}")
    results = {
        m: _measure(m, path, fmt, args.timeout, args.profile) for m in METHODS if m in methods
    }
    _report(path, results, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
