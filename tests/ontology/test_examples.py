"""The example evidence in ``ontology/examples``: it parses, conforms and states the facts.

The facts asserted here come from ``/work/shared/reference/trials.md`` and the seed article
(the ASCO Post news item). The graph is parsed once per module with the service's default base
IRI, against which the examples' relative IRIs resolve.
"""

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from ontology import examples

BASE = "http://127.0.0.1:8000/id/"
FILES = {"publications.ttl", "studies.ttl", "claims.ttl", "citations.ttl"}

PREFIXES = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


def parse(source) -> Graph:
    return Graph().parse(source=str(source), format="turtle", publicID=BASE)


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for f in examples():
        g.parse(source=str(f), format="turtle", publicID=BASE)
    return g


def rows(g: Graph, query: str, **bindings) -> list[tuple]:
    return [tuple(r) for r in g.query(PREFIXES + query, initBindings=bindings)]


def values(g: Graph, query: str, **bindings) -> set:
    return {r[0] for r in rows(g, query, **bindings)}


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def test_the_four_files_exist_and_each_parses_alone():
    found = {f.name for f in examples()}
    assert found == FILES
    for f in examples():
        assert len(parse(f)) > 0, f.name


def test_all_iris_are_relative_to_the_base(graph: Graph):
    ours = {
        str(t)
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and "127.0.0.1" in str(t)
    }
    assert ours
    assert all(t.startswith(BASE) for t in ours)


def test_every_node_has_a_label(graph: Graph):
    unlabelled = {s for s in graph.subjects() if graph.value(s, RDFS.label) is None}
    assert unlabelled == set()


def test_numbers_are_decimals(graph: Graph):
    found = rows(
        graph,
        """SELECT ?v WHERE {
            VALUES ?p { ev:pointEstimate ev:ciLower ev:ciUpper ev:ciLevel ev:pValue }
            ?s ?p ?v }""",
    )
    assert len(found) == 41
    assert {v.datatype for (v,) in found} == {XSD.decimal}


def test_examples_conform_to_the_shapes(graph: Graph):
    from graph.validation import validate

    copy = Graph()
    for triple in graph:
        copy.add(triple)
    report = validate(copy)
    assert report.violations == []
    assert report.conforms


# ---------------------------------------------------------------------------------------------
# Publications and citations
# ---------------------------------------------------------------------------------------------


def test_seven_publications(graph: Graph):
    found = values(
        graph,
        """SELECT ?p WHERE {
            ?p a ?type .
            VALUES ?type { fabio:JournalArticle fabio:Abstract fabio:NewsItem } }""",
    )
    keys = [
        "fisher1989",
        "badwe2013",
        "badwe2015",
        "soran2018",
        "fitzal2019",
        "khan2022",
        "ascopost2014",
    ]
    assert found == {iri(f"publication/{k}") for k in keys}


@pytest.mark.parametrize(
    ("key", "fabio_type", "issued"),
    [
        ("fisher1989", "JournalArticle", Literal("1989-04-15", datatype=XSD.date)),
        ("badwe2013", "Abstract", Literal("2013-12-11", datatype=XSD.date)),
        ("badwe2015", "JournalArticle", Literal("2015-09-09", datatype=XSD.date)),
        ("khan2022", "JournalArticle", Literal("2022", datatype=XSD.gYear)),
        ("ascopost2014", "NewsItem", Literal("2014", datatype=XSD.gYear)),
    ],
)
def test_publication_type_and_date(graph: Graph, key: str, fabio_type: str, issued: Literal):
    pub = iri(f"publication/{key}")
    assert (pub, None, None) in graph
    found = rows(
        graph,
        "SELECT ?type ?issued WHERE { ?pub a ?type ; dcterms:issued ?issued }",
        pub=pub,
    )
    assert found == [(URIRef("http://purl.org/spar/fabio/" + fabio_type), issued)]


