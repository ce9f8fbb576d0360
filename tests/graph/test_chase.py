"""Citation chases on the hand-checked graph of tests/citation_graph.py."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.chase import ChaseError, ChaseRequest, chase
from graph.citations import BadIdentifier, UnknownPublication
from graph.opencitations import import_opencitations
from graph.oxigraph_store import OxigraphStore
from graph.store import Store
from tests.citation_graph import load_into
from tests.conftest import BASE


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = OxigraphStore(Path(tmp_path_factory.mktemp("chase")) / "data")
    load_into(opened)
    yield opened
    opened.close()


def run(store: Store, *seeds: str, **options: object) -> dict:
    return chase(store, ChaseRequest(tuple(seeds), **options), BASE).as_json()  # type: ignore[arg-type]


def by_key(result: dict) -> dict[str, dict]:
    return {r["iri"].rsplit("/", 1)[1]: r for r in result["records"]}


def test_backward_one_hop_is_what_the_seed_cites(store: Store) -> None:
    result = run(store, "publication/s", direction="backward", hops=1)
    assert set(by_key(result)) == {"a", "b"}
    assert result["chase"]["per_hop"] == {"1": 2}
    assert all(r["directions"] == ["backward"] for r in result["records"])


def test_both_directions_two_hops_name_each_kind_of_chain(store: Store) -> None:
    records = by_key(run(store, "doi:10.5555/S", direction="both", hops=2))
    assert set(records) == {"a", "b", "c", "d", "e", "f", "g", "h"}
    assert {k: (r["hops"], r["directions"]) for k, r in records.items()} == {
        "a": (1, ["backward"]),
        "b": (1, ["backward"]),
        "d": (1, ["forward"]),
        "e": (1, ["forward"]),
        "c": (2, ["backward"]),  # reached through A and through B: listed once
        "f": (2, ["forward"]),
        "g": (2, ["co-cited"]),
        "h": (2, ["co-citing"]),
    }
    assert records["c"]["path"][0] == BASE + "publication/s"
    assert records["c"]["path"][-1] == BASE + "publication/c" and len(records["c"]["path"]) == 3


def test_counts_per_hop_and_direction(store: Store) -> None:
    summary = run(store, "publication/s", direction="both", hops=2)["chase"]
    assert summary["per_hop"] == {"1": 4, "2": 4}
    assert summary["per_direction"] == {
        "backward": 3,
        "co-cited": 1,
        "co-citing": 1,
        "forward": 3,
    }
    assert summary["total"] == summary["returned"] == 8


def test_relatedness_ranks_co_citation_and_coupling(store: Store) -> None:
    result = run(store, "publication/s", direction="both", hops=2)
    records = by_key(result)
    assert {k: (r["co_citation"], r["coupling"]) for k, r in records.items()} == {
        "a": (1, 0),
        "b": (0, 0),
        "c": (0, 0),
        "d": (0, 1),
        "e": (0, 0),
        "f": (0, 0),
        "g": (2, 0),
        "h": (0, 2),
    }
    order = [r["iri"].rsplit("/", 1)[1] for r in result["records"]]
    # ties (same score, seeds and hops) go by IRI; among the score-0 records, hop 1 first
    assert order == ["g", "h", "a", "d", "b", "e", "c", "f"]
    assert {r["pagerank"] for r in result["records"]} == {None}  # not this ranking's score
    assert [r["rank"] for r in result["records"]] == list(range(1, 9))


def test_ranking_by_one_count_and_by_pagerank(store: Store) -> None:
    by_coupling = run(store, "publication/s", direction="both", hops=2, ranking="coupling")
    assert [r["iri"][-1] for r in by_coupling["records"][:2]] == ["h", "d"]
    by_rank = run(store, "publication/s", direction="both", hops=2, ranking="pagerank")
    ranks = [r["pagerank"] for r in by_rank["records"]]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1]
    assert {(r["co_citation"], r["coupling"]) for r in by_rank["records"]} == {(None, None)}
    assert by_rank["records"][0]["iri"].endswith("/c")  # cited by A, B and T's neighbours


def test_several_seeds_are_each_credited(store: Store) -> None:
    records = by_key(run(store, "publication/s", "doi:10.5555/t", hops=2, direction="backward"))
    assert set(records) == {"a", "b", "c"}
    c = records["c"]
    assert c["hops"] == 1
    assert [(r["seed"].rsplit("/", 1)[1], r["hops"]) for r in c["reached"]] == [("t", 1), ("s", 2)]


def test_a_seed_found_by_another_is_not_listed(store: Store) -> None:
    records = by_key(run(store, "publication/s", "publication/d", direction="forward", hops=1))
    assert set(records) == {"e", "f"}


def test_limit_keeps_the_best_and_counts_all(store: Store) -> None:
    result = run(store, "publication/s", direction="both", hops=2, limit=3)
    assert [r["rank"] for r in result["records"]] == [1, 2, 3]
    assert result["chase"]["total"] == 8 and result["chase"]["returned"] == 3


def test_records_carry_metadata_and_the_import_they_came_from(store: Store) -> None:
    record = by_key(run(store, "publication/s", direction="backward", hops=1))["a"]
    assert record["title"] == "Paper A" and record["year"] == 2002
    assert record["ids"] == ["doi:10.5555/a"] and record["known"] is True
    assert [s["files"] for s in record["sources"]] == [["hand-checked.ttl"]]
    assert record["sources"][0]["agent"] == "tester"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"hops": 0}, "hops"),
        ({"hops": 4}, "hops"),
        ({"ranking": "citations"}, "ranking"),
        ({"limit": 0}, "limit"),
    ],
)
def test_bad_requests_say_which_field(store: Store, options: dict, field: str) -> None:
    with pytest.raises(ChaseError) as error:
        run(store, "publication/s", **options)
    assert error.value.field == field


def test_unknown_and_malformed_seeds(store: Store) -> None:
    with pytest.raises(UnknownPublication, match=r"doi:10\.5555/zzz"):
        run(store, "doi:10.5555/zzz")
    with pytest.raises(UnknownPublication):
        run(store, "publication/nothing")
    with pytest.raises(BadIdentifier):
        run(store, "doi:not-a-doi")


def test_records_known_only_by_identifier_are_marked_not_known(examples, tmp_path: Path) -> None:
    """A citing work imported from OpenCitations has only its DOI: not known yet, unlike the
    stored trial it is co-cited with; its citation is credited to the file it came from."""
    path = tmp_path / "coci.csv"
    path.write_text(
        "oci,citing,cited,creation,timespan,journal_sc,author_sc\n"
        "1-2,doi:10.1016/j.breast.2023.01.005,doi:10.1200/JCO.21.02006,2023,,no,no\n"
        "1-3,doi:10.1016/j.breast.2023.01.005,pmid:29777404,2023,,no,no\n",
        encoding="utf-8",
    )
    import_opencitations(examples, path, BASE, "reviewer")
    found = chase(examples, ChaseRequest(("pmid:34995128",), "both", 2), BASE).as_json()
    records = {r["iri"].rsplit("/", 1)[1]: r for r in found["records"]}
    review = records["j.breast.2023.01.005"]
    assert (review["known"], review["title"], review["directions"]) == (False, None, ["forward"])
    assert review["ids"] == ["doi:10.1016/j.breast.2023.01.005"]
    assert [s["files"] for s in review["sources"]] == [["coci.csv"]]
    soran = records["soran2018"]
    assert (soran["known"], soran["evidence"], soran["directions"]) == (True, True, ["co-cited"])
    assert soran["co_citation"] == 1
    assert found["chase"]["known"] == len(found["records"]) - 1
