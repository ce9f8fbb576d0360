"""A chase as CSV and as RIS, read back by the csv module and by rispy."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import rispy

from graph.chase import ChaseRequest, ChaseResult, chase
from graph.chase_output import CSV_COLUMNS, as_csv, as_ris
from graph.oxigraph_store import OxigraphStore
from tests.citation_graph import load_into
from tests.conftest import BASE


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChaseResult]:
    store = OxigraphStore(Path(tmp_path_factory.mktemp("chase")) / "data")
    load_into(store)
    yield chase(store, ChaseRequest(("doi:10.5555/s",), direction="both", hops=2), BASE)
    store.close()


def test_csv_has_one_row_per_record_in_rank_order(result: ChaseResult) -> None:
    rows = list(csv.DictReader(io.StringIO(as_csv(result))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["rank"] for r in rows] == [str(n) for n in range(1, 9)]
    g = rows[0]
    assert (g["iri"], g["doi"], g["title"], g["year"]) == (
        BASE + "publication/g",
        "10.5555/g",
        "Paper G",
        "2004",
    )
    assert (g["directions"], g["co_citation"], g["coupling"], g["hops"]) == (
        "co-cited",
        "2",
        "0",
        "2",
    )
    assert (g["pagerank"], g["known"]) == ("", "True")
    assert g["seeds"] == f"{BASE}publication/s (2)"
    assert g["sources"].startswith("hand-checked.ttl (imported ") and g["sources"].endswith(
        " by tester)"
    )


def test_ris_round_trips_through_rispy_with_the_chase_first_in_the_notes(
    result: ChaseResult,
) -> None:
    entries = rispy.loads(as_ris(result))
    assert [e["title"] for e in entries] == [r.publication.title for r in result.records]
    first = entries[0]
    assert first["type_of_reference"] == "JOUR"
    assert first["doi"] == "10.5555/g" and first["year"] == "2004"
    assert first["id"] == BASE + "publication/g"
    note = first["notes"][0]
    assert note.startswith("evidence-graph chase ")
    assert "(both, 2 hops, ranked by relatedness): rank 1 of 8" in note
    assert "co-cited from doi:10.5555/s in 2 hops" in note
    assert "co-citation 2; coupling 0; citation data: hand-checked.ttl" in note
    assert "https://doi.org/10.5555/g" in first["urls"]