def test_identifiers_as_printed(graph: Graph):
    found = set(
        rows(
            graph,
            """SELECT ?pub ?doi ?pmid WHERE {
                ?pub a fabio:JournalArticle .
                OPTIONAL { ?pub bibo:doi ?doi } OPTIONAL { ?pub bibo:pmid ?pmid } }""",
        )
    )
    assert found == {
        (iri("publication/fisher1989"), None, Literal("2702641")),
        (iri("publication/badwe2015"), Literal("10.1016/s1470-2045(15)00135-7"), None),
        (iri("publication/soran2018"), Literal("10.1245/s10434-018-6494-6"), Literal("29777404")),
        (
            iri("publication/fitzal2019"),
            Literal("10.1097/sla.0000000000002771"),
            Literal("31082916"),
        ),
        (iri("publication/khan2022"), Literal("10.1200/jco.21.02006"), Literal("34995128")),
    }
    pmcid = values(graph, "SELECT ?id WHERE { ?pub ev:pmcid ?id }", pub=iri("publication/khan2022"))
    assert pmcid == {Literal("PMC8937009")}


def test_news_item_venues(graph: Graph):
    found = set(
        rows(
            graph,
            """SELECT ?pub ?type ?title WHERE {
                ?pub dcterms:isPartOf ?venue . ?venue a ?type ; dcterms:title ?title .
                FILTER (?pub IN (?abstract, ?news)) }""",
            abstract=iri("publication/badwe2013"),
            news=iri("publication/ascopost2014"),
        )
    )
    fabio = "http://purl.org/spar/fabio/"
    assert found == {
        (
            iri("publication/badwe2013"),
            URIRef(fabio + "ConferenceProceedings"),
            Literal("2013 San Antonio Breast Cancer Symposium"),
        ),
        (iri("publication/ascopost2014"), URIRef(fabio + "Periodical"), Literal("The ASCO Post")),
    }


def test_news_item_cites_badwe2013_and_fisher1989(graph: Graph):
    news = iri("publication/ascopost2014")
    expected = {iri("publication/badwe2013"), iri("publication/fisher1989")}
    assert values(graph, "SELECT ?c WHERE { ?news cito:cites ?c }", news=news) == expected
    assert values(graph, "SELECT ?c WHERE { ?news cito:citesAsEvidence ?c }", news=news) == expected
    reified = values(
        graph,
        """SELECT ?c WHERE { ?x a cito:Citation ;
            cito:hasCitingEntity ?news ; cito:hasCitedEntity ?c }""",
        news=news,
    )
    assert reified == expected


def test_only_the_news_item_cites(graph: Graph):
    citing = values(graph, "SELECT DISTINCT ?p WHERE { ?p cito:cites ?c }")
    assert citing == {iri("publication/ascopost2014")}


# ---------------------------------------------------------------------------------------------
# Studies
# ---------------------------------------------------------------------------------------------


def test_badwe2013_and_badwe2015_report_the_same_trial(graph: Graph):
    found = rows(
        graph,
        """SELECT ?study ?nct WHERE {
            ?study a ev:Study ; ev:nctId ?nct ;
                ev:reportedIn ?abstract , ?full . }""",
        abstract=iri("publication/badwe2013"),
        full=iri("publication/badwe2015"),
    )
    assert found == [(iri("study/badwe-tmh-trial"), Literal("NCT00193778"))]


@pytest.mark.parametrize(
    ("study", "nct", "n", "pub"),
    [
        ("badwe-tmh-trial", "NCT00193778", 350, "badwe2015"),
        ("soran-mf07-01", "NCT00557986", 274, "soran2018"),
        ("fitzal-abcsg-28-posytive", "NCT01015625", 90, "fitzal2019"),
        ("khan-ea2108", "NCT01242800", 256, "khan2022"),
    ],
)
def test_trials(graph: Graph, study: str, nct: str, n: int, pub: str):
    found = rows(
        graph,
        """SELECT ?nct ?n WHERE {
            ?study ev:studyDesign obo:OBCS_0000107 ; ev:nctId ?nct ; ev:sampleSize ?n ;
                ev:reportedIn ?pub }""",
        study=iri(f"study/{study}"),
        pub=iri(f"publication/{pub}"),
    )
    assert [(str(a), b.toPython()) for a, b in found] == [(nct, n)]


