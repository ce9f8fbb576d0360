"""Forest plots: the SVG's structure and text, stable bytes, PNG size, axes, input checks."""

import dataclasses
import io
import itertools
import math
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib as mpl
import matplotlib.image
import pytest

from graph.forest_plot import Diamond, ForestPlot, Row, render

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

TRIALS = (
    Row("Badwe 2015", 1.04, 0.81, 1.34, 31.2),
    Row("Soran 2018 (MF07-01)", 0.66, 0.49, 0.88, 28.0),
    Row(
        "Fitzal 2019",
        1.447,
        0.750,
        2.793,
        14.1,
        "inverted: printed as 0.691 [0.358, 1.333] relative to the surgery arm",
    ),
    Row("Khan 2022", 1.11, 0.78, 1.59, 26.7, "95% CI derived from the printed 90% CI 0.82-1.52"),
)
HETEROGENEITY = "Heterogeneity: τ² = 0.03, I² = 45%, Q = 5.4 (df = 3, p = 0.14)"


def example(rows=TRIALS, **changes) -> ForestPlot:
    """The four trials on locoregional treatment of de novo metastatic breast cancer."""
    plot = ForestPlot(
        title="Overall survival: locoregional treatment vs no locoregional treatment",
        measure="Hazard ratio",
        ratio=True,
        level=0.95,
        rows=rows,
        diamonds=[Diamond("Random effects (REML)", 0.97, 0.72, 1.31, 0.38, 2.5)],
        heterogeneity=HETEROGENEITY,
        favours=("Favours locoregional treatment", "Favours no locoregional treatment"),
        footnotes=["Fitzal 2019 was inverted to compare no surgery with surgery."],
    )
    return dataclasses.replace(plot, **changes)


def many(n: int) -> tuple[Row, ...]:
    return tuple(Row(f"Trial {i}", 1 + i / 100, 0.7, 1.5 + i / 50, 100 / n) for i in range(n))


def svg_root(plot: ForestPlot) -> ET.Element:
    return ET.fromstring(render(plot, "svg"))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def group_ids(root: ET.Element, pattern: str) -> list[str]:
    ids = (g.get("id", "") for g in root.iter(f"{SVG}g"))
    return [i for i in ids if re.fullmatch(pattern, i)]


def tick_x(root: ET.Element, labels: list[str]) -> list[float]:
    """The x position of each tick label (the first text element with that content)."""
    found = {"".join(t.itertext()): float(t.get("x", "nan")) for t in root.iter(f"{SVG}text")}
    return [found[label] for label in labels]


def evenly_spaced(xs: list[float]) -> bool:
    steps = [b - a for a, b in itertools.pairwise(xs)]
    return steps[0] > 0 and all(math.isclose(step, steps[0], rel_tol=1e-3) for step in steps)


def test_svg_has_one_group_per_study_and_per_diamond() -> None:
    plot = example(diamonds=[*example().diamonds, Diamond("Common effect", 0.93, 0.8, 1.08)])
    root = svg_root(plot)
    assert root.tag == f"{SVG}svg"
    assert group_ids(root, r"study-row-\d+") == [
        "study-row-1",
        "study-row-2",
        "study-row-3",
        "study-row-4",
    ]
    assert group_ids(root, r"pooled-\d+") == ["pooled-1", "pooled-2"]


def test_svg_keeps_labels_numbers_and_heterogeneity_as_text() -> None:
    shown = texts(svg_root(example()))
    for expected in [
        *(row.label for row in TRIALS),
        HETEROGENEITY,
        "Random effects (REML)",
        "HR [95% CI]",
        "1.04 [0.81, 1.34]",
        "1.45 [0.75, 2.79]",
        "31.2%",
        "0.97 [0.72, 1.31]",
        "PI [0.38, 2.50]",
        "Hazard ratio",
    ]:
        assert expected in shown


def test_small_ratios_get_three_decimals_and_unpooled_rows_no_weight() -> None:
    rows = [Row("Tiny", 0.05, 0.004, 0.6, None), Row("Big", 1.2, 0.9, 1.6, 100.0)]
    shown = texts(svg_root(example(rows=rows)))
    assert "0.050 [0.004, 0.600]" in shown
    assert "1.20 [0.90, 1.60]" in shown
    assert "\u2013" in shown and "100.0%" in shown


