"""The HTTP service: an app factory that opens the store named by the settings.

It answers SPARQL queries at ``/sparql``, a health check, and a page that says what is loaded.
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse

from api import (
    citations,
    evidence,
    graph_store,
    imports,
    resources,
    reviews,
    sparql,
    synthesis,
)
from api.deps import StoreDep
from api.docs import install_docs
from api.limits import SizeLimits
from api.problems import install_problem_handlers
from api.stored_queries import install_stored_queries
from graph.examples import load_examples
from graph.imports import ImportRecord, list_imports
from graph.selection import catalogue
from graph.settings import Settings
from graph.store import Store
from graph.worker import open_service_store

__all__ = ["create_app"]


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """A FastAPI app over ``store``, or over the store named by ``settings``, opened on
    start-up; either way the app closes it on shut-down."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store if store is not None else open_service_store(settings)
        try:
            if settings.load_examples and opened.count() == 0:
                load_examples(opened, settings.base_iri)
            app.state.store = opened
            yield
        finally:
            opened.close()

    app = FastAPI(
        title="evidence-graph",
        summary="Evidence knowledge graph: studies, findings, claims and hypotheses as RDF.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's own docs page loads Swagger UI from a CDN: served locally below
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalogue = catalogue(settings.queries_dir)
    app.state.write_lock = threading.Lock()
    install_problem_handlers(app)
    app.add_middleware(
        SizeLimits,
        max_body_bytes=settings.max_body_bytes,
        max_query_bytes=settings.max_query_string_bytes,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Accept", "Authorization", "Content-Type"],
        )
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(evidence.router)
    app.include_router(synthesis.router)
    app.include_router(imports.router)
    app.include_router(reviews.router)
    app.include_router(citations.router)
    install_stored_queries(app, app.state.catalogue)
    install_docs(app)
    app.add_api_route("/health", health, methods=["GET"], tags=["service"])
    app.add_api_route("/", home, methods=["GET"], response_class=HTMLResponse, tags=["service"])
    # last: under a base IRI at "/" its routes take only what no other route answers
    app.include_router(resources.router, prefix=resources.prefix(settings.base_iri))
    return app


def health(store: StoreDep) -> dict:
    """Liveness and size: the service answers and its store is readable."""
    return {"status": "ok", "quads": store.count(), "graphs": len(store.named_graphs())}


def home(store: StoreDep) -> str:
    """A page that says what is loaded: each named graph with its provenance."""
    rows = "\n".join(_row(r) for r in list_imports(store))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>evidence-graph</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}
table{{border-collapse:collapse}}
td,th{{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}}</style>
</head><body>
<h1>evidence-graph</h1>
<p>{store.count()} quads in {len(store.named_graphs())} named graphs.
<a href="sparql">Query them with SPARQL</a> or <a href="store">download the dataset</a> (TriG).</p>
<table><thead><tr><th>graph</th><th>triples</th><th>written</th><th>by</th><th>from</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def _row(record: ImportRecord) -> str:
    cells = (record.graph, str(record.triples), record.time, record.agent, record.sources)
    return "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
