"""What the graph says about one node: the RDF and the page its IRI dereferences to.

A node's description is every triple with the node as subject or as object, the triples of its
dependent parts (``PARTS``: the estimates of a finding, the GRADE ratings behind a certainty,
the inputs of a pooled estimate; nodes with no page worth visiting of their own), and the labels
of the nodes these link to, so that a client can name them. ``describe_rdf`` gives all of it as
RDF; ``describe`` gives it for a page, each group of incoming links capped and counted (a
much-cited paper has thousands of citers). The node is checked as an IRI and enters each query
only as a term written by Oxigraph, in a ``VALUES`` block (pyoxigraph binds a variable only when
a SELECT projects it).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.namespaces import DCTERMS, EV, FABIO, FOAF, PREFIXES, RDF, RDFS, SKOS
from graph.store import Store
from graph.terms import to_ox
from graph.validation import vocabulary_graph

__all__ = [
    "KINDS",
    "PARTS",
    "Incoming",
    "Name",
    "NotHeld",
    "Resource",
    "checked_iri",
    "describe",
    "describe_rdf",
    "kind_of",
    "names_of",
    "values",
]

#: Properties whose objects are parts of their subject, described with it.
PARTS = (EV.estimate, EV.certaintyRating, EV.input)
#: The kinds of node with a page of their own, by class (subclasses included).
KINDS = {
    FABIO.Expression: "publication",
    EV.Hypothesis: "hypothesis",
    EV.Study: "study",
    EV.Finding: "finding",
    EV.Claim: "claim",
}
_LABELS = (RDFS.label, SKOS.prefLabel, DCTERMS.title, FOAF.name)  # in order of preference
_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
_IN = ", ".join(p.n3() for p in PARTS)
_LABEL_IN = ", ".join(p.n3() for p in _LABELS)
_CHUNK = 500  # IRIs per VALUES block


class NotHeld(LookupError):
    """The store holds no triple with this node as subject or object (or it is no IRI)."""


@dataclass(frozen=True)
class Name:
    """How to name a node on a page: its label, and its year when it has an issued date."""

    label: str | None
    year: int | None = None


@dataclass(frozen=True)
class Incoming:
    """The nodes that point at the described node with one property: how many, and the first."""

    count: int
    first: list[URIRef]


@dataclass
class Resource:
    """A node's description for its page."""

    iri: URIRef
    kind: str | None
    outgoing: dict[URIRef, list[Node]]
    incoming: dict[URIRef, Incoming]
    parts: dict[Node, dict[URIRef, list[Node]]]
    names: dict[Node, Name] = field(default_factory=dict)

    def values(self, prop: URIRef, node: Node | None = None) -> list[Node]:
        """The objects of ``prop`` on the node, or on one of its parts."""
        return (self.outgoing if node is None else self.parts.get(node, {})).get(prop, [])

    def label(self, node: Node | None = None) -> str:
        """The label of ``node`` (by default the described node), else its IRI."""
        node = self.iri if node is None else node
        name = self.names.get(node)
        return name.label if name is not None and name.label else str(node)


def checked_iri(text: str) -> URIRef:
    """``text`` as an IRI term; NotHeld when it is not a well-formed absolute IRI."""
    try:
        ox.NamedNode(text)
    except ValueError as error:
        raise NotHeld(f"{text!r} is not a well-formed IRI: {error}") from None
    return URIRef(text)


def kind_of(store: Store, iri: str) -> str | None:
    """The kind of page the node gets (``KINDS``), None for any other node; NotHeld when the
    store holds nothing about it. Subclasses are read from the vocabulary file, so a store
    loaded without the vocabulary still knows a ``fabio:JournalArticle`` for a publication."""
    node = checked_iri(iri)
    at = values("node", [node])
    types = [row[0] for row in store.query(f"SELECT ?t WHERE {{ {at} ?node a ?t }}").rows]
    anything = f"ASK {{ {at} {{ ?node ?p ?o }} UNION {{ ?s ?q ?node }} }}"
    if not types and not store.query(anything).boolean:
        raise _not_held(iri)
    return _kind(types)


def describe_rdf(store: Store, iri: str, media_type: str, max_bytes: int | None = None) -> bytes:
    """The whole description in ``media_type`` (one of the store's graph media types),
    serialised by the store (``ResultTooLarge`` past ``max_bytes``). Empty for a node the store
    does not hold: ``kind_of`` tells those apart first."""
    at = values("node", [checked_iri(iri)])
    label = f"?x ?lp ?label . FILTER (?lp IN ({_LABEL_IN}))"
    part = f"?node ?has ?part . FILTER (?has IN ({_IN}))"
    # One flat UNION, each branch joined on its own: nesting the label branches in a UNION
    # of their own made Oxigraph take 5 s instead of 0.2 s for a paper with 1,730 citers.
    _, _, body = store.answer(
        f"""{_PREFIXES}
        CONSTRUCT {{ ?node ?p ?o . ?s ?q ?node . ?part ?r ?v . ?x ?lp ?label }} WHERE {{
          {{ {at} ?node ?p ?o }}
          UNION {{ {at} ?s ?q ?node }}
          UNION {{ {at} {part} ?part ?r ?v }}
          UNION {{ {at} ?node ?p2 ?x . {label} }}
          UNION {{ {at} ?x ?q2 ?node . {label} }}
          UNION {{ {at} {part} ?part ?r2 ?x . {label} }}
        }}""",
        {"CONSTRUCT": media_type},
        max_bytes=max_bytes,
    )
    return body


