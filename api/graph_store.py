"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``: read a graph or the dataset; put,
post to and drop a named graph through the write path (with the write token).

The default graph is the union of the named graphs (its own triples are their provenance), so
data posted to it (``?default`` or no parameter) becomes a new named graph, like a load, and it
cannot be replaced or dropped."""

import io
import os
import tempfile
from dataclasses import asdict
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from rdflib import URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from api.auth import require_write_token
from api.deps import SettingsDep, StoreDep
from api.negotiation import choose, content_type
from api.problems import Problem
from api.writing import AGENT, run_write
from graph.parsing import Source
from graph.settings import Settings
from graph.store import Store
from graph.writes import ChangeResult, commit_change, load, prepare_graph_write

__all__ = ["router"]

router = APIRouter(tags=["graph store"])

GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "rdfxml",
}
DATASET_MEDIA = {"application/trig": "trig", "application/n-quads": "nquads"}
_SUFFIX = {
    "turtle": "ttl",
    "ntriples": "nt",
    "json-ld": "jsonld",
    "rdfxml": "rdf",
    "trig": "trig",
    "nquads": "nq",
}

GraphParam = Annotated[str | None, Query(alias="graph", description="IRI of a named graph.")]
DefaultParam = Annotated[
    str | None, Query(alias="default", description="Present: the default graph (provenance).")
]


@router.get("/store", summary="Read a graph or the dataset")
async def read(
    request: Request, store: StoreDep, graph: GraphParam = None, default: DefaultParam = None
) -> Response:
    """One named graph (``?graph=IRI``), the default graph (``?default``), or with neither the
    whole dataset as TriG or N-Quads."""
    target = await _target(store, graph, default)
    offered = DATASET_MEDIA if target is None else GRAPH_MEDIA
    media_type = choose(
        request.headers.get("accept"), tuple(offered), request.query_params.get("format")
    )
    with tempfile.NamedTemporaryFile(prefix="export-", delete=False) as dump:
        path = dump.name
    try:
        await run_in_threadpool(store.export, path, offered[media_type], target)
    except BaseException:
        os.unlink(path)
        raise
    name = "dataset" if target is None else "default-graph" if graph is None else "graph"
    return FileResponse(  # streamed from disk, then deleted; HEAD gets the headers only
        path,
        media_type=media_type,
        filename=f"{name}.{_SUFFIX[offered[media_type]]}",  # what a browser saves it as
        headers={"Vary": "Accept"},
        background=BackgroundTask(os.unlink, path),
    )


router.add_api_route("/store", read, methods=["HEAD"], include_in_schema=False)


@router.put(
    "/store",
    summary="Replace a named graph",
    dependencies=[Depends(require_write_token)],
    responses={201: {"description": "created"}, 204: {"description": "replaced"}},
    openapi_extra={"requestBody": {"content": {m: {} for m in GRAPH_MEDIA}}},
)
async def put(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Replace what the graph ``?graph=IRI`` holds with the request body (201 when new)."""
    target = _named(graph, default, "replaced")
    return await _write(request, store, settings, target, replace=True)


@router.post(
    "/store",
    summary="Add to a named graph, or make a new one",
    dependencies=[Depends(require_write_token)],
    responses={201: {"description": "created"}, 204: {"description": "added to"}},
    openapi_extra={"requestBody": {"content": {m: {} for m in GRAPH_MEDIA}}},
)
async def post(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Add the request body to ``?graph=IRI`` (201 when new); without a graph, or with
    ``?default``, it becomes a new named graph, like a load (201 with its Location)."""
    if graph is not None:
        return await _write(request, store, settings, _named(graph, default, ""), replace=False)
    source = await _body(request)
    result = await run_write(request, lambda: load(store, [source], settings.base_iri, AGENT))
    return JSONResponse(
        asdict(result), status_code=201, headers={"Location": _location(request, result.graph)}
    )


async def _write(
    request: Request, store: Store, settings: Settings, graph: URIRef, replace: bool
) -> Response:
    source = await _body(request)

    def write() -> ChangeResult:
        planned = prepare_graph_write(store, graph, [source], settings.base_iri, replace)
        return commit_change(store, planned, settings.base_iri, AGENT)

    result = await run_write(request, write)
    if result.created:
        return Response(status_code=201, headers={"Location": _location(request, str(graph))})
    return Response(status_code=204)


async def _body(request: Request) -> Source:
    media_type = content_type(request)
    if media_type not in GRAPH_MEDIA:
        raise Problem(
            415,
            "Unsupported Media Type",
            f"a graph is sent as one of {', '.join(GRAPH_MEDIA)}, not "
            f"{media_type or 'no content type'}",
            accepted=list(GRAPH_MEDIA),
        )
    return Source("request body", io.BytesIO(await request.body()), GRAPH_MEDIA[media_type])


def _named(graph: str | None, default: str | None, verb: str) -> URIRef:
    if graph is not None and default is not None:
        raise Problem(400, "Bad Request", "give either ?graph=IRI or ?default, not both")
    if default is not None:
        raise Problem(
            403,
            "Forbidden",
            f"the default graph is the union of the named graphs and cannot be {verb}; "
            "name a graph: ?graph=IRI",
        )
    if graph is None:
        raise Problem(400, "Bad Request", "name the graph: ?graph=IRI")
    return _iri(graph)


def _iri(graph: str) -> URIRef:
    try:
        return URIRef(ox.NamedNode(graph).value)
    except ValueError as error:
        raise Problem(400, "Bad Request", f"?graph= is not an IRI: {error}") from None


def _location(request: Request, graph: str) -> str:
    return str(request.url_for("read").include_query_params(graph=graph))


@router.delete(
    "/store",
    status_code=204,
    summary="Drop a named graph",
    dependencies=[Depends(require_write_token)],
)
async def drop(
    request: Request, store: StoreDep, graph: GraphParam = None, default: DefaultParam = None
) -> Response:
    """Remove a named graph and its provenance: the undo of an import."""
    target = _named(graph, default, "dropped")
    if not await run_write(request, lambda: store.drop_graph(target)):
        raise Problem(404, "Not Found", f"no graph {graph} in this store")
    return Response(status_code=204)


async def _target(store: Store, graph: str | None, default: str | None) -> URIRef | None:
    if graph is not None and default is not None:
        raise Problem(400, "Bad Request", "give either ?graph=IRI or ?default, not both")
    if default is not None:
        return DATASET_DEFAULT_GRAPH_ID
    if graph is None:
        return None
    if URIRef(graph) not in await run_in_threadpool(store.named_graphs):
        raise Problem(404, "Not Found", f"no graph {graph} in this store")
    return URIRef(graph)
