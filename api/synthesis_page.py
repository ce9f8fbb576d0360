"""A synthesis as a page for people: the forest plot, each study as printed and as analysed with
the conversions, the studies not pooled and why, and the pooled results."""

from html import escape

from graph.harmonise import number
from graph.meta_analysis import METHOD_NAMES
from graph.synthesis import Synthesis
from graph.synthesis_report import heterogeneity

__all__ = ["synthesis_page"]

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;line-height:1.4}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f4f4f4}.small{font-size:.85em;color:#444}figure{margin:1rem 0 2rem}
figure svg{width:100%;max-width:60rem;height:auto}"""


def synthesis_page(synthesis: Synthesis, plot_svg: str, alternates: dict[str, str]) -> str:
    """The whole page, every value escaped; ``plot_svg`` is the forest plot to show inline and
    ``alternates`` links the other formats (name -> URL)."""
    level = f"{synthesis.level * 100:g}% CI"
    links = " · ".join(f'<a href="{_e(url)}">{_e(name)}</a>' for name, url in alternates.items())
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Synthesis: {_e(synthesis.question)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(synthesis.question)}</h1>",
        f'<p id="summary">{len(synthesis.contributions)} studies pooled, '
        f"{len(synthesis.exclusions)} not pooled; {_e(synthesis.measure_name)}, {level}. "
        f"{links}</p>",
        f"<figure>{plot_svg[plot_svg.index('<svg') :]}</figure>",
        '<h2>Pooled</h2><table id="pooled"><thead><tr><th>Method</th>'
        f"<th>{_e(synthesis.measure)} ({level})</th><th>p</th><th>Prediction interval</th>"
        "<th>Heterogeneity</th></tr></thead><tbody>",
    ]
    for pooled in synthesis.pooled:
        estimate, lower, upper = synthesis.interval(pooled.estimate, pooled.se)
        pi = "none (fewer than 3 studies, or a fixed effect)"
        if pooled.pi_lower is not None and pooled.pi_upper is not None:
            pi = f"{number(synthesis.natural(pooled.pi_lower))} to "
            pi += number(synthesis.natural(pooled.pi_upper))
        cells = (
            _e(METHOD_NAMES[pooled.method]),
            f"{number(estimate)} ({number(lower)} to {number(upper)})",
            f"{pooled.p_value:.3g}",
            pi,
            _e(heterogeneity(pooled)),
        )
        parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table>")
    parts.append(
        '<h2>Studies</h2><table id="studies"><thead><tr><th>Finding</th><th>As printed</th>'
        f"<th>As analysed ({level})</th><th>Conversions</th><th>Weight</th></tr></thead><tbody>"
    )
    for c in synthesis.contributions:
        estimate, lower, upper = synthesis.interval(c.effect, c.se)
        weights = "<br>".join(f"{_e(m)} {w:.1f}%" for m, w in c.weights.items())
        cells = (
            f'{_e(c.label)}<div class="small">{_e(c.finding)}</div>',
            _e(c.printed),
            f"{number(estimate)} ({number(lower)} to {number(upper)})",
            ("<br>".join(_e(conversion) for conversion in c.conversions) or "none")
            + (f'<div class="small">{_e(c.note)}</div>' if c.note else ""),
            weights,
        )
        parts.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    parts.append("</tbody></table>")
    if synthesis.exclusions:
        parts.append('<h2>Not pooled</h2><ul id="excluded">')
        parts += [f"<li>{_e(e.label)}: {_e(e.reason)}</li>" for e in synthesis.exclusions]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _e(text: object) -> str:
    return escape(str(text))
