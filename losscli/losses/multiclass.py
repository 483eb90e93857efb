"""Multi-class losses, one value per row: y_true holds integer class indices (n,) or target
distributions (n, K) (one-hot or soft); y_pred holds K probabilities or K logits per row.

Also the entries of focal and brier, which apply to binary, multi-label and multi-class data.
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import log_softmax, one_hot, pick, softmax, xlogy
from losscli.losses.binary import binary_brier, binary_focal, per_label_mean
from losscli.losses.registry import EPS, Loss, Param


def _targets(y_true: np.ndarray, k: int) -> np.ndarray:
    return one_hot(y_true, k) if y_true.ndim == 1 else np.asarray(y_true, dtype=np.float64)


def _log_probs(y_pred: np.ndarray, from_logits: bool, eps: float) -> np.ndarray:
    """ln p: log-softmax of logits, or the log of probabilities clipped to [eps, 1 - eps]."""
    if from_logits:
        return log_softmax(y_pred)
    return np.log(np.clip(y_pred, eps, 1.0 - eps))


def cross_entropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    from_logits: bool = False,
    eps: float = EPS,
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """-sum_k t_k ln p_k with t = (1 - e) y + e / K; for integer labels and e = 0, -ln p_y.

    >>> p = np.array([[0.16, 0.84]])
    >>> round(float(cross_entropy(np.array([0]), p)[0]), 4)
    1.8326
    """
    if y_true.ndim == 1 and not label_smoothing:
        if from_logits:
            return -pick(log_softmax(y_pred), y_true)
        return -np.log(np.clip(pick(y_pred, y_true), eps, 1.0 - eps))  # only the true class
    logp = _log_probs(y_pred, from_logits, eps)
    k = y_pred.shape[1]
    t = _targets(y_true, k)
    if label_smoothing:
        t = (1.0 - label_smoothing) * t + label_smoothing / k
    return -np.sum(t * logp, axis=1)


def kl_divergence(
    y_true: np.ndarray, y_pred: np.ndarray, *, from_logits: bool = False, eps: float = EPS
) -> np.ndarray:
    """sum_k t_k ln(t_k / q_k), with 0 ln 0 = 0 and q clipped to [eps, 1 - eps]."""
    if y_true.ndim == 1:  # the entropy of a one-hot target is 0: KL is the cross-entropy
        return cross_entropy(y_true, y_pred, from_logits=from_logits, eps=eps)
    logq = _log_probs(y_pred, from_logits, eps)
    t = y_true.astype(np.float64)
    return np.sum(xlogy(t, t) - t * logq, axis=1)


def js_divergence(
    y_true: np.ndarray, y_pred: np.ndarray, *, from_logits: bool = False
) -> np.ndarray:
    """0.5 KL(t || m) + 0.5 KL(q || m), m = (t + q) / 2; in nats, bounded by ln 2."""
    q = softmax(y_pred) if from_logits else y_pred
    t = _targets(y_true, q.shape[1])
    m = 0.5 * (t + q)
    return 0.5 * np.sum(xlogy(t, t) - xlogy(t, m) + xlogy(q, q) - xlogy(q, m), axis=1)


def categorical_hinge(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Crammer-Singer: max(0, 1 + max_{j != y} s_j - s_y) on the scores as given."""
    labels = y_true if y_true.ndim == 1 else np.argmax(y_true, axis=1)
    s_true = pick(y_pred, labels)
    others = y_pred.copy()
    others[np.arange(len(labels)), labels.astype(np.intp)] = -np.inf
    return np.maximum(0.0, 1.0 + np.max(others, axis=1) - s_true)


def categorical_focal(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    from_logits: bool = False,
    eps: float = EPS,
    gamma: float = 2.0,
    alpha: float | None = None,
) -> np.ndarray:
    """-sum_k alpha (1 - p_k)^gamma t_k ln p_k (p clipped, or log-softmax for logits)."""
    logp = _log_probs(y_pred, from_logits, eps)
    p = np.exp(logp)
    scale = 1.0 if alpha is None else alpha
    if y_true.ndim == 1:
        return -scale * (1.0 - pick(p, y_true)) ** gamma * pick(logp, y_true)
    t = y_true.astype(np.float64)
    return -scale * np.sum((1.0 - p) ** gamma * t * logp, axis=1)


