"""The stored queries in queries/: each loads and answers on the example evidence."""

import pytest

import queries
from graph.examples import load_examples
from graph.pooled_results import record
from graph.store import Store
from graph.stored_queries import load_catalogue, ready_examples
from graph.synthesis import Selection, synthesize
from tests.conftest import BASE

CATALOGUE = load_catalogue([queries.folder()])


def test_the_built_in_queries_load_with_summaries() -> None:
    assert len({q.summary for q in CATALOGUE.values()}) == len(CATALOGUE) >= 3


@pytest.mark.parametrize("name", sorted(ready_examples(CATALOGUE)))
def test_each_ready_example_answers_on_the_example_evidence(store: Store, name: str) -> None:
    """On the example evidence with the README's synthesis of overall survival recorded (the
    pooled results are evidence that a synthesis writes)."""
    load_examples(store, BASE)
    controls = ("no LRT", "no surgery of the primary", "systemic therapy alone")
    selection = Selection(("LRT",), (*controls, "continued systemic therapy"), "OS")
    record(store, synthesize(store, BASE, selection), BASE, "reviewer")
    assert store.query(ready_examples(CATALOGUE)[name]).rows
