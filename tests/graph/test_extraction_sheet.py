"""graph.extraction_sheet: the template reads into the findings of the example evidence; each bad
row is reported with its line and column and refuses the whole sheet; the shapes still judge
what the rows make."""

import csv
import io
import shutil
from collections.abc import Iterator
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from graph.extraction_sheet import (
    COLUMNS,
    FORMAT,
    ImportedSheet,
    import_sheet,
    read_sheet,
    sniff,
)
from graph.import_errors import BadRow, MalformedRows, UnreadableFile
from graph.namespaces import EV, XSD
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.store import Store
from graph.writes import InvalidBatch, load
from ontology import examples, vocabulary
from tests.conftest import BASE

TEMPLATE = files("graph") / "templates" / "extraction-sheet.csv"
PREFIXES = """PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
#: Every estimate of every finding, with what identifies and qualifies it.
ESTIMATES = (
    PREFIXES
    + """
SELECT ?publication ?outcome ?population ?intervention ?comparator ?reference ?timepoint ?type
       ?arm ?unit ?point ?lower ?upper ?level ?p ?pc
WHERE {
  ?finding a ev:Finding ; prov:wasDerivedFrom ?publication ; ev:outcome/rdfs:label ?outcome ;
           ev:intervention/rdfs:label ?intervention ; ev:comparator/rdfs:label ?comparator ;
           ev:referenceArm/rdfs:label ?reference ; ev:estimate ?estimate .
  ?estimate a ?type ; ev:pointEstimate ?point .
  OPTIONAL { ?finding ev:population/rdfs:label ?population }
  OPTIONAL { ?finding ev:timepoint ?timepoint }
  OPTIONAL { ?estimate ev:arm/rdfs:label ?arm }
  OPTIONAL { ?estimate ev:unit ?unit }
  OPTIONAL { ?estimate ev:ciLower ?lower }
  OPTIONAL { ?estimate ev:ciUpper ?upper }
  OPTIONAL { ?estimate ev:ciLevel ?level }
  OPTIONAL { ?estimate ev:pValue ?p }
  OPTIONAL { ?estimate ev:pValueComparator ?pc }
}"""
)
#: The arms of each publication's findings as the papers print them, as the template gives them.
ARMS_AS_PRINTED = {
    ("badwe2013", "surgery", "no surgery"),
    ("badwe2015", "LRT", "no LRT"),
    ("soran2018", "LRT", "systemic therapy"),
    ("fitzal2019", "surgery", "no surgery"),
    ("khan2022", "early LRT", "continued systemic therapy"),
}
SORAN = {
    "publication": "pmid:29777404",
    "study": "soran-mf07-01",
    "nct_id": "NCT00557986",
    "design": "rct",
    "population": "women with de novo metastatic (stage IV) breast cancer",
    "intervention": "locoregional treatment (surgery +/- radiotherapy)",
    "comparator": "systemic therapy alone",
    "outcome": "overall survival",
    "measure": "HR",
    "estimate": "0.66",
    "ci_lower": "0.49",
    "ci_upper": "0.88",
    "ci_level": "0.95",
    "p_value": "0.005",
    "n": "274",
}


def load_publications(store: Store) -> None:
    """The vocabulary and the example publications, without their studies and findings."""
    (publications,) = [f for f in examples() if f.name == "publications.ttl"]
    for part in (vocabulary(), publications):
        with part.open("rb") as stream:
            load(store, [Source(part.name, stream, "turtle")], BASE, "tester")


@pytest.fixture(scope="module")
def publications_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed oxigraph data directory holding the vocabulary and the example publications."""
    data = tmp_path_factory.mktemp("publications") / "data"
    store = OxigraphStore(data)
    load_publications(store)
    store.close()
    return data


@pytest.fixture
def publications(publications_dir: Path, tmp_path: Path) -> Iterator[OxigraphStore]:
    """A fresh copy of the store of the example publications, on disk."""
    data = tmp_path / "publications"
    shutil.copytree(publications_dir, data)
    store = OxigraphStore(data)
    yield store
    store.close()


def estimates(store: Store) -> set[tuple]:
    """Every estimate of the stored findings, as plain values (labels in lower case)."""
    return {tuple(_plain(term) for term in row) for row in store.query(ESTIMATES).rows}


