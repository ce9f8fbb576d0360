"""Citation chasing from seed publications, as reviewers do it, on networkx over the citations
that SPARQL fetches hop by hop (never a copy of the store).

A chase follows citations ``backward`` (what a seed cites), ``forward`` (what cites it) or
``both``, up to ``hops`` steps. Each publication found is listed once, with every seed that
reaches it, in how few hops, and how, named by the steps of its shortest chains:

==========  ===========  ==========================================================
term        steps        meaning
==========  ===========  ==========================================================
backward    B, BB, ...   the seed cites it (or cites what cites it...)
forward     F, FF, ...   it cites the seed (or cites what cites the seed...)
co-cited    FB, FFB...   a work that cites the seed cites it too
co-citing   BF, BBF...   it cites what the seed cites (bibliographic coupling)
mixed       FBF, BFB...  chains that turn more than once (three hops or more)
==========  ===========  ==========================================================

Ranks: ``co-citation`` counts the works that cite it and a seed; ``coupling`` the works it
cites that a seed cites too; ``relatedness`` is their sum; ``pagerank`` is PageRank over the
citations among the publications found and the seeds. Ties go to more seeds, fewer hops, the
IRI. Only the ranking's own scores are computed (the others are None), and only the records
returned are described (title, authors, identifiers...): about 1 ms each on a large store.

Errors::

    ValueError
    └── ChaseError          a request that cannot be chased (unknown direction, hops...)
    graph.citations.UnknownPublication, graph.citations.BadIdentifier: a seed
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import networkx as nx

from graph.citations import Publication, citers, describe, references, resolve
from graph.namespaces import CITO, DCTERMS, PROV, RDFS
from graph.store import Store

__all__ = [
    "DEFAULT_LIMIT",
    "DIRECTIONS",
    "MAX_HOPS",
    "RANKINGS",
    "ChaseError",
    "ChaseRequest",
    "ChaseResult",
    "Record",
    "chase",
]

DIRECTIONS = ("backward", "forward", "both")
RANKINGS = ("relatedness", "co-citation", "coupling", "pagerank")
#: What the command line and the HTTP API return unless told otherwise: every record returned is
#: described, about 1 ms each on a large store, and a chase can find most of the graph.
DEFAULT_LIMIT = 1000
MAX_HOPS = 3  # three hops from a median paper of a 100k graph reach most of it
_STEPS = {"backward": "B", "forward": "F", "both": "BF"}
_TERMS = {"B": "backward", "F": "forward", "FB": "co-cited", "BF": "co-citing", "X": "mixed"}


class ChaseError(ValueError):
    """A chase request that cannot be run: says which field is wrong and why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class ChaseRequest:
    """What to chase: seeds (``doi:``, ``pmid:``, ``pmcid:``, IRIs or base-relative IRIs)."""

    seeds: tuple[str, ...]
    direction: str = "both"
    hops: int = 1
    ranking: str = "relatedness"
    limit: int | None = None  # the best ``limit`` records; None for all

    def check(self) -> None:
        """Raise ChaseError for a field out of range."""
        if not self.seeds:
            raise ChaseError("seeds", "give at least one seed publication")
        if self.direction not in DIRECTIONS:
            raise ChaseError("direction", f"{self.direction!r} is not one of {DIRECTIONS}")
        if not 1 <= self.hops <= MAX_HOPS:
            raise ChaseError("hops", f"{self.hops} is not between 1 and {MAX_HOPS}")
        if self.ranking not in RANKINGS:
            raise ChaseError("ranking", f"{self.ranking!r} is not one of {RANKINGS}")
        if self.limit is not None and self.limit < 1:
            raise ChaseError("limit", f"{self.limit} is not a positive number")


@dataclass
class Reach:
    """How one seed reaches a publication: in ``hops`` steps, by chains of these kinds."""

    seed: str
    hops: int
    directions: list[str]


@dataclass
class Record:
    """A publication the chase found."""

    publication: Publication
    hops: int
    reached: list[Reach]
    path: list[str]  # one shortest chain of citations, from its seed to this publication
    co_citation: int | None  # None when the ranking does not use it
    coupling: int | None
    pagerank: float | None
    rank: int = 0
    sources: list[dict] = field(default_factory=list)  # imports holding its last citation

    @property
    def directions(self) -> list[str]:
        return sorted({d for reach in self.reached for d in reach.directions})

    def as_json(self) -> dict:
        p = self.publication
        return {
            "rank": self.rank,
            "iri": p.iri,
            "ids": p.ids,
            "title": p.title,
            "year": p.year,
            "authors": sorted(p.authors),
            "journal": p.journal,
            "known": p.known,
            "evidence": p.evidence,
            "hops": self.hops,
            "directions": self.directions,
            "reached": [vars(r) for r in self.reached],
            "co_citation": self.co_citation,
            "coupling": self.coupling,
            "pagerank": None if self.pagerank is None else round(self.pagerank, 6),
            "path": self.path,
            "sources": self.sources,
        }


