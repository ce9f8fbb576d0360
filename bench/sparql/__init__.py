"""A side-by-side SPARQL read benchmark: the same generated graph and seven queries, over HTTP,
on this service, ``oxigraph serve``, rdflib-endpoint and an in-memory pyoxigraph app."""
