"""graph.evidence_map: what supports or challenges a hypothesis, claim or finding, directly or
through chains, on the example evidence and on a small hand-written graph with a cycle."""

import pytest
from rdflib import URIRef

from graph.evidence_map import NotInGraph, evidence_map, evidence_subgraph, list_hypotheses
from graph.namespaces import EV, PROV, RDF
from graph.store import Store
from tests.conftest import BASE

HYPOTHESIS = BASE + "hypothesis/primary-removal-accelerates-metastases"
NO_OS_BENEFIT = BASE + "claim/badwe-no-os-benefit"
DISTANT_PFS = BASE + "finding/badwe2013-distant-pfs"
GROWTH_ADVANTAGE = BASE + "claim/badwe-growth-advantage"
EXAMPLE_FILES = ("citations.ttl", "claims.ttl", "publications.ttl", "studies.ttl")


def short(iri: str) -> str:
    return iri.removeprefix(BASE)


def stances(evidence_map_json: dict) -> dict[str, tuple[str, int]]:
    return {short(n["iri"]): (n["stance"], n["depth"]) for n in evidence_map_json["evidence"]}


# ---------------------------------------------------------------------------------------------
# The example evidence
# ---------------------------------------------------------------------------------------------


def test_hypothesis_map_has_three_direct_supporters(examples) -> None:
    data = evidence_map(examples, HYPOTHESIS).as_json()
    assert data["target"]["kind"] == "hypothesis"
    assert data["target"]["attributed_to"] == ["Bernard Fisher"]
    assert stances(data) == {
        "claim/fisher-growth-factor": ("supports", 1),
        "claim/badwe-growth-advantage": ("supports", 1),
        "finding/badwe2013-distant-pfs": ("supports", 1),
    }
    assert data["summary"] == {"supporting": 3, "challenging": 0, "mixed": 0, "direct": 3}
    assert data["cycles"] == []
    # the local-PFS finding is about local control and is not linked
    assert all("local-pfs" not in n["iri"] for n in data["evidence"])
    # the distant-PFS finding supports the hypothesis and a claim that supports it too
    links = {
        (short(link["source"]), link["relation"], short(link["target"])) for link in data["links"]
    }
    assert links == {
        ("claim/fisher-growth-factor", "supports", short(HYPOTHESIS)),
        ("claim/badwe-growth-advantage", "supports", short(HYPOTHESIS)),
        ("finding/badwe2013-distant-pfs", "supports", short(HYPOTHESIS)),
        ("finding/badwe2013-distant-pfs", "supports", short(GROWTH_ADVANTAGE)),
    }
    distant = next(n for n in data["evidence"] if n["iri"] == DISTANT_PFS)
    assert distant["chains"] == {"supports": [DISTANT_PFS, HYPOTHESIS]}


def test_the_evidence_says_what_it_is(examples) -> None:
    data = evidence_map(examples, HYPOTHESIS).as_json()
    nodes = {short(n["iri"]): n for n in data["evidence"]}
    distant = nodes["finding/badwe2013-distant-pfs"]
    assert distant["kind"] == "finding"
    assert distant["study"]["evidence_type"] == "human RCT"
    assert distant["study"]["issued"] == "2013-12-11" and distant["year"] == 2013
    [estimate] = distant["estimates"]
    assert estimate["measure"] == "HazardRatio"
    assert (estimate["point"], estimate["p_value"], estimate["p_comparator"]) == (1.42, 0.01, "=")
    assert estimate["ci_lower"] is None
    assert estimate["relative_to"] == "no locoregional treatment"
    fisher = nodes["claim/fisher-growth-factor"]
    assert fisher["kind"] == "claim" and fisher["year"] == 1989
    assert fisher["attributed_to"] == ["Bernard Fisher"]
    assert fisher["study"]["evidence_type"] == "animal in vivo"
    assert fisher["source"]["iri"] == BASE + "publication/fisher1989"


def test_claim_map_of_badwe_no_os_benefit(examples) -> None:
    data = evidence_map(examples, NO_OS_BENEFIT).as_json()
    assert data["target"]["kind"] == "claim"
    assert stances(data) == {
        "finding/soran2018-os": ("challenges", 1),
        "finding/badwe2015-os": ("supports", 1),
        "finding/khan2022-os": ("supports", 1),
        "claim/osborne-practice-changing": ("supports", 1),
    }
    assert data["summary"] == {"supporting": 3, "challenging": 1, "mixed": 0, "direct": 4}
    # Fitzal is deliberately not linked (which arm its HR is relative to is ambiguous)
    assert all("fitzal" not in n["iri"] for n in data["evidence"])
    soran = next(n for n in data["evidence"] if n["iri"].endswith("soran2018-os"))
    [estimate] = soran["estimates"]  # once, although its reference arm has two labels
    assert (estimate["point"], estimate["ci_lower"], estimate["ci_upper"]) == (0.66, 0.49, 0.88)
    assert estimate["relative_to"] == "systemic therapy alone"
    khan = next(n for n in data["evidence"] if n["iri"].endswith("khan2022-os"))
    assert [e["ci_level"] for e in khan["estimates"]] == [0.9]