def arms_as_printed(store: Store) -> set[tuple[str, str, str]]:
    """Each finding's publication (its IRI after ``publication/``) and its arms as printed;
    checks that every finding has both, once."""
    rows = select(
        store,
        """SELECT ?finding ?publication ?intervention ?comparator WHERE {
            ?finding a ev:Finding ; prov:wasDerivedFrom ?publication ;
                     ev:interventionArmLabel ?intervention ; ev:comparatorArmLabel ?comparator }""",
    )
    assert len(rows) == len(select(store, "SELECT ?f WHERE { ?f a ev:Finding }"))
    return {(str(p).removeprefix(f"{BASE}publication/"), str(i), str(c)) for _, p, i, c in rows}


def _plain(term: object) -> object:
    if isinstance(term, Literal):
        value = term.toPython()
        return value.lower() if isinstance(value, str) else value
    return term


def template() -> Source:
    return Source(TEMPLATE.name, io.BytesIO(TEMPLATE.read_bytes()), FORMAT)


def sheet(*rows: dict[str, str], header: tuple[str, ...] = COLUMNS, name: str = "s.csv") -> Source:
    """A sheet of ``rows`` (cells by column, the others empty), as a named binary stream."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([row.get(column, "") for column in header] for row in rows)
    return Source(name, io.BytesIO(out.getvalue().encode("utf-8")), FORMAT)


def refused(store: Store, source: Source) -> list[BadRow]:
    """The bad rows of ``source``, checking that importing it stored nothing."""
    before = store.count()
    with pytest.raises(MalformedRows) as refusal:
        import_sheet(store, source, BASE, "reviewer")
    assert store.count() == before
    return refusal.value.problems


def select(store: Store, sparql: str) -> list[tuple]:
    return store.query(PREFIXES + sparql).rows


# ---------------------------------------------------------------------------------------------
# The template: the trials as the example evidence records them
# ---------------------------------------------------------------------------------------------


def test_the_template_yields_the_findings_of_the_example_evidence(publications, examples) -> None:
    result = import_sheet(publications, template(), BASE, "reviewer")
    assert isinstance(result, ImportedSheet)
    assert (result.rows, result.studies, result.findings, result.estimates) == (19, 4, 9, 19)
    expected = estimates(examples)
    assert len(expected) == 19
    assert estimates(publications) == expected
    findings = "SELECT (COUNT(*) AS ?n) WHERE { ?f a ev:Finding }"
    assert select(publications, findings) == select(examples, findings)


def test_khans_90_percent_interval_and_fitzals_reference_arm_survive(publications) -> None:
    import_sheet(publications, template(), BASE, "reviewer")
    khan = select(
        publications,
        f"""SELECT ?level ?lower ?upper WHERE {{
            ?f prov:wasDerivedFrom <{BASE}publication/khan2022> ; ev:estimate ?e .
            ?e a ev:HazardRatio ; ev:ciLevel ?level ; ev:ciLower ?lower ; ev:ciUpper ?upper }}""",
    )
    assert [tuple(t.toPython() for t in row) for row in khan] == [
        (Decimal("0.90"), Decimal("0.82"), Decimal("1.52"))
    ]
    fitzal = select(
        publications,
        f"""SELECT ?outcome ?point ?reference WHERE {{
            ?f prov:wasDerivedFrom <{BASE}publication/fitzal2019> ; ev:referenceArm ?arm ;
               ev:intervention ?arm ; ev:outcome/rdfs:label ?outcome ; ev:estimate ?e .
            ?arm rdfs:label ?reference . ?e a ev:HazardRatio ; ev:pointEstimate ?point }}
            ORDER BY ?outcome""",
    )
    assert [(str(o), p.toPython(), str(r)) for o, p, r in fitzal] == [
        ("overall survival", Decimal("0.691"), "surgery of the primary"),
        ("time to distant progression", Decimal("0.598"), "surgery of the primary"),
    ]


def test_the_arms_as_printed_are_stored_on_each_finding(publications) -> None:
    import_sheet(publications, template(), BASE, "reviewer")
    assert arms_as_printed(publications) == ARMS_AS_PRINTED
    labels = select(
        publications,
        f"""SELECT ?label WHERE {{ ?f prov:wasDerivedFrom <{BASE}publication/khan2022> ;
            ev:outcome/rdfs:label "overall survival" ; rdfs:label ?label }}""",
    )
    assert labels == [(Literal("overall survival: early LRT vs continued systemic therapy"),)]


def test_studies_and_concepts_are_matched_to_the_stored_ones(examples) -> None:
    count = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
        ?s a ?kind FILTER (?kind IN (ev:Study, ev:Population, ev:Intervention, ev:Outcome)) }"""
    before = select(examples, count)
    result = import_sheet(examples, template(), BASE, "reviewer")
    assert select(examples, count) == before
    written = select(
        examples,
        f"""SELECT DISTINCT ?p WHERE {{ GRAPH <{result.graph}> {{
            ?s ?p ?o FILTER (?s = <{BASE}study/badwe-tmh-trial>) }} }}""",
    )
    assert written == [(EV.reportedIn,)]  # the rest the store says already


