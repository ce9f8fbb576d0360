"""The chase benchmark runs end to end on a small generated graph and reports every operation,
its ratio to the SPARQL baseline, and both targets."""

import re
from pathlib import Path

import pytest

from bench.chase import main
from tests.bench.tables import table_rows

OPERATIONS = [
    "citation-chain query, backward + forward",
    "chase single seed, best 100",
    "chase batch of 20, best 100",
    "chase median seed, best 100",
    "chase median seed, all",
    "chase single seed, best 100 (store process)",
    "chase batch of 20, best 100 (store process)",
]


def test_bench_prints_every_operation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pubs.nt"  # generated here, not in bench/out
    assert main(["-n", "300", "--runs", "1", "--warmup", "0", "--file", str(data)]) == 0
    out = capsys.readouterr().out
    rows = table_rows(out, 5)
    for name in OPERATIONS:
        median, _, ratio, found = rows[name][1:]
        assert float(median.replace(",", "")) > 0, name
        if name != OPERATIONS[0]:
            assert float(ratio) > 0
            assert re.fullmatch(r"[\d,]+ found, [\d,]+ returned, [\d,]+ citations", found), found
    assert (
        rows["chase single seed, best 100"][4].split(" found")[0]
        == rows["chase single seed, best 100 (store process)"][4].split(" found")[0]
    )  # the same chase, whichever way the store is reached
    assert re.search(r"target, chase single seed, best 100: under 200 ms: (met|missed)", out)
    assert re.search(r"target, chase batch of 20, best 100: under 2,000 ms: (met|missed)", out)
