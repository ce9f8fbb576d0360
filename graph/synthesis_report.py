"""A synthesis as people and programs read it: JSON, a text report, and a forest plot."""

from graph.forest_plot import Diamond, ForestPlot, Row
from graph.harmonise import number
from graph.meta_analysis import METHOD_NAMES, Pooled
from graph.synthesis import Synthesis

__all__ = ["as_json", "forest", "heterogeneity", "text_report"]


def as_json(synthesis: Synthesis) -> dict:
    """The synthesis as plain JSON-ready data, values on the measure's own scale."""

    def concept(c) -> dict:
        return {"iri": str(c.iri), "label": c.label}

    return {
        "question": synthesis.question,
        "interventions": [concept(c) for c in synthesis.interventions],
        "comparators": [concept(c) for c in synthesis.comparators],
        "outcome": concept(synthesis.outcome),
        "population": synthesis.population and concept(synthesis.population),
        "measure": synthesis.measure,
        "scale": "log" if synthesis.ratio else "identity",
        "level": synthesis.level,
        "studies": [
            {
                "finding": c.finding,
                "label": c.label,
                "study": c.study,
                "estimate": c.estimate,
                "printed": c.printed,
                "analysed": dict(
                    zip(
                        ("estimate", "ci_lower", "ci_upper"),
                        synthesis.interval(c.effect, c.se),
                        strict=True,
                    )
                ),
                "effect": c.effect,
                "standard_error": c.se,
                "conversions": list(c.conversions),
                "note": c.note,
                "weights": c.weights,
            }
            for c in synthesis.contributions
        ],
        "excluded": [vars(e) for e in synthesis.exclusions],
        "pooled": [_pooled_json(synthesis, p) for p in synthesis.pooled],
    }


def _pooled_json(synthesis: Synthesis, pooled: Pooled) -> dict:
    estimate, lower, upper = synthesis.interval(pooled.estimate, pooled.se)
    natural = synthesis.natural
    return {
        "method": pooled.method,
        "method_name": METHOD_NAMES[pooled.method],
        "k": pooled.k,
        "estimate": estimate,
        "ci_lower": lower,
        "ci_upper": upper,
        "z": pooled.z,
        "p_value": pooled.p_value,
        "prediction_lower": None if pooled.pi_lower is None else natural(pooled.pi_lower),
        "prediction_upper": None if pooled.pi_upper is None else natural(pooled.pi_upper),
        "tau2": pooled.tau2,
        "tau2_se": pooled.tau2_se,
        "q": pooled.q,
        "q_df": pooled.q_df,
        "q_p_value": pooled.q_p_value,
        "i2": pooled.i2,
        "h2": pooled.h2,
        "analysis_scale": {"estimate": pooled.estimate, "se": pooled.se},
        "iterations": pooled.iterations,
    }


def heterogeneity(pooled: Pooled) -> str:
    """``Heterogeneity (REML): τ² = 0.059, I² = 66%, Q = 8.66 (df = 3, p = 0.034)``."""
    p = "" if pooled.q_p_value is None else f", p = {_p(pooled.q_p_value)}"
    return (
        f"Heterogeneity ({pooled.method}): τ² = {pooled.tau2:.3g}, I² = {pooled.i2:.0f}%, "
        f"Q = {pooled.q:.2f} (df = {pooled.q_df}{p})"
    )


def forest(synthesis: Synthesis) -> ForestPlot:
    """The forest plot: one row per study, one diamond per method; weights of the first."""
    main = synthesis.pooled[0]
    rows = []
    for c in synthesis.contributions:
        estimate, lower, upper = synthesis.interval(c.effect, c.se)
        note = "; ".join(_short(conversion) for conversion in c.conversions)
        rows.append(Row(c.label, estimate, lower, upper, c.weights[main.method], note))
    diamonds = []
    for p in synthesis.pooled:
        estimate, lower, upper = synthesis.interval(p.estimate, p.se)
        pi = (p.pi_lower, p.pi_upper)
        pi_lower, pi_upper = (None, None) if None in pi else map(synthesis.natural, pi)
        diamonds.append(Diamond(METHOD_NAMES[p.method], estimate, lower, upper, pi_lower, pi_upper))
    footnotes = [
        f"{c.label}: {conversion}" for c in synthesis.contributions for conversion in c.conversions
    ]
    footnotes += [f"Not pooled: {e.label}: {e.reason}" for e in synthesis.exclusions]
    if any(d.pi_lower is not None for d in diamonds):
        footnotes.append(
            "Prediction intervals (thin lines): t distribution with k - 2 degrees of freedom."
        )
    names = (
        synthesis.interventions[0].label if len(synthesis.interventions) == 1 else "intervention"
    )
    versus = synthesis.comparators[0].label if len(synthesis.comparators) == 1 else "control"
    return ForestPlot(
        title=synthesis.question,
        measure=synthesis.measure_name.capitalize(),
        ratio=synthesis.ratio,
        level=synthesis.level,
        rows=rows,
        diamonds=diamonds,
        heterogeneity=heterogeneity(main),
        favours=(f"favours {names}", f"favours {versus}") if synthesis.ratio else ("", ""),
        footnotes=footnotes,
    )


def text_report(synthesis: Synthesis) -> str:
    """The synthesis as a plain-text report for the terminal."""
    level = f"{synthesis.level * 100:g}% CI"
    lines = [synthesis.question, f"measure: {synthesis.measure_name}, {level}", ""]
    for c in synthesis.contributions:
        estimate, lower, upper = synthesis.interval(c.effect, c.se)
        weights = ", ".join(f"{m} {w:.1f}%" for m, w in c.weights.items())
        lines.append(f"  {c.label}: {_interval(estimate, lower, upper)}  weight {weights}")
        lines.append(f"      printed: {c.printed}")
        lines += [f"      {conversion}" for conversion in c.conversions]
        if c.note:
            lines.append(f"      note: {c.note}")
    for e in synthesis.exclusions:
        lines.append(f"  not pooled: {e.label}: {e.reason}")
    lines.append("")
    for p in synthesis.pooled:
        estimate, lower, upper = synthesis.interval(p.estimate, p.se)
        line = f"{METHOD_NAMES[p.method]}: {_interval(estimate, lower, upper)}, p = {_p(p.p_value)}"
        if p.pi_lower is not None and p.pi_upper is not None:
            pi = (synthesis.natural(p.pi_lower), synthesis.natural(p.pi_upper))
            line += f"; prediction interval {number(pi[0])} to {number(pi[1])}"
        lines += [line, f"  {heterogeneity(p)}"]
    return "\n".join(lines) + "\n"


def _interval(estimate: float, lower: float, upper: float) -> str:
    return f"{number(estimate)} ({number(lower)} to {number(upper)})"


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _short(conversion: str) -> str:
    """The first clause of a conversion, for the plot's note under a study's label."""
    return conversion.split(";")[0]
