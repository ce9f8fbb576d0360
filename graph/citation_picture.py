"""A picture of a citation neighbourhood as SVG text, laid out by year.

Each year is a column, oldest on the left (undated publications last), so a citation, which
points back in time, mostly runs leftwards; within a column the publications are in label
order. The layout is a pure function of its input: the same neighbourhood gives the same bytes.
Each publication is a link (``<a href>``) with a ``<title>``; the focus is drawn larger, with
``id="focus"``.

>>> svg = draw(
...     [Node("a", "Fisher 1989", 1989, "/id/a"), Node("b", "ASCO Post 2014", 2014, "/id/b")],
...     [("b", "a")],
...     focus="a",
... )
>>> svg.count("<a href="), 'id="focus"' in svg
(2, True)
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Node", "draw"]

_COLUMN, _ROW, _TOP, _SIDE = 180, 44, 64, 20
_LABEL_CHARS = 26
_STYLE = """.cn-edge{stroke:#8a8a8a;stroke-width:1.2;fill:none}
.cn-node circle{fill:#4a78b5;stroke:#fff;stroke-width:1.5}
.cn-node.focus circle{fill:#d9480f}.cn-node text{font:11px system-ui,sans-serif;fill:#222}
.cn-node.focus text{font-weight:bold}.cn-year{font:bold 12px system-ui,sans-serif;fill:#555}
a.cn-node:hover text{text-decoration:underline}"""


@dataclass(frozen=True)
class Node:
    """A publication to draw: its key (its IRI), label, year, and the link to its page."""

    key: str
    label: str
    year: int | None
    href: str | None


def draw(
    nodes: Sequence[Node], edges: Iterable[tuple[str, str]], focus: str, title: str = ""
) -> str:
    """The neighbourhood as a standalone SVG document (also valid inline in HTML).

    ``edges`` are (citing key, cited key) pairs; those with an end not in ``nodes`` are left
    out. ``title`` names the picture for assistive technology.
    """
    years = sorted({n.year for n in nodes if n.year is not None})
    columns: list[list[Node]] = [[] for _ in range(len(years) + 1)]  # the last: undated
    for node in nodes:
        columns[years.index(node.year) if node.year is not None else -1].append(node)
    heads = [*(str(y) for y in years), "n.d."]
    kept = [
        (head, sorted(c, key=lambda n: (n.key != focus, n.label, n.key)))
        for head, c in zip(heads, columns, strict=True)
        if c
    ]
    at = {
        node.key: (_SIDE + _COLUMN * (i + 0.5), _TOP + _ROW * (j + 0.5))
        for i, (_, column) in enumerate(kept)
        for j, node in enumerate(column)
    }
    width = 2 * _SIDE + _COLUMN * max(len(kept), 1)
    height = _TOP + _ROW * max((len(c) for _, c in kept), default=1) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" class="citation-picture">',
        f"<title>{_e(title or 'Citation neighbourhood')}</title>",
        f"<style>{_STYLE}</style>",
        '<defs><marker id="cn-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#8a8a8a"/></marker>'
        "</defs>",
    ]
    parts += [
        f'<text class="cn-year" x="{_SIDE + _COLUMN * (i + 0.5):g}" y="20" '
        f'text-anchor="middle">{_e(head)}</text>'
        for i, (head, _) in enumerate(kept)
    ]
    parts += [_edge(at[a], at[b]) for a, b in sorted(set(edges)) if a in at and b in at and a != b]
    parts += [_node(node, at[node.key], node.key == focus) for _, c in kept for node in c]
    parts.append("</svg>")
    return "\n".join(parts)


def _edge(start: tuple[float, float], end: tuple[float, float]) -> str:
    """A curve from the citing to the cited circle, stopping at its rim. It bows sideways
    within one column, and upwards over the columns it skips, so that it does not run through
    the publications between its ends."""
    (x1, y1), (x2, y2) = start, end
    skipped = min(max(round(abs(x2 - x1) / _COLUMN) - 1, 0), 3)
    cx = (x1 + x2) / 2 + (40.0 + abs(y2 - y1) / 4 if x1 == x2 else 0.0)
    cy = (y1 + y2) / 2 - 24.0 * skipped
    length = max(((x2 - cx) ** 2 + (y2 - cy) ** 2) ** 0.5, 1.0)
    x2, y2 = x2 - (x2 - cx) * 10 / length, y2 - (y2 - cy) * 10 / length
    return (
        f'<path class="cn-edge" d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" '
        'marker-end="url(#cn-arrow)"/>'
    )


def _node(node: Node, at: tuple[float, float], focus: bool) -> str:
    x, y = at
    label = node.label if len(node.label) <= _LABEL_CHARS else node.label[: _LABEL_CHARS - 1] + "…"
    year = f" ({node.year})" if node.year is not None else ""
    body = (
        f"<title>{_e(node.label + year)}</title>"
        f'<circle cx="{x:g}" cy="{y:g}" r="{11 if focus else 7}"/>'
        f'<text x="{x:g}" y="{y + 22:g}" text-anchor="middle">{_e(label)}</text>'
    )
    classes = "cn-node focus" if focus else "cn-node"
    ident = ' id="focus"' if focus else ""
    if node.href is None:
        return f'<g class="{classes}"{ident}>{body}</g>'
    return f'<a href="{_e(node.href)}" class="{classes}"{ident}>{body}</a>'


def _e(text: str) -> str:
    return escape(text, quote=True)
