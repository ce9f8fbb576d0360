"""Shared fixtures: real stores in temporary directories, and small evidence files."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from graph.memory_store import MemoryStore
from graph.oxigraph_store import OxigraphStore
from graph.sparql_client import PROFILES, SparqlClient
from graph.sparql_store import SparqlStore
from graph.store import Store
from tests.engines import Engine, emptied, oxigraph_server, virtuoso_server

BASE = "http://127.0.0.1:8000/id/"
PREFIXES = """\
@prefix ev: <https://w3id.org/evidence-graph/ns#> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def paper(key: str, title: str, year: int = 2015, extra: str = "") -> str:
    """Turtle for one valid journal article at <http://example.org/KEY>."""
    return (
        f'<http://example.org/{key}> a fabio:JournalArticle ; dcterms:title "{title}" ; '
        f'dcterms:issued "{year}"^^xsd:gYear {extra}.\n'
    )


@pytest.fixture(scope="session")
def oxigraph_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A real ``oxigraph serve`` for the session, emptied by each test that uses it."""
    with oxigraph_server(tmp_path_factory.mktemp("engine")) as engine:
        yield engine


@pytest.fixture(scope="session")
def virtuoso_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A real Virtuoso for the session; each test that uses it drops the graphs it made. In CI
    (which installs it) a missing Virtuoso fails; elsewhere its tests are skipped."""
    if shutil.which("virtuoso-t") is None and not os.environ.get("CI"):
        pytest.skip("Virtuoso is not installed (Debian virtuoso-opensource-7-bin)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as engine:
        yield engine


@pytest.fixture(
    params=["oxigraph", "memory", "sparql-oxigraph", "sparql-generic", "sparql-virtuoso"]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each backend, empty; the oxigraph one on disk in a temporary directory, the sparql one
    on a real ``oxigraph serve``."""
    if request.param.startswith("sparql"):
        name = "virtuoso" if request.param == "sparql-virtuoso" else "oxigraph"
        engine: Engine = request.getfixturevalue(f"{name}_engine")
        profile = PROFILES[name]
        if request.param == "sparql-generic":  # no union switch, no default-graph writes
            profile = replace(PROFILES["generic"], max_triples_per_update=2)
        client = SparqlClient(engine.query_url, engine.update_url, engine.store_url, profile)
        opened: Store = SparqlStore(emptied(client))
    elif request.param == "oxigraph":
        opened = OxigraphStore(tmp_path / "data")
    else:
        opened = MemoryStore()
    yield opened
    opened.close()


@pytest.fixture
def write_file(tmp_path: Path):
    """Write Turtle (with the usual prefixes) to a file in tmp_path and return its path."""

    def write(name: str, body: str, prefixes: bool = True) -> Path:
        path = tmp_path / name
        path.write_text((PREFIXES if prefixes else "") + body, encoding="utf-8")
        return path

    return write


@contextmanager
def data_dir_held(data_dir: Path) -> Iterator[None]:
    """Another process holds the on-disk store in ``data_dir`` open while the block runs."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from graph.oxigraph_store import OxigraphStore; "
            "s = OxigraphStore(Path(sys.argv[1])); print('open', flush=True); sys.stdin.read()",
            str(data_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        yield
    finally:
        holder.communicate("", timeout=30)
