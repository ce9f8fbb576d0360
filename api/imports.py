"""Imports over HTTP: ``POST /import`` stores files of any importable format through the write
path as one new named graph (write token): OpenCitations CSV, an extraction sheet, or
bibliographic records (RIS, PubMed, BibTeX, CSL-JSON, ASReview CSV, identifier lists).

The files come as the raw body, or as the parts of a ``multipart/form-data`` upload (one or
more ``file`` fields). The format is ``?format=``, or what the files' first bytes show. A file
with bad rows or records is refused whole, each with its file, line, record and reason (422).
"""

import io
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from api.auth import require_write_token
from api.deps import SettingsDep, StoreDep
from api.negotiation import content_type
from api.problems import Problem
from api.writing import AGENT, run_write
from graph.file_import import FORMATS, ImportOptions, import_files
from graph.import_errors import FileRefused
from graph.parsing import Source
from graph.record_graph import SOURCE_TYPES, STAGES

__all__ = ["router"]

router = APIRouter(tags=["imports"])

#: The media types a raw body may be sent as; the format still comes from ``?format=`` or
#: from the body's first bytes.
MEDIA_TYPES = (
    "text/csv",
    "text/plain",
    "application/x-research-info-systems",
    "application/nbib",
    "application/x-bibtex",
    "application/json",
    "application/vnd.citationstyles.csl+json",
    "application/octet-stream",
)
_MULTIPART = "multipart/form-data"


@router.post(
    "/import",
    summary="Import files (citations, records, an extraction sheet) as a new named graph",
    status_code=201,
    dependencies=[Depends(require_write_token)],
    responses={201: {"description": "imported"}, 415: {}, 422: {}},
    openapi_extra={
        "requestBody": {
            "content": {
                **{m: {} for m in MEDIA_TYPES},
                _MULTIPART: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                },
            }
        }
    },
)
async def import_file(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    fmt: Annotated[
        str | None, Query(alias="format", description=f"One of {', '.join(FORMATS)}")
    ] = None,
    review: Annotated[str | None, Query(description="The review the records are for")] = None,
    source: Annotated[
        str | None, Query(description="The source searched: records count as identified")
    ] = None,
    source_type: Annotated[
        str, Query(alias="source-type", description=f"One of {', '.join(SOURCE_TYPES)}")
    ] = "database",
    stage: Annotated[
        str, Query(description=f"Screening stage of the records' labels: {', '.join(STAGES)}")
    ] = "title-abstract",
    skip_malformed: Annotated[
        bool, Query(alias="skip-malformed", description="OpenCitations CSV: skip bad rows")
    ] = False,
) -> JSONResponse:
    """Answers 201 with the new graph's ``Location`` and what was imported: rows and
    publications for citations; records, new and matched publications, each duplicate and
    why, and screening decisions for records; studies, findings and estimates for a sheet."""
    sources = await _sources(request)
    options = ImportOptions(review, source, source_type, stage, skip_malformed)

    def work():
        return import_files(store, sources, fmt, settings.base_iri, AGENT, options)

    try:
        result = await run_write(request, work)
    except FileRefused as error:
        rows = [asdict(problem) for problem in error.problems]
        raise Problem(
            422, "Unprocessable Content", f"{error}; nothing was stored", rows=rows
        ) from None
    except ValueError as error:  # an option that does not fit, or a format not told
        raise Problem(422, "Unprocessable Content", str(error), offered=list(FORMATS)) from None
    location = str(request.url_for("read").include_query_params(graph=result.graph))
    return JSONResponse(asdict(result), status_code=201, headers={"Location": location})


async def _sources(request: Request) -> list[Source]:
    """The files of the request: each part of a multipart upload, or the raw body."""
    media_type = content_type(request)
    if media_type == _MULTIPART:
        async with request.form() as form:  # closes the parts' temporary files
            parts = [part for part in form.getlist("file") if isinstance(part, UploadFile)]
            if not parts:
                raise Problem(422, "Unprocessable Content", "the upload has no 'file' part")
            return [
                Source(part.filename or f"file {n}", io.BytesIO(await part.read()), "")
                for n, part in enumerate(parts, start=1)
            ]
    if media_type not in MEDIA_TYPES:
        raise Problem(
            415,
            "Unsupported Media Type",
            f"an import is a file sent as one of {', '.join(MEDIA_TYPES)}, or a "
            f"{_MULTIPART} upload; not {media_type or 'no content type'} (RDF goes to /store "
            "or /sparql/update)",
            accepted=[*MEDIA_TYPES, _MULTIPART],
        )
    return [Source("request body", io.BytesIO(await request.body()), "")]
