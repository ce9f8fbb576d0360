"""Imports over HTTP: ``POST /import`` reads a bibliographic file (an OpenCitations CSV export)
from the request body and stores it through the write path as one new named graph (write
token). A file with bad rows is refused whole, each row with its line, column and reason (422),
unless ``?skip-malformed=true``."""

import io
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.auth import require_write_token
from api.deps import SettingsDep, StoreDep
from api.negotiation import content_type
from api.problems import Problem
from api.writing import AGENT, run_write
from graph import opencitations
from graph.import_errors import FileRefused
from graph.opencitations import Citations, Imported
from graph.parsing import Source

__all__ = ["router"]

router = APIRouter(tags=["imports"])

#: Each format by name (``?format=``): how to read a body, and how to store what was read.
FORMATS = {
    opencitations.FORMAT: (opencitations.read_opencitations, opencitations.write_citations),
}
#: The format a body of each media type is in, when ``?format=`` does not say.
MEDIA_TYPES = {"text/csv": opencitations.FORMAT}


@router.post(
    "/import",
    summary="Import a citation file as a new named graph",
    status_code=201,
    dependencies=[Depends(require_write_token)],
    responses={201: {"description": "imported"}, 415: {}, 422: {}},
    openapi_extra={"requestBody": {"content": {m: {} for m in MEDIA_TYPES}}},
)
async def import_file(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    fmt: Annotated[
        str | None,
        Query(alias="format", description=f"One of {', '.join(FORMATS)} (any media type)"),
    ] = None,
    skip_malformed: Annotated[
        bool, Query(alias="skip-malformed", description="Store the good rows, list the bad")
    ] = False,
) -> JSONResponse:
    """The body is an OpenCitations CSV export (``text/csv``, or any media type with
    ``?format=opencitations-csv``). Its publications are matched to stored ones by DOI, PMID
    or PMCID. Answers 201 with the new graph's ``Location`` and what was imported."""
    name = _format(request, fmt)
    read, write = FORMATS[name]
    source = Source("request body", io.BytesIO(await request.body()), name)
    try:
        citations: Citations = await run_in_threadpool(
            read, [source], settings.base_iri, skip_malformed
        )
    except FileRefused as error:
        raise Problem(
            422,
            "Unprocessable Content",
            f"{error}; nothing was stored",
            rows=[asdict(problem) for problem in error.problems],
        ) from None

    def work() -> Imported:
        return write(store, citations, settings.base_iri, AGENT)

    result = await run_write(request, work)
    location = str(request.url_for("read").include_query_params(graph=result.graph))
    return JSONResponse(asdict(result), status_code=201, headers={"Location": location})


def _format(request: Request, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise Problem(
                422,
                "Unprocessable Content",
                f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}",
                offered=list(FORMATS),
            )
        return fmt
    media_type = content_type(request)
    if media_type not in MEDIA_TYPES:
        raise Problem(
            415,
            "Unsupported Media Type",
            f"an import is sent as {', '.join(MEDIA_TYPES)}, or named with ?format= "
            f"({', '.join(FORMATS)}); not {media_type or 'no content type'}",
            accepted=list(MEDIA_TYPES),
        )
    return MEDIA_TYPES[media_type]
