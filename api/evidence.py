"""Hypotheses and their evidence maps over HTTP: ``/hypotheses``, ``/hypotheses/{id}/evidence``
and ``/evidence-map?node=`` for a claim or finding. JSON by default; JSON-LD, Turtle and a page
for people on request."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.evidence_page import map_page
from api.negotiation import choose, format_links
from api.problems import Problem
from graph.evidence_map import (
    NotInGraph,
    evidence_map,
    evidence_subgraph,
    list_hypotheses,
)
from graph.identifiers import absolute
from graph.query_output import serialize_graph
from graph.store import Store

__all__ = ["router"]

router = APIRouter(tags=["evidence"])

MAP_TYPES = ("application/json", "application/ld+json", "text/turtle", "text/html")
_FORMATS = {
    "json": MAP_TYPES[0],
    "json-ld": MAP_TYPES[1],
    "turtle": MAP_TYPES[2],
    "html": MAP_TYPES[3],
}
_RDF = {"application/ld+json": "json-ld", "text/turtle": "turtle"}
FormatParam = Annotated[
    str | None,
    Query(alias="format", description="json, json-ld, turtle or html (overrides Accept)"),
]


@router.get(
    "/hypotheses", summary="Every hypothesis, with how much evidence supports or challenges it"
)
async def hypotheses(request: Request, store: StoreDep) -> list[dict]:
    """Each hypothesis with its label, statement, the number of claims and findings that
    support and that challenge it directly, and the link to its evidence map."""
    found = await run_in_threadpool(list_hypotheses, store)
    base = request.app.state.settings.base_iri
    for entry in found:
        if entry["iri"].startswith(f"{base}hypothesis/"):
            entry["evidence"] = str(
                request.url_for("hypothesis_evidence", id=entry["iri"][len(base) + 11 :])
            )
    return found


@router.get(
    "/hypotheses/{id:path}/evidence",
    summary="The evidence map of a hypothesis",
    responses={200: {"content": {t: {} for t in MAP_TYPES}}, 404: {}, 406: {}},
)
async def hypothesis_evidence(
    id: str, request: Request, store: StoreDep, settings: SettingsDep, fmt: FormatParam = None
) -> Response:
    """Every claim and finding that supports or challenges the hypothesis
    ``{base}hypothesis/{id}``, directly or through a chain, with its stance, study, design,
    evidence type, estimates, GRADE certainty, and who asserted each link from which source."""
    return await _answer(request, store, f"{settings.base_iri}hypothesis/{id}", fmt)


@router.get(
    "/evidence-map",
    summary="The evidence map of any hypothesis, claim or finding",
    responses={200: {"content": {t: {} for t in MAP_TYPES}}, 404: {}, 406: {}},
)
async def node_evidence(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    node: Annotated[
        str,
        Query(
            description="IRI of the hypothesis, claim or finding, or its IRI relative to the "
            "base (claim/badwe-no-os-benefit)"
        ),
    ],
    fmt: FormatParam = None,
) -> Response:
    """The same map as ``/hypotheses/{id}/evidence``, for a node given by its IRI."""
    iri = absolute(node, settings.base_iri)
    return await _answer(request, store, iri, fmt)


async def _answer(request: Request, store: Store, node: str, fmt: str | None) -> Response:
    media_type = choose(
        request.headers.get("accept"), MAP_TYPES, _FORMATS.get(fmt, fmt) if fmt else None
    )
    headers = {"Vary": "Accept"}
    try:
        if media_type in _RDF:
            graph = await run_in_threadpool(evidence_subgraph, store, node)
            body = serialize_graph(graph, _RDF[media_type])
            return Response(body, media_type=media_type, headers=headers)
        found = await run_in_threadpool(evidence_map, store, node)
    except NotInGraph as missing:
        raise Problem(404, "Not Found", str(missing), node=node) from None
    if media_type == "text/html":
        alternates = format_links(
            request, {"JSON": "json", "Turtle": "turtle", "JSON-LD": "json-ld"}
        )
        base_iri = request.app.state.settings.base_iri
        return HTMLResponse(map_page(found, alternates, base_iri), headers=headers)
    return JSONResponse(found.as_json(), headers=headers)
