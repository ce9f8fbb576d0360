"""Journals by name, for importers that meet a journal as text."""

from rdflib import Graph, Literal, URIRef

from graph.identifiers import slug
from graph.namespaces import DCTERMS, FABIO, RDF, RDFS
from graph.store import Store

__all__ = ["Venues"]


class Venues:
    """Journals by name: a stored ``fabio:Journal`` whose label or title is the name (in any
    case), else one minted at ``venue/{slug}`` and described once per batch."""

    _STORED = """
    PREFIX fabio: <http://purl.org/spar/fabio/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?venue ?name WHERE { ?venue a fabio:Journal ; rdfs:label|dcterms:title ?name }
    """

    def __init__(self, store: Store, base_iri: str) -> None:
        self._store, self._base = store, base_iri
        self._known: dict[str, URIRef] | None = None

    def named(self, graph: Graph, name: str) -> URIRef:
        if self._known is None:
            rows = self._store.query(self._STORED).rows
            self._known = {str(n).casefold(): v for v, n in sorted(rows, reverse=True)}
        key = name.casefold()
        if key not in self._known:
            venue = URIRef(f"{self._base}venue/{slug(name) or 'journal'}")
            graph.add((venue, RDF.type, FABIO.Journal))
            graph.add((venue, RDFS.label, Literal(name)))
            graph.add((venue, DCTERMS.title, Literal(name)))
            self._known[key] = venue
        return self._known[key]