def test_a_study_is_matched_by_its_nct_id_and_labels_case_insensitively(examples) -> None:
    row = SORAN | {"study": "MF07-01 trial", "design": "", "intervention": "lrt"}
    row |= {"outcome": "os", "population": "Stage IV breast cancer at presentation"}
    result = import_sheet(examples, sheet(row), BASE, "reviewer")
    found = select(
        examples,
        f"""SELECT ?study ?intervention ?outcome ?population WHERE {{ GRAPH <{result.graph}> {{
            ?f a ev:Finding ; ev:study ?study ; ev:intervention ?intervention ;
               ev:outcome ?outcome ; ev:population ?population }} }}""",
    )
    assert found == [
        (
            URIRef(f"{BASE}study/soran-mf07-01"),
            URIRef(f"{BASE}concept/intervention/locoregional-treatment"),
            URIRef(f"{BASE}concept/outcome/overall-survival"),
            URIRef(f"{BASE}concept/population/de-novo-metastatic-breast-cancer"),
        )
    ]


def test_new_studies_and_concepts_are_minted_from_their_labels(publications) -> None:
    row = SORAN | {"study": "MF07-01 trial", "outcome": "Overall Survival (OS)"}
    import_sheet(publications, sheet(row, row | {"measure": "OR"}), BASE, "reviewer")
    study = select(
        publications,
        """SELECT ?study ?label ?design ?nct ?n WHERE { ?study a ev:Study ; rdfs:label ?label ;
            ev:studyDesign ?design ; ev:nctId ?nct ; ev:sampleSize ?n }""",
    )
    assert [tuple(map(str, r)) for r in study] == [
        (
            f"{BASE}study/mf07-01-trial",
            "MF07-01 trial",
            "http://purl.obolibrary.org/obo/OBCS_0000107",
            "NCT00557986",
            "274",
        )
    ]
    outcome = select(
        publications,
        """SELECT ?o ?label ?preferred WHERE {
            ?o a ev:Outcome ; rdfs:label ?label ; skos:prefLabel ?preferred }""",
    )
    assert outcome == [
        (
            URIRef(f"{BASE}concept/outcome/overall-survival-os"),
            Literal("Overall Survival (OS)"),
            Literal("Overall Survival (OS)", lang="en"),
        )
    ]
    findings = "SELECT ?f (COUNT(?e) AS ?n) WHERE { ?f ev:estimate ?e } GROUP BY ?f"
    assert [int(n) for _, n in select(publications, findings)] == [2]  # one finding, two rows


