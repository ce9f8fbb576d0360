"""Files for review tools and PRISMA counts over HTTP: ``GET /export`` writes the publications
a selection picks (a stored query, a saved chase, a hypothesis, a named graph, a review) as
RIS, ASReview CSV, CSL-JSON, BibTeX or an extraction sheet; ``GET /reviews/{name}/prisma``
answers a review's PRISMA 2020 counts as the flow-diagram template's CSV, or as JSON."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.negotiation import choose
from api.problems import Problem
from graph.exports import EXPORT_FORMATS, Export, export
from graph.prisma import PrismaCounts, UnknownReview, prisma_counts, prisma_csv
from graph.record_graph import STAGES
from graph.selection import DECISION_FILTERS, Selection, SelectionError, query_values
from graph.stored_queries import InvalidParameter

__all__ = ["router"]

router = APIRouter(tags=["reviews"])


@router.get(
    "/export",
    summary="Publications for review tools: RIS, ASReview CSV, CSL-JSON, BibTeX, extraction CSV",
    responses={200: {"content": {m: {} for m, _ in EXPORT_FORMATS.values()}}, 422: {}},
)
async def export_route(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    fmt: Annotated[
        str, Query(alias="format", description=f"One of {', '.join(EXPORT_FORMATS)}")
    ] = "ris",
    query: Annotated[str | None, Query(description="Stored query with a ?publication")] = None,
    param: Annotated[
        list[str] | None, Query(description="NAME=VALUE for the stored query (repeatable)")
    ] = None,
    chase: Annotated[str | None, Query(description="A saved chase's name")] = None,
    hypothesis: Annotated[str | None, Query(description="A hypothesis (IRI or path)")] = None,
    graph: Annotated[str | None, Query(description="A named graph (an import)")] = None,
    review: Annotated[str | None, Query(description="A review's surviving records")] = None,
    decision: Annotated[
        str | None, Query(description=f"With review: {', '.join(DECISION_FILTERS)}")
    ] = None,
    stage: Annotated[str, Query(description=f"One of {', '.join(STAGES)}")] = "title-abstract",
) -> Response:
    """Every publication, or those the selection picks (give at most one of query, chase,
    hypothesis, graph, review), each with its screening labels and provenance first in its
    notes; ``extraction-csv`` writes their findings in the extraction-sheet layout."""
    try:
        values = query_values(param or [])
    except SelectionError as error:
        raise Problem(422, "Unprocessable Content", f"param {error}") from None
    selection = Selection(query, values, chase, hypothesis, graph, review, decision, stage)
    stored = request.app.state.catalogue

    def work() -> Export:
        return export(store, selection, fmt, stored, settings.base_iri)

    try:
        done = await run_in_threadpool(work)
    except (SelectionError, InvalidParameter, ValueError) as error:
        raise Problem(422, "Unprocessable Content", str(error)) from None
    filename = f"evidence-graph-export{done.suffix}"
    return Response(
        done.text.encode("utf-8"),
        media_type=f"{done.media_type}; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Publications": str(done.publications),
        },
    )


@router.get(
    "/reviews/{name}/prisma",
    summary="A review's PRISMA 2020 flow counts (the PRISMA2020 template's CSV, or JSON)",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}, 404: {}, 406: {}},
)
async def prisma_route(
    name: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    fmt: Annotated[str | None, Query(alias="format", description="csv or json")] = None,
) -> Response:
    """The counts, derived from the review's searches, duplicates and screening decisions and
    checked by the shapes: ``adds_up`` in JSON, ``X-Prisma-Adds-Up`` on the CSV."""
    named = {"csv": "text/csv", "json": "application/json"}.get(fmt or "", fmt)
    media_type = choose(request.headers.get("accept"), ("text/csv", "application/json"), named)
    try:
        counts: PrismaCounts = await run_in_threadpool(
            prisma_counts, store, name, settings.base_iri
        )
    except UnknownReview as error:
        raise Problem(404, "Not Found", str(error)) from None
    if media_type == "application/json":
        return JSONResponse(counts.as_dict())
    return Response(
        prisma_csv(counts).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"X-Prisma-Adds-Up": str(counts.adds_up).lower()},
    )
