"""Pooled results are evidence too: each is written back through the write path as an
``ev:PooledEstimate`` with its method, heterogeneity, inputs and the activity that computed it.

A pooled node's IRI is a digest of what it was computed from (method, level, measure, the PICO
selection and every input's finding, estimate, effect and standard error), so recording the same
synthesis twice stores it once, and a changed input gives a new node beside the old one.
"""

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from importlib.metadata import version

import numpy
import scipy
from rdflib import Graph, Literal, URIRef

from graph.meta_analysis import METHOD_NAMES, Pooled
from graph.namespaces import DCTERMS, EV, PROV, RDF, RDFS, XSD
from graph.parsing import Source
from graph.store import Store
from graph.synthesis import MEASURES, Synthesis
from graph.writes import load

__all__ = ["METHODS", "Recorded", "pooled_graph", "pooled_iri", "record"]

METHODS = {
    "fixed": EV.FixedEffect,
    "DL": EV.RandomEffectsDerSimonianLaird,
    "REML": EV.RandomEffectsREML,
}


@dataclass(frozen=True)
class Recorded:
    """A pooled estimate in the graph: its IRI, method, and whether this call stored it."""

    iri: str
    method: str
    stored: bool
    graph: str | None


def record(store: Store, synthesis: Synthesis, base_iri: str, agent: str) -> list[Recorded]:
    """Write the pooled estimates of ``synthesis`` that the graph does not hold yet, in one
    validated write; say for each where it is."""
    iris = {p.method: pooled_iri(synthesis, p, base_iri) for p in synthesis.pooled}
    held = {m for m, iri in iris.items() if store.query(f"ASK {{ {iri.n3()} ?p ?o }}").boolean}
    new = [p for p in synthesis.pooled if p.method not in held]
    graph = None
    if new:
        data = pooled_graph(synthesis, base_iri, new).serialize(format="nt", encoding="utf-8")
        name = f"synthesis of {synthesis.question}"
        graph = load(store, [Source(name, io.BytesIO(data), "ntriples")], base_iri, agent).graph
    return [
        Recorded(
            str(iris[p.method]), p.method, p.method not in held, None if p.method in held else graph
        )
        for p in synthesis.pooled
    ]


def pooled_iri(synthesis: Synthesis, pooled: Pooled, base_iri: str) -> URIRef:
    """The IRI a pooled estimate gets: a digest of everything it was computed from."""
    inputs = sorted(
        (c.finding, c.estimate, round(c.effect, 12), round(c.se, 12))
        for c in synthesis.contributions
    )
    basis = {
        "method": pooled.method,
        "level": synthesis.level,
        "measure": synthesis.measure,
        "interventions": sorted(str(c.iri) for c in synthesis.interventions),
        "comparators": sorted(str(c.iri) for c in synthesis.comparators),
        "outcome": str(synthesis.outcome.iri),
        "population": synthesis.population and str(synthesis.population.iri),
        "inputs": inputs,
    }
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:20]
    return URIRef(f"{base_iri}pooled/{digest}")


def pooled_graph(synthesis: Synthesis, base_iri: str, pooled: list[Pooled]) -> Graph:
    """The RDF of ``pooled`` estimates of ``synthesis``."""
    graph = Graph()
    software = URIRef(f"{base_iri}agent/software/evidence-graph/{version('evidence-graph')}")
    graph.add((software, RDF.type, PROV.SoftwareAgent))
    graph.add((software, RDFS.label, Literal(f"evidence-graph {version('evidence-graph')}")))
    graph.add((software, DCTERMS.hasVersion, Literal(version("evidence-graph"))))
    graph.add(
        (software, RDFS.comment, Literal(f"numpy {numpy.__version__}, scipy {scipy.__version__}"))
    )
    for result in pooled:
        _describe(graph, synthesis, result, pooled_iri(synthesis, result, base_iri), software)
    return graph


