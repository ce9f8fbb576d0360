"""graph.synthesis and graph.pico on the example evidence (facts in
/work/shared/reference/trials.md): selecting findings by PICO, harmonising, one estimate per
study, and pooling, checked against an independent computation of the pooled numbers."""

import math
import shutil
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from rdflib import URIRef

from graph.meta_analysis import pool
from graph.namespaces import EV
from graph.oxigraph_store import OxigraphStore
from graph.pico import UnknownConcept, concepts_under, label_of, resolve
from graph.synthesis import NothingToPool, Selection, Synthesis, synthesize
from graph.synthesis_report import as_json, forest, text_report
from tests.conftest import BASE

LRT = ("LRT",)
CONTROLS = (
    "no LRT",
    "no surgery of the primary",
    "systemic therapy alone",
    "continued systemic therapy",
)
OS = BASE + "concept/outcome/overall-survival"
FINDING = BASE + "finding/"


def z(level: float) -> float:
    return NormalDist().inv_cdf((1 + level) / 2)


def log_se(lower: float, upper: float, level: float = 0.95) -> float:
    return (math.log(upper) - math.log(lower)) / (2 * z(level))


# The four trials' OS hazard ratios, LRT vs no LRT, computed here from the printed numbers.
PAIRS = {
    "badwe2015-os": (math.log(1.04), log_se(0.81, 1.34)),
    "soran2018-os": (math.log(0.66), log_se(0.49, 0.88)),
    "fitzal2019-os": (math.log(1 / 0.691), log_se(0.358, 1.333)),  # printed relative to surgery
    "khan2022-os": (math.log(1.11), log_se(0.82, 1.52, 0.90)),  # a 90% interval
}


def os_selection(**changes) -> Selection:
    values = {"methods": ("REML", "DL", "fixed")} | changes
    return Selection(LRT, CONTROLS, "OS", **values)


