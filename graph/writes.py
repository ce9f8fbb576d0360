"""The write path, the only way data gets in.

parse -> normalise identifiers -> match stored publications and studies by DOI, PMID, PMCID and
NCT id -> validate the batch with the stored context its shapes need -> commit it atomically as
a new named graph described with PROV -> flush. An invalid batch is rejected whole.

Errors::

    WriteError          a write was refused; nothing was stored
    ├── EmptyBatch      the sources hold no triples
    └── InvalidBatch    the batch violates the shapes; carries the report
    ParseError          a source is not well-formed (graph.parsing; a ValueError)
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from urllib.parse import quote
from uuid import uuid4

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from graph.identifiers import IDENTIFIER_PROPERTIES
from graph.namespaces import CITO, DCTERMS, EV, PROV, RDF, RDFS, VOID, XSD
from graph.parsing import ParseError, Source, parse_into
from graph.sparql_patterns import ask_in_chunks
from graph.store import Store, Triple
from graph.update_plan import NEW_GRAPH, Change
from graph.validation import ValidationReport, validate, vocabulary_graph

__all__ = [
    "Batch",
    "ChangeResult",
    "EmptyBatch",
    "InvalidBatch",
    "ParseError",
    "PlannedChange",
    "WriteError",
    "WriteResult",
    "commit",
    "commit_change",
    "load",
    "prepare",
    "prepare_graph",
    "prepare_graph_write",
    "prepare_update",
]

_PARTS = frozenset({EV.certaintyRating, EV.input})  # objects the shapes read values of
_PART_VALUES = frozenset(  # what a part says that its owner's shapes depend on
    {EV.levels, EV.gradeDomain, EV.finding, EV.sourceEstimate, EV.analysedEffect}
    | {EV.standardError, EV.weight}
)


class WriteError(Exception):
    """A write was refused; nothing was stored."""


class EmptyBatch(WriteError):
    """The sources hold no triples."""


class InvalidBatch(WriteError):
    """The batch violates the shapes."""

    def __init__(self, report: ValidationReport) -> None:
        count = len(report.violations)
        super().__init__(f"the data violates the shapes ({count} violation{'s' * (count != 1)})")
        self.report = report


@dataclass
class Batch:
    """A parsed, normalised, matched and validated batch, ready to commit."""

    graph: Graph
    sources: list[str]
    report: ValidationReport
    matched: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteResult:
    """What a committed write stored, and where."""

    graph: str
    triples: int
    sources: list[str]
    matched: dict[str, str]


def prepare(
    store: Store,
    sources: Sequence[Source],
    base_iri: str,
    progress: Callable[[int], None] | None = None,
    on_step: Callable[[str], None] = lambda step: None,
) -> Batch:
    """Parse, normalise, match and validate ``sources`` as one batch, without storing it.

    ``progress`` is told how many bytes were read; ``on_step`` what the next step is.
    """
    graph = Graph()
    for source in sources:
        parse_into(graph, source, base_iri, progress)
    return prepare_graph(store, graph, [s.name for s in sources], on_step)


def prepare_graph(
    store: Store,
    graph: Graph,
    sources: list[str],
    on_step: Callable[[str], None] = lambda step: None,
) -> Batch:
    """Normalise, match and validate ``graph``, a batch already mapped to our model from the
    files named ``sources`` (an importer's output), without storing it."""
    if len(graph) == 0:
        raise EmptyBatch(f"nothing to load: {', '.join(sources)} hold no triples")
    on_step(f"matching identifiers of {len(graph):,} triples")
    _normalise_identifiers(graph)
    _add_implied_citations(graph)
    matched = _match_stored(graph, store)
    context, context_only = _stored_context(store, _touched(graph) | _owners(store, graph), {})
    on_step(f"validating {len(graph):,} triples against the shapes")
    report = validate(graph, context, context_only)
    return Batch(graph, sources, report, matched)


def commit(store: Store, batch: Batch, base_iri: str, agent: str) -> WriteResult:
    """Store a conforming batch as a new named graph with its provenance."""
    if not batch.report.conforms:
        raise InvalidBatch(batch.report)
    graph = URIRef(f"{base_iri}graph/{uuid4()}")
    description = _describe(graph, batch.sources, len(batch.graph), base_iri, agent)
    store.add_graph(graph, batch.graph, description)
    return WriteResult(str(graph), len(batch.graph), batch.sources, batch.matched)


def load(
    store: Store,
    sources: Sequence[Source],
    base_iri: str,
    agent: str,
    progress: Callable[[int], None] | None = None,
) -> WriteResult:
    """Run the whole write path: prepare, then commit if the batch conforms."""
    return commit(store, prepare(store, sources, base_iri, progress), base_iri, agent)


def _describe(
    graph: URIRef, sources: Sequence[str], triples: int, base_iri: str, agent: str
) -> list[Triple]:
    """The provenance of a new named graph: what it was made from, by whom, when, its size."""
    agent_iri = URIRef(f"{base_iri}agent/{quote(agent, safe='')}")
    description: list[Triple] = [
        (graph, RDF.type, EV.Import),
        (graph, RDFS.label, Literal(f"import of {', '.join(sources)}")),
        (graph, PROV.wasAttributedTo, agent_iri),
        (graph, PROV.generatedAtTime, _now()),
        (graph, VOID.triples, Literal(triples)),
        (agent_iri, RDF.type, PROV.Agent),
        (agent_iri, RDFS.label, Literal(agent)),
    ]
    description += [(graph, DCTERMS.source, Literal(name)) for name in sources]
    return description


def _now() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="milliseconds"), datatype=XSD.dateTime)


