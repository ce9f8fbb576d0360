"""The README is true: its quick start runs as printed, and it documents every setting.
Docstring examples run as doctests."""

import doctest
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph.settings import Settings

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_opens_with_the_two_set_up_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    assert first_block[0].endswith("evidence-graph serve")
    assert first_block[1].endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert first_block[1] in ci


def test_the_quick_start_runs_as_printed(tmp_path: Path) -> None:
    section = README.split("## Quick start", 1)[1]
    script = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "claim/fisher-growth-factor" in done.stdout
    assert "http://127.0.0.1:8000/id/publication/khan2022" in done.stdout
    assert "refused, as it should be" in done.stdout
    assert "dropped http://127.0.0.1:8000/id/graph/" in done.stdout
    assert (tmp_path / "dump.nq").stat().st_size > 10_000


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_table(name: str) -> None:
    field = Settings.model_fields[name]
    variable = f"`EVIDENCE_GRAPH_{name.upper()}`"
    row = next((line for line in README.splitlines() if line.startswith(f"| {variable}")), None)
    assert row is not None, f"EVIDENCE_GRAPH_{name.upper()} is missing from the README"
    assert field.description in row


@pytest.mark.parametrize(
    "module",
    [
        "ontology",
        "graph.identifiers",
        "graph.federation",
        "api.negotiation",
        "graph.citation_index",
    ],
)
def test_docstring_examples(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0
