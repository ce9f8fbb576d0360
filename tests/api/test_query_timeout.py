"""A query past the timeout is stopped for real: 503, its CPU freed, other queries unharmed."""

import os
import threading
from pathlib import Path

import httpx

from graph.settings import Settings
from tests.api.conftest import running

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?n"
SIMPLE = "SELECT ?h WHERE { ?h a <https://w3id.org/evidence-graph/ns#Hypothesis> }"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_runaway_query_is_stopped_while_a_simple_one_answers(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", query_timeout_s=2.0)
    with running(settings) as (url, app):
        first_worker = app.state.store.pid
        finished: list[str] = []
        heavy: dict[str, httpx.Response] = {}

        def send_heavy() -> None:
            heavy["response"] = httpx.get(f"{url}/sparql", params={"query": ENDLESS}, timeout=60)
            finished.append("heavy")

        thread = threading.Thread(target=send_heavy)
        thread.start()
        simple = httpx.get(f"{url}/sparql", params={"query": SIMPLE}, timeout=60)
        finished.append("simple")
        thread.join(timeout=60)

        assert simple.status_code == 200 and len(simple.json()["results"]["bindings"]) == 1
        assert finished == ["simple", "heavy"]
        response = heavy["response"]
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "longer than 2 s" in response.json()["detail"]

        again = httpx.get(f"{url}/sparql", params={"query": SIMPLE}, timeout=60)
        assert again.json() == simple.json()  # served by a fresh process
        assert not Path(f"/proc/{first_worker}").exists()  # the runaway's process is gone
        worker = app.state.store.pid
        assert worker != first_worker
        before = cpu_seconds(worker)
        threading.Event().wait(1.0)
        assert cpu_seconds(worker) - before < 0.2  # nothing is left burning a core


def test_a_runaway_update_is_stopped_and_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", query_timeout_s=1.0, write_token="t")
    with running(settings) as (url, _):
        before = httpx.get(f"{url}/store?format=nquads").content
        update = "INSERT { GRAPH <http://example.org/g> { ?a <http://example.org/p> ?d } } "
        update += "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        response = httpx.post(
            f"{url}/sparql/update",
            data={"update": update},
            headers={"authorization": "Bearer t"},
            timeout=60,
        )
        assert response.status_code == 503, response.text
        assert "longer than 1 s" in response.json()["detail"]
        assert httpx.get(f"{url}/store?format=nquads").content == before
        assert httpx.get(f"{url}/sparql", params={"query": SIMPLE}).status_code == 200
