"""The write path: validation, atomicity, identifier matching, provenance and undo."""

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from graph.imports import list_imports
from graph.parsing import ParseError, Source
from graph.store import Store
from graph.writes import EmptyBatch, InvalidBatch, WriteResult, load
from tests.conftest import BASE, paper

DOI = "10.1016/s1470-2045(15)00135-7"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"


def load_file(store: Store, *paths: Path, agent: str = "tester") -> WriteResult:
    sources = [Source.from_path(p) for p in paths]
    try:
        return load(store, sources, BASE, agent)
    finally:
        for s in sources:
            s.stream.close()


def select(store: Store, sparql: str) -> list[tuple]:
    return store.query(sparql).rows


def test_a_valid_file_becomes_one_named_graph_with_provenance(store: Store, write_file) -> None:
    result = load_file(store, write_file("two.ttl", paper("a", "A") + paper("b", "B")))
    assert store.named_graphs() == [URIRef(result.graph)]
    assert result.triples == store.count(URIRef(result.graph)) == 6
    [record] = list_imports(store)
    assert (record.graph, record.agent, record.sources, record.triples) == (
        result.graph,
        "tester",
        "two.ttl",
        6,
    )
    assert record.time.endswith("Z") or "+00:00" in record.time


def test_an_invalid_record_in_a_larger_batch_leaves_the_store_unchanged(
    store: Store, write_file
) -> None:
    load_file(store, write_file("first.ttl", paper("first", "First")))
    before = store.count()
    graphs_before = store.named_graphs()
    body = "".join(
        paper(f"p{i}", f"Paper {i}", extra=f'; bibo:doi "10.1234/p{i}" ') for i in range(200)
    )
    body += paper("bad", "Bad", extra='; bibo:pmid "12ab" ')
    with pytest.raises(InvalidBatch) as raised:
        load_file(store, write_file("batch.ttl", body))
    [violation] = raised.value.report.violations
    assert violation.focus_node == "http://example.org/bad"
    assert violation.path == "http://purl.org/ontology/bibo/pmid"
    assert violation.value == "12ab"
    assert "PMID" in violation.message
    assert store.count() == before
    assert store.named_graphs() == graphs_before


def test_the_same_paper_by_doi_in_two_imports_is_one_node(store: Store, write_file) -> None:
    first = load_file(store, write_file("a.ttl", paper("x", "X", extra=f'; bibo:doi "{DOI}" ')))
    second = load_file(
        store,
        write_file(
            "b.ttl",
            paper(
                "y", "X again", extra='; bibo:doi "https://doi.org/10.1016/S1470-2045(15)00135-7" '
            )
            + paper("z", "Citing", year=2020, extra="; cito:cites <http://example.org/y> "),
        ),
    )
    assert second.matched == {"http://example.org/y": "http://example.org/x"}
    rows = select(
        store, f'SELECT DISTINCT ?s WHERE {{ ?s <http://purl.org/ontology/bibo/doi> "{DOI}" }}'
    )
    assert rows == [(URIRef("http://example.org/x"),)]
    cited = select(
        store, "SELECT ?o WHERE { <http://example.org/z> <http://purl.org/spar/cito/cites> ?o }"
    )
    assert cited == [(URIRef("http://example.org/x"),)]
    assert first.graph != second.graph


def test_duplicates_inside_one_batch_merge_and_pmid_matches(store: Store, write_file) -> None:
    load_file(store, write_file("a.ttl", paper("x", "X", extra='; bibo:pmid "2702641" ')))
    result = load_file(
        store,
        write_file(
            "b.ttl",
            paper("y", "Y", extra='; bibo:pmid "PMID: 2702641" ')
            + paper("w", "W", extra='; bibo:doi "10.5555/dup" ')
            + paper("v", "V", extra='; bibo:doi "doi:10.5555/DUP" '),
        ),
    )
    assert result.matched == {
        "http://example.org/y": "http://example.org/x",
        "http://example.org/w": "http://example.org/v",
    }
    count = select(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) "
        'WHERE { ?s <http://purl.org/ontology/bibo/doi> "10.5555/dup" }',
    )
    assert count == [(Literal(1),)]


def test_a_chain_of_matches_ends_on_the_stored_node(store: Store, write_file) -> None:
    """Regression: b (PMID only) merged into a (DOI and PMID), which merged into the stored
    node with that DOI; b's triples stayed on a, a second publication with the same PMID."""
    load_file(store, write_file("s.ttl", paper("s", "S", extra='; bibo:doi "10.5555/chain" ')))
    batch = paper("a", "A", extra='; bibo:doi "10.5555/chain" ; bibo:pmid "123" ') + paper(
        "b", "B", extra='; bibo:pmid "123" '
    )
    result = load_file(store, write_file("ab.ttl", batch))
    assert result.matched == {
        "http://example.org/a": "http://example.org/s",
        "http://example.org/b": "http://example.org/s",
    }
    carriers = select(
        store, 'SELECT DISTINCT ?s WHERE { ?s <http://purl.org/ontology/bibo/pmid> "123" }'
    )
    assert carriers == [(URIRef("http://example.org/s"),)]


def test_citing_a_stored_publication_validates_with_the_stored_context(
    store: Store, write_file
) -> None:
    load_file(store, write_file("cited.ttl", paper("cited", "Cited")))
    load_file(
        store,
        write_file(
            "citing.ttl",
            paper("citing", "Citing", extra="; cito:cites <http://example.org/cited> "),
        ),
    )
    with pytest.raises(InvalidBatch) as raised:
        load_file(
            store,
            write_file(
                "dangling.ttl",
                paper("c2", "C2", extra="; cito:cites <http://example.org/nowhere> "),
            ),
        )
    assert {v.focus_node for v in raised.value.report.violations} == {"http://example.org/nowhere"}


