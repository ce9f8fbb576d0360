"""The evidence map of a hypothesis, claim or finding: everything that supports or challenges it,
directly or through a chain, with what each piece of evidence is and who linked it, from where.

SPARQL fetches the subgraph of ``ev:supports``/``ev:challenges`` links that lead to the target
and the descriptions of the nodes on it; networkx follows the chains. A chain's sign is the
product of its links' signs (a challenge to a supporter challenges the target), so each node is
followed over (node, sign) pairs: cycles end the walk instead of looping, and a node reached both
ways is "mixed".
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

import queries
from graph.namespaces import EV, PREFIXES
from graph.sparql_patterns import COMPARATIVE, INTERVAL_AND_P
from graph.store import Store

__all__ = [
    "EvidenceMap",
    "Link",
    "NotInGraph",
    "evidence_map",
    "evidence_subgraph",
    "list_hypotheses",
]

_MAX_CYCLES = 20
_SIGN = {EV.supports: 1, EV.challenges: -1}
_STANCE = {1: "supports", -1: "challenges"}
_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
_REACHES = "(ev:supports|ev:challenges)*"


class NotInGraph(LookupError):
    """The target is not a hypothesis, claim or finding in the graph."""


@dataclass(frozen=True)
class Link:
    """One support or challenge, with who asserted it and from where."""

    source: str
    relation: str  # "supports" or "challenges"
    target: str
    graph: str
    asserted_by: str | None
    asserted_at: str | None
    sources: tuple[str, ...]


@dataclass
class EvidenceMap:
    """The target, the evidence that bears on it, the links, and the cycles among them."""

    target: dict
    evidence: list[dict]
    links: list[Link]
    cycles: list[list[str]] = field(default_factory=list)

    def as_json(self) -> dict:
        """The map as plain JSON-ready data."""
        stances = defaultdict(int)
        for node in self.evidence:
            stances[node["stance"]] += 1
        return {
            "target": self.target,
            "summary": {
                "supporting": stances["supports"],
                "challenging": stances["challenges"],
                "mixed": stances["mixed"],
                "direct": sum(1 for n in self.evidence if n["depth"] == 1),
            },
            "evidence": self.evidence,
            "links": [vars(link) for link in self.links],
            "cycles": self.cycles,
        }


def _check_target(store: Store, node: str) -> URIRef:
    """``node`` as an IRI; NotInGraph unless it is a hypothesis, claim or finding in the graph
    (a study has triples too, but no evidence map)."""
    try:
        ox.NamedNode(node)
    except ValueError as error:
        raise NotInGraph(f"{node!r} is not an IRI: {error}") from None
    iri = URIRef(node)
    kinds = ", ".join(k.n3() for k in (EV.Hypothesis, EV.Claim, EV.Finding))
    if not store.query(f"ASK {{ {iri.n3()} a ?kind FILTER (?kind IN ({kinds})) }}").boolean:
        raise NotInGraph(f"<{node}> is not a hypothesis, claim or finding in the graph")
    return iri


def list_hypotheses(store: Store) -> list[dict]:
    """Every hypothesis with its label, statement, and how many claims and findings support
    and challenge it directly (the stored query ``hypothesis-list``)."""
    query = (queries.folder() / "hypothesis-list.rq").read_text(encoding="utf-8")
    result = store.query(query)
    found = []
    for row in result.rows:
        r = dict(zip(result.variables, row, strict=True))
        found.append(
            {
                "iri": str(r["hypothesis"]),
                "label": _text(r["label"]),
                "statement": _text(r["statement"]),
                "supporting": int(r["supporting"]),
                "challenging": int(r["challenging"]),
            }
        )
    return found


def evidence_map(store: Store, target: str) -> EvidenceMap:
    """Everything that supports or challenges ``target`` (an IRI), directly or through chains."""
    node = _check_target(store, target)
    links = _links(store, node)
    chains = nx.DiGraph()
    for link in links:
        chains.add_edge(URIRef(link.source), URIRef(link.target), sign=_SIGN[EV[link.relation]])
    nodes = sorted(set(chains.nodes) | {node})
    described = _describe(store, nodes)
    evidence = []
    for iri, (stance, depth, paths) in _stances(chains, node).items():
        evidence.append(described[iri] | {"stance": stance, "depth": depth, "chains": paths})
    evidence.sort(key=lambda n: (n["depth"], n["stance"], n.get("year") or 0, n["iri"]))
    cycles = [[str(n) for n in c] for c in islice(nx.simple_cycles(chains), _MAX_CYCLES)]
    return EvidenceMap(described[node], evidence, links, cycles)


def evidence_subgraph(store: Store, target: str) -> Graph:
    """The triples behind the map as RDF: the nodes on it, their estimates and certainty
    ratings, and the provenance of the graphs that hold the links."""
    node = _check_target(store, target)
    links = _links(store, node)
    nodes = {node} | {URIRef(v) for link in links for v in (link.source, link.target)}
    graphs = {URIRef(link.graph) for link in links}
    values = " ".join(n.n3() for n in sorted(nodes))
    named = " ".join(g.n3() for g in sorted(graphs))
    result = store.query(
        f"""{_PREFIXES}
        CONSTRUCT {{ ?s ?p ?o }} WHERE {{
          {{ VALUES ?s {{ {values} }} ?s ?p ?o }}
          UNION {{ VALUES ?n {{ {values} }}
                   ?n ev:estimate|ev:certaintyRating|ev:study ?s . ?s ?p ?o }}
          UNION {{ VALUES ?s {{ {named} }} ?s ?p ?o }}
        }}"""
    )
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in result.triples:
        graph.add(triple)
    return graph


def _links(store: Store, target: URIRef) -> list[Link]:
    rows = _select(
        store,
        f"""SELECT ?source ?relation ?target ?graph ?agent ?time
                   (GROUP_CONCAT(DISTINCT STR(?file); separator="\\n") AS ?files)
        WHERE {{
          ?source {_REACHES} {target.n3()} .
          GRAPH ?graph {{ ?source ?relation ?target }}
          FILTER (?relation IN (ev:supports, ev:challenges))
          ?target {_REACHES} {target.n3()} .
          OPTIONAL {{ ?graph prov:wasAttributedTo ?by OPTIONAL {{ ?by rdfs:label ?byLabel }} }}
          BIND (COALESCE(?byLabel, ?by) AS ?agent)
          OPTIONAL {{ ?graph prov:generatedAtTime ?time }}
          OPTIONAL {{ ?graph dcterms:source ?file }}
        }}
        GROUP BY ?source ?relation ?target ?graph ?agent ?time
        ORDER BY ?source ?relation ?target ?graph""",
    )
    return [
        Link(
            str(r["source"]),
            str(r["relation"]).rsplit("#", 1)[-1],
            str(r["target"]),
            str(r["graph"]),
            _text(r["agent"]),
            _text(r["time"]),
            tuple(sorted(str(r["files"]).split("\n"))) if r["files"] else (),
        )
        for r in rows
    ]


def _stances(chains: nx.DiGraph, target: URIRef) -> dict[Node, tuple[str, int, dict]]:
    """Each node's stance towards ``target``, the length of its shortest chain, and one
    shortest chain per sign it reaches the target with."""
    signed = nx.DiGraph()
    for source, end, data in chains.edges(data=True):
        for sign in (1, -1):
            signed.add_edge((source, sign * data["sign"]), (end, sign))
    goal = (target, 1)
    if goal not in signed:
        return {}
    towards = nx.single_source_shortest_path(signed.reverse(copy=False), goal)
    found: dict[Node, dict[int, list]] = defaultdict(dict)
    for (node, sign), path in towards.items():
        if node != target or sign != 1:
            found[node][sign] = [str(n) for n, _ in reversed(path)]
    stances = {}
    for node, paths in found.items():
        if node == target:
            continue
        stance = "mixed" if len(paths) == 2 else _STANCE[next(iter(paths))]
        depth = min(len(p) - 1 for p in paths.values())
        stances[node] = (stance, depth, {_STANCE[s]: p for s, p in sorted(paths.items())})
    return stances


def _describe(store: Store, nodes: list[URIRef]) -> dict[Node, dict]:
    """What each node is: kind, label, statement, who said it, its study, estimate, certainty."""
    values = " ".join(n.n3() for n in nodes)
    described: dict[Node, dict] = {}
    for r in _select(
        store,
        f"""SELECT ?node ?kind ?label ?statement ?by ?made ?primary ?primaryTitle WHERE {{
          VALUES ?node {{ {values} }}
          ?node a ?kind .
          FILTER (?kind IN (ev:Hypothesis, ev:Claim, ev:Finding))
          OPTIONAL {{ ?node rdfs:label ?label }}
          OPTIONAL {{ ?node ev:statement ?statement }}
          OPTIONAL {{ ?node prov:wasAttributedTo ?who OPTIONAL {{ ?who rdfs:label ?whoLabel }} }}
          BIND (COALESCE(?whoLabel, ?who) AS ?by)
          OPTIONAL {{ ?node prov:generatedAtTime ?made }}
          OPTIONAL {{ ?node prov:hadPrimarySource ?primary
                      OPTIONAL {{ ?primary dcterms:title ?primaryTitle }} }}
        }}""",
    ):
        entry = described.setdefault(r["node"], {"iri": str(r["node"])})
        entry["kind"] = str(r["kind"]).rsplit("#", 1)[-1].lower()
        for key in ("label", "statement", "made"):
            if r[key] is not None:
                entry[key] = str(r[key])
        if r["by"] is not None:
            entry.setdefault("attributed_to", [])
            if str(r["by"]) not in entry["attributed_to"]:
                entry["attributed_to"].append(str(r["by"]))
        if r["primary"] is not None:
            entry["source"] = {"iri": str(r["primary"]), "title": _text(r["primaryTitle"])}
    _add_studies(store, values, described)
    _add_estimates(store, values, described)
    _add_certainty(store, values, described)
    for entry in described.values():
        year = (entry.get("made") or entry.get("study", {}).get("issued") or "")[:4]
        entry["year"] = int(year) if year.isdigit() else None
    return described


def _add_studies(store: Store, values: str, described: dict[Node, dict]) -> None:
    for r in _select(
        store,
        f"""SELECT ?node ?study ?studyLabel ?design ?designLabel ?typeLabel ?publication ?issued
        WHERE {{
          VALUES ?node {{ {values} }}
          ?node ev:study|prov:wasDerivedFrom ?study . ?study a ev:Study .
          OPTIONAL {{ ?study rdfs:label ?studyLabel }}
          OPTIONAL {{ ?study ev:studyDesign ?design OPTIONAL {{ ?design rdfs:label ?designLabel }}
                      OPTIONAL {{ ?design ev:evidenceType/rdfs:label ?typeLabel }} }}
          OPTIONAL {{ ?node prov:wasDerivedFrom ?publication .
                      ?publication dcterms:issued ?issued }}
        }}""",
    ):
        if r["node"] in described:
            described[r["node"]]["study"] = {
                "iri": str(r["study"]),
                "label": _text(r["studyLabel"]),
                "design": _text(r["designLabel"]),
                "evidence_type": _evidence_type(r["design"], r["typeLabel"]),
                "publication": _text(r["publication"]),
                "issued": _text(r["issued"]),
            }


def _evidence_type(design: Node | None, eco_label: Node | None) -> str | None:
    """Human RCT, human cohort, animal in vivo...: the design read with its ECO type."""
    if design is None:
        return None
    names = {
        "OBCS_0000107": "human RCT",
        "OBCS_0000106": "human cohort",
        "OBI_0002624": "human case-control",
        "OBI_0001199": "animal in vivo",
    }
    return names.get(str(design).rsplit("/", 1)[-1], _text(eco_label))


def _add_estimates(store: Store, values: str, described: dict[Node, dict]) -> None:
    for r in _select(
        store,
        f"""SELECT ?node ?estimate ?type ?point ?lower ?upper ?level ?p ?pc ?reference ?refLabel
        WHERE {{
          VALUES ?node {{ {values} }}
          ?node ev:estimate ?estimate . ?estimate a ?type ; ev:pointEstimate ?point .
          FILTER (?type IN ({COMPARATIVE}))
          {INTERVAL_AND_P}
          OPTIONAL {{ ?node ev:referenceArm ?reference
                      OPTIONAL {{ ?reference skos:prefLabel|rdfs:label ?refLabel }} }}
        }} ORDER BY ?estimate DESC(LANGMATCHES(LANG(?refLabel), "en")) STR(?refLabel)""",
    ):
        if r["node"] not in described:
            continue
        estimates = described[r["node"]].setdefault("estimates", [])
        if any(e["iri"] == str(r["estimate"]) for e in estimates):
            continue  # another label of the reference arm: the first (English) one is kept
        estimates.append(
            {
                "iri": str(r["estimate"]),
                "measure": str(r["type"]).rsplit("#", 1)[-1],
                "point": _number(r["point"]),
                "ci_lower": _number(r["lower"]),
                "ci_upper": _number(r["upper"]),
                "ci_level": _number(r["level"]),
                "p_value": _number(r["p"]),
                "p_comparator": _text(r["pc"]),
                "relative_to": _text(r["refLabel"]) or _text(r["reference"]),
            }
        )


def _add_certainty(store: Store, values: str, described: dict[Node, dict]) -> None:
    seen: set[tuple[Node, Node]] = set()  # (node, rating): a rating's other labels add nothing
    for r in _select(
        store,
        f"""SELECT ?node ?level ?start ?rating ?domain ?levels ?reason WHERE {{
          VALUES ?node {{ {values} }}
          ?node ev:certainty/skos:prefLabel ?level .
          OPTIONAL {{ ?node ev:startingCertainty/skos:prefLabel ?start }}
          OPTIONAL {{ ?node ev:certaintyRating ?rating .
                      ?rating ev:gradeDomain/skos:prefLabel ?domain ; ev:levels ?levels .
                      OPTIONAL {{ ?rating rdfs:comment ?reason }} }}
        }} ORDER BY ?node ?domain ?rating ?reason""",
    ):
        if r["node"] not in described:
            continue
        certainty = described[r["node"]].setdefault(
            "certainty", {"level": str(r["level"]), "starting": _text(r["start"]), "ratings": []}
        )
        if r["domain"] is not None and (r["node"], r["rating"]) not in seen:
            seen.add((r["node"], r["rating"]))
            certainty["ratings"].append(
                {
                    "domain": str(r["domain"]),
                    "levels": int(r["levels"]),
                    "reason": _text(r["reason"]),
                }
            )


def _select(store: Store, body: str) -> list[dict[str, Node | None]]:
    result = store.query(f"{_PREFIXES}\n{body}")
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _number(node: Node | None) -> float | None:
    return None if node is None else float(node)
