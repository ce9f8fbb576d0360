"""The command line end to end, each command in a real subprocess on a real on-disk store."""

import json
import signal
import subprocess
from pathlib import Path

import pytest
from rdflib import Dataset

from tests.api.conftest import EXE, command_line
from tests.conftest import PREFIXES, data_dir_held, paper

HYPOTHESIS_SUPPORT = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
SELECT ?evidence WHERE { ?evidence ev:supports ?h . ?h a ev:Hypothesis } ORDER BY ?evidence
"""


@pytest.fixture
def cli(tmp_path: Path):
    """Run ``evidence-graph ARGS --data-dir tmp`` and return the completed process."""
    return command_line(tmp_path / "data")


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    path = tmp_path / "papers.ttl"
    path.write_text(
        PREFIXES + paper("a", "A") + paper("b", "B", extra="; cito:cites <http://example.org/a> ")
    )
    return path


@pytest.fixture
def invalid(tmp_path: Path) -> Path:
    path = tmp_path / "invalid.ttl"
    path.write_text(PREFIXES + paper("a", "A") + paper("c", "C", extra='; bibo:doi "not a doi" '))
    return path


def test_load_prints_the_graph_and_counts_and_graphs_lists_it(cli, papers: Path) -> None:
    done = cli("load", str(papers), "--agent", "alice")
    assert done.returncode == 0, done.stderr
    graph = done.stdout.split()[1]
    assert "triples   7" in done.stdout  # 6 stated + the implied cito:cites is the same triple
    listed = json.loads(cli("graphs", "--json").stdout)
    assert [(r["graph"], r["agent"], r["sources"], r["triples"]) for r in listed] == [
        (graph, "alice", "papers.ttl", 7)
    ]


def test_an_invalid_file_is_reported_and_nothing_is_stored(cli, invalid: Path) -> None:
    done = cli("load", str(invalid))
    assert done.returncode == 1
    assert "http://example.org/c" in done.stderr and "DOI must be" in done.stderr
    assert json.loads(cli("graphs", "--json").stdout) == []


def test_validate_exits_0_or_1_and_stores_nothing(cli, papers: Path, invalid: Path) -> None:
    ok = cli("validate", str(papers))
    assert (ok.returncode, ok.stdout.strip()) == (0, "conforms: no violations")
    bad = cli("validate", str(invalid), "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["conforms"] is False
    assert [(v["focus_node"], v["constraint"]) for v in report["violations"]] == [
        ("http://example.org/c", "PatternConstraintComponent")
    ]
    assert json.loads(cli("graphs", "--json").stdout) == []


def test_query_from_argument_file_and_stdin_in_each_format(
    cli, papers: Path, tmp_path: Path
) -> None:
    cli("load", str(papers))
    sparql = "SELECT ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t } ORDER BY ?t"
    table = cli("query", sparql)
    assert table.stdout.splitlines()[2:] == ["A", "B", "(2 rows)"]
    as_json = json.loads(cli("query", sparql, "--format", "json").stdout)
    assert [b["t"]["value"] for b in as_json["results"]["bindings"]] == ["A", "B"]
    query_file = tmp_path / "q.rq"
    query_file.write_text(sparql)
    assert cli("query", "--file", str(query_file), "--format", "csv").stdout.split() == [
        "t",
        "A",
        "B",
    ]
    assert cli("query", "--format", "tsv", stdin=sparql).stdout.split() == ["?t", '"A"', '"B"']
    construct = cli(
        "query",
        "CONSTRUCT { ?p a ?t } WHERE { ?p a ?t FILTER(?t = <http://purl.org/spar/fabio/Article>"
        " || ?t = <http://purl.org/spar/fabio/JournalArticle>) }",
        "--format",
        "ntriples",
    ).stdout
    assert len(construct.split()) == 2 * 4  # two triples of three terms and a dot
    wrong = cli("query", sparql, "--format", "turtle")
    assert wrong.returncode == 2 and "results format" in wrong.stderr
    ask_csv = cli("query", "ASK { ?s ?p ?o }", "--format", "csv")
    assert ask_csv.returncode == 2 and "json, xml" in ask_csv.stderr
    assert cli("query", "ASK { ?s ?p ?o }", "--format", "json").stdout.strip().endswith("true}")
    broken = cli("query", "SELECT ?x WHERE {")
    assert broken.returncode == 1 and "syntax" in broken.stderr


def test_drop_undoes_an_import(cli, papers: Path) -> None:
    graph = cli("load", str(papers)).stdout.split()[1]
    assert cli("graphs", "drop", graph).stdout.strip() == f"dropped {graph}"
    assert json.loads(cli("graphs", "--json").stdout) == []
    again = cli("graphs", "drop", graph)
    assert again.returncode == 1 and "no such graph" in again.stderr


def test_export_the_dataset_and_one_graph(cli, papers: Path, tmp_path: Path) -> None:
    graph = cli("load", str(papers)).stdout.split()[1]
    out = tmp_path / "dump.trig"
    assert cli("export", "-o", str(out)).returncode == 0
    dataset = Dataset()
    dataset.parse(out, format="trig")
    assert len(dataset.graph(graph)) == 7
    turtle = cli("export", "--graph", graph).stdout
    assert "<http://example.org/a>" in turtle
    refused = cli("export", "--format", "turtle")
    assert refused.returncode == 2 and "dataset format" in refused.stderr


def test_bad_input_gets_a_message_not_a_traceback(cli, tmp_path: Path) -> None:
    missing = cli("load", str(tmp_path / "missing.ttl"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/p> .\n")
    parsed = cli("load", str(broken))
    assert parsed.returncode == 1 and "broken.ttl (line 1" in parsed.stderr
    unknown = tmp_path / "data.csv"
    unknown.write_text("a,b\n")
    assert "unknown file type .csv" in cli("load", str(unknown)).stderr
    bad_setting = cli("graphs", "--base-iri", "not-an-iri")
    assert bad_setting.returncode == 2 and "base_iri" in bad_setting.stderr


def test_a_busy_data_directory_is_named(cli, papers: Path, tmp_path: Path) -> None:
    with data_dir_held(tmp_path / "data"):
        done = cli("load", str(papers))
    assert done.returncode == 1 and "in use by another evidence-graph process" in done.stderr


def test_load_examples_brings_the_seed_evidence(cli) -> None:
    assert cli("load-examples").returncode == 0
    rows = cli("query", HYPOTHESIS_SUPPORT, "--format", "csv").stdout.split()[1:]
    assert rows == [
        "http://127.0.0.1:8000/id/claim/badwe-growth-advantage",
        "http://127.0.0.1:8000/id/claim/fisher-growth-factor",
        "http://127.0.0.1:8000/id/finding/badwe2013-distant-pfs",
    ]


def test_a_write_acknowledged_by_the_cli_survives_sigkill_right_after(
    cli, papers: Path, tmp_path: Path
) -> None:
    loader = subprocess.Popen(
        [EXE, "load", str(papers), "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    acknowledged = loader.stdout.readline().split()[1]  # "graph     <iri>"
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=30)
    loader.stdout.close()
    listed = json.loads(cli("graphs", "--json").stdout)
    assert [r["graph"] for r in listed] == [acknowledged]
