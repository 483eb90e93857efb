"""`losscli.diagnose`: one diagnosis of residual tails and probability quality, with one set of
thresholds, that `recommend --from` and `compare` both render."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, stats

from losscli import diagnose
from losscli.advice import recommend_for_arrays
from losscli.diagnose import (
    KURTOSIS_LIMIT,
    MIN_TAIL_ROWS,
    heavy_tail_threshold,
    huber_delta,
    normal_share_for_rows,
    normal_top_share,
    probability_quality,
    residual_tails,
)
from losscli.sensitivity import compare_arrays


def _laplace(n: int = 5_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.normal(100.0, 10.0, n)
    return y, y + rng.laplace(0.0, 1.0, n)


# ---------------------------------------------------------------------------------------------
# The normal reference


def test_normal_reference_top_share_is_about_8_4_percent():
    """Top 1% share of squared error under N(0, 1): E[r^2; |r| > z] / E[r^2], z = Phi^-1(0.995),
    integrated numerically with scipy (E[r^2] = 1), so the closed form is checked independently."""
    z = stats.norm.ppf(1 - 0.01 / 2)
    tail, _ = integrate.quad(lambda r: r * r * stats.norm.pdf(r), z, math.inf)
    expected = 2 * tail
    assert expected == pytest.approx(0.0845, abs=5e-4)
    assert normal_top_share(0.01) == pytest.approx(expected, rel=1e-9)
    assert normal_share_for_rows(100_000) == pytest.approx(expected, rel=1e-9)


def test_normal_reference_matches_a_large_sample():
    r = np.random.default_rng(3).normal(size=1_000_000)
    assert diagnose.top_share(r**2, 0.01) == pytest.approx(normal_top_share(0.01), rel=0.02)


def test_normal_share_counts_whole_rows():
    assert normal_share_for_rows(150) == pytest.approx(normal_top_share(2 / 150))
    assert normal_share_for_rows(1) == 1.0


# ---------------------------------------------------------------------------------------------
# Thresholds


def test_threshold_is_about_twice_the_normal_share_for_large_data():
    assert heavy_tail_threshold(20_000, 0.01) == pytest.approx(2.005 * normal_top_share(0.01))
    assert heavy_tail_threshold(100, 0.01) > heavy_tail_threshold(300, 0.01)
    assert heavy_tail_threshold(20_000, 0.5) < 1.0


def test_kurtosis_limit_sits_between_logistic_and_laplace():
    assert stats.logistic.stats(moments="k") < KURTOSIS_LIMIT < stats.laplace.stats(moments="k")


def test_few_rows_are_not_judged():
    r = np.r_[np.zeros(MIN_TAIL_ROWS - 2), 100.0]
    assert residual_tails(r).heavy is None
    r = np.random.default_rng(0).normal(size=MIN_TAIL_ROWS)
    assert residual_tails(r).heavy is False


@pytest.mark.parametrize("seed", range(5))
def test_normal_residuals_are_not_heavy(seed):
    report = residual_tails(np.random.default_rng(seed).normal(0, 2, 1_000))
    assert report.heavy is False
    assert report.huber_delta == pytest.approx(1.345 * 2, rel=0.1)


def test_laplace_residuals_are_heavy():
    y, p = _laplace()
    report = residual_tails(p - y)
    assert report.heavy is True and report.by_kurtosis


def test_huber_delta_falls_back_to_the_mean_deviation():
    r = np.r_[np.zeros(60), np.full(40, 2.0)]  # MAD is 0
    delta, from_mean = huber_delta(r)
    assert from_mean and delta == pytest.approx(1.345 * math.sqrt(math.pi / 2) * 0.8, rel=1e-2)
    assert huber_delta(np.zeros(10)) == (None, True)


def test_reports_are_frozen():
    report = residual_tails(np.arange(100.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.rows = 3  # type: ignore[misc]


def test_confident_mistakes_beyond_what_the_model_expects():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.3, 0.7, 2_000)
    y = (rng.random(2_000) < p).astype(float)
    assert not probability_quality("binary", y, p, as_logits=False).excess
    p[:20] = 0.001
    y[:20] = 1.0
    report = probability_quality("binary", y, p, as_logits=False)
    assert report.observed >= 20 and report.excess


# ---------------------------------------------------------------------------------------------
# recommend --from and compare agree by construction


def test_recommend_and_compare_agree_on_laplace_residuals():
    y, p = _laplace()
    rec = recommend_for_arrays("regression", y, p)
    comparison = compare_arrays("regression", y, p, losses=["mse", "mae"])
    assert rec.measurements["heavy_tails"] is True and rec.loss == "huber"
    assert comparison.verdict.heavy_tails is True
    assert comparison.verdict.suggested.name == "huber"
    assert rec.params["delta"] == comparison.verdict.evidence["huber_delta"]


@pytest.mark.parametrize("seed", range(3))
def test_recommend_and_compare_agree_on_normal_residuals(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=2_000)
    p = y + rng.normal(0, 0.5, 2_000)
    rec = recommend_for_arrays("regression", y, p)
    comparison = compare_arrays("regression", y, p, losses=["mse", "mae"])
    assert rec.measurements["heavy_tails"] is False
    assert comparison.verdict.heavy_tails is False


def test_recommend_from_and_compare_agree_on_one_file(tmp_path):
    """The bug of the two diagnoses: both commands read the same file, so say the same."""
    from losscli.advice import recommend_from
    from losscli.sensitivity import compare

    y, p = _laplace()
    path = tmp_path / "laplace.csv"
    lines = ["y_true,y_pred", *(f"{a:.17g},{b:.17g}" for a, b in zip(y, p, strict=True))]
    path.write_text("\n".join(lines) + "\n")
    rec = recommend_from(str(path))
    comparison = compare([str(path)], losses=["mse", "mae"])
    assert rec.measurements["heavy_tails"] is comparison.verdict.heavy_tails is True
    assert rec.loss == comparison.verdict.suggested.name == "huber"
    assert rec.params["delta"] == comparison.verdict.suggested.params["delta"]


def test_selection_on_large_arrays_equals_numpy():
    """kth_smallest, median, top_share and worst_rows bracket the rank from a sample on large
    arrays: the answers equal numpy's full sort, with ties, sorted data, heavy tails and NaN."""
    from losscli.diagnose import kth_smallest, median, top_share, worst_rows

    rng = np.random.default_rng(5)
    n = 600_001
    cases = [
        rng.standard_t(2, size=n),
        np.sort(rng.normal(size=n)),  # a strided sample of sorted data
        np.round(rng.exponential(size=n), 1),  # many ties at every cut
        np.r_[np.zeros(n - 5000), np.full(5000, 7.0)],
        np.r_[rng.normal(size=n - 1), np.inf],
    ]
    for values in cases:
        ordered = np.sort(values)
        for k in (0, n // 2, n - 6001, n - 1):
            assert kth_smallest(values, k) == ordered[k]
        assert median(values) == np.median(values)
        k = int(np.ceil(0.01 * n))
        with np.errstate(invalid="ignore"):  # inf / inf: the share is NaN, as before
            expected = ordered[-k:].sum() / ordered.sum()
            share = top_share(values, 0.01)
        assert share == pytest.approx(expected, rel=1e-12, nan_ok=True)
        mask = worst_rows(values, 0.01)
        assert mask.sum() == k and np.array_equal(np.sort(values[mask]), ordered[-k:])
    with_nan = np.r_[rng.normal(size=n), np.nan]
    assert np.isnan(median(with_nan)) and worst_rows(with_nan, 0.01)[-1]


@pytest.mark.parametrize("scale", [1e80, 1e120, 1e150])
def test_kurtosis_of_residuals_whose_fourth_powers_overflow(scale):
    """The excess kurtosis is scale-free: residuals near 1e80..1e150 (squares finite, fourth
    powers not) have the kurtosis of the same residuals at unit scale, as scipy gives it."""
    r = np.random.default_rng(3).laplace(size=2_000)
    expected = stats.kurtosis(r)
    assert diagnose.excess_kurtosis(r * scale) == pytest.approx(expected, rel=1e-9)
    assert residual_tails(r * scale).excess_kurtosis == pytest.approx(expected, rel=1e-9)


def test_compare_and_recommend_on_residuals_near_1e100(tmp_path):
    """Residuals whose squares are finite but fourth powers are not: the tails are judged as at
    unit scale (heavy Laplace tails), not an overflow of the kurtosis."""
    y, pred = _laplace()
    scaled = (pred - y) * 1e100
    assert compare_arrays("regression", np.zeros_like(y), scaled).verdict.evidence is not None
    reading = recommend_for_arrays("regression", np.zeros_like(y), scaled).measurements
    assert reading["heavy_tails"] is True
    assert reading["excess_kurtosis"] == pytest.approx(stats.kurtosis(pred - y), rel=1e-9)