@pytest.fixture(scope="module")
def os_synthesis(examples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    """The OS synthesis of the example evidence, by REML, DL and fixed effect."""
    data = tmp_path_factory.mktemp("os") / "data"
    shutil.copytree(examples_dir, data)
    store = OxigraphStore(data)
    try:
        return synthesize(store, BASE, os_selection())
    finally:
        store.close()


def by_finding(synthesis: Synthesis) -> dict[str, object]:
    return {c.finding.removeprefix(FINDING): c for c in synthesis.contributions}


def excluded(synthesis_or_error) -> dict[str, str]:
    return {e.finding.removeprefix(FINDING): e.reason for e in synthesis_or_error.exclusions}


# ---------------------------------------------------------------------------------------------
# The overall-survival synthesis of the four trials
# ---------------------------------------------------------------------------------------------


def test_os_synthesis_pools_the_four_trials_in_date_order(os_synthesis: Synthesis) -> None:
    assert [c.finding.removeprefix(FINDING) for c in os_synthesis.contributions] == [
        "badwe2015-os",
        "soran2018-os",
        "fitzal2019-os",
        "khan2022-os",
    ]
    assert [p.k for p in os_synthesis.pooled] == [4, 4, 4]
    assert len({c.study for c in os_synthesis.contributions}) == 4
    assert os_synthesis.measure == "HR" and os_synthesis.ratio
    assert os_synthesis.outcome.iri == URIRef(OS)
    assert os_synthesis.outcome.label == "overall survival"
    assert [c.label for c in os_synthesis.comparators] == [
        "no locoregional treatment",
        "no surgery of the primary",
        "systemic therapy alone",
        "continued systemic therapy",
    ]
    for name, contribution in by_finding(os_synthesis).items():
        effect, se = PAIRS[name]
        assert contribution.effect == pytest.approx(effect, abs=1e-12)
        assert contribution.se == pytest.approx(se, abs=1e-12)


def test_fitzal_is_inverted_and_the_conversion_says_so(os_synthesis: Synthesis) -> None:
    fitzal = by_finding(os_synthesis)["fitzal2019-os"]
    assert fitzal.printed == "HR 0.691 (95% CI 0.358 to 1.333)"
    assert fitzal.estimate == BASE + "estimate/fitzal2019-os-hr"
    [conversion] = fitzal.conversions
    assert "inverted" in conversion
    assert "relative to surgery of the primary" in conversion
    assert "relative to no surgery of the primary" in conversion
    assert "1.447 (95% CI 0.7502 to 2.793)" in conversion
    estimate, lower, upper = os_synthesis.interval(fitzal.effect, fitzal.se)
    assert round(estimate, 3) == 1.447 and round(lower, 2) == 0.75 and round(upper, 2) == 2.79
    assert fitzal.note is not None and fitzal.note.startswith("Direction caution")  # why


def test_khans_90_percent_interval_is_converted_and_explained(os_synthesis: Synthesis) -> None:
    khan = by_finding(os_synthesis)["khan2022-os"]
    assert khan.printed == "HR 1.11 (90% CI 0.82 to 1.52)"
    assert khan.se == pytest.approx((math.log(1.52) - math.log(0.82)) / (2 * 1.6449), rel=1e-4)
    [conversion] = khan.conversions
    assert "90% interval" in conversion and "z = 1.645" in conversion
    assert "as a 95% interval: 0.7685 to 1.603" in conversion


def test_the_trials_printed_relative_to_the_comparator_need_no_conversion(
    os_synthesis: Synthesis,
) -> None:
    contributions = by_finding(os_synthesis)
    assert contributions["badwe2015-os"].conversions == ()
    assert contributions["soran2018-os"].conversions == ()


def test_badwe_2013_arm_percentages_are_listed_as_not_pooled(os_synthesis: Synthesis) -> None:
    assert excluded(os_synthesis) == {
        "badwe2013-os-72m": "no comparative estimate printed (only arm statistics)"
    }
    [exclusion] = os_synthesis.exclusions
    assert exclusion.label == "Badwe 2013: overall survival at 72 months"


def test_pooled_numbers_match_an_independent_computation(os_synthesis: Synthesis) -> None:
    names = [c.finding.removeprefix(FINDING) for c in os_synthesis.contributions]
    y = np.array([PAIRS[n][0] for n in names])
    v = np.array([PAIRS[n][1] ** 2 for n in names])
    k = len(y)
    w = 1 / v
    fixed = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - fixed) ** 2)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    tau2_dl = max(0.0, (q - (k - 1)) / c)
    w_dl = 1 / (v + tau2_dl)
    dl = np.sum(w_dl * y) / np.sum(w_dl)
    dl_se = math.sqrt(1 / np.sum(w_dl))

    reml, dl_pooled, fixed_pooled = os_synthesis.pooled
    assert (reml.method, dl_pooled.method, fixed_pooled.method) == ("REML", "DL", "fixed")

    assert fixed_pooled.estimate == pytest.approx(fixed, abs=1e-9)
    assert fixed_pooled.se == pytest.approx(math.sqrt(1 / np.sum(w)), abs=1e-9)
    assert fixed_pooled.q == pytest.approx(q, abs=1e-9)
    assert fixed_pooled.tau2 == 0

    assert dl_pooled.tau2 == pytest.approx(tau2_dl, abs=1e-9)
    assert dl_pooled.estimate == pytest.approx(dl, abs=1e-9)
    assert dl_pooled.se == pytest.approx(dl_se, abs=1e-9)
    assert dl_pooled.q == pytest.approx(q, abs=1e-9)
    assert list(dl_pooled.weights) == pytest.approx(list(100 * w_dl / np.sum(w_dl)), abs=1e-9)

    # REML: what graph.meta_analysis.pool gives for these inputs ...
    expected = pool(list(y), list(np.sqrt(v)), "REML")
    assert reml.estimate == pytest.approx(expected.estimate, abs=1e-12)
    assert reml.se == pytest.approx(expected.se, abs=1e-12)
    assert reml.tau2 == pytest.approx(expected.tau2, abs=1e-12)

    # ... and its tau^2 solves the REML equation y'PPy = tr(P) (bisection, here)
    def score(tau2: float) -> float:
        wt = 1 / (v + tau2)
        r = y - np.sum(wt * y) / np.sum(wt)
        return float(np.sum(wt**2 * r**2) - (np.sum(wt) - np.sum(wt**2) / np.sum(wt)))

    low, high = 0.0, 1.0
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if score(middle) > 0 else (low, middle)
    assert reml.tau2 == pytest.approx(low, abs=1e-5)
    w_reml = 1 / (v + reml.tau2)
    assert reml.estimate == pytest.approx(np.sum(w_reml * y) / np.sum(w_reml), abs=1e-12)
    # as published for these four trials: REML HR about 0.97 (0.72 to 1.31), I^2 about 66%
    estimate, lower, upper = os_synthesis.interval(reml.estimate, reml.se)
    assert (round(estimate, 2), round(lower, 2), round(upper, 2)) == (0.97, 0.72, 1.31)
    assert round(reml.i2) == 66


