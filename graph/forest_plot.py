"""Forest plots of a meta-analysis, rendered to SVG or PNG with matplotlib.

Only the object-oriented API is used (a ``Figure`` with its own canvas, never ``pyplot``), so no
display is needed. The layout is in inches: the plot's y axis counts inches down from its top and
the table columns are placed in inches from the figure's left edge, so the figure grows with the
rows. matplotlib's rcParams are global, so the few the output depends on are set inside
``rc_context`` under a lock: concurrent renders cannot see each other's settings.
"""

import functools
import io
import math
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import matplotlib as mpl
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import Bbox, ScaledTranslation, Transform, blended_transform_factory

__all__ = ["Diamond", "ForestPlot", "Row", "render"]


@dataclass(frozen=True)
class Row:
    """One study: estimate and CI on the natural scale, percent weight (None if not pooled)."""

    label: str
    estimate: float
    lower: float
    upper: float
    weight: float | None
    note: str = ""


@dataclass(frozen=True)
class Diamond:
    """A pooled estimate, with an optional prediction interval."""

    label: str
    estimate: float
    lower: float
    upper: float
    pi_lower: float | None = None
    pi_upper: float | None = None


@dataclass(frozen=True)
class ForestPlot:
    """Everything one forest plot shows; ``level`` is that of every interval in it."""

    title: str
    measure: str
    ratio: bool
    level: float
    rows: Sequence[Row]
    diamonds: Sequence[Diamond]
    heterogeneity: str
    favours: tuple[str, str] = ("", "")
    footnotes: Sequence[str] = ()


_LOCK = threading.Lock()
_RC = {
    "svg.hashsalt": "forest-plot",  # stable clip-path ids, so equal input gives equal bytes
    "svg.fonttype": "none",  # text stays text in the SVG
    "font.family": "DejaVu Sans",
    "text.hinting": "no_hinting",  # a third faster to rasterise, and looks like the SVG
}
_FS, _SMALL, _DPI = 9.0, 7.5, 150  # font sizes (points), PNG resolution
_LINE, _SLINE = _FS * 1.2 / 72, _SMALL * 1.2 / 72  # line heights (inches)
_PAD, _PLOT_W, _GAP = 0.055, 3.0, 0.2  # inches: row padding, plot width, column gap
_INK, _BOX = "#222222", "#1f4e79"
_RATIO_TICKS = (  # symmetric log axes, narrowest first
    (0.5, 0.7, 1, 1.5, 2),
    (0.25, 0.5, 1, 2, 4),
    (0.2, 0.5, 1, 2, 5),
    (0.1, 0.2, 0.5, 1, 2, 5, 10),
    (0.01, 0.1, 1, 10, 100),
)


def render(plot: ForestPlot, fmt: Literal["svg", "png"]) -> bytes:
    """The forest plot as SVG (text kept as text, byte-identical for equal input) or PNG."""
    _check(plot, fmt)
    with _LOCK, mpl.rc_context(_RC):
        fig = _figure(plot)
        # a layout pass for the tight box: bbox_inches="tight" would draw everything twice
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.15)
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=_DPI, bbox_inches=box, metadata=meta)
        return out.getvalue()


def _check(plot: ForestPlot, fmt: str) -> None:
    if fmt not in ("svg", "png"):
        raise ValueError(f"fmt must be 'svg' or 'png', not {fmt!r}")
    if not plot.rows and not plot.diamonds:
        raise ValueError("a forest plot needs at least one row or diamond")
    if not 0 < plot.level < 1:
        raise ValueError(f"level must be between 0 and 1, not {plot.level!r}")
    for item in [*plot.rows, *plot.diamonds]:
        name, values = repr(item.label), _values(item)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ValueError(f"{name}: estimate and limits must be finite numbers, got {values}")
        if plot.ratio and min(values) <= 0:
            raise ValueError(f"{name}: a ratio must be positive, got {min(values)}")
        if not item.lower <= item.estimate <= item.upper:
            raise ValueError(f"{name}: need lower <= estimate <= upper, got {values[:3]}")
        pi = (item.pi_lower, item.pi_upper) if isinstance(item, Diamond) else (None, None)
        if (pi[0] is None) != (pi[1] is None):
            raise ValueError(f"{name}: give both prediction limits or neither")
        if pi[0] is not None and pi[1] is not None and not pi[0] <= item.estimate <= pi[1]:
            raise ValueError(f"{name}: the prediction interval {pi} must hold the estimate")
        if isinstance(item, Row) and item.weight is not None and not item.weight >= 0:
            raise ValueError(f"{name}: weight must be a percentage >= 0, or None")


