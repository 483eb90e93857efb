"""Parity of every (loss, task) in the registry with an independent reference on random data.

References: scikit-learn where it defines the loss, PyTorch (float64) where it does, plain
numpy/scipy maths otherwise. Each case runs unweighted and with random sample weights
(weighted mean = sum(w l) / sum(w), scikit-learn's convention).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import sklearn.metrics as skm
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

from losscli.losses import CATALOGUE, get_loss

N = 240  # rows
K = 5  # classes
L = 4  # labels (multilabel)
RTOL = 1e-9


# --- data -------------------------------------------------------------------------------------


def _regression(rng):
    y = rng.normal(1.0, 3.0, N)
    return y, y + rng.normal(0.0, 2.0, N)


def _nonzero_targets(rng):
    y = rng.choice([-1.0, 1.0], N) * rng.uniform(0.3, 6.0, N)
    return y, y + rng.normal(0.0, 1.5, N)


def _log1p_domain(rng):
    return rng.uniform(-0.9, 9.0, N), rng.uniform(-0.9, 9.0, N)


def _counts(rng):
    rate = rng.uniform(0.1, 6.0, N)
    return rng.poisson(rate).astype(np.float64), rate * rng.uniform(0.5, 1.5, N)


def _count_logits(rng):
    y, rate = _counts(rng)
    return y, np.log(rate)


def _nonnegative(rng):
    """Targets >= 0 with exact zeros (Tweedie 1 <= p < 2), predictions > 0."""
    y = rng.gamma(2.0, 1.5, N) * (rng.uniform(size=N) > 0.2)
    return y, rng.uniform(0.2, 6.0, N)


def _positive(rng):
    return rng.gamma(2.0, 1.5, N) + 0.05, rng.uniform(0.2, 6.0, N)


def _binary_probs(rng):
    return rng.integers(0, 2, N), rng.uniform(0.01, 0.99, N)


def _binary_logits(rng):
    return rng.integers(0, 2, N), rng.uniform(-6.0, 6.0, N)


def _binary_hard_probs(rng):
    """Probabilities with exact 0 and 1, some of them wrong: only the clip bounds decide."""
    y, p = _binary_probs(rng)
    p[:20] = np.tile([0.0, 1.0], 10)
    return y, p


def _binary_scores(rng):
    return rng.integers(0, 2, N), rng.normal(0.0, 1.5, N)


def _multilabel_probs(rng):
    return rng.integers(0, 2, (N, L)), rng.uniform(0.01, 0.99, (N, L))


def _multilabel_logits(rng):
    return rng.integers(0, 2, (N, L)), rng.uniform(-6.0, 6.0, (N, L))


def _multilabel_scores(rng):
    return rng.integers(0, 2, (N, L)), rng.normal(0.0, 1.5, (N, L))


def _class_logits(rng):
    return rng.integers(0, K, N), rng.uniform(-3.0, 3.0, (N, K))


def _class_probs(rng):
    """Integer labels and softmax probabilities (all well inside [1e-7, 1 - 1e-7])."""
    y, z = _class_logits(rng)
    return y, special.softmax(z, axis=1)


def _onehot_probs(rng):
    y, p = _class_probs(rng)
    return np.eye(K)[y], p


def _soft_logits(rng):
    return rng.dirichlet(np.ones(K), N), rng.uniform(-3.0, 3.0, (N, K))


def _soft_probs(rng):
    """Soft targets with exact zeros (0 ln 0 = 0) and softmax predictions."""
    t, z = _soft_logits(rng)
    t[: N // 3, 0] = 0.0
    t /= t.sum(axis=1, keepdims=True)
    return t, special.softmax(z, axis=1)


# --- reference helpers ------------------------------------------------------------------------


def _avg(rows, w) -> float:
    return float(np.average(rows, weights=w))


def _labels_of(y) -> np.ndarray:
    y = np.asarray(y)
    return y if y.ndim == 1 else np.argmax(y, axis=1)


def _targets(y, k: int = K) -> np.ndarray:
    y = np.asarray(y)
    return np.eye(k)[y] if y.ndim == 1 else y.astype(np.float64)


def _per_column(metric: Callable[..., float]):
    """Multilabel reference: the mean over label columns of a binary metric."""

    def ref(y, x, w):
        return float(
            np.mean([metric(y[:, j], x[:, j], sample_weight=w) for j in range(y.shape[1])])
        )

    return ref


def _sk(metric: Callable[..., float], transform: Callable | None = None, **kw):
    """scikit-learn metric on (y, x), optionally with x transformed first."""

    def ref(y, x, w):
        return float(metric(y, x if transform is None else transform(x), sample_weight=w, **kw))

    return ref


def _t(a, dtype=None):
    import torch

    return torch.as_tensor(np.asarray(a), dtype=dtype or torch.float64)


def _torch(build: Callable[[str], Callable], *args: Callable, finalize=None):
    """Reference from a torch loss module: reduction='mean' unweighted; reduction='none' and a
    weighted mean of the row values (a row of a 2-D elementwise loss is its mean) with weights."""

    def ref(y, x, w):
        tensors = [make(y, x) for make in args]
        if w is None:
            out = float(build("mean")(*tensors).item())
        else:
            rows = build("none")(*tensors).detach().numpy()
            out = _avg(rows.reshape(len(rows), -1).mean(axis=1), w)
        return finalize(out) if finalize else out

    return ref


def _torch_rows(fn: Callable):
    """Reference from per-row torch maths fn(y, x) -> tensor of row values."""

    def ref(y, x, w):
        rows = fn(y, x).detach().numpy()
        return _avg(rows.reshape(len(rows), -1).mean(axis=1), w)

    return ref


def _rows(fn: Callable):
    """Reference from per-row numpy maths fn(y, x) -> row values."""

    def ref(y, x, w):
        return _avg(fn(np.asarray(y), np.asarray(x)), w)

    return ref


def X(y, x):
    """Torch input: the prediction."""
    return _t(x)


def Y(y, x):
    """Torch target: y_true as float64."""
    return _t(y)


def YLONG(y, x):
    """Torch target: class indices."""
    import torch

    return _t(_labels_of(y), dtype=torch.long)


def _torch_hinge(power: int):
    """No built-in binary hinge in torch: clamp(1 - t s, min=0) ** power, t = +-1."""

    def fn(y, s):
        import torch

        return torch.clamp(1 - _t(_hinge_t(y)) * _t(s), min=0) ** power

    return fn


def _torch_module(name: str, **kw):
    def build(reduction):
        import torch

        return getattr(torch.nn, name)(reduction=reduction, **kw)

    return build


def _torchvision_sigmoid_focal(alpha: float, gamma: float):
    """torchvision.ops.sigmoid_focal_loss (reduction='none'), transcribed with torch ops."""

    def fn(y, z):
        import torch
        import torch.nn.functional as F

        inputs, targets = _t(z), _t(y)
        p = torch.sigmoid(inputs)
        ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        if alpha >= 0:
            alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
            loss = alpha_t * loss
        return loss

    return fn


def _keras_categorical_focal(alpha: float, gamma: float, from_logits: bool = False):
    """keras.losses.CategoricalFocalCrossentropy, transcribed in numpy (float64)."""

    def fn(y, x):
        p = special.softmax(x, axis=1) if from_logits else x / x.sum(axis=1, keepdims=True)
        p = np.clip(p, 1e-7, 1 - 1e-7)
        return np.sum(alpha * (1 - p) ** gamma * -_targets(y) * np.log(p), axis=1)

    return fn


def _hinge_t(y):
    return np.where(np.asarray(y) == 1, 1.0, -1.0)


def _squared_hinge_rows(y, s):
    return np.maximum(0.0, 1.0 - _hinge_t(y) * s) ** 2


def _poisson_scipy(y, rate):
    """-ln Poisson(y; rate) without the ln(y!) term."""
    return -stats.poisson.logpmf(y, rate) - special.gammaln(y + 1.0)


def _js_scipy(from_logits: bool = False):
    def fn(y, x):
        q = special.softmax(x, axis=1) if from_logits else x
        return jensenshannon(_targets(y), q, axis=1) ** 2

    return fn


def _kl_scipy(y, q):
    return special.rel_entr(_targets(y), q).sum(axis=1)


def _smoothed(y, x, e=0.1):
    """Keras' binary label smoothing applied to the target tensor."""
    return _t(np.asarray(y) * (1 - e) + e / 2)


