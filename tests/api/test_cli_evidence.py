"""``evidence-graph synthesize`` and ``evidence-graph evidence-map`` on a real on-disk store with
the example evidence: each use in a real subprocess; the further variants of their errors in this
process through click's runner (a subprocess spends seconds importing scipy for each)."""

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pytest
from click.testing import CliRunner
from rdflib import Graph, Namespace

from api.cli import main
from tests.api.conftest import Run, command_line

BASE = "http://127.0.0.1:8000/id/"
EV = Namespace("https://w3id.org/evidence-graph/ns#")
HYPOTHESIS = "hypothesis/primary-removal-accelerates-metastases"
QUESTION = (
    "-i", "LRT",
    "-c", "no LRT",
    "-c", "no surgery of the primary",
    "-c", "systemic therapy alone",
    "-c", "continued systemic therapy",
    "--outcome", "OS",
)  # fmt: skip
STUDIES = ["Badwe 2015", "Soran 2018", "Fitzal 2019", "Khan 2022"]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-evidence") / "data"


@pytest.fixture(scope="module")
def cli(data_dir: Path) -> Run:
    """Run ``evidence-graph ARGS --data-dir D`` on one store with the examples loaded."""
    run = command_line(data_dir)
    loaded = run("load-examples")
    assert loaded.returncode == 0, loaded.stderr
    return run


@pytest.fixture
def in_process(cli: Run, data_dir: Path) -> Run:
    """The same command line, run in this process on the same store (loaded by ``cli``)."""

    def run(*args: str) -> subprocess.CompletedProcess:
        result = CliRunner().invoke(
            main, [*args, "--data-dir", str(data_dir)], env={"EVIDENCE_GRAPH_BASE_IRI": BASE}
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # what would be a traceback
        return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)

    return run


