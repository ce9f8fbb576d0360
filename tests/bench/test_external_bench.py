"""The external-engine benchmarks run end to end on a small generated graph: a validated load
into an ``oxigraph serve`` beside the embedded store, with its ratio."""

import re
from pathlib import Path

import pytest

from bench.sparql.load import main
from tests.bench.tables import table_rows


def test_the_load_bench_prints_both_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "pubs.nt"  # generated here, not in bench/out
    assert main(["-n", "200", "--file", str(data)]) == 0
    rows = table_rows(capsys.readouterr().out, 4)
    embedded = rows["embedded oxigraph store"]
    external = rows["external oxigraph serve (sparql store)"]
    assert embedded[3] == "1.00"  # the first store is the ratios' base
    assert float(external[2].replace(",", "")) > 0 and re.fullmatch(r"[\d.]+", external[3])


def test_the_service_on_an_engine_answers_the_seven_queries_as_the_engine_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.sparql.__main__ import main as sparql

    code = sparql(["-n", "1500", "--servers", "oxigraph,ours-external", "--runs", "1",
                   "--warmup", "1"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert '"mismatches":[]' in out  # the same answers, through the service and directly
    rows = table_rows(out, 4)
    assert re.search(r"\(\d+\.\d\d\u00d7\)", rows["1-paper-by-doi"][3])  # its ratio