# --- the reference table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    source: str
    data: Callable[[np.random.Generator], tuple[Any, Any]]
    ref: Callable[[Any, Any, Any], float]
    kwargs: dict[str, Any] = field(default_factory=dict)
    torch: bool = False


REFERENCES: dict[tuple[str, str], list[Ref]] = {
    ("mse", "regression"): [
        Ref("sklearn.mean_squared_error", _regression, _sk(skm.mean_squared_error)),
        Ref("torch.MSELoss", _regression, _torch(_torch_module("MSELoss"), X, Y), torch=True),
    ],
    ("rmse", "regression"): [
        Ref("sklearn.root_mean_squared_error", _regression, _sk(skm.root_mean_squared_error)),
        Ref(
            "sqrt(torch.MSELoss)",
            _regression,
            _torch(_torch_module("MSELoss"), X, Y, finalize=np.sqrt),
            torch=True,
        ),
    ],
    ("mae", "regression"): [
        Ref("sklearn.mean_absolute_error", _regression, _sk(skm.mean_absolute_error)),
        Ref("torch.L1Loss", _regression, _torch(_torch_module("L1Loss"), X, Y), torch=True),
    ],
    ("huber", "regression"): [
        *(
            Ref(
                f"torch.HuberLoss(delta={d})",
                _regression,
                _torch(_torch_module("HuberLoss", delta=d), X, Y),
                {"delta": d},
                torch=True,
            )
            for d in (1.0, 0.5, 2.5)
        ),
        *(
            Ref(
                f"scipy.special.huber(delta={d})",
                _regression,
                _rows(lambda y, x, d=d: special.huber(d, x - y)),
                {"delta": d},
            )
            for d in (1.0, 0.3)
        ),
    ],
    ("smooth_l1", "regression"): [
        *(
            Ref(
                f"torch.SmoothL1Loss(beta={b})",
                _regression,
                _torch(_torch_module("SmoothL1Loss", beta=b), X, Y),
                {"beta": b},
                torch=True,
            )
            for b in (1.0, 0.5, 2.0, 0.0)
        ),
        Ref(
            "scipy.special.huber(0.7)/0.7",
            _regression,
            _rows(lambda y, x: special.huber(0.7, x - y) / 0.7),
            {"beta": 0.7},
        ),
    ],
    ("log_cosh", "regression"): [
        Ref("numpy log(cosh(e))", _regression, _rows(lambda y, x: np.log(np.cosh(x - y)))),
    ],
    ("mape", "regression"): [
        Ref(
            "sklearn.mean_absolute_percentage_error",
            _nonzero_targets,
            _sk(skm.mean_absolute_percentage_error),
        ),
    ],
    ("msle", "regression"): [
        Ref("sklearn.mean_squared_log_error", _log1p_domain, _sk(skm.mean_squared_log_error)),
    ],
    ("rmsle", "regression"): [
        Ref(
            "sklearn.root_mean_squared_log_error",
            _log1p_domain,
            _sk(skm.root_mean_squared_log_error),
        ),
    ],
    ("quantile", "regression"): [
        Ref(
            f"sklearn.mean_pinball_loss(alpha={a})",
            _regression,
            _sk(skm.mean_pinball_loss, alpha=a),
            {"alpha": a},
        )
        for a in (0.1, 0.5, 0.9)
    ],
    ("poisson", "regression"): [
        Ref(
            "torch.PoissonNLLLoss(log_input=True)",
            _count_logits,
            _torch(_torch_module("PoissonNLLLoss", log_input=True), X, Y),
            {"from_logits": True},
            torch=True,
        ),
        # eps=1e-300 vanishes in float64 (rate + 1e-300 == rate for rates > 1e-284), so the
        # log_input=False path is the exact NLL and rtol 1e-9 holds; the default eps=1e-8
        # would differ by about y * 1e-8 / rate per row.
        Ref(
            "torch.PoissonNLLLoss(log_input=False, eps=1e-300)",
            _counts,
            _torch(_torch_module("PoissonNLLLoss", log_input=False, eps=1e-300), X, Y),
            torch=True,
        ),
        Ref("-scipy.stats.poisson.logpmf - ln y!", _counts, _rows(_poisson_scipy)),
    ],
    ("tweedie", "regression"): [
        Ref(
            f"sklearn.mean_tweedie_deviance(power={p})",
            _positive if p >= 2 else _nonnegative,
            _sk(skm.mean_tweedie_deviance, power=p),
            {"power": p},
        )
        for p in (1.0, 1.2, 1.5, 1.9, 2.0, 3.0)
    ],
    ("bce", "binary"): [
        Ref("sklearn.log_loss", _binary_probs, _sk(skm.log_loss)),
        # sklearn clips at float64 eps; passing that eps makes the clipped rows agree too
        Ref(
            "sklearn.log_loss (exact 0/1, eps=float64 eps)",
            _binary_hard_probs,
            _sk(skm.log_loss),
            {"eps": float(np.finfo(np.float64).eps)},
        ),
        Ref(
            "sklearn.log_loss(sigmoid(z))",
            _binary_logits,
            _sk(skm.log_loss, transform=special.expit),
            {"from_logits": True},
        ),
        Ref("torch.BCELoss", _binary_probs, _torch(_torch_module("BCELoss"), X, Y), torch=True),
        Ref(
            "torch.BCEWithLogitsLoss",
            _binary_logits,
            _torch(_torch_module("BCEWithLogitsLoss"), X, Y),
            {"from_logits": True},
            torch=True,
        ),
        Ref(
            "torch.BCEWithLogitsLoss on y(1-e)+e/2",
            _binary_logits,
            _torch(_torch_module("BCEWithLogitsLoss"), X, _smoothed),
            {"from_logits": True, "label_smoothing": 0.1},
            torch=True,
        ),
        Ref(
            "torch.BCELoss on y(1-e)+e/2",
            _binary_probs,
            _torch(_torch_module("BCELoss"), X, _smoothed),
            {"label_smoothing": 0.1},
            torch=True,
        ),
    ],
    ("bce", "multilabel"): [
        Ref(
            "sklearn.log_loss per label, mean",
            _multilabel_probs,
            _per_column(
                lambda y, p, sample_weight: skm.log_loss(y, p, sample_weight=sample_weight)
            ),
        ),
        Ref(
            "torch.BCEWithLogitsLoss (n, L)",
            _multilabel_logits,
            _torch(_torch_module("BCEWithLogitsLoss"), X, Y),
            {"from_logits": True},
            torch=True,
        ),
        Ref(
            "torch.BCEWithLogitsLoss (n, L) on y(1-e)+e/2",
            _multilabel_logits,
            _torch(_torch_module("BCEWithLogitsLoss"), X, lambda y, x: _smoothed(y, x, 0.2)),
            {"from_logits": True, "label_smoothing": 0.2},
            torch=True,
        ),
    ],
    ("hinge", "binary"): [
        Ref("sklearn.hinge_loss", _binary_scores, _sk(skm.hinge_loss)),
        Ref(
            "torch.clamp(1 - t s, min=0)",
            _binary_scores,
            _torch_rows(_torch_hinge(1)),
            torch=True,
        ),
    ],
    ("hinge", "multilabel"): [
        Ref("sklearn.hinge_loss per label, mean", _multilabel_scores, _per_column(skm.hinge_loss)),
    ],
    ("squared_hinge", "binary"): [
        Ref("numpy max(0, 1 - t s)^2", _binary_scores, _rows(_squared_hinge_rows)),
        Ref(
            "torch.clamp(1 - t s, min=0)^2",
            _binary_scores,
            _torch_rows(_torch_hinge(2)),
            torch=True,
        ),
    ],
    ("squared_hinge", "multilabel"): [
        Ref(
            "numpy max(0, 1 - t s)^2, mean over labels",
            _multilabel_scores,
            _rows(lambda y, s: _squared_hinge_rows(y, s).mean(axis=1)),
        ),
    ],
    ("cross_entropy", "multiclass"): [
        Ref(
            "sklearn.log_loss (integer labels)",
            _class_probs,
            _sk(skm.log_loss, labels=list(range(K))),
        ),
        Ref(
            "sklearn.log_loss (one-hot y_true)",
            _onehot_probs,
            lambda y, p, w: skm.log_loss(_labels_of(y), p, sample_weight=w, labels=list(range(K))),
        ),
        Ref(
            "torch.CrossEntropyLoss (index targets)",
            _class_logits,
            _torch(_torch_module("CrossEntropyLoss"), X, YLONG),
            {"from_logits": True},
            torch=True,
        ),
        Ref(
            "torch.CrossEntropyLoss (probability targets)",
            _soft_logits,
            _torch(_torch_module("CrossEntropyLoss"), X, Y),
            {"from_logits": True},
            torch=True,
        ),
        Ref(
            "torch.CrossEntropyLoss(label_smoothing=0.1) (index targets)",
            _class_logits,
            _torch(_torch_module("CrossEntropyLoss", label_smoothing=0.1), X, YLONG),
            {"from_logits": True, "label_smoothing": 0.1},
            torch=True,
        ),
        Ref(
            "torch.CrossEntropyLoss(label_smoothing=0.25) (probability targets)",
            _soft_logits,
            _torch(_torch_module("CrossEntropyLoss", label_smoothing=0.25), X, Y),
            {"from_logits": True, "label_smoothing": 0.25},
            torch=True,
        ),
        Ref(
            "torch.NLLLoss(log P)",
            _class_probs,
            _torch(_torch_module("NLLLoss"), lambda y, p: _t(np.log(p)), YLONG),
            torch=True,
        ),
        # log P is already log-softmax-normalised, so CrossEntropyLoss(log P) smooths the
        # probability path
        Ref(
            "torch.CrossEntropyLoss(log P, label_smoothing=0.1)",
            _class_probs,
            _torch(
                _torch_module("CrossEntropyLoss", label_smoothing=0.1),
                lambda y, p: _t(np.log(p)),
                YLONG,
            ),
            {"label_smoothing": 0.1},
            torch=True,
        ),
    ],
    ("kl_divergence", "multiclass"): [
        Ref(
            "torch.KLDivLoss(reduction='batchmean')(log_softmax(z), t)",
            _soft_logits,
            lambda y, z, w: _kl_torch_batchmean(y, z, w),
            {"from_logits": True},
            torch=True,
        ),
        Ref("scipy.special.rel_entr (soft targets)", _soft_probs, _rows(_kl_scipy)),
        Ref("scipy.special.rel_entr (integer labels)", _class_probs, _rows(_kl_scipy)),
    ],
    ("js_divergence", "multiclass"): [
        Ref("scipy jensenshannon^2 (soft targets)", _soft_probs, _rows(_js_scipy())),
        Ref("scipy jensenshannon^2 (integer labels)", _class_probs, _rows(_js_scipy())),
        Ref(
            "scipy jensenshannon^2 (softmax of logits)",
            _soft_logits,
            _rows(_js_scipy(from_logits=True)),
            {"from_logits": True},
        ),
    ],
    ("categorical_hinge", "multiclass"): [
        Ref(
            "sklearn.hinge_loss Crammer-Singer (integer labels)",
            _class_logits,
            _sk(skm.hinge_loss, labels=list(range(K))),
        ),
        Ref(
            "sklearn.hinge_loss Crammer-Singer (one-hot y_true)",
            lambda rng: (np.eye(K)[_class_logits(rng)[0]], rng.normal(0, 1.0, (N, K))),
            lambda y, s, w: skm.hinge_loss(
                _labels_of(y), s, sample_weight=w, labels=list(range(K))
            ),
        ),
    ],
    ("focal", "binary"): [
        *(
            Ref(
                f"torchvision sigmoid_focal_loss(alpha={a}, gamma={g})",
                data,
                _torch_rows(
                    lambda y, x, a=a, g=g, lg=logits: _torchvision_sigmoid_focal(a, g)(
                        y, x if lg else special.logit(x)
                    )
                ),
                {"gamma": g, "alpha": None if a < 0 else a, "from_logits": logits},
                torch=True,
            )
            for a, g in ((0.25, 2.0), (-1, 2.0), (0.6, 0.5))
            for data, logits in ((_binary_logits, True), (_binary_probs, False))
        ),
        Ref(
            "sklearn.log_loss (gamma=0)",
            _binary_probs,
            _sk(skm.log_loss),
            {"gamma": 0.0},
        ),
    ],
    ("focal", "multilabel"): [
        Ref(
            "torchvision sigmoid_focal_loss (n, L), mean",
            _multilabel_logits,
            _torch_rows(_torchvision_sigmoid_focal(0.25, 2.0)),
            {"gamma": 2.0, "alpha": 0.25, "from_logits": True},
            torch=True,
        ),
        Ref(
            "sklearn.log_loss per label (gamma=0)",
            _multilabel_probs,
            _per_column(
                lambda y, p, sample_weight: skm.log_loss(y, p, sample_weight=sample_weight)
            ),
            {"gamma": 0.0},
        ),
    ],
    ("focal", "multiclass"): [
        Ref(
            "keras CategoricalFocalCrossentropy(alpha=0.25, gamma=2) in numpy",
            _class_probs,
            _rows(_keras_categorical_focal(0.25, 2.0)),
            {"alpha": 0.25, "gamma": 2.0},
        ),
        Ref(
            "categorical focal (soft targets, alpha=1, gamma=1.5) in numpy",
            _soft_probs,
            _rows(_keras_categorical_focal(1.0, 1.5)),
            {"alpha": None, "gamma": 1.5},
        ),
        Ref(
            "categorical focal on softmax(z) in numpy",
            _class_logits,
            _rows(_keras_categorical_focal(0.5, 3.0, from_logits=True)),
            {"alpha": 0.5, "gamma": 3.0, "from_logits": True},
        ),
        Ref(
            "sklearn.log_loss (gamma=0)",
            _class_probs,
            _sk(skm.log_loss, labels=list(range(K))),
            {"gamma": 0.0},
        ),
    ],
    ("brier", "binary"): [
        Ref("sklearn.brier_score_loss", _binary_probs, _sk(skm.brier_score_loss)),
        Ref(
            "sklearn.brier_score_loss(sigmoid(z))",
            _binary_logits,
            _sk(skm.brier_score_loss, transform=special.expit),
            {"from_logits": True},
        ),
    ],
    ("brier", "multilabel"): [
        Ref(
            "sklearn.brier_score_loss per label, mean",
            _multilabel_probs,
            _per_column(skm.brier_score_loss),
        ),
        Ref(
            "sklearn.brier_score_loss(sigmoid(z)) per label, mean",
            _multilabel_logits,
            _per_column(
                lambda y, z, sample_weight: skm.brier_score_loss(
                    y, special.expit(z), sample_weight=sample_weight
                )
            ),
            {"from_logits": True},
        ),
    ],
    ("brier", "multiclass"): [
        # scale_by_half='auto' (the default): the multiclass score is not halved
        Ref(
            "sklearn.brier_score_loss(labels=..., scale_by_half='auto')",
            _class_probs,
            _sk(skm.brier_score_loss, labels=list(range(K)), scale_by_half="auto"),
        ),
        Ref(
            "sklearn.brier_score_loss(softmax(z))",
            _class_logits,
            _sk(
                skm.brier_score_loss,
                transform=lambda z: special.softmax(z, axis=1),
                labels=list(range(K)),
            ),
            {"from_logits": True},
        ),
    ],
}


