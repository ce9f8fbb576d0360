"""The evidence map as a page for people: the target, then the evidence that supports it, that
challenges it, and that does both through different chains, one table each."""

from collections.abc import Callable
from functools import partial
from html import escape
from urllib.parse import quote

from api.html_parts import page_href
from graph.evidence_map import EvidenceMap

__all__ = ["map_page"]

_GROUPS = (
    ("supports", "Supporting evidence"),
    ("challenges", "Challenging evidence"),
    ("mixed", "Evidence that both supports and challenges (through different chains)"),
)
_MEASURES = {
    "HazardRatio": "HR",
    "OddsRatio": "OR",
    "RiskRatio": "RR",
    "MeanDifference": "MD",
    "RiskDifference": "RD",
}
_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;line-height:1.4}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f4f4f4}.kind{font-size:.8em;text-transform:uppercase;color:#555}
.small{font-size:.85em;color:#444}blockquote{margin:.5rem 0 1rem;color:#333}"""


def map_page(found: EvidenceMap, alternates: dict[str, str], base_iri: str | None = None) -> str:
    """The whole page, every value escaped; ``alternates`` links the map's other formats
    (name -> URL). With the service's ``base_iri``, our own nodes link to their pages."""
    link = partial(_page_link, base_iri=base_iri)
    data = found.as_json()
    target = data["target"]
    labels = {n["iri"]: n.get("label") or n["iri"] for n in [target, *data["evidence"]]}
    summary = data["summary"]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Evidence map: {_e(labels[target['iri']])}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f'<p class="kind">{_e(target.get("kind", ""))}</p>',
        f"<h1>{_e(labels[target['iri']])}</h1>",
        f'<p class="small">{link(target["iri"], target["iri"])}</p>',
    ]
    if target.get("statement"):
        parts.append(f"<blockquote>{_e(target['statement'])}</blockquote>")
    parts.append(
        f'<p id="summary">{summary["supporting"]} supporting, {summary["challenging"]} '
        f"challenging, {summary['mixed']} mixed; {summary['direct']} linked directly. "
        + " · ".join(f'<a href="{_e(url)}">{_e(name)}</a>' for name, url in alternates.items())
        + "</p>"
    )
    by_source: dict[str, list[dict]] = {}
    for one in data["links"]:
        by_source.setdefault(one["source"], []).append(one)
    for stance, title in _GROUPS:
        rows = [n for n in data["evidence"] if n["stance"] == stance]
        if not rows:
            continue
        parts.append(f'<h2>{_e(title)}</h2><table id="{stance}"><thead><tr>')
        parts.append(
            "<th>Evidence</th><th>Chain</th><th>Study</th><th>Estimate</th><th>Certainty</th>"
            "<th>Linked by</th></tr></thead><tbody>"
        )
        parts += [_row(node, labels, by_source.get(node["iri"], []), link) for node in rows]
        parts.append("</tbody></table>")
    if not data["evidence"]:
        parts.append("<p>Nothing in the graph supports or challenges this yet.</p>")
    if data["cycles"]:
        parts.append("<h2>Cycles</h2><ul>")
        parts += [
            f"<li>{' → '.join(link(n, labels.get(n, n)) for n in [*cycle, cycle[0]])}</li>"
            for cycle in data["cycles"]
        ]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _row(
    node: dict, labels: dict[str, str], links: list[dict], link: Callable[[str, str], str]
) -> str:
    said = ""
    if node.get("attributed_to"):
        said = f'<div class="small">said by {_e(", ".join(node["attributed_to"]))}'
        if node.get("made"):
            said += f" on {_e(node['made'])}"
        if node.get("source"):
            source = node["source"]
            said += f"; source: {link(source['iri'], source.get('title') or source['iri'])}"
        said += "</div>"
    evidence = (
        f'<span class="kind">{link(node["iri"], node["kind"])}</span><br>'
        f'<a href="{_map_link(node["iri"])}">{_e(labels[node["iri"]])}</a>{said}'
    )
    chains = "<br>".join(
        f"{_e(sign)}: " + " → ".join(link(n, labels.get(n, n)) for n in chain[1:])
        for sign, chain in node["chains"].items()
    )
    study = node.get("study") or {}
    study_cell = ""
    if study:
        study_cell = (
            f"{link(study['iri'], study.get('label') or study['iri'])}"
            f'<div class="small">{_e(study.get("evidence_type") or "")}'
            f"{' · ' + _e(study['design']) if study.get('design') else ''}</div>"
        )
    estimates = "<br>".join(_estimate(e) for e in node.get("estimates", []))
    certainty = '<span class="small">not rated</span>'
    if node.get("certainty"):
        c = node["certainty"]
        certainty = _e(c["level"])
        certainty += "".join(
            f'<div class="small">{_e(r["domain"])} {r["levels"]:+d}'
            f"{': ' + _e(r['reason']) if r.get('reason') else ''}</div>"
            for r in c["ratings"]
        )
    linked = "<br>".join(
        f"{_e(one['relation'])} {link(one['target'], labels.get(one['target'], one['target']))}"
        f'<div class="small">by {_e(one["asserted_by"] or "unknown")}'
        f"{' at ' + _e(one['asserted_at']) if one.get('asserted_at') else ''}"
        f"{' from ' + _e(', '.join(one['sources'])) if one['sources'] else ''}</div>"
        for one in links
    )
    cells = (evidence, f"{node['depth']} step{'s' * (node['depth'] != 1)}<br>{chains}")
    cells += (study_cell, estimates, certainty, linked)
    return f'<tr data-iri="{_e(node["iri"])}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _estimate(estimate: dict) -> str:
    measure = _MEASURES.get(estimate["measure"], estimate["measure"])
    text = f"{measure} {estimate['point']:g}"
    if estimate.get("ci_lower") is not None:
        level = f"{estimate['ci_level'] * 100:g}% CI " if estimate.get("ci_level") else "CI "
        text += f" ({level}{estimate['ci_lower']:g} to {estimate['ci_upper']:g})"
    if estimate.get("p_value") is not None:
        text += f", p {estimate['p_comparator'] or '='} {estimate['p_value']:g}"
    if estimate.get("relative_to"):
        text += f'<div class="small">relative to {_e(estimate["relative_to"])}</div>'
    return text


def _page_link(iri: str, text: str, base_iri: str | None) -> str:
    """``text`` as a link to the page of ``iri`` when it is one of our nodes, else as text."""
    href = None if base_iri is None else page_href(iri, base_iri)
    return _e(text) if href is None else f'<a href="{_e(href)}">{_e(text)}</a>'


def _map_link(iri: str) -> str:
    return f"/evidence-map?node={quote(iri, safe='')}&amp;format=html"


def _e(text: object) -> str:
    return escape(str(text))