def test_weights_of_each_method_sum_to_100(os_synthesis: Synthesis) -> None:
    for method in ("REML", "DL", "fixed"):
        assert sum(c.weights[method] for c in os_synthesis.contributions) == pytest.approx(100)
    # the fixed effect gives the imprecise Fitzal trial less weight than random effects
    fitzal = by_finding(os_synthesis)["fitzal2019-os"]
    assert fitzal.weights["fixed"] < fitzal.weights["REML"]


def test_reports_carry_the_conversions_and_the_exclusions(os_synthesis: Synthesis) -> None:
    data = as_json(os_synthesis)
    assert data["measure"] == "HR" and data["scale"] == "log" and len(data["studies"]) == 4
    assert data["excluded"] == [
        {
            "finding": FINDING + "badwe2013-os-72m",
            "label": "Badwe 2013: overall survival at 72 months",
            "reason": "no comparative estimate printed (only arm statistics)",
        }
    ]
    fitzal = next(s for s in data["studies"] if s["finding"].endswith("fitzal2019-os"))
    assert fitzal["analysed"]["estimate"] == pytest.approx(1 / 0.691)
    assert data["pooled"][0]["method"] == "REML" and data["pooled"][0]["k"] == 4
    text = text_report(os_synthesis)
    assert "inverted" in text and "90% interval" in text
    assert "not pooled: Badwe 2013: overall survival at 72 months" in text
    plot = forest(os_synthesis)
    assert [row.label for row in plot.rows] == [c.label for c in os_synthesis.contributions]
    assert any("Not pooled" in note for note in plot.footnotes)


def test_the_other_direction_turns_every_estimate_round(examples) -> None:
    forward = synthesize(examples, BASE, os_selection())
    backward = synthesize(examples, BASE, Selection(CONTROLS, LRT, "OS", methods=("DL",)))
    inverted = {c.finding.removeprefix(FINDING) for c in backward.contributions if c.conversions}
    assert inverted == {"badwe2015-os", "soran2018-os", "khan2022-os"}
    assert backward.pooled[0].estimate == pytest.approx(-forward.pooled[1].estimate, abs=1e-12)
    assert backward.pooled[0].se == pytest.approx(forward.pooled[1].se, abs=1e-12)


def test_a_population_and_a_level_narrow_and_widen(examples) -> None:
    synthesis = synthesize(
        examples,
        BASE,
        os_selection(population="stage IV breast cancer at presentation", level=0.9),
    )
    assert synthesis.population is not None
    assert synthesis.population.iri == URIRef(
        BASE + "concept/population/de-novo-metastatic-breast-cancer"
    )
    reml = synthesis.pooled[0]
    assert reml.k == 4 and reml.level == 0.9
    assert reml.ci_upper - reml.estimate == pytest.approx(z(0.9) * reml.se)


# ---------------------------------------------------------------------------------------------
# Concepts by name
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "OS",
        "os",
        "overall survival",
        "Overall Survival",
        "  OS ",
        OS,
        "concept/outcome/overall-survival",
        "/concept/outcome/overall-survival",
    ],
)
def test_labels_alt_labels_and_iris_resolve(examples, name: str) -> None:
    concept = resolve(examples, BASE, name, EV.Outcome)
    assert concept.iri == URIRef(OS)
    assert concept.label == "overall survival"


