"""Binary losses, elementwise: y_true in {0, 1} (soft labels allowed where noted), y_pred a
probability p, a logit z (from_logits=True) or, for the hinge family, a decision score s.

The same kernels serve multi-label data: one value per label, averaged over the labels of a row.
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import sigmoid
from losscli.losses.registry import EPS, Loss, Param


def _smooth(y: np.ndarray, label_smoothing: float) -> np.ndarray:
    """Keras' binary label smoothing: y (1 - eps) + eps / 2."""
    return y * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else y


def binary_cross_entropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    from_logits: bool = False,
    eps: float = EPS,
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """-(y ln p + (1 - y) ln(1 - p)), p clipped to [eps, 1 - eps].

    From logits: max(z, 0) - z y + ln(1 + e^-|z|), exact for any finite z (no clipping).

    >>> round(float(binary_cross_entropy(np.array([1.0]), np.array([0.85]))[0]), 4)
    0.1625
    """
    y = _smooth(np.asarray(y_true, dtype=np.float64), label_smoothing)
    if from_logits:
        z = y_pred
        return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    p = np.clip(y_pred, eps, 1.0 - eps)
    return -(y * np.log(p) + (1.0 - y) * np.log1p(-p))


def binary_focal(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    from_logits: bool = False,
    eps: float = EPS,
    gamma: float = 2.0,
    alpha: float | None = None,
) -> np.ndarray:
    """alpha_t (1 - p_t)^gamma BCE, p_t = y p + (1 - y)(1 - p), alpha_t = y alpha + (1 - y)(1 - alpha).

    alpha=None leaves the classes unweighted (Keras and optax defaults; torchvision uses 0.25).
    """
    y = np.asarray(y_true, dtype=np.float64)
    ce = binary_cross_entropy(y, y_pred, from_logits=from_logits, eps=eps)
    if from_logits:
        # 1 - p_t = y sigmoid(-z) + (1 - y) sigmoid(z), without forming 1 - sigmoid(z)
        one_minus_pt = y * sigmoid(-y_pred) + (1.0 - y) * sigmoid(y_pred)
    else:
        p = np.clip(y_pred, eps, 1.0 - eps)
        one_minus_pt = y * (1.0 - p) + (1.0 - y) * p
    loss = one_minus_pt**gamma * ce
    if alpha is not None:
        loss = loss * (y * alpha + (1.0 - y) * (1.0 - alpha))
    return loss


