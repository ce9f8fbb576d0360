"""Time an OpenCitations CSV import into a fresh on-disk store.

Generates a seeded CSV in the Index API's shape (``oci, citing, cited, creation, timespan,
journal_sc, author_sc``): works drawn from a pool (citing uniformly, cited with a power law),
each cell an OMID and the work's DOI, PMID and PMCID as OpenCitations gives them (one cell in
ten names a work by its PMID alone, so publications are joined across rows), no pair twice.
Then imports it with ``graph.opencitations`` through the validated write path into a new data
directory and prints rows/s, triples/s and where the time went. Nothing asserts on time.

Usage::

    python -m bench.import_citations --rows 20000 --seed 1   # writes bench/out/citations-20k.csv
"""

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.report import code_version, markdown_table, progress
from graph.opencitations import FORMAT, read_opencitations, write_citations
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source

__all__ = ["generate", "main"]

BASE_IRI = "http://127.0.0.1:8000/id/"
HEADER = ("oci", "citing", "cited", "creation", "timespan", "journal_sc", "author_sc")


def generate(path: Path, rows: int, seed: int) -> None:
    """Write ``rows`` citations among ``rows / 4`` works to ``path``, the same bytes for a seed."""
    rng = random.Random(seed)
    works = max(rows // 4, 10)
    first = date(1990, 1, 1)
    issued = [first + timedelta(days=i * 12000 // works + rng.randrange(30)) for i in range(works)]
    pairs: set[tuple[int, int]] = set()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        while len(pairs) < rows:
            citing = rng.randrange(1, works)
            cited = int(citing * rng.random() ** 2) if rng.random() < 0.98 else rng.randrange(works)
            if cited == citing or (citing, cited) in pairs:
                continue
            pairs.add((citing, cited))
            writer.writerow(
                (
                    f"0610{citing:07d}-0610{cited:07d}",
                    _cell(citing, rng),
                    _cell(cited, rng),
                    _creation(issued[citing], rng),
                    _timespan(issued[cited], issued[citing]),
                    "yes" if rng.random() < 0.05 else "no",
                    "yes" if rng.random() < 0.1 else "no",
                )
            )


def _cell(work: int, rng: random.Random) -> str:
    ids = [f"omid:br/0610{work:07d}"]
    pmid = f"pmid:{30000000 + work}" if work % 10 < 7 else None
    if pmid and rng.random() < 0.1:
        return " ".join([*ids, pmid])  # known here by its PMID alone
    ids.append(f"doi:10.5555/w{work:07d}")
    if pmid:
        ids.append(pmid)
    if work % 10 == 0:
        ids.append(f"pmcid:PMC{5000000 + work}")
    return " ".join(ids)


def _creation(issued: date, rng: random.Random) -> str:
    kind = rng.random()
    return issued.isoformat()[: 4 if kind < 0.05 else 7 if kind < 0.2 else 10]


def _timespan(cited: date, citing: date) -> str:
    days = (citing - cited).days
    years, rest = divmod(abs(days), 365)
    months, rest = divmod(rest, 30)
    return f"{'-' if days < 0 else ''}P{years}Y{months}M{rest}D"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", "-n", type=int, default=20000, help="citations (rows)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", "-o", type=Path, help="the CSV (default bench/out/...)")
    args = parser.parse_args(argv)
    path = args.output or Path(__file__).parent / "out" / f"citations-{_short(args.rows)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(path, args.rows, args.seed)
    progress(f"generated {path} in {time.perf_counter() - started:.1f} s")
    marks: list[float] = []

    def step(message: str) -> None:  # the write path says when each of its steps starts
        progress(message)
        marks.append(time.perf_counter())

    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        store = OxigraphStore(Path(folder) / "data")
        try:
            with path.open("rb") as stream:
                started = time.perf_counter()
                citations = read_opencitations([Source(path.name, stream, FORMAT)], BASE_IRI)
                marks.append(time.perf_counter())
            imported = write_citations(store, citations, BASE_IRI, "bench", step)
            marks.append(time.perf_counter())
        finally:
            store.close()
    phases = (
        "read the CSV, build the graph",
        "serialise, parse into the write path",
        "match identifiers, fetch stored context",
        "validate (pyshacl)",
        "commit and flush",
    )
    seconds = [end - start for start, end in zip([started, *marks], marks, strict=False)]
    total = marks[-1] - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"OpenCitations CSV import, {path.name} (commit {code_version('graph', 'ontology')})\n")
    rows = [["phase", "seconds", "share"]]
    rows += [
        [name, f"{s:.1f}", f"{s / total:.0%}"] for name, s in zip(phases, seconds, strict=True)
    ]
    rows.append(["total", f"{total:.1f}", "100%"])
    print(markdown_table(rows, right={1, 2}))
    print(
        f"\n{imported.rows_imported:,} rows, {imported.triples:,} triples, "
        f"{imported.publications_new:,} publications: {imported.rows_read / total:,.0f} rows/s, "
        f"{imported.triples / total:,.0f} triples/s; peak RSS {rss:,.0f} MiB"
    )


def _short(rows: int) -> str:
    return f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
