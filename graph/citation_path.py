"""The shortest chain of citations between two publications, followed in either direction:
a breadth-first search from both ends at once, fetching each side's references and citers by
SPARQL one hop at a time, and networkx's shortest path over what was fetched.

Errors::

    LookupError
    └── NoPath      no chain of at most ``max_hops`` citations joins the two
"""

from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from graph.citations import citers, describe, references, resolve
from graph.store import Store

__all__ = ["MAX_PATH_HOPS", "NoPath", "Step", "citation_path"]

MAX_PATH_HOPS = 6


class NoPath(LookupError):
    """No chain of citations short enough joins the two publications."""


@dataclass(frozen=True)
class Step:
    """One citation on the path: ``citing`` cites ``cited``; ``forward`` when the path goes
    from the cited work to the one citing it."""

    citing: str
    cited: str
    forward: bool


def citation_path(
    store: Store, start: str, end: str, base_iri: str, max_hops: int = 4
) -> tuple[list[dict], list[Step]]:
    """The publications on a shortest path from ``start`` to ``end`` (identifiers or IRIs,
    as for a chase) with their titles and years, and the citations between them."""
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise ValueError(f"max_hops: {max_hops} is not between 1 and {MAX_PATH_HOPS}")
    a, b = str(resolve(store, start, base_iri)), str(resolve(store, end, base_iri))
    graph = nx.DiGraph()
    graph.add_nodes_from((a, b))
    reached: dict[str, set[str]] = {a: {a}, b: {b}}
    frontier: dict[str, set[str]] = {a: {a}, b: {b}}
    hops = 0
    while not reached[a] & reached[b]:
        if hops == max_hops or not (frontier[a] or frontier[b]):
            raise NoPath(f"no chain of at most {max_hops} citations joins {start} and {end}")
        side = min((a, b), key=lambda s: (not frontier[s], len(frontier[s])))
        edges = references(store, frontier[side]) + citers(store, frontier[side])
        graph.add_edges_from(edges)
        new = {n for edge in edges for n in edge} - reached[side]
        reached[side] |= new
        frontier[side] = new
        hops += 1
    nodes = nx.shortest_path(graph.to_undirected(as_view=True), a, b)
    steps = [
        Step(x, y, False) if graph.has_edge(x, y) else Step(y, x, True) for x, y in pairwise(nodes)
    ]
    works = describe(store, nodes)
    listed = [
        {"iri": n, "ids": works[n].ids, "title": works[n].title, "year": works[n].year}
        for n in nodes
    ]  # fmt: skip
    return listed, steps