def hinge(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """max(0, 1 - t s) with t = +1 for label 1, -1 for label 0 or -1, s the score as given."""
    t = np.where(y_true > 0, 1.0, -1.0)
    return np.maximum(0.0, 1.0 - t * y_pred)


def squared_hinge(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """max(0, 1 - t s)^2."""
    return hinge(y_true, y_pred) ** 2


def binary_brier(
    y_true: np.ndarray, y_pred: np.ndarray, *, from_logits: bool = False
) -> np.ndarray:
    """(p - y)^2, with p = sigmoid(z) for logits."""
    p = sigmoid(y_pred) if from_logits else y_pred
    return (p - y_true) ** 2


def _hard_labels(y_true, y_pred, **_):
    bad = ~np.isin(y_true, (-1.0, 0.0, 1.0))
    if np.any(y_true == -1):
        bad = bad | (y_true == 0)  # 0/1 and -1/+1 mixed in one column
    soft = bad & (y_true > 0) & (y_true < 1)
    if np.any(soft):
        message = (
            "needs hard labels (0/1 or -1/+1), not soft labels in (0, 1): use bce, brier or focal"
        )
        return [(soft, "y_true", message)]
    return [(bad, "y_true", "needs hard labels (0/1 or -1/+1)")]


def per_label_mean(kernel):
    """Lift an elementwise binary kernel to multi-label rows: the mean over a row's labels."""

    def multilabel(y_true: np.ndarray, y_pred: np.ndarray, **params) -> np.ndarray:
        return kernel(y_true, y_pred, **params).mean(axis=-1)

    multilabel.__name__ = f"multilabel_{kernel.__name__}"
    multilabel.__doc__ = f"Mean over labels of {kernel.__name__}."
    return multilabel


LOSSES = [
    Loss(
        name="bce",
        title="Binary cross-entropy (log loss)",
        summary="The loss for a sigmoid output: the negative log-likelihood of the labels.",
        formula="-(y ln p + (1 - y) ln(1 - p)); logits: max(z,0) - z y + ln(1 + e^-|z|)",
        growth="logarithmic",
        prediction="probability",
        kernels={
            "binary": binary_cross_entropy,
            "multilabel": per_label_mean(binary_cross_entropy),
        },
        params=(
            Param(
                "label_smoothing", 0.0, "targets become y(1 - e) + e/2", 0.0, 1.0, high_open=True
            ),
        ),
        accepts_logits=True,
        clips=True,
        aliases=(
            "binary_crossentropy",
            "binary_cross_entropy",
            "BinaryCrossentropy",
            "BCELoss",
            "BCEWithLogitsLoss",
            "binary_cross_entropy_with_logits",
            "sigmoid_binary_cross_entropy",
            "bce_with_logits",
        ),
        equivalents={
            "pytorch": "torch.nn.BCEWithLogitsLoss() on logits (stable); torch.nn.BCELoss() on "
            "sigmoid output (clamps each log at -100)",
            "keras": "keras.losses.BinaryCrossentropy(from_logits=...)",
            "sklearn": "sklearn.metrics.log_loss(y, p, labels=[0, 1]) for 0/1 labels (labels= "
            "for a column of one class); it rejects soft labels: np.mean(-(y * np.log(p) + (1 - "
            "y) * np.log1p(-p)))",
        },
        choice="Probabilities are clipped to [eps, 1 - eps] with eps = 1e-7 (Keras); the largest "
        "per-row loss is then 16.12. PyTorch's BCELoss caps at 100, scikit-learn clips at float64 "
        "eps (36.04): pass --eps 2.220446049250313e-16 to match scikit-learn. Logits are never clipped.",
    ),
    Loss(
        name="hinge",
        title="Hinge loss",
        summary="The SVM margin loss, for a tanh or linear output scored against -1/+1 labels.",
        formula="max(0, 1 - t s), t = +1/-1 label, s = score",
        growth="linear",
        prediction="score",
        kernels={"binary": hinge, "multilabel": per_label_mean(hinge)},
        domain=_hard_labels,
        aliases=("Hinge", "hinge_loss"),
        equivalents={
            "pytorch": "no built-in: torch.clamp(1 - t * s, min=0).mean() with t = y for -1/+1 "
            "labels, t = 2 * y - 1 for 0/1 labels (HingeEmbeddingLoss is a different loss)",
            "keras": "keras.losses.Hinge() (maps 0/1 to -1/+1 only when every label is 0 or 1)",
            "sklearn": "sklearn.metrics.hinge_loss (needs both classes in y_true: with one class "
            "it misreads the scores, 3.0 for a perfect score; np.mean(np.maximum(0, 1 - t * s)) "
            "is always right)",
        },
        choice="Labels 0/1 and -1/+1 both mean negative/positive (Keras and scikit-learn map 0/1 "
        "to -1/+1; optax does not). The prediction is used as the score as given: a tanh output, "
        "a logit or a decision function.",
    ),
    Loss(
        name="squared_hinge",
        title="Squared hinge loss",
        summary="Hinge squared: smooth at the margin, harsher on large violations.",
        formula="max(0, 1 - t s)^2",
        growth="quadratic",
        prediction="score",
        kernels={"binary": squared_hinge, "multilabel": per_label_mean(squared_hinge)},
        domain=_hard_labels,
        aliases=("SquaredHinge",),
        equivalents={
            "pytorch": "no built-in: torch.clamp(1 - t * s, min=0).pow(2).mean() with t = y for "
            "-1/+1 labels, t = 2 * y - 1 for 0/1 labels",
            "keras": "keras.losses.SquaredHinge()",
            "sklearn": "none",
        },
    ),
]