def test_badwe_trial_follow_up_is_23_months(graph: Graph):
    found = values(
        graph, "SELECT ?d WHERE { ?s ev:followUpDuration ?d }", s=iri("study/badwe-tmh-trial")
    )
    assert [d.toPython() for d in found] == [Literal("P23M", datatype=XSD.duration).toPython()]


def test_fisher_mouse_study(graph: Graph):
    found = values(
        graph,
        "SELECT ?s WHERE { ?s ev:studyDesign obo:OBI_0001199 ; ev:reportedIn ?pub }",
        pub=iri("publication/fisher1989"),
    )
    assert len(found) == 1


# ---------------------------------------------------------------------------------------------
# Findings and estimates
# ---------------------------------------------------------------------------------------------

FINDINGS = {
    # finding: (study, publication read from, outcome)
    "badwe2013-os-72m": ("badwe-tmh-trial", "badwe2013", "overall-survival"),
    "badwe2013-local-pfs": ("badwe-tmh-trial", "badwe2013", "local-progression-free-survival"),
    "badwe2013-distant-pfs": ("badwe-tmh-trial", "badwe2013", "distant-progression-free-survival"),
    "badwe2015-os": ("badwe-tmh-trial", "badwe2015", "overall-survival"),
    "soran2018-os": ("soran-mf07-01", "soran2018", "overall-survival"),
    "fitzal2019-os": ("fitzal-abcsg-28-posytive", "fitzal2019", "overall-survival"),
    "fitzal2019-time-to-distant-progression": (
        "fitzal-abcsg-28-posytive",
        "fitzal2019",
        "time-to-distant-progression",
    ),
    "khan2022-os": ("khan-ea2108", "khan2022", "overall-survival"),
    "khan2022-locoregional-progression-3y": ("khan-ea2108", "khan2022", "locoregional-progression"),
}


def test_every_finding_in_the_reference_exists(graph: Graph):
    found = set(
        rows(
            graph,
            """SELECT ?f ?study ?pub ?outcome WHERE {
                ?f a ev:Finding ; ev:study ?study ; prov:wasDerivedFrom ?pub ;
                    ev:outcome ?outcome }""",
        )
    )
    expected = {
        (
            iri(f"finding/{f}"),
            iri(f"study/{s}"),
            iri(f"publication/{p}"),
            iri(f"concept/outcome/{o}"),
        )
        for f, (s, p, o) in FINDINGS.items()
    }
    assert found == expected


HAZARD_RATIOS = {
    # finding: (point, lower, upper, level, p, comparator) exactly as printed
    "badwe2013-local-pfs": ("0.16", None, None, None, None, None),
    "badwe2013-distant-pfs": ("1.42", None, None, None, "0.01", "="),
    "badwe2015-os": ("1.04", "0.81", "1.34", "0.95", "0.79", "="),
    "soran2018-os": ("0.66", "0.49", "0.88", "0.95", "0.005", "="),
    "fitzal2019-os": ("0.691", "0.358", "1.333", "0.95", "0.267", "="),
    "fitzal2019-time-to-distant-progression": ("0.598", "0.343", "1.043", "0.95", "0.0668", "="),
    "khan2022-os": ("1.11", "0.82", "1.52", "0.90", "0.57", "="),
}


