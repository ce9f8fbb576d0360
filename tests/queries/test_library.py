"""The library of stored queries in queries/: each file loads, parses in both engines, and gives
the right answer on the example evidence, through the real loader and binder, on both backends.

Two stores per backend, loaded once for the module: ``examples`` holds the example evidence only;
``extended`` adds two small imports made up for these tests (a curator's challenge link, and a
chain of citations between example.org papers), for what the example evidence does not have:
challenging evidence, a node in two graphs, and citations more than one hop deep.
"""

from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, Literal
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

import queries
from graph.examples import load_examples
from graph.memory_store import MemoryStore
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.pooled_results import record
from graph.store import Store
from graph.stored_queries import load_catalogue
from graph.synthesis import Selection, synthesize
from graph.writes import WriteResult, load
from tests.conftest import BASE, PREFIXES, paper

CATALOGUE = load_catalogue([queries.folder()])
LIBRARY = (
    "hypothesis-evidence",
    "hypothesis-list",
    "study-findings",
    "intervention-outcomes",
    "conflicting-findings",
    "references",
    "citations",
    "citation-chain",
    "claims-by-agent",
    "provenance",
    "publication-by-identifier",
    "hazard-ratios",
    "pooled-results",
    "certainty",
    "chase-members",
)
EV = "https://w3id.org/evidence-graph/ns#"
CITO = "http://purl.org/spar/cito/"
HYPOTHESIS = "hypothesis/primary-removal-accelerates-metastases"
LRT = "concept/intervention/locoregional-treatment"
OS = "concept/outcome/overall-survival"
EXAMPLE_FILES = {"citations.ttl", "claims.ttl", "publications.ttl", "studies.ttl"}

# Made up for the tests, not facts: a curator's link, and citations between example.org papers.
CURATION = f"""\
<{BASE}finding/soran2018-os> ev:challenges <{BASE}{HYPOTHESIS}> .
"""
# chain1 -> chain2 -> ... -> chain8, plus chain1 -> chain3 (a shortcut) and chain3 -> chain1
# (a cycle back to the start). Backward from chain1, chain8 is 6 hops away: past the cap of 5.
CITES = {1: [2, 3], 2: [3], 3: [4, 1], 4: [5], 5: [6], 6: [7], 7: [8], 8: []}
CHAIN = "".join(
    paper(
        f"chain{n}",
        f"Chain paper {n}",
        2000 + n,
        "; cito:cites " + " , ".join(f"<http://example.org/chain{c}>" for c in cited) + " "
        if cited
        else "",
    )
    for n, cited in CITES.items()
)


def iri(path: str) -> str:
    """An example node's IRI, from its path under the base."""
    return BASE + path


def chain(n: int) -> str:
    return f"http://example.org/chain{n}"


def value(term: Node | None) -> object:
    """A result term as plain Python: IRIs as strings, literals as their values."""
    if term is None:
        return None
    return term.toPython() if isinstance(term, Literal) else str(term)


def ask(store: Store, name: str, **values: object) -> list[dict[str, object]]:
    """Run stored query ``name`` as the service does: checked and bound by the loader, then
    ``store.query`` with the bindings. Rows as dicts of plain values."""
    bound = CATALOGUE[name].bind(values)
    result = store.query(bound.sparql, bound.bindings)
    return [dict(zip(result.variables, map(value, row), strict=True)) for row in result.rows]


def sources(row: dict[str, object]) -> set[str]:
    return set(str(row["sources"]).split(", "))


def _open(kind: str, folder: Path) -> Store:
    return OxigraphStore(folder / "data") if kind == "oxigraph" else MemoryStore()


def _write(store: Store, name: str, turtle: str, agent: str) -> WriteResult:
    source = Source(name, BytesIO((PREFIXES + turtle).encode()), "turtle")
    return load(store, [source], BASE, agent)


