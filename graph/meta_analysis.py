"""Inverse-variance meta-analysis on the analysis scale, computed as metafor's ``rma.uni`` does.

The caller passes effects on the scale where they are pooled (log scale for ratio measures) and
their standard errors. Agreement with metafor 3.8-1 is tested in
``tests/graph/test_meta_analysis.py``; the choices are recorded in decision 0011.

- ``fixed``: inverse-variance weights ``1/v``. ``DL``: DerSimonian-Laird ``tau^2``, truncated at 0.
  ``REML``: Fisher scoring from the Hedges (HE) estimate, with metafor's step-halving at the
  ``tau^2 >= 0`` bound, threshold ``1e-5`` on the change and at most 100 iterations; no
  convergence raises ``RuntimeError``. metafor's extra check of the likelihood at
  ``tau^2 = 0`` after convergence (a warning in R) is not repeated. ``tau2_se`` is metafor's
  ``se.tau2 = sqrt(2 / tr(PP))``.
- Q always uses the fixed-effect weights. I^2 and H^2 are what metafor prints for the method:
  from Q for ``fixed`` (``I2 = max(0, 100 (Q - df) / Q)``, ``H2 = Q / df``, so H^2 < 1 when
  Q < df), from tau^2 for random effects (``I2 = 100 tau2 / (tau2 + s2)``, ``H2 = 1 + tau2 / s2``
  with the typical within-study variance ``s2 = df sum(w) / (sum(w)^2 - sum(w^2))``).
- Prediction interval (random effects, k >= 3): ``estimate +/- t_{k-2} sqrt(tau2 + se^2)``
  (Higgins, Thompson & Spiegelhalter 2009), metafor's ``predict(res, pi.type="riley")``.
- k = 1: as metafor, no heterogeneity is estimated whatever the method: the study itself with
  tau^2 = 0, Q = 0, I^2 = 0, H^2 = 1, and no ``tau2_se``, ``iterations`` or prediction interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from scipy import stats

Method = Literal["fixed", "DL", "REML"]
#: What each method is called in reports, plots and the labels of recorded results.
METHOD_NAMES: dict[str, str] = {
    "fixed": "Fixed effect (inverse variance)",
    "DL": "Random effects (DerSimonian-Laird)",
    "REML": "Random effects (REML)",
}

_THRESHOLD = 1e-5  # metafor's control$threshold on the change of tau^2
_MAX_ITERATIONS = 100  # metafor's control$maxiter


@dataclass(frozen=True)
class Pooled:
    """A pooled effect with its heterogeneity statistics (see the module docstring)."""

    method: Method
    k: int
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    level: float
    z: float
    p_value: float
    tau2: float
    tau2_se: float | None
    q: float
    q_df: int
    q_p_value: float | None
    i2: float
    h2: float
    pi_lower: float | None
    pi_upper: float | None
    weights: tuple[float, ...]
    iterations: int | None


def pool(
    effects: Sequence[float],
    standard_errors: Sequence[float],
    method: Method,
    level: float = 0.95,
) -> Pooled:
    """Pool ``effects`` with standard errors ``standard_errors`` by ``method``."""
    y, v = _checked(effects, standard_errors, method, level)
    k = len(y)
    df = k - 1
    w = 1.0 / v
    fixed = float(np.sum(w * y) / np.sum(w))
    q = max(0.0, float(np.sum(w * (y - fixed) ** 2)))
    trace_p = float(np.sum(w) - np.sum(w**2) / np.sum(w))  # tr(P) at tau^2 = 0
    tau2, tau2_se, iterations = 0.0, None, None
    if k > 1 and method == "DL":
        tau2 = max(0.0, (q - df) / trace_p)
    elif k > 1 and method == "REML":
        tau2, tau2_se, iterations = _reml(y, v)

    w_star = 1.0 / (v + tau2)
    estimate = float(np.sum(w_star * y) / np.sum(w_star))
    se = math.sqrt(1.0 / np.sum(w_star))
    z = estimate / se
    half_width = float(stats.norm.ppf((1 + level) / 2)) * se

    if k == 1:
        i2, h2 = 0.0, 1.0
    elif method == "fixed":
        i2 = max(0.0, 100 * (q - df) / q) if q > 0 else 0.0
        h2 = q / df
    else:
        s2 = df / trace_p  # metafor's "typical" within-study variance vt
        i2, h2 = 100 * tau2 / (tau2 + s2), 1 + tau2 / s2

    pi_lower = pi_upper = None
    if method != "fixed" and k >= 3:
        pi_half = float(stats.t.ppf((1 + level) / 2, k - 2)) * math.sqrt(tau2 + se**2)
        pi_lower, pi_upper = estimate - pi_half, estimate + pi_half

    return Pooled(
        method=method,
        k=k,
        estimate=estimate,
        se=se,
        ci_lower=estimate - half_width,
        ci_upper=estimate + half_width,
        level=level,
        z=z,
        p_value=float(2 * stats.norm.sf(abs(z))),
        tau2=tau2,
        tau2_se=tau2_se,
        q=q,
        q_df=df,
        q_p_value=float(stats.chi2.sf(q, df)) if df > 0 else None,
        i2=float(i2),
        h2=float(h2),
        pi_lower=pi_lower,
        pi_upper=pi_upper,
        # clipped: 100 * w / w for one study can come out as 100.00000000000001
        weights=tuple(float(x) for x in np.clip(100 * w_star / np.sum(w_star), 0, 100)),
        iterations=iterations,
    )


def _checked(
    effects: Sequence[float], standard_errors: Sequence[float], method: str, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """The effects and sampling variances as arrays, or ``ValueError`` naming the problem."""
    if method not in get_args(Method):
        raise ValueError(f"unknown method {method!r}: expected one of {get_args(Method)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    if len(effects) == 0:
        raise ValueError("no studies to pool: effects is empty")
    if len(effects) != len(standard_errors):
        raise ValueError(
            f"lengths differ: {len(effects)} effects, {len(standard_errors)} standard errors"
        )
    y = np.asarray(effects, dtype=float)
    se = np.asarray(standard_errors, dtype=float)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se))):
        raise ValueError("effects and standard errors must be finite (no NaN or infinity)")
    if np.any(se <= 0):
        raise ValueError(f"standard errors must be > 0, got {se[se <= 0].tolist()}")
    return y, se**2


def _reml(y: np.ndarray, v: np.ndarray) -> tuple[float, float, int]:
    """REML tau^2, its standard error and the number of Fisher-scoring iterations (k >= 2).

    With one intercept P = W - w w'/sum(w), so Y'PPY = sum(w^2 r^2) with r the residuals,
    tr(P) = sum(w) - sum(w^2)/sum(w), tr(PP) = sum(w^2) - 2 sum(w^3)/sum(w) + (sum(w^2)/sum(w))^2.
    """

    def traces(tau2: float) -> tuple[float, float, float]:
        w = 1.0 / (v + tau2)
        sw, sw2 = np.sum(w), np.sum(w**2)
        r = y - np.sum(w * y) / sw
        ypp_y = float(np.sum(w**2 * r**2))
        return ypp_y, float(sw - sw2 / sw), float(sw2 - 2 * np.sum(w**3) / sw + (sw2 / sw) ** 2)

    k = len(y)
    hedges = float(np.sum((y - y.mean()) ** 2) / (k - 1) - v.mean())  # metafor's HE estimate
    tau2 = max(0.0, hedges)
    for iteration in range(1, _MAX_ITERATIONS + 1):
        ypp_y, trace_p, trace_pp = traces(tau2)
        step = (ypp_y - trace_p) / trace_pp
        while tau2 + step < 0:  # step-halving at the bound, as metafor (ends at -0.0 from 0)
            step /= 2
        previous, tau2 = tau2, tau2 + step
        if abs(tau2 - previous) <= _THRESHOLD:
            tau2 = max(0.0, tau2)
            return tau2, math.sqrt(2 / traces(tau2)[2]), iteration
    raise RuntimeError(
        f"REML Fisher scoring did not converge in {_MAX_ITERATIONS} iterations; try method='DL'"
    )
