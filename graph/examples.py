"""The example evidence that ships with the service: the seed article and the trials on its
question, loaded through the write path like any other import."""

from contextlib import ExitStack

from graph.parsing import Source
from graph.store import Store
from graph.writes import WriteResult, load
from ontology import examples, vocabulary

__all__ = ["AGENT", "load_examples"]

AGENT = "evidence-graph"


def load_examples(store: Store, base_iri: str) -> list[WriteResult]:
    """Load the vocabulary and the example evidence, each as its own import."""
    results = []
    for group in ([vocabulary()], examples()):
        with ExitStack() as stack:
            sources = [Source(f.name, stack.enter_context(f.open("rb")), "turtle") for f in group]
            results.append(load(store, sources, base_iri, AGENT))
    return results