def test_an_iri_of_another_kind_does_not_resolve(examples) -> None:
    with pytest.raises(UnknownConcept, match="no intervention is named"):
        resolve(examples, BASE, OS, EV.Intervention)


def test_an_unknown_name_raises_unknown_concept(examples) -> None:
    with pytest.raises(UnknownConcept, match="no outcome is named 'survival'"):
        resolve(examples, BASE, "survival", EV.Outcome)
    with pytest.raises(UnknownConcept, match="no intervention is named 'chemo'"):
        synthesize(examples, BASE, Selection(("chemo",), CONTROLS, "OS"))


def test_an_ambiguous_name_raises_unknown_concept_naming_the_candidates(
    examples, write_turtle
) -> None:
    write_turtle(
        examples,
        '<concept/outcome/os-at-5-years> a ev:Outcome ; rdfs:label "overall survival at 5 years" ;'
        ' skos:altLabel "os"@en .',
    )
    with pytest.raises(UnknownConcept) as raised:
        resolve(examples, BASE, "OS", EV.Outcome)
    message = str(raised.value)
    assert "2 outcome concepts" in message and "give the IRI" in message
    assert f"<{OS}>" in message and f"<{BASE}concept/outcome/os-at-5-years>" in message
    # the IRI still picks one
    assert resolve(examples, BASE, OS, EV.Outcome).iri == URIRef(OS)


def test_narrower_concepts_are_included(examples) -> None:
    top = resolve(examples, BASE, "LRT", EV.Intervention)
    under = {
        str(c).removeprefix(BASE + "concept/intervention/")
        for c in concepts_under(examples, [top.iri])
    }
    assert under == {
        "locoregional-treatment",
        "mastectomy-axillary-dissection-radiotherapy",
        "surgery-of-the-primary",
        "early-locoregional-therapy",
    }
    assert label_of(examples, top.iri) == "locoregional treatment (surgery +/- radiotherapy)"
    leaf = resolve(examples, BASE, "surgery of the primary", EV.Intervention)
    assert concepts_under(examples, [leaf.iri]) == {leaf.iri}


def test_an_intervention_overlapping_the_comparator_is_refused(examples) -> None:
    with pytest.raises(ValueError, match="overlap: surgery of the primary"):
        synthesize(examples, BASE, Selection(LRT, ("surgery of the primary",), "OS"))
    with pytest.raises(ValueError, match="overlap"):
        synthesize(examples, BASE, Selection(LRT, LRT, "OS"))


# ---------------------------------------------------------------------------------------------
# One estimate per study, measures, and what cannot be pooled
# ---------------------------------------------------------------------------------------------

OLDER_BADWE = """
<finding/badwe2013-os-hr> a ev:Finding ;
    rdfs:label "Badwe 2013: overall survival (hazard ratio)" ;
    ev:study <study/badwe-tmh-trial> ;
    prov:wasDerivedFrom <publication/badwe2013> ;
    ev:intervention <concept/intervention/mastectomy-axillary-dissection-radiotherapy> ;
    ev:comparator <concept/intervention/no-locoregional-treatment> ;
    ev:referenceArm <concept/intervention/no-locoregional-treatment> ;
    ev:outcome <concept/outcome/overall-survival> ;
    ev:estimate <estimate/badwe2013-os-hr> .
<estimate/badwe2013-os-hr> a ev:HazardRatio ;
    ev:pointEstimate 0.99 ; ev:ciLower 0.76 ; ev:ciUpper 1.29 ; ev:ciLevel 0.95 .
"""


def test_one_estimate_per_study_the_latest_publications(examples, write_turtle) -> None:
    before = synthesize(examples, BASE, os_selection())
    write_turtle(examples, OLDER_BADWE)
    after = synthesize(examples, BASE, os_selection())
    assert [c.finding for c in after.contributions] == [c.finding for c in before.contributions]
    assert after.pooled == before.pooled
    reasons = excluded(after)
    assert reasons["badwe2013-os-hr"] == (
        "same study as Badwe 2015: overall survival, which is used: one estimate per study"
    )
    assert reasons["badwe2013-os-72m"] == "no comparative estimate printed (only arm statistics)"
    assert len(reasons) == 2


