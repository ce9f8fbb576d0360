"""Time SPARQL updates through the write path (plan, validate, commit) on a generated graph.

Three updates a curator would send, each run several times on an on-disk store bulk-loaded with
the generated graph: an ``INSERT DATA`` of a new paper, a ``DELETE/INSERT`` of one title named
by its subject, and a ``DELETE/INSERT`` of the titles a ``FILTER`` selects among all of them.
Prints the median time to plan and validate, and to commit with the flush.

Usage::

    python -m bench.update --publications 10000 --runs 7
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench.generate import BASE_IRI, default_output, write_file
from graph.oxigraph_store import OxigraphStore
from graph.writes import commit_change, prepare_update

__all__ = ["main"]

_PREFIXES = (
    "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX fabio: <http://purl.org/spar/fabio/> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)
_PAPER = f"<{BASE_IRI}publication/p000123>"
UPDATES: dict[str, Callable[[int], str]] = {
    "INSERT DATA of a new paper": lambda i: (
        f"INSERT DATA {{ <http://example.org/new/{i}> a fabio:JournalArticle ; "
        f'dcterms:title "New {i}" ; dcterms:issued "2020"^^xsd:gYear }}'
    ),
    "DELETE/INSERT of one title, subject named": lambda i: (
        f"DELETE {{ {_PAPER} dcterms:title ?t }} "
        f'INSERT {{ GRAPH <{BASE_IRI}graph/bench> {{ {_PAPER} dcterms:title "Title {i}" }} }} '
        f"WHERE {{ {_PAPER} dcterms:title ?t }}"
    ),
    "DELETE/INSERT of titles a FILTER selects": lambda i: (
        "DELETE { ?p dcterms:title ?t } "
        f"INSERT {{ GRAPH <{BASE_IRI}graph/bench> {{ ?p dcterms:title ?n }} }} "
        f'WHERE {{ ?p dcterms:title ?t FILTER(STRSTARTS(STR(?p), "{BASE_IRI}publication/p00010")) '
        f'BIND(CONCAT(?t, " {i}") AS ?n) }}'
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.update", description=__doc__)
    parser.add_argument("--publications", "-n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    path = default_output(args.publications)
    if not path.exists():
        write_file(args.publications, 1, path)
    with tempfile.TemporaryDirectory(prefix="bench-update-") as workdir:
        raw = ox.Store(workdir)
        graph = ox.NamedNode(f"{BASE_IRI}graph/bench")
        raw.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        raw.flush()
        triples = len(raw)
        del raw
        store = OxigraphStore(Path(workdir))
        print(f"{args.publications:,} publications, {triples:,} triples, {args.runs} runs each\n")
        print("| update | plan + validate ms | total with commit ms | inserted / deleted |")
        print("|---|--:|--:|--:|")
        for name, make in UPDATES.items():
            planned_s, total_s = [], []
            for run in range(args.runs):
                started = time.perf_counter()
                planned = prepare_update(store, _PREFIXES + make(run), BASE_IRI)
                planned_s.append(time.perf_counter() - started)
                result = commit_change(store, planned, BASE_IRI, "bench")
                total_s.append(time.perf_counter() - started)
            plan_ms = 1000 * statistics.median(planned_s)
            total_ms = 1000 * statistics.median(total_s)
            counts = f"{result.inserted} / {result.deleted}"
            print(f"| {name} | {plan_ms:,.0f} | {total_ms:,.0f} | {counts} |")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
