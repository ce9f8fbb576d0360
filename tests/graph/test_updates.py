"""SPARQL updates and Graph Store writes through the write path, on both backends."""

import pytest
from rdflib import URIRef

from graph.imports import list_imports
from graph.parsing import Source
from graph.store import QuerySyntaxError, Store, StoreError
from graph.writes import (
    ChangeResult,
    InvalidBatch,
    commit_change,
    load,
    prepare_graph_write,
    prepare_update,
)
from tests.conftest import BASE, PREFIXES, paper

EX = "http://example.org/"
PREFIX = "PREFIX fabio: <http://purl.org/spar/fabio/> PREFIX dcterms: <http://purl.org/dc/terms/> "
PREFIX += (
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX cito: <http://purl.org/spar/cito/> "
)


def update(store: Store, sparql: str, **kwargs) -> ChangeResult:
    return commit_change(store, prepare_update(store, PREFIX + sparql, BASE, **kwargs), BASE, "ed")


def titles(store: Store) -> dict[str, str]:
    rows = store.query(f"SELECT ?s ?t WHERE {{ ?s <{'http://purl.org/dc/terms/title'}> ?t }}")
    return {str(s): str(t) for s, t in rows.rows}


def quads(store: Store) -> set[tuple]:
    return set(store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


@pytest.fixture
def loaded(store: Store, write_file) -> tuple[Store, str]:
    """A store holding papers a and b, a citing b, in one graph."""
    path = write_file("ab.ttl", paper("a", "A", extra=f"; cito:cites <{EX}b> ") + paper("b", "B"))
    source = Source.from_path(path)
    try:
        graph = load(store, [source], BASE, "loader").graph
    finally:
        source.stream.close()
    return store, graph


def test_insert_data_without_graph_becomes_a_new_graph_with_provenance(loaded) -> None:
    store, first = loaded
    result = update(
        store,
        f'INSERT DATA {{ <{EX}c> a fabio:JournalArticle ; dcterms:title "C" ; '
        f'dcterms:issued "2020"^^xsd:gYear }}',
    )
    assert (result.inserted, result.deleted, result.changed) == (3, 0, [])
    [created] = result.created
    assert set(store.named_graphs()) == {URIRef(first), URIRef(created)}
    record = {r.graph: r for r in list_imports(store)}[created]
    assert (record.agent, record.sources, record.triples) == ("ed", "SPARQL update", 3)
    assert titles(store)[f"{EX}c"] == "C"


def test_modify_changes_every_graph_holding_the_triple_and_records_it(loaded) -> None:
    store, graph = loaded
    result = update(
        store,
        f'DELETE {{ ?p dcterms:title "B" }} '
        f'INSERT {{ GRAPH <{graph}> {{ ?p dcterms:title "Bee" }} }} '
        'WHERE { ?p dcterms:title "B" }',
    )
    assert (result.inserted, result.deleted, result.changed, result.created) == (1, 1, [graph], [])
    assert titles(store)[f"{EX}b"] == "Bee"
    [record] = list_imports(store)
    assert record.triples == store.count(URIRef(graph)) == 7
    modified = store.query(
        f"SELECT ?m WHERE {{ <{graph}> <http://purl.org/dc/terms/modified> ?m }}"
    )
    assert len(modified.rows) == 1


def test_an_update_that_breaks_the_shapes_is_refused_and_changes_nothing(loaded) -> None:
    store, _ = loaded
    before = quads(store)
    planned = prepare_update(store, PREFIX + f"DELETE WHERE {{ <{EX}a> dcterms:title ?t }}", BASE)
    assert not planned.report.conforms
    assert any(v.focus_node == f"{EX}a" for v in planned.report.violations)
    with pytest.raises(InvalidBatch):
        commit_change(store, planned, BASE, "ed")
    assert quads(store) == before


def test_deleting_a_cited_paper_is_refused(loaded) -> None:
    store, _ = loaded
    planned = prepare_update(store, f"DELETE WHERE {{ <{EX}b> ?p ?o }}", BASE)
    assert {v.focus_node for v in planned.report.violations} == {f"{EX}b"}


def test_removing_a_type_judges_what_points_at_the_node(loaded) -> None:
    store, graph = loaded
    person = f"<{EX}x> a <http://xmlns.com/foaf/0.1/Person> "
    update(
        store,
        f"INSERT DATA {{ GRAPH <{graph}> {{ {person} . <{EX}a> dcterms:creator <{EX}x> }} }}",
    )
    planned = prepare_update(store, f"DELETE DATA {{ {person} }}", BASE)
    assert [(v.focus_node, v.path) for v in planned.report.violations] == [
        (f"{EX}a", "http://purl.org/dc/terms/creator")
    ]


def test_drop_graph_removes_its_data_and_its_provenance(loaded) -> None:
    store, graph = loaded
    result = update(store, f"DROP GRAPH <{graph}>")
    assert result.dropped == [graph] and result.deleted == 7
    assert store.named_graphs() == [] and list_imports(store) == []


def test_an_update_that_changes_nothing_is_accepted(loaded) -> None:
    store, _ = loaded
    before = quads(store)
    result = update(store, f'DELETE DATA {{ <{EX}a> dcterms:title "not there" }}')
    assert (result.inserted, result.deleted, result.created, result.changed) == (0, 0, [], [])
    assert quads(store) == before


def test_an_implied_citation_already_stored_is_not_counted_again(loaded) -> None:
    store, graph = loaded  # a cites b already
    result = update(store, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> cito:extends <{EX}b> }} }}")
    assert result.inserted == 1
    [record] = list_imports(store)
    assert record.triples == store.count(URIRef(graph)) == 8


