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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote
from uuid import uuid4

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.identifiers import IDENTIFIER_PROPERTIES
from graph.namespaces import CITO, DCTERMS, EV, PROV, RDF, RDFS, VOID, XSD
from graph.parsing import ParseError, Source, parse_into
from graph.store import Store, Triple
from graph.validation import ValidationReport, validate, vocabulary_graph

__all__ = [
    "Batch",
    "EmptyBatch",
    "InvalidBatch",
    "ParseError",
    "WriteError",
    "WriteResult",
    "commit",
    "load",
    "prepare",
]

_CHUNK = 500  # terms per VALUES block when asking the store


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
    if len(graph) == 0:
        raise EmptyBatch(f"nothing to load: {', '.join(s.name for s in sources)} hold no triples")
    on_step(f"matching identifiers of {len(graph):,} triples")
    _normalise_identifiers(graph)
    _add_implied_citations(graph)
    matched = _match_stored(graph, store)
    context, context_only = _stored_context(graph, store)
    on_step(f"validating {len(graph):,} triples against the shapes")
    report = validate(graph, context, context_only)
    return Batch(graph, [s.name for s in sources], report, matched)


def commit(store: Store, batch: Batch, base_iri: str, agent: str) -> WriteResult:
    """Store a conforming batch as a new named graph with its provenance."""
    if not batch.report.conforms:
        raise InvalidBatch(batch.report)
    graph = URIRef(f"{base_iri}graph/{uuid4()}")
    store.add_graph(graph, batch.graph, _describe(graph, batch, base_iri, agent))
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


def _describe(graph: URIRef, batch: Batch, base_iri: str, agent: str) -> list[Triple]:
    agent_iri = URIRef(f"{base_iri}agent/{quote(agent, safe='')}")
    now = Literal(datetime.now(UTC).isoformat(timespec="milliseconds"), datatype=XSD.dateTime)
    description: list[Triple] = [
        (graph, RDF.type, EV.Import),
        (graph, RDFS.label, Literal(f"import of {', '.join(batch.sources)}")),
        (graph, PROV.wasAttributedTo, agent_iri),
        (graph, PROV.generatedAtTime, now),
        (graph, VOID.triples, Literal(len(batch.graph))),
        (agent_iri, RDF.type, PROV.Agent),
        (agent_iri, RDFS.label, Literal(agent)),
    ]
    description += [(graph, DCTERMS.source, Literal(name)) for name in batch.sources]
    return description


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
    vocabulary = vocabulary_graph()
    for prop in set(vocabulary.transitive_subjects(RDFS.subPropertyOf, CITO.cites)) - {CITO.cites}:
        for citing, cited in list(graph.subject_objects(prop)):
            graph.add((citing, CITO.cites, cited))


def _match_stored(graph: Graph, store: Store) -> dict[str, str]:
    """Merge nodes that share an identifier, within the batch and with stored nodes.

    A DOI match wins over a PMID match, and so on (the order of ``IDENTIFIER_PROPERTIES``).
    Returns the renaming, batch IRI -> surviving IRI.
    """
    rename: dict[Node, Node] = {}
    for prop in IDENTIFIER_PROPERTIES:
        by_value: dict[Literal, list[Node]] = {}
        for subject, value in graph.subject_objects(prop):
            by_value.setdefault(value, []).append(subject)
        stored = _stored_subjects(store, prop, list(by_value))
        for value, subjects in by_value.items():
            survivor = stored.get(value) or min(subjects)
            for subject in subjects:
                if subject != survivor and subject not in rename:
                    rename[subject] = survivor
    if rename:
        _rename(graph, rename)
    return {str(old): str(new) for old, new in rename.items()}


def _rename(graph: Graph, rename: dict[Node, Node]) -> None:
    touched = [t for t in graph if t[0] in rename or t[2] in rename]
    for s, p, o in touched:
        graph.remove((s, p, o))
        graph.add((rename.get(s, s), p, rename.get(o, o)))


def _stored_subjects(store: Store, prop: URIRef, values: list[Literal]) -> dict[Literal, URIRef]:
    """The stored node carrying each identifier value (the first by IRI if several do)."""
    rows = _ask_in_chunks(
        store,
        "?v",
        values,
        "SELECT ?v (MIN(STR(?s)) AS ?first) "
        f"WHERE {{ {{values}} ?s <{prop}> ?v FILTER(isIRI(?s)) }} GROUP BY ?v",
    )
    return {Literal(str(value)): URIRef(str(first)) for value, first in rows}


def _stored_context(graph: Graph, store: Store) -> tuple[list[Triple], set[Node]]:
    """The stored triples the shapes need to judge the nodes this batch touches.

    Every node the batch describes or points at is validated on the union of the batch and its
    stored description, so a conflict with stored data is caught by the write that creates it.
    Their neighbours only lend their types (for ``sh:class``); they are not judged again, so
    they are returned as the context-only nodes whose results are ignored.
    """
    touched: set[Node] = set()
    rdf_type = RDF.type
    for s, p, o in graph:
        if isinstance(s, URIRef):
            touched.add(s)
        if p != rdf_type and isinstance(o, URIRef):
            touched.add(o)
    described = [
        (s, p, o)
        for s, p, o in _ask_in_chunks(
            store, "?s", sorted(touched), "SELECT ?s ?p ?o WHERE { {values} ?s ?p ?o }"
        )
    ]
    neighbours = {
        o for _, p, o in described if p != RDF.type and isinstance(o, URIRef) and o not in touched
    }
    typed = _ask_in_chunks(
        store, "?s", sorted(neighbours), "SELECT ?s ?t WHERE { {values} ?s a ?t }"
    )
    return described + [(s, RDF.type, t) for s, t in typed], neighbours


def _ask_in_chunks(store: Store, var: str, terms: list, template: str) -> list[tuple]:
    """Run ``template`` with ``{values}`` replaced by a VALUES block over ``terms``, in chunks."""
    rows: list[tuple] = []
    for start in range(0, len(terms), _CHUNK):
        block = " ".join(t.n3() for t in terms[start : start + _CHUNK])
        rows += store.query(template.replace("{values}", f"VALUES {var} {{ {block} }}")).rows
    return rows