def _kl_torch_batchmean(t, z, w):
    import torch
    import torch.nn.functional as F

    log_q = F.log_softmax(_t(z), dim=1)
    if w is None:
        return float(torch.nn.KLDivLoss(reduction="batchmean")(log_q, _t(t)).item())
    rows = torch.nn.KLDivLoss(reduction="none")(log_q, _t(t)).sum(dim=1).numpy()
    return _avg(rows, w)


CASES = [
    pytest.param(name, task, ref, id=f"{name}-{task}-{ref.source}")
    for (name, task), refs in REFERENCES.items()
    for ref in refs
]


def _registry_pairs() -> set[tuple[str, str]]:
    return {(name, task) for name, loss in CATALOGUE.items() for task in loss.tasks}


def test_every_loss_has_a_reference():
    missing = _registry_pairs() - REFERENCES.keys()
    assert not missing, f"no parity reference for {sorted(missing)}"
    assert not REFERENCES.keys() - _registry_pairs(), "reference for a (loss, task) not registered"
    assert all(REFERENCES.values())


def test_every_logit_path_has_a_reference():
    pairs = {(n, t) for n, t in _registry_pairs() if CATALOGUE[n].accepts_logits}
    covered = {
        key for key, refs in REFERENCES.items() if any(r.kwargs.get("from_logits") for r in refs)
    }
    assert not pairs - covered, f"logit path without parity: {sorted(pairs - covered)}"


def test_every_parameter_is_varied():
    for (name, _task), refs in REFERENCES.items():
        for param in CATALOGUE[name].params:
            values = {r.kwargs.get(param.name, param.default) for r in refs}
            assert len(values) > 1, f"{name}: {param.name} never varied"


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(("name", "task", "ref"), CASES)
def test_parity(name: str, task: str, ref: Ref, weighted: bool):
    if ref.torch:
        pytest.importorskip("torch")
    rng = np.random.default_rng(zlib.crc32(f"{name}/{task}/{ref.source}".encode()))
    y_true, y_pred = ref.data(rng)
    w = None
    if weighted:
        w = rng.uniform(0.0, 3.0, len(y_true))
        w[::7] = 0.0
    ours = get_loss(name).value(y_true, y_pred, task=task, sample_weight=w, **ref.kwargs)
    expected = ref.ref(y_true, y_pred, w)
    assert np.isfinite(expected)
    np.testing.assert_allclose(ours, expected, rtol=RTOL, atol=0)
