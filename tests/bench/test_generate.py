"""The benchmark generator writes graphs that pass the shapes, the same bytes for a seed."""

from pathlib import Path

from rdflib import Graph, URIRef

from bench.generate import BASE_IRI, write_file
from graph.memory_store import MemoryStore
from graph.parsing import Source
from graph.validation import validate
from graph.writes import prepare


def test_generated_graph_conforms(tmp_path: Path) -> None:
    path = tmp_path / "pubs.nt"
    stats = write_file(200, 7, path)
    graph = Graph().parse(path, format="nt")
    assert len(graph) == stats.triples
    assert 40 <= stats.triples / stats.publications <= 60
    report = validate(graph)
    assert report.conforms, report.violations[:5]
    assert all(isinstance(s, URIRef) and s.startswith(BASE_IRI) for s in graph.subjects())


def test_generated_graph_passes_the_write_path(tmp_path: Path) -> None:
    path = tmp_path / "pubs.nt"
    write_file(100, 3, path)
    with path.open("rb") as f:
        batch = prepare(MemoryStore(), [Source(path.name, f, "ntriples")], BASE_IRI)
    assert batch.report.conforms, batch.report.violations[:5]
    assert batch.matched == {}  # every DOI, PMID and NCT id is unique


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    write_file(200, 1, first)
    write_file(200, 1, second)
    write_file(200, 2, other)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