@dataclass
class PlannedChange:
    """A change to stored graphs (a SPARQL update, a Graph Store write), validated."""

    change: Change
    source: str
    report: ValidationReport


@dataclass(frozen=True)
class ChangeResult:
    """What a committed change did: triples inserted and deleted, graphs made and dropped."""

    inserted: int
    deleted: int
    created: list[str]
    changed: list[str]
    dropped: list[str]


def prepare_update(
    store: Store,
    sparql: str,
    base_iri: str,
    using_graphs: Sequence[str] = (),
    using_named_graphs: Sequence[str] = (),
    fetched: Mapping[str, Sequence[Triple]] | None = None,
) -> PlannedChange:
    """Work out and validate what a SPARQL update would change, without changing anything."""
    change = store.plan_update(sparql, base_iri, using_graphs, using_named_graphs, fetched)
    return _checked(store, change, "SPARQL update", base_iri)


def prepare_graph_write(
    store: Store, graph: URIRef, sources: Sequence[Source], base_iri: str, replace: bool
) -> PlannedChange:
    """Validate adding the triples of ``sources`` to the named graph ``graph`` (after taking
    out what it holds, when ``replace``): the Graph Store protocol's POST and PUT."""
    parsed = Graph()
    for source in sources:
        parse_into(parsed, source, base_iri)
    _normalise_identifiers(parsed)
    _match_stored(parsed, store)
    stored = set(store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows)
    change = Change()
    change.added[graph] = set(parsed) - stored
    if replace:
        change.removed[graph] = stored - set(parsed)
    if graph not in store.named_graphs():
        change.created.add(graph)
    return _checked(store, change, ", ".join(s.name for s in sources), base_iri)


def commit_change(store: Store, planned: PlannedChange, base_iri: str, agent: str) -> ChangeResult:
    """Apply a validated change in one transaction, with the provenance of the graphs it
    makes (as a load's) and the new size and modification time of those it changes."""
    if not planned.report.conforms:
        raise InvalidBatch(planned.report)
    change = planned.change
    counts = change.counts()
    if change.added.get(NEW_GRAPH):
        change.added[URIRef(f"{base_iri}graph/{uuid4()}")] = change.added.pop(NEW_GRAPH)
    change.added.pop(NEW_GRAPH, None)
    existing = set(store.named_graphs())
    touched = {g for g, triples in (*change.added.items(), *change.removed.items()) if triples}
    created = sorted((touched | change.created) - existing - change.dropped)
    changed = sorted((touched & existing) - change.dropped)
    provenance_out = _descriptions(store, change.dropped, None)
    recorded = _descriptions(store, changed, VOID.triples)
    provenance_out |= recorded
    provenance_in: set[Triple] = set()
    for graph in created:
        size = len(change.added.get(graph, ()))
        provenance_in.update(_describe(graph, [planned.source], size, base_iri, agent))
    sizes = {g: int(n) for g, _, n in recorded}
    missing = [g for g in changed if g not in sizes]  # a graph written some other way
    sizes |= _sizes(store, missing) if missing else {}
    for graph in changed:
        size = sizes[graph] + len(change.added.get(graph, ())) - len(change.removed.get(graph, ()))
        provenance_in |= {(graph, VOID.triples, Literal(size)), (graph, DCTERMS.modified, _now())}
    change.removed[DATASET_DEFAULT_GRAPH_ID] = provenance_out - provenance_in
    change.added[DATASET_DEFAULT_GRAPH_ID] = provenance_in - provenance_out
    store.apply(change)
    return ChangeResult(
        inserted=counts["inserted"],
        deleted=counts["deleted"],
        created=[str(g) for g in created],
        changed=[str(g) for g in changed],
        dropped=sorted(str(g) for g in change.dropped),
    )


