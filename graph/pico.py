"""PICO concepts by the names people use: an IRI, an IRI relative to the base, or a label.

A reviewer types ``--outcome OS`` or ``--intervention "locoregional treatment"``; the graph holds
``<…/concept/outcome/overall-survival>`` with ``skos:altLabel "OS"``. Selections include the
narrower concepts (``skos:broader``), so a pool of "locoregional treatment" takes in surgery of
the primary and early locoregional therapy.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.identifiers import absolute
from graph.namespaces import EV
from graph.store import Store

__all__ = ["Concept", "UnknownConcept", "concepts_under", "label_of", "resolve"]

_PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_LABEL = "rdfs:label|skos:prefLabel|skos:altLabel"
_KINDS = {EV.Intervention: "intervention", EV.Outcome: "outcome", EV.Population: "population"}


@dataclass(frozen=True)
class Concept:
    """A concept and the label to show for it."""

    iri: URIRef
    label: str


class UnknownConcept(ValueError):
    """No concept, or more than one, goes by the given name."""


def resolve(store: Store, base_iri: str, name: str, kind: URIRef) -> Concept:
    """The ``kind`` concept (``ev:Intervention``...) that ``name`` means."""
    name = name.strip()
    iri = absolute(name, base_iri)
    found = _typed(store, URIRef(iri), kind) if _is_iri(iri) else []
    if not found:
        result = store.query(
            f"{_PREFIXES}SELECT DISTINCT ?c WHERE {{ ?c a {kind.n3()} ; {_LABEL} ?l "
            f"FILTER (LCASE(STR(?l)) = LCASE({Literal(name).n3()})) }} ORDER BY ?c"
        )
        found = [row[0] for row in result.rows]
    what = _KINDS.get(kind, "concept")
    if not found:
        raise UnknownConcept(f"no {what} is named {name!r} (give its IRI, or a label it has)")
    if len(found) > 1:
        listed = ", ".join(f"<{iri}>" for iri in found)
        raise UnknownConcept(f"{name!r} names {len(found)} {what} concepts: {listed}; give the IRI")
    return Concept(found[0], label_of(store, found[0]))


def concepts_under(store: Store, tops: Iterable[URIRef]) -> set[URIRef]:
    """The concepts ``tops`` and every concept narrower than one of them."""
    # one path per top, from a constant: Virtuoso needs a transitive path's end given
    branches = " UNION ".join(f"{{ ?c skos:broader* {t.n3()} }}" for t in tops)
    if not branches:
        return set()
    result = store.query(f"{_PREFIXES}SELECT DISTINCT ?c WHERE {{ {branches} }}")
    return {row[0] for row in result.rows}


def label_of(store: Store, node: Node) -> str:
    """The preferred label of ``node`` (English first), else its IRI."""
    result = store.query(
        f"{_PREFIXES}SELECT ?l WHERE {{ {node.n3()} skos:prefLabel|rdfs:label ?l }} "
        'ORDER BY DESC(LANGMATCHES(LANG(?l), "en")) STR(?l) LIMIT 1'
    )
    return str(result.rows[0][0]) if result.rows else str(node)


def _typed(store: Store, iri: URIRef, kind: URIRef) -> list[URIRef]:
    return [iri] if store.query(f"ASK {{ {iri.n3()} a {kind.n3()} }}").boolean else []


def _is_iri(iri: str) -> bool:
    return not any(ch in iri for ch in ' <>"{}|\\^`')
