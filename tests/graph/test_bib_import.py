"""Bibliographic records through the write path: matching, deduplication (identifier variants,
and title + year + first author for records without identifiers), screening decisions,
refusals that store nothing, and round trips import -> export -> import in every format."""

import io
from pathlib import Path

import pytest
from rdflib import URIRef

from graph.bib_formats import RECORD_FORMATS, recognise
from graph.bib_import import import_records
from graph.import_errors import MalformedRows, UnreadableFile
from graph.parsing import Source
from graph.record_export import export_records
from graph.record_graph import RecordImport
from graph.selection import Selection, select
from graph.store import Store
from tests.conftest import BASE

DATA = Path(__file__).parent / "data"
SORAN = URIRef(f"{BASE}publication/soran2018")
EV = "https://w3id.org/evidence-graph/ns#"


def source(name: str, text: str | bytes) -> Source:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return Source(name, io.BytesIO(data), "")


def fixture(name: str) -> Source:
    return source(name, (DATA / name).read_bytes())


def ris(*records: str) -> str:
    return "\n".join(f"TY  - JOUR\n{body.strip()}\nER  - \n" for body in records)


def quads(store: Store) -> int:
    return int(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0])


def rows(store: Store, sparql: str) -> list[tuple]:
    return store.query(f"PREFIX ev: <{EV}>\n{sparql}").rows


def test_a_pubmed_file_is_recognised_as_pubmed_and_the_ris_reader_refuses_it() -> None:
    head = (DATA / "pubmed-lrt.nbib").read_bytes()[:8192]
    assert recognise([("pubmed-lrt.nbib", head)]) == "pubmed"
    with pytest.raises(UnreadableFile) as refused:
        RECORD_FORMATS["ris"].read(fixture("pubmed-lrt.nbib"))
    assert "PubMed" in str(refused.value.problems[0])
    records, problems = RECORD_FORMATS["pubmed"].read(fixture("pubmed-lrt.nbib"))
    assert len(records) == 4 and not problems


def test_doi_case_and_prefix_variants_are_one_publication_and_later_records_duplicates(
    examples: Store,
) -> None:
    text = ris(
        "TI  - Soran trial, as PubMed has it\nAU  - Soran, A.\nPY  - 2018\n"
        "DO  - 10.1245/S10434-018-6494-6",
        "TI  - Soran trial, as Embase has it\nAU  - Soran A\nPY  - 2018\n"
        "DO  - https://doi.org/10.1245/s10434-018-6494-6",
        "TI  - Soran trial, from a reference list\nAU  - Soran\nPY  - 2018\n"
        "DO  - doi:10.1245/s10434-018-6494-6",
    )
    how = RecordImport(BASE, "ris", review="lrt", source="Embase")
    done = import_records(examples, [source("search.ris", text)], how, "tester")
    assert (done.records, done.publications_new, done.publications_matched) == (3, 0, 1)
    # the first record is matched to the stored publication by DOI: it is the survivor
    linked = rows(
        examples,
        "SELECT ?n ?of ?rule ?survivor WHERE { ?r ev:recordNumber ?n ; ev:recordOf ?of . "
        "OPTIONAL { ?r ev:duplicateRule ?rule ; ev:duplicateOf/ev:recordNumber ?survivor } } "
        "ORDER BY ?n",
    )
    assert [
        (int(n), of, rule and str(rule), survivor and int(survivor))
        for n, of, rule, survivor in linked
    ] == [
        (1, SORAN, None, None),
        (2, SORAN, "doi", 1),
        (3, SORAN, "doi", 1),
    ]
    # the stored description wins: the records' titles did not become the publication's
    titles = rows(examples, f"SELECT ?t WHERE {{ <{SORAN}> <http://purl.org/dc/terms/title> ?t }}")
    assert len(titles) == 1 and "Protocol MF07-01" in str(titles[0][0])


def test_a_record_without_identifiers_joins_by_title_year_and_first_author(empty: Store) -> None:
    first = ris(
        "TI  - Early local therapy for the primary site in de novo stage IV breast cancer\n"
        "AU  - Khan, Seema A.\nPY  - 2022\nDO  - 10.1200/JCO.21.02006"
    )
    import_records(empty, [source("pubmed.ris", first)], RecordImport(BASE, "ris"), "tester")
    later = ris(
        # the same work: case, punctuation and the author's initials differ; no identifier
        "TI  - Early Local Therapy for the Primary Site in De-Novo Stage IV Breast Cancer.\n"
        "AU  - Khan SA\nPY  - 2022",
        # same title and author, another year: another work
        "TI  - Early local therapy for the primary site in de novo stage IV breast cancer\n"
        "AU  - Khan SA\nPY  - 2019",
        # same title and year, another first author: another work
        "TI  - Early local therapy for the primary site in de novo stage IV breast cancer\n"
        "AU  - Zhao F\nPY  - 2022",
    )
    done = import_records(empty, [source("embase.ris", later)], RecordImport(BASE, "ris"), "t")
    assert done.publications_new == 2 and done.publications_matched == 1
    [duplicate] = done.duplicates
    assert (duplicate.record, duplicate.rule) == (1, "title-year-first-author")
    assert 0.9 <= duplicate.score <= 1
    assert duplicate.publication == f"{BASE}publication/doi/10.1200/jco.21.02006"
    # the decision is visible in the graph, with its score, and nothing was deleted
    found = rows(
        empty,
        "SELECT ?file ?n ?rule ?score WHERE { ?r ev:duplicateRule ?rule ; ev:matchScore ?score ;"
        " ev:recordNumber ?n ; <http://purl.org/dc/terms/source> ?file }",
    )
    assert [(str(f), int(n), str(r)) for f, n, r, _ in found] == [
        ("embase.ris", 1, "title-year-first-author")
    ]
    assert len(rows(empty, "SELECT ?r WHERE { ?r a ev:Record }")) == 4


