"""Data-driven conformance tests for the SHACL shapes in ``ontology/shapes.ttl``.

``shapes/valid/*.ttl`` must conform. Each ``shapes/invalid/*.ttl`` names the violations it expects
in header comment lines of the form::

    # expect: <shape-local-name> <path-curie-or-dash> <ConstraintComponentLocalName>

and must produce exactly that set of (shape, path, constraint) violations, no more, no fewer.
"""

from importlib.resources import as_file, files
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, Namespace

from graph.validation import shapes_graph, validate

HERE = Path(__file__).parent / "shapes"
VALID = sorted((HERE / "valid").glob("*.ttl"))
INVALID = sorted((HERE / "invalid").glob("*.ttl"))

SH = Namespace("http://www.w3.org/ns/shacl#")
EVS = "https://w3id.org/evidence-graph/shapes#"
PREFIXES = {
    "ev": "https://w3id.org/evidence-graph/ns#",
    "cito": "http://purl.org/spar/cito/",
    "bibo": "http://purl.org/ontology/bibo/",
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "fabio": "http://purl.org/spar/fabio/",
}

# SHACL parameters -> the constraint component pyshacl reports for them. Parameters that only
# qualify another one (sh:flags, sh:qualifiedValueShape...) map to None.
_PARAMETERS = (
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "not",
    "and",
    "or",
    "xone",
    "node",
    "property",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "closed",
    "hasValue",
    "in",
    "sparql",
)
COMPONENTS: dict[URIRef, str | None] = {
    SH[p]: f"{p[0].upper()}{p[1:]}ConstraintComponent" for p in _PARAMETERS
}
COMPONENTS.update(
    {
        SH.sparql: "SPARQLConstraintComponent",  # the SHACL spelling, not "Sparql..."
        SH.flags: None,
        SH.qualifiedValueShape: None,
        SH.qualifiedValueShapesDisjoint: None,
        SH.ignoredProperties: None,
    }
)
NOT_CONSTRAINTS = {
    RDF.type,
    SH.path,
    SH.message,
    SH.name,
    SH.description,
    SH.severity,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.declare,
    SH.prefixes,
    SH.property,
}

Expect = tuple[str, str | None, str]


def _expand(curie: str) -> str | None:
    if curie == "-":
        return None
    prefix, _, local = curie.partition(":")
    assert prefix in PREFIXES, f"unknown prefix in expected path {curie!r}"
    return PREFIXES[prefix] + local


def _expects(path: Path) -> set[Expect]:
    """The (shape IRI, path IRI or None, constraint) triples named in the file's header."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect:"):
            shape, curie, constraint = line.removeprefix("# expect:").split()
            found.add((EVS + shape, _expand(curie), constraint))
    return found


def _show(violations) -> str:
    return "\n".join(
        f"  {v.shape} {v.path} {v.constraint} focus={v.focus_node} value={v.value}: {v.message}"
        for v in violations
    )


def _short(expects) -> list[str]:
    def curie(iri: str | None) -> str:
        for prefix, ns in PREFIXES.items():
            if iri is not None and iri.startswith(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return "-" if iri is None else iri

    return sorted(f"{s.removeprefix(EVS)} {curie(p)} {c}" for s, p, c in expects)


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms(case: Path) -> None:
    report = validate(Graph().parse(case, format="turtle"))
    assert report.conforms, f"{case.name} does not conform:\n{_show(report.violations)}"


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_reports_exactly_the_expected_violations(case: Path) -> None:
    expected = _expects(case)
    assert expected, f"{case.name} has no '# expect:' header line"
    report = validate(Graph().parse(case, format="turtle"))
    got = {(v.shape, v.path, v.constraint) for v in report.violations}
    assert not report.conforms
    assert got == expected, (
        f"{case.name}\n  missing: {_short(expected - got)}\n  unexpected: {_short(got - expected)}"
        f"\nall violations:\n{_show(report.violations)}"
    )


def _constraints(shapes: Graph) -> set[Expect]:
    """Every (named node shape, path or None, constraint component) declared in the shapes."""
    found = set()

    def add(shape: URIRef, path: str | None, node) -> None:
        for p in shapes.predicates(node, None):
            if p in NOT_CONSTRAINTS:
                continue
            assert p in COMPONENTS, f"unknown SHACL parameter {p} in {shape}"
            if COMPONENTS[p] is not None:
                found.add((str(shape), path, COMPONENTS[p]))

    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, BNode):
            continue
        add(shape, None, shape)
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            assert isinstance(path, URIRef), f"{shape}: only predicate paths are handled"
            add(shape, str(path), prop)
    return found


def test_every_constraint_has_an_invalid_case() -> None:
    declared = _constraints(shapes_graph())
    assert declared, "no constraints found in shapes.ttl"
    covered = set().union(*(_expects(case) for case in INVALID))
    missing = declared - covered
    assert not missing, "constraints without an invalid case:\n  " + "\n  ".join(_short(missing))
    # the per-(shape, path) view asked for by the suite's contract follows from the above
    assert {(s, p) for s, p, _ in declared} <= {(s, p) for s, p, _ in covered}


def test_expects_name_declared_constraints() -> None:
    """A typo in an expect line would otherwise only show up as a failing invalid case."""
    declared = _constraints(shapes_graph())
    unknown = {case.name: _expects(case) - declared for case in INVALID}
    unknown = {name: _short(e) for name, e in unknown.items() if e}
    assert not unknown, f"expect lines naming no constraint of shapes.ttl: {unknown}"


def test_shapes_conform_to_shacl_shacl() -> None:
    with as_file(files("pyshacl") / "assets" / "shacl-shacl.ttl") as path:
        shacl_shacl = Graph().parse(path, format="turtle")
    conforms, _, text = pyshacl.validate(shapes_graph(), shacl_graph=shacl_shacl)
    assert conforms, text
