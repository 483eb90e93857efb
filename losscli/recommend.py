"""Which loss for which task: the decision table as data, plus inference from prediction files.

`RULES` maps (task, last-layer activation, hints) to a recommendation, `HINTS` adds the
alternatives a hint calls for, `WARNINGS` names contradictory combinations and what to change.
The most specific matching rule wins; tests walk every row, so a new row is one entry here.

This module imports no numpy, pandas or pyarrow at import time: `recommend()` is pure data.
The data-driven path (`recommend_for_arrays`, `recommend_from`) imports them when called.

>>> recommend("binary", "none").loss
'bce'
>>> recommend("binary", "none").from_logits
True
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from losscli.diagnose import TOP, residual_tails
from losscli.errors import UsageError

if TYPE_CHECKING:
    import numpy as np

SCHEMA_VERSION = 1

TASKS = ("regression", "binary", "multiclass", "multilabel")
#: Last-layer activations; 'none' and 'linear' both mean raw outputs (logits for classification).
ACTIVATIONS = ("none", "linear", "sigmoid", "tanh", "softmax", "relu", "softplus")
#: Label encodings: int (class indices; 0/1 for binary and multi-label), onehot, soft
#: (probability targets), pm1 (-1/+1).
LABELS = ("int", "onehot", "soft", "pm1")
FRAMEWORKS = ("pytorch", "keras", "sklearn")

_RAW = ("none", "linear")
_ALL = ACTIVATIONS
_CLASSIFICATION = ("binary", "multiclass", "multilabel")

# Thresholds of the data-driven path: the tails are judged by `losscli.diagnose`.
#: Imbalanced: the rarest class has less than this fraction of its balanced share 1/K
#: (10% for binary and for each label of multi-label data).
IMBALANCE_FRACTION = 0.2
#: Rows of K values in [0, 1] summing to 1 within this tolerance are softmax probabilities.
SUM_TOLERANCE = 1e-2


@dataclass(frozen=True)
class Alternative:
    """Another loss worth considering, and when to prefer it."""

    loss: str
    when: str
    params: Mapping[str, float] = field(default_factory=dict)
    how: str = ""

    def spec(self) -> str:
        return loss_spec(self.loss, self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"loss": self.loss, "params": dict(self.params), "when": self.when, "how": self.how}


@dataclass(frozen=True)
class Rule:
    """One row of the decision table.

    A rule applies to `task` with any of `activations`; `outliers` (None: either) and `labels`
    (None: any or unknown) narrow it. `predictions` is what the loss takes: values,
    probabilities, logits (from_logits) or scores (hinge). Framework strings may hold `<param>`
    placeholders, filled from the recommendation's parameters (a Huber delta measured from data).
    """

    task: str
    activations: tuple[str, ...]
    loss: str
    why: str
    labels_expected: str
    predictions: str
    pytorch: str
    keras: str
    sklearn: str
    alternatives: tuple[Alternative, ...] = ()
    outliers: bool | None = None
    labels: tuple[str, ...] | None = None

    def matches(self, task: str, activation: str, outliers: bool, labels: str | None) -> bool:
        return (
            self.task == task
            and activation in self.activations
            and (self.outliers is None or self.outliers == outliers)
            and (self.labels is None or labels in self.labels)
        )

    @property
    def from_logits(self) -> bool:
        return self.predictions == "logits"

    @property
    def specificity(self) -> int:
        return (self.outliers is not None) + (self.labels is not None)


@dataclass(frozen=True)
class Hint:
    """What a hint (--outliers, --imbalanced) adds for some tasks: alternatives or a warning."""

    hint: str
    tasks: tuple[str, ...]
    alternatives: tuple[Alternative, ...] = ()
    warning: str = ""


@dataclass(frozen=True)
class Caveat:
    """A contradictory combination and what to change. `<activation>` is filled in.

    `labels` None fires whatever the labels; otherwise only for those (known) label encodings.
    """

    tasks: tuple[str, ...]
    activations: tuple[str, ...]
    message: str
    labels: tuple[str, ...] | None = None

    def matches(self, task: str, activation: str, labels: str | None) -> bool:
        return (
            task in self.tasks
            and activation in self.activations
            and (self.labels is None or labels in self.labels)
        )

    def text(self, activation: str) -> str:
        return self.message.replace("<activation>", activation)


# ---------------------------------------------------------------------------------------------
# The decision table

_HUBER_ALT = Alternative(
    "huber",
    "outliers or heavy-tailed errors: quadratic up to delta, linear beyond "
    "(delta about 1.345 x the robust SD of the residuals)",
)
_MAE_ALT = Alternative(
    "mae",
    "you want the median, or gross errors should count no more than linearly "
    "(the gradient is bounded at +-1)",
)
_MSLE_ALT = Alternative(
    "msle",
    "targets span orders of magnitude and relative errors matter (ln(1 + y) handles zeros)",
)
_BRIER_ALT = Alternative(
    "brier",
    "you judge calibration, or want a bounded loss: no row can cost more than 1 (binary)",
)
_HINGE_ALT = Alternative(
    "hinge",
    "a margin classifier (SVM-style) on raw scores and -1/+1 labels, without probabilities",
)
_KL_ALT = Alternative(
    "kl_divergence",
    "the targets are distributions (distillation, label distributions): --labels soft",
)
_CHINGE_ALT = Alternative(
    "categorical_hinge",
    "a multi-class SVM on raw scores: the true class must win by a margin of 1",
)
_SMOOTH_CE_ALT = Alternative(
    "cross_entropy",
    "the model is over-confident or some labels are wrong: targets become (1 - e) y + e/K",
    params={"label_smoothing": 0.1},
)

_CE_SPARSE_PT = (
    "torch.nn.CrossEntropyLoss() with integer targets (torch.long, shape (N,)); it takes logits, "
    "so drop the softmax layer (fed probabilities it applies softmax again and gives wrong "
    "values); on probabilities you already have: torch.nn.NLLLoss()(torch.log(p), y)"
)
_CE_ONEHOT_PT = (
    "torch.nn.CrossEntropyLoss() with float one-hot targets (N, K) (or y.argmax(1)); it takes "
    "logits, so drop the softmax layer (fed probabilities it applies softmax again); on "
    "probabilities you already have: torch.nn.NLLLoss()(torch.log(p), y.argmax(1))"
)
_CE_ANY_PT = (
    "torch.nn.CrossEntropyLoss() takes logits: drop the softmax layer (fed probabilities it "
    "applies softmax again and gives wrong values); targets are class indices (torch.long) or "
    "float one-hot rows; on probabilities you already have: torch.nn.NLLLoss()(torch.log(p), y)"
)
_CE_LOGITS_PT = (
    "torch.nn.CrossEntropyLoss() on the raw outputs (no softmax layer: the loss applies "
    "log-softmax itself)"
)

_REGRESSION_OUTPUTS = ("none", "linear", "sigmoid", "tanh", "softmax")
_CE_PROB_OUTPUTS = ("softmax",)
_CE_LOGIT_OUTPUTS = ("none", "linear", "sigmoid", "tanh", "relu", "softplus")

RULES: tuple[Rule, ...] = (
    # regression
    Rule(
        "regression",
        _REGRESSION_OUTPUTS,
        loss="mse",
        why="Squared error is the likelihood of Gaussian noise and makes the model predict the "
        "conditional mean: the default when errors are roughly symmetric and light-tailed. "
        "A few large errors dominate it, so check the residuals (recommend --from FILE).",
        labels_expected="real-valued targets",
        predictions="values",
        pytorch="torch.nn.MSELoss()",
        keras="keras.losses.MeanSquaredError()",
        sklearn="sklearn.metrics.mean_squared_error(y_true, y_pred)",
        alternatives=(
            _HUBER_ALT,
            _MAE_ALT,
            Alternative(
                "quantile",
                "you need a quantile (an upper bound, a prediction interval) rather than the mean",
                params={"alpha": 0.9},
            ),
        ),
        outliers=False,
    ),
    Rule(
        "regression",
        _ALL,
        loss="huber",
        why="Huber is quadratic for errors up to delta and linear beyond, so ordinary rows are "
        "fitted almost as efficiently as with MSE while outliers pull with bounded force. Set "
        "delta near 1.345 x the robust SD of the residuals (recommend --from FILE measures it).",
        labels_expected="real-valued targets",
        predictions="values",
        pytorch="torch.nn.HuberLoss(delta=<delta>) (not SmoothL1Loss, which is HuberLoss / beta)",
        keras="keras.losses.Huber(delta=<delta>)",
        sklearn="none as a metric; sklearn.linear_model.HuberRegressor(epsilon=1.35) fits the same "
        "idea on scaled residuals",
        alternatives=(
            _MAE_ALT,
            Alternative(
                "log_cosh",
                "a smooth Huber-like loss without a delta to tune (about delta = 1 in the "
                "target's units)",
            ),
            Alternative(
                "mse",
                "the large errors are real signal you must fit, or you are judged on (R)MSE",
            ),
        ),
        outliers=True,
    ),
    Rule(
        "regression",
        ("relu",),
        loss="mse",
        why="A relu output gives non-negative predictions and squared error fits their mean; relu "
        "can output exactly 0, which suits targets with many zeros but rules out losses that "
        "take the log of the prediction (poisson) unless the output stays positive.",
        labels_expected="non-negative real-valued targets",
        predictions="values",
        pytorch="torch.nn.MSELoss()",
        keras="keras.losses.MeanSquaredError()",
        sklearn="sklearn.metrics.mean_squared_error(y_true, y_pred)",
        alternatives=(
            _MSLE_ALT,
            Alternative(
                "poisson",
                "the targets are counts: switch to a softplus or exponential output, since a "
                "zero rate for a positive count makes the Poisson loss infinite",
            ),
            _HUBER_ALT,
        ),
        outliers=False,
    ),
    Rule(
        "regression",
        ("softplus",),
        loss="poisson",
        why="A softplus output is a strictly positive rate, the natural pairing with the Poisson "
        "negative log-likelihood for counts and rates: its variance grows with the mean, so "
        "large counts do not dominate as with squared error. For targets that are not counts, "
        "mse on the softplus output is fine.",
        labels_expected="non-negative counts or rates",
        predictions="values",
        pytorch="torch.nn.PoissonNLLLoss(log_input=False) on the softplus output (the default "
        "log_input=True expects the log-rate of a linear output)",
        keras="keras.losses.Poisson()",
        sklearn="sklearn.metrics.mean_poisson_deviance(y_true, y_pred) (a deviance: 2 x (NLL - its "
        "minimum))",
        alternatives=(
            Alternative("mse", "the targets are not counts or rates"),
            _MSLE_ALT,
            Alternative(
                "tweedie",
                "many exact zeros plus a continuous positive part (claims, rainfall)",
                params={"power": 1.5},
            ),
        ),
        outliers=False,
    ),
    # binary
    Rule(
        "binary",
        ("sigmoid", "softmax"),
        loss="bce",
        why="A sigmoid output is P(y = 1) and binary cross-entropy is its negative log-likelihood: "
        "a proper scoring rule whose gradient stays strong when the model is confidently wrong.",
        labels_expected="0/1 (floats in [0, 1] for soft labels)",
        predictions="probabilities",
        pytorch="torch.nn.BCELoss() on the sigmoid output; better: drop the sigmoid and use "
        "torch.nn.BCEWithLogitsLoss() on the logits (numerically stable, takes pos_weight)",
        keras="keras.losses.BinaryCrossentropy() (from_logits=False, the default)",
        sklearn="sklearn.metrics.log_loss(y_true, p)",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "binary",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="A linear output is a logit (log-odds); binary cross-entropy computed from logits "
        "(log-sigmoid inside the loss) is exact for any value, whereas a sigmoid followed by a "
        "log saturates once |z| exceeds about 17 in float32.",
        labels_expected="0/1 (floats in [0, 1] for soft labels)",
        predictions="logits",
        pytorch="torch.nn.BCEWithLogitsLoss() on the raw outputs (no sigmoid layer; rather than "
        "torch.nn.BCELoss() on a sigmoid)",
        keras="keras.losses.BinaryCrossentropy(from_logits=True)",
        sklearn="sklearn.metrics.log_loss(y_true, scipy.special.expit(z)) (scikit-learn takes "
        "probabilities)",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "binary",
        ("tanh",),
        loss="hinge",
        why="A tanh output is a score in (-1, 1); the hinge loss asks for the right sign with a "
        "margin of 1 against -1/+1 labels, as a linear SVM does, and yields no probabilities.",
        labels_expected="-1/+1 (Keras and scikit-learn also accept 0/1 and map it to -1/+1)",
        predictions="scores",
        pytorch="no built-in binary hinge: torch.clamp(1 - t * s, min=0).mean() with t = 2 * y - 1 "
        "in {-1, +1}; torch.nn.HingeEmbeddingLoss is a different loss (for distances)",
        keras="keras.losses.Hinge() (maps labels to -1/+1 only when every label is 0 or 1)",
        sklearn="sklearn.metrics.hinge_loss(y_true, s)",
        alternatives=(
            Alternative("squared_hinge", "smooth at the margin, harsher on large violations"),
            Alternative(
                "bce",
                "you need probabilities: a linear output (logits) with 0/1 labels",
            ),
        ),
    ),
    # multiclass, probabilities (softmax output)
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="cross_entropy",
        why="A softmax output is a distribution over K mutually exclusive classes and "
        "cross-entropy is its negative log-likelihood (-ln p of the true class). Integer labels "
        "take the sparse form, one-hot rows the categorical form; the value is the same.",
        labels_expected="integer class indices 0..K-1 (sparse) or one-hot rows",
        predictions="probabilities",
        pytorch=_CE_ANY_PT,
        keras="keras.losses.SparseCategoricalCrossentropy() for integer labels, "
        "keras.losses.CategoricalCrossentropy() for one-hot rows (from_logits=False)",
        sklearn="sklearn.metrics.log_loss(y_true, P)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
    ),
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="cross_entropy",
        why="A softmax output is a distribution over K mutually exclusive classes and "
        "cross-entropy is its negative log-likelihood (-ln p of the true class); with integer "
        "labels use the sparse form, no one-hot encoding needed.",
        labels_expected="integer class indices 0..K-1",
        predictions="probabilities",
        pytorch=_CE_SPARSE_PT,
        keras="keras.losses.SparseCategoricalCrossentropy() (from_logits=False)",
        sklearn="sklearn.metrics.log_loss(y, P)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("int",),
    ),
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="cross_entropy",
        why="A softmax output is a distribution over K mutually exclusive classes and "
        "cross-entropy is its negative log-likelihood (-ln p of the true class); with one-hot rows "
        "use the categorical form.",
        labels_expected="one-hot rows, one column per class",
        predictions="probabilities",
        pytorch=_CE_ONEHOT_PT,
        keras="keras.losses.CategoricalCrossentropy() (from_logits=False)",
        sklearn="sklearn.metrics.log_loss(Y.argmax(axis=1), P)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("onehot",),
    ),
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="kl_divergence",
        why="With soft targets (distillation, label distributions) KL divergence measures how far "
        "the predicted distribution is from the target one and is 0 at a perfect match; its "
        "gradient is that of cross-entropy on the same soft targets.",
        labels_expected="probability rows summing to 1 (soft targets)",
        predictions="probabilities",
        pytorch="torch.nn.KLDivLoss(reduction='batchmean')(torch.log(q), t): the input is "
        "log-probabilities, and the default reduction='mean' divides by N x K",
        keras="keras.losses.KLDivergence()",
        sklearn="none: scipy.special.rel_entr(t, q).sum(axis=1).mean()",
        alternatives=(
            Alternative(
                "cross_entropy",
                "the same gradient on soft targets; its value is KL plus the targets' entropy",
            ),
            Alternative(
                "js_divergence",
                "a symmetric divergence bounded by ln 2, to compare distributions in evaluation",
            ),
        ),
        labels=("soft",),
    ),
    # multiclass, logits (raw outputs)
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="cross_entropy",
        why="Raw outputs are logits; cross-entropy with the log-softmax inside the loss is exact "
        "for any logits, and in PyTorch it is the only correct way: CrossEntropyLoss applies the "
        "softmax itself.",
        labels_expected="integer class indices 0..K-1 (sparse) or one-hot rows",
        predictions="logits",
        pytorch=_CE_LOGITS_PT + "; targets are class indices (torch.long) or float one-hot rows",
        keras="keras.losses.SparseCategoricalCrossentropy(from_logits=True) for integer labels, "
        "keras.losses.CategoricalCrossentropy(from_logits=True) for one-hot rows",
        sklearn="sklearn.metrics.log_loss(y_true, scipy.special.softmax(Z, axis=1)) (scikit-learn "
        "takes probabilities)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
    ),
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="cross_entropy",
        why="Raw outputs are logits; cross-entropy with the log-softmax inside the loss is exact "
        "for any logits (PyTorch's CrossEntropyLoss applies the softmax itself); with integer "
        "labels use the sparse form.",
        labels_expected="integer class indices 0..K-1",
        predictions="logits",
        pytorch=_CE_LOGITS_PT + " with integer targets (torch.long, shape (N,))",
        keras="keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        sklearn="sklearn.metrics.log_loss(y, scipy.special.softmax(Z, axis=1))",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("int",),
    ),
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="cross_entropy",
        why="Raw outputs are logits; cross-entropy with the log-softmax inside the loss is exact "
        "for any logits (PyTorch's CrossEntropyLoss applies the softmax itself); with one-hot rows "
        "use the categorical form.",
        labels_expected="one-hot rows, one column per class",
        predictions="logits",
        pytorch=_CE_LOGITS_PT + " with float one-hot targets (N, K) (or y.argmax(1))",
        keras="keras.losses.CategoricalCrossentropy(from_logits=True)",
        sklearn="sklearn.metrics.log_loss(Y.argmax(axis=1), scipy.special.softmax(Z, axis=1))",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("onehot",),
    ),
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="kl_divergence",
        why="With soft targets (distillation, label distributions) KL divergence measures how far "
        "the predicted distribution is from the target one; from logits, take the log-softmax "
        "inside the loss rather than the log of a softmax.",
        labels_expected="probability rows summing to 1 (soft targets)",
        predictions="logits",
        pytorch="torch.nn.KLDivLoss(reduction='batchmean')(F.log_softmax(z, dim=1), t) (the "
        "default reduction='mean' divides by N x K); or CrossEntropyLoss() with probability "
        "targets (same gradient)",
        keras="keras.losses.KLDivergence() on keras.ops.softmax(z); or "
        "CategoricalCrossentropy(from_logits=True) on the soft targets (same gradient)",
        sklearn="none: scipy.special.rel_entr(t, scipy.special.softmax(Z, "
        "axis=1)).sum(axis=1).mean()",
        alternatives=(
            Alternative(
                "cross_entropy",
                "the same gradient on soft targets; its value is KL plus the targets' entropy",
            ),
        ),
        labels=("soft",),
    ),
    # multilabel
    Rule(
        "multilabel",
        ("sigmoid", "softmax"),
        loss="bce",
        why="Each label is its own yes/no question, so each gets a sigmoid and a binary "
        "cross-entropy, averaged over the labels; a row may have any number of positives.",
        labels_expected="multi-hot 0/1 rows, one column per label",
        predictions="probabilities",
        pytorch="torch.nn.BCELoss() on the K sigmoid outputs; better: drop the sigmoid and use "
        "torch.nn.BCEWithLogitsLoss() on the logits (float multi-hot targets (N, K))",
        keras="keras.losses.BinaryCrossentropy() (averages over the labels of a row)",
        sklearn="np.mean([sklearn.metrics.log_loss(Y[:, k], P[:, k]) for k in range(K)])",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "multilabel",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="Each label is its own yes/no question with its own logit; binary cross-entropy from "
        "logits per label, averaged over the labels, is exact for any logit.",
        labels_expected="multi-hot 0/1 rows, one column per label",
        predictions="logits",
        pytorch="torch.nn.BCEWithLogitsLoss() on the K raw outputs (float multi-hot targets (N, "
        "K))",
        keras="keras.losses.BinaryCrossentropy(from_logits=True)",
        sklearn="np.mean([sklearn.metrics.log_loss(Y[:, k], scipy.special.expit(Z[:, k])) for k in "
        "range(K)])",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "multilabel",
        ("tanh",),
        loss="hinge",
        why="Each label is scored on its own in (-1, 1); the hinge loss per label asks for the "
        "right sign with a margin of 1 against -1/+1 labels and yields no probabilities.",
        labels_expected="-1/+1 per label (Keras and scikit-learn also accept 0/1)",
        predictions="scores",
        pytorch="no built-in binary hinge: torch.clamp(1 - T * S, min=0).mean() with T = 2 * Y - "
        "1; torch.nn.HingeEmbeddingLoss is a different loss (for distances)",
        keras="keras.losses.Hinge() (averages over the labels of a row)",
        sklearn="np.mean([sklearn.metrics.hinge_loss(Y[:, k], S[:, k]) for k in range(K)])",
        alternatives=(
            Alternative("bce", "you need probabilities: a linear output (logits) with 0/1 labels"),
        ),
    ),
)

_WEIGHTS_HOW_BINARY = (
    "PyTorch: torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([n_neg / n_pos])); Keras: "
    "model.fit(..., class_weight={0: 1.0, 1: n_neg / n_pos}); scikit-learn: "
    "class_weight='balanced' on the estimator, sample_weight= in log_loss; losscli: "
    "compute --weight COL"
)
_WEIGHTS_HOW_MULTICLASS = (
    "PyTorch: torch.nn.CrossEntropyLoss(weight=class_weights) (the mean divides by the targets' "
    "total weight); Keras: model.fit(..., class_weight={k: w_k}); scikit-learn: "
    "class_weight='balanced', or sample_weight=compute_sample_weight('balanced', y); losscli: "
    "compute --weight COL"
)

HINTS: tuple[Hint, ...] = (
    Hint(
        "imbalanced",
        ("binary", "multilabel"),
        (
            Alternative(
                "focal",
                "positives are rare and easy negatives swamp the loss: (1 - p_t)^gamma "
                "down-weights the rows the model already gets right",
                params={"gamma": 2.0},
                how="PyTorch: torchvision.ops.sigmoid_focal_loss(z, y, alpha=0.25, gamma=2) "
                "(logits); Keras: keras.losses.BinaryFocalCrossentropy(gamma=2.0) (alpha only "
                "with apply_class_balancing=True); scikit-learn: none",
            ),
            Alternative(
                "bce",
                "keep bce and weight the rare class by n_neg / n_pos: often enough, and "
                "simpler than focal",
                how=_WEIGHTS_HOW_BINARY,
            ),
        ),
    ),
    Hint(
        "imbalanced",
        ("multiclass",),
        (
            Alternative(
                "focal",
                "rare classes and many easy rows: (1 - p_t)^gamma down-weights the rows the "
                "model already gets right",
                params={"gamma": 2.0},
                how="PyTorch: no built-in; weight F.cross_entropy(z, y, reduction='none') by "
                "(1 - p_y) ** 2; Keras: keras.losses.CategoricalFocalCrossentropy(gamma=2.0) "
                "(alpha=0.25 by default); scikit-learn: none",
            ),
            Alternative(
                "cross_entropy",
                "keep cross-entropy and weight each class by n / (K n_k)",
                how=_WEIGHTS_HOW_MULTICLASS,
            ),
        ),
    ),
    Hint(
        "imbalanced",
        ("regression",),
        warning="--imbalanced is about rare classes and has no effect for regression (for rare "
        "extreme targets, see --outliers or a quantile loss)",
    ),
    Hint(
        "outliers",
        ("binary", "multilabel"),
        (
            Alternative(
                "bce",
                "some labels are wrong: smoothing keeps the model from chasing them with "
                "extreme confidence",
                params={"label_smoothing": 0.1},
            ),
            Alternative(
                "brier",
                "many labels are wrong: bounded, so a mislabelled row costs at most 1",
            ),
        ),
    ),
    Hint(
        "outliers",
        ("multiclass",),
        (
            _SMOOTH_CE_ALT,
            Alternative(
                "brier",
                "many labels are wrong: bounded, so a mislabelled row costs at most 2",
            ),
        ),
    ),
)

_LOGIT_FIX = "use a linear last layer and a loss with from_logits"

WARNINGS: tuple[Caveat, ...] = (
    Caveat(
        ("binary",),
        ("softmax",),
        "softmax over a single output is always 1, so the model cannot learn: use a sigmoid "
        "output with bce, or two outputs with softmax and cross_entropy (--task multiclass)",
    ),
    Caveat(
        ("multiclass",),
        ("sigmoid",),
        "sigmoid scores each class on its own, so the probabilities do not compete or sum to 1: "
        "for mutually exclusive classes use softmax (or a linear output and from_logits) with "
        "cross_entropy; if a row can have several labels, the task is multilabel (bce per label)",
    ),
    Caveat(
        ("binary", "multilabel"),
        ("tanh",),
        "tanh with 0/1 labels: tanh outputs lie in (-1, 1) and the hinge loss expects -1/+1 "
        "labels; remap them (t = 2y - 1; Keras and scikit-learn do it for you, a hand-written "
        "PyTorch hinge does not) or use a sigmoid output with bce",
        labels=("int", "onehot"),
    ),
    Caveat(
        ("binary", "multilabel"),
        ("tanh",),
        "tanh with soft labels: the hinge loss needs hard -1/+1 labels; use a sigmoid output "
        "with bce, which takes targets in [0, 1]",
        labels=("soft",),
    ),
    Caveat(
        ("binary", "multilabel"),
        ("none", "linear", "sigmoid", "softmax", "relu", "softplus"),
        "bce needs 0/1 labels but these are -1/+1: map them with y = (t + 1) / 2 before training "
        "(losscli compute does it for you), or keep -1/+1 with a tanh output and hinge",
        labels=("pm1",),
    ),
    Caveat(
        ("binary",),
        _ALL,
        "one-hot labels for a binary task are two-class multiclass: keep one 0/1 column "
        "(y[:, 1]) for bce, or use --task multiclass with two softmax outputs and cross_entropy",
        labels=("onehot",),
    ),
    Caveat(
        ("regression",),
        ("sigmoid",),
        "sigmoid for regression bounds predictions to (0, 1), so larger targets are out of reach "
        "and gradients vanish near the ends: use a linear output (keep the sigmoid only if the "
        "targets are scaled into (0, 1))",
    ),
    Caveat(
        ("regression",),
        ("tanh",),
        "tanh for regression bounds predictions to (-1, 1), so larger targets are out of reach "
        "and gradients vanish near the ends: use a linear output (keep the tanh only if the "
        "targets are scaled into (-1, 1))",
    ),
    Caveat(
        ("regression",),
        ("softmax",),
        "softmax for regression makes the outputs positive and sum to 1: use a linear output "
        "(for targets that are proportions summing to 1, treat the task as multiclass with soft "
        "targets and kl_divergence)",
    ),
    Caveat(
        ("regression",),
        _ALL,
        "--labels describes class labels and has no effect for regression: drop it",
        labels=LABELS,
    ),
    Caveat(
        ("binary", "multilabel"),
        ("relu", "softplus"),
        "<activation> before a cross-entropy keeps the logits >= 0, so p = sigmoid(z) never "
        f"falls below 0.5 and the negative class cannot be predicted: {_LOGIT_FIX} "
        "(PyTorch BCEWithLogitsLoss, Keras from_logits=True)",
    ),
    Caveat(
        ("multiclass",),
        ("relu", "softplus"),
        "<activation> before a cross-entropy keeps every logit >= 0 and units stuck at 0 get no "
        f"gradient: {_LOGIT_FIX} (PyTorch CrossEntropyLoss, Keras from_logits=True)",
    ),
    Caveat(
        ("multiclass",),
        ("tanh",),
        "tanh caps the logits at +-1, so softmax can give the true class at most "
        f"e^2 / (e^2 + K - 1) (0.45 for 10 classes): {_LOGIT_FIX}",
    ),
    Caveat(
        ("multilabel",),
        ("softmax",),
        "softmax makes the labels compete and sum to 1, but a multi-label row can have several "
        "positives: use a sigmoid per label (or a linear output and from_logits) with bce",
    ),
)

#: Label encodings that make no sense for a task: an error rather than a warning.
_BAD_LABELS = {"multiclass": ("pm1",)}

#: Column options of the compute template printed when there is no file.
_TEMPLATE_COLUMNS = {
    ("regression", None): "--true y_true --pred y_pred",
    ("binary", None): "--true y_true --pred y_pred",
    ("multiclass", None): "--true label --pred 'p_*'",
    ("multiclass", "onehot"): "--true 'y_*' --pred 'p_*'",
    ("multiclass", "soft"): "--true 'y_*' --pred 'p_*'",
    ("multilabel", None): "--true 'y_*' --pred 'p_*'",
}


# ---------------------------------------------------------------------------------------------
# The answer


@dataclass
class Recommendation:
    """A recommended loss, why, how to write it in each framework, and what else to consider."""

    task: str
    activation: str
    loss: str
    params: dict[str, float]
    why: str
    labels: str
    predictions: str
    frameworks: dict[str, str]
    alternatives: list[Alternative]
    warnings: list[str]
    compute_command: str
    hints: dict[str, Any]
    inferred: dict[str, Any] | None = None
    measurements: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def from_logits(self) -> bool:
        return self.predictions == "logits"

    @property
    def spec(self) -> str:
        """The loss as `--loss` takes it: `huber:delta=81.9`."""
        return loss_spec(self.loss, self.params)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `losscli recommend` (schema_version 1).

        - ``schema_version`` (int, 1); ``task`` (str); ``activation`` (str: as given, or as
          inferred from the data).
        - ``hints``: ``{"outliers": bool, "imbalanced": bool, "labels": str | null,
          "framework": str | null}``; with ``--from``, outliers / imbalanced are true when the
          data showed them.
        - ``loss``: ``{"name": str, "params": {str: number}}`` (a catalogue name; ``losscli
          losses NAME`` describes it); ``spec`` (str): the same as ``--loss`` takes it.
        - ``why`` (str); ``labels`` (str): the label encoding the loss expects;
          ``predictions`` (str): what the loss takes, "values", "probabilities", "logits" or
          "scores"; ``from_logits`` (bool): predictions == "logits".
        - ``frameworks``: ``{"pytorch", "keras", "sklearn"}`` (str each; the one asked for with
          ``--framework`` first).
        - ``alternatives``: ``[{"loss": str, "params": {}, "when": str, "how": str}]``.
        - ``warnings``: [str], each saying what to change.
        - ``inferred``: null, or with ``--from`` ``{"files", "task", "task_inferred",
          "activation", "predictions" ("probabilities", "logits", "scores", "values"),
          "from_logits", "label_layout", "labels", "columns", "classes", "rows_used",
          "rows_dropped", "notes"}``.
        - ``measurements``: null, or what the data showed: regression ``{"rows",
          "top_fraction", "top_share", "top_share_normal", "excess_kurtosis",
          "robust_scale", "huber_delta", "heavy_tails" (bool | null below 50 rows),
          "targets_nonnegative", "targets_integer", "summary"}``; classification
          ``{"rows", "class_shares" or "label_positive_shares", "minority_share",
          "imbalanced", "rows_sum_to_one" (multiclass), "summary"}``.
        - ``compute_command`` (str): the `losscli compute` command that checks the loss.
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "task": self.task,
            "activation": self.activation,
            "hints": dict(self.hints),
            "loss": {"name": self.loss, "params": dict(self.params)},
            "spec": self.spec,
            "why": self.why,
            "labels": self.labels,
            "predictions": self.predictions,
            "from_logits": self.from_logits,
            "frameworks": dict(self.frameworks),
            "alternatives": [a.to_dict() for a in self.alternatives],
            "warnings": list(self.warnings),
            "inferred": self.inferred,
            "measurements": self.measurements,
            "compute_command": self.compute_command,
        }


def loss_spec(name: str, params: Mapping[str, float | None]) -> str:
    """`name` or `name:p=v,q=w` as `--loss` takes it."""
    if not params:
        return name
    inner = ",".join(f"{k}={_number(v)}" for k, v in params.items())
    return f"{name}:{inner}"


def _number(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _choice(value: str | None, valid: Sequence[str], what: str) -> str | None:
    if value is None:
        return None
    key = value.strip().lower()
    if key not in valid:
        raise UsageError(f"unknown {what} '{value}' (valid: {', '.join(valid)})")
    return key


def _required(value: str | None, valid: Sequence[str], what: str) -> str:
    out = _choice(value, valid, what)
    if out is None:
        raise UsageError(f"missing {what} (valid: {', '.join(valid)})")
    return out


def rule_for(
    task: str, activation: str, *, outliers: bool = False, labels: str | None = None
) -> Rule:
    """The most specific rule matching the task, activation and hints."""
    found = [r for r in RULES if r.matches(task, activation, outliers, labels)]
    if not found:
        raise UsageError(f"no rule for task '{task}' with activation '{activation}'")
    return max(found, key=lambda r: r.specificity)


def warnings_for(task: str, activation: str, labels: str | None = None) -> list[str]:
    """The WARNINGS that apply to a combination, in table order."""
    return [c.text(activation) for c in WARNINGS if c.matches(task, activation, labels)]


def recommend(
    task: str,
    activation: str,
    *,
    outliers: bool = False,
    imbalanced: bool = False,
    labels: str | None = None,
    framework: str | None = None,
) -> Recommendation:
    """The loss for a task and last-layer activation, with hints about the data.

    `labels` is int (class indices; 0/1 for binary), onehot, soft or pm1 (-1/+1); `framework`
    (pytorch, keras, sklearn) puts that framework first. Raises UsageError on unknown values.
    """
    task_ = _required(task, TASKS, "task")
    activation_ = _required(activation, ACTIVATIONS, "activation")
    labels_ = _choice(labels, LABELS, "label encoding")
    framework_ = _choice(framework, FRAMEWORKS, "framework")
    return _answer(
        task_,
        activation_,
        outliers=outliers,
        imbalanced=imbalanced,
        labels=labels_,
        framework=framework_,
    )


def _answer(
    task: str,
    activation: str,
    *,
    outliers: bool,
    imbalanced: bool,
    labels: str | None,
    framework: str | None,
    params: Mapping[str, float] | None = None,
    lead: Sequence[Alternative] = (),
    extra_warnings: Sequence[str] = (),
) -> Recommendation:
    if labels in _BAD_LABELS.get(task, ()):
        valid = [x for x in LABELS if x not in _BAD_LABELS[task]]
        raise UsageError(
            f"--labels {labels} does not fit a {task} task (valid: {', '.join(valid)})"
        )
    rule = rule_for(task, activation, outliers=outliers, labels=labels)
    params = dict(params or {})
    frameworks = {
        name: _fill(getattr(rule, name), params) for name in _ordered_frameworks(framework)
    }
    active = {"outliers": outliers, "imbalanced": imbalanced}
    hint_alts: list[Alternative] = []
    warnings: list[str] = []
    for hint in HINTS:
        if active[hint.hint] and task in hint.tasks:
            hint_alts.extend(hint.alternatives)
            if hint.warning:
                warnings.append(hint.warning)
    warnings = [*warnings_for(task, activation, labels), *warnings, *extra_warnings]
    return Recommendation(
        task=task,
        activation=activation,
        loss=rule.loss,
        params=params,
        why=rule.why,
        labels=rule.labels_expected,
        predictions=rule.predictions,
        frameworks=frameworks,
        alternatives=_merge_alternatives(rule, params, [*lead, *hint_alts, *rule.alternatives]),
        warnings=list(dict.fromkeys(warnings)),
        compute_command=_template_command(task, labels, rule),
        hints={
            "outliers": outliers,
            "imbalanced": imbalanced,
            "labels": labels,
            "framework": framework,
        },
    )


def _ordered_frameworks(first: str | None) -> list[str]:
    return [first, *(f for f in FRAMEWORKS if f != first)] if first else list(FRAMEWORKS)


def _fill(text: str, params: Mapping[str, float]) -> str:
    for name, value in params.items():
        text = text.replace(f"<{name}>", _number(value))
    return text


def _merge_alternatives(
    rule: Rule, params: Mapping[str, float], alternatives: Sequence[Alternative]
) -> list[Alternative]:
    """Drop repeats (same loss, parameters and advice on how; the first is kept) and the
    recommendation itself."""
    seen = {(rule.loss, tuple(sorted(params.items())), "")}
    out = []
    for alt in alternatives:
        key = (alt.loss, tuple(sorted(alt.params.items())), alt.how)
        if key not in seen:
            seen.add(key)
            out.append(alt)
    return out


def _template_command(task: str, labels: str | None, rule: Rule) -> str:
    columns = _TEMPLATE_COLUMNS.get((task, labels), _TEMPLATE_COLUMNS[(task, None)])
    if rule.from_logits:
        columns = columns.replace("'p_*'", "'logit_*'")
    command = f"losscli compute preds.csv --loss {rule.loss} {columns}"
    return command + (" --from-logits" if rule.from_logits else "")


# ---------------------------------------------------------------------------------------------
# From data


def _label_code(task: str, layout: str | None, y_true: np.ndarray) -> str:
    """Our label code (int, onehot, soft, pm1) from the reader's description and the values."""
    import numpy as np

    text = (layout or "").lower()
    if "-1" in text:
        return "pm1"
    if "one-hot" in text:
        return "onehot"
    if "soft" in text:
        return "soft"
    if task in ("binary", "multilabel"):
        values = y_true[~np.isnan(y_true)] if y_true.dtype.kind == "f" else y_true
        if np.any(values == -1):
            return "pm1"
        if not np.isin(values, (0, 1)).all():
            return "soft"
    if task == "multiclass" and y_true.ndim == 2:
        hard = np.isin(y_true, (0.0, 1.0)).all()
        return "onehot" if hard else "soft"
    return "int"


