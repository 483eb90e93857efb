"""The statistics of a paired comparison, as array functions (a leading replicate axis, any
trailing axes: the tests run 200 simulated evaluation sets in one call).

- Paired Poisson bootstrap: every row carries one Poisson(1) weight per replicate, shared by
  both models, so each replicate's difference keeps the rows' correlation. Intervals are
  percentiles of the replicates of the difference (or of the relative change).
- Normal approximation from streamed sums (`MOMENTS`): the delta method on the linearised
  statistic u_i = a·l_new,i − b·l_old,i, where a and b are the derivatives of the reported value
  (identity, or e.g. the square root of rmse) divided, for the relative change, by the old value.
- Gates: a one-sided p-value per gate and Holm–Bonferroni across the gates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from statistics import NormalDist

import numpy as np

__all__ = [
    "MOMENTS",
    "holm",
    "moment_sums",
    "normal_intervals",
    "p_value",
    "percentile_interval",
]

#: The streamed sums behind the normal approximation, in this order (c: candidate, b: baseline).
MOMENTS = ("w", "w*c", "w*b", "w2", "w2*c", "w2*b", "w2*c2", "w2*b2", "w2*c*b")


def moment_sums(
    lc: np.ndarray, lb: np.ndarray, w: np.ndarray | None, codes: np.ndarray | None, g: int
) -> np.ndarray:
    """The `MOMENTS` of per-row losses `lc`, `lb` (weights `w`), shape (g, 9) per group code
    (or (1, 9) without groups). Sums of two row sets add."""
    if codes is None:
        return _moments_all(lc, lb, w)[None, :]
    w1 = np.ones(len(lc)) if w is None else w
    w2 = w1 * w1
    columns = (w1, w1 * lc, w1 * lb, w2, w2 * lc, w2 * lb, w2 * lc * lc, w2 * lb * lb, w2 * lc * lb)
    return np.stack([np.bincount(codes, weights=c, minlength=g) for c in columns], axis=1)


def _moments_all(lc: np.ndarray, lb: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """The `MOMENTS` of all rows, as dot products."""
    if w is None:
        n = float(len(lc))
        sc, sb = float(np.sum(lc)), float(np.sum(lb))
        return np.array([n, sc, sb, n, sc, sb, lc @ lc, lb @ lb, lc @ lb])
    w2 = w * w
    w2c, w2b = w2 * lc, w2 * lb
    return np.array(
        [np.sum(w), w @ lc, w @ lb, np.sum(w2), np.sum(w2c), np.sum(w2b), w2c @ lc, w2b @ lb,
         w2c @ lb]
    )  # fmt: skip


def _derivative(f: Callable[[np.ndarray], np.ndarray] | None, m: np.ndarray) -> np.ndarray:
    """f'(m) by a central difference (1 without a finalising function)."""
    if f is None:
        return np.ones_like(m)
    h = np.maximum(np.abs(m), 1e-300) * 1e-6
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((f(m + h) - f(np.maximum(m - h, 0.0))) / (m + h - np.maximum(m - h, 0.0)))


def normal_intervals(
    moments: np.ndarray,
    *,
    reduction: str,
    finalize: Callable[[np.ndarray], np.ndarray] | None,
    ci: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Normal-approximation intervals for the difference and the relative change.

    `moments` has the 9 `MOMENTS` on its last axis. Returns (difference, its standard error,
    relative change, its standard error); an interval is estimate ± z·se with z = Φ⁻¹((1+ci)/2).
    Mean reduction: Var ≈ Σw²(u − ū)² / (Σw)² (the linearised weighted mean); sum reduction:
    Var ≈ Σw²u² (the variance of Σ P·w·u with Poisson(1) weights P).
    """
    s = {name: moments[..., i] for i, name in enumerate(MOMENTS)}
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = s["w"] if reduction == "mean" else np.ones_like(s["w"])
        mc, mb = s["w*c"] / scale, s["w*b"] / scale
        fc = mc if finalize is None else finalize(mc)
        fb = mb if finalize is None else finalize(mb)
        dc, db = _derivative(finalize, mc), _derivative(finalize, mb)
        diff = fc - fb
        rel = fc / fb - 1.0
        se = _se(s, dc, db, mc, mb, reduction)
        se_rel = _se(s, dc / fb, fc * db / (fb * fb), mc, mb, reduction)
    return diff, se, rel, se_rel


def _se(
    s: dict[str, np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    mc: np.ndarray,
    mb: np.ndarray,
    reduction: str,
) -> np.ndarray:
    """Standard error of Σw(a·l_c − b·l_b)/Σw (mean) or Σw(a·l_c − b·l_b) (sum)."""
    sq = a * a * s["w2*c2"] - 2 * a * b * s["w2*c*b"] + b * b * s["w2*b2"]  # Σw²u²
    if reduction != "mean":
        return np.sqrt(np.maximum(sq, 0.0))
    lin = a * s["w2*c"] - b * s["w2*b"]  # Σw²u
    center = a * mc - b * mb  # ū
    var = (sq - 2 * center * lin + center * center * s["w2"]) / (s["w"] * s["w"])
    return np.sqrt(np.maximum(var, 0.0))


def z_value(ci: float) -> float:
    """The two-sided normal quantile of level `ci` (1.96 for 0.95)."""
    return NormalDist().inv_cdf((1.0 + ci) / 2.0)


def percentile_interval(reps: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """The (1−ci)/2 and (1+ci)/2 percentiles over the replicate axis 0 (NaN replicates, from
    a replicate that drew zero weight, are left out)."""
    alpha = (1.0 - ci) / 2.0
    low, high = np.nanquantile(reps, [alpha, 1.0 - alpha], axis=0)
    return low, high


def p_value(
    reps: np.ndarray | None,
    limit: float | np.ndarray,
    *,
    worse: bool,
    estimate: np.ndarray | float | None = None,
    se: np.ndarray | float | None = None,
) -> np.ndarray:
    """One-sided p-value of 'the change does not pass `limit`'.

    worse=True (max-increase): H0 change ≤ limit, evidence is replicates above it: p is the
    share of replicates at or below `limit`. worse=False (min-decrease, limit = −allowance): H0
    change ≥ limit: p is the share at or above. Without replicates, the normal approximation
    Φ(±(limit − estimate)/se).
    """
    if reps is not None:
        valid = np.isfinite(reps)
        hits = (reps <= limit) if worse else (reps >= limit)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.sum(hits & valid, axis=0) / np.sum(valid, axis=0))
    assert estimate is not None and se is not None
    sign = 1.0 if worse else -1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = sign * (np.asarray(limit) - np.asarray(estimate)) / np.asarray(se)
    phi = np.vectorize(lambda x: NormalDist().cdf(x) if math.isfinite(x) else float(x > 0))
    return np.asarray(phi(z), dtype=np.float64)


def holm(p_values: Sequence[float], alpha: float) -> tuple[list[bool], list[float]]:
    """Holm–Bonferroni step-down at family-wise level `alpha`: which hypotheses are rejected,
    and the level each p-value was held to (alpha / (m − rank)). Valid under any dependence."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: (math.isnan(p_values[i]), p_values[i]))
    rejected, levels = [False] * m, [alpha / m if m else alpha] * m
    stopped = False
    for rank, i in enumerate(order):
        levels[i] = alpha / (m - rank)
        if stopped or not p_values[i] < levels[i]:
            stopped = True
            continue
        rejected[i] = True
    return rejected, levels
