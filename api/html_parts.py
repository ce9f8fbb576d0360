"""Pieces of the linked-data pages: escaping, links to the pages of our own nodes, RDF terms as
text, and the page shell. Every value a page shows passes through ``e``.

>>> page_href("http://127.0.0.1:8000/id/publication/badwe2013", "http://127.0.0.1:8000/id/")
'/id/publication/badwe2013'
>>> page_href("http://purl.obolibrary.org/obo/OBI_0001199", "http://127.0.0.1:8000/id/") is None
True
>>> curie("http://purl.org/spar/cito/cites")
'cito:cites'
"""

from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode, urlsplit

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph.namespaces import PREFIXES, XSD
from graph.resource_context import Context, Entry
from graph.resource_description import Resource

__all__ = [
    "View",
    "bullets",
    "curie",
    "document",
    "e",
    "link",
    "map_anchor",
    "map_href",
    "more",
    "page_href",
    "text_of",
]

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;line-height:1.45}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600;white-space:nowrap}
.kind{font-size:.8em;text-transform:uppercase;letter-spacing:.05em;color:#555;margin:0}
h1{margin:.2rem 0 .4rem}.iri{font-size:.9em;color:#444;word-break:break-all}
.small,.dt{font-size:.85em;color:#555}.ext{border-bottom:1px dotted #999}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}
dd{margin:0}blockquote{margin:.5rem 0 1rem;padding-left:1rem;border-left:3px solid #ccc}
table.part{margin:.2rem 0 .4rem;width:auto}table.part th,table.part td{font-size:.9em}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}ul{padding-left:1.3rem}"""
_PREFIXES = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))
_SAFE = "/:@!$&'()*+,;=-._~%"  # what a path keeps as it is (percent-escapes included)


def e(text: object) -> str:
    """``text`` escaped for HTML text and attribute values."""
    return escape(str(text), quote=True)


def page_href(iri: str, base_iri: str) -> str | None:
    """The path of a node's page on this service (its IRI's path under the base IRI, as a URI),
    or None for an IRI outside the base, or with a query or fragment after it."""
    local = iri[len(base_iri) :]
    if not base_iri.endswith("/") or not iri.startswith(base_iri) or "?" in local or "#" in local:
        return None
    return urlsplit(base_iri).path + quote(local, safe=_SAFE)


def link(iri: Node, label: str, base_iri: str) -> str:
    """A link to the page of one of our nodes; another IRI as text, with the IRI as its title."""
    href = page_href(str(iri), base_iri)
    if href is None:
        return f'<span class="ext" title="{e(iri)}">{e(label)}</span>'
    return f'<a href="{e(href)}">{e(label)}</a>'


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace, else the IRI itself."""
    for namespace, prefix in _PREFIXES:
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def map_href(iri: str, base_iri: str) -> str:
    """The evidence map page of a hypothesis, claim or finding."""
    hypotheses = f"{base_iri}hypothesis/"
    if iri.startswith(hypotheses) and page_href(iri, base_iri) is not None:
        return f"/hypotheses/{quote(iri[len(hypotheses) :], safe=_SAFE)}/evidence"
    return f"/evidence-map?{urlencode({'node': iri, 'format': 'html'})}"


@dataclass(frozen=True)
class View:
    """Everything a node's page is made from."""

    resource: Resource
    context: Context
    base_iri: str

    def term(self, node: Node) -> str:
        """One RDF term: an IRI by its label (a link to our own nodes; its short name beside a
        label), a literal as text with its datatype or language."""
        if isinstance(node, Literal):
            note = f"@{node.language}" if node.language else ""
            if node.datatype is not None and node.datatype != XSD.string:
                note = curie(str(node.datatype))
            return e(node) + (f' <span class="dt">{e(note)}</span>' if note else "")
        if isinstance(node, BNode):
            return f"<code>_:{e(node)}</code>"
        label, short = self.resource.label(node), curie(str(node))
        if label == str(node):
            return link(node, short, self.base_iri)
        extra = f' <span class="dt">{e(short)}</span>' if short not in (label, str(node)) else ""
        return link(node, label, self.base_iri) + extra

    def terms(self, prop: URIRef, node: Node | None = None) -> str:
        """The values of ``prop`` (on the node, or on one of its parts), comma-separated."""
        return ", ".join(self.term(v) for v in self.resource.values(prop, node))

    def entry(self, entry: Entry) -> str:
        """A listed node: a link by its label, with its year."""
        year = f' <span class="small">({entry.year})</span>' if entry.year is not None else ""
        return link(entry.iri, entry.label, self.base_iri) + year

    def facts(self, rows: list[tuple[str, URIRef]]) -> str:
        """A definition list of the properties in ``rows`` (title, property) that have values."""
        items = [(t, self.terms(p)) for t, p in rows if self.resource.values(p)]
        body = "".join(f"<dt>{e(t)}</dt><dd>{v}</dd>" for t, v in items)
        return f'<dl id="facts">{body}</dl>' if body else ""


def more(shown: int, count: int) -> str:
    """The note after a capped list: "and N more" when some were left out."""
    return f' <span class="small more">and {count - shown:,} more</span>' if count > shown else ""


def document(title: str, body: str) -> str:
    """A whole page around ``body``: no script, no style sheet or font from elsewhere."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>\n"
        f'<p class="small"><a href="/">evidence-graph</a></p>\n{body}\n</body></html>\n'
    )


def bullets(title: str, ident: str, items: list[str]) -> str:
    """A titled list of rendered items; nothing when there are none."""
    if not items:
        return ""
    rows = "".join(f"<li>{item}</li>" for item in items)
    return f'<h2>{e(title)}</h2><ul id="{e(ident)}">{rows}</ul>'


def map_anchor(view: View, iri: URIRef, text: str, attributes: str = "") -> str:
    """A link to the evidence map of ``iri``; ``attributes`` are written as they are."""
    return f'<a href="{e(map_href(str(iri), view.base_iri))}"{attributes}>{e(text)}</a>'


def text_of(view: View, prop: URIRef, ident: str, tag: str) -> str:
    """The first value of ``prop`` as the text of one ``tag`` element; nothing without one."""
    found = view.resource.values(prop)
    return f'<{tag} id="{e(ident)}">{e(found[0])}</{tag}>' if found else ""
