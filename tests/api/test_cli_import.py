"""``evidence-graph import`` end to end, in a real subprocess on a real on-disk store."""

import json
from pathlib import Path

import pytest

from tests.api.conftest import command_line

BASE = "http://127.0.0.1:8000/id/"
HEADER = "oci,citing,cited,creation,timespan,journal_sc,author_sc"
PEERJ = "omid:br/06101801781 doi:10.7717/peerj-cs.421 pmid:33817056"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"


@pytest.fixture
def cli(tmp_path: Path):
    """Run ``evidence-graph ARGS --data-dir tmp`` and return the completed process."""
    return command_line(tmp_path / "data")


def csv_file(tmp_path: Path, *rows: str, name: str = "coci.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def quads(cli) -> int:
    return int(cli("query", QUADS, "--format", "csv").stdout.split()[1])


def test_import_attaches_a_cited_doi_to_the_stored_publication(cli, tmp_path: Path) -> None:
    assert cli("load-examples").returncode == 0
    path = csv_file(tmp_path, f"1-2,{PEERJ},doi:10.1016/S1470-2045(15)00135-7,2021,P6Y,no,no")
    done = cli("import", str(path), "--agent", "alice")
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(None, 1) for line in done.stdout.splitlines())
    assert lines["sources"] == "coci.csv"
    assert lines["rows"] == "1 read, 1 imported, 0 skipped"
    assert lines["publications"] == "1 new, 1 already stored"
    assert "reading" in done.stderr and "validating" in done.stderr  # progress, on stderr
    listed = json.loads(cli("graphs", "--json").stdout)
    assert (listed[-1]["graph"], listed[-1]["agent"]) == (lines["graph"], "alice")
    cited = cli(
        "query",
        f"SELECT ?c WHERE {{ <{BASE}publication/doi/10.7717/peerj-cs.421> "
        "<http://purl.org/spar/cito/cites> ?c }",
        "--format",
        "csv",
    )
    assert cited.stdout.split()[1:] == [f"{BASE}publication/badwe2015"]


def test_several_files_are_one_import_and_json_says_what_was_written(cli, tmp_path) -> None:
    first = csv_file(tmp_path, f"1-2,{PEERJ},pmid:1,2021,,no,no", name="a.csv")
    second = csv_file(tmp_path, "3-2,pmid:33817056,pmid:2,2021,,no,no", name="b.csv")
    done = cli("import", str(first), str(second), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["sources"] == ["a.csv", "b.csv"]
    assert (result["rows_read"], result["rows_imported"], result["publications_new"]) == (2, 2, 3)
    [listed] = json.loads(cli("graphs", "--json").stdout)
    assert (listed["graph"], listed["sources"]) == (result["graph"], "a.csv, b.csv")


def test_bad_rows_are_reported_and_nothing_is_stored(cli, tmp_path: Path) -> None:
    assert cli("load-examples").returncode == 0
    before = quads(cli)
    path = csv_file(
        tmp_path,
        f"1-2,{PEERJ},pmid:1,2021,,no,no",
        "1-3,omid:br/1,pmid:2,2021,,no,no",
        "1-4,pmid:3,pmid:4,20211,,no,no",
    )
    done = cli("import", str(path))
    assert done.returncode == 1
    assert "refused, nothing stored: 2 rows cannot be imported" in done.stderr
    assert "coci.csv, line 3, column citing: 'omid:br/1' names no DOI, PMID or PMCID" in done.stderr
    assert "coci.csv, line 4, column creation: '20211' is not a date" in done.stderr
    assert quads(cli) == before
    as_json = json.loads(cli("import", str(path), "--json").stdout)
    assert [(p["line"], p["column"]) for p in as_json["problems"]] == [
        (3, "citing"),
        (4, "creation"),
    ]
    assert quads(cli) == before


def test_skip_malformed_imports_the_good_rows(cli, tmp_path: Path) -> None:
    path = csv_file(tmp_path, f"1-2,{PEERJ},pmid:1,2021,,no,no", "1-3,pmid:2,pmid:3,2021,,x,no")
    done = cli("import", str(path), "--skip-malformed")
    assert done.returncode == 0, done.stderr
    assert "rows          2 read, 1 imported, 1 skipped" in done.stdout
    assert "skipped coci.csv, line 3, column journal_sc: 'x' is neither yes nor no" in done.stderr


def test_a_file_of_another_kind_is_refused(cli, tmp_path: Path) -> None:
    other = csv_file(tmp_path, "1,2", header="a,b", name="other.csv")
    unknown = cli("import", str(other))
    assert unknown.returncode == 2 and "cannot tell the format of other.csv" in unknown.stderr
    forced = cli("import", str(other), "--format", "opencitations-csv")
    assert forced.returncode == 1
    assert "other.csv, line 1: not an OpenCitations CSV: the header lacks oci" in forced.stderr
    assert json.loads(cli("graphs", "--json").stdout) == []