@dataclass
class ChaseResult:
    """The publications found, ranked (the best ``limit`` of ``total``), and the counts."""

    request: ChaseRequest
    seeds: list[Publication]
    records: list[Record]
    total: int
    per_hop: dict[int, int]
    per_direction: dict[str, int]
    known: int  # among the records returned
    citations: int  # citations fetched
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def as_json(self) -> dict:
        return {
            "chase": {
                "seeds": [{"iri": s.iri, "ids": s.ids, "title": s.title} for s in self.seeds],
                "direction": self.request.direction,
                "hops": self.request.hops,
                "ranking": self.request.ranking,
                "limit": self.request.limit,
                "created": self.created,
                "total": self.total,
                "returned": len(self.records),
                "known": self.known,
                "per_hop": {str(h): n for h, n in sorted(self.per_hop.items())},
                "per_direction": dict(sorted(self.per_direction.items())),
                "citations_fetched": self.citations,
            },
            "records": [r.as_json() for r in self.records],
        }


def chase(store: Store, request: ChaseRequest, base_iri: str) -> ChaseResult:
    """Run ``request``; the seeds must be stored publications."""
    request.check()
    seeds = list(dict.fromkeys(str(resolve(store, s, base_iri)) for s in request.seeds))
    walk = _Walk(store)
    reach = walk.run(seeds, _STEPS[request.direction], request.hops)
    found = [n for n in reach if n not in set(seeds)]
    co_citation, coupling = walk.relatedness(seeds, request.ranking)
    pagerank = (
        nx.pagerank(walk.graph.subgraph([*seeds, *found]))
        if found and request.ranking == "pagerank"
        else None
    )
    scores = {"co-citation": co_citation, "coupling": coupling, "pagerank": pagerank}
    score: dict[str, float] = (
        _sum(co_citation or {}, coupling or {})
        if request.ranking == "relatedness"
        else scores[request.ranking] or {}
    )
    hops = {n: min(h for h, _ in reach[n].values()) for n in found}
    found.sort(key=lambda n: (-score.get(n, 0), -len(reach[n]), hops[n], str(n)))
    kept = found[: request.limit] if request.limit else found
    records = [
        _record(n, rank, reach[n], walk.parents, co_citation, coupling, pagerank)
        for rank, n in enumerate(kept, 1)
    ]
    described = describe(store, kept)  # only those returned: 1 ms each
    for record in records:
        record.publication = described[record.publication.iri]
    _add_sources(store, records)
    return ChaseResult(
        request=request,
        seeds=list(describe(store, seeds).values()),
        records=records,
        total=len(found),
        per_hop=_count(hops.values()),
        per_direction=_count(
            d for n in found for d in {_TERMS[k] for _, kinds in reach[n].values() for k in kinds}
        ),
        known=sum(r.publication.known for r in records),
        citations=walk.graph.number_of_edges(),
    )


