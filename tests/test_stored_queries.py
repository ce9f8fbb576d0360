"""The stored queries in queries/: well named, summarised, and answering on the example evidence."""

import pytest

from graph.examples import load_examples
from graph.store import Store
from queries import stored_queries
from tests.conftest import BASE


def test_the_stored_queries_are_found_with_their_summaries() -> None:
    found = {q.name: q.summary for q in stored_queries()}
    assert found["hazard-ratios"] == "Every hazard ratio, with its interval and level"
    assert len(found) == len(set(found.values())) >= 3


@pytest.mark.parametrize("query", stored_queries(), ids=lambda q: q.name)
def test_each_stored_query_answers_on_the_example_evidence(store: Store, query) -> None:
    load_examples(store, BASE)
    assert store.query(query.text).rows
