"""Which publications an export holds: the ``?publication`` column of a stored query, the hits of
a saved citation chase, the evidence for and against a hypothesis, what one named graph
describes or reports on (its publications, records, studies and findings), or the records of a
review (its surviving records, by screening decision).

Chases and hypotheses are stored queries too (``chase-members``, ``hypothesis-evidence``), so
every selection but a graph's or a review's runs a stored query with its parameters bound as
terms.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef

import queries
from graph.identifiers import absolute
from graph.namespaces import EV
from graph.record_graph import STAGES, review_iri
from graph.saved_chases import chase_iri
from graph.screening import consensus_by_publication
from graph.store import Store
from graph.stored_queries import StoredQuery, load_catalogue

__all__ = [
    "DECISION_FILTERS",
    "Selection",
    "SelectionError",
    "catalogue",
    "query_values",
    "select",
]

#: What a review's selection can keep: records with that decision (consensus of the
#: reviewers at the stage), or ``undecided`` ones.
DECISION_FILTERS = ("include", "exclude", "maybe", "undecided")


class SelectionError(ValueError):
    """The selection names something that does not exist or cannot select publications."""


@dataclass(frozen=True)
class Selection:
    """One way of choosing publications: give exactly one of ``query``, ``chase``,
    ``hypothesis``, ``graph`` or ``review`` (or none, for every publication)."""

    query: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    chase: str | None = None
    hypothesis: str | None = None
    graph: str | None = None
    review: str | None = None
    decision: str | None = None
    stage: str = "title-abstract"

    @property
    def needs_stored_queries(self) -> bool:
        """Whether ``select`` runs a stored query for this selection (so needs the catalogue,
        which takes seconds to parse)."""
        return bool(self.query or self.chase or self.hypothesis)

    def check(self) -> None:
        """Raise ``SelectionError`` unless the selection is well-formed."""
        given = [n for n in ("query", "chase", "hypothesis", "graph", "review") if getattr(self, n)]
        if len(given) > 1:
            raise SelectionError(
                f"select by one of query, chase, hypothesis, graph or review, "
                f"not {' and '.join(given)}"
            )
        if self.params and not self.query:
            raise SelectionError("query parameters need a stored query")
        if self.decision and not self.review:
            raise SelectionError("a decision filter needs a review")
        if self.decision and self.decision not in DECISION_FILTERS:
            raise SelectionError(f"decision is one of {', '.join(DECISION_FILTERS)}")
        if self.stage not in STAGES:
            raise SelectionError(f"stage is one of {', '.join(STAGES)}")


def query_values(pairs: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs as a stored query's values (a name given twice, a list)."""
    values: dict[str, list[str]] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise SelectionError(f"{pair!r} is not NAME=VALUE")
        values.setdefault(name, []).append(value)
    return {name: given[0] if len(given) == 1 else given for name, given in values.items()}


def catalogue(queries_dir: Path | None) -> dict[str, StoredQuery]:
    """The built-in stored queries and those of ``queries_dir``."""
    return load_catalogue([queries.folder(), *([queries_dir] if queries_dir else [])])


def select(
    store: Store, selection: Selection, stored: Mapping[str, StoredQuery], base_iri: str
) -> list[URIRef]:
    """The publications of ``selection``, in the order its query gives them, each once."""
    selection.check()
    if selection.graph:
        return _in_graph(store, URIRef(absolute(selection.graph, base_iri)))
    if selection.review:
        return _in_review(store, selection, base_iri)
    if selection.chase:
        chase = chase_iri(selection.chase, base_iri)
        _exists(store, chase, EV.CitationChase, f"no saved chase {selection.chase!r}")
        name, values = "chase-members", {"chase": str(chase)}
    elif selection.hypothesis:
        hypothesis = URIRef(absolute(selection.hypothesis, base_iri))
        _exists(store, hypothesis, EV.Hypothesis, f"no hypothesis {selection.hypothesis!r}")
        name, values = "hypothesis-evidence", {"hypothesis": str(hypothesis)}
    elif selection.query:
        name, values = selection.query, dict(selection.params)
    else:
        return _everything(store)
    if name not in stored:
        raise SelectionError(f"no stored query {name!r}")
    return _from_query(store, stored[name], values)


def _from_query(store: Store, query: StoredQuery, values: Mapping[str, Any]) -> list[URIRef]:
    if query.kind != "SELECT":
        raise SelectionError(f"{query.name} is a {query.kind} query, not a SELECT")
    found: dict[URIRef, None] = {}
    page = 1
    while True:
        bound = query.bind(values, page)
        result = store.query(bound.sparql, bound.bindings)
        if "publication" not in result.variables:
            raise SelectionError(f"{query.name} has no ?publication column to select by")
        column = result.variables.index("publication")
        rows = result.rows[: bound.page_size] if bound.page_size else result.rows
        found.update((row[column], None) for row in rows if isinstance(row[column], URIRef))
        if not bound.page_size or len(result.rows) <= bound.page_size:
            return list(found)
        page += 1


_PUBLICATION = "?publication a/rdfs:subClassOf* fabio:Expression"
_PREFIXES = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def _in_graph(store: Store, graph: URIRef) -> list[URIRef]:
    if graph not in store.named_graphs():
        raise SelectionError(f"no named graph {graph}")
    sparql = f"""{_PREFIXES}
    SELECT DISTINCT ?publication WHERE {{
      {{ GRAPH {graph.n3()} {{ ?publication a ?type }} ?type rdfs:subClassOf* fabio:Expression }}
      UNION {{ GRAPH {graph.n3()} {{ ?record ev:recordOf ?publication }} }}
      UNION {{ GRAPH {graph.n3()} {{ ?finding prov:wasDerivedFrom ?publication }} }}
      UNION {{ GRAPH {graph.n3()} {{ ?study ev:reportedIn ?publication }} }}
    }} ORDER BY ?publication"""
    return [row[0] for row in store.query(sparql).rows]


def _in_review(store: Store, selection: Selection, base_iri: str) -> list[URIRef]:
    """The publications of the review's surviving records, in import order, kept or dropped
    by their consensus decision at the stage."""
    review = review_iri(selection.review or "", base_iri)
    _exists(store, review, EV.Review, f"no review {selection.review!r}")
    sparql = f"""{_PREFIXES}
    SELECT ?publication (MIN(?key) AS ?first) WHERE {{
      GRAPH ?g {{ ?record ev:recordOf ?publication ; ev:inReview {review.n3()} ;
                          ev:recordNumber ?number }}
      FILTER NOT EXISTS {{ ?record ev:duplicateOf ?earlier }}
      ?g prov:generatedAtTime ?time .
      BIND (CONCAT(STR(?time), STR(10000000 + ?number)) AS ?key)
    }} GROUP BY ?publication ORDER BY ?first"""
    publications = [row[0] for row in store.query(sparql).rows]
    if not selection.decision:
        return publications
    decided = consensus_by_publication(store, review, selection.stage)
    wanted = None if selection.decision == "undecided" else selection.decision
    return [p for p in publications if decided.get(p) == wanted]


def _everything(store: Store) -> list[URIRef]:
    sparql = (
        f"{_PREFIXES} SELECT DISTINCT ?publication WHERE {{ {_PUBLICATION} }} ORDER BY ?publication"
    )
    return [row[0] for row in store.query(sparql).rows]


def _exists(store: Store, node: URIRef, cls: URIRef, message: str) -> None:
    if not store.query(f"ASK {{ {node.n3()} a {cls.n3()} }}").boolean:
        raise SelectionError(message)
