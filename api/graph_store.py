"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``: read a graph or the dataset, and
drop a graph (undo a write). Writing graphs through it is not offered yet."""

import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from rdflib import URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from starlette.concurrency import run_in_threadpool

from api.auth import require_write_token
from api.deps import StoreDep
from api.negotiation import choose
from api.problems import Problem

__all__ = ["router"]

router = APIRouter(tags=["graph store"])

GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "rdfxml",
}
DATASET_MEDIA = {"application/trig": "trig", "application/n-quads": "nquads"}

GraphParam = Annotated[str | None, Query(alias="graph", description="IRI of a named graph.")]
DefaultParam = Annotated[
    str | None, Query(alias="default", description="Present: the default graph (provenance).")
]


@router.api_route("/store", methods=["GET", "HEAD"], summary="Read a graph or the dataset")
async def read(
    request: Request, store: StoreDep, graph: GraphParam = None, default: DefaultParam = None
) -> Response:
    """One named graph (``?graph=IRI``), the default graph (``?default``), or with neither the
    whole dataset as TriG or N-Quads."""
    target = await _target(store, graph, default, dataset_allowed=True)
    offered = DATASET_MEDIA if target is None else GRAPH_MEDIA
    media_type = choose(
        request.headers.get("accept"), tuple(offered), request.query_params.get("format")
    )
    out = io.BytesIO()
    await run_in_threadpool(store.export, out, offered[media_type], target)
    body = b"" if request.method == "HEAD" else out.getvalue()
    headers = {"Vary": "Accept", "Content-Length": str(len(out.getvalue()))}
    return Response(body, media_type=media_type, headers=headers)


@router.delete(
    "/store",
    status_code=204,
    summary="Drop a named graph",
    dependencies=[Depends(require_write_token)],
)
async def drop(store: StoreDep, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    """Remove a named graph and its provenance: the undo of an import."""
    target = await _target(store, graph, default, dataset_allowed=False)
    if target == DATASET_DEFAULT_GRAPH_ID:
        raise Problem(403, "Forbidden", "the default graph holds the provenance of every write")
    await run_in_threadpool(store.drop_graph, target)
    return Response(status_code=204)


async def _target(
    store, graph: str | None, default: str | None, dataset_allowed: bool
) -> URIRef | None:
    if graph is not None and default is not None:
        raise Problem(400, "Bad Request", "give either ?graph=IRI or ?default, not both")
    if default is not None:
        return DATASET_DEFAULT_GRAPH_ID
    if graph is None:
        if dataset_allowed:
            return None
        raise Problem(400, "Bad Request", "name the graph: ?graph=IRI")
    if URIRef(graph) not in await run_in_threadpool(store.named_graphs):
        raise Problem(404, "Not Found", f"no graph {graph} in this store")
    return URIRef(graph)
