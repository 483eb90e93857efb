"""Robust statistics of residuals, shared by `recommend --from` and `compare`."""

from __future__ import annotations

import numpy as np

#: MAD x 1.4826 estimates the standard deviation of normal data.
MAD_TO_SD = 1.4826
#: Huber's tuning constant: 95% efficiency at the normal distribution.
HUBER_K = 1.345


def robust_scale(residuals: np.ndarray) -> float:
    """1.4826 x median(|r - median(r)|): a standard deviation that outliers do not inflate."""
    r = np.asarray(residuals, dtype=np.float64)
    if r.size == 0:
        return float("nan")
    return float(MAD_TO_SD * np.median(np.abs(r - np.median(r))))


def huber_delta(residuals: np.ndarray) -> float:
    """The classic Huber threshold: 1.345 x the robust scale of the residuals."""
    return HUBER_K * robust_scale(residuals)


def top_share(losses: np.ndarray, top: float = 0.01) -> float:
    """Share of the total loss produced by the worst `top` fraction of rows (at least one row)."""
    values = np.asarray(losses, dtype=np.float64)
    total = float(values.sum())
    if values.size == 0 or total == 0:
        return 0.0
    k = max(1, int(np.ceil(top * values.size)))
    worst = np.partition(values, values.size - k)[values.size - k :]
    return float(worst.sum() / total)


def worst_rows(losses: np.ndarray, top: float = 0.01) -> np.ndarray:
    """Boolean mask of the worst `top` fraction of rows (at least one row)."""
    values = np.asarray(losses, dtype=np.float64)
    mask = np.zeros(values.size, dtype=bool)
    if values.size == 0:
        return mask
    k = max(1, int(np.ceil(top * values.size)))
    mask[np.argpartition(values, values.size - k)[values.size - k :]] = True
    return mask


def excess_kurtosis(residuals: np.ndarray) -> float:
    """E[(r - mean)^4] / var^2 - 3: 0 for normal data, large for heavy tails."""
    r = np.asarray(residuals, dtype=np.float64)
    if r.size < 4:
        return float("nan")
    centred = r - r.mean()
    var = float(np.mean(centred**2))
    if var == 0:
        return 0.0
    return float(np.mean(centred**4) / var**2 - 3.0)
