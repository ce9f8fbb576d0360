"""An acknowledged write survives SIGKILL of the writing process, on reopen."""

import signal
import subprocess
import sys
from pathlib import Path

from graph.imports import list_imports
from graph.oxigraph_store import OxigraphStore
from tests.conftest import PREFIXES, paper

WRITER = """
import os, signal, sys
from pathlib import Path
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.writes import load
store = OxigraphStore(Path(sys.argv[1]))
result = load(store, [Source.from_path(Path(sys.argv[2]))], "http://127.0.0.1:8000/id/", "writer")
print(result.graph, flush=True)          # the acknowledgement
os.kill(os.getpid(), signal.SIGKILL)     # killed right after: no close, no clean exit
"""


def test_a_write_acknowledged_then_killed_is_there_on_reopen(tmp_path: Path) -> None:
    data = tmp_path / "data"
    source = tmp_path / "papers.ttl"
    source.write_text(PREFIXES + "".join(paper(f"p{i}", f"Paper {i}") for i in range(500)))
    child = subprocess.run(
        [sys.executable, "-c", WRITER, str(data), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    acknowledged = child.stdout.strip()
    store = OxigraphStore(data)
    try:
        [record] = list_imports(store)
        assert record.graph == acknowledged
        assert record.triples == 1500
        assert store.count() > 1500
    finally:
        store.close()