def test_link_provenance_of_the_examples(examples) -> None:
    evidence = evidence_map(examples, NO_OS_BENEFIT)
    assert len(evidence.links) == 4
    graphs = {str(g) for g in examples.named_graphs()}
    for link in evidence.links:
        assert link.graph in graphs
        assert link.asserted_by == "evidence-graph"
        assert link.asserted_at is not None and link.asserted_at[:2] == "20"
        assert link.sources == EXAMPLE_FILES


def test_a_finding_with_nothing_linked_to_it_has_an_empty_map(examples) -> None:
    data = evidence_map(examples, BASE + "finding/soran2018-os").as_json()
    assert data["target"]["kind"] == "finding"
    assert data["target"]["study"]["label"] == "MF07-01 trial (Soran)"
    assert data["evidence"] == [] and data["links"] == [] and data["cycles"] == []
    assert data["summary"] == {"supporting": 0, "challenging": 0, "mixed": 0, "direct": 0}


def test_the_certainty_of_a_finding_is_on_the_map(examples, write_turtle) -> None:
    write_turtle(
        examples,
        """
        <finding/soran2018-os> ev:certainty ev:ModerateCertainty ;
            ev:startingCertainty ev:HighCertainty ;
            ev:certaintyRating <rating/soran/rob> , <rating/soran/imprecision> .
        <rating/soran/rob> a ev:CertaintyRating ; ev:gradeDomain ev:RiskOfBias ;
            ev:levels -1 ; rdfs:comment "open label" .
        <rating/soran/imprecision> a ev:CertaintyRating ; ev:gradeDomain ev:Imprecision ;
            ev:levels 0 .
        """,
    )
    data = evidence_map(examples, NO_OS_BENEFIT).as_json()
    soran = next(n for n in data["evidence"] if n["iri"].endswith("soran2018-os"))
    assert soran["certainty"] == {
        "level": "moderate",
        "starting": "high",
        "ratings": [
            {"domain": "imprecision", "levels": 0, "reason": None},
            {"domain": "risk of bias", "levels": -1, "reason": "open label"},
        ],
    }
    subgraph = evidence_subgraph(examples, NO_OS_BENEFIT)
    assert (URIRef(BASE + "rating/soran/rob"), EV.levels, None) in subgraph
    # a rating with its reason in two languages is still one rating
    write_turtle(examples, '<rating/soran/rob> rdfs:comment "offen"@de .')
    soran = next(
        n
        for n in evidence_map(examples, NO_OS_BENEFIT).as_json()["evidence"]
        if n["iri"].endswith("soran2018-os")
    )
    assert [r["domain"] for r in soran["certainty"]["ratings"]] == ["imprecision", "risk of bias"]


def test_list_hypotheses_on_the_examples(examples) -> None:
    assert list_hypotheses(examples) == [
        {
            "iri": HYPOTHESIS,
            "label": "Removal of the primary tumour accelerates distant metastases",
            "statement": (
                "Surgical removal of the primary tumour confers a growth advantage on distant "
                "metastases (a growth factor released after removal)."
            ),
            "supporting": 3,
            "challenging": 0,
        }
    ]


# ---------------------------------------------------------------------------------------------
# A hand-written graph: a chain, a cycle, and a node reached both ways
#
#   A supports H;  B challenges A;  C supports B and B supports C (a cycle);
#   D supports A and D supports B (so D reaches H positively and negatively);
#   E challenges H;  X supports Y (unrelated to H)
# ---------------------------------------------------------------------------------------------

NODES = """
<person/ann> a foaf:Person ; rdfs:label "Ann" .
<publication/p> a fabio:JournalArticle ; dcterms:title "P" ; dcterms:issued "2020"^^xsd:gYear .
<h> a ev:Hypothesis ; rdfs:label "H" ; ev:statement "H holds." .
<y> a ev:Hypothesis ; rdfs:label "Y" ; ev:statement "Y holds." .
""" + "".join(
    f'<{name}> a ev:Claim ; rdfs:label "{name.upper()}" ; ev:statement "{name.upper()} says." ; '
    f"prov:wasAttributedTo <person/ann> ; prov:hadPrimarySource <publication/p> ; "
    f'prov:generatedAtTime "20{10 + i}-01-01"^^xsd:date .\n'
    for i, name in enumerate("abcdex")
)
FIRST_LINKS = "<a> ev:supports <h> . <x> ev:supports <y> .\n"
MORE_LINKS = """
<b> ev:challenges <a> .
<c> ev:supports <b> .
<b> ev:supports <c> .
<d> ev:supports <a> , <b> .
<e> ev:challenges <h> .
"""