def test_labels_are_not_read_as_mathtext() -> None:
    rows = [Row("Costs in $ and $ again", 1.0, 0.5, 2.0, 100.0)]
    assert "Costs in $ and $ again" in texts(svg_root(example(rows=rows)))


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_same_input_gives_identical_bytes(fmt: str) -> None:
    assert render(example(), fmt) == render(example(), fmt)


def test_concurrent_renders_match_and_leave_rcparams_alone() -> None:
    before = dict(mpl.rcParams)
    expected = render(example(), "svg")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: render(example(), "svg"), range(6)))
    assert all(result == expected for result in results)
    assert dict(mpl.rcParams) == before


def test_png_reads_back_and_grows_with_the_rows() -> None:
    small, large = render(example(rows=many(4)), "png"), render(example(rows=many(20)), "png")
    assert small.startswith(PNG_SIGNATURE) and large.startswith(PNG_SIGNATURE)
    small_image = matplotlib.image.imread(io.BytesIO(small), format="png")
    large_image = matplotlib.image.imread(io.BytesIO(large), format="png")
    assert small_image.shape[1] == large_image.shape[1]  # the same columns
    assert large_image.shape[0] > small_image.shape[0] * 2


def test_ratio_plot_has_a_log_axis_with_readable_ticks() -> None:
    root = svg_root(example())
    assert evenly_spaced(tick_x(root, ["0.25", "0.5", "1", "2", "4"]))  # equal per doubling


def test_difference_plot_has_a_linear_axis_through_zero() -> None:
    rows = [Row("A", -1.2, -2.5, 0.1, 40.0), Row("B", 0.4, -0.8, 1.6, 60.0)]
    plot = example(rows=rows, ratio=False, measure="Mean difference", diamonds=[])
    root = svg_root(plot)
    assert "MD [95% CI]" in texts(root)
    assert evenly_spaced(tick_x(root, ["\u22122", "\u22121", "0", "1", "2"]))
    assert "\u22121.20 [\u22122.50, 0.10]" in texts(root)


def test_intervals_beyond_the_axis_still_render() -> None:
    rows = [Row("Huge", 3.0, 0.2, 500.0, 50.0), Row("Tiny", 0.004, 0.001, 0.02, 50.0)]
    root = svg_root(example(rows=rows))
    assert len(group_ids(root, r"study-row-\d+")) == 2
    assert "0.01" in texts(root) and "100" in texts(root)


def test_long_labels_and_footnotes_widen_nothing_beyond_the_figure() -> None:
    long = "A very long study label that cannot possibly fit on one line of the table " * 2
    plot = example(rows=[Row(long, 1.0, 0.5, 2.0, 100.0, long)], footnotes=[long * 3])
    root = svg_root(plot)
    width = float(root.get("viewBox", "").split()[2])
    lefts = [float(t.get("x", "0")) for t in root.iter(f"{SVG}text")]
    assert min(lefts) >= 0 and max(lefts) <= width


@pytest.mark.parametrize(
    ("plot", "fmt", "message"),
    [
        (example(), "pdf", "fmt"),
        (example(rows=[], diamonds=[]), "svg", "at least one"),
        (example(rows=[Row("Zero", 0.0, 0.0, 1.0, None)]), "svg", "positive"),
        (example(rows=[Row("Negative", 1.0, -0.5, 2.0, None)]), "png", "positive"),
        (example(rows=[Row("Low above", 0.8, 0.9, 1.2, None)]), "svg", "lower <= estimate"),
        (example(rows=[Row("Estimate above", 1.5, 0.9, 1.2, None)]), "svg", "lower <= estimate"),
        (example(rows=[Row("Not a number", math.nan, 0.9, 1.2, None)]), "svg", "finite"),
        (example(diamonds=[Diamond("Half PI", 1.0, 0.8, 1.2, 0.5)]), "svg", "both"),
        (example(diamonds=[Diamond("Bad PI", 1.0, 0.8, 1.2, 1.1, 2.0)]), "svg", "prediction"),
        (example(level=95), "svg", "level"),
    ],
)
def test_bad_input_raises_value_error(plot: ForestPlot, fmt: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(plot, fmt)  # type: ignore[arg-type]
