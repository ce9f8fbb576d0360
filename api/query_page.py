"""The page a browser gets at ``/sparql``: a query form that works offline, with examples."""

from collections.abc import Mapping
from html import escape
from urllib.parse import urlencode

__all__ = ["query_page"]

_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ntriples", "json-ld", "rdfxml")

#: Runs the form and the examples in the page: SPARQL JSON as a table, any other format as text,
#: an error as its message with line and column. Without script, the form and links still work.
_SCRIPT = """\
const form = document.querySelector("form");
const out = document.getElementById("results");
function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}
function table(answer) {
  if ("boolean" in answer) return [el("p", "Answer: " + answer.boolean)];
  const vars = answer.head.vars, rows = answer.results.bindings;
  const grid = el("table"), head = grid.createTHead().insertRow(), body = grid.createTBody();
  for (const name of vars) head.appendChild(el("th", name));
  for (const row of rows) {
    const line = body.insertRow();
    for (const name of vars) line.insertCell().textContent = row[name] ? row[name].value : "";
  }
  return [el("p", rows.length + (rows.length === 1 ? " row" : " rows")), grid];
}
function failure(status, type, text) {
  if (type === "application/problem+json") {
    const problem = JSON.parse(text);
    const where = `line ${problem.line}, column ${problem.column}`;
    const said = !("line" in problem) || String(problem.detail).includes(where);
    text = `${problem.title}: ${problem.detail}${said ? "" : ` (${where})`}`;
  }
  const message = el("p", `Error ${status}: ${text}`);
  message.className = "error";
  message.setAttribute("role", "alert");
  return message;
}
async function run() {
  out.replaceChildren(el("p", "Running\u2026"));
  try {
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch(form.action, {method: "POST", body});
    const type = (response.headers.get("content-type") || "").split(";")[0];
    if (!response.ok) {
      out.replaceChildren(failure(response.status, type, await response.text()));
    } else if (type === "application/sparql-results+json") {
      out.replaceChildren(...table(await response.json()));
    } else {
      out.replaceChildren(el("pre", await response.text()));
    }
  } catch (error) {
    out.replaceChildren(failure("", "", String(error)));
  }
  out.scrollIntoView();
}
form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
for (const link of document.querySelectorAll("#examples a")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    form.elements.query.value = new URL(link.href).searchParams.get("query");
    form.elements.format.value = "json";
    run();
  });
}
"""


def query_page(endpoint: str, examples: Mapping[str, str]) -> str:
    """The HTML of the query page; every link and the form submit to ``endpoint``; ``examples``
    are ready queries by title. With script, answers show in the page (SPARQL JSON as a table),
    errors with their line and column."""
    items = "\n".join(
        f'<li><a href="{escape(endpoint)}?{escape(urlencode({"query": q, "format": "csv"}))}">'
        f"{escape(title)}</a> <details><summary>query</summary><pre>{escape(q)}</pre></details>"
        "</li>"
        for title, q in examples.items()
    )
    options = "".join(f"<option>{f}</option>" for f in _FORMATS)
    first = escape(next(iter(examples.values()), "SELECT * WHERE { ?s ?p ?o } LIMIT 10"))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>evidence-graph SPARQL</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}
textarea{{width:100%;height:14rem;font-family:monospace}}pre{{background:#f6f6f6;padding:.5rem}}
pre{{white-space:pre-wrap}}table{{border-collapse:collapse}}.error{{color:#b00}}
td,th{{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}}</style>
</head><body>
<h1>SPARQL query</h1>
<form method="get" action="{escape(endpoint)}">
<textarea name="query" aria-label="SPARQL query">{first}</textarea>
<p><label>Answer as <select name="format">{options}</select></label>
<button type="submit">Run</button></p>
</form>
<div id="results" aria-live="polite"></div>
<p>JSON, XML, CSV and TSV answer SELECT and ASK; Turtle, N-Triples, JSON-LD and RDF/XML answer
CONSTRUCT and DESCRIBE. The default graph is the union of all graphs.</p>
<h2>Examples</h2>
<ul id="examples">
{items}
</ul>
<script>
{_SCRIPT}</script>
</body></html>
"""
