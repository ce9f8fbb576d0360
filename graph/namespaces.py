"""Namespaces of the vocabularies the graph uses, as rdflib namespaces."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from ontology import EV as _EV

__all__ = [
    "BIBO",
    "CITO",
    "DCTERMS",
    "EV",
    "FABIO",
    "FOAF",
    "OBO",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SH",
    "SKOS",
    "VOID",
    "XSD",
]

EV = Namespace(_EV)
BIBO = Namespace("http://purl.org/ontology/bibo/")
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, Namespace] = {
    "ev": EV,
    "bibo": BIBO,
    "cito": CITO,
    "dcterms": DCTERMS,
    "fabio": FABIO,
    "foaf": FOAF,
    "obo": OBO,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "void": VOID,
    "xsd": XSD,
}
