"""Both store backends behave alike behind the one interface."""

import io
import json
from decimal import Decimal

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from graph.store import QuerySyntaxError, Store, StoreError

G1, G2 = URIRef("http://example.org/g1"), URIRef("http://example.org/g2")
EX = "http://example.org/"
TRIPLES = [
    (URIRef(EX + "a"), URIRef(EX + "p"), Literal("x")),
    (
        URIRef(EX + "a"),
        URIRef(EX + "q"),
        Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
    ),
    (URIRef(EX + "a"), URIRef(EX + "r"), Literal("chat", lang="fr")),
]
DESCRIPTION = [(G1, URIRef(EX + "about"), Literal("first"))]


def test_a_graph_is_added_with_its_description(store: Store) -> None:
    store.add_graph(G1, TRIPLES, DESCRIPTION)
    assert store.named_graphs() == [G1]
    assert store.count(G1) == 3
    assert store.count() == 4
    assert store.query(f"ASK {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 'x' }} }}").boolean
    assert store.query(f"ASK {{ <{G1}> <{EX}about> 'first' }}").boolean  # the union sees it


def test_adding_an_existing_graph_is_refused(store: Store) -> None:
    store.add_graph(G1, TRIPLES, [])
    with pytest.raises(StoreError):
        store.add_graph(G1, TRIPLES, [])
    assert store.count(G1) == 3


def test_query_forms_come_back_as_rdflib_terms(store: Store) -> None:
    store.add_graph(G1, TRIPLES, [])
    select = store.query(f"SELECT ?o WHERE {{ <{EX}a> <{EX}q> ?o }}")
    assert (select.kind, select.variables, select.rows) == ("SELECT", ["o"], [(TRIPLES[1][2],)])
    optional = store.query(
        f"SELECT ?s ?x WHERE {{ ?s <{EX}p> ?o OPTIONAL {{ ?s <{EX}none> ?x }} }}"
    )
    assert optional.rows == [(URIRef(EX + "a"), None)]
    construct = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert construct.kind == "CONSTRUCT"
    assert sorted(construct.triples) == sorted(TRIPLES)
    with pytest.raises(StoreError, match="syntax"):
        store.query("SELECT WHERE {")


def test_numbers_keep_their_value(store: Store) -> None:
    """Oxigraph stores decimals by value ("0.90" comes back as "0.9"); the value is kept."""
    printed = Literal("0.90", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))
    store.add_graph(G1, [(URIRef(EX + "e"), URIRef(EX + "level"), printed)], [])
    [(value,)] = store.query(f"SELECT ?v WHERE {{ <{EX}e> <{EX}level> ?v }}").rows
    assert value.eq(printed)
    assert value.toPython() == Decimal("0.90")


def test_export_round_trips_as_a_dataset_and_as_one_graph(store: Store) -> None:
    store.add_graph(G1, TRIPLES, DESCRIPTION)
    store.add_graph(G2, TRIPLES[:1], [])
    out = io.BytesIO()
    store.export(out, "trig")
    dataset = Dataset()
    dataset.parse(data=out.getvalue(), format="trig")
    assert isomorphic(dataset.graph(G1), Graph().__iadd__(TRIPLES))
    assert len(dataset.graph(G2)) == 1
    for fmt, rdflib_format in [
        ("turtle", "turtle"),
        ("ntriples", "nt"),
        ("rdfxml", "xml"),
        ("json-ld", "json-ld"),
    ]:
        out = io.BytesIO()
        store.export(out, fmt, G1)
        assert isomorphic(
            Graph().parse(data=out.getvalue(), format=rdflib_format), Graph().__iadd__(TRIPLES)
        ), fmt


def test_dropping_removes_the_graph_and_its_description_only(store: Store) -> None:
    store.add_graph(G1, TRIPLES, DESCRIPTION)
    store.add_graph(G2, TRIPLES[:1], [(G2, URIRef(EX + "about"), Literal("second"))])
    assert store.drop_graph(G1)
    assert store.named_graphs() == [G2]
    assert store.count() == 2
    assert not store.drop_graph(G1)


def test_answers_are_serialised_in_the_media_type_given_for_their_form(store: Store) -> None:
    store.add_graph(G1, TRIPLES, [])
    media = {"SELECT": "application/sparql-results+json", "ASK": None, "CONSTRUCT": "text/turtle"}
    kind, media_type, body = store.answer(f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}", media)
    assert (kind, media_type) == ("SELECT", "application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"] == [{"o": {"type": "literal", "value": "x"}}]
    kind, _, body = store.answer("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", media)
    assert kind == "CONSTRUCT"
    assert isomorphic(Graph().parse(data=body, format="turtle"), Graph().__iadd__(TRIPLES))
    assert store.answer("ASK { ?s ?p ?o }", media) == ("ASK", None, b"")
    with pytest.raises(QuerySyntaxError) as raised:
        store.answer("SELECT ?x\nWHERE { ?x ?y }", media)
    assert raised.value.line == 2


def test_the_default_graph_exports_alone(store: Store) -> None:
    store.add_graph(G1, TRIPLES, DESCRIPTION)
    out = io.BytesIO()
    store.export(out, "ntriples", DATASET_DEFAULT_GRAPH_ID)
    assert isomorphic(
        Graph().parse(data=out.getvalue(), format="nt"), Graph().__iadd__(DESCRIPTION)
    )
