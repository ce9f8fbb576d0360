"""graph.opencitations: OpenCitations CSV exports read row by row, their publications joined by
shared ids and matched to stored ones, written through the write path all or nothing."""

import io
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from graph.import_errors import BadRow, MalformedRows, UnreadableFile
from graph.imports import list_imports
from graph.memory_store import MemoryStore
from graph.namespaces import XSD
from graph.opencitations import (
    FORMAT,
    Imported,
    import_opencitations,
    read_opencitations,
    sniff,
)
from graph.parsing import Source
from graph.store import Store
from graph.writes import InvalidBatch
from tests.conftest import BASE

HEADER = "oci,citing,cited,creation,timespan,journal_sc,author_sc"
PREFIXES = """PREFIX cito: <http://purl.org/spar/cito/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
PEERJ = "omid:br/06101801781 doi:10.7717/PEERJ-CS.421 pmid:33817056"  # the API's own example
BADWE2015_DOI = "10.1016/s1470-2045(15)00135-7"  # as stored in ontology/examples


def csv_file(tmp_path: Path, *rows: str, name: str = "citations.csv", header: str = HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run(store: Store, path: Path, skip_malformed: bool = False) -> Imported:
    return import_opencitations(store, path, BASE, "reviewer", skip_malformed)


def select(store: Store, sparql: str) -> list[tuple]:
    return store.query(PREFIXES + sparql).rows


def publications(store: Store) -> set[str]:
    sparql = "SELECT DISTINCT ?p WHERE { ?p a ?type . ?type rdfs:subClassOf* fabio:Expression }"
    return {str(p) for (p,) in select(store, sparql)}


# ---------------------------------------------------------------------------------------------
# Publications: one per set of ids, named by DOI
# ---------------------------------------------------------------------------------------------


def test_ids_shared_between_cells_name_one_publication_named_by_its_doi(empty, tmp_path) -> None:
    path = csv_file(
        tmp_path,
        "1-2,pmid:33817056,doi:10.1108/jd-12-2013-0166,2021,,no,no",  # the PMID alone first
        f"1-3,{PEERJ},pmcid:PMC1234567,2021-03-10,P6Y0M1D,no,no",
        "4-5,pmcid:PMC1234567 pmid:11111111,pmid:22222222,2019,,no,no",
    )
    result = run(empty, path)
    peerj = f"{BASE}publication/doi/10.7717/peerj-cs.421"
    assert publications(empty) == {
        peerj,
        f"{BASE}publication/doi/10.1108/jd-12-2013-0166",
        f"{BASE}publication/pmid/11111111",  # its PMID outranks its PMCID
        f"{BASE}publication/pmid/22222222",
    }
    ids = select(empty, f"SELECT ?p ?id WHERE {{ <{peerj}> ?p ?id FILTER isLiteral(?id) }}")
    assert sorted((str(p).rsplit("/", 1)[1], str(v)) for p, v in ids) == [
        ("doi", "10.7717/peerj-cs.421"),
        ("pmid", "33817056"),
    ]
    cited = select(empty, f"SELECT ?c WHERE {{ <{peerj}> cito:cites ?c }} ORDER BY ?c")
    assert [str(c) for (c,) in cited] == [
        f"{BASE}publication/doi/10.1108/jd-12-2013-0166",
        f"{BASE}publication/pmid/11111111",  # pmcid:PMC1234567 joined it on line 4
    ]
    assert (result.rows_read, result.rows_imported, result.publications_new) == (3, 3, 4)
    assert result.publications_matched == 0


def test_a_bare_doi_as_in_cocis_dumps_is_a_doi(empty, tmp_path) -> None:
    run(empty, csv_file(tmp_path, "1-2,10.7717/peerj-cs.421,10.1108/JD-12-2013-0166,2021,,no,no"))
    assert f"{BASE}publication/doi/10.1108/jd-12-2013-0166" in publications(empty)


# ---------------------------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------------------------


def test_each_row_is_a_citation_with_its_oci_dates_time_span_and_self_citation(
    empty, tmp_path
) -> None:
    run(
        empty,
        csv_file(
            tmp_path,
            f"06101801781-06180334099,{PEERJ},doi:10.1108/jd-12-2013-0166,2021-03-10,P6Y0M1D,no,no",
            "oci:1-2,pmid:1,pmid:2,2021-03,-P1Y,yes,no",
            "1-3,pmid:1,pmid:3,2020,,no,yes",
        ),
    )
    rows = select(
        empty,
        """SELECT ?c ?oci ?citing ?cited ?created ?span WHERE {
            ?c a cito:Citation ; ev:oci ?oci ; cito:hasCitingEntity ?citing ;
               cito:hasCitedEntity ?cited ; cito:hasCitationCreationDate ?created ;
               dcterms:source "citations.csv" .
            OPTIONAL { ?c cito:hasCitationTimeSpan ?span } } ORDER BY ?oci""",
    )
    duration = XSD.duration
    assert [(str(c), str(o), str(a), str(b), d, s) for c, o, a, b, d, s in rows] == [
        (
            f"{BASE}citation/oci/06101801781-06180334099",
            "06101801781-06180334099",
            f"{BASE}publication/doi/10.7717/peerj-cs.421",
            f"{BASE}publication/doi/10.1108/jd-12-2013-0166",
            Literal("2021-03-10", datatype=XSD.date),
            Literal("P6Y1D", datatype=duration),  # Oxigraph keeps the value (decision 0004)
        ),
        (
            f"{BASE}citation/oci/1-2",
            "1-2",
            f"{BASE}publication/pmid/1",
            f"{BASE}publication/pmid/2",
            Literal("2021-03", datatype=XSD.gYearMonth),
            Literal("-P1Y", datatype=duration),
        ),
        (
            f"{BASE}citation/oci/1-3",
            "1-3",
            f"{BASE}publication/pmid/1",
            f"{BASE}publication/pmid/3",
            Literal("2020", datatype=XSD.gYear),
            None,
        ),
    ]
    kinds = select(
        empty,
        "SELECT ?oci ?kind WHERE { ?c ev:oci ?oci ; a ?kind FILTER(?kind != cito:Citation) }",
    )
    assert sorted((str(o), str(k).rsplit("/", 1)[1]) for o, k in kinds) == [
        ("1-2", "JournalSelfCitation"),
        ("1-3", "AuthorSelfCitation"),
    ]
    links = select(empty, "SELECT (COUNT(*) AS ?n) WHERE { ?a cito:cites ?b }")
    assert int(links[0][0]) == 3


def test_a_citation_without_oci_gets_the_same_name_in_every_import(tmp_path) -> None:
    path = csv_file(tmp_path, ",pmid:1,doi:10.1108/jd-12-2013-0166,2021,,no,no")
    names = []
    for _ in range(2):
        store = MemoryStore()
        run(store, path)
        names += [str(c) for (c,) in select(store, "SELECT ?c WHERE { ?c a cito:Citation }")]
    assert names[0] == names[1] and names[0].startswith(f"{BASE}citation/pair/")


def test_the_import_is_one_named_graph_whose_provenance_names_the_file(empty, tmp_path) -> None:
    result = run(empty, csv_file(tmp_path, "1-2,pmid:1,pmid:2,2021,,no,no", name="coci.csv"))
    [record] = list_imports(empty)
    assert (record.graph, record.agent, record.sources) == (result.graph, "reviewer", "coci.csv")
    assert record.triples == result.triples == empty.count(URIRef(result.graph))


def test_progress_is_told_every_byte_read(tmp_path) -> None:
    path = csv_file(tmp_path, *(f"1-{n},pmid:1,pmid:{n},2021,,no,no" for n in range(2, 3000)))
    told: list[int] = []
    with path.open("rb") as stream:
        read_opencitations([Source(path.name, stream, FORMAT)], BASE, progress=told.append)
    assert sum(told) == path.stat().st_size and len(told) > 1


def test_the_format_is_known_by_its_header() -> None:
    assert sniff(f"\ufeff{HEADER}\r\n".encode())
    assert sniff(b"oci,citing,cited,creation,timespan,journal_sc,author_sc,extra\n")
    assert not sniff(b"@prefix ex: <http://example.org/> .\n")
    assert not sniff(b"citing,cited\n")


# ---------------------------------------------------------------------------------------------
# Matching stored publications
# ---------------------------------------------------------------------------------------------


def test_a_cited_doi_attaches_to_the_stored_publication_whatever_its_spelling(
    examples, tmp_path
) -> None:
    before = publications(examples)
    path = csv_file(
        tmp_path,
        f"1-2,{PEERJ},doi:10.1016/S1470-2045(15)00135-7,2021,,no,no",  # upper case
        f"1-3,{PEERJ},doi:https://doi.org/10.1245/S10434-018-6494-6,2021,,no,no",  # resolver
        f"1-4,{PEERJ},pmid:02702641,2021,,no,no",  # fisher1989 by its PMID, a leading zero
        f"1-5,{PEERJ},pmcid:pmc8937009,2021,,no,no",  # khan2022 by its PMCID
    )
    result = run(examples, path)
    cited = select(
        examples,
        f"SELECT ?cited WHERE {{ <{BASE}publication/doi/10.7717/peerj-cs.421> cito:cites ?cited }}",
    )
    assert sorted(str(c).rsplit("/", 1)[1] for (c,) in cited) == [
        "badwe2015",
        "fisher1989",
        "khan2022",
        "soran2018",
    ]
    assert publications(examples) - before == {f"{BASE}publication/doi/10.7717/peerj-cs.421"}
    assert (result.publications_new, result.publications_matched) == (1, 4)
    carriers = select(examples, f'SELECT DISTINCT ?p WHERE {{ ?p bibo:doi "{BADWE2015_DOI}" }}')
    assert carriers == [(URIRef(f"{BASE}publication/badwe2015"),)]


def test_a_matched_publication_keeps_its_one_title_and_date(examples, tmp_path) -> None:
    badwe = f"<{BASE}publication/badwe2015>"
    described = f"SELECT DISTINCT ?p ?o WHERE {{ {badwe} ?p ?o FILTER(?p != rdf:type) }}"
    sparql = f"PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n{described}"
    before = set(select(examples, sparql))
    run(examples, csv_file(tmp_path, f"1-2,{PEERJ},doi:{BADWE2015_DOI},2021,P6Y,no,no"))
    assert set(select(examples, sparql)) == before
    dated = f"SELECT DISTINCT ?t ?d WHERE {{ {badwe} dcterms:title ?t ; dcterms:issued ?d }}"
    assert len(select(examples, dated)) == 1


def test_reimporting_a_file_adds_no_publication_and_no_citation(examples, tmp_path) -> None:
    path = csv_file(
        tmp_path,
        f"1-2,{PEERJ},doi:{BADWE2015_DOI},2021,,no,no",
        ",pmid:33817056,pmid:2702641,2021,,no,no",
    )
    first = run(examples, path)
    count = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a cito:Citation }"
    pubs, citations = publications(examples), select(examples, count)
    second = run(examples, path)
    assert publications(examples) == pubs and select(examples, count) == citations
    assert (first.publications_new, first.publications_matched) == (1, 2)
    assert (second.publications_new, second.publications_matched) == (0, 3)
    assert second.graph != first.graph  # a second import, of the same facts


def test_a_stored_publication_matched_by_doi_is_not_moved_onto_another_by_pmid(
    empty, tmp_path
) -> None:
    """Regression: the write path renamed a stored node that its DOI matched onto another stored
    node that shares its PMID, leaving two publications with the same DOI."""
    run(empty, csv_file(tmp_path, "1-2,doi:10.7717/peerj-cs.421,pmid:1,2021,,no,no", name="a.csv"))
    run(empty, csv_file(tmp_path, "3-2,pmid:33817056,pmid:1,2021,,no,no", name="b.csv"))
    run(empty, csv_file(tmp_path, f"1-4,{PEERJ},pmid:2,2021,,no,no", name="c.csv"))
    carriers = select(empty, 'SELECT DISTINCT ?p WHERE { ?p bibo:doi "10.7717/peerj-cs.421" }')
    assert carriers == [(URIRef(f"{BASE}publication/doi/10.7717/peerj-cs.421"),)]


def test_a_citation_that_stored_ids_make_a_self_citation_is_refused_by_the_shapes(
    examples, tmp_path
) -> None:
    before = examples.count()
    path = csv_file(tmp_path, "1-2,doi:10.1200/JCO.21.02006,pmcid:PMC8937009,2022,,no,no")
    with pytest.raises(InvalidBatch) as refused:
        run(examples, path)  # both name khan2022
    assert {v.shape.rsplit("#")[1] for v in refused.value.report.violations} == {
        "CitationShape",
        "SelfCitationShape",
    }
    assert examples.count() == before


# ---------------------------------------------------------------------------------------------
# Malformed rows: all or nothing, or skipped and reported
# ---------------------------------------------------------------------------------------------

MALFORMED = (
    "1-2,pmid:1,pmid:2,2021,,no,no",  # line 2: fine
    "1-3,omid:br/0610,pmid:2,2021,,no,no",  # line 3: no doi, pmid or pmcid
    "1-4,doi:10.12/x,pmid:2,2021,,no,no",  # line 4: registrant too short
    "1-5,pmid:1,pmid:5,2021-02-30,,no,no",  # line 5: no such day
    "1-6,pmid:1,pmid:6,2021,P1Y2,no,no",  # line 6: not a duration
    "1-7,pmid:1,pmid:7,2021,,maybe,no",  # line 7
    "1-8,pmid:8 doi:10.1108/x,doi:10.1108/X,2021,,no,no",  # line 8: cites itself
    "1-9,pmid:1,pmid:9,2021,,no",  # line 9: six fields
    "1-10,pmid:1,,2021,,no,no",  # line 10: empty cited cell
    "1-11,pmid:1,pmid:11,2021,,no,no",  # line 11: fine
)
EXPECTED = [
    (3, "citing", "'omid:br/0610' names no DOI, PMID or PMCID"),
    (4, "citing", "'doi:10.12/x' is not a well-formed doi"),
    (5, "creation", "'2021-02-30' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
    (6, "timespan", "'P1Y2' is not an xsd:duration such as P6Y0M1D or -P1Y"),
    (7, "journal_sc", "'maybe' is neither yes nor no"),
    (8, "cited", "names the same work as the citing cell: a work cannot cite itself"),
    (9, None, "6 fields where the header has 7"),
    (10, "cited", "empty: no DOI, PMID or PMCID"),
]


def test_any_malformed_row_refuses_the_file_and_stores_nothing(examples, tmp_path) -> None:
    before = examples.count()
    with pytest.raises(MalformedRows) as refused:
        run(examples, csv_file(tmp_path, *MALFORMED))
    assert [(p.line, p.column, p.reason) for p in refused.value.problems] == EXPECTED
    assert {p.source for p in refused.value.problems} == {"citations.csv"}
    assert str(refused.value) == "8 rows cannot be imported"
    assert examples.count() == before


def test_skip_malformed_writes_the_good_rows_in_one_write(examples, tmp_path) -> None:
    graphs = set(examples.named_graphs())
    result = run(examples, csv_file(tmp_path, *MALFORMED), skip_malformed=True)
    assert set(examples.named_graphs()) - graphs == {URIRef(result.graph)}
    assert (result.rows_read, result.rows_imported, result.rows_skipped) == (10, 2, 8)
    assert [(p.line, p.column, p.reason) for p in result.problems] == EXPECTED
    ocis = select(examples, "SELECT ?oci WHERE { ?c ev:oci ?oci } ORDER BY ?oci")
    assert [str(o) for (o,) in ocis] == ["1-11", "1-2"]


def test_a_wrong_header_refuses_the_file_even_when_skipping(empty, tmp_path) -> None:
    path = csv_file(tmp_path, "1-2,pmid:1,pmid:2,2021", header="oci,citing,cited,creation")
    with pytest.raises(UnreadableFile) as refused:
        run(empty, path, skip_malformed=True)
    [problem] = refused.value.problems
    assert (problem.line, problem.column) == (1, None)
    assert "lacks timespan, journal_sc, author_sc" in problem.reason
    assert empty.count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_its_line(empty) -> None:
    body = f"{HEADER}\n1-2,pmid:1,pmid:2,2021,,no,no\n1-3,pmid:1,pmid:3,2021,,no,n\xf6\n"
    stream = io.BytesIO(body.encode("latin-1"))
    with pytest.raises(UnreadableFile) as refused:
        import_opencitations(empty, Source("latin.csv", stream, FORMAT), BASE, "reviewer")
    assert refused.value.problems == [
        BadRow("latin.csv", 3, None, "not UTF-8 text: save the file as UTF-8")
    ]


def test_rows_whose_ids_make_one_publication_of_two_dois_are_reported(empty, tmp_path) -> None:
    path = csv_file(
        tmp_path,
        "1-2,doi:10.1108/aaaa pmid:5,pmid:2,2021,,no,no",
        "1-3,pmid:5 doi:10.1108/bbbb,pmid:3,2021,,no,no",  # joins 10.1108/aaaa and 10.1108/bbbb
        "4-2,pmid:4,pmid:2,2021,,no,no",
        "6-7,doi:10.1108/cccc pmid:6,pmid:7,2021,,no,no",
        "6-8,pmid:6,doi:10.1108/cccc,2021,,no,no",  # the same publication, through line 5
        "6-7,doi:10.1108/cccc,pmid:7,2020,,no,no",  # OCI 6-7 again, another date
        "1-4,pmid:5,pmid:4,2021,,no,no",  # fine once lines 2 and 3 are out
    )
    with pytest.raises(MalformedRows) as refused:
        run(empty, path)
    assert [(p.line, p.column) for p in refused.value.problems] == [
        (2, "citing"),
        (3, "citing"),
        (6, "cited"),
        (7, "oci"),
    ]
    assert "two DOIs (10.1108/aaaa, 10.1108/bbbb)" in refused.value.problems[0].reason
    assert "other data than line 5" in refused.value.problems[3].reason
    result = run(empty, path, skip_malformed=True)
    assert (result.rows_imported, result.rows_skipped) == (3, 4)
    assert f"{BASE}publication/pmid/5" in publications(empty)


def test_nothing_left_to_import_refuses_the_file(empty, tmp_path) -> None:
    with pytest.raises(MalformedRows):
        run(empty, csv_file(tmp_path, "1-2,pmid:1,omid:br/1,2021,,no,no"), skip_malformed=True)
    assert empty.count() == 0