def describe(store: Store, iri: str, cap: int = 50) -> Resource:
    """The description for a page, with the names of every node, property and class shown.
    Of each incoming property, the count and ``cap`` of the nodes, sorted by label: the first
    ``cap`` the store finds, as sorting thousands of citers in the store first costs more (its
    ORDER BY reads each IRI's text; 0.1 s for 1,730 citers) than the page is worth."""
    node = checked_iri(iri)
    at = values("node", [node])
    outgoing: dict[URIRef, list[Node]] = defaultdict(list)
    for p, o in sorted(store.query(f"SELECT ?p ?o WHERE {{ {at} ?node ?p ?o }}").rows, key=_text):
        outgoing[p].append(o)
    parts: dict[Node, dict[URIRef, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for part, r, v in sorted(
        store.query(
            f"""SELECT ?part ?r ?v WHERE {{ {at} ?node ?has ?part . FILTER (?has IN ({_IN}))
                ?part ?r ?v }}"""
        ).rows,
        key=_text,
    ):
        parts[part][r].append(v)
    counts = store.query(
        f"SELECT ?q (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {at} ?s ?q ?node }} GROUP BY ?q ORDER BY ?q"
    ).rows
    if not outgoing and not counts:
        raise _not_held(iri)
    # Each property written in its pattern: in a VALUES block, Oxigraph would read every
    # triple of it (20 times slower for a paper with 1,730 citers).
    first = {
        q: [
            row[0]
            for row in store.query(
                f"SELECT DISTINCT ?s WHERE {{ {at} ?s {to_ox(q)} ?node }} LIMIT {int(cap)}"
            ).rows
        ]
        for q, _ in counts
    }
    shown = {node, *outgoing, *first, *(s for nodes in first.values() for s in nodes)}
    shown |= {o for objects in outgoing.values() for o in objects}
    shown |= {t for props in parts.values() for p, vs in props.items() for t in (p, *vs)}
    names = names_of(store, shown)

    def by_label(s: Node) -> tuple[str, str]:
        return (names.get(s, Name(None)).label or str(s), str(s))

    return Resource(
        node,
        _kind(outgoing.get(RDF.type, [])),
        dict(outgoing),
        {q: Incoming(int(n), sorted(first[q], key=by_label)) for q, n in counts},
        {part: dict(props) for part, props in parts.items()},
        names,
    )


def values(variable: str, terms: Iterable[Node]) -> str:
    """``VALUES ?variable { ... }`` binding checked terms, each written by Oxigraph."""
    return f"VALUES ?{variable} {{ {' '.join(str(to_ox(t)) for t in terms)} }}"


def names_of(store: Store, nodes: Iterable[Node]) -> dict[Node, Name]:
    """The label (``rdfs:label``, else ``skos:prefLabel``, ``dcterms:title``, ``foaf:name``;
    English or untagged first) and the issued year of each IRI that has them."""
    iris = sorted({n for n in nodes if isinstance(n, URIRef)})
    found: dict[Node, list[tuple[tuple, str]]] = defaultdict(list)
    years: dict[Node, int] = {}
    for start in range(0, len(iris), _CHUNK):
        for x, p, v in store.query(
            f"""{_PREFIXES}
            SELECT ?x ?p ?v WHERE {{ {values("x", iris[start : start + _CHUNK])} ?x ?p ?v .
              FILTER (?p IN ({_LABEL_IN}, dcterms:issued)) }}"""
        ).rows:
            if p == DCTERMS.issued:
                year = str(v)[:4]
                if year.isdigit():
                    years[x] = int(year)
            elif isinstance(v, Literal):
                rank = (_LABELS.index(p), v.language not in (None, "en"), str(v))
                found[x].append((rank, str(v)))
    return {
        n: Name(min(found[n])[1] if found[n] else None, years.get(n))
        for n in iris
        if n in found or n in years
    }


def _kind(types: Iterable[Node]) -> str | None:
    vocabulary = vocabulary_graph()
    ancestors = {a for t in types for a in vocabulary.transitive_objects(t, RDFS.subClassOf)}
    return next((kind for cls, kind in KINDS.items() if cls in ancestors), None)


def _text(row: tuple) -> tuple[str, ...]:
    return tuple(str(term) for term in row)


def _not_held(iri: str) -> NotHeld:
    return NotHeld(f"<{iri}> is neither subject nor object of any triple in the store")
