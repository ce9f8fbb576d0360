"""A minimal SPARQL endpoint over an in-memory ``pyoxigraph.Store``: what serving reads from
memory, in-process, would give. GET ``/sparql?query=`` only; SELECT and ASK as SPARQL JSON,
CONSTRUCT and DESCRIBE as N-Triples (Turtle when asked for), serialised by pyoxigraph.

Usage: ``python -m bench.sparql.memory_app FILE.nt --port 8001``
"""

import argparse

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Request, Response

from bench.sparql.queries import GRAPH


def create_app(store: ox.Store) -> FastAPI:
    """An app that answers ``/sparql`` from ``store``, the union of its graphs as default."""
    app = FastAPI()

    @app.get("/sparql")
    def sparql(query: str, request: Request) -> Response:  # a plain def: runs in the threadpool
        try:
            result = store.query(query, use_default_graph_as_union=True)
        except SyntaxError as error:
            return Response(str(error), status_code=400, media_type="text/plain")
        if isinstance(result, ox.QueryTriples):
            turtle = "text/turtle" in request.headers.get("accept", "")
            media_type = "text/turtle" if turtle else "application/n-triples"
            fmt = ox.RdfFormat.TURTLE if turtle else ox.RdfFormat.N_TRIPLES
        else:
            media_type, fmt = "application/sparql-results+json", ox.QueryResultsFormat.JSON
        return Response(result.serialize(format=fmt), media_type=media_type)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql.memory_app")
    parser.add_argument("file", help="an N-Triples file, loaded into the named graph GRAPH")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    store = ox.Store()
    store.bulk_load(path=args.file, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    uvicorn.run(create_app(store), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
