"""graph.meta_analysis agrees with metafor to the digits metafor prints.

Unless said otherwise, expected values are the output printed by metafor 3.8-1 (R 4.2,
Debian bookworm's r-cran-metafor) for the call named in each test, copied as printed; each
is compared with an absolute tolerance of half a unit in its last printed digit. Prediction
intervals are ``predict(res, pi.type="riley")``: a t distribution with k - 2 degrees of freedom
(Riley, Higgins & Deeks 2011, BMJ 342:d549; documented in metafor's ``?predict.rma``).
"""

import math

import numpy as np
import pytest
from scipy import stats

import graph.meta_analysis as meta_analysis
from graph.meta_analysis import Pooled, pool

# metafor's dat.bcg (metadat 1.2-0; Colditz et al. 1994): tpos, tneg, cpos, cneg per trial.
BCG = [
    (4, 119, 11, 128),
    (6, 300, 29, 274),
    (3, 228, 11, 209),
    (62, 13536, 248, 12619),
    (33, 5036, 47, 5761),
    (180, 1361, 372, 1079),
    (8, 2537, 10, 619),
    (505, 87886, 499, 87892),
    (29, 7470, 45, 7232),
    (17, 1699, 65, 1600),
    (186, 50448, 141, 27197),
    (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]

# dat.normand1999 (Normand 1999, Stat Med 18:321-359, Table VIII): length of hospital stay,
# m1i, sd1i, n1i, m2i, sd2i, n2i per study.
NORMAND = [
    (55, 47, 155, 75, 64, 156),
    (27, 7, 31, 29, 4, 32),
    (64, 17, 75, 119, 29, 71),
    (66, 20, 18, 137, 48, 18),
    (14, 8, 8, 18, 11, 13),
    (19, 7, 57, 18, 4, 52),
    (52, 45, 34, 41, 34, 33),
    (21, 16, 110, 31, 27, 183),
    (30, 27, 60, 23, 20, 52),
]

# dat.hackshaw1998: odds ratio of lung cancer with its 95% CI (or, or.lb, or.ub) per study.
HACKSHAW = [
    (1.18, 0.90, 1.54), (1.45, 1.02, 2.08), (2.02, 0.48, 8.56), (1.20, 0.80, 1.60),
    (0.75, 0.43, 1.30), (2.07, 0.81, 5.25), (2.13, 1.19, 3.83), (0.80, 0.34, 1.90),
    (0.79, 0.25, 2.45), (2.01, 1.09, 3.72), (1.23, 0.81, 1.87), (1.20, 0.50, 3.30),
    (1.52, 0.87, 2.63), (1.03, 0.41, 2.55), (1.55, 0.90, 2.67), (1.03, 0.61, 1.74),
    (2.34, 0.81, 6.75), (1.65, 1.16, 2.35), (1.19, 0.82, 1.73), (1.52, 0.39, 5.96),
    (2.16, 1.08, 4.29), (1.08, 0.64, 1.82), (2.55, 0.74, 8.78), (1.62, 0.90, 2.91),
    (1.06, 0.74, 1.52), (0.79, 0.62, 1.02), (0.74, 0.32, 1.69), (2.27, 0.75, 6.82),
    (0.97, 0.78, 1.21), (1.60, 0.80, 3.00), (1.19, 0.66, 2.13), (1.66, 0.73, 3.78),
    (1.26, 1.04, 1.54), (1.10, 0.62, 1.96), (1.66, 1.12, 2.45), (1.16, 0.80, 1.69),
    (1.11, 0.67, 1.84),
]  # fmt: skip

# dat.hine1989 (Normand 1999, Table III): n1i, n2i, ai, ci (deaths with lidocaine / control).
HINE = [
    (39, 43, 2, 1),
    (44, 44, 4, 4),
    (107, 110, 6, 4),
    (103, 100, 7, 5),
    (110, 106, 7, 3),
    (154, 146, 11, 4),
]


def bcg() -> tuple[list[float], list[float]]:
    """Log risk ratios and standard errors, as escalc(measure="RR", ...)."""
    yi = [math.log((a / (a + b)) / (c / (c + d))) for a, b, c, d in BCG]
    vi = [1 / a - 1 / (a + b) + 1 / c - 1 / (c + d) for a, b, c, d in BCG]
    return yi, [math.sqrt(v) for v in vi]


def normand_pooled_sd() -> tuple[list[float], list[float]]:
    """Mean differences with the pooled SD, as Normand's Table VIII (and metafor's test of it)."""
    yi, sei = [], []
    for m1, sd1, n1, m2, sd2, n2 in NORMAND:
        sdp2 = ((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2)
        yi.append(m1 - m2)
        sei.append(math.sqrt(sdp2 / n1 + sdp2 / n2))
    return yi, sei


def hackshaw() -> tuple[list[float], list[float]]:
    """Log odds ratios and SEs back-calculated from the CIs, as ?dat.hackshaw1998 describes."""
    z = stats.norm.ppf(0.975)
    yi = [math.log(o) for o, _, _ in HACKSHAW]
    return yi, [(math.log(ub) - math.log(lb)) / (2 * z) for _, lb, ub in HACKSHAW]


def hine_percentage_points() -> tuple[list[float], list[float]]:
    """Risk differences in percentage points, as escalc(measure="RD", ...) times 100."""
    yi, sei = [], []
    for n1, n2, a, c in HINE:
        p1, p2 = a / n1, c / n2
        yi.append(100 * (p1 - p2))
        sei.append(100 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2))
    return yi, sei


def assert_printed(result: Pooled, **printed: str) -> None:
    """Each field equals the printed number within half a unit of its last printed digit;
    "<.0001" (metafor's way of printing a small p-value) means below 0.0001."""
    for field, text in printed.items():
        value = getattr(result, field)
        if text == "<.0001":
            assert value < 1e-4, field
            continue
        decimals = len(text.partition(".")[2])
        expected = pytest.approx(float(text), abs=0.5 * 10**-decimals)
        assert value == expected, f"{field}: {value} is not {text} as printed"


def test_bcg_reml() -> None:
    """rma(yi, vi, data=dat, method="REML") from the examples of ?rma.uni, dat from
    escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg). The same numbers
    (except the prediction interval) are printed in Viechtbauer W (2010), J Stat Softw 36(3)."""
    result = pool(*bcg(), "REML")
    assert_printed(
        result,
        estimate="-0.7145", se="0.1798", z="-3.9744", p_value="<.0001",
        ci_lower="-1.0669", ci_upper="-0.3622",
        tau2="0.3132", tau2_se="0.1664", i2="92.22", h2="12.86",
        q="152.2330", q_p_value="<.0001",
        pi_lower="-2.0084", pi_upper="0.5793",
    )  # fmt: skip
    assert (result.k, result.q_df, result.iterations) == (13, 12, 3)  # verbose=TRUE: 3 iterations
    # weights(res)
    expected = "5.059483 6.364680 4.436028 9.698747 8.868456 10.095738 6.027182 10.189439 "
    expected += "8.743133 8.367607 9.925027 3.821629 8.402852"
    assert result.weights == pytest.approx([float(w) for w in expected.split()], abs=5e-7)
    assert sum(result.weights) == pytest.approx(100)


def test_bcg_dl() -> None:
    """rma(yi, vi, data=dat, method="DL") on the dat.bcg log risk ratios."""
    result = pool(*bcg(), "DL")
    assert_printed(
        result,
        estimate="-0.7141", se="0.1787", z="-3.9952", p_value="<.0001",
        ci_lower="-1.0644", ci_upper="-0.3638",
        tau2="0.3088", i2="92.12", h2="12.69",
        q="152.2330", q_p_value="<.0001",
        pi_lower="-1.9988", pi_upper="0.5706",
    )  # fmt: skip
    assert result.tau2_se is None and result.iterations is None
    assert result.i2 == pytest.approx(100 * (result.q - 12) / result.q)  # DL: I^2 from Q
    expected = "5.036492 6.347329 4.412027 9.717646 8.875377 10.121060 6.007914 10.216343 "
    expected += "8.748417 8.368252 9.947532 3.797697 8.403914"
    assert result.weights == pytest.approx([float(w) for w in expected.split()], abs=5e-7)


def test_bcg_fixed() -> None:
    """rma(yi, vi, data=dat, method="FE") on the dat.bcg log risk ratios, as in ?rma.uni.
    For this model metafor prints I^2 and H^2 from Q."""
    result = pool(*bcg(), "fixed")
    assert_printed(
        result,
        estimate="-0.4303", se="0.0405", z="-10.6247", p_value="<.0001",
        ci_lower="-0.5097", ci_upper="-0.3509",
        i2="92.12", h2="12.69", q="152.2330", q_p_value="<.0001",
    )  # fmt: skip
    assert result.tau2 == 0.0 and result.tau2_se is None
    assert result.pi_lower is None and result.pi_upper is None
    expected = "0.5037548 0.8429127 0.3948665 8.1966331 3.2027795 23.7509341 0.7354359 "
    expected += "41.4013899 2.9063025 2.2460165 13.2139914 0.3080058 2.2969774"
    assert result.weights == pytest.approx([float(w) for w in expected.split()], abs=5e-8)


@pytest.mark.parametrize(
    ("method", "printed", "published"),
    [
        (
            "REML",
            dict(
                estimate="-15.1217", se="8.9542", z="-1.6888", p_value="0.0913",
                ci_lower="-32.6716", ci_upper="2.4282",
                tau2="685.1965", tau2_se="360.3733", i2="98.92", h2="92.26",
                pi_lower="-80.5400", pi_upper="50.2966",
            ),
            dict(estimate="-15.12", ci_lower="-32.67", ci_upper="2.43", tau2="685.20"),
        ),
        (
            "DL",
            dict(
                estimate="-14.0972", se="5.2798", z="-2.6700", p_value="0.0076",
                ci_lower="-24.4454", ci_upper="-3.7490",
                tau2="218.7216", i2="96.68", h2="30.13",
                pi_lower="-51.2299", pi_upper="23.0355",
            ),
            dict(estimate="-14.10", ci_lower="-24.45", ci_upper="-3.75", tau2="218.72"),
        ),
        (
            "fixed",
            dict(
                estimate="-3.4939", se="0.7820", z="-4.4681", p_value="<.0001",
                ci_lower="-5.0265", ci_upper="-1.9613", i2="96.68", h2="30.13",
            ),
            dict(estimate="-3.49", ci_lower="-5.03", ci_upper="-1.96"),
        ),
    ],
)  # fmt: skip
def test_normand1999_mean_differences(method: str, printed: dict, published: dict) -> None:
    """dat.normand1999 mean differences with the pooled SD (escalc(measure="MD", ...) with
    sd1i=sd2i=sdpi, as metafor's tests/testthat/test_analysis_example_normand1999.r), fitted
    with rma(yi, vi, method=...); ``published`` is Normand (1999) Stat Med 18:321-359, Table IX
    (p. 352), the values metafor's own test checks."""
    result = pool(*normand_pooled_sd(), method)
    assert_printed(result, q="241.0590", q_p_value="<.0001", **printed)
    assert_printed(result, **published)
    assert result.iterations == (8 if method == "REML" else None)  # metafor: 8 iterations


@pytest.mark.parametrize(
    ("method", "printed", "iterations"),
    [
        (
            "DL",
            dict(
                estimate="0.2139", se="0.0471", z="4.5390", ci_lower="0.1215", ci_upper="0.3062",
                tau2="0.0170", i2="24.21", h2="1.32", pi_lower="-0.0678", pi_upper="0.4956",
            ),
            None,
        ),
        (
            "REML",
            dict(
                estimate="0.2189", se="0.0494", z="4.4313", ci_lower="0.1221", ci_upper="0.3157",
                tau2="0.0224", tau2_se="0.0178", i2="29.57", h2="1.42",
                pi_lower="-0.1010", pi_upper="0.5388",
            ),
            7,
        ),
    ],
)  # fmt: skip
def test_hackshaw1998_log_odds_ratios(method: str, printed: dict, iterations: int | None) -> None:
    """dat.hackshaw1998 (37 studies): rma(yi, vi, data=dat, method="DL") as in the examples of
    ?dat.hackshaw1998, and the same with method="REML" (whose Hedges start is truncated at 0)."""
    result = pool(*hackshaw(), method)
    assert_printed(result, p_value="<.0001", q="47.4979", q_p_value="0.0952", **printed)
    assert (result.k, result.q_df, result.iterations) == (37, 36, iterations)


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_homogeneous_studies_put_tau2_on_the_boundary(method: str) -> None:
    """dat.hine1989 risk differences in percentage points (Q = 0.86 < df = 5): rma(yi, vi,
    method=...) prints tau^2 = 0, I^2 = 0.00%, H^2 = 1.00 and the fixed-effect results;
    Normand (1999) Table VII (p. 349) publishes 2.94 (0.4, 5.5) and tau^2 = 0.000."""
    yi, sei = hine_percentage_points()
    result, fixed = pool(yi, sei, method), pool(yi, sei, "fixed")
    assert result.tau2 == 0.0 and result.i2 == 0.0 and result.h2 == 1.0
    assert (result.estimate, result.se, result.weights) == (fixed.estimate, fixed.se, fixed.weights)
    assert_printed(
        result,
        estimate="2.9444", se="1.3068", z="2.2531", p_value="0.0243",
        ci_lower="0.3831", ci_upper="5.5058", q="0.8597", q_p_value="0.9731",
        pi_lower="-0.6839", pi_upper="6.5728",
    )  # fmt: skip
    assert_printed(result, estimate="2.94", ci_lower="0.4", ci_upper="5.5", tau2="0.000")
    if method == "REML":  # "tau^2 ...: 0 (SE = 6.1663)"; verbose=TRUE: 1 iteration
        assert_printed(result, tau2_se="6.1663")
        assert result.iterations == 1


def test_fixed_effect_h2_below_one_when_q_below_df() -> None:
    """rma(yi, vi, method="FE") on the same data prints I^2 = 0.00% and H^2 = Q/df = 0.17."""
    assert_printed(pool(*hine_percentage_points(), "fixed"), i2="0.00", h2="0.17")


@pytest.mark.parametrize("method", ["fixed", "DL", "REML"])
def test_a_single_study(method: str) -> None:
    """rma(yi, vi, data=dat[1,], method=...) on the first BCG trial: metafor fits no tau^2 for
    k = 1 and prints the study itself, Q(df = 0) = 0, I^2 = 0.00%, H^2 = 1.00. (It prints
    p-val = 1.0000 for that Q and a prediction interval with 1 df; both are left out here.)"""
    yi, sei = bcg()
    result = pool(yi[:1], sei[:1], method)
    assert result.estimate == yi[0] and result.se == sei[0]
    assert_printed(
        result, estimate="-0.8893", se="0.5706", z="-1.5586", p_value="0.1191",
        ci_lower="-2.0077", ci_upper="0.2290",
    )  # fmt: skip
    assert (result.k, result.tau2, result.q, result.q_df, result.i2, result.h2) == (
        1, 0.0, 0.0, 0, 0.0, 1.0,
    )  # fmt: skip
    assert result.q_p_value is None and result.tau2_se is None and result.iterations is None
    assert result.pi_lower is None and result.pi_upper is None
    assert result.weights == (100.0,)


@pytest.mark.parametrize(
    ("method", "ci", "pi"),
    [
        ("REML", ("-1.0102", "-0.4188"), ("-1.7702", "0.3412")),
        ("DL", ("-1.0081", "-0.4201"), ("-1.7624", "0.3341")),
        ("fixed", ("-0.4969", "-0.3637"), None),
    ],
)
def test_a_90_percent_level(method: str, ci: tuple, pi: tuple | None) -> None:
    """rma(yi, vi, data=dat, method=..., level=90) on the dat.bcg log risk ratios, and
    predict(res, pi.type="riley") of it."""
    result = pool(*bcg(), method, level=0.90)
    assert_printed(result, ci_lower=ci[0], ci_upper=ci[1])
    if pi is not None:
        assert_printed(result, pi_lower=pi[0], pi_upper=pi[1])
    z = (result.ci_upper - result.estimate) / result.se
    assert z == pytest.approx(stats.norm.ppf(0.95))
    assert result.level == 0.90


@pytest.mark.parametrize(
    ("effects", "ses", "method", "level", "message"),
    [
        ([], [], "DL", 0.95, "empty"),
        ([0.1, 0.2], [0.1], "DL", 0.95, "lengths differ"),
        ([0.1, math.nan], [0.1, 0.1], "DL", 0.95, "finite"),
        ([0.1, 0.2], [0.1, math.inf], "DL", 0.95, "finite"),
        ([0.1, 0.2], [0.1, 0.0], "DL", 0.95, "standard errors must be > 0"),
        ([0.1, 0.2], [0.1, -0.1], "fixed", 0.95, "standard errors must be > 0"),
        ([0.1, 0.2], [0.1, 0.1], "REML", 95, "level"),
        ([0.1, 0.2], [0.1, 0.1], "REML", 0.0, "level"),
        ([0.1, 0.2], [0.1, 0.1], "PM", 0.95, "unknown method 'PM'"),
    ],
)
def test_bad_input_is_refused(effects, ses, method, level, message) -> None:
    with pytest.raises(ValueError, match=message):
        pool(effects, ses, method, level)


def test_reml_that_does_not_converge_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """dat.bcg needs 3 Fisher-scoring iterations; allowed 2, pooling fails rather than guess."""
    monkeypatch.setattr(meta_analysis, "_MAX_ITERATIONS", 2)
    with pytest.raises(RuntimeError, match="did not converge"):
        pool(*bcg(), "REML")


def test_percent_weights_never_pass_100() -> None:
    """One study's weight is 100 at most, never 100.00000000000001 (which the shapes refuse)."""
    rng = np.random.default_rng(1)
    for se in rng.uniform(0.01, 2.0, 2000):
        [weight] = pool([0.1], [float(se)], "REML").weights
        assert 0 < weight <= 100 and weight == pytest.approx(100)
    weights = pool([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], "DL").weights
    assert all(0 <= w <= 100 for w in weights) and sum(weights) == pytest.approx(100)
