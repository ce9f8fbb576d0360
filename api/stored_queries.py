"""Stored queries as operations: ``GET /queries`` (the catalogue), and for each query
``GET /queries/{name}`` (values in the query string) and ``POST /queries/{name}`` (a JSON
object), each its own operation in the OpenAPI document.

Answers are negotiated and errors reported by the same code as ``/sparql``. A paged query
(``pagination: N``) fetches N + 1 rows, answers N, and links the next page only when there is
one.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from api.negotiation import FORMAT_NAMES, choose
from api.problems import Problem
from api.sparql import answer_query, check_reach
from api.writing import problem_for
from graph.query_output import FORMAT_OF_MEDIA_TYPE, render
from graph.store import RESULT_MEDIA_TYPES, QueryResult, Store, StoreError
from graph.stored_queries import InvalidParameter, Parameter, StoredQuery

__all__ = ["install_stored_queries"]

_SCHEMA = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "lang-string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}


def install_stored_queries(app: FastAPI, catalogue: Mapping[str, StoredQuery]) -> None:
    """Add the catalogue and one GET and one POST operation per stored query to ``app``."""

    def list_queries() -> list[dict]:
        """Every stored query with its summary and parameters."""
        return [query.describe() for query in catalogue.values()]

    app.add_api_route(
        "/queries", list_queries, methods=["GET"], tags=["stored queries"], summary="Catalogue"
    )
    for query in catalogue.values():
        tags = list(query.tags) or ["stored queries"]
        responses = _responses(query)
        app.add_api_route(
            f"/queries/{query.name}",
            _by_get(query),
            methods=["GET"],
            operation_id=query.name,
            summary=query.summary,
            description=query.description,
            tags=tags,
            response_class=Response,
            responses=responses,
            openapi_extra={"parameters": _query_parameters(query)},
        )
        app.add_api_route(
            f"/queries/{query.name}",
            _by_post(query),
            methods=["POST"],
            operation_id=f"{query.name}-post",
            summary=f"{query.summary} (values as JSON)",
            description=query.description,
            tags=tags,
            response_class=Response,
            responses=responses,
            openapi_extra={
                "parameters": _query_parameters(query, values=False),
                "requestBody": {
                    "required": any(p.required for p in query.parameters),
                    "content": {"application/json": {"schema": _body_schema(query)}},
                },
            },
        )


def _by_get(query: StoredQuery) -> Callable:
    async def run(request: Request) -> Response:
        params = request.query_params
        values: dict[str, Any] = {}
        for name in params:
            if name in ("format", "page"):
                continue
            given = params.getlist(name)
            values[name] = given if len(given) > 1 else given[0]
        return await _answer(request, query, values)

    return run


def _by_post(query: StoredQuery) -> Callable:
    async def run(request: Request) -> Response:
        body = await request.body()
        try:
            values = json.loads(body) if body.strip() else {}
        except (ValueError, UnicodeDecodeError) as error:
            raise Problem(400, "Bad Request", f"the body is not JSON: {error}") from None
        if not isinstance(values, dict):
            raise Problem(400, "Bad Request", "the body is a JSON object of parameter values")
        return await _answer(request, query, values)

    return run


async def _answer(request: Request, query: StoredQuery, values: Mapping[str, Any]) -> Response:
    format_name = request.query_params.get("format")
    page = _page(request)
    try:
        bound = query.bind(values, page)
    except InvalidParameter as error:
        raise Problem(422, "Unprocessable Content", str(error), parameter=error.parameter) from None
    store: Store = request.app.state.store
    if bound.page_size is None:
        return await answer_query(
            request, store, bound.sparql, bindings=bound.bindings, format_name=format_name
        )
    media_type = choose(request.headers.get("accept"), RESULT_MEDIA_TYPES["SELECT"], format_name)
    settings = request.app.state.settings

    def run() -> QueryResult:
        check_reach(store, settings, bound.sparql, ())
        return store.query(bound.sparql, bound.bindings)

    try:
        result = await run_in_threadpool(run)
    except StoreError as error:
        raise problem_for(error) from None
    more = len(result.rows) > bound.page_size
    shown = QueryResult("SELECT", variables=result.variables, rows=result.rows[: bound.page_size])
    links = []
    if more:
        links.append(f'<{request.url.include_query_params(page=page + 1)}>; rel="next"')
    if page > 1:
        links.append(f'<{request.url.include_query_params(page=page - 1)}>; rel="prev"')
    headers = {"Vary": "Accept"} | ({"Link": ", ".join(links)} if links else {})
    body = render(shown, FORMAT_OF_MEDIA_TYPE[media_type])
    return Response(body, media_type=media_type, headers=headers)


def _page(request: Request) -> int:
    given = request.query_params.get("page", "1")
    if not given.isdigit() or int(given) < 1:
        raise Problem(
            422,
            "Unprocessable Content",
            f"parameter 'page': pages are numbered from 1, got {given!r}",
            parameter="page",
        )
    return int(given)


def _schema(parameter: Parameter) -> dict:
    schema: dict[str, Any] = dict(_SCHEMA[parameter.type])
    if parameter.enum:
        schema["enum"] = list(parameter.enum)
    if parameter.default is not None:
        schema["default"] = parameter.default
    if parameter.multiple:
        return {"type": "array", "items": schema}
    return schema


def _query_parameters(query: StoredQuery, values: bool = True) -> list[dict]:
    """The OpenAPI parameters: each value (GET only), the page, and the format override."""
    found = []
    if values:
        found = [
            {
                "name": p.name,
                "in": "query",
                "required": p.required and p.default is None,
                "description": p.description or f"a {p.type}",
                "schema": _schema(p),
                **({"style": "form", "explode": True} if p.multiple else {}),
            }
            for p in query.parameters
        ]
    if query.pagination:
        found.append(
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": f"page of {query.pagination} rows, from 1",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            }
        )
    found.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "the answer's format, over the Accept header",
            "schema": {"type": "string", "enum": sorted(_format_names(query))},
        }
    )
    return found


def _body_schema(query: StoredQuery) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            p.name: {**_schema(p), "description": p.description or f"a {p.type}"}
            for p in query.parameters
        },
        "required": [p.name for p in query.parameters if p.required and p.default is None],
    }


def _format_names(query: StoredQuery) -> set[str]:
    kind = "CONSTRUCT" if query.kind == "DESCRIBE" else query.kind
    return {name for name, media in FORMAT_NAMES.items() if media in RESULT_MEDIA_TYPES[kind]}


def _responses(query: StoredQuery) -> dict:
    kind = "CONSTRUCT" if query.kind == "DESCRIBE" else query.kind
    ok = {
        "description": "the answer",
        "content": {media: {} for media in RESULT_MEDIA_TYPES[kind]},
    }
    if query.pagination:
        ok["headers"] = {
            "Link": {
                "description": 'rel="next" when there is a next page, rel="prev" after page 1',
                "schema": {"type": "string"},
            }
        }
    return {
        200: ok,
        406: {"description": "no format the request accepts", "content": _PROBLEM},
        422: {"description": "a parameter is missing or wrong", "content": _PROBLEM},
    }
