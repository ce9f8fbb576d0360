"""The review-files benchmark runs end to end on small searches and reports every step, with
its ratio to rispy parsing, and PRISMA counts that add up."""

import re

import pytest

from bench.review_files import generate, main
from tests.bench.tables import table_rows


def test_the_generated_searches_repeat_a_fifth_of_the_works() -> None:
    first, second = generate(50, seed=3)
    assert first.count("TY  - JOUR") == second.count("TY  - JOUR") == 50
    assert generate(50, seed=3) == (first, second)  # seeded


def test_bench_prints_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--records", "40", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    rows = table_rows(out, 5)
    first = rows["import pubmed.ris (40 records)"]
    assert re.fullmatch(r"[\d.]+ s", first[1]) and float(first[3].replace(",", "")) > 0
    second = rows["import embase.ris (40 records)"]
    assert second[4].startswith("8 duplicates (")  # a fifth of 40, by DOI variant or by title
    assert "title-year-first-author" in second[4]
    assert "adds up: True" in rows["PRISMA counts"][4]
    assert "where the imports' time went" in out
