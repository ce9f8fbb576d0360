"""The evidence benchmark runs end to end on a small generated graph and reports every
operation with its targets and sensible figures."""

import json
import re
from pathlib import Path

import pytest

from bench.evidence import main
from tests.bench.tables import table_rows

OPERATIONS = [
    "hypothesis-evidence (stored query)",
    "evidence_map",
    "evidence_subgraph",
    "synthesize (REML)",
    "forest (plot model)",
    "render SVG",
    "render PNG",
    "record (stores a new pooled result)",
    "record (held already: stores nothing)",
]


def test_bench_prints_every_operation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pubs.nt"  # generated here, not in bench/out
    # 600 publications: the largest selection has two studies, so there is a pool to record
    assert main(["--publications", "600", "--runs", "1", "--file", str(data)]) == 0
    assert data.exists()
    out = capsys.readouterr().out

    assert re.search(r"hypothesis: <http://\S+/hypothesis/h\d+>, \d+ direct", out)
    assert re.search(r"selection: (HR|OR|RR|MD) of <\S+> vs <\S+> on <\S+>: 2 studies", out)
    rows = table_rows(out, 7)
    for name in OPERATIONS:
        assert name in rows, name
        _, result, median, minimum, share, calls, _ = rows[name]
        assert not result.startswith("failed"), result
        assert 0 < float(minimum.replace(",", "")) <= float(median.replace(",", ""))
        assert share.endswith("%") and calls.replace(",", "").isdigit()
    assert rows["evidence_map"][6].endswith("\u00d7")
    assert rows["record (stores a new pooled result)"][1] == "1 of 1 stored"
    assert rows["record (held already: stores nothing)"][1] == "0 of 1 stored"

    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["triples"] > 10_000 and summary["studies"] == 2
    ops = summary["operations"]
    assert list(ops) == OPERATIONS
    assert all(op["error"] is None and op["median_ms"] > 0 for op in ops.values())
    assert ops["evidence_map"]["ratio"] > 0 and ops["evidence_map"]["queries"] >= 2
    assert ops["synthesize (REML)"]["result"] == "2 studies pooled, 0 excluded"
    map_nodes = int(ops["evidence_map"]["result"].split()[0])
    assert map_nodes >= summary["direct"] > 0
