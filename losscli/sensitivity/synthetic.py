"""Seeded synthetic data sets that show the ranking of `compare` when no file is given."""

from __future__ import annotations

import numpy as np

from losscli.errors import UsageError
from losscli.losses import TASKS, sigmoid, softmax
from losscli.sensitivity.model import MIN_ROWS
from losscli.text import plural

#: The share of the synthetic regression data set's rows that carry gross errors.
SYNTHETIC_OUTLIERS = 0.01
#: The share of the synthetic classification data set's labels that are flipped.
SYNTHETIC_NOISE = 0.03


def synthetic(task: str, n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, bool]:
    """A seeded data set that shows the ranking: (y_true, y_pred, from_logits).

    regression: targets log-normal around 100, residuals N(0, 1) plus 1% gross errors of
    10 to 30 (random sign, kept so that predictions stay positive); binary and multi-label
    (3 labels): a calibrated model, p = sigmoid(z), z ~ N(0, 5), with 3% of the labels flipped;
    multiclass (4 classes): p = softmax(z), z ~ N(0, 5) per class, with 3% of the labels moved
    to another class. Predictions are probabilities (from_logits is False).
    """
    if task not in TASKS:
        raise UsageError(f"unknown task '{task}' (valid: {', '.join(TASKS)})")
    if n < MIN_ROWS:
        raise UsageError(f"--rows must be at least {MIN_ROWS}, got {n}")
    rng = np.random.default_rng(seed)
    if task == "regression":
        y = np.round(np.exp(rng.normal(np.log(100.0), 0.3, n)), 1)
        e = rng.normal(0.0, 1.0, n)
        gross = rng.choice(n, max(1, round(SYNTHETIC_OUTLIERS * n)), replace=False)
        e[gross] = rng.choice([-1.0, 1.0], gross.size) * rng.uniform(10.0, 30.0, gross.size)
        e = np.where(y + e <= 0.1, np.abs(e), e)
        return y, y + e, False
    if task == "multiclass":
        k = 4
        p = softmax(rng.normal(0.0, 5.0, (n, k)))
        y = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
        y = np.minimum(y, k - 1)
        noisy = rng.random(n) < SYNTHETIC_NOISE
        y[noisy] = (y[noisy] + rng.integers(1, k, int(noisy.sum()))) % k
        return y.astype(np.int64), p, False
    shape = n if task == "binary" else (n, 3)
    p = sigmoid(rng.normal(0.0, 5.0, shape))
    y = (rng.random(shape) < p).astype(np.float64)
    noisy = rng.random(shape) < SYNTHETIC_NOISE
    y[noisy] = 1.0 - y[noisy]
    return y, p, False


def describe(task: str, n: int) -> str:
    """One line on the synthetic data set of `synthetic(task, n)`."""
    if task == "regression":
        what = (
            "targets around 100, residuals N(0, 1) with "
            f"{SYNTHETIC_OUTLIERS:.0%} gross errors of 10 to 30"
        )
    elif task == "multiclass":
        what = f"4 classes, calibrated probabilities, {SYNTHETIC_NOISE:.0%} of labels wrong"
    elif task == "multilabel":
        what = f"3 labels, calibrated probabilities, {SYNTHETIC_NOISE:.0%} of labels flipped"
    else:
        what = f"calibrated probabilities, {SYNTHETIC_NOISE:.0%} of labels flipped"
    return f"synthetic {task} data, {plural(n, 'row')}: {what}"


__all__ = ["SYNTHETIC_NOISE", "SYNTHETIC_OUTLIERS", "describe", "synthetic"]
