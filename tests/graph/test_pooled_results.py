"""graph.pooled_results: pooled estimates written back through the validated write path, and
GRADE certainty ratings judged by the shapes with the stored ratings as context."""

import io
import math
from dataclasses import replace
from importlib.metadata import version

import pytest
from rdflib import Literal, URIRef

from graph.imports import list_imports
from graph.namespaces import EV, PROV, RDF, XSD
from graph.parsing import Source
from graph.pooled_results import pooled_graph, pooled_iri, record
from graph.store import Store
from graph.synthesis import Selection, Synthesis, synthesize
from graph.writes import InvalidBatch, commit_change, load, prepare_update
from tests.conftest import BASE

CONTROLS = (
    "no LRT",
    "no surgery of the primary",
    "systemic therapy alone",
    "continued systemic therapy",
)
PREFIXES = """PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
FINDING = BASE + "finding/"


def os_synthesis(store: Store, **changes) -> Synthesis:
    values = {"methods": ("REML", "fixed")} | changes
    return synthesize(store, BASE, Selection(("LRT",), CONTROLS, "OS", **values))


def select(store: Store, sparql: str) -> list[tuple]:
    return store.query(PREFIXES + sparql).rows


def quads(store: Store) -> set[tuple]:
    return set(store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


def write_nt(store: Store, graph, name: str = "tampered.nt") -> None:
    data = graph.serialize(format="nt", encoding="utf-8")
    load(store, [Source(name, io.BytesIO(data), "ntriples")], BASE, "tamperer")


# ---------------------------------------------------------------------------------------------
# Recording pooled estimates
# ---------------------------------------------------------------------------------------------


def test_record_writes_the_pooled_estimates_as_a_new_graph_with_provenance(examples) -> None:
    graphs_before = set(examples.named_graphs())
    synthesis = os_synthesis(examples)
    reml, fixed = record(examples, synthesis, BASE, "tester")
    assert (reml.method, fixed.method) == ("REML", "fixed")
    assert reml.stored and fixed.stored
    assert reml.graph == fixed.graph and reml.graph is not None
    assert reml.iri == str(pooled_iri(synthesis, synthesis.pooled[0], BASE))
    assert reml.iri.startswith(BASE + "pooled/") and reml.iri != fixed.iri
    assert set(examples.named_graphs()) == graphs_before | {URIRef(reml.graph)}
    for recorded in (reml, fixed):
        assert examples.query(
            f"ASK {{ GRAPH <{recorded.graph}> {{ <{recorded.iri}> a <{EV.PooledEstimate}> }} }}"
        ).boolean
    [imported] = [i for i in list_imports(examples) if i.graph == reml.graph]
    assert imported.agent == "tester"
    assert imported.sources == "synthesis of overall survival: locoregional treatment " + (
        "(surgery +/- radiotherapy) vs no locoregional treatment / no surgery of the primary / "
        "systemic therapy alone / continued systemic therapy"
    )
    [(time,)] = select(examples, f"SELECT ?t WHERE {{ <{reml.graph}> prov:generatedAtTime ?t }}")
    assert time.datatype == XSD.dateTime


def test_recording_twice_stores_nothing_new(examples) -> None:
    synthesis = os_synthesis(examples)
    first = record(examples, synthesis, BASE, "tester")
    before = quads(examples)
    again = record(examples, os_synthesis(examples), BASE, "someone else")
    assert [r.iri for r in again] == [r.iri for r in first]
    assert [(r.stored, r.graph) for r in again] == [(False, None), (False, None)]
    assert quads(examples) == before


def test_a_new_method_or_level_is_a_new_node_beside_the_old(examples) -> None:
    [reml] = record(examples, os_synthesis(examples, methods=("REML",)), BASE, "tester")
    both = record(examples, os_synthesis(examples, methods=("REML", "DL")), BASE, "tester")
    assert [(r.method, r.stored) for r in both] == [("REML", False), ("DL", True)]
    assert both[0].iri == reml.iri
    [narrower] = record(examples, os_synthesis(examples, methods=("REML",), level=0.9), BASE, "t")
    assert narrower.stored and narrower.iri != reml.iri
    pooled = {str(s) for (s,) in select(examples, "SELECT ?s WHERE { ?s a ev:PooledEstimate }")}
    assert pooled == {reml.iri, both[1].iri, narrower.iri}


def test_which_pooled_results_a_finding_contributes_to(examples) -> None:
    recorded = record(examples, os_synthesis(examples), BASE, "tester")
    single = synthesize(
        examples,
        BASE,
        Selection(("surgery of the primary",), ("no surgery of the primary",), "OS"),
    )
    [fitzal_only] = record(examples, single, BASE, "tester")

    def pools_of(finding: str) -> set[str]:
        rows = select(
            examples,
            f"SELECT DISTINCT ?pool WHERE {{ ?pool ev:input/ev:finding <{FINDING}{finding}> }}",
        )
        return {str(pool) for (pool,) in rows}

    assert pools_of("khan2022-os") == {r.iri for r in recorded}
    assert pools_of("fitzal2019-os") == {r.iri for r in recorded} | {fitzal_only.iri}
    assert pools_of("badwe2013-os-72m") == set()


def test_the_pooled_node_carries_method_software_inputs_and_conversions(examples) -> None:
    synthesis = os_synthesis(examples)
    reml, _ = record(examples, synthesis, BASE, "tester")
    node = f"<{reml.iri}>"
    [(method,)] = select(examples, f"SELECT ?m WHERE {{ {node} ev:synthesisMethod ?m }}")
    assert method == EV.RandomEffectsREML
    [(software, installed)] = select(
        examples,
        f"""SELECT ?software ?version WHERE {{
              {node} prov:wasGeneratedBy ?activity .
              ?activity a prov:Activity ; prov:wasAssociatedWith ?software ;
                        prov:endedAtTime ?end .
              ?software a prov:SoftwareAgent ; dcterms:hasVersion ?version }}""",
    )
    assert str(installed) == version("evidence-graph")
    assert str(software).endswith(f"/evidence-graph/{version('evidence-graph')}")

    inputs = select(
        examples,
        f"""SELECT ?finding ?estimate ?effect ?se ?weight WHERE {{
              {node} ev:input ?input .
              ?input a ev:PoolInput ; ev:finding ?finding ; ev:sourceEstimate ?estimate ;
                     ev:analysedEffect ?effect ; ev:standardError ?se ; ev:weight ?weight }}""",
    )
    assert len(inputs) == 4
    assert sum(float(w) for *_, w in inputs) == pytest.approx(100)
    by_finding = {str(f): (str(e), float(y), float(s)) for f, e, y, s, _ in inputs}
    for contribution in synthesis.contributions:
        assert by_finding[contribution.finding] == pytest.approx(
            (contribution.estimate, contribution.effect, contribution.se)
        )
    conversions = dict(
        select(
            examples,
            f"""SELECT ?finding ?conversion WHERE {{
                  {node} ev:input ?input .
                  ?input ev:finding ?finding ; ev:conversion ?conversion }}""",
        )
    )
    assert set(conversions) == {URIRef(FINDING + "fitzal2019-os"), URIRef(FINDING + "khan2022-os")}
    assert "inverted" in str(conversions[URIRef(FINDING + "fitzal2019-os")])
    assert "90% interval" in str(conversions[URIRef(FINDING + "khan2022-os")])

    values = dict(
        select(
            examples,
            f"""SELECT ?p ?o WHERE {{ {node} ?p ?o
                  VALUES ?p {{ ev:pointEstimate ev:ciLower ev:ciUpper ev:ciLevel ev:studyCount
                               ev:i2 ev:tau2 ev:qDegreesOfFreedom ev:outcome }} }}""",
        )
    )
    pooled = synthesis.pooled[0]
    estimate, lower, upper = synthesis.interval(pooled.estimate, pooled.se)
    assert float(values[EV.pointEstimate]) == pytest.approx(estimate, rel=1e-5)
    assert float(values[EV.ciLower]) == pytest.approx(lower, rel=1e-5)
    assert float(values[EV.ciUpper]) == pytest.approx(upper, rel=1e-5)
    assert values[EV.pointEstimate].datatype == XSD.decimal
    assert float(values[EV.ciLevel]) == 0.95
    assert int(values[EV.studyCount]) == 4 and int(values[EV.qDegreesOfFreedom]) == 3
    assert float(values[EV.i2]) == pytest.approx(pooled.i2)
    assert float(values[EV.tau2]) == pytest.approx(pooled.tau2)
    assert values[EV.outcome] == URIRef(BASE + "concept/outcome/overall-survival")
    arms = select(
        examples, f"SELECT ?c ?r WHERE {{ {node} ev:comparator ?c ; ev:referenceArm ?r }}"
    )
    assert {c for c, _ in arms} == {r for _, r in arms} == {c.iri for c in synthesis.comparators}
    types = {t for (t,) in select(examples, f"SELECT ?t WHERE {{ {node} a ?t }}")}
    assert {EV.PooledEstimate, EV.HazardRatio} <= types


def test_the_pooled_graph_serialised_alone_is_what_record_writes(examples) -> None:
    synthesis = os_synthesis(examples, methods=("fixed",))
    graph = pooled_graph(synthesis, BASE, synthesis.pooled)
    node = pooled_iri(synthesis, synthesis.pooled[0], BASE)
    assert (node, EV.synthesisMethod, EV.FixedEffect) in graph
    assert (node, EV.tau2, Literal(0.0, datatype=XSD.double)) in graph
    assert not list(graph.objects(node, EV.predictionLower))  # no prediction interval: fixed
    assert len(list(graph.objects(node, EV.input))) == 4


def test_the_prediction_interval_is_on_the_ratio_scale(examples) -> None:
    synthesis = os_synthesis(examples, methods=("REML",))
    [pooled] = synthesis.pooled
    node = pooled_iri(synthesis, pooled, BASE)
    graph = pooled_graph(synthesis, BASE, [pooled])
    [lower] = graph.objects(node, EV.predictionLower)
    [upper] = graph.objects(node, EV.predictionUpper)
    assert float(lower) == pytest.approx(math.exp(pooled.pi_lower))
    assert float(upper) == pytest.approx(math.exp(pooled.pi_upper))
    # a limit of exactly 0 on the log scale is a ratio of 1, not 0
    at_zero = replace(pooled, pi_lower=0.0)
    graph = pooled_graph(replace(synthesis, pooled=[at_zero]), BASE, [at_zero])
    [lower] = graph.objects(node, EV.predictionLower)
    assert float(lower) == 1.0


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            lambda g, node, s: g.set((node, EV.i2, Literal(150.0, datatype=XSD.double))),
            "I squared",
        ),
        (
            lambda g, node, s: g.add((node, EV.referenceArm, s.interventions[0].iri)),
            "relative to its comparator",
        ),
        (
            lambda g, node, s: g.set((node, EV.tau2, Literal(-0.1, datatype=XSD.double))),
            "tau squared",
        ),
        (
            lambda g, node, s: g.remove((node, PROV.wasGeneratedBy, None)),
            "activity that computed it",
        ),
        (
            lambda g, node, s: [
                g.set((part, EV.weight, Literal(120.0, datatype=XSD.double)))
                for part in g.objects(node, EV.input)
            ],
            "percent weight",
        ),
        (
            lambda g, node, s: [
                g.set((part, EV.finding, URIRef(BASE + "concept/outcome/overall-survival")))
                for part in g.objects(node, EV.input)
            ],
            "names exactly one finding",
        ),
    ],
)
def test_a_tampered_pooled_graph_is_refused_and_the_store_unchanged(
    examples, tamper, message: str
) -> None:
    synthesis = os_synthesis(examples, methods=("REML",))
    graph = pooled_graph(synthesis, BASE, synthesis.pooled)
    node = pooled_iri(synthesis, synthesis.pooled[0], BASE)
    tamper(graph, node, synthesis)
    before = quads(examples)
    with pytest.raises(InvalidBatch) as raised:
        write_nt(examples, graph)
    assert any(message in v.message for v in raised.value.report.violations), [
        v.message for v in raised.value.report.violations
    ]
    assert quads(examples) == before


def test_recording_after_a_tampered_write_was_refused_still_works(examples) -> None:
    synthesis = os_synthesis(examples, methods=("REML",))
    graph = pooled_graph(synthesis, BASE, synthesis.pooled)
    node = pooled_iri(synthesis, synthesis.pooled[0], BASE)
    graph.add((node, RDF.type, EV.OddsRatio))  # two measures on one estimate
    with pytest.raises(InvalidBatch):
        write_nt(examples, graph)
    [recorded] = record(examples, synthesis, BASE, "tester")
    assert recorded.stored and recorded.iri == str(node)


# ---------------------------------------------------------------------------------------------
# GRADE certainty of a finding, with its ratings
# ---------------------------------------------------------------------------------------------

RATINGS = """
<rating/soran2018-os/risk-of-bias> a ev:CertaintyRating ;
    ev:gradeDomain ev:RiskOfBias ; ev:levels -1 ;
    rdfs:comment "open label; outcome assessment not blinded" .
