"""The network reach of queries and updates: the endpoints ``SERVICE`` would call, and the
documents an allowed ``LOAD`` fetches.

pyoxigraph evaluates ``SERVICE`` by sending HTTP requests, so a query from the web could make
the service call any address it can reach. The service refuses such queries unless every
endpoint they name starts with an allowed prefix. A query without the word SERVICE is not parsed
again (the common case costs a regular expression); one with it is parsed with rdflib's
SPARQL parser, so prefixed names resolve and strings or comments that merely contain the word
do not count.

>>> service_endpoints("SELECT * WHERE { ?s ?p ?o }")
[]
>>> service_endpoints("PREFIX e: <http://x.org/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }")
['http://x.org/sparql']
>>> service_endpoints("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }")
['?where']
"""

import io
import re
import urllib.parse
import urllib.request

import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Graph, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from graph.parsing import Source, format_for, parse_into
from graph.query_output import FORMAT_OF_MEDIA_TYPE
from graph.store import QuerySyntaxError, StoreError

__all__ = [
    "collect_endpoints",
    "dataset_graphs",
    "fetch",
    "not_allowed",
    "refused_endpoints",
    "service_endpoints",
]

# rdflib would fetch the graphs named by FROM, USING and LOAD from the web: never here.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

_ACCEPT = (
    "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.7"
)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)


def dataset_graphs(sparql: str) -> list[str]:
    """The graphs a query names with ``FROM`` and ``FROM NAMED``.

    >>> dataset_graphs("PREFIX e: <http://e.org/> SELECT * FROM e:a FROM NAMED <http://b> {}")
    ['http://e.org/a', 'http://b']
    """
    if not _FROM.search(sparql):
        return []
    try:
        algebra = translateQuery(parseQuery(sparql)).algebra
    except ParseException as error:
        raise QuerySyntaxError(str(error.msg), error.lineno, error.column) from None
    # rdflib's CompValue.get answers the key itself for a missing key, so test membership
    clauses = algebra["datasetClause"] if "datasetClause" in algebra else []  # noqa: SIM401
    return [str(c["default"] if "default" in c else c["named"]) for c in clauses or []]


def service_endpoints(sparql: str) -> list[str]:
    """The endpoints named by ``SERVICE`` in ``sparql``; a variable endpoint as ``?name``.

    Raises ``QuerySyntaxError`` when a query that mentions SERVICE does not parse.
    """
    if not _SERVICE.search(sparql):
        return []
    try:
        algebra = translateQuery(parseQuery(sparql)).algebra
    except ParseException as error:
        raise QuerySyntaxError(str(error.msg), error.lineno, error.column) from None
    return collect_endpoints(algebra)


def refused_endpoints(sparql: str, allowed_prefixes: list[str]) -> list[str]:
    """The endpoints of ``sparql`` that no allowed prefix covers (variables never are)."""
    return not_allowed(service_endpoints(sparql), allowed_prefixes)


def not_allowed(iris: list[str], allowed_prefixes: list[str]) -> list[str]:
    """The IRIs (or ``?variables``) that no allowed prefix covers.

    >>> not_allowed(["http://a.org/sparql", "http://b.org/x", "?v"], ["http://a.org/"])
    ['http://b.org/x', '?v']
    """
    return [
        iri for iri in iris if iri.startswith("?") or not iri.startswith(tuple(allowed_prefixes))
    ]


def fetch(iri: str, base_iri: str, max_bytes: int, timeout_s: float) -> Graph:
    """The RDF document at ``iri`` (for an allowed ``LOAD``), up to ``max_bytes``, parsed."""
    request = urllib.request.Request(iri, headers={"Accept": _ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read(max_bytes + 1)
            media_type = response.headers.get_content_type()
    except (OSError, ValueError) as error:
        raise StoreError(f"LOAD <{iri}>: {error}") from None
    if len(body) > max_bytes:
        raise StoreError(f"LOAD <{iri}>: the document is over {max_bytes} bytes")
    fmt = FORMAT_OF_MEDIA_TYPE.get(media_type) or format_for(urllib.parse.urlparse(iri).path)
    graph = Graph()
    parse_into(graph, Source(iri, io.BytesIO(body), fmt), base_iri)
    return graph


def collect_endpoints(algebra: object) -> list[str]:
    """The ``SERVICE`` endpoints in parsed SPARQL algebra (a query's or an update's)."""
    found: list[str] = []
    _collect(algebra, found)
    return found


def _collect(node: object, found: list[str]) -> None:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            term = node.get("term")
            found.append(f"?{term}" if isinstance(term, Variable) else str(term))
        for value in node.values():
            _collect(value, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _collect(value, found)
