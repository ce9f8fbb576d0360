"""The evidence-graph vocabulary, SHACL shapes, JSON-LD context and example evidence, as data.

>>> vocabulary().name
'evidence.ttl'
"""

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["EV", "context", "examples", "shapes", "vocabulary"]

EV = "https://w3id.org/evidence-graph/ns#"


def _file(name: str) -> Traversable:
    return files(__name__) / name


def vocabulary() -> Traversable:
    """The vocabulary: our terms, their alignments and the external axioms the shapes need."""
    return _file("evidence.ttl")


def shapes() -> Traversable:
    """The SHACL shapes checked on every write."""
    return _file("shapes.ttl")


def context() -> Traversable:
    """The JSON-LD context for API documents."""
    return _file("context.jsonld")


def examples() -> list[Traversable]:
    """The example evidence files (Turtle with IRIs relative to the service's base IRI)."""
    return sorted(
        (f for f in (files(__name__) / "examples").iterdir() if f.name.endswith(".ttl")),
        key=lambda f: f.name,
    )