def test_implied_citation_and_blank_nodes_are_handled_like_a_load(loaded) -> None:
    store, graph = loaded
    update(store, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}b> cito:extends <{EX}a> }} }}")
    assert store.query(f"ASK {{ <{EX}b> <http://purl.org/spar/cito/cites> <{EX}a> }}").boolean
    update(
        store,
        "INSERT { ?p dcterms:creator [ a <http://xmlns.com/foaf/0.1/Person> ; "
        '<http://xmlns.com/foaf/0.1/name> "N" ] } WHERE { ?p dcterms:title "A" }',
    )
    creators = f"SELECT ?c WHERE {{ <{EX}a> <http://purl.org/dc/terms/creator> ?c }}"
    [(creator,)] = store.query(creators).rows
    assert str(creator).startswith(f"{BASE}.well-known/genid/")


def test_using_graph_uris_set_the_dataset_of_the_where(loaded) -> None:
    store, graph = loaded
    other = update(store, f'INSERT DATA {{ <{EX}a> dcterms:alternative "x" }}').created[0]
    planned = prepare_update(
        store,
        PREFIX + 'INSERT { ?s dcterms:alternative "y" } WHERE { ?s ?p ?o }',
        BASE,
        using_graphs=[other],
    )
    assert planned.change.counts()["inserted"] == 1  # only a is in that graph

    def tagged(where: str, **using: list[str]) -> set:
        sparql = f'INSERT {{ ?s dcterms:alternative "y" }} WHERE {{ {where} }}'
        planned = prepare_update(store, PREFIX + sparql, BASE, **using)
        return {s for triples in planned.change.added.values() for s, _, _ in triples}

    every = tagged("GRAPH ?g { ?s ?p ?o }")
    assert every == {URIRef(f"{EX}a"), URIRef(f"{EX}b")}
    assert tagged("GRAPH ?g { ?s ?p ?o }", using_named_graphs=[other]) == {URIRef(f"{EX}a")}
    assert tagged(f"GRAPH <{graph}> {{ ?s ?p ?o }}", using_named_graphs=[other]) == set()
    assert tagged("?s ?p ?o", using_named_graphs=[other]) == set()  # no USING: empty default
    with pytest.raises(StoreError, match="USING"):
        prepare_update(
            store,
            f"INSERT {{ ?s ?p ?o }} USING <{graph}> WHERE {{ ?s ?p ?o }}",
            BASE,
            using_graphs=[other],
        )


def test_a_syntax_error_says_where(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        prepare_update(store, "INSERT DATA {\n  <a> <b> }", BASE)
    assert error.value.line == 2


def test_create_graph_fails_on_an_existing_graph_unless_silent(loaded) -> None:
    store, graph = loaded
    with pytest.raises(StoreError, match="exists already"):
        prepare_update(store, f"CREATE GRAPH <{graph}>", BASE)
    assert not prepare_update(store, f"CREATE SILENT GRAPH <{graph}>", BASE).change


def test_graph_store_put_replaces_and_post_adds(loaded, write_file) -> None:
    store, graph = loaded

    def write(body: str, replace: bool) -> ChangeResult:
        source = Source.from_path(write_file("w.ttl", body))
        try:
            planned = prepare_graph_write(store, URIRef(graph), [source], BASE, replace)
        finally:
            source.stream.close()
        return commit_change(store, planned, BASE, "ed")

    result = write(paper("c", "C"), replace=False)
    assert (result.inserted, result.deleted, result.changed) == (3, 0, [graph])
    assert set(titles(store)) == {f"{EX}a", f"{EX}b", f"{EX}c"}
    result = write(paper("d", "D"), replace=True)
    assert (result.inserted, result.deleted) == (3, 10)
    assert set(titles(store)) == {f"{EX}d"}
    assert store.count(URIRef(graph)) == 3
    new = URIRef(f"{BASE}graph/mine")
    source = Source.from_path(write_file("n.ttl", PREFIXES + paper("e", "E"), prefixes=False))
    try:
        result = commit_change(
            store, prepare_graph_write(store, new, [source], BASE, True), BASE, "ed"
        )
    finally:
        source.stream.close()
    assert result.created == [str(new)]
    assert {r.graph: r.triples for r in list_imports(store)}[str(new)] == 3


def test_a_graph_store_write_that_breaks_the_shapes_changes_nothing(loaded, write_file) -> None:
    store, graph = loaded
    before = quads(store)
    source = Source.from_path(write_file("bad.ttl", f"<{EX}z> a fabio:JournalArticle ."))
    try:
        planned = prepare_graph_write(store, URIRef(graph), [source], BASE, replace=True)
    finally:
        source.stream.close()
    assert not planned.report.conforms
    with pytest.raises(InvalidBatch):
        commit_change(store, planned, BASE, "ed")
    assert quads(store) == before


def test_what_one_update_inserts_the_next_can_delete(loaded) -> None:
    store, graph = loaded
    before = quads(store)
    update(store, f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}score> "01"^^xsd:integer }} }}')
    assert store.query(f"ASK {{ <{EX}a> <{EX}score> ?o }}").boolean
    update(store, f"DELETE WHERE {{ <{EX}a> <{EX}score> ?o }}")
    assert {q for q in quads(store) if q[3] == URIRef(graph)} == {
        q for q in before if q[3] == URIRef(graph)
    }