def test_every_cito_property_implies_cites(store: Store, write_file) -> None:
    load_file(
        store,
        write_file(
            "c.ttl",
            paper("a", "A")
            + paper("b", "B", extra="; cito:citesAsEvidence <http://example.org/a> "),
        ),
    )
    assert store.query(
        "ASK { <http://example.org/b> <http://purl.org/spar/cito/cites> <http://example.org/a> }"
    ).boolean


def test_blank_nodes_become_distinct_iris_under_the_base(store: Store, write_file) -> None:
    one = write_file(
        "one.ttl",
        '_:p a fabio:JournalArticle ; dcterms:title "One" ; dcterms:issued "2001"^^xsd:gYear .\n',
    )
    two = write_file(
        "two.ttl",
        '_:p a fabio:JournalArticle ; dcterms:title "Two" ; dcterms:issued "2002"^^xsd:gYear .\n',
    )
    load_file(store, one, two)
    rows = select(
        store, "SELECT ?s ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t } ORDER BY ?t"
    )
    assert [str(t) for _, t in rows] == ["One", "Two"]
    assert all(str(s).startswith(BASE + ".well-known/genid/") for s, _ in rows)
    assert rows[0][0] != rows[1][0]


def test_dropping_a_graph_undoes_its_import(store: Store, write_file) -> None:
    kept = load_file(store, write_file("kept.ttl", paper("k", "Kept")))
    before = store.count()
    dropped = load_file(store, write_file("undo.ttl", paper("u", "Undo")))
    assert store.drop_graph(URIRef(dropped.graph)) is True
    assert store.count() == before
    assert [r.graph for r in list_imports(store)] == [kept.graph]
    assert store.drop_graph(URIRef(dropped.graph)) is False


def test_a_syntax_error_names_the_file_line_and_column(store: Store, write_file) -> None:
    path = write_file(
        "broken.ttl", paper("a", "A") + '<http://example.org/b> dcterms:title "unterminated .\n'
    )
    with pytest.raises(ParseError) as raised:
        load_file(store, path)
    assert raised.value.source == "broken.ttl"
    assert raised.value.line == len(path.read_text().splitlines())
    assert "broken.ttl (line" in str(raised.value)
    assert store.count() == 0


def test_an_empty_file_is_refused(store: Store, write_file) -> None:
    with pytest.raises(EmptyBatch):
        load_file(store, write_file("empty.ttl", ""))
    assert store.named_graphs() == []


@pytest.mark.parametrize(
    ("name", "document"),
    [
        (
            "a.nt",
            f"<http://example.org/a> <{RDF_TYPE}> <http://purl.org/spar/fabio/JournalArticle> .\n"
            '<http://example.org/a> <http://purl.org/dc/terms/title> "A" .\n'
            f'<http://example.org/a> <http://purl.org/dc/terms/issued> "2001"^^<{GYEAR}> .\n',
        ),
        (
            "a.jsonld",
            '{"@context": {"fabio": "http://purl.org/spar/fabio/", "dcterms": "http://purl.org/dc/terms/"},'
            ' "@id": "http://example.org/a", "@type": "fabio:JournalArticle", "dcterms:title": "A",'
            ' "dcterms:issued": {"@value": "2001", "@type": "http://www.w3.org/2001/XMLSchema#gYear"}}',
        ),
        (
            "a.rdf",
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns:dcterms="http://purl.org/dc/terms/"><rdf:Description rdf:about="http://example.org/a">'
            '<rdf:type rdf:resource="http://purl.org/spar/fabio/JournalArticle"/><dcterms:title>A</dcterms:title>'
            '<dcterms:issued rdf:datatype="http://www.w3.org/2001/XMLSchema#gYear">2001</dcterms:issued>'
            "</rdf:Description></rdf:RDF>",
        ),
        (
            "a.trig",
            "<http://example.org/g> { <http://example.org/a> a <http://purl.org/spar/fabio/JournalArticle>"
            ' ; <http://purl.org/dc/terms/title> "A"'
            f' ; <http://purl.org/dc/terms/issued> "2001"^^<{GYEAR}> . }}',
        ),
    ],
)
def test_every_rdf_syntax_goes_through_the_same_path(
    store: Store, write_file, name: str, document: str
) -> None:
    result = load_file(store, write_file(name, document, prefixes=False))
    assert result.triples == 3
    assert store.query(
        'ASK { <http://example.org/a> <http://purl.org/dc/terms/title> "A" }'
    ).boolean


def test_a_self_citation_through_a_cito_sub_property_is_refused(store: Store, write_file) -> None:
    path = write_file(
        "self.ttl", paper("a", "A", extra="; cito:citesAsEvidence <http://example.org/a> ")
    )
    with pytest.raises(InvalidBatch) as raised:
        load_file(store, path)
    assert [v.message for v in raised.value.report.violations] == [
        "A publication cannot cite itself."
    ]


def test_a_remote_json_ld_context_is_not_fetched(store: Store, write_file) -> None:
    document = '{"@context": "https://schema.org/", "@id": "http://example.org/a", "name": "A"}'
    with pytest.raises(ParseError, match="remote JSON-LD contexts are not fetched"):
        load_file(store, write_file("remote.jsonld", document, prefixes=False))