def categorical_brier(
    y_true: np.ndarray, y_pred: np.ndarray, *, from_logits: bool = False
) -> np.ndarray:
    """sum_k (p_k - t_k)^2, with p = softmax(z) for logits."""
    p = softmax(y_pred) if from_logits else y_pred
    if y_true.ndim == 1:
        d = p.copy(order="K")  # the converter's column-major layout: sums over k stay fast
        d[np.arange(len(y_true)), y_true.astype(np.intp)] -= 1.0
        np.square(d, out=d)
        return d.sum(axis=1)
    return np.sum((p - y_true) ** 2, axis=1)


def _hard_targets(y_true, y_pred, **_):
    if y_true.ndim == 1:
        return []
    soft = ~np.all((y_true == 0) | (y_true == 1), axis=1) | (y_true.sum(axis=1) != 1)
    return [(soft, "y_true", "needs one hard label per row (one-hot targets)")]


def binary_and_multiclass(binary_kernel, multiclass_kernel) -> dict:
    return {
        "binary": binary_kernel,
        "multiclass": multiclass_kernel,
        "multilabel": per_label_mean(binary_kernel),
    }


LOSSES = [
    Loss(
        name="cross_entropy",
        title="Categorical cross-entropy",
        summary="The loss for a softmax output: -ln of the probability given to the true class.",
        formula="-sum_k t_k ln p_k, t = (1 - e) y + e/K; logits: ln p = z - logsumexp(z)",
        growth="logarithmic",
        prediction="probability",
        kernels={"multiclass": cross_entropy},
        params=(
            Param(
                "label_smoothing", 0.0, "targets become (1 - e) y + e/K", 0.0, 1.0, high_open=True
            ),
        ),
        accepts_logits=True,
        clips=True,
        aliases=(
            "ce",
            "categorical_crossentropy",
            "categorical_cross_entropy",
            "sparse_categorical_crossentropy",
            "sparse_categorical_cross_entropy",
            "CategoricalCrossentropy",
            "SparseCategoricalCrossentropy",
            "CrossEntropyLoss",
            "softmax_cross_entropy",
            "nll",
            "NLLLoss",
        ),
        equivalents={
            "pytorch": "torch.nn.CrossEntropyLoss(label_smoothing=e) on logits (drop the softmax "
            "layer: fed probabilities it applies softmax again); torch.nn.NLLLoss on log-probabilities",
            "keras": "keras.losses.SparseCategoricalCrossentropy (integer labels) or "
            "CategoricalCrossentropy (one-hot), from_logits=...",
            "sklearn": "sklearn.metrics.log_loss(y, P, labels=np.arange(K)) (labels= when a "
            "class is absent from y)",
        },
        choice="Probabilities are clipped to [eps, 1 - eps] and not renormalised (rows that do not "
        "sum to 1 are reported); Keras divides each row by its sum first. Integer labels, class "
        "names and one-hot targets give the same value.",
    ),
    Loss(
        name="kl_divergence",
        title="Kullback-Leibler divergence",
        summary="For soft targets (distillation, label distributions): cross-entropy minus the "
        "targets' entropy.",
        formula="sum_k t_k ln(t_k / q_k), 0 ln 0 = 0",
        growth="logarithmic",
        prediction="probability",
        kernels={"multiclass": kl_divergence},
        accepts_logits=True,
        clips=True,
        aliases=("kld", "kl_div", "kl", "KLDivergence", "KLDivLoss", "kullback_leibler_divergence"),
        equivalents={
            "pytorch": "torch.nn.KLDivLoss(reduction='batchmean') with input = log q (log_softmax), "
            "target = t; the default reduction='mean' divides by N*K",
            "keras": "keras.losses.KLDivergence()",
            "sklearn": "none (scipy.special.rel_entr(t, q).sum(axis=1))",
        },
        choice="Summed over classes and averaged over rows: PyTorch's 'batchmean', Keras and optax. "
        "q is clipped to [eps, 1 - eps]; targets are not clipped (Keras clips both to [1e-7, 1]).",
    ),
    Loss(
        name="js_divergence",
        title="Jensen-Shannon divergence",
        summary="A symmetric, bounded (at ln 2) cousin of KL divergence.",
        formula="0.5 KL(t || m) + 0.5 KL(q || m), m = (t + q) / 2",
        growth="bounded",
        prediction="probability",
        kernels={"multiclass": js_divergence},
        accepts_logits=True,
        aliases=("jsd", "jensen_shannon", "jensen_shannon_divergence"),
        equivalents={
            "pytorch": "none",
            "keras": "none",
            "sklearn": "none (scipy.spatial.distance.jensenshannon(t, q) ** 2: scipy returns the "
            "square root)",
        },
        choice="In nats (natural log); divide by ln 2 for bits.",
    ),
    Loss(
        name="categorical_hinge",
        title="Multi-class (Crammer-Singer) hinge",
        summary="The multi-class SVM loss on raw scores: the true class must win by a margin of 1.",
        formula="max(0, 1 + max_{j != y} s_j - s_y)",
        growth="linear",
        prediction="score",
        kernels={"multiclass": categorical_hinge},
        domain=_hard_targets,
        aliases=("multiclass_hinge", "multi_margin", "CategoricalHinge", "crammer_singer"),
        equivalents={
            "pytorch": "no exact built-in: MultiMarginLoss sums over j != y and divides by K",
            "keras": "keras.losses.CategoricalHinge() differs when every other score is below 0",
            "sklearn": "sklearn.metrics.hinge_loss(y, scores, labels=...)",
        },
        choice="The Crammer-Singer form of scikit-learn and optax.multiclass_hinge_loss; Keras' "
        "CategoricalHinge floors the largest wrong score at 0 (keras#8083).",
    ),
    Loss(
        name="focal",
        title="Focal loss",
        summary="Cross-entropy down-weighted on easy rows by (1 - p_t)^gamma: for heavy imbalance.",
        formula="-alpha_t (1 - p_t)^gamma ln p_t (binary); -sum_k alpha (1 - p_k)^gamma t_k ln p_k",
        growth="logarithmic",
        prediction="probability",
        kernels=binary_and_multiclass(binary_focal, categorical_focal),
        params=(
            Param("gamma", 2.0, "focusing exponent; 0 gives cross-entropy", 0.0),
            Param(
                "alpha",
                None,
                "class weight: of the positive class (binary), of every class (multi-class); "
                "none leaves the loss unweighted",
                0.0,
                1.0,
                optional=True,
            ),
        ),
        accepts_logits=True,
        clips=True,
        aliases=(
            "focal_loss",
            "BinaryFocalCrossentropy",
            "CategoricalFocalCrossentropy",
            "sigmoid_focal_loss",
            "binary_focal_crossentropy",
            "categorical_focal_crossentropy",
        ),
        equivalents={
            "pytorch": "torchvision.ops.sigmoid_focal_loss(z, y, alpha=0.25, gamma=2, "
            "reduction='mean') (binary, on logits; the default reduction='none' returns one value "
            "per element; alpha=-1 turns alpha off)",
            "keras": "keras.losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True) on logits "
            "(from_logits=False, the default, only on probabilities; alpha only with "
            "apply_class_balancing=True); SparseCategoricalFocalCrossentropy(gamma=2.0, "
            "from_logits=True) for integer labels, CategoricalFocalCrossentropy for one-hot rows "
            "(both apply alpha=0.25)",
            "sklearn": "none",
        },
        choice="alpha defaults to none (unweighted), as Keras' binary focal loss and optax; "
        "torchvision and Keras' categorical focal loss apply alpha=0.25: pass focal:alpha=0.25 "
        "to match them. Logits go through the exact log-sigmoid / log-softmax path.",
    ),
    Loss(
        name="brier",
        title="Brier score",
        summary="Squared error of the probabilities: a bounded, proper scoring rule for calibration.",
        formula="(p - y)^2 (binary); sum_k (p_k - t_k)^2 (multi-class)",
        growth="bounded",
        prediction="probability",
        kernels=binary_and_multiclass(binary_brier, categorical_brier),
        accepts_logits=True,
        aliases=("brier_score", "brier_score_loss"),
        equivalents={
            "pytorch": "none",
            "keras": "none",
            "sklearn": "sklearn.metrics.brier_score_loss (scale_by_half='auto')",
        },
        choice="Binary: (p - y)^2, in [0, 1]; multi-class: the sum over classes, not halved, in "
        "[0, 2], as scikit-learn's 'auto'. Probabilities are not clipped.",
    ),
]