def test_a_sheet_imported_again_states_the_same_findings(examples) -> None:
    khan = SORAN | {"publication": "pmcid:PMC8937009", "study": "khan-ea2108", "n": ""}
    khan |= {"nct_id": "", "estimate": "1.11", "ci_lower": "0.82", "ci_upper": "1.52"}
    khan |= {"ci_level": "0.90", "p_value": ".57", "comparator": "continued systemic therapy"}
    khan |= {"intervention": "early locoregional therapy", "follow_up": "23 months"}
    findings = "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a ev:Finding }"
    first = import_sheet(examples, sheet(khan), BASE, "reviewer")
    before = select(examples, findings)
    again = import_sheet(examples, sheet(khan), BASE, "reviewer")  # 0.90 is stored as 0.9
    assert select(examples, findings) == before
    triples = "SELECT ?s ?p ?o WHERE { GRAPH <%s> { ?s ?p ?o } }"
    stated = [set(select(examples, triples % result.graph)) for result in (first, again)]
    follow_up = Literal("P23M", datatype=XSD.duration)  # which the store has now
    assert stated[0] - stated[1] == {
        (URIRef(f"{BASE}study/khan-ea2108"), EV.followUpDuration, follow_up)
    }
    assert stated[1] < stated[0]
    with pytest.raises(InvalidBatch) as refusal:  # a corrected value, over the stored one
        import_sheet(examples, sheet(khan | {"estimate": "1.12"}), BASE, "reviewer")
    assert {v.path for v in refusal.value.report.violations} == {str(EV.pointEstimate)}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({}, {"p": (Decimal("0.005"), "="), "level": Decimal("0.95")}),
        ({"p_value": "=0.79"}, {"p": (Decimal("0.79"), "=")}),
        ({"p_value": "<0.001"}, {"p": (Decimal("0.001"), "<")}),
        ({"p_value": ".01"}, {"p": (Decimal("0.01"), "=")}),
        ({"p_value": "P ≤ .05"}, {"p": (Decimal("0.05"), "<=")}),
        ({"ci_level": "0.90"}, {"level": Decimal("0.9")}),
        ({"ci_level": "90%"}, {"level": Decimal("0.9")}),
        ({"ci_level": ""}, {"level": Decimal("0.95")}),
        ({"follow_up": "23 months"}, {"follow_up": "P1Y11M"}),
        ({"follow_up": "P23M"}, {"follow_up": "P1Y11M"}),
        ({"follow_up": "6 weeks"}, {"follow_up": "P42D"}),
        ({"follow_up": "2 years"}, {"follow_up": "P2Y"}),
    ],
)
def test_cells_are_read_as_printed(examples, cells: dict, expected: dict) -> None:
    row = SORAN | {"study": "new-trial", "nct_id": ""} | cells
    graph = read_sheet(examples, sheet(row), BASE).graph
    (estimate,) = graph.subjects(EV.pointEstimate, None)
    found = {
        "p": (graph.value(estimate, EV.pValue), graph.value(estimate, EV.pValueComparator)),
        "level": graph.value(estimate, EV.ciLevel),
        "follow_up": graph.value(URIRef(f"{BASE}study/new-trial"), EV.followUpDuration),
    }
    for key, value in expected.items():
        if key == "p":
            assert (found["p"][0].toPython(), str(found["p"][1])) == value
        elif key == "level":
            assert found["level"].toPython() == value
        else:
            assert found[key] == Literal(value, datatype=XSD.duration)