<rating/soran2018-os/imprecision> a ev:CertaintyRating ;
    ev:gradeDomain ev:Imprecision ; ev:levels 0 .
"""


def certainty(level: str) -> str:
    return (
        f"<finding/soran2018-os> ev:certainty ev:{level} ; "
        "ev:startingCertainty ev:HighCertainty ; "
        "ev:certaintyRating <rating/soran2018-os/risk-of-bias> , "
        "<rating/soran2018-os/imprecision> .\n" + RATINGS
    )


def update(store: Store, sparql: str) -> None:
    commit_change(store, prepare_update(store, PREFIXES + sparql, BASE), BASE, "editor")


def test_a_certainty_that_follows_from_its_ratings_is_accepted(examples, write_turtle) -> None:
    result = write_turtle(examples, certainty("ModerateCertainty"), "grade.ttl")
    assert result.triples > 0
    [(level,)] = select(examples, f"SELECT ?c WHERE {{ <{FINDING}soran2018-os> ev:certainty ?c }}")
    assert level == EV.ModerateCertainty


def test_a_certainty_that_does_not_follow_from_its_ratings_is_refused(
    examples, write_turtle
) -> None:
    before = quads(examples)
    with pytest.raises(InvalidBatch) as raised:
        write_turtle(examples, certainty("LowCertainty"), "grade.ttl")
    [violation] = raised.value.report.violations
    assert violation.focus_node == FINDING + "soran2018-os"
    assert "does not follow from the ratings" in violation.message
    assert quads(examples) == before


def test_a_rating_without_a_reason_or_in_the_wrong_direction_is_refused(
    examples, write_turtle
) -> None:
    body = (
        "<finding/soran2018-os> ev:certainty ev:HighCertainty ; "
        "ev:startingCertainty ev:HighCertainty ; ev:certaintyRating <rating/x> .\n"
        "<rating/x> a ev:CertaintyRating ; ev:gradeDomain ev:Imprecision ; ev:levels 1 ."
    )
    with pytest.raises(InvalidBatch) as raised:
        write_turtle(examples, body)
    assert any(v.focus_node == BASE + "rating/x" for v in raised.value.report.violations)


def test_a_later_write_that_only_changes_the_label_does_not_falsely_fail(
    examples, write_turtle
) -> None:
    write_turtle(examples, certainty("ModerateCertainty"), "grade.ttl")
    finding = f"<{FINDING}soran2018-os>"
    # a SPARQL update replacing the label where it is stored
    planned = prepare_update(
        examples,
        PREFIXES + f"DELETE {{ GRAPH ?g {{ {finding} rdfs:label ?old }} }} "
        f'INSERT {{ GRAPH ?g {{ {finding} rdfs:label "Soran 2018: OS (MF07-01)" }} }} '
        f"WHERE {{ GRAPH ?g {{ {finding} rdfs:label ?old }} }}",
        BASE,
    )
    assert planned.report.conforms, [v.message for v in planned.report.violations]
    commit_change(examples, planned, BASE, "editor")
    # a load that only adds a comment to the finding
    write_turtle(examples, f'{finding} rdfs:comment "relabelled" .', "note.ttl")
    [(label,)] = select(examples, f"SELECT ?l WHERE {{ {finding} rdfs:label ?l }}")
    assert str(label) == "Soran 2018: OS (MF07-01)"
    # and the certainty, still judged with its stored ratings, cannot be changed to one that
    # does not follow from them
    with pytest.raises(InvalidBatch):
        update(
            examples,
            f"DELETE {{ GRAPH ?g {{ {finding} ev:certainty ?c }} }} "
            f"INSERT {{ GRAPH ?g {{ {finding} ev:certainty ev:HighCertainty }} }} "
            f"WHERE {{ GRAPH ?g {{ {finding} ev:certainty ?c }} }}",
        )


def test_changing_a_stored_rating_is_judged_against_the_certainty_that_holds_it(
    examples, write_turtle
) -> None:
    write_turtle(examples, certainty("ModerateCertainty"), "grade.ttl")
    rating = f"<{BASE}rating/soran2018-os/risk-of-bias>"
    planned = prepare_update(
        examples,
        PREFIXES + f"DELETE {{ GRAPH ?g {{ {rating} ev:levels ?l }} }} "
        f"INSERT {{ GRAPH ?g {{ {rating} ev:levels -2 }} }} "
        f"WHERE {{ GRAPH ?g {{ {rating} ev:levels ?l }} }}",
        BASE,
    )
    # high - 2 is low, but the finding's certainty stays moderate
    assert not planned.report.conforms
