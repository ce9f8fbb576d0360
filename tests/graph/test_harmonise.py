"""graph.harmonise: from an estimate as printed to the effect and standard error that are pooled.

Expected values are computed here from the printed numbers with the textbook formulas
(SE = (upper - lower) / (2 z), log scale for ratios), not read back from the module.
"""

import math

import pytest

from graph.harmonise import Printed, Unusable, analyse, describe, number

Z95 = 1.959963984540054
Z90 = 1.6448536269514722
Z99 = 2.5758293035489004


def test_a_ratio_relative_to_the_intervention_is_inverted() -> None:
    # Fitzal 2019 as printed: HR 0.691 (95% CI 0.358-1.333), relative to the surgery arm.
    printed = Printed("HR", 0.691, 0.358, 1.333, 0.95, 0.267, "=")
    analysed = analyse(printed, True, "surgery of the primary", "no surgery of the primary")
    assert math.exp(analysed.effect) == pytest.approx(1 / 0.691)
    assert round(math.exp(analysed.effect), 3) == 1.447
    # the limits swap: 1/1.333 is the new lower limit, 1/0.358 the new upper one
    lower = math.exp(analysed.effect - Z95 * analysed.se)
    upper = math.exp(analysed.effect + Z95 * analysed.se)
    assert (round(lower, 3), round(upper, 3)) == (0.750, 2.793)
    # (the printed limits are rounded, so the interval is symmetric on the log scale only
    # to about three digits)
    assert lower == pytest.approx(1 / 1.333, rel=1e-3) and upper == pytest.approx(
        1 / 0.358, rel=1e-3
    )
    assert analysed.se == pytest.approx((math.log(1.333) - math.log(0.358)) / (2 * Z95))
    [conversion] = analysed.conversions
    assert "inverted" in conversion
    assert "relative to surgery of the primary" in conversion
    assert "relative to no surgery of the primary" in conversion
    assert "HR 0.691 (95% CI 0.358 to 1.333)" in conversion
    assert "1.447 (95% CI 0.7502 to 2.793)" in conversion


def test_a_ratio_relative_to_the_comparator_is_kept() -> None:
    printed = Printed("HR", 1.04, 0.81, 1.34, 0.95, 0.79, "=")
    analysed = analyse(printed, False, "no LRT", "no LRT")
    assert analysed.effect == pytest.approx(math.log(1.04))
    assert analysed.se == pytest.approx((math.log(1.34) - math.log(0.81)) / (2 * Z95))
    assert analysed.conversions == ()


def test_a_mean_difference_relative_to_the_intervention_is_negated_with_limits_swapped() -> None:
    printed = Printed("MD", 2.5, -0.5, 5.5, 0.95)
    analysed = analyse(printed, True, "drug", "placebo")
    assert analysed.effect == -2.5
    assert analysed.se == pytest.approx(6.0 / (2 * Z95))
    [conversion] = analysed.conversions
    assert "negated" in conversion and "inverted" not in conversion
    assert "MD 2.5 (95% CI -0.5 to 5.5)" in conversion
    assert "-2.5 (95% CI -5.5 to 0.5)" in conversion
    # a difference stays on its own scale, a ratio is not implied
    assert not printed.ratio


def test_a_risk_difference_is_negated_too() -> None:
    analysed = analyse(Printed("RD", -0.1, -0.2, 0.0, 0.95), True, "a", "b")
    assert analysed.effect == pytest.approx(0.1)
    assert analysed.se == pytest.approx(0.2 / (2 * Z95))


def test_the_se_of_a_90_percent_interval_uses_z_1645() -> None:
    # Khan 2022: HR 1.11, 90% CI 0.82-1.52
    printed = Printed("HR", 1.11, 0.82, 1.52, 0.90, 0.57, "=")
    analysed = analyse(printed, False, "continued systemic therapy", "continued systemic therapy")
    expected = (math.log(1.52) - math.log(0.82)) / (2 * 1.6449)
    assert analysed.se == pytest.approx(expected, rel=1e-4)
    assert analysed.se == pytest.approx((math.log(1.52) - math.log(0.82)) / (2 * Z90), rel=1e-12)
    # the 95% SE would be wrongly small: the 90% one is wider by 1.96 / 1.645
    assert analysed.se / ((math.log(1.52) - math.log(0.82)) / (2 * Z95)) == pytest.approx(Z95 / Z90)
    assert analysed.effect == pytest.approx(math.log(1.11))
    [conversion] = analysed.conversions
    assert "90% interval" in conversion
    assert "z = 1.645" in conversion
    assert f"{analysed.se:.4f}" in conversion
    low, high = (math.exp(analysed.effect + s * Z95 * analysed.se) for s in (-1, 1))
    assert f"as a 95% interval: {number(low)} to {number(high)}" in conversion
    assert (number(low), number(high)) == ("0.7685", "1.603")


