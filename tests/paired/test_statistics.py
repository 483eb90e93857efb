"""The statistics of the paired gate, on simulated evaluation sets with a known true difference.

Each test simulates 200 evaluation sets at once (a trailing 'set' axis) and computes the
per-row losses with the library's kernel and the intervals, p-values and Holm step with the
library's array functions (`losscli.paired.stats`), exactly as `compare_models` applies them to
the sums of its engines. One Poisson(1) weight matrix serves every set (each set's bootstrap is
still a valid one) so that a replicate is one matrix product over all sets.

The models: the baseline's error is z1, the candidate's sqrt(k)·(ρ·z1 + sqrt(1−ρ²)·z2) with
z1, z2 standard normal, so the true mse difference is k − 1 and the models are positively
correlated (ρ), as two versions of one model are.
"""

from __future__ import annotations

import numpy as np
import pytest

from losscli.losses import get_loss
from losscli.paired import stats

SETS = 200
MSE = get_loss("mse")


def per_row_mse(errors: np.ndarray) -> np.ndarray:
    """The library's mse kernel on every row of every set: shape (n, sets)."""
    flat = errors.reshape(-1)
    return MSE.per_row(np.zeros_like(flat), flat, task="regression").reshape(errors.shape)


def simulate(
    rng: np.random.Generator, n: int, k: float, rho: float, sets: int = SETS
) -> tuple[np.ndarray, np.ndarray]:
    z1 = rng.standard_normal((n, sets))
    z2 = rng.standard_normal((n, sets))
    candidate = np.sqrt(k) * (rho * z1 + np.sqrt(1 - rho * rho) * z2)
    return per_row_mse(candidate), per_row_mse(z1)


def paired_replicates(
    rng: np.random.Generator, lc: np.ndarray, lb: np.ndarray, b: int
) -> tuple[np.ndarray, np.ndarray]:
    """(difference, relative change) in every replicate and set: one Poisson weight per row and
    replicate, shared by both models."""
    weights = rng.poisson(1.0, size=(b, lc.shape[0])).astype(np.float64)
    total = weights.sum(axis=1)[:, None]
    mc, mb = weights @ lc / total, weights @ lb / total
    return mc - mb, mc / mb - 1.0


def unpaired_replicates(
    rng: np.random.Generator, lc: np.ndarray, lb: np.ndarray, b: int
) -> np.ndarray:
    """The difference when each model is resampled on its own (what ignoring pairing does)."""
    wc = rng.poisson(1.0, size=(b, lc.shape[0])).astype(np.float64)
    wb = rng.poisson(1.0, size=(b, lb.shape[0])).astype(np.float64)
    return wc @ lc / wc.sum(axis=1)[:, None] - wb @ lb / wb.sum(axis=1)[:, None]


