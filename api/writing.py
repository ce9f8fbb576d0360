"""Writes over HTTP: one at a time, through the write path, with their errors as problems."""

import threading
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from api.problems import Problem
from graph.parsing import ParseError
from graph.store import QuerySyntaxError, ResultTooLarge, StoreError
from graph.validation import ValidationReport
from graph.worker import QueryTimeout, StoreRestarted
from graph.writes import InvalidBatch, WriteError

__all__ = ["AGENT", "problem_for", "run_write"]

T = TypeVar("T")

#: Who HTTP writes are attributed to in the provenance: whoever holds the write token.
AGENT = "write-token holder"


async def run_write(request: Request, work: Callable[[], T]) -> T:
    """Run ``work`` (prepare and commit) off the event loop, one write at a time, so that
    what a write was validated against is what it is applied to."""
    lock: threading.Lock = request.app.state.write_lock

    def locked() -> T:
        with lock:
            return work()

    try:
        return await run_in_threadpool(locked)
    except (WriteError, ParseError, StoreError) as error:
        raise problem_for(error) from None


def problem_for(error: Exception) -> Problem:
    """The problem that answers a refused read or write."""
    if isinstance(error, InvalidBatch):
        return _invalid(error.report)
    if isinstance(error, QuerySyntaxError | ParseError):
        return Problem(400, "Bad Request", str(error), line=error.line, column=error.column)
    if isinstance(error, ResultTooLarge):
        return Problem(422, "Unprocessable Content", str(error))
    if isinstance(error, QueryTimeout | StoreRestarted):
        return Problem(503, "Service Unavailable", str(error), headers={"Retry-After": "1"})
    return Problem(400, "Bad Request", str(error))


def _invalid(report: ValidationReport) -> Problem:
    count = len(report.violations)
    return Problem(
        422,
        "Unprocessable Content",
        f"the data would violate the shapes ({count} violation{'s' * (count != 1)}); "
        "nothing was changed",
        violations=report.as_dict()["violations"],
        shacl_report=report.graph.serialize(format="turtle"),
    )