def test_a_95_percent_interval_gives_the_ordinary_se_and_says_nothing() -> None:
    printed = Printed("HR", 0.66, 0.49, 0.88, 0.95, 0.005, "=")
    analysed = analyse(printed, False, "systemic therapy alone", "systemic therapy alone")
    assert analysed.se == pytest.approx((math.log(0.88) - math.log(0.49)) / (2 * Z95))
    assert analysed.conversions == ()


def test_a_99_percent_interval_uses_z_2576() -> None:
    printed = Printed("OR", 1.5, 0.9, 2.5, 0.99)
    analysed = analyse(printed, False, "control", "control")
    assert analysed.se == pytest.approx((math.log(2.5) - math.log(0.9)) / (2 * Z99))
    [conversion] = analysed.conversions
    assert "99% interval" in conversion and "z = 2.576" in conversion


def test_a_difference_with_a_90_percent_interval_is_converted_on_its_own_scale() -> None:
    analysed = analyse(Printed("MD", 1.0, -0.5, 2.5, 0.9), False, "a", "a")
    assert analysed.effect == 1.0
    assert analysed.se == pytest.approx(3.0 / (2 * Z90))
    [conversion] = analysed.conversions
    low, high = 1.0 - Z95 * analysed.se, 1.0 + Z95 * analysed.se
    assert f"{number(low)} to {number(high)}" in conversion


def test_inversion_and_a_90_percent_interval_are_both_said() -> None:
    printed = Printed("HR", 0.9, 0.66, 1.22, 0.90)
    analysed = analyse(printed, True, "surgery", "no surgery")
    assert analysed.effect == pytest.approx(-math.log(0.9))
    assert analysed.se == pytest.approx((math.log(1.22) - math.log(0.66)) / (2 * Z90))
    inverted, interval = analysed.conversions
    assert "inverted" in inverted and "90% interval" in interval


def test_the_se_comes_from_an_exact_p_value_when_no_interval_is_printed() -> None:
    # Badwe 2013 distant PFS: HR 1.42, p = .01, no interval
    printed = Printed("HR", 1.42, p_value=0.01, p_comparator="=")
    analysed = analyse(printed, False, "no LRT", "no LRT")
    assert analysed.effect == pytest.approx(math.log(1.42))
    assert analysed.se == pytest.approx(math.log(1.42) / Z99)
    [conversion] = analysed.conversions
    assert "p = 0.01" in conversion and "no confidence interval" in conversion
    assert f"{analysed.se:.4f}" in conversion


def test_an_inverted_estimate_with_only_a_p_value_keeps_its_se() -> None:
    printed = Printed("HR", 1.42, p_value=0.01, p_comparator="=")
    analysed = analyse(printed, True, "surgery", "no surgery")
    assert analysed.effect == pytest.approx(-math.log(1.42))
    assert analysed.se == pytest.approx(math.log(1.42) / Z99)
    assert len(analysed.conversions) == 2


@pytest.mark.parametrize("comparator", ["<", "<=", ">"])
def test_a_bounded_p_value_gives_no_se(comparator: str) -> None:
    printed = Printed("HR", 0.5, p_value=0.001, p_comparator=comparator)
    with pytest.raises(Unusable, match=r"only bounded") as raised:
        analyse(printed, False, "a", "a")
    assert f"p {comparator} 0.001" in str(raised.value)
    assert "no standard error" in str(raised.value)


def test_no_interval_and_no_p_value_gives_no_se() -> None:
    # Badwe 2013 local PFS: HR 0.16, printed alone
    with pytest.raises(Unusable, match="no confidence interval and no p-value"):
        analyse(Printed("HR", 0.16), False, "a", "a")


@pytest.mark.parametrize(
    ("printed", "message"),
    [
        (Printed("HR", 1.0, p_value=0.5, p_comparator="="), "gives no standard error"),
        (Printed("HR", 1.3, p_value=1.0, p_comparator="="), "gives no standard error"),
        (Printed("MD", 1.0, 1.0, 1.0, 0.95), "no width"),
    ],
)
def test_an_estimate_without_a_derivable_se_is_unusable(printed: Printed, message: str) -> None:
    with pytest.raises(Unusable, match=message):
        analyse(printed, False, "a", "a")


def test_an_unusable_estimate_is_a_value_error() -> None:
    assert issubclass(Unusable, ValueError)


def test_describe_says_what_was_printed() -> None:
    assert describe(Printed("HR", 1.11, 0.82, 1.52, 0.9)) == "HR 1.11 (90% CI 0.82 to 1.52)"
    assert describe(Printed("HR", 1.42, p_value=0.01, p_comparator="=")) == "HR 1.42"
    assert describe(Printed("MD", -2.0, -3.5, -0.5), measure=False) == "-2 (CI -3.5 to -0.5)"
    assert number(1 / 0.691) == "1.447" and number(2.0) == "2"
