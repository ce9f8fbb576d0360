"""Every error answers as ``application/problem+json`` (RFC 9457), from one set of handlers.

A ``Problem`` carries its status, title, detail and extra members (line, column, violations...).
Starlette's own HTTP errors (404, 405) and FastAPI's request-validation errors are mapped to the
same shape; anything else is a bug: logged with a request id, answered 500 without internals.
"""

import logging
from typing import Any
from uuid import uuid4

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

__all__ = ["PROBLEM_JSON", "Problem", "install_problem_handlers", "problem_response"]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("evidence_graph.api")


class Problem(Exception):
    """An error to answer with: status, short title, what was wrong and where."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **members: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.headers, self.members = headers, members


def problem_response(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **members: Any
) -> JSONResponse:
    """A problem document with the given status."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **members}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as a problem document."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(
            error.status, error.title, error.detail, headers=error.headers, **error.members
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        title = {404: "Not Found", 405: "Method Not Allowed"}.get(error.status_code, "Error")
        return problem_response(
            error.status_code, title, str(error.detail), headers=getattr(error, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": ".".join(map(str, e["loc"])), "problem": e["msg"]} for e in error.errors()
        ]
        return problem_response(
            422, "Invalid Request", "a parameter is missing or wrong", errors=errors
        )

    @app.exception_handler(Exception)
    async def _bug(request: Request, error: Exception) -> JSONResponse:
        request_id = uuid4().hex
        log.exception("unexpected error, request id %s", request_id)
        return problem_response(
            500,
            "Internal Server Error",
            f"an unexpected error; quote request id {request_id}",
            request_id=request_id,
        )
