"""The stored queries in queries/: each loads and answers on the example evidence."""

import pytest

import queries
from graph.examples import load_examples
from graph.store import Store
from graph.stored_queries import load_catalogue, ready_examples
from tests.conftest import BASE

CATALOGUE = load_catalogue([queries.folder()])


def test_the_built_in_queries_load_with_summaries() -> None:
    assert len({q.summary for q in CATALOGUE.values()}) == len(CATALOGUE) >= 3


@pytest.mark.parametrize("name", sorted(ready_examples(CATALOGUE)))
def test_each_ready_example_answers_on_the_example_evidence(store: Store, name: str) -> None:
    load_examples(store, BASE)
    assert store.query(ready_examples(CATALOGUE)[name]).rows