def _values(item: Row | Diamond) -> list[float]:
    """Estimate, lower, upper, then the prediction limits if any."""
    pi = (item.pi_lower, item.pi_upper) if isinstance(item, Diamond) else ()
    return [item.estimate, item.lower, item.upper, *(v for v in pi if v is not None)]


def _ci(ratio: bool, estimate: float, lower: float, upper: float) -> str:
    """``1.04 [0.81, 1.34]``: 2 decimals, 3 for the whole triple if a ratio in it is < 0.1."""
    d = 3 if ratio and lower < 0.1 else 2
    return f"{estimate:.{d}f} [{lower:.{d}f}, {upper:.{d}f}]".replace("-", "\u2212")


def _ticks(plot: ForestPlot) -> list[float]:
    """Tick values; the first and last are the axis limits."""
    values = [v for item in [*plot.rows, *plot.diamonds] for v in _values(item)]
    if plot.ratio:
        extent = max(max(values), 1 / min(values)) / 1.0001
        return list(next((t for t in _RATIO_TICKS if t[-1] >= extent), _RATIO_TICKS[-1]))
    lo, hi = min(*values, 0.0), max(*values, 0.0)
    ticks = MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi if hi > lo else lo + 1)
    return [float(t) for t in ticks]


def _width(text: str, size: float = _FS, bold: bool = False) -> float:
    """Width in inches of (possibly multi-line) text in the plot's font, without kerning."""
    return max(sum(_advance(c, bold) for c in line) for line in text.split("\n")) * size / 72


