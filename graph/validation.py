"""SHACL validation of a batch against the shapes in ``ontology/shapes.ttl`` (pyshacl).

The data graph is the batch itself plus the vocabulary's axioms (SHACL follows
``rdfs:subClassOf`` in the data graph) plus the stored context the shapes need: the types of
stored nodes the batch points at. These extra triples are added for the run and taken out again,
so a large batch is never copied.
"""

from collections.abc import Iterable, Set
from dataclasses import asdict, dataclass
from functools import cache

import pyshacl
from rdflib import Graph, Literal
from rdflib.term import Node

from graph.namespaces import RDF, SH
from ontology import shapes, vocabulary

__all__ = ["ValidationReport", "Violation", "shapes_graph", "validate", "vocabulary_graph"]

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in the terms a person reads."""

    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str | None
    constraint: str


@dataclass
class ValidationReport:
    """The outcome of validating a batch: its violations and the SHACL report as RDF."""

    conforms: bool
    violations: list[Violation]
    graph: Graph

    def as_dict(self) -> dict:
        """The report as plain JSON-ready data."""
        return {"conforms": self.conforms, "violations": [asdict(v) for v in self.violations]}


@cache
def shapes_graph() -> Graph:
    """The shapes, parsed once per process."""
    return Graph().parse(source=str(shapes()), format="turtle")


@cache
def vocabulary_graph() -> Graph:
    """The vocabulary, parsed once per process."""
    return Graph().parse(source=str(vocabulary()), format="turtle")


def validate(
    batch: Graph, context: Iterable[Triple] = (), context_only: Set[Node] = frozenset()
) -> ValidationReport:
    """Validate ``batch`` with ``context`` (stored triples the shapes need) against the shapes.

    Results about the ``context_only`` nodes (stored nodes present only to lend their types)
    are left out: those nodes were judged when they were written.
    """
    added = [t for t in (*vocabulary_graph(), *context) if t not in batch]
    for triple in added:
        batch.add(triple)
    try:
        _, report, _ = pyshacl.validate(
            batch,
            shacl_graph=shapes_graph(),
            inference="none",
            advanced=True,
            inplace=True,
            allow_warnings=True,
        )
    finally:
        for triple in added:
            batch.remove(triple)
    _forget_results_about(report, context_only)
    violations = _violations(report)
    return ValidationReport(not violations, violations, report)


def _forget_results_about(report: Graph, nodes: Set[Node]) -> None:
    """Take the results whose focus node is one of ``nodes`` out of the report graph."""
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        if report.value(result, SH.focusNode) in nodes:
            report.remove((None, SH.result, result))
            report.remove((result, None, None))
    remaining = any(report.subjects(RDF.type, SH.ValidationResult))
    report.set(
        (next(report.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(not remaining))
    )


def _violations(report: Graph) -> list[Violation]:
    def text(node: Node | None) -> str | None:
        return None if node is None else str(node)

    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        found.append(
            Violation(
                focus_node=str(report.value(result, SH.focusNode)),
                path=text(report.value(result, SH.resultPath)),
                value=text(report.value(result, SH.value)),
                message=str(report.value(result, SH.resultMessage) or "violates a shape"),
                severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                shape=_named_shape(report.value(result, SH.sourceShape)),
                constraint=str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[
                    -1
                ],
            )
        )
    return sorted(found, key=lambda v: (v.focus_node, v.path or "", v.message))


def _named_shape(shape: Node | None) -> str | None:
    """The IRI of the node shape a (blank) property shape belongs to."""
    owner = shapes_graph().value(None, SH.property, shape) if shape is not None else None
    named = owner if owner is not None else shape
    return None if named is None else str(named)
