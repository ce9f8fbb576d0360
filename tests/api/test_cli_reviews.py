"""``evidence-graph import`` of records, ``export`` and ``prisma`` end to end, in real
subprocesses on a real on-disk store."""

import csv
import io
import json
from pathlib import Path

import pytest
import rispy

from tests.api.conftest import command_line

DATA = Path(__file__).parents[1] / "graph" / "data"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"


@pytest.fixture
def cli(tmp_path: Path):
    return command_line(tmp_path / "data")


def quads(cli) -> int:
    return int(cli("query", QUADS, "--format", "csv").stdout.split()[1])


def test_a_review_from_searches_to_screening_files_and_prisma_counts(cli, tmp_path: Path) -> None:
    assert cli("load-examples").returncode == 0
    # a PubMed file is recognised as PubMed (not read as an empty RIS file)
    pubmed = cli("import", str(DATA / "pubmed-lrt.nbib"), "--review", "lrt", "--source", "PubMed")
    assert pubmed.returncode == 0, pubmed.stderr
    lines = dict(line.split(None, 1) for line in pubmed.stdout.splitlines())
    assert (lines["records"], lines["publications"]) == ("4", "0 new, 4 already stored")
    assert "reading" in pubmed.stderr and "validating" in pubmed.stderr  # progress on stderr
    rayyan = cli(
        "import", str(DATA / "rayyan.ris"), "--review", "lrt", "--source", "Embase", "--json"
    )
    result = json.loads(rayyan.stdout)
    assert [d["rule"] for d in result["duplicates"]] == ["doi", "doi", "doi"]
    assert result["decisions"] == 8
    # out for screening in ASReview, back with its labels
    out = tmp_path / "screen.ris"
    exported = cli("export", "--review", "lrt", "--format", "ris", "-o", str(out))
    assert exported.returncode == 0 and "5 publications" in exported.stderr
    records = rispy.loads(out.read_text(encoding="utf-8"))
    assert len(records) == 5
    assert all(any(n.startswith("evidence-graph: <") for n in r["notes"]) for r in records)
    csv_out = cli("export", "--review", "lrt", "--format", "asreview-csv", "--decision", "include")
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert rows and {row["included"] for row in rows} == {"1"}
    counts = cli("prisma", "lrt")
    assert counts.returncode == 0, counts.stderr
    n = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(counts.stdout))}
    assert (n["database_results"], n["duplicates"], n["records_screened"]) == ("8", "3", "5")
    as_json = json.loads(cli("prisma", "lrt", "--json").stdout)
    assert as_json["adds_up"] is True


def test_a_malformed_file_is_refused_with_each_record_and_nothing_stored(cli) -> None:
    assert cli("load-examples").returncode == 0
    before = quads(cli)
    done = cli("import", str(DATA / "malformed.bib"))
    assert done.returncode == 1
    assert "refused, nothing stored" in done.stderr
    assert "malformed.bib, record " in done.stderr
    assert quads(cli) == before


def test_options_that_do_not_fit_are_usage_errors(cli) -> None:
    source = cli("import", str(DATA / "rayyan.ris"), "--source", "PubMed")
    assert source.returncode == 2 and "name the review" in source.stderr
    skip = cli("import", str(DATA / "rayyan.ris"), "--skip-malformed")
    assert skip.returncode == 2 and "OpenCitations" in skip.stderr
    unknown = cli("prisma", "never")
    assert unknown.returncode == 1 and "no review 'never'" in unknown.stderr
    selection = cli("export", "--chase", "never")
    assert selection.returncode == 2 and "no saved chase" in selection.stderr


def test_an_extraction_sheet_and_an_identifier_list_are_imported_by_their_first_bytes(
    cli, tmp_path: Path
) -> None:
    assert cli("load-examples").returncode == 0
    listed = tmp_path / "ids.txt"
    listed.write_text("doi:10.1200/JCO.21.02006\npmid:99999999\n", encoding="utf-8")
    done = cli("import", str(listed), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["publications_new"], result["publications_matched"]) == (1, 1)
    template = Path(__file__).parents[2] / "graph" / "templates" / "extraction-sheet.csv"
    sheet = cli("import", str(template))
    assert sheet.returncode == 0, sheet.stderr
    lines = dict(line.split(None, 1) for line in sheet.stdout.splitlines())
    assert int(lines["findings"]) >= 9 and int(lines["estimates"]) >= 9
    exported = cli("export", "--format", "extraction-csv", "--graph", lines["graph"])
    assert exported.returncode == 0, exported.stderr
    exported_rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    # the sheet's findings (with the arms as printed), and the examples' on those publications
    assert sum(1 for row in exported_rows if row["intervention_arm"]) == int(lines["rows"])
    assert len(exported_rows) > int(lines["rows"])
    missing = cli("export", "--format", "extraction-csv", "--graph", "graph/none")
    assert missing.returncode == 2 and "no named graph" in missing.stderr
