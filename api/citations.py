"""Citations over HTTP: the OpenCitations-style ``/references/{id}``, ``/citations/{id}``,
``/citation-count/{id}`` and ``/reference-count/{id}`` (``id`` is ``doi:...``, ``pmid:...``,
``pmcid:...`` or one of our IRIs), ``POST /chase`` and ``GET /citation-path``."""

import csv
import io
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import require_write_token
from api.deps import SettingsDep, StoreDep
from api.negotiation import choose
from api.problems import Problem
from api.writing import AGENT, run_write
from graph.chase import (
    DEFAULT_LIMIT,
    DIRECTIONS,
    MAX_HOPS,
    RANKINGS,
    ChaseError,
    ChaseRequest,
    ChaseResult,
    chase,
)
from graph.chase_output import as_csv, as_ris
from graph.citation_index import citation_count, citation_rows
from graph.citation_path import NoPath, citation_path
from graph.citations import BadIdentifier, UnknownPublication, resolve
from graph.saved_chases import ChaseExists, save_chase

__all__ = ["router"]

router = APIRouter(tags=["citations"])

T = TypeVar("T")
INDEX_TYPES = ("application/json", "text/csv")
INDEX_COLUMNS = ["oci", "citing", "cited", "creation", "timespan", "journal_sc", "author_sc"]
CHASE_TYPES = ("application/json", "text/csv", "application/x-research-info-systems")
_CHASE_FORMATS = {"json": CHASE_TYPES[0], "csv": CHASE_TYPES[1], "ris": CHASE_TYPES[2]}
FormatParam = Annotated[str | None, Query(alias="format", description="json or csv")]


def _index_route(kind: str, counting: bool) -> Callable:
    async def answer(id: str, request: Request, store: StoreDep, settings: SettingsDep,
                     fmt: FormatParam = None) -> Response:  # fmt: skip
        media_type = choose(request.headers.get("accept"), INDEX_TYPES, fmt)

        def work() -> list[dict[str, str]]:
            iri = resolve(store, id, settings.base_iri)
            if counting:
                return [{"count": str(citation_count(store, iri, kind))}]
            return citation_rows(store, iri, kind)

        rows = await _read(work)
        if media_type == "text/csv":
            return Response(_csv(rows, counting), media_type="text/csv; charset=utf-8")
        return JSONResponse(rows)

    return answer


for _path, _kind, _counting, _summary in (
    ("/references/{id:path}", "references", False, "The works a publication cites"),
    ("/citations/{id:path}", "citations", False, "The works that cite a publication"),
    ("/reference-count/{id:path}", "references", True, "How many works a publication cites"),
    ("/citation-count/{id:path}", "citations", True, "How many works cite a publication"),
):
    router.add_api_route(
        _path,
        _index_route(_kind, _counting),
        methods=["GET"],
        summary=_summary,
        description="`id` is `doi:...`, `pmid:...`, `pmcid:...`, an IRI or an IRI relative to "
        "the base (`publication/badwe2013`). JSON rows in the OpenCitations Index API's shape "
        "(`oci, citing, cited, creation, timespan, journal_sc, author_sc`), or CSV.",
        responses={200: {"content": {t: {} for t in INDEX_TYPES}}, 400: {}, 404: {}, 406: {}},
    )


class ChaseModel(BaseModel):
    """A citation chase: from seeds, in a direction, up to a number of hops, ranked."""

    seeds: list[str] = Field(min_length=1, examples=[["doi:10.1016/s1470-2045(15)00135-7"]])
    direction: Literal["backward", "forward", "both"] = Field("both", description=str(DIRECTIONS))
    hops: int = Field(1, ge=1, le=MAX_HOPS)
    ranking: Literal["relatedness", "co-citation", "coupling", "pagerank"] = Field(
        "relatedness", description=str(RANKINGS)
    )
    limit: int | None = Field(
        DEFAULT_LIMIT,
        ge=1,
        description="Keep the best this many; null for all (each record returned is described: "
        "about 1 ms on a large store)",
    )
    save: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Save the records in the graph as a chase of this name (write token)",
    )

    def request(self) -> ChaseRequest:
        return ChaseRequest(tuple(self.seeds), self.direction, self.hops, self.ranking, self.limit)


@router.post(
    "/chase",
    summary="Chase citations from seed publications",
    responses={
        200: {"content": {t: {} for t in CHASE_TYPES}},
        201: {"description": "Chased and saved (`save`): `Location` names the saved chase"},
        400: {},
        404: {},
        409: {"description": "A saved chase already has that name"},
    },
)
async def chase_route(
    body: ChaseModel,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    fmt: Annotated[str | None, Query(alias="format", description="json, csv or ris")] = None,
) -> Response:
    """The publications found backward (what the seeds cite), forward (what cites them) or
    both, up to ``hops``, each once with the seeds and hops that reached it, the kind of chain
    (backward, forward, co-cited, co-citing), whether it is already known (a full record) or
    reports evidence, co-citation and coupling counts with the seeds, PageRank, its rank, one
    shortest chain and the imports its citation came from. JSON (with counts per hop and
    direction), CSV, or RIS whose first note on each record says how the chase found it."""
    media_type = choose(
        request.headers.get("accept"), CHASE_TYPES, _CHASE_FORMATS.get(fmt, fmt) if fmt else None
    )
    headers: dict[str, str] = {}
    if body.save is None:
        result = await _read(lambda: chase(store, body.request(), settings.base_iri))
        status = 200
    else:
        require_write_token(request)

        def work() -> tuple[ChaseResult, str]:
            found = chase(store, body.request(), settings.base_iri)
            return found, save_chase(store, found, body.save, settings.base_iri, AGENT)

        result, saved = await run_write(request, lambda: _guarded(work))
        headers["Location"] = saved
        status = 201
    if media_type == "text/csv":
        return Response(as_csv(result), status, headers, "text/csv; charset=utf-8")
    if media_type == CHASE_TYPES[2]:
        return Response(as_ris(result), status, headers, CHASE_TYPES[2])
    return JSONResponse(result.as_json(), status, headers)


@router.get(
    "/citation-path",
    summary="The shortest chain of citations between two publications",
    responses={400: {}, 404: {}},
)
async def path_route(
    store: StoreDep,
    settings: SettingsDep,
    start: Annotated[str, Query(alias="from", description="doi:..., pmid:..., IRI")],
    end: Annotated[str, Query(alias="to", description="doi:..., pmid:..., IRI")],
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
) -> dict:
    """The publications on one shortest path, following citations in either direction, and
    each citation on it (``forward`` when the path goes from a cited work to its citer)."""
    nodes, steps = await _read(
        lambda: citation_path(store, start, end, settings.base_iri, max_hops)
    )
    return {"hops": len(steps), "publications": nodes, "citations": [vars(s) for s in steps]}


async def _read(work: Callable[[], T]) -> T:
    return await run_in_threadpool(_guarded, work)


def _guarded(work: Callable[[], T]) -> T:
    """Run ``work``; its refusals as problems."""
    try:
        return work()
    except BadIdentifier as error:
        raise Problem(400, "Bad Request", str(error)) from None
    except ChaseError as error:
        raise Problem(400, "Bad Request", str(error), field=error.field) from None
    except (UnknownPublication, NoPath) as error:
        raise Problem(404, "Not Found", str(error)) from None
    except ChaseExists as error:
        raise Problem(409, "Conflict", str(error)) from None


def _csv(rows: list[dict[str, str]], counting: bool) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["count"] if counting else INDEX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
