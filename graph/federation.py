"""Which remote endpoints a query would call with ``SERVICE``: the network reach of a query.

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

import re

import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from graph.store import QuerySyntaxError

__all__ = ["collect_endpoints", "refused_endpoints", "service_endpoints"]

# rdflib would fetch the graphs named by FROM, USING and LOAD from the web: never here.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


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
    return [
        endpoint
        for endpoint in service_endpoints(sparql)
        if endpoint.startswith("?") or not endpoint.startswith(tuple(allowed_prefixes))
    ]


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