class Loaded:
    """A store with what was loaded into it: the example import, and the test imports."""

    def __init__(self, store: Store, writes: list[WriteResult]) -> None:
        self.store = store
        self.vocabulary, self.examples, *self.extra = writes


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def examples(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The example evidence only, as shipped."""
    store = _open(backend, tmp_path_factory.mktemp("examples"))
    loaded = Loaded(store, load_examples(store, BASE))
    yield loaded
    store.close()


@pytest.fixture(scope="module")
def extended(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The example evidence, a curator's challenge link and the citation chain."""
    store = _open(backend, tmp_path_factory.mktemp("extended"))
    writes = load_examples(store, BASE)
    writes.append(_write(store, "curation.ttl", CURATION, "curator"))
    writes.append(_write(store, "chain.ttl", CHAIN, "tester"))
    yield Loaded(store, writes)
    store.close()


CONTROLS = (
    "no LRT",
    "no surgery of the primary",
    "systemic therapy alone",
    "continued systemic therapy",
)
# Made up for the tests, not facts: a curator's GRADE rating of the Soran finding.
RATING = f"""\
<{BASE}finding/soran2018-os> ev:certainty ev:LowCertainty ;
    ev:startingCertainty ev:HighCertainty ;
    ev:certaintyRating <{BASE}rating/soran-rob> , <{BASE}rating/soran-imprecision> .
<{BASE}rating/soran-rob> a ev:CertaintyRating ; ev:gradeDomain ev:RiskOfBias ; ev:levels -1 ;
    rdfs:comment "Open label." .
<{BASE}rating/soran-imprecision> a ev:CertaintyRating ; ev:gradeDomain ev:Imprecision ;
    ev:levels -1 ; rdfs:comment "Fewer than 300 events." .
"""


@pytest.fixture(scope="module")
def synthesised(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The example evidence, the recorded OS synthesis (REML and fixed) and a GRADE rating."""
    store = _open(backend, tmp_path_factory.mktemp("synthesised"))
    writes = load_examples(store, BASE)
    selection = Selection(("LRT",), CONTROLS, "OS", methods=("REML", "fixed"))
    record(store, synthesize(store, BASE, selection), BASE, "tester")
    rdfs = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    writes.append(_write(store, "rating.ttl", rdfs + RATING, "curator"))
    yield Loaded(store, writes)
    store.close()


# ---------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LIBRARY)
def test_each_file_parses_in_both_engines_with_a_full_header(name: str) -> None:
    query = CATALOGUE[name]
    ox.Store().query(query.text)  # the oxigraph backend's engine
    prepareQuery(query.text)  # the memory backend's engine
    assert query.summary != name and query.description and query.tags
    # every parameter is projected, so it is bound by substitution, never by a VALUES block
    assert not [p.name for p in query.parameters if p.by_values]


def test_the_library_is_the_whole_folder_with_distinct_summaries() -> None:
    assert set(CATALOGUE) == set(LIBRARY)
    assert len({q.summary for q in CATALOGUE.values()}) == len(CATALOGUE)


# ---------------------------------------------------------------------------------------------
# Hypotheses
# ---------------------------------------------------------------------------------------------


def test_hypothesis_evidence_is_fisher_badwe_and_the_distant_pfs_finding(examples: Loaded) -> None:
    rows = ask(examples.store, "hypothesis-evidence", hypothesis=iri(HYPOTHESIS))
    by_evidence = {row["evidence"]: row for row in rows}
    assert list(by_evidence) == [  # by year, then IRI
        iri("claim/fisher-growth-factor"),
        iri("claim/badwe-growth-advantage"),
        iri("finding/badwe2013-distant-pfs"),
    ]
    assert {row["relation"] for row in rows} == {EV + "supports"}
    assert iri("finding/badwe2013-local-pfs") not in by_evidence  # local control: not linked

    fisher = by_evidence[iri("claim/fisher-growth-factor")]
    assert fisher["kind"] == EV + "Claim"
    assert fisher["claimant"] == iri("person/fisher-b")
    assert fisher["study"] == iri("study/fisher-mouse-growth-factor")
    assert fisher["designLabel"] == "in vivo design (animal study)"
    assert (fisher["publication"], fisher["year"]) == (iri("publication/fisher1989"), 1989)
    assert fisher["estimate"] is None

    badwe = by_evidence[iri("claim/badwe-growth-advantage")]
    assert badwe["claimant"] == iri("person/badwe-ra")
    assert badwe["designLabel"] == "randomized controlled trial design"
    # read in the news item of 2014, said at the 2013 press briefing: the year is when it was said
    assert (badwe["publication"], badwe["year"]) == (iri("publication/ascopost2014"), 2013)

    finding = by_evidence[iri("finding/badwe2013-distant-pfs")]
    assert finding["kind"] == EV + "Finding"
    assert finding["study"] == iri("study/badwe-tmh-trial")
    assert (finding["publication"], finding["year"]) == (iri("publication/badwe2013"), 2013)
    assert finding["referenceArm"] == iri("concept/intervention/no-locoregional-treatment")
    assert finding["estimateType"] == EV + "HazardRatio"
    assert finding["pointEstimate"] == Decimal("1.42")
    assert (finding["pValueComparator"], finding["pValue"]) == ("=", Decimal("0.01"))
    assert finding["ciLower"] is finding["ciUpper"] is finding["ciLevel"] is None  # none printed

    for row in rows:
        assert (
            row["hypothesisLabel"] == "Removal of the primary tumour accelerates distant metastases"
        )
        assert row["graph"] == examples.examples.graph
        assert row["assertedBy"] == iri("agent/evidence-graph")
        assert sources(row) == EXAMPLE_FILES


def test_hypothesis_evidence_shows_a_challenge_and_who_linked_it(extended: Loaded) -> None:
    rows = ask(extended.store, "hypothesis-evidence", hypothesis=iri(HYPOTHESIS))
    assert [row["relation"] for row in rows] == [EV + "challenges"] + [EV + "supports"] * 3
    soran = rows[0]
    assert soran["evidence"] == iri("finding/soran2018-os")
    assert soran["claimant"] is None
    assert (soran["study"], soran["year"]) == (iri("study/soran-mf07-01"), 2018)
    assert (soran["ciLower"], soran["pointEstimate"], soran["ciUpper"], soran["ciLevel"]) == (
        Decimal("0.49"),
        Decimal("0.66"),
        Decimal("0.88"),
        Decimal("0.95"),
    )
    curation = extended.extra[0]
    assert (soran["graph"], soran["assertedBy"]) == (curation.graph, iri("agent/curator"))
    assert sources(soran) == {"curation.ttl"}


def test_hypothesis_evidence_works_for_a_claim_too(examples: Loaded) -> None:
    rows = ask(examples.store, "hypothesis-evidence", hypothesis=iri("claim/badwe-no-os-benefit"))
    links = {(r["relation"], r["evidence"], r["claimant"]) for r in rows}
    assert links == {
        (EV + "supports", iri("claim/osborne-practice-changing"), iri("person/osborne-ck")),
        (EV + "supports", iri("finding/badwe2015-os"), None),
        (EV + "supports", iri("finding/khan2022-os"), None),
        (EV + "challenges", iri("finding/soran2018-os"), None),
    }
    soran = next(r for r in rows if r["relation"] == EV + "challenges")
    assert (soran["estimateType"], soran["pointEstimate"]) == (EV + "HazardRatio", Decimal("0.66"))


def test_hypothesis_list_counts_supporting_and_challenging_evidence(
    examples: Loaded, extended: Loaded
) -> None:
    [row] = ask(examples.store, "hypothesis-list")
    assert row["hypothesis"] == iri(HYPOTHESIS)
    assert row["label"] == "Removal of the primary tumour accelerates distant metastases"
    assert str(row["statement"]).startswith("Surgical removal of the primary tumour confers")
    assert (row["supporting"], row["challenging"]) == (3, 0)

    [row] = ask(extended.store, "hypothesis-list")
    assert (row["supporting"], row["challenging"]) == (3, 1)


# ---------------------------------------------------------------------------------------------
# Findings and estimates
# ---------------------------------------------------------------------------------------------


def test_study_findings_of_fitzal_keep_the_printed_hr_and_its_reference_arm(
    examples: Loaded,
) -> None:
    rows = ask(examples.store, "study-findings", study=iri("study/fitzal-abcsg-28-posytive"))
    assert {row["finding"] for row in rows} == {
        iri("finding/fitzal2019-os"),
        iri("finding/fitzal2019-time-to-distant-progression"),
    }
    assert len(rows) == 6  # a hazard ratio and two medians each
    surgery = iri("concept/intervention/surgery-of-the-primary")
    for row in rows:
        assert row["publication"] == iri("publication/fitzal2019")
        assert row["populationLabel"] == "women with de novo metastatic (stage IV) breast cancer"
        assert (row["intervention"], row["comparator"]) == (
            surgery,
            iri("concept/intervention/no-surgery"),
        )
        assert row["referenceArm"] == surgery  # printed relative to the surgery arm
        assert row["timepoint"] is None

    os_hr = next(r for r in rows if r["estimate"] == iri("estimate/fitzal2019-os-hr"))
    assert os_hr["estimateType"] == EV + "HazardRatio"
    assert os_hr["outcomeLabel"] == "overall survival"
    assert (os_hr["ciLower"], os_hr["pointEstimate"], os_hr["ciUpper"]) == (
        Decimal("0.358"),
        Decimal("0.691"),
        Decimal("1.333"),
    )
    assert (os_hr["ciLevel"], os_hr["pValueComparator"], os_hr["pValue"]) == (
        Decimal("0.95"),
        "=",
        Decimal("0.267"),
    )
    medians = {
        (r["outcomeLabel"], r["arm"]): r["pointEstimate"]
        for r in rows
        if r["estimateType"] == EV + "MedianTime"
    }
    assert medians == {
        ("overall survival", surgery): Decimal("34.6"),
        ("overall survival", iri("concept/intervention/no-surgery")): Decimal("54.8"),
        ("time to distant progression", surgery): Decimal("13.9"),
        ("time to distant progression", iri("concept/intervention/no-surgery")): Decimal("29.0"),
    }
    assert {r["unitLabel"] for r in rows if r["arm"]} == {"month"}


def test_study_findings_of_khan_have_the_90_percent_interval_and_the_3_year_point(
    examples: Loaded,
) -> None:
    rows = ask(examples.store, "study-findings", study=iri("study/khan-ea2108"))
    by_estimate = {row["estimate"]: row for row in rows}
    assert set(by_estimate) == {
        iri(f"estimate/khan2022-{e}")
        for e in ("os-hr", "os-3y-lrt", "os-3y-systemic", "lrp-3y-lrt", "lrp-3y-systemic")
    }
    hr = by_estimate[iri("estimate/khan2022-os-hr")]
    assert (hr["pointEstimate"], hr["ciLower"], hr["ciUpper"], hr["ciLevel"]) == (
        Decimal("1.11"),
        Decimal("0.82"),
        Decimal("1.52"),
        Decimal("0.90"),
    )
    assert hr["timepoint"] is None  # the HR covers the whole follow-up
    assert hr["referenceArm"] == iri("concept/intervention/continued-systemic-therapy")
    progression = by_estimate[iri("estimate/khan2022-lrp-3y-lrt")]
    assert progression["outcome"] == iri("concept/outcome/locoregional-progression")
    assert progression["timepoint"] == Literal("P3Y", datatype=XSD.duration).toPython()
    assert (progression["pointEstimate"], progression["pValueComparator"]) == (Decimal("16.3"), "<")
    assert progression["estimateType"] == EV + "Percentage"


def test_intervention_outcomes_finds_every_os_estimate_of_lrt_and_narrower_arms(
    examples: Loaded,
) -> None:
    rows = ask(examples.store, "intervention-outcomes", intervention=iri(LRT), outcome=iri(OS))
    assert {row["finding"] for row in rows} == {
        iri(f"finding/{f}")
        for f in (
            "badwe2013-os-72m",
            "badwe2015-os",
            "soran2018-os",
            "fitzal2019-os",
            "khan2022-os",
        )
    }
    assert len(rows) == 12
    assert [row["year"] for row in rows] == sorted(row["year"] for row in rows)
    ratios = {row["study"]: row for row in rows if row["estimateType"] == EV + "HazardRatio"}
    printed = {
        study.removeprefix(iri("study/")): (
            r["pointEstimate"],
            r["ciLower"],
            r["ciUpper"],
            r["ciLevel"],
        )
        for study, r in ratios.items()
    }
    assert printed == {
        "badwe-tmh-trial": (Decimal("1.04"), Decimal("0.81"), Decimal("1.34"), Decimal("0.95")),
        "soran-mf07-01": (Decimal("0.66"), Decimal("0.49"), Decimal("0.88"), Decimal("0.95")),
        "fitzal-abcsg-28-posytive": (
            Decimal("0.691"),
            Decimal("0.358"),
            Decimal("1.333"),
            Decimal("0.95"),
        ),
        "khan-ea2108": (Decimal("1.11"), Decimal("0.82"), Decimal("1.52"), Decimal("0.90")),
    }
    # as intervention against comparator: Fitzal's is turned round, the others are as printed
    fitzal = ratios[iri("study/fitzal-abcsg-28-posytive")]
    assert fitzal["findingIntervention"] == iri("concept/intervention/surgery-of-the-primary")
    assert fitzal["referenceArm"] == fitzal["findingIntervention"]
    assert float(fitzal["vsComparator"]) == pytest.approx(1.447, abs=5e-4)
    assert float(fitzal["vsComparatorLower"]) == pytest.approx(0.750, abs=5e-4)
    assert float(fitzal["vsComparatorUpper"]) == pytest.approx(2.793, abs=5e-4)
    khan = ratios[iri("study/khan-ea2108")]
    assert (khan["vsComparator"], khan["vsComparatorLower"], khan["vsComparatorUpper"]) == (
        Decimal("1.11"),
        Decimal("0.82"),
        Decimal("1.52"),
    )
    arms = [row for row in rows if row["arm"] is not None]
    assert len(arms) == 8 and all(row["vsComparator"] is None for row in arms)


def test_intervention_outcomes_for_a_narrower_intervention_is_that_trial_only(
    examples: Loaded,
) -> None:
    surgery = iri("concept/intervention/surgery-of-the-primary")
    rows = ask(examples.store, "intervention-outcomes", intervention=surgery, outcome=iri(OS))
    assert {row["estimate"] for row in rows} == {
        iri(f"estimate/fitzal2019-os-{e}") for e in ("hr", "median-surgery", "median-no-surgery")
    }
    pfs = iri("concept/outcome/distant-progression-free-survival")
    [row] = ask(examples.store, "intervention-outcomes", intervention=iri(LRT), outcome=pfs)
    assert (row["finding"], row["pointEstimate"]) == (
        iri("finding/badwe2013-distant-pfs"),
        Decimal("1.42"),
    )


def test_conflicting_findings_compare_ratios_against_the_comparator(examples: Loaded) -> None:
    rows = ask(examples.store, "conflicting-findings")
    pairs = [(row["findingBelow"], row["findingAbove"]) for row in rows]
    soran = iri("finding/soran2018-os")
    assert pairs == [
        (soran, iri("finding/badwe2015-os")),
        (soran, iri("finding/fitzal2019-os")),
        (soran, iri("finding/khan2022-os")),
    ]
    assert {(row["intervention"], row["outcome"]) for row in rows} == {(iri(LRT), iri(OS))}
    # Fitzal's printed 0.691 is below 1 but relative to the surgery arm: it is 1.447 against no
    # surgery, so it conflicts with Soran's 0.66 and not with Badwe's 1.04.
    fitzal = rows[1]
    assert fitzal["printedAbove"] == Decimal("0.691")
    assert fitzal["referenceArmAbove"] == iri("concept/intervention/surgery-of-the-primary")
    assert float(fitzal["vsComparatorAbove"]) == pytest.approx(1.447, abs=5e-4)
    assert (fitzal["printedBelow"], fitzal["vsComparatorBelow"]) == (
        Decimal("0.66"),
        Decimal("0.66"),
    )
    assert fitzal["comparatorBelow"] == iri("concept/intervention/systemic-therapy-alone")
    assert fitzal["comparatorAbove"] == iri("concept/intervention/no-surgery")
    assert (fitzal["studyBelow"], fitzal["typeAbove"]) == (
        iri("study/soran-mf07-01"),
        EV + "HazardRatio",
    )


def test_conflicting_findings_narrowed_by_intervention_or_outcome(examples: Loaded) -> None:
    store = examples.store
    assert len(ask(store, "conflicting-findings", intervention=iri(LRT), outcome=iri(OS))) == 3
    early = iri("concept/intervention/early-locoregional-therapy")
    assert ask(store, "conflicting-findings", intervention=early) == []  # Khan's alone
    distant = iri("concept/outcome/distant-progression-free-survival")
    assert ask(store, "conflicting-findings", outcome=distant) == []


def test_hazard_ratios_are_as_printed(examples: Loaded) -> None:
    rows = {row["finding"]: row for row in ask(examples.store, "hazard-ratios")}
    assert len(rows) == 7
    khan = rows[iri("finding/khan2022-os")]
    assert (khan["hr"], khan["lower"], khan["upper"], khan["level"]) == (
        Decimal("1.11"),
        Decimal("0.82"),
        Decimal("1.52"),
        Decimal("0.90"),
    )


# ---------------------------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------------------------


def test_references_of_the_news_item_are_cited_as_evidence(examples: Loaded) -> None:
    rows = ask(examples.store, "references", publication=iri("publication/ascopost2014"))
    assert [(r["cited"], r["property"], r["year"]) for r in rows] == [
        (iri("publication/fisher1989"), CITO + "citesAsEvidence", 1989),
        (iri("publication/badwe2013"), CITO + "citesAsEvidence", 2013),
    ]
    assert str(rows[0]["title"]).startswith("Presence of a growth-stimulating factor")
    assert ask(examples.store, "references", publication=iri("publication/badwe2015")) == []


def test_references_fall_back_to_plain_cites(extended: Loaded) -> None:
    rows = ask(extended.store, "references", publication=chain(1))
    assert [(r["cited"], r["property"], r["title"]) for r in rows] == [
        (chain(2), CITO + "cites", "Chain paper 2"),
        (chain(3), CITO + "cites", "Chain paper 3"),
    ]


def test_citations_of_fisher_and_badwe_are_the_news_item(examples: Loaded) -> None:
    for cited in ("fisher1989", "badwe2013"):
        rows = ask(examples.store, "citations", publication=iri(f"publication/{cited}"))
        assert [(r["citing"], r["property"], r["year"]) for r in rows] == [
            (iri("publication/ascopost2014"), CITO + "citesAsEvidence", 2014)
        ]
    assert ask(examples.store, "citations", publication=iri("publication/ascopost2014")) == []


def _reached(rows: list[dict[str, object]]) -> dict[object, object]:
    return {row["reached"]: row["distance"] for row in rows}


def test_citation_chain_on_the_example_evidence(examples: Loaded) -> None:
    rows = ask(examples.store, "citation-chain", publication=iri("publication/ascopost2014"))
    assert _reached(rows) == {iri("publication/fisher1989"): 1, iri("publication/badwe2013"): 1}
    assert {(r["direction"], r["hops"]) for r in rows} == {("backward", 2)}  # the defaults
    rows = ask(
        examples.store,
        "citation-chain",
        publication=iri("publication/fisher1989"),
        direction="forward",
    )
    assert [(r["reached"], r["distance"], r["year"]) for r in rows] == [
        (iri("publication/ascopost2014"), 1, 2014)
    ]


def test_citation_chain_takes_the_shortest_distance_within_the_hops(extended: Loaded) -> None:
    store = extended.store
    # chain3 is cited directly and through chain2: distance 1; chain1 itself (by the cycle) is out
    rows = ask(store, "citation-chain", publication=chain(1))
    assert _reached(rows) == {chain(2): 1, chain(3): 1, chain(4): 2}
    assert [r["reached"] for r in rows] == [chain(2), chain(3), chain(4)]
    rows = ask(store, "citation-chain", publication=chain(1), hops=1)
    assert _reached(rows) == {chain(2): 1, chain(3): 1}
    # at most 5 hops, however many are asked for: chain8 is 6 away
    everything = {chain(2): 1, chain(3): 1, chain(4): 2, chain(5): 3, chain(6): 4, chain(7): 5}
    assert _reached(ask(store, "citation-chain", publication=chain(1), hops=5)) == everything
    assert _reached(ask(store, "citation-chain", publication=chain(1), hops=9)) == everything
    rows = ask(store, "citation-chain", publication=chain(8), direction="forward", hops=3)
    assert _reached(rows) == {chain(7): 1, chain(6): 2, chain(5): 3}
    assert [r["year"] for r in rows] == [2007, 2006, 2005]


# ---------------------------------------------------------------------------------------------
# Claims, provenance, identifiers
# ---------------------------------------------------------------------------------------------


def test_claims_by_badwe_with_what_they_support(examples: Loaded) -> None:
    rows = ask(examples.store, "claims-by-agent", agent=iri("person/badwe-ra"))
    assert [(r["claim"], r["relation"], r["target"]) for r in rows] == [
        (iri("claim/badwe-growth-advantage"), EV + "supports", iri(HYPOTHESIS)),
        (iri("claim/badwe-no-os-benefit"), None, None),
    ]
    for row in rows:
        assert row["agentLabel"] == "Rajendra A. Badwe"
        assert row["study"] == iri("study/badwe-tmh-trial")
        assert row["source"] == iri("publication/ascopost2014")
        assert (
            row["sourceTitle"]
            == "In Stage IV Breast Cancer, the Primary May Not Need to Be Removed"
        )
        assert str(row["made"]) == "2013-12-11"


def test_claims_by_osborne_and_fisher(examples: Loaded) -> None:
    [osborne] = ask(examples.store, "claims-by-agent", agent=iri("person/osborne-ck"))
    assert (osborne["claim"], osborne["relation"], osborne["target"]) == (
        iri("claim/osborne-practice-changing"),
        EV + "supports",
        iri("claim/badwe-no-os-benefit"),
    )
    assert osborne["targetLabel"] == "Badwe: LRT gives no OS benefit; palliation only"
    [fisher] = ask(examples.store, "claims-by-agent", agent=iri("person/fisher-b"))
    assert (fisher["claim"], fisher["source"], fisher["study"]) == (
        iri("claim/fisher-growth-factor"),
        iri("publication/fisher1989"),
        iri("study/fisher-mouse-growth-factor"),
    )
    assert ask(examples.store, "claims-by-agent", agent=iri("person/khan-sa")) == []


def test_provenance_of_a_finding_is_the_example_import(examples: Loaded) -> None:
    [row] = ask(examples.store, "provenance", node=iri("finding/khan2022-os"))
    assert row["graph"] == examples.examples.graph
    assert (row["agent"], row["agentLabel"]) == (iri("agent/evidence-graph"), "evidence-graph")
    assert row["triples"] == examples.examples.triples
    assert sources(row) == EXAMPLE_FILES
    assert row["generatedAt"] is not None
    # a vocabulary term: used in the example graph, defined in the vocabulary's
    rows = ask(examples.store, "provenance", node=EV + "Finding")
    assert [sources(r) for r in rows] == [{"evidence.ttl"}, EXAMPLE_FILES]  # oldest first


def test_provenance_shows_a_later_curation_of_the_hypothesis(extended: Loaded) -> None:
    rows = ask(extended.store, "provenance", node=iri(HYPOTHESIS))
    curation = extended.extra[0]
    assert [(r["graph"], r["agent"]) for r in rows] == [
        (extended.examples.graph, iri("agent/evidence-graph")),
        (curation.graph, iri("agent/curator")),
    ]
    assert sources(rows[1]) == {"curation.ttl"} and rows[1]["triples"] == 1


@pytest.mark.parametrize(
    ("given", "found"),
    [
        ({"doi": "https://doi.org/10.1200/JCO.21.02006"}, ["khan2022"]),
        ({"doi": "doi:10.1016/S1470-2045(15)00135-7"}, ["badwe2015"]),
        ({"pmid": "PMID: 02702641"}, ["fisher1989"]),
        ({"pmcid": "pmc8937009"}, ["khan2022"]),
        ({"pmcid": " 8937009"}, ["khan2022"]),
        ({"nct": "nct00193778"}, ["badwe2013", "badwe2015"]),  # every report of the trial
        ({"doi": "10.1245/s10434-018-6494-6", "pmid": "31082916"}, ["soran2018", "fitzal2019"]),
        ({"doi": "10.1000/none"}, []),
    ],
)
def test_publication_by_identifier(examples: Loaded, given: dict, found: list[str]) -> None:
    rows = ask(examples.store, "publication-by-identifier", **given)
    assert [row["publication"] for row in rows] == [iri(f"publication/{p}") for p in found]


def test_publication_by_identifier_gives_every_identifier(examples: Loaded) -> None:
    [khan] = ask(examples.store, "publication-by-identifier", pmid="34995128")
    assert {k: khan[k] for k in ("publicationDoi", "publicationPmid", "publicationPmcid")} == {
        "publicationDoi": "10.1200/jco.21.02006",
        "publicationPmid": "34995128",
        "publicationPmcid": "PMC8937009",
    }
    assert (khan["trial"], khan["trialNct"], khan["year"]) == (
        iri("study/khan-ea2108"),
        "NCT01242800",
        2022,
    )
    assert str(khan["title"]).startswith("Early Local Therapy for the Primary Site")
    # none given: every publication with an identifier (not the news item, which has none)
    rows = ask(examples.store, "publication-by-identifier")
    assert [row["publication"] for row in rows] == [
        iri(f"publication/{p}")
        for p in ("fisher1989", "badwe2013", "badwe2015", "soran2018", "fitzal2019", "khan2022")
    ]


# ---------------------------------------------------------------------------------------------
# Synthesis and certainty
# ---------------------------------------------------------------------------------------------


def test_pooled_results_list_both_pools_with_their_four_inputs(synthesised: Loaded) -> None:
    rows = ask(synthesised.store, "pooled-results")
    pools = {row["pooled"]: row for row in rows}
    assert sorted(str(p["method"]) for p in pools.values()) == ["REML", "fixed"]
    assert len(rows) == 8  # four findings in each of the two pools
    for pooled, row in pools.items():
        weights = [float(r["weight"]) for r in rows if r["pooled"] == pooled]
        assert sum(weights) == pytest.approx(100)
        assert row["studies"] == 4 and row["outcome"] == iri(OS)
        assert row["measure"] == EV + "HazardRatio"
        assert row["ciLower"] < row["estimate"] < row["ciUpper"]
        assert str(row["software"]).startswith("evidence-graph ")
    fitzal = next(r for r in rows if r["finding"] == iri("finding/fitzal2019-os"))
    assert "inverted" in str(fitzal["conversions"])


def test_pooled_results_a_finding_contributes_to(synthesised: Loaded) -> None:
    khan = ask(synthesised.store, "pooled-results", finding=iri("finding/khan2022-os"))
    assert len(khan) == 2 and {r["finding"] for r in khan} == {iri("finding/khan2022-os")}
    assert "90% interval" in str(khan[0]["conversions"])
    assert ask(synthesised.store, "pooled-results", finding=iri("finding/badwe2013-os-72m")) == []


def test_certainty_gives_the_level_and_each_domain_with_its_reason(synthesised: Loaded) -> None:
    rows = ask(synthesised.store, "certainty", outcome=iri(OS))
    rated = [r for r in rows if r["certainty"] is not None]
    assert [
        (r["rated"], r["certainty"], r["starting"], r["domain"], r["levels"]) for r in rated
    ] == [
        (iri("finding/soran2018-os"), "low", "high", "imprecision", -1),
        (iri("finding/soran2018-os"), "low", "high", "risk of bias", -1),
    ]
    assert rated[1]["reason"] == "Open label." and rated[0]["kind"] == EV + "Finding"
    assert rows[: len(rated)] == rated  # rated evidence first
    unrated = {r["rated"] for r in rows[len(rated) :]}
    findings = {iri(f"finding/{f}") for f in ("badwe2013-os-72m", "badwe2015-os", "fitzal2019-os")}
    assert findings | {iri("finding/khan2022-os")} <= unrated
    assert sum(r["kind"] == EV + "PooledEstimate" for r in rows) == 2  # the two recorded pools
    assert all(r["domain"] is None for r in rows[len(rated) :])
