"""Time a review's files through the service: searches in, screening files out, PRISMA counts.

Generates two seeded RIS searches of one review (``--records`` each): the second repeats a
fifth of the first's works (half with the DOI in another case or with a resolver prefix, half
without any identifier, their titles re-cased and re-punctuated, for the fuzzy match), and
both carry Rayyan labels of two reviewers. Imports them through the validated write path into
a fresh on-disk store, exports the review as RIS, and counts its PRISMA flow. Prints each
step's time beside rispy reading the same file (the floor: parsing alone), as a ratio, and
where an import's time went. Nothing asserts on time.

Usage::

    python -m bench.review_files --records 5000 --seed 1
"""

import argparse
import io
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import rispy

from bench.report import code_version, markdown_table, progress
from graph.bib_import import import_records
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.prisma import prisma_counts
from graph.record_export import export_records
from graph.record_graph import RecordImport
from graph.ris_format import write_ris
from graph.selection import Selection, select

__all__ = ["generate", "main"]

BASE_IRI = "http://127.0.0.1:8000/id/"
_WORDS = [
    "surgery",
    "primary",
    "tumour",
    "metastatic",
    "breast",
    "cancer",
    "trial",
    "randomised",
    "survival",
    "locoregional",
    "therapy",
    "systemic",
    "outcomes",
    "women",
    "stage",
    "radiotherapy",
    "resection",
    "cohort",
    "analysis",
    "effect",
    "follow-up",
    "progression",
    "hazard",
    "treatment",
    "presentation",
    "de",
    "novo",
    "disease",
    "local",
    "control",
]
_NAMES = [
    "Smith",
    "Khan",
    "Badwe",
    "Soran",
    "Fitzal",
    "Zhao",
    "Garcia",
    "Rossi",
    "Müller",
    "Novak",
    "Sato",
    "Kim",
    "Silva",
]


def generate(records: int, seed: int) -> tuple[str, str]:
    """Two RIS searches of ``records`` records each, the same text for a seed."""
    rng = random.Random(seed)
    works = [_work(n, rng) for n in range(records * 2)]
    first = [_ris(work, rng, variant=False) for work in works[:records]]
    repeated = rng.sample(works[:records], records // 5)
    second = [_ris(work, rng, variant=True) for work in repeated]
    second += [
        _ris(work, rng, variant=False) for work in works[records : 2 * records - len(repeated)]
    ]
    rng.shuffle(second)
    return "\n".join(first), "\n".join(second)


def _work(n: int, rng: random.Random) -> dict:
    title = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(8, 16))).capitalize()
    return {
        "title": f"{title} {n}",
        "authors": [
            f"{rng.choice(_NAMES)} {rng.choice('ABCDEFGH')}" for _ in range(rng.randrange(1, 6))
        ],
        "year": rng.randrange(1990, 2025),
        "doi": f"10.{rng.randrange(1000, 9999)}/bench.{n}",
    }


def _ris(work: dict, rng: random.Random, variant: bool) -> str:
    lines = ["TY  - JOUR", f"TI  - {work['title']}"]
    doi = work["doi"]
    if variant:
        kind = rng.random()
        if kind < 0.5:
            doi = rng.choice([doi.upper(), f"https://doi.org/{doi}", f"doi:{doi}"])
        else:
            doi = None
            lines[1] = f"TI  - {work['title'].title()}."
    lines += [f"AU  - {author}" for author in work["authors"]]
    lines.append(f"PY  - {work['year']}")
    if doi:
        lines.append(f"DO  - {doi}")
    votes = [rng.choice(["Included", "Excluded", "Maybe"]) for _ in range(2)]
    lines.append(f'N1  - RAYYAN-INCLUSION: {{"Alice"=>"{votes[0]}", "Bob"=>"{votes[1]}"}}')
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="records per search")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    pubmed, embase = generate(args.records, args.seed)
    rows: list[list[str]] = []
    steps: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        store = OxigraphStore(Path(folder) / "data")
        try:
            for name, text in (("pubmed.ris", pubmed), ("embase.ris", embase)):
                floor = _timed(lambda text=text: rispy.loads(text))[0]
                clock = {"step": "reading", "at": time.perf_counter()}

                def step(message: str, clock: dict = clock) -> None:
                    now = time.perf_counter()  # the time since the last step was spent on it
                    steps[clock["step"]] = steps.get(clock["step"], 0) + now - clock["at"]
                    clock.update(step=message.split()[0], at=now)
                    progress(message)

                source = Source(name, io.BytesIO(text.encode("utf-8")), "ris")
                how = RecordImport(BASE_IRI, "ris", review="bench", source=name.split(".")[0])
                seconds, done = _timed(
                    lambda s=source, h=how, st=step: import_records(store, [s], h, "bench", st)
                )
                step("done")
                rows.append(
                    [
                        f"import {name} ({done.records:,} records)",
                        f"{seconds:.2f} s",
                        f"{done.records / seconds:,.0f} records/s",
                        f"{seconds / floor:,.0f}",
                        f"{len(done.duplicates):,} duplicates ({_rules(done.duplicates)}), "
                        f"{done.decisions:,} decisions",
                    ]
                )
            publications = select(store, Selection(review="bench"), {}, BASE_IRI)
            seconds, exported = _timed(
                lambda: write_ris(
                    (
                        e := export_records(store, publications, BASE_IRI, "bench", fmt="ris")
                    ).records,
                    e.note,
                )
            )
            floor = _timed(lambda: rispy.loads(exported))[0]
            rows.append(
                [
                    f"export review as RIS ({len(publications):,} records)",
                    f"{seconds:.2f} s",
                    f"{len(publications) / seconds:,.0f} records/s",
                    f"{seconds / floor:,.0f}",
                    f"{len(exported) / 1e6:.1f} MB",
                ]
            )
            seconds, counts = _timed(lambda: prisma_counts(store, "bench", BASE_IRI))
            rows.append(
                [
                    "PRISMA counts",
                    f"{seconds:.2f} s",
                    "",
                    "",
                    f"screened {counts.n['records_screened']:,}, duplicates "
                    f"{counts.n['duplicates']:,}, adds up: {counts.adds_up}",
                ]
            )
        finally:
            store.close()
    print(
        f"code {code_version('graph', 'bench')}, {args.records:,} records a search, "
        f"seed {args.seed}"
    )
    print(
        markdown_table(
            [["operation", "time", "rate", "vs rispy parsing", "result"], *rows], right={1, 2, 3}
        )
    )
    total = sum(steps.values())
    print("\nwhere the imports' time went (reading and mapping, then the write path):")
    steps.pop("done", None)
    for name, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"  {name:<12} {seconds:7.2f} s  {100 * seconds / total:4.0f}%")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB")
    return 0


def _rules(duplicates: list) -> str:
    found = Counter(duplicate.rule for duplicate in duplicates)
    return ", ".join(f"{rule} {n:,}" for rule, n in sorted(found.items())) or "none"


def _timed(action):
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


if __name__ == "__main__":
    sys.exit(main())