@pytest.fixture
def chains(empty: Store, write_turtle) -> tuple[Store, str, str]:
    """The hand-written graph, in two writes by two agents; their graphs' IRIs."""
    first = write_turtle(empty, NODES + FIRST_LINKS, "nodes.ttl", agent="alice")
    second = write_turtle(empty, MORE_LINKS, "links.ttl", agent="bob")
    return empty, first.graph, second.graph


def test_chains_give_stances_depths_and_a_mixed_node(chains) -> None:
    store, _, _ = chains
    data = evidence_map(store, BASE + "h").as_json()
    assert stances(data) == {
        "a": ("supports", 1),
        "e": ("challenges", 1),
        "b": ("challenges", 2),
        "d": ("mixed", 2),
        "c": ("challenges", 3),
    }
    assert [short(n["iri"]) for n in data["evidence"]] == ["e", "a", "b", "d", "c"]
    assert data["summary"] == {"supporting": 1, "challenging": 3, "mixed": 1, "direct": 2}
    nodes = {short(n["iri"]): n for n in data["evidence"]}
    h = BASE + "h"
    assert nodes["b"]["chains"] == {"challenges": [BASE + "b", BASE + "a", h]}
    assert nodes["c"]["chains"] == {"challenges": [BASE + "c", BASE + "b", BASE + "a", h]}
    assert nodes["d"]["chains"] == {
        "supports": [BASE + "d", BASE + "a", h],
        "challenges": [BASE + "d", BASE + "b", BASE + "a", h],
    }
    assert all(n["kind"] == "claim" and n["attributed_to"] == ["Ann"] for n in nodes.values())
    assert nodes["c"]["year"] == 2012 and nodes["c"]["label"] == "C"
    assert data["target"]["kind"] == "hypothesis" and data["target"]["label"] == "H"


def test_the_cycle_ends_the_walk_and_is_reported(chains) -> None:
    store, _, _ = chains
    evidence = evidence_map(store, BASE + "h")
    [cycle] = evidence.cycles
    assert sorted(cycle) == [BASE + "b", BASE + "c"]
    # a target inside the cycle is not its own evidence
    around_b = evidence_map(store, BASE + "b").as_json()
    assert stances(around_b) == {"c": ("supports", 1), "d": ("supports", 1)}
    assert [sorted(c) for c in around_b["cycles"]] == [[BASE + "b", BASE + "c"]]


def test_links_carry_their_provenance(chains) -> None:
    store, first, second = chains
    links = {
        (short(x.source), x.relation, short(x.target)): x
        for x in evidence_map(store, BASE + "h").links
    }
    assert set(links) == {
        ("a", "supports", "h"),
        ("b", "challenges", "a"),
        ("c", "supports", "b"),
        ("b", "supports", "c"),
        ("d", "supports", "a"),
        ("d", "supports", "b"),
        ("e", "challenges", "h"),
    }
    assert (links["a", "supports", "h"].graph, links["a", "supports", "h"].asserted_by) == (
        first,
        "alice",
    )
    assert links["a", "supports", "h"].sources == ("nodes.ttl",)
    for key, link in links.items():
        if key != ("a", "supports", "h"):
            assert (link.graph, link.asserted_by, link.sources) == (second, "bob", ("links.ttl",))
        assert link.asserted_at is not None


def test_the_same_link_asserted_twice_is_listed_with_each_graph(chains, write_turtle) -> None:
    store, first, _ = chains
    third = write_turtle(store, "<a> ev:supports <h> .", "again.ttl", agent="carol").graph
    links = [x for x in evidence_map(store, BASE + "h").links if short(x.source) == "a"]
    assert {(x.graph, x.asserted_by) for x in links} == {(first, "alice"), (third, "carol")}


def test_evidence_subgraph_returns_the_rdf_of_the_nodes(chains) -> None:
    store, first, second = chains
    graph = evidence_subgraph(store, BASE + "h")
    a, b, h, x = (URIRef(BASE + n) for n in ("a", "b", "h", "x"))
    assert (a, EV.supports, h) in graph
    assert (b, EV.challenges, a) in graph
    assert (h, RDF.type, EV.Hypothesis) in graph
    assert (URIRef(BASE + "c"), EV.statement, None) in graph
    assert not list(graph.triples((x, None, None)))  # unrelated to H
    for named in (first, second):
        assert (URIRef(named), PROV.wasAttributedTo, None) in graph


def test_an_unknown_iri_is_not_in_the_graph(chains) -> None:
    store, _, _ = chains
    with pytest.raises(NotInGraph, match="nowhere"):
        evidence_map(store, BASE + "nowhere")
    with pytest.raises(NotInGraph):
        evidence_subgraph(store, BASE + "nowhere")
    # a node that is there but is no hypothesis, claim or finding
    with pytest.raises(NotInGraph, match="not a hypothesis, claim or finding"):
        evidence_map(store, BASE + "person/ann")


def test_list_hypotheses_counts_direct_links(chains) -> None:
    store, _, _ = chains
    counts = {short(h["iri"]): (h["supporting"], h["challenging"]) for h in list_hypotheses(store)}
    assert counts == {"h": (1, 1), "y": (1, 0)}
