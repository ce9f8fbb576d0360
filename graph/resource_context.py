"""What a node's page shows beyond the node's own triples, fetched a few steps out.

For a publication: what it cites and what cites it (capped, with counts), the studies it
reports and their findings, the claims read in it, the hypotheses these bear on, and its
citation neighbourhood (the publications one citation away, then those these cite most, up to
``PICTURE_NODES``). For a hypothesis, claim or finding: the claims and findings that support
or challenge it directly, each with the publication it was read from.
"""

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from graph.namespaces import EV, PREFIXES
from graph.resource_description import Name, names_of, values
from graph.store import Store

__all__ = [
    "PICTURE_NODES",
    "Bearing",
    "Context",
    "Entry",
    "Listing",
    "Neighbourhood",
    "PublicationContext",
    "context_of",
]

PICTURE_NODES = 24  # a legible picture; the rest are counted
_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


@dataclass(frozen=True)
class Entry:
    """A node as a page lists it."""

    iri: URIRef
    label: str
    year: int | None = None


@dataclass(frozen=True)
class Listing:
    """The first entries of a list, and how long it is."""

    count: int
    first: list[Entry]


@dataclass(frozen=True)
class Neighbourhood:
    """The publications to draw around one (the focus, first) and the citations among them."""

    nodes: list[Entry]
    edges: list[tuple[URIRef, URIRef]]  # citing -> cited
    left_out: int  # publications one citation away that are not drawn


@dataclass(frozen=True)
class PublicationContext:
    """A publication's citations, studies, findings, claims and hypotheses."""

    cites: Listing
    cited_by: Listing
    studies: list[tuple[Entry, list[Entry]]]  # each study with its findings
    claims: list[Entry]
    hypotheses: list[Entry]
    neighbourhood: Neighbourhood


@dataclass(frozen=True)
class Bearing:
    """A claim or finding that supports or challenges the node, and where it was read."""

    evidence: Entry
    kind: str  # "claim" or "finding"
    relation: str  # "supports" or "challenges"
    source: Entry | None


@dataclass
class Context:
    """What a page shows beyond the node's own triples."""

    bearing: list[Bearing] = field(default_factory=list)
    publication: PublicationContext | None = None


def context_of(store: Store, iri: URIRef, kind: str | None, cap: int = 50) -> Context:
    """The context of the page of ``iri``, a node of ``kind`` (``KINDS``); lists hold at most
    ``cap`` entries."""
    if kind == "publication":
        return Context(publication=_publication(store, iri, cap))
    if kind in ("hypothesis", "claim", "finding"):
        return Context(bearing=_bearing(store, iri, cap))
    return Context()


def _publication(store: Store, node: URIRef, cap: int) -> PublicationContext:
    at = values("node", [node])
    [(cites, cited_by)] = _rows(
        store,
        f"""SELECT (COUNT(DISTINCT ?cited) AS ?out) (COUNT(DISTINCT ?citing) AS ?in) WHERE {{
          {at} {{ ?node cito:cites ?cited }} UNION {{ ?citing cito:cites ?node }} }}""",
    )
    references, citers = (
        [
            row[0]
            for row in _rows(
                store,
                f"""SELECT ?x (MAX(STR(?issued)) AS ?date) WHERE {{ {at} {pattern}
                  OPTIONAL {{ ?x dcterms:issued ?issued }} }}
                GROUP BY ?x ORDER BY DESC(?date) ?x LIMIT {int(cap)}""",
            )
        ]
        for pattern in ("?node cito:cites ?x", "?x cito:cites ?node")
    )
    studies: dict[Node, list[Node]] = {}
    for study, finding in _rows(
        store,
        f"""SELECT ?study ?finding WHERE {{ {at} ?study ev:reportedIn ?node
          OPTIONAL {{ ?finding ev:study ?study }} }} ORDER BY ?study ?finding""",
    ):
        studies.setdefault(study, []).extend([finding] if finding is not None else [])
    claims = [
        row[0]
        for row in _rows(
            store,
            f"""SELECT DISTINCT ?claim WHERE {{ {at} ?claim prov:hadPrimarySource ?node }}
            ORDER BY ?claim LIMIT {int(cap)}""",
        )
    ]
    hypotheses = [
        row[0]
        for row in _rows(
            store,
            f"""SELECT DISTINCT ?h WHERE {{ {at}
              {{ ?study ev:reportedIn ?node . ?e ev:study ?study }}
              UNION {{ ?e prov:hadPrimarySource ?node }}
              ?e (ev:supports|ev:challenges)+ ?h . ?h a ev:Hypothesis
            }} ORDER BY ?h LIMIT {int(cap)}""",
        )
    ]
    picture = _neighbourhood(store, node, references, citers, int(cites) + int(cited_by))
    shown = {*references, *citers, *studies, *(f for fs in studies.values() for f in fs)}
    names = names_of(store, shown | {*claims, *hypotheses})

    def entries(nodes: list[Node]) -> list[Entry]:
        return [_entry(n, names) for n in nodes]

    return PublicationContext(
        Listing(int(cites), entries(references)),
        Listing(int(cited_by), entries(citers)),
        [(_entry(s, names), entries(fs)) for s, fs in studies.items()],
        entries(claims),
        entries(hypotheses),
        picture,
    )


