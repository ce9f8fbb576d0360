"""rdflib-endpoint over an rdflib ``Dataset`` (in memory) holding the file in the named graph
``GRAPH``, with the union of graphs as default graph, at ``/sparql`` on 127.0.0.1.

Usage: ``python -m bench.sparql.rdflib_app FILE.nt --port 8002``
"""

import argparse

import uvicorn
from rdflib import Dataset, URIRef
from rdflib_endpoint import SparqlEndpoint

from bench.sparql.queries import GRAPH


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql.rdflib_app")
    parser.add_argument("file", help="an N-Triples file, loaded into the named graph GRAPH")
    parser.add_argument("--port", type=int, default=8002)
    args = parser.parse_args()
    dataset = Dataset(default_union=True)
    dataset.graph(URIRef(GRAPH)).parse(args.file, format="nt")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