def _checked(store: Store, change: Change, source: str, base_iri: str) -> PlannedChange:
    """Validate the stored data as ``change`` would leave it, for every node it touches."""
    _skolemise(change, base_iri)
    for graph, triples in change.added.items():
        triples |= _unstored(store, graph, _implied_citations(triples) - triples)
    added = Graph()
    for triples in change.added.values():
        for triple in triples:
            added.add(triple)
    removed = [t for triples in change.removed.values() for t in triples]
    touched = _touched([*added, *removed]) | _owners(store, [*added, *removed])
    untyped = sorted({s for s, p, _ in removed if p == RDF.type and isinstance(s, URIRef)})
    if untyped:  # what points at a node that loses a type may now point at the wrong thing
        rows = ask_in_chunks(
            store, "?o", untyped, "SELECT DISTINCT ?s WHERE { {values} ?s ?p ?o FILTER isIRI(?s) }"
        )
        touched |= {s for (s,) in rows}
    context, context_only = _stored_context(store, touched, change.removed)
    return PlannedChange(change, source, validate(added, context, context_only))


def _unstored(store: Store, graph: URIRef, citations: set[Triple]) -> set[Triple]:
    """The ``citations`` that the named graph ``graph`` does not hold yet."""
    if not citations or graph == NEW_GRAPH:
        return citations
    stored = ask_in_chunks(
        store,
        "?s",
        sorted({s for s, _, _ in citations}),
        f"SELECT ?s ?o WHERE {{ {{values}} GRAPH <{graph}> {{ ?s <{CITO.cites}> ?o }} }}",
    )
    return citations - {(s, CITO.cites, o) for s, o in stored}


def _skolemise(change: Change, base_iri: str) -> None:
    """Name the blank nodes an update inserts, as a load does (one name per blank node)."""
    genid = f"{base_iri}.well-known/genid/{uuid4().hex}-"
    names: dict[BNode, URIRef] = {}

    def name(node: Node) -> Node:
        if not isinstance(node, BNode):
            return node
        return names.setdefault(node, URIRef(f"{genid}{len(names)}"))

    for graph, triples in change.added.items():
        if any(isinstance(t, BNode) for triple in triples for t in triple):
            change.added[graph] = {(name(s), p, name(o)) for s, p, o in triples}


def _descriptions(store: Store, graphs: Iterable[URIRef], only: URIRef | None) -> set[Triple]:
    """The stored provenance of ``graphs`` (only its ``only`` property when given)."""
    if only is None:
        template = "SELECT ?g ?p ?o WHERE { {values} ?g ?p ?o }"
        return set(ask_in_chunks(store, "?g", sorted(graphs), template))
    template = f"SELECT ?g ?o WHERE {{ {{values}} ?g <{only}> ?o }}"
    return {(g, only, o) for g, o in ask_in_chunks(store, "?g", sorted(graphs), template)}


