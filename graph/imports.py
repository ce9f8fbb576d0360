"""The record of writes: each named graph with who wrote it, when, from what, and its size."""

from dataclasses import dataclass

from graph.store import Store

__all__ = ["ImportRecord", "list_imports"]

_IMPORTS = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?graph ?time ?agent ?triples (GROUP_CONCAT(?source; separator=", ") AS ?sources)
WHERE {
  ?graph a ev:Import ; prov:generatedAtTime ?time ; void:triples ?triples ;
         prov:wasAttributedTo/rdfs:label ?agent .
  OPTIONAL { ?graph dcterms:source ?source }
}
GROUP BY ?graph ?time ?agent ?triples
ORDER BY ?time ?graph
"""


@dataclass(frozen=True)
class ImportRecord:
    """One named graph and its provenance (empty fields for a graph written some other way)."""

    graph: str
    time: str
    agent: str
    sources: str
    triples: int


def list_imports(store: Store) -> list[ImportRecord]:
    """Every named graph, oldest write first; undescribed graphs last."""
    records = [
        ImportRecord(str(g), str(t), str(a), str(s or ""), int(n))
        for g, t, a, n, s in store.query(_IMPORTS).rows
    ]
    described = {r.graph for r in records}
    records += [
        ImportRecord(str(g), "", "", "", store.count(g))
        for g in store.named_graphs()
        if str(g) not in described
    ]
    return records
