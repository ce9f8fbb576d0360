"""Meta-analysis over HTTP: ``GET /synthesis`` pools the findings of a PICO selection (JSON, or
the forest plot as SVG or PNG); ``POST /synthesis`` also records the pooled estimates in the graph
through the write path (write token)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import require_write_token
from api.deps import SettingsDep, StoreDep
from api.negotiation import choose, format_links
from api.problems import Problem
from api.synthesis_page import synthesis_page
from api.writing import AGENT, run_write
from graph.forest_plot import render
from graph.meta_analysis import Method
from graph.pico import UnknownConcept
from graph.pooled_results import record
from graph.synthesis import NothingToPool, Selection, Synthesis, synthesize
from graph.synthesis_report import as_json, forest

__all__ = ["router"]

router = APIRouter(tags=["synthesis"])

PLOT_TYPES = ("application/json", "image/svg+xml", "image/png", "text/html")
_FORMATS = {
    "json": PLOT_TYPES[0],
    "svg": PLOT_TYPES[1],
    "png": PLOT_TYPES[2],
    "html": PLOT_TYPES[3],
}


class SelectionModel(BaseModel):
    """What to pool. Concepts by IRI, IRI relative to the base, or label; narrower concepts
    (skos:broader) are included."""

    intervention: list[str] = Field(min_length=1, examples=[["LRT"]])
    comparator: list[str] = Field(
        min_length=1, examples=[["no LRT", "systemic therapy alone", "continued systemic therapy"]]
    )
    outcome: str = Field(examples=["overall survival"])
    population: str | None = None
    measure: Literal["HR", "OR", "RR", "MD", "RD"] | None = Field(
        None, description="The measure to pool; by default the one the findings report"
    )
    method: list[Method] = Field(
        ["REML"],
        min_length=1,
        description="One or more of REML, DL, fixed; the first gives the weights",
    )
    level: float = Field(0.95, gt=0, lt=1, description="Confidence level of every interval")

    def selection(self) -> Selection:
        return Selection(
            tuple(self.intervention), tuple(self.comparator), self.outcome, self.population,
            self.measure, tuple(dict.fromkeys(self.method)), self.level,
        )  # fmt: skip


def _from_query(
    intervention: Annotated[list[str], Query(description="Intervention concept(s)")],
    comparator: Annotated[list[str], Query(description="Comparator concept(s)")],
    outcome: Annotated[str, Query(description="Outcome concept")],
    population: str | None = None,
    measure: Annotated[Literal["HR", "OR", "RR", "MD", "RD"] | None, Query()] = None,
    method: Annotated[
        list[Method] | None, Query(description="REML, DL or fixed; repeatable")
    ] = None,
    level: Annotated[float, Query(gt=0, lt=1)] = 0.95,
) -> SelectionModel:
    return SelectionModel(
        intervention=intervention, comparator=comparator, outcome=outcome, population=population,
        measure=measure, method=method or ["REML"], level=level,
    )  # fmt: skip


@router.get(
    "/synthesis",
    summary="Meta-analysis of the findings that share an intervention, comparator and outcome",
    responses={200: {"content": {t: {} for t in PLOT_TYPES}}, 406: {}, 422: {}},
)
async def synthesis(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    selected: Annotated[SelectionModel, Depends(_from_query)],
    fmt: Annotated[
        str | None, Query(alias="format", description="json, svg, png or html (overrides Accept)")
    ] = None,
) -> Response:
    """Each matching study's estimate as printed and as analysed (every conversion said), the
    studies left out and why, and the pooled estimate per method with heterogeneity (Q, I²,
    τ², H²) and the prediction interval. ``format=svg`` or ``png`` (or Accept) gives the
    forest plot; a browser (or ``format=html``) gets a page with the plot and the tables."""
    media_type = choose(
        request.headers.get("accept"), PLOT_TYPES, _FORMATS.get(fmt, fmt) if fmt else None
    )
    result = await run_in_threadpool(_synthesize, store, settings.base_iri, selected.selection())
    headers = {"Vary": "Accept"}
    if media_type == "application/json":
        return JSONResponse(as_json(result), headers=headers)
    kind: Literal["svg", "png"] = "png" if media_type == "image/png" else "svg"
    body = await run_in_threadpool(render, forest(result), kind)
    if media_type == "text/html":
        alternates = format_links(request, {"JSON": "json", "SVG": "svg", "PNG": "png"})
        page = synthesis_page(result, body.decode("utf-8"), alternates)
        return HTMLResponse(page, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.post(
    "/synthesis",
    summary="Pool a selection and record the pooled estimates in the graph",
    status_code=201,
    dependencies=[Depends(require_write_token)],
    responses={200: {"description": "Every pooled estimate was already recorded"}, 422: {}},
)
async def record_synthesis(
    request: Request, store: StoreDep, settings: SettingsDep, selected: SelectionModel
) -> JSONResponse:
    """Runs the synthesis and writes each pooled estimate (method, inputs with their
    conversions and weights, heterogeneity, software version, PROV) through the validated write
    path. The same synthesis recorded again is not stored twice (200)."""

    def work() -> tuple[Synthesis, list]:
        result = _synthesize(store, settings.base_iri, selected.selection())
        return result, record(store, result, settings.base_iri, AGENT)

    result, recorded = await run_write(request, work)
    created = [r.iri for r in recorded if r.stored]
    body = {"recorded": [vars(r) for r in recorded], "synthesis": as_json(result)}
    headers = {"Location": created[0]} if created else {}  # the first this request stored
    return JSONResponse(body, status_code=201 if created else 200, headers=headers)


def _synthesize(store, base_iri: str, selection: Selection) -> Synthesis:
    try:
        return synthesize(store, base_iri, selection)
    except UnknownConcept as unknown:
        raise Problem(422, "Unprocessable Content", str(unknown)) from None
    except NothingToPool as nothing:
        raise Problem(
            422,
            "Unprocessable Content",
            str(nothing),
            excluded=[vars(e) for e in nothing.exclusions],
        ) from None
    except (ValueError, RuntimeError) as error:
        raise Problem(422, "Unprocessable Content", str(error)) from None