def _sum(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {n: a.get(n, 0) + b.get(n, 0) for n in a.keys() | b.keys()}


class _Walk:
    """Breadth-first over citations, fetching each publication's references or citers once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.graph = nx.DiGraph()  # citing -> cited
        self.parents: dict[tuple[str, str], str] = {}  # (seed, node) -> the node before
        self._out: set[str] = set()
        self._in: set[str] = set()

    def fetch(self, nodes: Iterable[str], step: str) -> None:
        """Make sure the references (B) or citers (F) of ``nodes`` are in the graph."""
        have = self._out if step == "B" else self._in
        wanted = [n for n in nodes if n not in have]
        have.update(wanted)
        self.graph.add_edges_from((references if step == "B" else citers)(self.store, wanted))

    def neighbours(self, node: str, step: str) -> Iterable[str]:
        if node not in self.graph:
            return ()
        return self.graph.successors(node) if step == "B" else self.graph.predecessors(node)

    def run(
        self, seeds: Sequence[str], steps: str, hops: int
    ) -> dict[str, dict[str, tuple[int, set[str]]]]:
        """For each publication reached: seed -> (fewest hops, kinds of those chains)."""
        reach: dict[str, dict[str, tuple[int, set[str]]]] = {}
        frontier = {seed: {seed: {""}} for seed in seeds}
        seen = {seed: {seed} for seed in seeds}
        for hop in range(1, hops + 1):
            for step in steps:
                self.fetch({n for layer in frontier.values() for n in layer}, step)
            for seed, layer in frontier.items():
                found: dict[str, set[str]] = {}
                known = seen[seed]
                for node, kinds in layer.items():
                    for step in steps:
                        then = {_then(kind, step) for kind in kinds}
                        for neighbour in self.neighbours(node, step):
                            if neighbour in known:
                                continue
                            if neighbour in found:
                                found[neighbour] |= then
                            else:
                                found[neighbour] = set(then)
                                self.parents[seed, neighbour] = node
                known.update(found)
                for node, kinds in found.items():
                    reach.setdefault(node, {})[seed] = (hop, kinds)
                frontier[seed] = found
        return reach

    def relatedness(
        self, seeds: Sequence[str], ranking: str
    ) -> tuple[dict[str, int] | None, dict[str, int] | None]:
        """Co-citation and coupling counts with the seeds, for every publication, when the
        ranking uses them (fetching the citers' references, the references' citers)."""
        co_citation: dict[str, int] | None = None
        coupling: dict[str, int] | None = None
        if ranking in ("relatedness", "co-citation"):
            co_citation = {}
            self.fetch(seeds, "F")
            citing = {c for s in seeds for c in self.graph.predecessors(s)}
            self.fetch(citing, "B")
            for work in citing:
                for cited in self.graph.successors(work):
                    co_citation[cited] = co_citation.get(cited, 0) + 1
        if ranking in ("relatedness", "coupling"):
            coupling = {}
            self.fetch(seeds, "B")
            cited = {c for s in seeds for c in self.graph.successors(s)}
            self.fetch(cited, "F")
            for work in cited:
                for citing in self.graph.predecessors(work):
                    coupling[citing] = coupling.get(citing, 0) + 1
        return co_citation, coupling


def _then(kind: str, step: str) -> str:
    """The kind of a chain of ``kind`` followed by one more ``step`` (see the module's table)."""
    if kind in ("", step):
        return step
    if kind == "X" or (len(kind) == 2 and kind[-1] != step):
        return "X"
    return kind + step if len(kind) == 1 else kind


def _record(
    node: str,
    rank: int,
    by_seed: dict[str, tuple[int, set[str]]],
    parents: dict[tuple[str, str], str],
    co_citation: dict[str, int] | None,
    coupling: dict[str, int] | None,
    pagerank: dict[str, float] | None,
) -> Record:
    reached = [
        Reach(str(seed), hops, sorted(_TERMS[k] for k in kinds))
        for seed, (hops, kinds) in sorted(by_seed.items(), key=lambda i: (i[1][0], str(i[0])))
    ]
    seed = reached[0].seed
    path = [node]
    while path[-1] != seed:
        path.append(parents[seed, path[-1]])
    return Record(
        publication=Publication(node),
        hops=reached[0].hops,
        reached=reached,
        path=[str(n) for n in reversed(path)],
        co_citation=None if co_citation is None else co_citation.get(node, 0),
        coupling=None if coupling is None else coupling.get(node, 0),
        pagerank=None if pagerank is None else pagerank.get(node, 0.0),
        rank=rank,
    )


def _count(items: Iterable) -> dict:
    counts: dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def _add_sources(store: Store, records: Sequence[Record]) -> None:
    """Where the citation that reached each record came from: the imports that hold it."""
    by_edge: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        a, b = record.path[-2], record.path[-1]
        by_edge.setdefault((a, b), []).append(record)
    edges = list(by_edge)
    for start in range(0, len(edges), 200):
        pairs = " ".join(f"(<{a}> <{b}>)" for a, b in edges[start : start + 200])
        query = f"""SELECT ?a ?b ?g ?source ?time ?agent WHERE {{
          VALUES (?x ?y) {{ {pairs} }}
          {{ GRAPH ?g {{ ?x <{CITO.cites}> ?y }} }} UNION {{ GRAPH ?g {{ ?y <{CITO.cites}> ?x }} }}
          BIND(?x AS ?a) BIND(?y AS ?b)
          OPTIONAL {{ ?g <{DCTERMS.source}> ?source }}
          OPTIONAL {{ ?g <{PROV.generatedAtTime}> ?time }}
          OPTIONAL {{ ?g <{PROV.wasAttributedTo}>/<{RDFS.label}> ?agent }}
        }}"""
        found: dict[tuple[str, str, str], dict] = {}
        for a, b, g, source, time, agent in store.query(query).rows:
            entry = found.setdefault(
                (str(a), str(b), str(g)),
                {
                    "graph": str(g),
                    "files": [],
                    "time": None if time is None else str(time),
                    "agent": None if agent is None else str(agent),
                },
            )
            if source is not None and str(source) not in entry["files"]:
                entry["files"] = sorted([*entry["files"], str(source)])
        for (a, b, _), entry in sorted(found.items()):
            for record in by_edge[a, b]:
                record.sources.append(entry)