def moments(lc: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """The streamed MOMENTS of every set (unit weights): shape (sets, 9); the set is the group."""
    sets = lc.shape[1]
    codes = np.broadcast_to(np.arange(sets), lc.shape).reshape(-1)
    return stats.moment_sums(lc.reshape(-1), lb.reshape(-1), None, codes, sets)


def test_the_95_percent_interval_covers_a_known_difference_in_90_to_99_percent_of_sets():
    rng = np.random.default_rng(20261130)
    k = 1.05  # the candidate's mse is 5% higher: true difference 0.05
    lc, lb = simulate(rng, 2000, k, rho=0.8)
    reps, _ = paired_replicates(rng, lc, lb, 400)
    low, high = stats.percentile_interval(reps, 0.95)
    covered = np.mean((low <= k - 1) & (k - 1 <= high))
    assert 0.90 <= covered <= 0.99, covered
    diff, se, _, _ = stats.normal_intervals(
        moments(lc, lb), reduction="mean", finalize=None, ci=0.95
    )
    z = stats.z_value(0.95)
    normal = np.mean((diff - z * se <= k - 1) & (k - 1 <= diff + z * se))
    assert 0.90 <= normal <= 0.99, normal


def test_with_no_true_difference_the_gate_fails_in_at_most_5_percent_of_sets():
    rng = np.random.default_rng(7)
    lc, lb = simulate(rng, 2000, 1.0, rho=0.8)
    reps, _ = paired_replicates(rng, lc, lb, 400)
    alpha = (1 - 0.95) / 2
    # --max-increase mse=0 with the interval rule: fail when the increase exceeds 0 with
    # confidence, i.e. the share of replicates at or below 0 is under alpha
    p = stats.p_value(reps, 0.0, worse=True)
    failed = np.array([stats.holm([pi], alpha)[0][0] for pi in p])
    noise = 2 * np.sqrt(0.05 * 0.95 / SETS)
    assert failed.mean() <= 0.05 + noise, failed.mean()


def test_a_true_3_percent_degradation_on_100k_rows_is_flagged_in_95_percent_of_sets():
    rng = np.random.default_rng(3)
    n, flagged = 100_000, []
    weights = rng.poisson(1.0, size=(100, n)).astype(np.float64)
    total = weights.sum(axis=1)[:, None]
    for _ in range(SETS // 50):  # 50 sets at a time keeps memory small
        lc, lb = simulate(rng, n, 1.03, rho=0.9, sets=50)
        rel = (weights @ lc / total) / (weights @ lb / total) - 1.0
        # --max-increase mse=0% flags the regression when the relative change exceeds 0
        flagged.append(stats.p_value(rel, 0.0, worse=True) < 0.025)
    assert np.mean(np.concatenate(flagged)) >= 0.95


def test_the_normal_approximation_flags_the_same_degradation():
    rng = np.random.default_rng(4)
    lc, lb = simulate(rng, 100_000, 1.03, rho=0.9, sets=40)
    _, _, rel, se_rel = stats.normal_intervals(
        moments(lc, lb), reduction="mean", finalize=None, ci=0.95
    )
    p = stats.p_value(None, 0.0, worse=True, estimate=rel, se=se_rel)
    assert np.mean(p < 0.025) >= 0.95


def test_the_paired_interval_is_narrower_than_the_unpaired_one_on_correlated_models():
    rng = np.random.default_rng(11)
    lc, lb = simulate(rng, 2000, 1.02, rho=0.9, sets=50)
    paired, _ = paired_replicates(rng, lc, lb, 400)
    unpaired = unpaired_replicates(rng, lc, lb, 400)
    width = np.subtract(*stats.percentile_interval(paired, 0.95)[::-1])
    width_unpaired = np.subtract(*stats.percentile_interval(unpaired, 0.95)[::-1])
    # theory: Var(d) = Var(lc) + Var(lb) − 2·Cov; with rho = 0.9 the paired width is about
    # sqrt(1 − rho²) ≈ 0.44 of the unpaired one
    assert np.all(width < width_unpaired)
    assert np.median(width / width_unpaired) < 0.6


def test_normal_interval_of_a_mean_difference_is_the_textbook_one():
    rng = np.random.default_rng(5)
    lc, lb = simulate(rng, 1000, 1.1, rho=0.5, sets=1)
    d = (lc - lb)[:, 0]
    diff, se, rel, se_rel = stats.normal_intervals(
        moments(lc, lb), reduction="mean", finalize=None, ci=0.95
    )
    assert diff[0] == pytest.approx(d.mean(), rel=1e-12)
    assert se[0] == pytest.approx(d.std() / np.sqrt(len(d)), rel=1e-9)  # ddof=0: Poisson limit
    # the delta method for the ratio of means: influence (lc − R·lb) / mean(lb)
    ratio = lc.mean() / lb.mean()
    influence = (lc[:, 0] - ratio * lb[:, 0]) / lb.mean()
    assert rel[0] == pytest.approx(ratio - 1, rel=1e-12)
    assert se_rel[0] == pytest.approx(influence.std() / np.sqrt(len(d)), rel=1e-9)


def test_normal_interval_follows_a_finalising_function_by_the_delta_method():
    rng = np.random.default_rng(6)
    lc, lb = simulate(rng, 5000, 1.2, rho=0.7, sets=1)
    diff, se, _, _ = stats.normal_intervals(
        moments(lc, lb), reduction="mean", finalize=np.sqrt, ci=0.95
    )
    mc, mb = lc.mean(), lb.mean()
    u = lc[:, 0] / (2 * np.sqrt(mc)) - lb[:, 0] / (2 * np.sqrt(mb))  # d sqrt(m) = dm / 2sqrt(m)
    assert diff[0] == pytest.approx(np.sqrt(mc) - np.sqrt(mb), rel=1e-12)
    assert se[0] == pytest.approx(u.std() / np.sqrt(len(u)), rel=1e-5)


def test_holm_steps_down_and_controls_the_family():
    rejected, levels = stats.holm([0.001, 0.02, 0.004, 0.5], 0.025)
    assert levels[0] == pytest.approx(0.025 / 4) and levels[2] == pytest.approx(0.025 / 3)
    assert rejected == [True, False, True, False]  # 0.02 > 0.025 / 2 stops the steps
    assert stats.holm([float("nan"), 0.0], 0.025)[0] == [False, True]  # undefined never found