def test_duplicates_within_one_file_are_linked_to_its_first_record(empty: Store) -> None:
    text = ris(
        "TI  - A trial\nAU  - Smith J\nPY  - 2020\nAN  - PMID: 123456",
        "TI  - A trial (corrected)\nAU  - Smith J\nPY  - 2020\nAN  - 123456",
    )
    done = import_records(empty, [source("a.ris", text)], RecordImport(BASE, "ris"), "t")
    assert [(d.record, d.rule) for d in done.duplicates] == [(2, "pmid")]
    assert done.publications_new == 1


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("malformed.ris", "ris"),
        ("malformed.bib", "bibtex"),
        ("malformed.csl.json", "csl-json"),
        ("malformed.asreview.csv", "asreview-csv"),
    ],
)
def test_malformed_records_are_each_reported_and_nothing_is_stored(
    examples: Store, name: str, fmt: str
) -> None:
    before = quads(examples)
    with pytest.raises(MalformedRows) as refused:
        import_records(examples, [fixture(name)], RecordImport(BASE, fmt), "tester")
    problems = refused.value.problems
    assert problems and all(p.source == name and p.record is not None for p in problems)
    assert len({p.record for p in problems}) >= 2, problems  # each bad record, not the first
    assert quads(examples) == before


def test_malformed_pubmed_and_identifier_lists_are_refused_per_record(empty: Store) -> None:
    pubmed = "PMID- 123\nTI  - A title\nDP  - 2020\n\nPMID- 12a\nTI  - Another\nDP  - 2021\n"
    with pytest.raises(MalformedRows) as refused:
        import_records(empty, [source("p.nbib", pubmed)], RecordImport(BASE, "pubmed"), "t")
    assert [(p.record, p.column) for p in refused.value.problems] == [(2, "PMID")]
    listed = "10.1200/JCO.21.02006\nnot an identifier\npmid:34995128\n"
    with pytest.raises(MalformedRows) as refused:
        import_records(empty, [source("l.txt", listed)], RecordImport(BASE, "identifiers"), "t")
    assert [p.line for p in refused.value.problems] == [2]
    assert quads(empty) == 0


def test_an_identifier_that_is_not_well_formed_refuses_the_record(empty: Store) -> None:
    text = ris("TI  - A trial\nPY  - 2020\nDO  - 10.12/x y")
    with pytest.raises(MalformedRows) as refused:
        import_records(empty, [source("a.ris", text)], RecordImport(BASE, "ris"), "t")
    [problem] = refused.value.problems
    assert (problem.record, problem.column) == (1, "doi")
    assert quads(empty) == 0


def test_screening_labels_become_decisions_apart_from_the_bibliographic_facts(
    examples: Store,
) -> None:
    how = RecordImport(BASE, "ris", review="lrt", source="Embase")
    done = import_records(examples, [fixture("rayyan.ris")], how, "tester")
    assert done.decisions > 0
    found = rows(
        examples,
        "SELECT ?who ?decision ?reason WHERE { ?d ev:decisionOn ?p ; ev:decidedBy ?who ;"
        f" ev:decision ?decision ; ev:inReview ?review ; ev:screeningTool 'rayyan' ."
        " OPTIONAL { ?d ev:exclusionReason ?reason } "
        f"FILTER (?p = <{SORAN}>) }} ORDER BY ?who",
    )
    assert [(str(w), str(d), r and str(r)) for w, d, r in found] == [
        ("Alice", "include", None),
        ("Bob", "exclude", "wrong population"),
    ]
    # the publication itself carries no screening property
    own = rows(
        examples, f"SELECT ?p WHERE {{ <{SORAN}> ?p ?o FILTER(STRSTARTS(STR(?p), '{EV}')) }}"
    )
    assert {str(p) for (p,) in own} <= {f"{EV}pmcid"}


@pytest.mark.parametrize("fmt", ["ris", "asreview-csv", "csl-json", "bibtex"])
def test_import_export_import_keeps_the_records_and_their_labels(tmp_path: Path, fmt: str) -> None:
    from graph.oxigraph_store import OxigraphStore

    first, second = OxigraphStore(tmp_path / "one"), OxigraphStore(tmp_path / "two")
    try:
        how = RecordImport(BASE, "ris", review="lrt", source="Embase")
        files = [fixture("rayyan.ris"), fixture("asreview-labelled.ris")]
        import_records(first, files, how, "tester")
        exported = _export(first, fmt)
        text = RECORD_FORMATS[fmt].write(exported.records, exported.note)
        how = RecordImport(BASE, fmt, review="lrt", source="Embase")
        import_records(second, [source(f"export.{fmt}", text)], how, "tester")
        again = _export(second, fmt)
        assert _essence(again.records) == _essence(exported.records)
        # our IRI travelled in the provenance note: the same publications, not new ones
        assert again.publications == exported.publications
    finally:
        first.close()
        second.close()


def _export(store: Store, fmt: str):
    publications = select(store, Selection(review="lrt"), {}, BASE)
    return export_records(store, publications, BASE, review="lrt", fmt=fmt)


def _essence(records) -> list[tuple]:
    return [
        (
            r.title,
            r.year,
            r.doi,
            r.pmid,
            r.authors,
            sorted((s.tool, s.decision, s.reviewer or "", s.reasons, s.prior) for s in r.screening),
            sorted(r.labels),
        )
        for r in records
    ]
