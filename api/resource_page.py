"""A node's linked-data page: its kind, label, IRI and types, the sections for its kind, every
property it has (its dependent parts inline), and what points at it, grouped by property and
capped with a count. Our own nodes are links to their pages; other IRIs are text."""

from rdflib.term import Node

from api.html_parts import View, curie, document, e, more
from api.resource_sections import kind_section
from graph.namespaces import RDF

__all__ = ["missing_page", "resource_page"]

_CAP = 50  # values shown per property


def resource_page(view: View, alternates: dict[str, str], picture: str | None = None) -> str:
    """The whole page; ``alternates`` links the node's other formats (name -> URL) and
    ``picture`` is a publication's citation neighbourhood as SVG."""
    resource = view.resource
    types = ", ".join(view.term(t) for t in resource.values(RDF.type))
    formats = " · ".join(
        f'<a href="{e(url)}" rel="alternate">{e(name)}</a>' for name, url in alternates.items()
    )
    parts = [
        f'<p class="kind">{e(resource.kind or "node")}</p>',
        f"<h1>{e(resource.label())}</h1>",
        f'<p class="iri"><code id="iri">{e(resource.iri)}</code></p>',
        f'<p id="types">A {types}</p>' if types else "",
        f'<p class="small" id="formats">This description as {formats}</p>',
        kind_section(view, picture),
        _properties(view),
        _incoming(view),
    ]
    return document(resource.label(), "\n".join(p for p in parts if p))


def missing_page(iri: str) -> str:
    """The page for a node the store does not hold."""
    return document(
        "Not found",
        f'<h1>Not found</h1><p>The graph holds nothing about <code id="iri">{e(iri)}</code>.</p>',
    )


def _properties(view: View) -> str:
    rows = []
    for prop, objects in view.resource.outgoing.items():
        shown = "<br>".join(_value(view, o) for o in objects[:_CAP])
        shown += more(min(len(objects), _CAP), len(objects))
        rows.append(f"{_property(view, prop)}<td>{shown}</td></tr>")
    return f'<h2>Properties</h2><table id="properties"><tbody>{"".join(rows)}</tbody></table>'


def _incoming(view: View) -> str:
    rows = [
        f'{_property(view, prop)}<td><span class="small">{found.count:,}:</span> '
        + ", ".join(view.term(s) for s in found.first)
        + more(len(found.first), found.count)
        + "</td></tr>"
        for prop, found in view.resource.incoming.items()
    ]
    if not rows:
        return ""
    return f'<h2>Linked from</h2><table id="incoming"><tbody>{"".join(rows)}</tbody></table>'


def _property(view: View, prop: Node) -> str:
    """A row's start: the property's short name, its label as the title."""
    return f'<tr><th title="{e(view.resource.label(prop))}">{e(curie(str(prop)))}</th>'


def _value(view: View, node: Node) -> str:
    """A value; a dependent part (an estimate, a certainty rating) with its own properties."""
    part = view.resource.parts.get(node)
    if part is None:
        return view.term(node)
    rows = "".join(f"{_property(view, p)}<td>{view.terms(p, node)}</td></tr>" for p in part)
    return f'{view.term(node)}<table class="part"><tbody>{rows}</tbody></table>'