# ---------------------------------------------------------------------------------------------
# Bad rows: each reported with its line and column; nothing is stored
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"publication": "doi:10.9999/unknown"}, "publication", "no stored publication has"),
        ({"publication": "publication/nowhere"}, "publication", "no stored publication is"),
        ({"estimate": "0,66"}, "estimate", "is not a number"),
        ({"ci_upper": "0.8x"}, "ci_upper", "is not a number"),
        ({"ci_lower": "0.9", "ci_upper": "0.5", "estimate": "0.7"}, "ci_lower", "above the upper"),
        ({"estimate": "0.95"}, "estimate", "outside its interval, 0.49 to 0.88"),
        ({"ci_upper": ""}, "ci_upper", "an interval needs both limits"),
        ({"measure": "hazard"}, "measure", "is not a measure: use one of HR, OR, RR, MD, RD"),
        ({"measure": "median", "arm": "intervention"}, "measure", "needs its unit"),
        ({"ci_level": "95"}, "ci_level", "is not a confidence level"),
        ({"ci_level": "1.2"}, "ci_level", "is not a confidence level"),
        ({"ci_lower": "", "ci_upper": ""}, "ci_level", "a level without an interval"),
        ({"p_value": "p << 0.1"}, "p_value", "is not a p-value"),
        ({"p_value": "1.5"}, "p_value", "is not a p-value"),
        ({"outcome": ""}, "outcome", "empty: every row needs its outcome"),
        ({"intervention": ""}, "intervention", "empty: every row needs its intervention"),
        ({"follow_up": "23 mnths"}, "follow_up", "is not a duration"),
        ({"follow_up": "23.5 months"}, "follow_up", "is not a duration"),
        ({"timepoint": "three years"}, "timepoint", "is not a duration"),
        ({"n": "27.4"}, "n", "is not a sample size"),
        ({"design": "trial"}, "design", "is not a design: use one of rct, cohort"),
        ({"nct_id": "NCT123"}, "nct_id", "is not an NCT id"),
        ({"arm": "intervention"}, "arm", "HR compares the two arms: leave arm empty"),
        ({"measure": "percentage"}, "arm", "empty: percentage is of one arm"),
        ({"measure": "percentage", "arm": "surgery"}, "arm", "neither intervention nor"),
        ({"reference_arm": "surgery"}, "reference_arm", "neither intervention nor"),
        ({"ci_lower": "0", "estimate": "0.5"}, "ci_lower", "is not above 0: HR is a ratio"),
        ({"comparator": "LRT"}, "comparator", "names the intervention's concept"),
        ({"n": "999"}, "n", "disagrees: <http://127.0.0.1:8000/id/study/soran-mf07-01> has 274"),
        ({"design": "cohort"}, "design", "disagrees: <http://127.0.0.1:8000/id/study/soran"),
        ({"study": "new-trial", "nct_id": "", "design": ""}, "design", "needs its design"),
        ({"nct_id": "NCT01242800"}, "nct_id", "of another stored study, <" + BASE + "study/khan"),
        ({"study": BASE + "publication/khan2022"}, "study", "is stored, and is not a study"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_column(
    examples, cells: dict, column: str, reason: str
) -> None:
    first = SORAN | {"measure": "OR", "nct_id": "", "design": "", "n": ""}  # a good row
    problems = refused(examples, sheet(first, SORAN | cells))
    assert [(p.source, p.line, p.column) for p in problems] == [("s.csv", 3, column)]
    assert reason in problems[0].reason


def test_every_bad_row_is_reported_at_once(examples) -> None:
    source = sheet(
        SORAN | {"estimate": "x"},
        SORAN,
        SORAN | {"publication": "pmid:1", "measure": "OR"},
        SORAN | {"measure": "RR", "n": "275"},  # disagrees with line 3
    )
    with pytest.raises(MalformedRows, match="3 rows cannot be imported") as refusal:
        import_sheet(examples, source, BASE, "reviewer")
    assert [(p.line, p.column) for p in refusal.value.problems] == [
        (2, "estimate"),
        (4, "publication"),
        (5, "n"),
    ]


def test_the_rows_of_one_finding_and_of_one_study_must_agree(publications) -> None:
    arm = {"measure": "percentage", "arm": "intervention", "ci_lower": "", "ci_upper": ""}
    arm |= {"ci_level": "", "estimate": "40"}
    problems = refused(
        publications,
        sheet(
            SORAN | {"reference_arm": "intervention", "intervention_arm": "LRT"},
            SORAN | arm | {"reference_arm": "comparator", "intervention_arm": "lrt"},
            SORAN | arm | {"comparator_arm": "no LRT"},
            SORAN | arm | {"arm": "comparator", "design": "cohort"},
            SORAN | {"measure": "OR", "intervention_arm": "surgery", "comparator_arm": "ST"},
        ),
    )
    assert [(p.line, p.column, p.reason) for p in problems] == [
        (3, "reference_arm", "'comparator' disagrees: line 2 gives this finding 'intervention'"),
        (4, "measure", "line 3 gives this finding's percentage of the intervention arm"),
        (5, "design", "'cohort' disagrees: line 2 gives this study design " + _RCT),
        (6, "intervention_arm", "'surgery' disagrees: line 2 gives this finding 'LRT'"),
        (6, "comparator_arm", "'ST' disagrees: line 4 gives this finding 'no LRT'"),
    ]


def test_the_arms_as_printed_may_be_given_on_one_row_and_are_stated_once(examples) -> None:
    row = SORAN | {"study": "new-trial", "nct_id": ""}
    source = sheet(row | {"comparator_arm": "systemic therapy"}, row | {"measure": "OR"})
    graph = read_sheet(examples, source, BASE).graph
    (finding,) = set(graph.subjects(EV.estimate, None))
    assert graph.value(finding, EV.interventionArmLabel) is None
    assert graph.value(finding, EV.comparatorArmLabel) == Literal("systemic therapy")
    with_arms = row | {"intervention_arm": "LRT", "comparator_arm": "systemic therapy"}
    import_sheet(examples, sheet(with_arms), BASE, "reviewer")
    with pytest.raises(InvalidBatch) as refusal:  # another label, over the stored one
        import_sheet(examples, sheet(with_arms | {"intervention_arm": "surgery"}), BASE, "me")
    assert {v.path for v in refusal.value.report.violations} == {str(EV.interventionArmLabel)}


_RCT = "http://purl.obolibrary.org/obo/OBCS_0000107"


def test_a_row_with_the_wrong_number_of_fields_is_bad(examples) -> None:
    good = sheet(SORAN).stream.read().decode()
    source = Source("s.csv", io.BytesIO(f"{good}pmid:29777404,soran\n".encode()), FORMAT)
    problems = refused(examples, source)
    assert [(p.line, p.column) for p in problems] == [(3, None)]
    assert problems[0].reason == f"2 fields where the header has {len(COLUMNS)}"


def test_an_ambiguous_label_is_a_bad_row(examples, write_turtle) -> None:
    write_turtle(examples, '<concept/outcome/other-os> a ev:Outcome ; skos:altLabel "OS" .')
    problems = refused(examples, sheet(SORAN | {"outcome": "OS"}))
    assert [(p.line, p.column) for p in problems] == [(2, "outcome")]
    assert "'OS' names 2 outcome concepts" in problems[0].reason


# ---------------------------------------------------------------------------------------------
# The file, and the shapes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (("publication", "study", "measure", "estimate"), "it lacks intervention, comparator"),
        ((*COLUMNS, "page"), "'page' are not columns of it"),
        ((*COLUMNS, "notes"), "it repeats notes"),
    ],
)
def test_a_header_without_the_required_columns_is_unreadable(
    examples, header: tuple[str, ...], reason: str
) -> None:
    with pytest.raises(UnreadableFile) as refusal:
        import_sheet(examples, sheet(SORAN, header=header), BASE, "reviewer")
    (problem,) = refusal.value.problems
    assert (problem.line, problem.column) == (1, None)
    assert reason in problem.reason


