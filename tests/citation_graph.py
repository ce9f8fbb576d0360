"""A small citation graph whose chases were worked out by hand, for the chase tests of
every layer (graph, HTTP, command line):

    S -> A, S -> B          (S, the seed, cites A and B)
    A -> C, B -> C          (C: two hops back, reached twice)
    D -> S, E -> S          (D and E cite S)
    F -> D                  (F: two hops forward)
    D -> A, D -> G, E -> G  (G is cited with S by D and by E: co-cited, co-citation 2)
    H -> A, H -> B          (H cites what S cites: co-citing, coupling 2)
    T -> C                  (T, a second seed, cites C)

Co-citation with S: A 1 (D), G 2 (D, E). Coupling with S: D 1 (A), H 2 (A, B). Each paper
``publication/<key>`` has the title "Paper <KEY>" and the DOI 10.5555/<key>.
"""

import io

from graph.parsing import Source
from graph.store import Store
from graph.writes import load
from tests.conftest import BASE, PREFIXES

__all__ = ["CITES", "YEARS", "load_into", "turtle"]

CITES = {
    "s": "a b",
    "a": "c",
    "b": "c",
    "d": "s a g",
    "e": "s g",
    "f": "d",
    "h": "a b",
    "t": "c",
}
YEARS = dict(zip("cabgsdehtf", range(2001, 2011), strict=True))


def turtle() -> str:
    lines = [PREFIXES]
    for key, year in YEARS.items():
        cited = " , ".join(f"<publication/{c}>" for c in CITES.get(key, "").split())
        lines.append(
            f'<publication/{key}> a fabio:JournalArticle ; dcterms:title "Paper {key.upper()}" ; '
            f'dcterms:issued "{year}"^^xsd:gYear ; bibo:doi "10.5555/{key}"'
            + (f" ; cito:cites {cited}" if cited else "")
            + " .\n"
        )
    return "".join(lines)


def load_into(store: Store) -> None:
    """Store the graph as one import of ``hand-checked.ttl`` by ``tester``."""
    load(
        store, [Source("hand-checked.ttl", io.BytesIO(turtle().encode()), "turtle")], BASE, "tester"
    )