def _sizes(store: Store, graphs: Sequence[URIRef]) -> dict[URIRef, int]:
    """How many triples each of ``graphs`` holds now."""
    rows = ask_in_chunks(
        store,
        "?g",
        list(graphs),
        "SELECT ?g (COUNT(*) AS ?n) WHERE { {values} GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    )
    sizes = {g: int(n) for g, n in rows}
    return {g: sizes.get(g, 0) for g in graphs}


def _normalise_identifiers(graph: Graph) -> None:
    """Rewrite DOI, PMID, PMCID and NCT values to their normal form as plain strings."""
    for prop, normalise in IDENTIFIER_PROPERTIES.items():
        for subject, value in list(graph.subject_objects(prop)):
            if isinstance(value, Literal) and value.language:
                continue  # a language-tagged identifier is wrong; the shapes say so
            normal = Literal(normalise(str(value)))
            if normal != value:
                graph.remove((subject, prop, value))
                graph.add((subject, prop, normal))


def _add_implied_citations(graph: Graph) -> None:
    """Every CiTO property implies ``cito:cites``; state it so that queries find every link."""
    for triple in _implied_citations(graph):
        graph.add(triple)


def _implied_citations(triples: Iterable[Triple]) -> set[Triple]:
    """The ``cito:cites`` links that the CiTO properties among ``triples`` imply."""
    return {(s, CITO.cites, o) for s, p, o in triples if p in _citing_properties()}


@cache
def _citing_properties() -> frozenset[Node]:
    vocabulary = vocabulary_graph()
    return frozenset(vocabulary.transitive_subjects(RDFS.subPropertyOf, CITO.cites)) - {CITO.cites}


def _match_stored(graph: Graph, store: Store) -> dict[str, str]:
    """Merge nodes that share an identifier, within the batch and with stored nodes.

    A DOI match wins over a PMID match, and so on (the order of ``IDENTIFIER_PROPERTIES``).
    Returns the renaming, batch IRI -> surviving IRI.
    """
    rename: dict[Node, Node] = {}
    kept: set[Node] = set()  # stored nodes matched by a stronger identifier: they stay
    for prop in IDENTIFIER_PROPERTIES:
        by_value: dict[Literal, list[Node]] = {}
        for subject, value in graph.subject_objects(prop):
            by_value.setdefault(value, []).append(subject)
        stored = _stored_subjects(store, prop, list(by_value))
        for value, subjects in by_value.items():
            survivor = stored.get(value) or min(subjects)
            for subject in subjects:
                if subject != survivor and subject not in rename and subject not in kept:
                    rename[subject] = survivor
        kept.update(stored.values())
    rename = {old: _last(rename, new) for old, new in rename.items()}  # b -> a -> s: b -> s
    if rename:
        _rename(graph, rename)
    return {str(old): str(new) for old, new in rename.items()}


def _last(rename: dict[Node, Node], node: Node) -> Node:
    """Where a chain of renamings that reaches ``node`` ends."""
    seen = {node}
    while node in rename and rename[node] not in seen:
        node = rename[node]
        seen.add(node)
    return node


def _rename(graph: Graph, rename: dict[Node, Node]) -> None:
    touched = [t for t in graph if t[0] in rename or t[2] in rename]
    for s, p, o in touched:
        graph.remove((s, p, o))
        graph.add((rename.get(s, s), p, rename.get(o, o)))


def _stored_subjects(store: Store, prop: URIRef, values: list[Literal]) -> dict[Literal, URIRef]:
    """The stored node carrying each identifier value (the first by IRI if several do)."""
    rows = ask_in_chunks(
        store,
        "?v",
        values,
        "SELECT ?v (MIN(STR(?s)) AS ?first) "
        f"WHERE {{ {{values}} ?s <{prop}> ?v FILTER(isIRI(?s)) }} GROUP BY ?v",
    )
    return {Literal(str(value)): URIRef(str(first)) for value, first in rows}


def _stored_context(
    store: Store, touched: set[Node], removed: Mapping[URIRef, set[Triple]]
) -> tuple[list[Triple], set[Node]]:
    """The stored triples the shapes need to judge the ``touched`` nodes, as they will be once
    the ``removed`` quads are gone.

    Every node a write describes or points at is validated on the union of the write and its
    stored description, so a conflict with stored data is caught by the write that creates it.
    Their parts (the GRADE ratings of a certainty, the inputs of a pooled estimate: nodes whose
    values the shapes sum or compare) are described too; other neighbours only lend their types
    (for ``sh:class``). Neither is judged again: they are returned as the context-only nodes
    whose results are ignored.
    """

    def kept(rows: list[tuple]) -> list[Triple]:
        return [(s, p, o) for s, p, o, g in rows if (s, p, o) not in removed.get(g, ())]

    described = kept(
        ask_in_chunks(
            store,
            "?s",
            sorted(touched),
            "SELECT ?s ?p ?o ?g WHERE { {values} GRAPH ?g { ?s ?p ?o } }",
        )
    )
    parts = {o for _, p, o in described if p in _PARTS and o not in touched}
    described += kept(
        ask_in_chunks(
            store,
            "?s",
            sorted(parts),
            "SELECT ?s ?p ?o ?g WHERE { {values} GRAPH ?g { ?s ?p ?o } }",
        )
    )
    neighbours = {
        o for _, p, o in described if p != RDF.type and isinstance(o, URIRef) and o not in touched
    }
    typed = kept(
        ask_in_chunks(
            store,
            "?s",
            sorted(neighbours),
            "SELECT ?s (rdf:type AS ?p) ?t ?g WHERE { {values} GRAPH ?g { ?s a ?t } }",
        )
    )
    return described + typed, neighbours


def _touched(triples: Iterable[Triple]) -> set[Node]:
    """The nodes a write describes or points at (a type is not a node the write is about)."""
    touched: set[Node] = set()
    for s, p, o in triples:
        if isinstance(s, URIRef):
            touched.add(s)
        if p != RDF.type and isinstance(o, URIRef):
            touched.add(o)
    return touched


def _owners(store: Store, triples: Iterable[Triple]) -> set[Node]:
    """The stored nodes whose parts the ``triples`` change (a GRADE rating's levels, a pool
    input's weight): they are judged again, as if the write touched them."""
    parts = sorted({s for s, p, _ in triples if p in _PART_VALUES and isinstance(s, URIRef)})
    if not parts:
        return set()
    properties = " ".join(p.n3() for p in sorted(_PARTS))
    template = f"SELECT DISTINCT ?s WHERE {{ {{values}} VALUES ?p {{ {properties} }} ?s ?p ?o }}"
    return {s for (s,) in ask_in_chunks(store, "?o", parts, template)}
