"""The stored-query path against the SPARQL endpoint, on this service alone.

Each benchmark query becomes a stored query (``bench-<name>``) whose ``$variables`` are declared
parameters (the DOI a string, the rest IRIs). Each run sends the parameter values to
``GET /queries/bench-<name>`` and, in turn, the very query that binding produces to
``GET /sparql``; the median of the paired differences is what the stored-query layer costs
(checking the values, binding them, routing). Answers are checked equal.

Usage::

    python -m bench.sparql.stored --publications 10000 --runs 50
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from bench.generate import default_output, write_file
from bench.sparql.__main__ import Client, _progress, _table
from bench.sparql.queries import QUERY_DIR, Query, digest, parameters
from bench.sparql.servers import start_ours_with_queries
from graph.stored_queries import BoundQuery, load_catalogue
from graph.terms import to_ox

__all__ = ["main"]

_KINDS = {"doi": "string", "paper": "iri", "newest": "iri", "hypothesis": "iri"}
TARGET_MS = 1.0


def stored_versions(folder: Path) -> None:
    """Write each benchmark query into ``folder`` as a stored query with typed parameters."""
    for path in sorted(QUERY_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        used = [name for name in _KINDS if f"${name}" in text]
        header = [f"#+ summary: benchmark query {path.stem}"]
        if used:
            header.append("#+ params:")
            for name in used:
                header += [f"#+   - name: {name}", f"#+     type: {_KINDS[name]}"]
                header.append("#+     required: true")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        (folder / f"bench-{path.stem}.rq").write_text("\n".join(header) + "\n" + body + "\n")


def _inlined(bound: BoundQuery) -> str:
    """The bound query as one text for ``/sparql``: its VALUES block is in the text already,
    and the terms bound by substitution are written where their variables are (our own
    generated terms, in this benchmark only)."""
    text = bound.sparql
    for name, term in bound.bindings.items():
        text = re.sub(rf"[?$]{re.escape(name)}\b", str(to_ox(term)), text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql.stored", description=__doc__)
    parser.add_argument("--publications", "-n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each path")
    args = parser.parse_args(argv)
    path = default_output(args.publications)
    if not path.exists():
        write_file(args.publications, 1, path)
    terms = parameters(path.resolve(), args.publications)
    values = {name: term[1:-1] for name, term in terms.items()}  # "..." and <...> stripped
    rows: list[list[str]] = []
    overheads: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-stored-") as workdir:
        folder = Path(workdir) / "queries"
        folder.mkdir()
        stored_versions(folder)
        catalogue = load_catalogue([folder])
        server = start_ours_with_queries(path.resolve(), Path(workdir), folder)
        try:
            server.wait_ready(timeout_s=3600)
            client = Client(server.endpoint, timeout_s=600)
            for name, query in catalogue.items():
                given = {p.name: values[p.name] for p in query.parameters}
                plain = Query(name, _inlined(query.bind(given)))
                stored_target = f"/queries/{name}?{urlencode(given)}"
                bodies = [client.get(plain)[1], client.fetch(stored_target, plain.accept)[1]]
                same = digest(bodies[0], plain.construct) == digest(bodies[1], plain.construct)
                direct, stored = [], []
                for _ in range(args.runs):
                    direct.append(client.get(plain)[0])
                    stored.append(client.fetch(stored_target, plain.accept)[0])
                d, s = 1000 * statistics.median(direct), 1000 * statistics.median(stored)
                overheads.append(s - d)
                rows.append(
                    [name, f"{d:.2f}", f"{s:.2f}", f"{s - d:+.2f}", "yes" if same else "NO"]
                )
                _progress(f"{name}: /sparql {d:.2f} ms, /queries {s:.2f} ms")
            client.close()
        finally:
            server.stop()
    print(
        f"\n{args.publications:,} publications; medians of {args.runs} runs of each path, "
        "taken in turn\n"
    )
    header = ["stored query", "/sparql ms", "/queries ms", "overhead ms (paired)", "same answer"]
    print(_table([header, *rows], right={1, 2, 3}))
    missed = [f"{name} ({ms:+.2f} ms)" for name, ms in overheads if ms >= TARGET_MS]
    met = len(overheads) - len(missed)
    print(f"\ntarget: overhead under {TARGET_MS} ms median: met on {met}/{len(overheads)}", end="")
    print(f"; missed: {', '.join(missed)}" if missed else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
