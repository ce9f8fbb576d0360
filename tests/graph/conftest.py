"""Fixtures for the graph-level tests of synthesis, pooled results and evidence maps: the
example evidence in a real on-disk oxigraph store, loaded once and copied for each test."""

import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.examples import load_examples
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.store import Store
from graph.writes import WriteResult, load
from tests.conftest import BASE

TURTLE_PREFIXES = """\
@prefix ev: <https://w3id.org/evidence-graph/ns#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.fixture(scope="session")
def examples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed oxigraph data directory holding the vocabulary and the example evidence."""
    data = tmp_path_factory.mktemp("examples") / "data"
    store = OxigraphStore(data)
    load_examples(store, BASE)
    store.close()
    return data


@pytest.fixture
def examples(examples_dir: Path, tmp_path: Path) -> Iterator[OxigraphStore]:
    """A fresh copy of the example store, on disk, that the test may write to."""
    data = tmp_path / "data"
    shutil.copytree(examples_dir, data)
    store = OxigraphStore(data)
    yield store
    store.close()


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[OxigraphStore]:
    """An empty on-disk oxigraph store."""
    store = OxigraphStore(tmp_path / "empty")
    yield store
    store.close()


@pytest.fixture
def write_turtle() -> Callable[..., WriteResult]:
    """Write Turtle (IRIs relative to the base) through the validated write path."""

    def write(store: Store, body: str, name: str = "extra.ttl", agent: str = "tester"):
        data = (TURTLE_PREFIXES + body).encode("utf-8")
        return load(store, [Source(name, io.BytesIO(data), "turtle")], BASE, agent)

    return write