def _neighbourhood(
    store: Store, focus: URIRef, references: list[Node], citers: list[Node], around: int
) -> Neighbourhood:
    """The focus, as many publications one citation away as fit (references and citers
    shared fairly), then those cited by the most of these. Only what they cite: their citers
    as well would make a hub's thousands of citers candidates, and ranking them took 0.9 s."""
    room = PICTURE_NODES - 1
    take_refs = min(len(references), max(room // 2, room - len(citers)))
    direct = list(dict.fromkeys([*references[:take_refs], *citers[: room - take_refs]]))
    drawn = [focus, *direct]
    if direct and len(direct) < room:
        wanted = room - len(direct)
        candidates = _rows(
            store,
            f"""SELECT ?y (COUNT(*) AS ?links) WHERE {{ {values("x", direct)} ?x cito:cites ?y }}
            GROUP BY ?y ORDER BY DESC(?links) ?y LIMIT {wanted + len(drawn)}""",
        )
        seen = set(drawn)
        drawn += [y for y, _ in candidates if y not in seen][:wanted]
    edges = _rows(
        store,
        f"""SELECT ?a ?b WHERE {{ {values("a", drawn)} ?a cito:cites ?b . {values("b", drawn)}
          FILTER (?a != ?b) }} ORDER BY ?a ?b""",
    )
    names = names_of(store, drawn)
    return Neighbourhood(
        [_entry(n, names) for n in drawn], [(a, b) for a, b in edges], around - len(direct)
    )


def _bearing(store: Store, node: URIRef, cap: int) -> list[Bearing]:
    rows = _rows(
        store,
        f"""SELECT ?e ?relation ?kind ?primary ?derived WHERE {{ {values("node", [node])}
          ?e ?relation ?node . FILTER (?relation IN (ev:supports, ev:challenges))
          ?e a ?kind . FILTER (?kind IN (ev:Claim, ev:Finding))
          OPTIONAL {{ ?e prov:hadPrimarySource ?primary }}
          OPTIONAL {{ ?e prov:wasDerivedFrom ?derived }}
        }} ORDER BY ?relation ?kind ?e ?primary ?derived LIMIT {int(cap) * 4}""",
    )
    names = names_of(store, {t for row in rows for t in row if t is not None})
    found: dict[tuple[Node, Node], Bearing] = {}
    for e, relation, kind, primary, derived in rows:
        source = primary if kind == EV.Claim else derived  # a claim's is where it was read
        if (e, relation) not in found and len(found) < cap:
            found[(e, relation)] = Bearing(
                _entry(e, names),
                "claim" if kind == EV.Claim else "finding",
                str(relation).rsplit("#", 1)[-1],
                None if source is None else _entry(source, names),
            )
    return list(found.values())


def _rows(store: Store, body: str) -> list[tuple]:
    return store.query(f"{_PREFIXES}\n{body}").rows


def _entry(node: Node, names: dict[Node, Name]) -> Entry:
    name = names.get(node, Name(None))
    return Entry(node, name.label or str(node), name.year)