def test_one_estimate_per_study_ties_go_to_the_first_finding_by_iri(examples, write_turtle) -> None:
    # a second report in the same publication as Fitzal 2019, under a longer IRI
    write_turtle(
        examples,
        """
        <finding/fitzal2019-os-2> a ev:Finding ;
            rdfs:label "Fitzal 2019: overall survival, second reading" ;
            ev:study <study/fitzal-abcsg-28-posytive> ;
            prov:wasDerivedFrom <publication/fitzal2019> ;
            ev:intervention <concept/intervention/surgery-of-the-primary> ;
            ev:comparator <concept/intervention/no-surgery> ;
            ev:referenceArm <concept/intervention/no-surgery> ;
            ev:outcome <concept/outcome/overall-survival> ;
            ev:estimate <estimate/fitzal2019-os-2-hr> .
        <estimate/fitzal2019-os-2-hr> a ev:HazardRatio ;
            ev:pointEstimate 1.447 ; ev:ciLower 0.750 ; ev:ciUpper 2.793 ; ev:ciLevel 0.95 .
        """,
    )
    synthesis = synthesize(examples, BASE, os_selection())
    assert "fitzal2019-os" in by_finding(synthesis)
    assert excluded(synthesis)["fitzal2019-os-2"].startswith("same study as Fitzal 2019")


OR_FINDING = """
<finding/soran2018-os-or> a ev:Finding ;
    rdfs:label "Soran 2018: overall survival (odds ratio)" ;
    ev:study <study/soran-mf07-01> ;
    prov:wasDerivedFrom <publication/soran2018> ;
    ev:intervention <concept/intervention/locoregional-treatment> ;
    ev:comparator <concept/intervention/systemic-therapy-alone> ;
    ev:referenceArm <concept/intervention/systemic-therapy-alone> ;
    ev:outcome <concept/outcome/overall-survival> ;
    ev:estimate <estimate/soran2018-os-or> .
<estimate/soran2018-os-or> a ev:OddsRatio ;
    ev:pointEstimate 0.60 ; ev:ciLower 0.37 ; ev:ciUpper 0.97 ; ev:ciLevel 0.95 .
"""


def test_several_measures_must_be_chosen_between(examples, write_turtle) -> None:
    write_turtle(examples, OR_FINDING)
    with pytest.raises(ValueError, match="several measures") as raised:
        synthesize(examples, BASE, os_selection())
    message = str(raised.value)
    assert "HR (4 findings)" in message and "OR (1 finding" in message and "choose one" in message

    hazard = synthesize(examples, BASE, os_selection(measure="HR"))
    assert hazard.pooled[0].k == 4
    assert excluded(hazard)["soran2018-os-or"] == "reports OR, not a hazard ratio"

    odds = synthesize(examples, BASE, os_selection(measure="OR"))
    assert [c.finding for c in odds.contributions] == [FINDING + "soran2018-os-or"]
    assert odds.measure_name == "odds ratio"
    assert excluded(odds)["khan2022-os"] == "reports HR, not an odds ratio"
    assert odds.pooled[0].estimate == pytest.approx(math.log(0.60))


def test_an_unknown_measure_or_level_is_refused(examples) -> None:
    with pytest.raises(ValueError, match="unknown measure 'SMD'"):
        synthesize(examples, BASE, os_selection(measure="SMD"))
    with pytest.raises(ValueError, match="between 0 and 1"):
        synthesize(examples, BASE, os_selection(level=95))


