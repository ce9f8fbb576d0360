"""The seven benchmark queries give the same, non-empty answers through the service, over a real
socket, as on pyoxigraph in-process with the same data."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from bench.generate import write_file
from bench.sparql.queries import GRAPH, QUERY_DIR, Query, count, digest, load_queries, parameters
from graph.settings import Settings
from tests.api.conftest import running

PUBLICATIONS = 1200  # the queries need more than 1000 (they name publication p001000)
NAMES = [path.stem for path in sorted(QUERY_DIR.glob("*.rq"))]


def _bulk_load(store: ox.Store, data: Path) -> None:
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sparql-bench") / "pubs.nt"
    write_file(PUBLICATIONS, 1, path)
    return path


@pytest.fixture(scope="module")
def queries(data: Path) -> dict[str, Query]:
    return {q.name: q for q in load_queries(parameters(data, PUBLICATIONS))}


@pytest.fixture(scope="module")
def in_process(data: Path, queries: dict[str, Query]) -> dict[str, bytes]:
    """Each query's answer from a pyoxigraph store in this process, serialised as the service
    serialises it."""
    store = ox.Store()
    _bulk_load(store, data)
    answers = {}
    for name, query in queries.items():
        result = store.query(query.text, use_default_graph_as_union=True)
        fmt = ox.RdfFormat.N_TRIPLES if query.construct else ox.QueryResultsFormat.JSON
        answers[name] = result.serialize(format=fmt)
    return answers


@pytest.fixture(scope="module")
def service(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over an on-disk store filled by a bulk load, as the benchmark fills it."""
    data_dir = tmp_path_factory.mktemp("service") / "data"
    store = ox.Store(str(data_dir))
    _bulk_load(store, data)
    store.flush()
    del store  # the service's store process opens it next
    with running(Settings(data_dir=data_dir, load_examples=False)) as (url, _):
        yield url


def test_the_seven_queries() -> None:
    assert [name.split("-")[0] for name in NAMES] == [str(i) for i in range(1, 8)]


@pytest.mark.parametrize("name", NAMES)
def test_the_answer_is_not_empty(name: str, queries: dict[str, Query], in_process: dict) -> None:
    query = queries[name]
    assert count(in_process[name], query.construct) > 0
    if not query.construct:  # a count of nothing is one row too: its numbers must not be 0
        rows = json.loads(in_process[name])["results"]["bindings"]
        assert all(term["value"] != "0" for row in rows for term in row.values())


@pytest.mark.parametrize("name", NAMES)
def test_the_service_gives_the_same_answer(
    name: str, queries: dict[str, Query], in_process: dict[str, bytes], service: str
) -> None:
    query = queries[name]
    response = httpx.get(
        f"{service}/sparql",
        params={"query": query.text},
        headers={"Accept": query.accept},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(query.accept)
    assert count(response.content, query.construct) == count(in_process[name], query.construct)
    if query.deterministic:
        assert digest(response.content, query.construct) == digest(
            in_process[name], query.construct
        )
