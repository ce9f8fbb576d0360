"""Citations read from the store: publications named by identifier, their references and
citers, and what is known of each publication. Every function asks SPARQL for just what it
needs (chunked ``VALUES``), never for a copy of the store.

Errors::

    LookupError
    └── UnknownPublication   no stored publication has that identifier or IRI
    ValueError
    └── BadIdentifier        the identifier is malformed
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.identifiers import absolute, parse_identifier
from graph.namespaces import CITO, FABIO
from graph.store import Store

__all__ = [
    "BadIdentifier",
    "Publication",
    "UnknownPublication",
    "citers",
    "describe",
    "references",
    "resolve",
]

CHUNK = 400  # terms per VALUES block
_PREFIXES = """PREFIX cito: <http://purl.org/spar/cito/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


class UnknownPublication(LookupError):
    """No stored publication has that identifier or IRI."""


class BadIdentifier(ValueError):
    """An identifier that is neither ``doi:``, ``pmid:``, ``pmcid:`` nor an IRI, or malformed."""


def resolve(store: Store, name: str, base_iri: str) -> URIRef:
    """The stored publication named ``doi:...``, ``pmid:...``, ``pmcid:...``, by its IRI, or by
    its IRI relative to the base (``publication/badwe2013``)."""
    try:
        parsed = parse_identifier(name)
    except ValueError as error:
        raise BadIdentifier(str(error)) from None
    if parsed is not None:
        prop, value = parsed
        rows = store.query(f"SELECT ?p WHERE {{ ?p <{prop}> {Literal(value).n3()} }} LIMIT 1").rows
        if not rows:
            raise UnknownPublication(f"no stored publication has {name.strip()}")
        return URIRef(str(rows[0][0]))
    iri = absolute(name.strip(), base_iri)
    if any(c in iri for c in '<>"{}|\\^` \n') or not iri.startswith(("http://", "https://")):
        raise BadIdentifier(f"{name!r} is not doi:..., pmid:..., pmcid:... or an IRI")
    typed = f"ASK {{ <{iri}> a ?type FILTER(STRSTARTS(STR(?type), STR(<{FABIO}>))) }}"
    if not store.query(typed).boolean:
        raise UnknownPublication(f"no stored publication is named {iri}")
    return URIRef(iri)


def references(store: Store, nodes: Iterable[str]) -> list[tuple[str, str]]:
    """Each citation ``(citing, cited)``, as IRIs, whose citing work is one of ``nodes``."""
    return _edges(store, nodes, "?a")


def citers(store: Store, nodes: Iterable[str]) -> list[tuple[str, str]]:
    """Each citation ``(citing, cited)``, as IRIs, whose cited work is one of ``nodes``."""
    return _edges(store, nodes, "?b")


def _edges(store: Store, nodes: Iterable[str], var: str) -> list[tuple[str, str]]:
    """Read as tab-separated values that the store writes, not as rdflib terms: a citation
    costs 10 µs instead of 40 (most of a chase's time is here)."""
    edges = []
    for chunk in _chunks(nodes):
        values = " ".join(f"<{n}>" for n in chunk)
        query = f"SELECT ?a ?b WHERE {{ VALUES {var} {{ {values} }} ?a <{CITO.cites}> ?b }}"
        _, _, body = store.answer(query, {"SELECT": "text/tab-separated-values"})
        for line in body.decode("utf-8").splitlines()[1:]:
            a, b = line.split("\t")
            edges.append((a[1:-1], b[1:-1]))
    return edges


@dataclass
class Publication:
    """What the store knows of a publication: enough to list it, cite it and screen it."""

    iri: str
    title: str | None = None
    issued: str | None = None
    types: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)  # scheme -> value
    authors: list[str] = field(default_factory=list)
    journal: str | None = None
    evidence: bool = False  # it reports a study, or a claim was read in it

    @property
    def year(self) -> int | None:
        return int(self.issued[:4]) if self.issued and self.issued[:4].isdigit() else None

    @property
    def known(self) -> bool:
        """A full record (it has a title), not only an identifier from citation data."""
        return self.title is not None

    @property
    def ids(self) -> list[str]:
        """Its identifiers as ``scheme:value``, DOI first."""
        return [f"{s}:{v}" for s, v in sorted(self.identifiers.items())]


def describe(store: Store, iris: Sequence[str]) -> dict[str, Publication]:
    """What the store knows of each publication in ``iris``."""
    found = {iri: Publication(iri) for iri in iris}
    for chunk in _chunks(iris):
        values = "VALUES ?p { " + " ".join(f"<{n}>" for n in chunk) + " }"
        for key, pattern in _FACTS.items():
            query = f"{_PREFIXES}SELECT ?p ?value WHERE {{ {values} {pattern} }}"
            for p, value in store.query(query).rows:
                _add(found[str(p)], key, value)
    return found


# One query per fact, each starting from the VALUES block: a UNION of them would be evaluated
# over the whole store before the join (Oxigraph 0.5), ten times slower.
_FACTS = {
    "title": "?p dcterms:title ?value",
    "issued": "?p dcterms:issued ?value",
    "type": "?p a ?value",
    "doi": "?p bibo:doi ?value",
    "pmid": "?p bibo:pmid ?value",
    "pmcid": "?p ev:pmcid ?value",
    "author": "?p dcterms:creator ?a . ?a foaf:name ?value",
    "journal": "?p dcterms:isPartOf ?j . ?j dcterms:title|rdfs:label ?value",
    "evidence": "{ ?value ev:reportedIn ?p } UNION { ?value prov:hadPrimarySource ?p }",
}


def _add(publication: Publication, key: str, value: Node) -> None:
    text = str(value)
    if key in ("doi", "pmid", "pmcid"):
        publication.identifiers[key] = text
    elif key == "type":
        publication.types.append(text)
    elif key == "author":
        publication.authors.append(text)
    elif key == "evidence":
        publication.evidence = True
    elif key in ("title", "issued", "journal") and getattr(publication, key) is None:
        setattr(publication, key, text)


def _chunks(nodes: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for node in nodes:
        chunk.append(node)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