def test_optional_columns_may_be_left_out(examples) -> None:
    header = tuple(c for c in COLUMNS if c not in ("intervention_arm", "timepoint", "notes"))
    result = import_sheet(examples, sheet(SORAN, header=header), BASE, "reviewer")
    assert (result.rows, result.findings, result.estimates) == (1, 1, 1)
    arms = "ASK { ?finding ev:interventionArmLabel|ev:comparatorArmLabel ?label }"
    assert not examples.query(PREFIXES + arms).boolean  # none stored, as the sheet gave none


def test_a_sheet_without_rows_or_not_utf8_is_unreadable(examples) -> None:
    with pytest.raises(UnreadableFile, match="has no rows"):
        import_sheet(examples, sheet(), BASE, "reviewer")
    latin = Source("s.csv", io.BytesIO(",".join(COLUMNS).encode() + b"\n\xe9\n"), FORMAT)
    with pytest.raises(UnreadableFile, match="not UTF-8") as refusal:
        import_sheet(examples, latin, BASE, "reviewer")
    assert refusal.value.problems[0].line == 2


def test_the_shapes_still_judge_the_batch(examples) -> None:
    before = examples.count()
    venue = SORAN | {"publication": "venue/lancet-oncology"}  # stored, typed fabio:Journal
    with pytest.raises(InvalidBatch) as refusal:
        import_sheet(examples, sheet(venue), BASE, "reviewer")
    assert examples.count() == before
    messages = {v.message for v in refusal.value.report.violations}
    assert any("FaBiO publication type" in m for m in messages)


def test_sniff_knows_a_sheet_by_its_header() -> None:
    assert sniff(TEMPLATE.read_bytes().splitlines()[0])
    assert sniff(b"\xef\xbb\xbfpublication,study,outcome,measure,estimate\r\n")
    assert not sniff(b"oci,citing,cited,creation,timespan,journal_sc,author_sc\n")
