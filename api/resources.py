"""Every IRI under the base dereferences: ``GET``/``HEAD`` on ``{base path}{path}`` describes
the node ``{base_iri}{path}``.

The IRI itself answers ``200`` with ``Vary: Accept`` (no 303 to a separate document): a page
for a browser, Turtle, N-Triples, JSON-LD or RDF/XML for ``Accept`` (q-values) or ``format=``,
and for a publication the picture of its citation neighbourhood (``format=svg``). A ``Link``
header names the other formats. A node the store does not hold, and a path that makes no
well-formed IRI, answer 404 (a small page for a browser, a problem document otherwise).
"""

import re
from typing import Annotated
from urllib.parse import quote, unquote, urlsplit

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.html_parts import View, page_href
from api.negotiation import acceptable, choose, format_links
from api.problems import Problem
from api.resource_page import missing_page, resource_page
from api.writing import problem_for
from graph.citation_picture import Node, draw
from graph.query_output import FORMAT_OF_MEDIA_TYPE
from graph.resource_context import Neighbourhood, context_of
from graph.resource_description import NotHeld, checked_iri, describe, describe_rdf, kind_of
from graph.settings import Settings
from graph.store import ResultTooLarge, Store
from graph.worker import QueryTimeout, StoreRestarted

__all__ = ["prefix", "router"]

router = APIRouter(tags=["linked data"])

RDF_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
HTML, SVG = "text/html", "image/svg+xml"
_FORMATS = {FORMAT_OF_MEDIA_TYPE[t]: t for t in RDF_TYPES} | {"html": HTML, "svg": SVG}
_NAMES = {"Turtle": "turtle", "N-Triples": "ntriples", "JSON-LD": "json-ld", "RDF/XML": "rdfxml"}
_VARY = {"Vary": "Accept"}
_ENCODED = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")  # percent-encoded non-ASCII bytes
FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="turtle, ntriples, json-ld, rdfxml, html, or svg for a publication "
        "(overrides Accept)",
    ),
]


def prefix(base_iri: str) -> str:
    """Where the router is mounted: the path of the base IRI, without its last slash."""
    return urlsplit(base_iri).path.rstrip("/")


@router.get(
    "/{path:path}",
    summary="A node of the graph, as a page or as RDF",
    responses={200: {"content": {t: {} for t in (*RDF_TYPES, HTML, SVG)}}, 404: {}, 406: {}},
)
async def resource(
    path: str, request: Request, store: StoreDep, settings: SettingsDep, fmt: FormatParam = None
) -> Response:
    """The description of the node whose IRI is the base IRI followed by ``path``: every
    triple about it, its dependent parts (estimates, certainty ratings) and the labels of what
    it links to, as RDF; or its page, which links its neighbours' pages."""
    wanted = _FORMATS.get(fmt, fmt) if fmt is not None else None
    accept = request.headers.get("accept")
    iri = _requested_iri(request, settings.base_iri, path)
    try:
        kind = await run_in_threadpool(kind_of, store, iri)
        offered = (*RDF_TYPES, HTML, SVG) if kind == "publication" else (*RDF_TYPES, HTML)
        media_type = choose(accept, offered, wanted)  # RDF first: what */* and curl get
        names = _NAMES | ({"SVG": "svg"} if kind == "publication" else {})
        alternates = format_links(request, names)
        body = await run_in_threadpool(_body, store, iri, kind, media_type, settings, alternates)
    except NotHeld as missing:
        if acceptable(accept, (*RDF_TYPES, HTML), wanted) == HTML:
            return Response(missing_page(iri), 404, headers=_VARY, media_type=HTML)
        raise Problem(404, "Not Found", str(missing), headers=_VARY, iri=iri) from None
    except (QueryTimeout, StoreRestarted, ResultTooLarge) as error:
        raise problem_for(error) from None
    links = ", ".join(
        f'<{alternates[label]}>; rel="alternate"; type="{_FORMATS[name]}"'
        for label, name in names.items()
    )
    return Response(body, media_type=media_type, headers=_VARY | {"Link": links})


# HEAD: the same answer's headers (uvicorn sends no body); its own route, as one route with two
# methods gives OpenAPI two operations with one id
router.add_api_route("/{path:path}", resource, methods=["HEAD"], include_in_schema=False)


def _body(
    store: Store,
    iri: str,
    kind: str | None,
    media_type: str,
    settings: Settings,
    alternates: dict[str, str],
) -> bytes:
    """The answer in ``media_type``; run off the event loop (store queries, rendering)."""
    if media_type in RDF_TYPES:
        return describe_rdf(store, iri, media_type, settings.max_result_bytes)
    context = context_of(store, checked_iri(iri), kind)
    found = context.publication
    picture = None if found is None else _picture(found.neighbourhood, settings.base_iri)
    if media_type == SVG and picture is not None:
        return picture.encode()
    view = View(describe(store, iri), context, settings.base_iri)
    return resource_page(view, alternates, picture).encode()


def _picture(found: Neighbourhood, base_iri: str) -> str:
    """A publication's citation neighbourhood, each publication linked to its page."""
    nodes = [
        Node(str(n.iri), n.label, n.year, page_href(str(n.iri), base_iri)) for n in found.nodes
    ]
    edges = [(str(a), str(b)) for a, b in found.edges]
    focus = found.nodes[0]
    return draw(nodes, edges, str(focus.iri), f"Citation neighbourhood of {focus.label}")


def _requested_iri(request: Request, base_iri: str, path: str) -> str:
    """The IRI the request names, from the path as sent (``%2F`` stays ``%2F``), with
    percent-encoded non-ASCII characters read as the characters an IRI holds (RFC 3987 3.2)."""
    raw = request.scope.get("raw_path")
    sent = raw.decode("utf-8", "replace") if raw else quote(request.url.path)
    base_path = urlsplit(base_iri).path
    local = sent[len(base_path) :] if sent.startswith(base_path) else quote(path)
    return base_iri + _ENCODED.sub(_decoded, local)


def _decoded(run: re.Match[str]) -> str:
    try:
        return unquote(run[0], errors="strict")
    except UnicodeDecodeError:
        return run[0]