def _regression_measurements(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """The tails of the residuals (`losscli.diagnose.residual_tails`) and the targets' kind."""
    import numpy as np

    tails = residual_tails(y_pred - y_true, TOP)
    n = tails.rows
    share, normal, kurtosis = tails.top_share, tails.normal_share, tails.excess_kurtosis
    delta = tails.huber_delta
    heavy = tails.heavy
    nonneg = bool(np.all(y_true >= 0))
    integer = bool(np.all(y_true == np.round(y_true)))
    pct = TOP * 100
    summary = (
        f"the worst {pct:g}% of rows produce {share:.1%} of the squared error "
        f"(normal residuals: {normal:.1%}); excess kurtosis {kurtosis:.2f} (normal: 0)"
    )
    if heavy is None:
        summary += f"; only {n} rows, too few to judge the tails"
    elif heavy:
        delta_note = (
            " (from the mean absolute deviation: most residuals are equal)"
            if tails.delta_from_mean_deviation
            else ""
        )
        summary += f": heavy tails, huber with delta {delta or 0:g} = 1.345 x robust SD{delta_note}"
    else:
        summary += ": no heavy tails"
    return {
        "rows": n,
        "top_fraction": TOP,
        "top_share": share,
        "top_share_normal": normal,
        "excess_kurtosis": kurtosis if math.isfinite(kurtosis) else None,
        "robust_scale": tails.robust_scale,
        "huber_delta": delta,
        "heavy_tails": heavy,
        "targets_nonnegative": nonneg,
        "targets_integer": integer,
        "summary": summary,
    }


def recommend_for_arrays(
    task: str,
    y_true: Any,
    y_pred: Any,
    *,
    from_logits: bool | None = None,
    labels: str | None = None,
    activation: str | None = None,
    outliers: bool = False,
    imbalanced: bool = False,
    framework: str | None = None,
) -> Recommendation:
    """Recommend from the data itself: labels and predictions in the kernels' conventions.

    `from_logits` None infers it (predictions outside [0, 1] are logits or scores); `labels` is
    a label code (int, onehot, soft, pm1) or the reader's description ("-1/+1", "one-hot", ...),
    None to look at the values. `activation` overrides what the predictions look like.

    Regression: the residuals r = y_pred - y_true are diagnosed by
    `losscli.diagnose.residual_tails` (the same diagnosis as `compare`); heavy tails give huber
    with delta = 1.345 x 1.4826 x MAD, else mse. Classification: the rarest class (or label)
    under IMBALANCE_FRACTION of its balanced share adds the class-imbalance alternatives.
    """
    import numpy as np

    task_ = _required(task, TASKS, "task")
    activation_ = _choice(activation, ACTIVATIONS, "activation")
    framework_ = _choice(framework, FRAMEWORKS, "framework")
    y = np.asarray(y_true)
    p = np.asarray(y_pred, dtype=np.float64)
    if y.dtype.kind not in "biuf":
        raise UsageError("recommend_for_arrays needs numeric labels (map class names to indices)")
    if len(y) != len(p):
        raise UsageError(f"y_true has {len(y)} rows but y_pred has {len(p)}")
    if len(y) == 0:
        raise UsageError("no rows to look at")
    wide = task_ in ("multiclass", "multilabel")
    if p.ndim != (2 if wide else 1):
        shape = "(n, K)" if wide else "(n,)"
        raise UsageError(f"{task_} predictions must have shape {shape}, got {p.shape}")
    code = labels if labels in LABELS else _label_code(task_, labels, y)
    inferred: dict[str, Any] = {"labels": code if task_ != "regression" else None}
    lead: list[Alternative] = []
    warnings: list[str] = []
    params: dict[str, float] = {}

    if task_ == "regression":
        y = y.astype(np.float64)
        m = _regression_measurements(y, p)
        act = activation_ or "none"
        outliers = outliers or bool(m["heavy_tails"])
        if outliers and m["huber_delta"]:
            params["delta"] = m["huber_delta"]
        if m["targets_nonnegative"] and m["targets_integer"] and act not in ("softplus",):
            lead.append(
                Alternative(
                    "poisson",
                    "the targets are non-negative integers: if they are counts, a softplus or "
                    "exponential output with the Poisson loss (or a linear log-rate output and "
                    "from_logits) models their variance",
                )
            )
        inferred.update(predictions="values", from_logits=False)
        code_for_rules = None
    else:
        in_unit = bool(np.all((p >= 0) & (p <= 1)))
        if task_ == "multiclass":
            sums_one = bool(p.ndim == 2 and np.all(np.abs(p.sum(axis=1) - 1.0) <= SUM_TOLERANCE))
        else:
            sums_one = False
        logits = not in_unit if from_logits is None else bool(from_logits)
        if activation_ is not None:
            act = activation_
        elif task_ == "multiclass":
            act = "none" if logits else ("softmax" if sums_one else "sigmoid")
        elif logits or not in_unit:
            act = "tanh" if code == "pm1" else "none"
        else:
            act = "sigmoid"
        if from_logits is False and not in_unit:
            warnings.append(
                "the predictions were declared probabilities but some lie outside [0, 1]: "
                "they look like logits or scores (pass --from-logits)"
            )
        if in_unit and not logits:
            kind = "probabilities"
        else:
            kind = "scores" if act == "tanh" or not logits else "logits"
        inferred.update(predictions=kind, from_logits=kind == "logits")
        m = _class_measurements(task_, y, code, p.shape[1] if p.ndim == 2 else 2)
        if task_ == "multiclass":
            m["rows_sum_to_one"] = sums_one if in_unit else None
        imbalanced = imbalanced or m["imbalanced"]
        code_for_rules = code
    inferred["activation"] = act
    rec = _answer(
        task_,
        act,
        outliers=outliers,
        imbalanced=imbalanced,
        labels=code_for_rules,
        framework=framework_,
        params=params,
        lead=lead,
        extra_warnings=warnings,
    )
    rec.inferred = inferred
    rec.measurements = m
    return rec


def _class_measurements(task: str, y: np.ndarray, code: str, k: int) -> dict[str, Any]:
    import numpy as np

    n = len(y)
    if task == "multilabel":
        t = (y == 1).astype(np.float64) if code == "pm1" else y.astype(np.float64)
        positive = t.mean(axis=0)
        minority = float(np.min(np.minimum(positive, 1.0 - positive)))
        imbalanced = minority < IMBALANCE_FRACTION / 2
        return {
            "rows": n,
            "label_positive_shares": [float(x) for x in positive],
            "minority_share": minority,
            "imbalanced": bool(imbalanced),
            "summary": f"the rarer value (0 or 1) of every label is at least {minority:.1%} of the "
            f"rows: {'imbalanced' if imbalanced else 'not imbalanced'} (threshold "
            f"{IMBALANCE_FRACTION / 2:.0%})",
        }
    if task == "binary":
        t = (y == 1).astype(np.float64) if code == "pm1" else y.astype(np.float64)
        shares = np.array([1.0 - t.mean(), t.mean()])
    elif y.ndim == 2:
        shares = y.astype(np.float64).mean(axis=0)
    else:
        shares = np.bincount(y.astype(np.int64), minlength=k) / n
    k = len(shares)
    minority = float(shares.min())
    imbalanced = bool(minority < IMBALANCE_FRACTION / k)
    return {
        "rows": n,
        "class_shares": [float(x) for x in shares],
        "minority_share": minority,
        "imbalanced": imbalanced,
        "summary": f"the rarest class is {minority:.1%} of the rows (balanced: {1 / k:.1%}): "
        f"{'imbalanced' if imbalanced else 'not imbalanced'} "
        f"(threshold {IMBALANCE_FRACTION / k:.1%})",
    }


def recommend_from(
    paths: str | Sequence[str],
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str = "error",
    activation: str | None = None,
    outliers: bool = False,
    imbalanced: bool = False,
    framework: str | None = None,
) -> Recommendation:
    """Read prediction files (the column options of `compute`) and recommend from the data.

    The task, label encoding and kind of predictions are inferred unless given; what was
    inferred is in `inferred` and `notes`, what was measured in `measurements`.
    """
    from losscli.api import load_arrays

    if task is not None:
        _required(task, TASKS, "task")
    files = [paths] if isinstance(paths, str) else list(paths)
    if not files:
        raise UsageError("no input file")
    prepared = load_arrays(
        files if len(files) > 1 else files[0],
        true=true,
        pred=pred,
        weight=weight,
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
        nan=nan,
    )
    logits = True if prepared.from_logits else (False if from_logits is False else None)
    rec = recommend_for_arrays(
        prepared.task,
        prepared.y_true,
        prepared.y_pred,
        from_logits=logits,
        labels=prepared.labels,
        activation=activation,
        outliers=outliers,
        imbalanced=imbalanced,
        framework=framework,
    )
    inferred = dict(rec.inferred or {})
    rec.inferred = {
        "files": list(getattr(prepared, "files", files)),
        "task": prepared.task,
        "task_inferred": prepared.task_inferred,
        "activation": inferred.get("activation"),
        "predictions": inferred.get("predictions"),
        "from_logits": inferred.get("from_logits"),
        "label_layout": prepared.labels,
        "labels": inferred.get("labels") if prepared.task != "regression" else None,
        "columns": prepared.columns,
        "classes": prepared.classes,
        "rows_used": prepared.rows_used,
        "rows_dropped": prepared.rows_dropped,
        "notes": list(prepared.notes),
    }
    rec.notes = list(prepared.notes)
    if rec.inferred["from_logits"] and not prepared.from_logits:
        rec.notes.append(
            "predictions: outside [0, 1], so logits or scores (pass --from-probabilities to "
            "override)"
        )
    rec.compute_command = compute_command(
        files,
        rec,
        true=true,
        pred=pred,
        weight=weight,
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
        nan=nan,
    )
    return rec


def compute_command(
    files: Sequence[str],
    rec: Recommendation,
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str = "error",
) -> str:
    """The `losscli compute` command that evaluates the recommendation on the same input."""
    parts = ["losscli", "compute", *files, "--loss", rec.spec]
    for column in true or ():
        parts += ["--true", column]
    for column in pred or ():
        parts += ["--pred", column]
    if weight:
        parts += ["--weight", weight]
    if task:
        parts += ["--task", task]
    if positive is not None:
        parts += ["--positive", positive]
    data_logits = (rec.inferred or {}).get("from_logits")
    if rec.from_logits and data_logits:
        parts.append("--from-logits")
    elif from_logits is False:
        parts.append("--from-probabilities")
    if input_format:
        parts += ["--input-format", input_format]
    if nan != "error":
        parts += ["--nan", nan]
    return shlex.join(parts)


__all__ = [
    "ACTIVATIONS",
    "FRAMEWORKS",
    "HINTS",
    "LABELS",
    "RULES",
    "TASKS",
    "WARNINGS",
    "Alternative",
    "Caveat",
    "Hint",
    "Recommendation",
    "Rule",
    "compute_command",
    "recommend",
    "recommend_for_arrays",
    "recommend_from",
    "rule_for",
    "warnings_for",
]
