"""Numerically stable building blocks shared by the kernels."""

from __future__ import annotations

import numpy as np

LN2 = float(np.log(2.0))


def softplus(x: np.ndarray) -> np.ndarray:
    """ln(1 + e^x) without overflow: logaddexp(0, x)."""
    return np.logaddexp(0.0, x)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), evaluated as e^(min(z,0)) / (1 + e^-|z|) so neither branch overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """z - logsumexp(z) along the last axis, after subtracting the row maximum."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


def xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * ln(y) with 0 * ln(anything) = 0 (the convention of entropies)."""
    safe = np.where(x == 0, 1.0, y)
    return np.where(x == 0, 0.0, x * np.log(safe))


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((len(labels), k))
    out[np.arange(len(labels)), np.asarray(labels).astype(np.intp)] = 1.0
    return out


def pick(matrix: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """matrix[i, labels[i]] for every row i."""
    return np.take_along_axis(matrix, labels[:, None].astype(np.intp), axis=1)[:, 0]