@functools.cache
def _advance(char: str, bold: bool) -> float:
    """Advance width of a character in ems (that of "M" if the font lacks it): cheap to sum,
    where laying out a whole string costs about a millisecond."""
    font = get_font(findfont(FontProperties(family="DejaVu Sans", weight=700 if bold else 400)))
    font.set_size(100, 72)
    glyph = font.get_char_index(ord(char)) or font.get_char_index(ord("M"))
    return font.load_glyph(glyph, flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536 / 100


def _wrap(text: str, inches: float, size: float = _FS) -> str:
    return textwrap.fill(text, max(20, int(inches * 72 / (0.58 * size))))


def _lines(text: str) -> int:
    return text.count("\n") + 1 if text else 0


class _Group(Artist):
    """Draws its children inside one group named by its gid (one ``<g id=...>`` in SVG)."""

    def __init__(self, gid: str, children: list[Artist], ax: Axes) -> None:
        super().__init__()
        self.set_gid(gid)
        self.set_clip_on(False)  # so that the tight bounding box counts it
        self._kids = children
        for child in children:
            child.set_figure(ax.figure)
            if not isinstance(child, Text):
                child.set_clip_path(ax.patch)

    def draw(self, renderer) -> None:
        renderer.open_group("group", gid=self.get_gid())
        for child in self._kids:
            child.draw(renderer)
        renderer.close_group("group")

    def get_window_extent(self, renderer=None) -> Bbox:
        return Bbox.union([child.get_tightbbox(renderer) for child in self._kids])


def _marks(
    item: Row | Diamond, y: float, ticks: list[float], size: float, data: Transform
) -> list[Artist]:
    """The square and CI line of a study, or the diamond and prediction interval of a pool."""
    lo, hi, kw = ticks[0], ticks[-1], {"color": _INK, "transform": data}

    def interval(a: float, b: float, lw: float) -> list[Artist]:  # with arrows past the axis
        arts: list[Artist] = [Line2D([max(a, lo), min(b, hi)], [y, y], lw=lw, **kw)]
        ends = [(lo, "<")] * (a < lo) + [(hi, ">")] * (b > hi)
        return arts + [Line2D([x], [y], marker=m, ms=5, clip_on=False, **kw) for x, m in ends]

    if isinstance(item, Row):
        arts = interval(item.lower, item.upper, 1.0)
        if lo <= item.estimate <= hi:
            square = {"marker": "s", "ms": size, "mew": 0, "color": _BOX}
            arts.append(Line2D([item.estimate], [y], transform=data, **square))
        return arts
    pi: list[Artist] = []
    if item.pi_lower is not None and item.pi_upper is not None:
        ends = [v for v in (item.pi_lower, item.pi_upper) if lo <= v <= hi]
        pi = interval(item.pi_lower, item.pi_upper, 0.8)
        pi.append(Line2D(ends, [y] * len(ends), marker="|", ms=6, ls="none", **kw))
    e, h = item.estimate, 0.085
    corners = [(item.lower, y), (e, y - h), (item.upper, y), (e, y + h)]
    return [*pi, Polygon(corners, facecolor=_INK, edgecolor=_INK, lw=0.5, transform=data)]


def _figure(plot: ForestPlot) -> Figure:
    """Lay the plot out: study labels | the plot | estimate [CI] | weight."""
    n, items, ticks = len(plot.rows), [*plot.rows, *plot.diamonds], _ticks(plot)
    words = plot.measure.split()
    short = "".join(w[0] for w in words).upper() if len(words) > 1 else plot.measure
    head = f"{short} [{plot.level * 100:g}% CI]"
    labels = [_wrap(item.label, 3.2) for item in items]
    notes = [_wrap(r.note, 3.2, _SMALL) for r in plot.rows] + [""] * len(plot.diamonds)
    cis = [_ci(plot.ratio, i.estimate, i.lower, i.upper) for i in items]
    subs = [""] * n  # a second, small line under the estimate of a pool: its prediction interval
    for d in plot.diamonds:
        pi = (d.pi_lower, d.pi_upper) if d.pi_lower is not None and d.pi_upper is not None else ()
        subs.append("PI " + _ci(plot.ratio, d.estimate, *pi).split(" ", 1)[1] if pi else "")
    weights = ["\u2013" if r.weight is None else f"{r.weight:.1f}%" for r in plot.rows]
    label_w = max(
        [_width(s, bold=True) for s in ["Study", *labels]] + [_width(s, _SMALL) for s in notes]
    )
    x_ci = label_w + 2 * _GAP + _PLOT_W
    x_weight = x_ci + max(_width(s, bold=True) for s in [head, *cis]) + _GAP
    width = x_weight + max(_width("Weight", bold=True), _width("100.0%"))
    title, het = _wrap(plot.title, width, 11), _wrap(plot.heterogeneity, width, 8)
    foot = "\n".join(_wrap(f, width, _SMALL) for f in plot.footnotes)
    favours = [_wrap(f, 1.6, 8) for f in plot.favours]

    centres, y = [], 0.0  # of each row's first line, in inches down from the top of the plot
    for k, (label, note, sub) in enumerate(zip(labels, notes, subs, strict=True)):
        y += 0.1 if k == n > 0 else 0.0
        centres.append(y + _PAD + _LINE / 2)
        tall = _lines(label) * _LINE + _lines(note) * _SLINE
        y += 2 * _PAD + max(tall, _LINE + _lines(sub) * _SLINE)
    rows_end, het_top = y, y + 0.06
    height = het_top + _lines(het) * 8 * 1.2 / 72 + 0.1  # of the plot, down to the x axis
    fav_top = height + 0.27  # below the tick labels
    xlabel_top = fav_top + max(map(_lines, favours)) * 8 * 1.2 / 72 + 0.05
    foot_top = xlabel_top + _LINE + 0.12
    top = 0.5 + _lines(title) * 11 * 1.2 / 72
    bottom = foot_top + _lines(foot) * _SLINE - height + 0.1

    fig = Figure(figsize=(width, top + height + bottom), dpi=_DPI)
    FigureCanvasAgg(fig)
    total = top + height + bottom
    ax = fig.add_axes(((label_w + _GAP) / width, bottom / total, _PLOT_W / width, height / total))
    ax.set_xscale("log" if plot.ratio else "linear")
    ax.set(xlim=(ticks[0], ticks[-1]), ylim=(height, 0), yticks=[])
    ax.set_xticks(ticks, [f"{t:g}".replace("-", "\u2212") for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.tick_params(labelsize=8, length=3, colors=_INK)
    ax.spines[["left", "right", "top"]].set_visible(False)
    table = blended_transform_factory(fig.dpi_scale_trans, ax.transData)  # x: inches, y: rows
    null = 1.0 if plot.ratio else 0.0

    def text(x: float, y: float, s: str, size: float = _FS, tr: Transform = table, **kw) -> Text:
        kw = {"va": "center_baseline", "color": _INK, **kw}
        return Text(x, y, s, fontsize=size, transform=tr, parse_math=False, **kw)

    def put(*args, **kw) -> None:  # a text outside the rows
        ax.add_artist(text(*args, **kw)).set_clip_on(False)

    put(0, -0.3, title, 11, weight="bold", va="bottom")
    for x, s, ha in ((0, "Study", "left"), (x_ci, head, "left"), (width, "Weight", "right")):
        put(x, -0.06, s, weight="bold", va="bottom", ha=ha)
    put(0, het_top, het, 8, va="top")
    for s, ha, dx in ((favours[0], "right", -0.06), (favours[1], "left", 0.06)):
        shift = ax.transData + ScaledTranslation(dx, 0, fig.dpi_scale_trans)
        put(null, fav_top, s, 8, tr=shift, va="top", ha=ha, multialignment=ha)
    xlabel = blended_transform_factory(ax.transAxes, ax.transData)
    put(0.5, xlabel_top, plot.measure, tr=xlabel, va="top", ha="center")
    put(0, foot_top, foot, _SMALL, va="top", color="0.3")
    for y in [0.0] + ([centres[n] - _LINE / 2 - _PAD - 0.05] if n and plot.diamonds else []):
        ax.plot([0, width], [y, y], transform=table, clip_on=False, color="0.55", lw=0.6)
    ax.plot([null, null], [0, rows_end], color="0.45", lw=0.8, zorder=1)

    biggest = max((r.weight or 0.0 for r in plot.rows), default=0.0)
    for k, item in enumerate(items):
        yc, pooled = centres[k], isinstance(item, Diamond)
        bold = "bold" if pooled else "normal"
        arts = [text(0, yc, labels[k], weight=bold), text(x_ci, yc, cis[k], weight=bold)]
        if isinstance(item, Row):
            arts.append(text(width, yc, weights[k], ha="right"))
        if notes[k]:
            y_note = yc + (_lines(labels[k]) - 0.5) * _LINE + 0.005
            arts.append(text(0, y_note, notes[k], _SMALL, va="top", style="italic"))
        if subs[k]:
            arts.append(text(x_ci, yc + _LINE / 2 + 0.005, subs[k], _SMALL, va="top"))
        w = item.weight if isinstance(item, Row) else None
        size = 5.0 if w is None or not biggest else max(3.0, 12 * math.sqrt(w / biggest))
        gid = f"pooled-{k + 1 - n}" if pooled else f"study-row-{k + 1}"
        ax.add_artist(_Group(gid, [*arts, *_marks(item, yc, ticks, size, ax.transData)], ax))
    return fig