def _describe(
    graph: Graph, synthesis: Synthesis, result: Pooled, node: URIRef, software: URIRef
) -> None:
    add = graph.add
    point, lower, upper = synthesis.interval(result.estimate, result.se)
    label = (
        f"pooled {synthesis.measure}, {METHOD_NAMES[result.method]}, {synthesis.question}, "
        f"{result.k} stud{'y' if result.k == 1 else 'ies'}"
    )
    for kind in (EV.PooledEstimate, MEASURES[synthesis.measure]):
        add((node, RDF.type, kind))
    add((node, RDFS.label, Literal(label)))
    add((node, EV.synthesisMethod, METHODS[result.method]))
    for concept in synthesis.interventions:
        add((node, EV.intervention, concept.iri))
    for concept in synthesis.comparators:
        add((node, EV.comparator, concept.iri))
        add((node, EV.referenceArm, concept.iri))
    add((node, EV.outcome, synthesis.outcome.iri))
    if synthesis.population is not None:
        add((node, EV.population, synthesis.population.iri))
    add((node, EV.pointEstimate, _decimal(point)))
    add((node, EV.ciLower, _decimal(lower)))
    add((node, EV.ciUpper, _decimal(upper)))
    add((node, EV.ciLevel, _decimal(synthesis.level)))
    p_value, comparator = (result.p_value, "=") if result.p_value >= 1e-6 else (1e-6, "<")
    add((node, EV.pValue, _decimal(p_value)))
    add((node, EV.pValueComparator, Literal(comparator)))
    add((node, EV.studyCount, Literal(result.k)))

    def natural(value: float | None) -> float | None:  # 0.0 on the log scale is a ratio of 1
        return None if value is None else synthesis.natural(value)

    for prop, value in (
        (EV.tau2, result.tau2), (EV.tau2StandardError, result.tau2_se), (EV.q, result.q),
        (EV.qPValue, result.q_p_value), (EV.i2, result.i2), (EV.h2, result.h2),
        (EV.predictionLower, natural(result.pi_lower)),
        (EV.predictionUpper, natural(result.pi_upper)),
    ):  # fmt: skip
        if value is not None:
            add((node, prop, Literal(float(value), datatype=XSD.double)))
    add((node, EV.qDegreesOfFreedom, Literal(result.q_df)))
    activity = URIRef(f"{node}/activity")
    add((node, PROV.wasGeneratedBy, activity))
    add((activity, RDF.type, PROV.Activity))
    add((activity, RDFS.label, Literal(f"meta-analysis: {METHOD_NAMES[result.method]}")))
    add((activity, PROV.wasAssociatedWith, software))
    add((activity, PROV.endedAtTime, Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)))
    if result.iterations is not None:
        add(
            (
                activity,
                RDFS.comment,
                Literal(f"REML by Fisher scoring: {result.iterations} iterations"),
            )
        )
    for number, contribution in enumerate(synthesis.contributions, start=1):
        part = URIRef(f"{node}/input/{number}")
        estimate = URIRef(contribution.estimate)
        add((node, EV.input, part))
        add((activity, PROV.used, estimate))
        add((part, RDF.type, EV.PoolInput))
        add((part, RDFS.label, Literal(contribution.label)))
        add((part, EV.finding, URIRef(contribution.finding)))
        add((part, EV.sourceEstimate, estimate))
        add((part, EV.analysedEffect, Literal(contribution.effect, datatype=XSD.double)))
        add((part, EV.standardError, Literal(contribution.se, datatype=XSD.double)))
        weight = contribution.weights[result.method]
        add((part, EV.weight, Literal(weight, datatype=XSD.double)))
        for conversion in contribution.conversions:
            add((part, EV.conversion, Literal(conversion)))


def _decimal(value: float) -> Literal:
    return Literal(format(Decimal(f"{value:.6g}"), "f"), datatype=XSD.decimal)
