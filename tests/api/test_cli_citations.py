"""``evidence-graph chase`` and ``evidence-graph citation-path`` in real subprocesses on an
on-disk store with the example evidence: the README's examples, every output format, saving a
chase, and bad input as a one-line message."""

import csv
import io
import json
from pathlib import Path

import pytest
import rispy

from tests.api.conftest import Run, command_line

BASE = "http://127.0.0.1:8000/id/"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = command_line(tmp_path_factory.mktemp("cli-citations") / "data")
    assert run("load-examples").returncode == 0
    return run


def test_the_readme_chase_finds_badwe_2013_co_cited_with_fisher_1989(cli: Run) -> None:
    done = cli("chase", "pmid:2702641", "--hops", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("2 publications (1 at hop 1, 1 at hop 2; 1 co-cited, 1 forward)")
    assert "co-cited" in lines[2] and lines[2].rstrip().endswith("(2013)")
    assert f"{BASE}publication/badwe2013" in lines[2]
    assert "forward" in lines[3] and f"{BASE}publication/ascopost2014" in lines[3]


def test_chase_as_json_csv_and_ris(cli: Run, tmp_path: Path) -> None:
    found = json.loads(cli("chase", "publication/ascopost2014", "--format", "json").stdout)
    assert found["chase"]["per_direction"] == {"backward": 2}
    assert {r["iri"] for r in found["records"]} == {
        f"{BASE}publication/badwe2013",
        f"{BASE}publication/fisher1989",
    }
    rows = list(csv.DictReader(io.StringIO(cli("chase", "pmid:2702641", "--format", "csv").stdout)))
    assert [r["directions"] for r in rows] == ["forward"]
    out = tmp_path / "chase.ris"
    done = cli("chase", "publication/ascopost2014", "--format", "ris", "-o", str(out))
    assert done.returncode == 0 and "wrote" in done.stderr
    entries = rispy.loads(out.read_text(encoding="utf-8"))
    assert {e.get("accession_number") for e in entries} == {"2702641", None}
    seed = f"backward from {BASE}publication/ascopost2014 in 1 hop"
    assert all(seed in e["notes"][0] for e in entries)
    files = "citation data: citations.ttl, claims.ttl, publications.ttl, studies.ttl (imported "
    assert all(files in e["notes"][0] for e in entries)  # one import of four files


def test_the_readme_citation_path(cli: Run) -> None:
    done = cli("citation-path", "pmid:2702641", "publication/badwe2013")
    assert done.returncode == 0, done.stderr
    assert [line.split("  ")[0] for line in done.stdout.splitlines()] == [
        "pmid:2702641",
        "",
        f"{BASE}publication/ascopost2014",
        "",
        f"{BASE}publication/badwe2013",
    ]
    assert "is cited by" in done.stdout and "  cites" in done.stdout


def test_a_saved_chase_is_queryable_and_its_name_taken(cli: Run) -> None:
    saved = cli("chase", "pmid:2702641", "--hops", "2", "--save", "Fisher chase", "--agent", "ana")
    assert saved.returncode == 0, saved.stderr
    assert f"saved as {BASE}chase/fisher-chase" in saved.stderr
    members = cli(
        "query",
        "--format",
        "csv",
        f"SELECT ?p WHERE {{ <{BASE}chase/fisher-chase> <http://www.w3.org/ns/prov#hadMember> ?p }}"
        " ORDER BY ?p",
    )
    assert members.stdout.split() == [
        "p",
        f"{BASE}publication/ascopost2014",
        f"{BASE}publication/badwe2013",
    ]
    again = cli("chase", "pmid:2702641", "--save", "fisher CHASE")
    assert again.returncode == 1 and "already named" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("chase", "doi:10.5555/none"), "no stored publication has doi:10.5555/none"),
        (("chase", "doi:nonsense"), "not a well-formed doi"),
        (("chase", "pmid:2702641", "--save", "!!!"), "no letters or digits"),
        (("citation-path", "pmid:2702641", "publication/soran2018"), "no chain of at most 4"),
    ],
)
def test_bad_input_is_one_line(cli: Run, args: tuple[str, ...], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 1
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_hops_out_of_range_is_a_usage_error(cli: Run) -> None:
    done = cli("chase", "pmid:2702641", "--hops", "4")
    assert done.returncode == 2 and "--hops" in done.stderr


def test_the_command_line_names_the_chase_options_of_graph_chase() -> None:
    from api import cli_citations
    from graph import chase

    assert cli_citations._DIRECTIONS == chase.DIRECTIONS
    assert cli_citations._RANKINGS == chase.RANKINGS
    assert cli_citations._MAX_HOPS == chase.MAX_HOPS
    assert cli_citations._DEFAULT_LIMIT == chase.DEFAULT_LIMIT


def test_limit_keeps_the_best_and_zero_keeps_all(cli: Run) -> None:
    one = json.loads(
        cli("chase", "pmid:2702641", "--hops", "2", "--limit", "1", "--format", "json").stdout
    )
    assert (one["chase"]["limit"], one["chase"]["returned"], one["chase"]["total"]) == (1, 1, 2)
    assert one["records"][0]["iri"] == f"{BASE}publication/badwe2013"
    every = json.loads(
        cli("chase", "pmid:2702641", "--hops", "2", "--limit", "0", "--format", "json").stdout
    )
    assert (every["chase"]["limit"], every["chase"]["returned"]) == (None, 2)
