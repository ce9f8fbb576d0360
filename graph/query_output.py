"""Rendering a query result for the command line: a table, or a standard SPARQL/RDF format."""

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.store import RESULT_MEDIA_TYPES, QueryResult

__all__ = ["FORMAT_OF_MEDIA_TYPE", "QUERY_FORMATS", "render", "serialize_graph"]

_GRAPH_FORMATS = {"turtle": "turtle", "ntriples": "nt", "json-ld": "json-ld", "rdfxml": "xml"}
QUERY_FORMATS = ["table", "json", "xml", "csv", "tsv", *_GRAPH_FORMATS]
#: The format names above for the media types of the SPARQL protocol.
FORMAT_OF_MEDIA_TYPE = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "rdfxml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def render(result: QueryResult, fmt: str) -> str:
    """``result`` as text in ``fmt``; ValueError when the format does not fit the query form
    (the forms and formats are those the SPARQL endpoint offers, ``RESULT_MEDIA_TYPES``)."""
    if fmt == "table":
        return _table(result)
    allowed = [FORMAT_OF_MEDIA_TYPE[m] for m in RESULT_MEDIA_TYPES[result.kind]]
    if fmt not in allowed:
        family = "graph" if result.kind == "CONSTRUCT" else "results"
        raise ValueError(
            f"a {result.kind} result needs a {family} format: {', '.join(allowed)} (or table)"
        )
    if result.kind == "CONSTRUCT":
        return serialize_graph(result.as_rdflib(), fmt).decode("utf-8")
    if fmt == "tsv":  # rdflib has no TSV writer
        return _tsv(result)
    return result.as_rdflib().serialize(format=fmt).decode("utf-8")


def serialize_graph(graph: Graph, fmt: str) -> bytes:
    """``graph`` in one of the graph formats (turtle, ntriples, json-ld, rdfxml)."""
    return graph.serialize(format=_GRAPH_FORMATS[fmt], encoding="utf-8")


def _table(result: QueryResult) -> str:
    if result.kind == "ASK":
        return f"{'yes' if result.boolean else 'no'}\n"
    if result.kind == "CONSTRUCT":
        header, rows = ["subject", "predicate", "object"], [tuple(t) for t in result.triples]
    else:
        header, rows = result.variables, result.rows
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'s' * (len(rows) != 1)})")
    return "\n".join(lines) + "\n"


def _tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: ``?var`` headers, terms in Turtle syntax, unbound as empty."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if v is None else v.n3() for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _cell(value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, Literal):
        return str(value)
    return value.n3()
