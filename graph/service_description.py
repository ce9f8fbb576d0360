"""The SPARQL 1.1 Service Description of the endpoint, with a VoID description of each graph."""

from rdflib import BNode, Graph, Literal, Namespace, URIRef

from graph.imports import list_imports
from graph.namespaces import DCTERMS, PROV, RDF, RDFS, VOID, XSD
from graph.store import RESULT_MEDIA_TYPES, Store

__all__ = ["describe_service"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_FORMAT_OF = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
}


def describe_service(store: Store, endpoint: str) -> Graph:
    """What the endpoint at ``endpoint`` (and its update endpoint, ``endpoint/update``) speaks
    and serves: languages, result formats, features, and each named graph with its size and
    provenance."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("prov", PROV)
    service, dataset, default = URIRef(endpoint), BNode(), BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for media_type in dict.fromkeys(t for types in RESULT_MEDIA_TYPES.values() for t in types):
        graph.add((service, SD.resultFormat, _FORMAT_OF[media_type]))
    graph.add((service, SD.defaultDataset, dataset))
    updates = URIRef(f"{endpoint}/update")  # a second service: updates, with the write token
    graph.add((updates, RDF.type, SD.Service))
    graph.add((updates, SD.endpoint, updates))
    graph.add((updates, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((updates, SD.feature, SD.UnionDefaultGraph))
    graph.add((updates, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(store.count())))
    for record in list_imports(store):
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(record.graph)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, RDF.type, VOID.Dataset))
        graph.add((described, VOID.triples, Literal(record.triples)))
        if record.time:
            graph.add(
                (described, PROV.generatedAtTime, Literal(record.time, datatype=XSD.dateTime))
            )
            agent = BNode()
            graph.add((described, PROV.wasAttributedTo, agent))
            graph.add((agent, RDF.type, PROV.Agent))
            graph.add((agent, RDFS.label, Literal(record.agent)))
        for source in filter(None, record.sources.split(", ")):
            graph.add((described, DCTERMS.source, Literal(source)))
    return graph