@pytest.mark.parametrize(("finding", "printed"), HAZARD_RATIOS.items())
def test_hazard_ratios_as_printed(graph: Graph, finding: str, printed: tuple):
    found = rows(
        graph,
        """SELECT ?point ?lower ?upper ?level ?p ?cmp WHERE {
            ?f ev:estimate ?e . ?e a ev:HazardRatio ; ev:pointEstimate ?point .
            OPTIONAL { ?e ev:ciLower ?lower } OPTIONAL { ?e ev:ciUpper ?upper }
            OPTIONAL { ?e ev:ciLevel ?level } OPTIONAL { ?e ev:pValue ?p }
            OPTIONAL { ?e ev:pValueComparator ?cmp } }""",
        f=iri(f"finding/{finding}"),
    )
    assert len(found) == 1
    *numbers, cmp = found[0]
    assert [None if v is None else v.toPython() for v in numbers] == [
        None if v is None else Decimal(v) for v in printed[:5]
    ]
    assert (None if cmp is None else str(cmp)) == printed[5]


def test_khan2022_os_interval_is_90_percent(graph: Graph):
    found = rows(
        graph,
        """SELECT ?level ?lower ?upper WHERE {
            ?f ev:estimate ?e . ?e a ev:HazardRatio ;
                ev:ciLevel ?level ; ev:ciLower ?lower ; ev:ciUpper ?upper }""",
        f=iri("finding/khan2022-os"),
    )
    assert len(found) == 1
    level, lower, upper = (v.toPython() for v in found[0])
    assert level == Decimal("0.9")
    assert str(found[0][0]) == "0.90"
    assert (lower, upper) == (Decimal("0.82"), Decimal("1.52"))


@pytest.mark.parametrize("finding", ["fitzal2019-os", "fitzal2019-time-to-distant-progression"])
def test_fitzal2019_reference_arm_is_surgery(graph: Graph, finding: str):
    found = rows(
        graph,
        """SELECT ?arm WHERE { ?f ev:intervention ?arm ; ev:referenceArm ?arm }""",
        f=iri(f"finding/{finding}"),
    )
    assert found == [(iri("concept/intervention/surgery-of-the-primary"),)]


def test_fitzal2019_os_printed_estimate_and_medians(graph: Graph):
    f = iri("finding/fitzal2019-os")
    hr = values(
        graph, "SELECT ?v WHERE { ?f ev:estimate [ a ev:HazardRatio ; ev:pointEstimate ?v ] }", f=f
    )
    assert {v.toPython() for v in hr} == {Decimal("0.691")}
    medians = rows(
        graph,
        """SELECT ?arm ?v WHERE { ?f ev:estimate ?e .
            ?e a ev:MedianTime ; ev:arm ?arm ; ev:pointEstimate ?v ; ev:unit obo:UO_0000035 }""",
        f=f,
    )
    assert {(a, v.toPython()) for a, v in medians} == {
        (iri("concept/intervention/surgery-of-the-primary"), Decimal("34.6")),
        (iri("concept/intervention/no-surgery"), Decimal("54.8")),
    }


def test_other_findings_are_relative_to_the_comparator(graph: Graph):
    found = values(
        graph,
        """SELECT ?f WHERE { ?f a ev:Finding ; ev:comparator ?c ; ev:referenceArm ?c }""",
    )
    assert len(found) == 7
    assert iri("finding/fitzal2019-os") not in found


def test_badwe2013_os_is_two_percentages_at_72_months(graph: Graph):
    f = iri("finding/badwe2013-os-72m")
    # rdflib normalises duration literals on parse (P72M is read back as P6Y): compare values.
    timepoint = graph.value(f, URIRef("https://w3id.org/evidence-graph/ns#timepoint"))
    assert timepoint.toPython() == Literal("P72M", datatype=XSD.duration).toPython()
    found = rows(
        graph,
        """SELECT ?type ?arm ?v WHERE { ?f ev:estimate ?e .
            ?e a ?type ; ev:arm ?arm ; ev:pointEstimate ?v }""",
        f=f,
    )
    percentage = URIRef("https://w3id.org/evidence-graph/ns#Percentage")
    assert {(t, a, v.toPython()) for t, a, v in found} == {
        (
            percentage,
            iri("concept/intervention/mastectomy-axillary-dissection-radiotherapy"),
            Decimal("19.2"),
        ),
        (percentage, iri("concept/intervention/no-locoregional-treatment"), Decimal("20.5")),
    }


