"""Recorded semantics of the Keras 3 losses and torchvision's focal loss that `recommend` quotes,
for running its snippets where the library is not installed (numpy, float64).

Sources:
- Keras 3 (keras 3.15.1): keras/src/losses/losses.py (LossFunctionWrapper and the loss functions:
  mean over the last axis for mean_squared_error, huber, binary_crossentropy,
  binary_focal_crossentropy and hinge; sum for categorical_crossentropy and kl_divergence),
  keras/src/losses/loss.py (reduction 'sum_over_batch_size', the default: sum(w * loss) / count
  of per-sample losses, not sum(w)), keras/src/backend/numpy/nn.py (probabilities clipped to
  [1e-7, 1 - 1e-7]; categorical probabilities divided by their row sum first; target and output
  must have the same shape). Summarised with golden values in
  /work/shared/reference/loss-anchors.md, sections 0 and 1.
- keras.losses.SparseCategoricalFocalCrossentropy(alpha=0.25, gamma=2.0, from_logits=False,
  ignore_class=None): https://www.tensorflow.org/api_docs/python/tf/keras/losses/SparseCategoricalFocalCrossentropy
  ("labels are provided as integers ... FL(p_t) = -alpha_t (1 - p_t) ** gamma log(p_t)").
- keras.losses.Hinge: 0/1 labels become -1/+1 only when every label is 0 or 1.
- torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction='none'):
  torchvision/ops/focal_loss.py: ce = binary_cross_entropy_with_logits(reduction='none'),
  p_t = p y + (1 - p)(1 - y), loss = ce (1 - p_t)^gamma, times alpha_t = alpha y + (1 - alpha)(1 - y)
  when alpha >= 0; then 'none' | 'mean' | 'sum'.

Where Keras would silently do something else (clip logits passed as probabilities, broadcast
labels of the wrong shape), these stand-ins raise, so a wrong snippet fails its test.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

EPSILON = 1e-7  # keras.backend.epsilon()


def _same_shape(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"Keras needs y_true and y_pred of one shape, got {y_true.shape} and {y_pred.shape}"
        )


def _probabilities(p: np.ndarray) -> np.ndarray:
    if np.any((p < 0) | (p > 1)):
        raise ValueError("from_logits=False on values outside [0, 1]: Keras would clip logits")
    return np.clip(p, EPSILON, 1 - EPSILON)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class _Loss:
    """LossFunctionWrapper: per-sample values (last axis reduced), then sum(w * l) / count."""

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None) -> float:
        values = np.asarray(self.values(np.asarray(y_true, float), np.asarray(y_pred, float)))
        if sample_weight is not None:
            weight = np.asarray(sample_weight, float)
            if weight.shape != values.shape:
                raise ValueError(f"sample_weight {weight.shape} for losses {values.shape}")
            values = values * weight
        return float(values.sum() / values.size)


class MeanSquaredError(_Loss):
    def values(self, y_true, y_pred):
        _same_shape(y_true, y_pred)
        return np.mean((y_true - y_pred) ** 2, axis=-1)


class Huber(_Loss):
    def __init__(self, delta: float = 1.0):
        self.delta = delta

    def values(self, y_true, y_pred):
        _same_shape(y_true, y_pred)
        e = np.abs(y_true - y_pred)
        d = self.delta
        return np.mean(np.where(e <= d, 0.5 * e**2, d * e - 0.5 * d**2), axis=-1)


def _bce(y_true, y_pred, from_logits):
    _same_shape(y_true, y_pred)
    p = _probabilities(_sigmoid(y_pred) if from_logits else y_pred)
    if from_logits:  # the backend's exact sigmoid cross-entropy on logits
        z = y_pred
        return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z))), p
    return -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), p


class BinaryCrossentropy(_Loss):
    def __init__(self, from_logits: bool = False):
        self.from_logits = from_logits

    def values(self, y_true, y_pred):
        return np.mean(_bce(y_true, y_pred, self.from_logits)[0], axis=-1)


class BinaryFocalCrossentropy(_Loss):
    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False):
        self.balance, self.alpha, self.gamma = apply_class_balancing, alpha, gamma
        self.from_logits = from_logits

    def values(self, y_true, y_pred):
        p = _sigmoid(y_pred) if self.from_logits else y_pred
        bce, p = _bce(y_true, p, False)  # Keras: sigmoid first, then the clipped bce
        p_t = y_true * p + (1 - y_true) * (1 - p)
        loss = (1 - p_t) ** self.gamma * bce
        if self.balance:
            loss = loss * (y_true * self.alpha + (1 - y_true) * (1 - self.alpha))
        return np.mean(loss, axis=-1)


def _log_probs(y_pred, from_logits):
    if from_logits:
        return np.log(_softmax(y_pred))
    p = _probabilities(y_pred)
    return np.log(np.clip(p / p.sum(axis=-1, keepdims=True), EPSILON, 1 - EPSILON))


def _one_hot(y_true, k):
    labels = np.asarray(y_true)
    if labels.ndim != 1 or not np.all(labels == np.round(labels)):
        raise ValueError("sparse Keras losses take integer labels of shape (N,)")
    return np.eye(k)[labels.astype(int)]


class CategoricalCrossentropy(_Loss):
    def __init__(self, from_logits: bool = False):
        self.from_logits = from_logits

    def values(self, y_true, y_pred):
        _same_shape(y_true, y_pred)
        return -np.sum(y_true * _log_probs(y_pred, self.from_logits), axis=-1)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    def values(self, y_true, y_pred):
        return super().values(_one_hot(y_true, y_pred.shape[-1]), y_pred)


class CategoricalFocalCrossentropy(_Loss):
    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False):
        self.alpha, self.gamma, self.from_logits = alpha, gamma, from_logits

    def values(self, y_true, y_pred):
        _same_shape(y_true, y_pred)
        log_p = _log_probs(y_pred, self.from_logits)
        focal = self.alpha * (1 - np.exp(log_p)) ** self.gamma
        return -np.sum(focal * y_true * log_p, axis=-1)


class SparseCategoricalFocalCrossentropy(CategoricalFocalCrossentropy):
    def values(self, y_true, y_pred):
        return super().values(_one_hot(y_true, y_pred.shape[-1]), y_pred)


class KLDivergence(_Loss):
    def values(self, y_true, y_pred):
        _same_shape(y_true, y_pred)
        t = np.clip(y_true, EPSILON, 1)
        q = np.clip(y_pred, EPSILON, 1)
        return np.sum(t * np.log(t / q), axis=-1)


class Hinge(_Loss):
    def values(self, y_true, y_pred):
        _same_shape(y_true, y_pred)
        t = 2 * y_true - 1 if np.isin(y_true, (0, 1)).all() else y_true
        return np.mean(np.maximum(1 - t * y_pred, 0), axis=-1)


keras = SimpleNamespace(
    losses=SimpleNamespace(
        MeanSquaredError=MeanSquaredError,
        Huber=Huber,
        BinaryCrossentropy=BinaryCrossentropy,
        BinaryFocalCrossentropy=BinaryFocalCrossentropy,
        CategoricalCrossentropy=CategoricalCrossentropy,
        SparseCategoricalCrossentropy=SparseCategoricalCrossentropy,
        CategoricalFocalCrossentropy=CategoricalFocalCrossentropy,
        SparseCategoricalFocalCrossentropy=SparseCategoricalFocalCrossentropy,
        KLDivergence=KLDivergence,
        Hinge=Hinge,
    ),
    ops=SimpleNamespace(softmax=_softmax),
)


def sigmoid_focal_loss(inputs, targets, alpha: float = 0.25, gamma: float = 2, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, as torchvision/ops/focal_loss.py writes it."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction != "none":
        raise ValueError(f"invalid reduction {reduction!r}")
    return loss


torchvision = SimpleNamespace(ops=SimpleNamespace(sigmoid_focal_loss=sigmoid_focal_loss))
