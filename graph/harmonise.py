"""From an effect estimate as printed to the effect and standard error a meta-analysis uses.

Ratios (hazard, odds, risk) are analysed on the natural-log scale, differences as they are. An
estimate printed relative to the other arm is turned round (a ratio inverted, a difference
negated). The standard error comes from the confidence interval at its stated level (a 90%
interval is narrower than a 95% one), else from an exact two-sided p-value. Every step that
changes a number is said in words, so a reader can redo it.
"""

import math
from dataclasses import dataclass

from scipy.stats import norm

__all__ = ["Analysed", "Printed", "Unusable", "analyse", "describe", "number"]


@dataclass(frozen=True)
class Printed:
    """An effect estimate as the source printed it."""

    measure: str  # "HR", "OR", "RR", "MD", "RD"
    point: float
    lower: float | None = None
    upper: float | None = None
    level: float | None = None
    p_value: float | None = None
    p_comparator: str | None = None

    @property
    def ratio(self) -> bool:
        return self.measure in {"HR", "OR", "RR"}


@dataclass(frozen=True)
class Analysed:
    """The effect (log scale for ratios) and standard error used, with the conversions made."""

    effect: float
    se: float
    conversions: tuple[str, ...]


class Unusable(ValueError):
    """The estimate cannot enter a pool; the message says why."""


def analyse(printed: Printed, invert: bool, reference: str, other: str) -> Analysed:
    """The analysed effect of ``printed``; ``invert`` when it is relative to the other arm
    than the pool's reference. ``reference`` and ``other`` name the printed estimate's
    reference arm and the arm it is turned round to, for the conversion text."""
    conversions = []
    if invert:
        turned = _inverted(printed)
        conversions.append(
            f"printed as {describe(printed)} relative to {reference}; "
            f"{'inverted' if printed.ratio else 'negated'} to be relative to {other}: "
            f"{describe(turned, measure=False)}"
        )
        printed = turned
    effect = math.log(printed.point) if printed.ratio else printed.point
    if printed.lower is not None and printed.upper is not None and printed.level is not None:
        se = _se_from_interval(printed)
        if not math.isclose(printed.level, 0.95):
            z = norm.ppf((1 + printed.level) / 2)
            z95 = norm.ppf(0.975)
            low, high = (_scale(printed, effect + s * z95 * se) for s in (-1, 1))
            conversions.append(
                f"standard error from the printed {_percent(printed.level)} interval "
                f"(z = {z:.3f}): {se:.4f}; as a 95% interval: {number(low)} to {number(high)}"
            )
        return Analysed(effect, se, tuple(conversions))
    if printed.p_value is not None and printed.p_comparator == "=":
        if not 0 < printed.p_value < 1 or effect == 0:
            raise Unusable(
                f"no confidence interval, and p = {printed.p_value} gives no standard error"
            )
        se = abs(effect) / float(norm.ppf(1 - printed.p_value / 2))
        conversions.append(
            f"standard error from the two-sided p = {printed.p_value:g} (no confidence interval "
            f"printed): {se:.4f}"
        )
        return Analysed(effect, se, tuple(conversions))
    if printed.p_value is not None:
        raise Unusable(
            f"no confidence interval, and the p-value is only bounded "
            f"(p {printed.p_comparator} {printed.p_value:g}): no standard error can be derived"
        )
    raise Unusable("no confidence interval and no p-value: no standard error can be derived")


def describe(printed: Printed, measure: bool = True) -> str:
    """``HR 1.11 (90% CI 0.82 to 1.52)``, as printed."""
    text = f"{printed.measure} {number(printed.point)}" if measure else number(printed.point)
    if printed.lower is not None and printed.upper is not None:
        level = f"{_percent(printed.level)} CI " if printed.level is not None else "CI "
        text += f" ({level}{number(printed.lower)} to {number(printed.upper)})"
    return text


def number(value: float) -> str:
    """A value to four significant digits, without trailing zeros."""
    return f"{value:.4g}"


def _inverted(printed: Printed) -> Printed:
    def turn(value: float | None) -> float | None:
        if value is None:
            return None
        return 1 / value if printed.ratio else -value

    return Printed(
        printed.measure,
        turn(printed.point),
        turn(printed.upper),
        turn(printed.lower),
        printed.level,
        printed.p_value,
        printed.p_comparator,
    )


def _se_from_interval(printed: Printed) -> float:
    low, high = printed.lower, printed.upper
    if printed.ratio:
        low, high = math.log(low), math.log(high)
    width = high - low
    if width <= 0:
        raise Unusable("the confidence interval has no width: no standard error can be derived")
    return width / (2 * float(norm.ppf((1 + printed.level) / 2)))


def _scale(printed: Printed, value: float) -> float:
    return math.exp(value) if printed.ratio else value


def _percent(level: float) -> str:
    return f"{level * 100:g}%"