def test_a_single_study_pool(examples) -> None:
    synthesis = synthesize(
        examples,
        BASE,
        Selection(("surgery of the primary",), ("no surgery of the primary",), "OS",
                  methods=("REML", "DL", "fixed")),
    )  # fmt: skip
    effect, se = PAIRS["fitzal2019-os"]
    for pooled in synthesis.pooled:
        assert pooled.k == 1 and pooled.tau2 == 0 and pooled.q_df == 0
        assert pooled.estimate == pytest.approx(effect) and pooled.se == pytest.approx(se)
        assert pooled.pi_lower is None
    [only] = synthesis.contributions
    assert only.weights == pytest.approx({"REML": 100.0, "DL": 100.0, "fixed": 100.0})


def test_a_p_value_alone_gives_a_usable_estimate(examples) -> None:
    synthesis = synthesize(examples, BASE, Selection(LRT, ("no LRT",), "distant PFS"))
    [badwe] = synthesis.contributions
    assert badwe.finding == FINDING + "badwe2013-distant-pfs"
    assert badwe.se == pytest.approx(math.log(1.42) / z(0.99))
    assert "p = 0.01" in badwe.conversions[0]


def test_nothing_to_pool_says_why_for_each_finding(examples) -> None:
    with pytest.raises(NothingToPool) as raised:
        synthesize(examples, BASE, Selection(LRT, ("no LRT",), "local PFS"))
    assert excluded(raised.value) == {
        "badwe2013-local-pfs": (
            "no confidence interval and no p-value: no standard error can be derived"
        )
    }
    assert "nothing to pool" in str(raised.value)

    with pytest.raises(NothingToPool) as raised:
        synthesize(examples, BASE, Selection(("early LRT",), CONTROLS, "locoregional progression"))
    assert excluded(raised.value) == {
        "khan2022-locoregional-progression-3y": (
            "no comparative estimate printed (only arm statistics)"
        )
    }


def test_nothing_to_pool_counts_findings_not_estimates(examples) -> None:
    """Badwe 2013's OS finding has two arm percentages (two estimates) and no hazard ratio."""
    mastectomy = "concept/intervention/mastectomy-axillary-dissection-radiotherapy"
    with pytest.raises(NothingToPool) as raised:
        synthesize(examples, BASE, Selection((mastectomy,), ("no LRT",), "OS", measure="HR"))
    assert "overall survival: 1 matching finding," in str(raised.value)
    assert excluded(raised.value) == {
        "badwe2013-os-72m": "no comparative estimate printed (only arm statistics)"
    }


def test_nothing_matches_at_all(examples) -> None:
    with pytest.raises(NothingToPool) as raised:
        synthesize(examples, BASE, Selection(("early LRT",), ("no surgery of the primary",), "OS"))
    assert raised.value.exclusions == []
    assert "0 matching findings" in str(raised.value)


def test_a_finding_read_from_several_publications_counts_from_the_latest(
    examples, write_turtle
) -> None:
    write_turtle(
        examples,
        OLDER_BADWE
        + """
        <publication/badwe2016-update> a fabio:JournalArticle ;
            dcterms:title "Tata Memorial trial: an update" ; dcterms:issued "2016"^^xsd:gYear .
        <finding/badwe2013-os-hr> prov:wasDerivedFrom <publication/badwe2016-update> .
        <finding/badwe2013-os-72m> prov:wasDerivedFrom <publication/badwe2016-update> .
        """,
    )
    synthesis = synthesize(examples, BASE, os_selection())
    assert "badwe2013-os-hr" in by_finding(synthesis)
    reasons = excluded(synthesis)
    assert reasons["badwe2015-os"].startswith("same study as Badwe 2013: overall survival (hazard")
    # one exclusion per finding, however many publications it was read from
    assert [e.finding for e in synthesis.exclusions].count(FINDING + "badwe2013-os-72m") == 1


def test_nothing_to_pool_lists_each_finding_once(examples, write_turtle) -> None:
    write_turtle(
        examples,
        "<finding/khan2022-locoregional-progression-3y> prov:wasDerivedFrom "
        "<publication/badwe2015> , <publication/soran2018> .",
    )
    with pytest.raises(NothingToPool) as raised:
        synthesize(examples, BASE, Selection(("early LRT",), CONTROLS, "locoregional progression"))
    assert len(raised.value.exclusions) == 1