def one_line_error(done: subprocess.CompletedProcess) -> str:
    """The message of a failed command: a single ``Error: ...`` line on stderr."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, done.stderr
    return errors[0].removeprefix("Error: ")


def svg_groups(path: Path) -> list[str]:
    root = ET.fromstring(path.read_bytes())
    assert root.tag == f"{SVG}svg"
    ids = [g.get("id") for g in root.iter(f"{SVG}g")]
    return [i for i in ids if i and i.startswith(("study-row-", "pooled-"))]


def test_synthesize_prints_the_pooled_line_and_conversions_and_records_once(
    cli: Run, tmp_path: Path
) -> None:
    plot = tmp_path / "forest.svg"
    done = cli("synthesize", *QUESTION, "--plot", str(plot), "--record")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    lines = out.splitlines()
    assert lines[0].startswith("overall survival: locoregional treatment")
    assert lines[1] == "measure: hazard ratio, 95% CI"
    pooled_rows = [ln.strip() for ln in lines if ln.startswith("  ") and " weight REML " in ln]
    assert [row.split(":")[0] for row in pooled_rows] == STUDIES
    assert "Fitzal 2019: overall survival: 1.447 (0.75 to 2.793)" in out
    assert "relative to surgery of the primary; inverted to be relative to no surgery" in out
    assert "standard error from the printed 90% interval (z = 1.645): 0.1876" in out
    assert "not pooled: Badwe 2013: overall survival at 72 months: no comparative estimate" in out
    [pooled] = [ln for ln in lines if ln.startswith("Random effects (REML): ")]
    assert pooled.startswith("Random effects (REML): 0.9689 (0.716 to 1.311), p = 0.838")
    assert "prediction interval" in pooled
    assert "Heterogeneity (REML): τ² = 0.059, I² = 66%, Q = 8.66 (df = 3, p = 0.034)" in out

    assert done.stderr.strip() == f"wrote {plot}"
    assert svg_groups(plot) == [*(f"study-row-{n}" for n in range(1, 5)), "pooled-1"]

    # --record stored the pooled estimate; recording it again stores nothing new
    assert lines[-1].startswith(f"recorded: REML <{BASE}pooled/")
    iri = lines[-1].split("<")[1].rstrip(">")
    again = cli("synthesize", *QUESTION, "--record")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == f"already recorded: REML <{iri}>"

    found = cli(
        "query",
        "PREFIX ev: <https://w3id.org/evidence-graph/ns#> SELECT ?finding WHERE { "
        f"<{iri}> a ev:PooledEstimate ; ev:input/ev:finding ?finding }} ORDER BY ?finding",
        "--format",
        "csv",
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == [
        "finding",
        f"{BASE}finding/badwe2015-os",
        f"{BASE}finding/fitzal2019-os",
        f"{BASE}finding/khan2022-os",
        f"{BASE}finding/soran2018-os",
    ]


def test_synthesize_json_and_a_png_plot(cli: Run, tmp_path: Path) -> None:
    plot = tmp_path / "forest.png"
    done = cli("synthesize", *QUESTION, "--method", "REML", "--method", "DL", "--json",
               "--plot", str(plot))  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [s["label"].split(":")[0] for s in found["studies"]] == STUDIES
    assert [p["method"] for p in found["pooled"]] == ["REML", "DL"]
    assert found["pooled"][0]["estimate"] == pytest.approx(0.9689, abs=5e-5)
    assert [e["finding"] for e in found["excluded"]] == [f"{BASE}finding/badwe2013-os-72m"]
    assert "recorded" not in found

    data = plot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    height, width, _ = matplotlib.image.imread(io.BytesIO(data), format="png").shape
    assert width > 400 and height > 200


def test_a_plot_that_is_not_svg_or_png_is_a_usage_error(cli: Run, tmp_path: Path) -> None:
    done = cli("synthesize", *QUESTION, "--plot", str(tmp_path / "forest.pdf"))
    assert done.returncode == 2
    assert "--plot must end in .svg or .png, not 'forest.pdf'" in done.stderr
    assert not (tmp_path / "forest.pdf").exists()


def test_an_unknown_outcome_exits_non_zero_with_one_line(cli: Run) -> None:
    message = one_line_error(cli("synthesize", *QUESTION, "--outcome", "nonsense"))
    assert message == "no outcome is named 'nonsense' (give its IRI, or a label it has)"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("-i", "nothing"), "no intervention is named 'nothing'"),
        (("-c", "LRT"), "the intervention and the comparator overlap: "),
        (("--level", "2"), "the confidence level must lie between 0 and 1, not 2.0"),
        (("--measure", "OR"), "nothing to pool for overall survival"),
    ],
)
def test_other_bad_selections_exit_non_zero_with_one_line(
    in_process: Run, change: tuple[str, ...], expected: str
) -> None:
    assert one_line_error(in_process("synthesize", *QUESTION, *change)).startswith(expected)


def test_nothing_to_pool_says_what_was_left_out(in_process: Run) -> None:
    done = in_process(
        "synthesize",
        "-i", "concept/intervention/mastectomy-axillary-dissection-radiotherapy",
        "-c", "no LRT",
        "--outcome", "OS",
    )  # fmt: skip
    assert one_line_error(done).startswith("nothing to pool")
    assert (
        "not pooled: Badwe 2013: overall survival at 72 months: no comparative estimate printed"
        in done.stderr
    )


def test_a_plot_that_cannot_be_written_is_a_one_line_error(in_process: Run, tmp_path: Path) -> None:
    path = tmp_path / "missing" / "forest.svg"
    message = one_line_error(in_process("synthesize", *QUESTION, "--plot", str(path)))
    assert message.startswith(f"cannot write {path}")


def test_evidence_map_as_json(cli: Run, in_process: Run) -> None:
    done = cli("evidence-map", HYPOTHESIS)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["target"]["iri"] == BASE + HYPOTHESIS
    assert found["summary"] == {"supporting": 3, "challenging": 0, "mixed": 0, "direct": 3}
    claim = json.loads(in_process("evidence-map", f"{BASE}claim/badwe-no-os-benefit").stdout)
    stances = {n["iri"].rsplit("/", 1)[-1]: n["stance"] for n in claim["evidence"]}
    assert stances == {
        "soran2018-os": "challenges",
        "badwe2015-os": "supports",
        "khan2022-os": "supports",
        "osborne-practice-changing": "supports",
    }


def test_evidence_map_as_turtle_to_a_file_and_as_json_ld(
    cli: Run, in_process: Run, tmp_path: Path
) -> None:
    output = tmp_path / "map.ttl"
    done = cli("evidence-map", HYPOTHESIS, "--format", "turtle", "-o", str(output))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr.strip() == f"wrote {output}"
    turtle = Graph().parse(output, format="turtle")
    assert {str(s) for s in turtle.subjects(EV.supports, None)} == {
        f"{BASE}claim/fisher-growth-factor",
        f"{BASE}claim/badwe-growth-advantage",
        f"{BASE}finding/badwe2013-distant-pfs",
    }
    json_ld = in_process("evidence-map", HYPOTHESIS, "--format", "json-ld")
    assert json_ld.returncode == 0, json_ld.stderr
    assert set(Graph().parse(data=json_ld.stdout, format="json-ld")) == set(turtle)


def test_evidence_map_as_html(cli: Run) -> None:
    done = cli("evidence-map", "claim/badwe-no-os-benefit", "--format", "html")
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert page.startswith("<!doctype html>")
    assert "<title>Evidence map: Badwe: LRT gives no OS benefit; palliation only</title>" in page
    assert '<p id="summary">3 supporting, 1 challenging, 0 mixed; 4 linked directly. </p>' in page
    assert page.count("<tr data-iri=") == 4


def test_evidence_map_of_an_unknown_node_exits_non_zero(cli: Run) -> None:
    message = one_line_error(cli("evidence-map", "hypothesis/nope"))
    assert message == f"<{BASE}hypothesis/nope> is not a hypothesis, claim or finding in the graph"


@pytest.mark.parametrize(
    ("node", "fmt", "expected"),
    [
        ("http://example.org/nope", "turtle", "<http://example.org/nope> is not a hypothesis"),
        # in the graph, but nothing with a map: the RDF formats say so too
        ("study/badwe-tmh-trial", "turtle", f"<{BASE}study/badwe-tmh-trial> is not a hypothesis"),
        ("study/badwe-tmh-trial", "json", f"<{BASE}study/badwe-tmh-trial> is not a hypothesis"),
        # not IRIs: a message, not a traceback
        ("http://example.org/a b", "html", "'http://example.org/a b' is not an IRI"),
        ("http://example.org/a>", "json-ld", "'http://example.org/a>' is not an IRI"),
    ],
)
def test_evidence_map_of_other_unknown_nodes_exits_non_zero(
    in_process: Run, node: str, fmt: str, expected: str
) -> None:
    assert one_line_error(in_process("evidence-map", node, "--format", fmt)).startswith(expected)


def test_the_measure_choices_are_the_ones_synthesis_knows() -> None:
    # The CLI names them itself so that the other commands start without importing scipy.
    from api.cli_evidence import _MEASURES
    from graph.synthesis import MEASURES

    assert tuple(MEASURES) == _MEASURES


def test_the_other_commands_do_not_import_the_synthesis_stack() -> None:
    code = "import sys, api.cli; print(sorted({'scipy', 'matplotlib'} & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