def test_khan2022_locoregional_progression(graph: Graph):
    found = rows(
        graph,
        """SELECT ?arm ?v ?p ?cmp WHERE { ?f ev:timepoint ?t ; ev:estimate ?e .
            ?e a ev:Percentage ; ev:arm ?arm ; ev:pointEstimate ?v .
            OPTIONAL { ?e ev:pValue ?p ; ev:pValueComparator ?cmp } }""",
        f=iri("finding/khan2022-locoregional-progression-3y"),
    )
    assert {(a, v.toPython(), p and p.toPython(), cmp and str(cmp)) for a, v, p, cmp in found} == {
        (
            iri("concept/intervention/early-locoregional-therapy"),
            Decimal("16.3"),
            Decimal("0.001"),
            "<",
        ),
        (iri("concept/intervention/continued-systemic-therapy"), Decimal("39.8"), None, None),
    }


# ---------------------------------------------------------------------------------------------
# Claims and the hypothesis
# ---------------------------------------------------------------------------------------------

HYPOTHESIS = iri("hypothesis/primary-removal-accelerates-metastases")


def test_hypothesis_is_supported_by_exactly_three(graph: Graph):
    found = values(graph, "SELECT ?s WHERE { ?s ev:supports ?h }", h=HYPOTHESIS)
    assert found == {
        iri("claim/fisher-growth-factor"),
        iri("claim/badwe-growth-advantage"),
        iri("finding/badwe2013-distant-pfs"),
    }
    assert values(graph, "SELECT ?s WHERE { ?s ev:challenges ?h }", h=HYPOTHESIS) == set()


def test_local_pfs_finding_supports_nothing(graph: Graph):
    found = values(
        graph,
        "SELECT ?x WHERE { ?f ev:supports|ev:challenges ?x }",
        f=iri("finding/badwe2013-local-pfs"),
    )
    assert found == set()


@pytest.mark.parametrize(
    ("claim", "person", "source", "date"),
    [
        ("badwe-no-os-benefit", "badwe-ra", "ascopost2014", "2013-12-11"),
        ("badwe-growth-advantage", "badwe-ra", "ascopost2014", "2013-12-11"),
        ("fisher-growth-factor", "fisher-b", "fisher1989", "1989-04-15"),
        ("osborne-practice-changing", "osborne-ck", "ascopost2014", "2013-12-11"),
    ],
)
def test_claim_provenance(graph: Graph, claim: str, person: str, source: str, date: str):
    found = rows(
        graph,
        """SELECT ?who ?src ?when WHERE { ?c a ev:Claim ; ev:statement ?text ;
            prov:wasAttributedTo ?who ; prov:hadPrimarySource ?src ;
            prov:generatedAtTime ?when }""",
        c=iri(f"claim/{claim}"),
    )
    assert found == [
        (iri(f"person/{person}"), iri(f"publication/{source}"), Literal(date, datatype=XSD.date))
    ]


def test_osborne_supports_badwe_clinical_claim(graph: Graph):
    found = values(
        graph, "SELECT ?x WHERE { ?c ev:supports ?x }", c=iri("claim/osborne-practice-changing")
    )
    assert found == {iri("claim/badwe-no-os-benefit")}


def test_fisher_claim_derives_from_the_mouse_study(graph: Graph):
    found = values(
        graph,
        """SELECT ?s WHERE { ?c prov:wasDerivedFrom ?s . ?s ev:studyDesign obo:OBI_0001199 }""",
        c=iri("claim/fisher-growth-factor"),
    )
    assert len(found) == 1
