"""A plain (non-editable) `pip install .` ships the vocabulary, shapes, examples and queries."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
SKIP = shutil.ignore_patterns(".git", ".venv", "data", "build", "*.egg-info", "__pycache__", "out")


def test_a_non_editable_install_works_from_anywhere(tmp_path: Path) -> None:
    source, target, elsewhere = tmp_path / "src", tmp_path / "site", tmp_path / "elsewhere"
    shutil.copytree(ROOT, source, ignore=SKIP)
    elsewhere.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    shutil.rmtree(source)  # nothing may be read from the source tree any more
    env = {**os.environ, "PYTHONPATH": str(target)}

    def run(*args: str) -> str:
        done = subprocess.run(
            args, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    located = run(
        sys.executable, "-c", "import graph, ontology; print(graph.__file__, ontology.shapes())"
    )
    assert located.count(str(target)) == 2
    exe = str(target / "bin" / "evidence-graph")
    run(exe, "load-examples")
    count = run(
        exe,
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?h a <https://w3id.org/evidence-graph/ns#Hypothesis> }",
        "--format",
        "csv",
    )
    assert count.split() == ["n", "1"]
