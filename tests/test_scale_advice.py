"""compute warns when huber's delta (smooth_l1's beta) misses the residuals' scale, measured on the
first batch it streams, and still computes every row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

import losscli


def data(scale: float, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y = rng.normal(500.0, scale, n)
    return pd.DataFrame({"y_true": y, "y_pred": y + rng.normal(0.0, scale, n)})


def test_default_delta_on_targets_of_scale_100_warns_with_a_measured_delta():
    df = data(100.0)
    result = losscli.compute(df, losses=["huber", "mse"])
    [warning] = [w for w in result.warnings if w.startswith("huber acts like mae")]
    r = (df.y_pred - df.y_true).to_numpy()
    mad = 1.4826 * np.median(np.abs(r - np.median(r)))
    delta = float(f"{1.345 * mad:.3g}")
    assert f"try huber:delta={delta:g}" in warning and "first 3,000 rows" in warning
    # the measured batch is not lost: the value covers every row (torch's HuberLoss as reference)
    expected = torch.nn.HuberLoss(delta=1.0)(torch.tensor(df.y_pred), torch.tensor(df.y_true))
    assert result.value("huber") == float(expected) or abs(
        result.value("huber") - float(expected)
    ) < 1e-9 * float(expected)
    assert result.inputs["rows"]["used"] == 3000


def test_a_delta_that_fits_says_nothing():
    result = losscli.compute(data(1.0), losses=["huber", "smooth_l1"])
    assert not [w for w in result.warnings if "acts like" in w]


def test_a_delta_far_above_every_residual_is_mse_over_two():
    result = losscli.compute(data(1.0), losses=["huber:delta=1000"])
    assert any(w.startswith("huber acts like mse/2") for w in result.warnings)


def test_smooth_l1_beta_too():
    result = losscli.compute(data(100.0), losses=["smooth_l1"])
    assert any("try smooth_l1:beta=" in w for w in result.warnings)
