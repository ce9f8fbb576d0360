"""The page a browser gets at ``/sparql``: a query form that works offline, with examples."""

from html import escape
from urllib.parse import urlencode

__all__ = ["EXAMPLES", "query_page"]

#: Ready example questions over the example evidence.
EXAMPLES = {
    "What supports or challenges each hypothesis?": """\
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?hypothesis ?relation ?evidence ?label WHERE {
  ?evidence ?relation ?hypothesis .
  VALUES ?relation { ev:supports ev:challenges }
  ?hypothesis a ev:Hypothesis .
  OPTIONAL { ?evidence rdfs:label ?label }
} ORDER BY ?hypothesis ?relation ?evidence""",
    "Every hazard ratio, with its interval and level": """\
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
SELECT ?finding ?hr ?lower ?upper ?level ?p WHERE {
  ?finding ev:estimate ?e . ?e a ev:HazardRatio ; ev:pointEstimate ?hr .
  OPTIONAL { ?e ev:ciLower ?lower ; ev:ciUpper ?upper ; ev:ciLevel ?level }
  OPTIONAL { ?e ev:pValue ?p }
} ORDER BY ?finding""",
    "What cites what": """\
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?citing ?cited ?title WHERE {
  ?citing cito:cites ?cited . OPTIONAL { ?cited dcterms:title ?title }
}""",
}
_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ntriples", "json-ld", "rdfxml")


def query_page(endpoint: str) -> str:
    """The HTML of the query page; every link and the form submit to ``endpoint``."""
    examples = "\n".join(
        f'<li><a href="{escape(endpoint)}?{escape(urlencode({"query": q, "format": "csv"}))}">'
        f"{escape(title)}</a> <details><summary>query</summary><pre>{escape(q)}</pre></details>"
        "</li>"
        for title, q in EXAMPLES.items()
    )
    options = "".join(f"<option>{f}</option>" for f in _FORMATS)
    first = escape(next(iter(EXAMPLES.values())))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>evidence-graph SPARQL</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}
textarea{{width:100%;height:14rem;font-family:monospace}}pre{{background:#f6f6f6;padding:.5rem}}</style>
</head><body>
<h1>SPARQL query</h1>
<form method="get" action="{escape(endpoint)}">
<textarea name="query" aria-label="SPARQL query">{first}</textarea>
<p><label>Answer as <select name="format">{options}</select></label>
<button type="submit">Run</button></p>
</form>
<p>JSON, XML, CSV and TSV answer SELECT and ASK; Turtle, N-Triples, JSON-LD and RDF/XML answer
CONSTRUCT and DESCRIBE. The default graph is the union of all graphs.</p>
<h2>Examples</h2>
<ul>
{examples}
</ul>
</body></html>
"""
