"""The stored queries in queries/: each loads and answers on the example evidence."""

from collections.abc import Iterator

import pytest

import queries
from graph.examples import load_examples
from graph.memory_store import MemoryStore
from graph.oxigraph_store import OxigraphStore
from graph.pooled_results import record
from graph.store import Store
from graph.stored_queries import load_catalogue, ready_examples
from graph.synthesis import Selection, synthesize
from tests.conftest import BASE

CATALOGUE = load_catalogue([queries.folder()])


def test_the_built_in_queries_load_with_summaries() -> None:
    assert len({q.summary for q in CATALOGUE.values()}) == len(CATALOGUE) >= 3


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def recorded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """Each backend with the example evidence and the README's synthesis of overall survival
    recorded (the pooled results are evidence that a synthesis writes), once per module."""
    folder = tmp_path_factory.mktemp("recorded")
    store: Store = OxigraphStore(folder / "data") if request.param == "oxigraph" else MemoryStore()
    load_examples(store, BASE)
    controls = ("no LRT", "no surgery of the primary", "systemic therapy alone")
    selection = Selection(("LRT",), (*controls, "continued systemic therapy"), "OS")
    record(store, synthesize(store, BASE, selection), BASE, "reviewer")
    yield store
    store.close()


@pytest.mark.parametrize("name", sorted(ready_examples(CATALOGUE)))
def test_each_ready_example_answers_on_the_example_evidence(recorded: Store, name: str) -> None:
    assert recorded.query(ready_examples(CATALOGUE)[name]).rows
