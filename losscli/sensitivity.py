"""`losscli compare`: how much would a few bad rows move each loss?

For every compared loss (each catalogue loss that fits the task and the data, or `--loss ...`):

- value: the (weighted) mean of the per-row losses, finalised (square root for rmse, rmsle),
  exactly as `losscli compute` reports it.
- top share: the share of the total loss, sum(w l), produced by the `top` fraction (at least one
  row) of rows with the largest w l, for this loss's own per-row values.
- inflation: value(all rows) / value(without those same rows).
- contamination ratio: value after / value before a seeded contamination of `contamination` x n'
  rows (at least one), both on the trimmed data: the data without its worst `top` rows, one set
  for all losses (regression: largest |residual|; classification: largest per-row cross-entropy),
  so that outliers already present do not mask the effect. Regression: the chosen predictions get
  a gross error of +-`magnitude` x s, s = MAD x 1.4826 of the trimmed residuals (random sign;
  upward where a downward error would leave a compared loss's domain). Binary and multi-label:
  the chosen rows' labels flip, y -> 1 - y (every label of the row). Multi-class: the label moves to another class, chosen
  at random (soft or one-hot targets are shifted along the classes).

The figures are taken on the loss minus its value at a perfect prediction, l(y, y_hat) - l(y, y),
which is 0 for every loss except poisson, whose minimum y - y ln y is not 0; the value column
keeps the loss as computed. The ranking is by contamination ratio, most sensitive first, ties
broken by top share, then catalogue order. Everything random comes from
`np.random.default_rng(seed)`.

The verdict's statistics are unweighted. Regression (r = y_pred - y_true): heavy tails when the worst `top` rows hold
more of the squared error than normal residuals plausibly would, share > min((2 + 1/k) S(q),
(1 + S(q)) / 2) with k = ceil(top n), q = k / n and S(q) = 2 (z phi(z) + q / 2), z = Phi^-1(1 - q/2)
the share under normality (S = 0.084 and threshold 0.17 for 1% of a large data set), or when
the excess kurtosis exceeds 2; not judged below 50 rows (`losscli.diagnose`, the diagnosis
`recommend --from` shares). Classification: confident mistakes when more rows (cells, for
multi-label) give the true label a probability below 0.01 than the model's own probabilities
expect: observed O > E + 3 sqrt(E) + 1 and O >= 3, E = sum of the predicted probabilities below
0.01 (the expected count if the labels were drawn from the predictions).
"""

from __future__ import annotations

import dataclasses
import math
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from losscli.diagnose import (
    CONFIDENT,
    HUBER_K,
    p_true,
    probability_quality,
    residual_tails,
    robust_scale,
    top_share,
    worst_rows,
)
from losscli.errors import InputError, UsageError
from losscli.losses import CATALOGUE, EPS, TASKS, LossSpec, resolve_loss, resolve_losses
from losscli.losses._math import sigmoid, softmax

SCHEMA_VERSION = 1

#: Fewest rows compare accepts: with fewer, "the worst 1%" and a 5% contamination mean little.
MIN_ROWS = 10
#: The share of the synthetic regression data set's rows that carry gross errors.
SYNTHETIC_OUTLIERS = 0.01
#: The share of the synthetic classification data set's labels that are flipped.
SYNTHETIC_NOISE = 0.03


@dataclass(frozen=True)
class LossFigures:
    """The sensitivity figures of one compared loss."""

    rank: int
    spec: LossSpec
    value: float
    top_share: float
    inflation: float
    contamination_ratio: float

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def growth(self) -> str:
        return self.spec.loss.growth

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "loss": self.spec.name,
            "label": self.label,
            "params": dict(self.spec.params),
            "growth": self.growth,
            "value": _finite(self.value),
            "top_share": _finite(self.top_share),
            "inflation": _finite(self.inflation),
            "contamination_ratio": _finite(self.contamination_ratio),
        }


@dataclass(frozen=True)
class Verdict:
    """One line on the data, the loss it suggests and the `losscli compute` command to check it."""

    summary: str
    heavy_tails: bool
    suggested: LossSpec
    alternatives: tuple[LossSpec, ...]
    evidence: dict[str, Any]
    compute_command: str = ""

    @property
    def text(self) -> str:
        """The summary, then the command: '...; try: losscli compute FILE --loss ...'."""
        return (
            f"{self.summary}; try: {self.compute_command}" if self.compute_command else self.summary
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "heavy_tails": self.heavy_tails,
            "suggested": _spec_dict(self.suggested),
            "alternatives": [_spec_dict(s) for s in self.alternatives],
            "compute_command": self.compute_command,
            "evidence": {k: _finite(v) for k, v in self.evidence.items()},
        }


@dataclass
class Comparison:
    """The result of `compare`: ranked figures, skipped losses, the verdict and the set-up."""

    task: str
    source: str | list[str]
    description: str
    rows: int
    weighted: bool
    from_logits: bool
    seed: int
    top: float
    contamination: float
    magnitude: float
    robust_scale: float | None
    trimmed_rows: int
    contaminated_rows: int
    figures: list[LossFigures]
    skipped: list[tuple[str, str]]
    verdict: Verdict
    notes: list[str] = field(default_factory=list)
    columns: dict[str, list[str]] | None = None
    #: Regression: the residuals y_pred - y_true; classification: the probability of the true
    #: label (per row; per cell for multi-label). For the plot.
    residuals: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    #: Median target (regression), where losses that depend on y as well as on the error are drawn.
    typical_target: float | None = None

    @property
    def synthetic(self) -> bool:
        return self.source == "synthetic"

    def to_dict(self) -> dict[str, Any]:
        """Plain data, the JSON of `losscli compare --json` (schema_version 1)::

            {"schema_version": 1, "task": str,
             "data": {"source": "synthetic" | [file, ...], "description": str,
                      "columns": {role: [column, ...]} | null, "rows": int, "weighted": bool,
                      "from_logits": bool, "seed": int, "top": float, "contamination": float,
                      "magnitude": float, "robust_scale": float | null (classification),
                      "trimmed_rows": int, "contaminated_rows": int},
             "ranking": [{"rank": int (1 = most sensitive), "loss": str, "label": str,
                          "params": {name: value}, "growth": str, "value": float,
                          "top_share": float, "inflation": float | null,
                          "contamination_ratio": float | null}, ...],
             "skipped": [{"loss": str, "reason": str}, ...],
             "verdict": {"text": str, "heavy_tails": bool,
                         "suggested": {"loss": str, "label": str, "params": {...}},
                         "alternatives": [{"loss", "label", "params"}, ...],
                         "compute_command": str, "evidence": {name: number | null}}}

        Non-finite numbers (an inflation or ratio over a zero loss) are null.
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "task": self.task,
            "data": {
                "source": self.source,
                "description": self.description,
                "columns": self.columns,
                "rows": self.rows,
                "weighted": self.weighted,
                "from_logits": self.from_logits,
                "seed": self.seed,
                "top": self.top,
                "contamination": self.contamination,
                "magnitude": self.magnitude,
                "robust_scale": _finite(self.robust_scale),
                "trimmed_rows": self.trimmed_rows,
                "contaminated_rows": self.contaminated_rows,
            },
            "ranking": [f.to_dict() for f in self.figures],
            "skipped": [{"loss": name, "reason": reason} for name, reason in self.skipped],
            "verdict": self.verdict.to_dict(),
        }


def _finite(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(x) else None
    return x


def _spec_dict(spec: LossSpec) -> dict[str, Any]:
    return {"loss": spec.name, "label": spec.label, "params": dict(spec.params)}


# ---------------------------------------------------------------------------------------------
# Option checks


def check_options(top: float, contamination: float, magnitude: float, seed: int | None = 0) -> None:
    """Raise UsageError unless 0 < top <= 0.5, 0 < contamination <= 0.5, magnitude > 0, seed >= 0."""
    for name, value in (("top", top), ("contamination", contamination)):
        if not (0.0 < value <= 0.5):
            raise UsageError(
                f"--{name} must be a fraction in (0, 0.5], such as 0.01 or 1%, got {value:g}"
            )
    if not (magnitude > 0.0 and math.isfinite(magnitude)):
        raise UsageError(f"--magnitude must be a positive number of robust SDs, got {magnitude:g}")
    if seed is not None and seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {seed}")


# ---------------------------------------------------------------------------------------------
# Synthetic data


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


def _synthetic_description(task: str, n: int) -> str:
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
    return f"synthetic {task} data, {n:,} rows: {what}"


# ---------------------------------------------------------------------------------------------
# The comparison on arrays


def compare_arrays(
    task: str,
    y_true: Any,
    y_pred: Any,
    *,
    weight: Any = None,
    losses: Sequence[str | LossSpec] | None = None,
    from_logits: bool = False,
    top: float = 0.01,
    contamination: float = 0.05,
    magnitude: float = 10.0,
    seed: int = 0,
    eps: float = EPS,
    signed_labels: bool = False,
) -> Comparison:
    """Rank losses by outlier sensitivity on arrays in the kernels' conventions.

    `losses` are specs ('huber:delta=2') or LossSpecs; None compares every catalogue loss that
    fits the task and the data (the others are listed in `skipped` with the reason).
    `signed_labels` says that binary labels came as -1/+1 (a margin model: the hinge losses fit).
    """
    check_options(top, contamination, magnitude, seed)
    if task not in TASKS:
        raise UsageError(f"unknown task '{task}' (valid: {', '.join(TASKS)})")
    if task == "regression" and from_logits:
        raise UsageError(
            "compare takes regression predictions on the target's scale; drop --from-logits"
        )
    y, pred, w = _check_arrays(task, y_true, y_pred, weight)
    n = len(y)
    if task in ("binary", "multilabel") and np.isin(y, (-1.0, 1.0)).all() and (y == -1).any():
        y = (y + 1.0) / 2.0
        signed_labels = True

    specs, skipped = _candidates(task, y, pred, losses, from_logits, signed_labels)
    if not specs:
        raise InputError(
            "no loss to compare: " + "; ".join(f"{name}: {why}" for name, why in skipped)
        )

    # one trimmed data set for every loss: without the worst `top` rows
    as_logits = from_logits or _outside_unit(task, pred)
    score = _reference_score(task, y, pred, as_logits, eps)
    worst = worst_rows(score, top)
    keep = np.flatnonzero(~worst)
    rng = np.random.default_rng(seed)
    m = min(keep.size, max(1, round(contamination * keep.size)))
    chosen = np.sort(rng.choice(keep, m, replace=False))

    scale = None
    if task == "regression":
        scale = _scale((pred - y)[keep])
        signs = rng.choice(np.array([-1.0, 1.0]), m)
        y_c = y[chosen]
        pred_c = _shift(y_c, pred[chosen], signs * magnitude * scale, specs)
    else:
        y_c = _flip(task, y[chosen], rng, pred.shape[1] if pred.ndim == 2 else 2)
        pred_c = pred[chosen]

    figures = []
    for spec in specs:
        fl = from_logits and spec.loss.accepts_logits
        kw = {"task": task, "from_logits": fl, "eps": eps, "check": False, **spec.params}
        with np.errstate(all="ignore"):
            per_row = spec.loss.per_row(y, pred, **kw)
            floor = _floor(task, spec, y, kw)
            after_rows = spec.loss.per_row(y_c, pred_c, **kw) - (
                floor[chosen] if floor is not None else 0.0
            )
        excess = per_row if floor is None else per_row - floor
        figures.append(_figures(spec, per_row, excess, w, worst, chosen, after_rows, top=top))
    ranked = sorted(
        enumerate(figures),
        key=lambda item: (
            -_sortable(item[1].contamination_ratio),
            -_sortable(item[1].top_share),
            item[0],
        ),
    )
    figures = [
        LossFigures(rank + 1, f.spec, f.value, f.top_share, f.inflation, f.contamination_ratio)
        for rank, (_, f) in enumerate(ranked)
    ]
    if task == "regression":
        verdict = _regression_verdict(pred - y, top)
        typical = float(np.median(y))
        shown = pred - y
    else:
        verdict = _classification_verdict(task, y, pred, as_logits, score, top)
        typical = None
        shown = p_true(task, y, pred, as_logits)
    result = Comparison(
        task=task,
        source="arrays",
        description=f"{task} data, {n:,} rows",
        rows=n,
        weighted=w is not None,
        from_logits=from_logits,
        seed=seed,
        top=top,
        contamination=contamination,
        magnitude=magnitude,
        robust_scale=scale,
        trimmed_rows=int(worst.sum()),
        contaminated_rows=m,
        figures=figures,
        skipped=skipped,
        verdict=verdict,
        residuals=np.ravel(shown),
        typical_target=typical,
    )
    _finish_verdict(result, None, {})
    return result


def _check_arrays(
    task: str, y_true: Any, y_pred: Any, weight: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    pred = np.asarray(y_pred, dtype=np.float64)
    y = np.asarray(y_true)
    if task == "multiclass" and y.ndim == 1:
        if not np.issubdtype(y.dtype, np.integer):
            as_int = y.astype(np.int64)
            if not np.array_equal(as_int, y):
                raise InputError("multiclass labels must be integer class indices 0..K-1")
            y = as_int
    else:
        y = y.astype(np.float64)
    if len(y) != len(pred):
        raise InputError(f"y_true has {len(y)} rows but y_pred has {len(pred)}")
    if len(y) < MIN_ROWS:
        raise InputError(f"compare needs at least {MIN_ROWS} rows, got {len(y)}")
    if task == "multiclass" and pred.ndim != 2:
        raise InputError("multiclass predictions need one column per class")
    if task == "multiclass" and y.ndim == 1 and (y.min() < 0 or y.max() >= pred.shape[1]):
        raise InputError(f"multiclass labels must lie in 0..{pred.shape[1] - 1}")
    if task == "regression" and (y.ndim != 1 or pred.ndim != 1):
        raise InputError("regression compare takes one target and one prediction column")
    for name, values in (("y_true", y), ("y_pred", pred)):
        if np.issubdtype(values.dtype, np.floating) and not np.isfinite(values).all():
            row = int(np.argmax(~np.isfinite(values).reshape(len(values), -1).all(axis=1)))
            raise InputError("missing or infinite value", column=name, row=row + 1)
    w = None
    if weight is not None:
        w = np.asarray(weight, dtype=np.float64)
        if w.shape != (len(y),):
            raise InputError(f"weight has shape {w.shape}, expected ({len(y)},)")
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise InputError("weights must be finite, non-negative and not all zero")
    return y, pred, w


def _outside_unit(task: str, pred: np.ndarray) -> bool:
    """Predictions that cannot be probabilities (scores or logits)."""
    return task != "regression" and bool((pred < 0).any() or (pred > 1).any())


def _candidates(
    task: str,
    y: np.ndarray,
    pred: np.ndarray,
    losses: Sequence[str | LossSpec] | None,
    from_logits: bool,
    signed_labels: bool,
) -> tuple[list[LossSpec], list[tuple[str, str]]]:
    """The losses to compare and, for the default set, the ones left out with the reason."""
    if losses is not None:
        if all(isinstance(s, str) for s in losses):
            specs = resolve_losses([str(s) for s in losses], task)
        else:
            specs = [s if isinstance(s, LossSpec) else resolve_loss(s, task) for s in losses]
        if not specs:
            raise UsageError("--loss names no loss")
        for spec in specs:
            spec.loss.kernel(task)
            fl = from_logits and spec.loss.accepts_logits
            spec.loss.check_domain(y, pred, from_logits=fl, **spec.params)
        return specs, []
    specs, skipped = [], []
    scores = from_logits or signed_labels or _outside_unit(task, pred)
    hard = task == "multiclass" and (
        y.ndim == 1 or bool(np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1))
    )
    for loss in CATALOGUE.for_task(task):
        if loss.prediction == "score" and not scores:
            skipped.append((loss.name, "wants decision scores; the predictions are probabilities"))
            continue
        if loss.prediction == "probability" and not from_logits and _outside_unit(task, pred):
            skipped.append(
                (loss.name, "wants probabilities in [0, 1] (pass --from-logits for logits)")
            )
            continue
        if loss.name == "kl_divergence" and hard:
            skipped.append((loss.name, "equals cross_entropy for one hard label per row"))
            continue
        spec = resolve_loss(loss.name, task)
        try:
            loss.check_domain(
                y, pred, from_logits=from_logits and loss.accepts_logits, **spec.params
            )
        except InputError as exc:
            skipped.append((loss.name, str(exc)))
            continue
        specs.append(spec)
    return specs, skipped


def _reference_score(
    task: str, y: np.ndarray, pred: np.ndarray, as_logits: bool, eps: float
) -> np.ndarray:
    """What "worst rows" means for every loss at once: |residual| or the row's cross-entropy."""
    if task == "regression":
        return np.abs(pred - y)
    name = "cross_entropy" if task == "multiclass" else "bce"
    with np.errstate(all="ignore"):
        return CATALOGUE[name].per_row(
            y, pred, task=task, from_logits=as_logits, eps=eps, check=False
        )


def _scale(residuals: np.ndarray) -> float:
    """MAD x 1.4826; the standard deviation when MAD is 0 (most residuals equal); else 1."""
    s = robust_scale(residuals)
    if not (math.isfinite(s) and s > 0):
        s = float(np.std(residuals))
    return s if math.isfinite(s) and s > 0 else 1.0


def _shift(
    y: np.ndarray, pred: np.ndarray, errors: np.ndarray, specs: list[LossSpec]
) -> np.ndarray:
    """pred + errors, with the error upward where downward would leave a loss's domain."""
    out = pred + errors
    bad = np.zeros(len(out), dtype=bool)
    for spec in specs:
        if spec.loss.domain is None:
            continue
        for mask, role, _ in spec.loss.domain(y, out, from_logits=False, **spec.params):
            if role == "y_pred":
                bad |= np.asarray(mask, dtype=bool)
    out[bad] = pred[bad] + np.abs(errors[bad])
    return out


def _flip(task: str, y: np.ndarray, rng: np.random.Generator, k: int) -> np.ndarray:
    """Label noise: y -> 1 - y (binary, multi-label), or another class (multi-class)."""
    if task != "multiclass":
        return 1.0 - y
    shift = rng.integers(1, k, len(y))
    if y.ndim == 1:
        return (y + shift) % k
    cols = (np.arange(k)[None, :] - shift[:, None]) % k
    return np.take_along_axis(y, cols, axis=1)


def _floor(task: str, spec: LossSpec, y: np.ndarray, kw: dict[str, Any]) -> np.ndarray | None:
    """l(y, y): the loss at a perfect prediction, where it is not 0 (regression only)."""
    if task != "regression":
        return None
    floor = np.nan_to_num(spec.loss.per_row(y, y, **kw), nan=0.0, posinf=0.0, neginf=0.0)
    return floor if np.any(floor != 0) else None


def _mean(values: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:
        return float(values.mean()) if values.size else math.nan
    total = float(w.sum())
    return float(np.dot(w, values) / total) if total > 0 else math.nan


def _ratio(a: float, b: float) -> float:
    if b == 0:
        return 1.0 if a == 0 else math.inf
    return a / b


def _figures(
    spec: LossSpec,
    per_row: np.ndarray,
    excess: np.ndarray,
    w: np.ndarray | None,
    worst: np.ndarray,
    chosen: np.ndarray,
    after_rows: np.ndarray,
    *,
    top: float,
) -> LossFigures:
    finalize = spec.loss.finalize or float

    def value(values: np.ndarray, weights: np.ndarray | None) -> float:
        mean = _mean(values, weights)
        return float(finalize(mean)) if math.isfinite(mean) and mean >= 0 else mean

    contribution = excess if w is None else w * excess
    own_worst = worst_rows(contribution, top)
    keep = ~own_worst
    inflation = _ratio(value(excess, w), value(excess[keep], None if w is None else w[keep]))

    # contamination: only the chosen rows change, so the sums are updated rather than recomputed
    trim = ~worst
    w_trim = np.ones(int(trim.sum())) if w is None else w[trim]
    w_chosen = np.ones(chosen.size) if w is None else w[chosen]
    total = float(w_trim.sum())
    before_sum = float(np.dot(w_trim, excess[trim]))
    after_sum = (
        before_sum - float(np.dot(w_chosen, excess[chosen])) + float(np.dot(w_chosen, after_rows))
    )
    before = finalize(before_sum / total) if before_sum >= 0 else before_sum / total
    after = finalize(after_sum / total) if after_sum >= 0 else after_sum / total
    return LossFigures(
        rank=0,
        spec=spec,
        value=value(per_row, w),
        top_share=top_share(contribution, top),
        inflation=inflation,
        contamination_ratio=_ratio(float(after), float(before)),
    )


def _sortable(x: float) -> float:
    return -math.inf if math.isnan(x) else x


# ---------------------------------------------------------------------------------------------
# Verdicts


def _pct(x: float) -> str:
    """0.431 -> '43%', 0.01 -> '1%', 0.058 -> '5.8%'."""
    v = 100.0 * x
    return f"{v:.0f}%" if v >= 10 else f"{v:.2g}%"


def _sig(x: float) -> float:
    """Three significant digits."""
    return float(f"{x:.3g}")


def _regression_verdict(residuals: np.ndarray, top: float) -> Verdict:
    """Word the diagnosis of `losscli.diagnose.residual_tails` (shared with recommend --from)."""
    tails = residual_tails(residuals, top)
    share, kurt, threshold = tails.top_share, tails.excess_kurtosis, tails.threshold
    # all residuals equal: no scale to measure, so Huber's constant on a unit scale
    delta = tails.huber_delta or HUBER_K
    beyond_1 = tails.share_beyond_1
    heavy = bool(tails.heavy)
    huber = resolve_loss(f"huber:delta={delta:g}", "regression")
    huber = LossSpec(huber.loss, huber.params, f"huber(delta={delta:g})")
    mae = resolve_loss("mae", "regression")
    mse = resolve_loss("mse", "regression")
    what = f"the worst {_pct(top)} of rows produce {_pct(share)} of the squared error"
    if heavy:
        why = what if tails.by_share else f"excess kurtosis {kurt:.1f}; {what}"
        text = f"heavy tails: {why}; huber(delta={delta:g}) or mae are steadier than mse"
        if beyond_1 > 0.5:
            text += f" (huber's default delta=1 is below {_pct(beyond_1)} of |residuals|)"
        suggested, alternatives = huber, (mae,)
    else:
        if tails.judged:
            text = f"no heavy tails: {what}, as normal residuals would; mse is fine"
        else:
            text = f"no heavy tails judged: only {tails.rows} rows; {what}; mse is the default"
        suggested, alternatives = mse, ()
        if beyond_1 > 0.5:
            text += (
                f"; huber(delta=1) acts like mae here ({_pct(beyond_1)} of |residuals| exceed 1), "
                f"so use huber(delta={delta:g}) if you want huber"
            )
            alternatives = (huber,)
    evidence = {
        "top_share_squared_error": share,
        "threshold": threshold,
        "excess_kurtosis": kurt,
        "kurtosis_limit": tails.kurtosis_limit,
        "robust_scale": tails.robust_scale,
        "huber_delta": delta,
        "share_beyond_1": beyond_1,
    }
    return Verdict(text, heavy, suggested, alternatives, evidence)


def _classification_verdict(
    task: str, y: np.ndarray, pred: np.ndarray, as_logits: bool, score: np.ndarray, top: float
) -> Verdict:
    share = top_share(score, top)
    quality = probability_quality(task, y, pred, as_logits=as_logits)
    observed, expected, heavy = quality.observed, quality.expected, quality.excess
    log_loss = resolve_loss("cross_entropy" if task == "multiclass" else "bce", task)
    brier = resolve_loss("brier", task)
    unit = "labels" if task == "multilabel" else "rows"
    what = f"the worst {_pct(top)} of rows produce {_pct(share)} of the log loss"
    said = f"{observed:,} {unit} give the true label p < {CONFIDENT:g}"
    if heavy:
        text = (
            f"confident mistakes: {what}; {said} where the predictions' own probabilities "
            f"expect {expected:.1f} (label noise or overconfidence); brier, bounded, is steadier "
            f"than {log_loss.name}: check those rows' labels"
        )
        suggested, alternatives = brier, (log_loss,)
    else:
        text = (
            f"no excess of confident mistakes: {said}, no more than the predictions' own "
            f"probabilities expect ({expected:.1f}); {what}; {log_loss.name} is fine"
        )
        suggested, alternatives = log_loss, ()
    evidence = {
        "top_share_log_loss": share,
        "confident_mistakes": observed,
        "expected_confident_mistakes": expected,
        "confidence": CONFIDENT,
    }
    return Verdict(text, heavy, suggested, alternatives, evidence)


# ---------------------------------------------------------------------------------------------
# Files or synthetic data


def compare(
    paths: str | os.PathLike | Sequence[str | os.PathLike] | Any = None,
    *,
    task: str | None = None,
    losses: Sequence[str | LossSpec] | None = None,
    top: float = 0.01,
    contamination: float = 0.05,
    magnitude: float = 10.0,
    seed: int = 0,
    rows: int = 2000,
    eps: float = EPS,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str = "error",
) -> Comparison:
    """Rank losses by outlier sensitivity on prediction files, or on seeded synthetic data.

    With no paths, `synthetic(task or 'regression', rows, seed)` is compared; otherwise the files
    (or a DataFrame / Arrow table) are read with `losscli.api.load_arrays` and the column options.
    """
    check_options(top, contamination, magnitude, seed)
    options = {
        "true": list(true) if true else None,
        "pred": list(pred) if pred else None,
        "weight": weight,
        "positive": positive,
        "from_logits": from_logits,
        "input_format": input_format,
        "nan": nan,
    }
    if paths is None or (_is_paths(paths) and not paths):
        given = [f"--{k.replace('_', '-')}" for k, v in options.items() if v and k != "nan"]
        if given:
            verb = "needs" if len(given) == 1 else "need"
            raise UsageError(
                f"{', '.join(given)} {verb} a FILE; without one, compare uses synthetic data"
            )
        task = task or "regression"
        y, p, logits = synthetic(task, rows, seed)
        result = compare_arrays(
            task,
            y,
            p,
            losses=losses,
            from_logits=logits,
            top=top,
            contamination=contamination,
            magnitude=magnitude,
            seed=seed,
            eps=eps,
        )
        result.source = "synthetic"
        result.description = _synthetic_description(task, rows)
        _finish_verdict(result, None, {})
        return result

    from losscli.api import load_arrays

    data: Any = [os.fspath(p) for p in paths] if _is_paths(paths) else paths
    if isinstance(paths, str | os.PathLike):
        data = [os.fspath(paths)]
    prepared = load_arrays(data, task=task, **options)
    result = compare_arrays(
        prepared.task,
        prepared.y_true,
        prepared.y_pred,
        weight=prepared.weight,
        losses=losses,
        from_logits=bool(prepared.from_logits),
        top=top,
        contamination=contamination,
        magnitude=magnitude,
        seed=seed,
        eps=eps,
        signed_labels=prepared.labels == "-1/+1",
    )
    files = [str(f) for f in prepared.files]
    result.source = files
    result.columns = {
        role: [cols] if isinstance(cols, str) else list(cols)
        for role, cols in prepared.columns.items()
        if cols
    }
    result.notes = list(prepared.notes)
    details = [f"{result.rows:,} rows"]
    if prepared.rows_dropped:
        details.append(f"{prepared.rows_dropped:,} dropped")
    details.append(prepared.task)
    if prepared.task != "regression" and prepared.labels:
        details.append(f"labels {prepared.labels}")
    if prepared.from_logits:
        details.append("logits")
    if result.weighted:
        details.append("weighted")
    result.description = f"{', '.join(files)}: {', '.join(details)}"
    command_options = {
        "task": task,
        "true": options["true"],
        "pred": options["pred"],
        "weight": weight,
        "positive": positive,
        "from_logits": from_logits,
        "input_format": input_format,
        "nan": nan if nan != "error" else None,
    }
    given = [os.fspath(p) for p in data] if _is_paths(data) else files
    _finish_verdict(result, given, command_options)
    return result


def _is_paths(data: Any) -> bool:
    return isinstance(data, list | tuple) and all(isinstance(p, str | os.PathLike) for p in data)


def compute_command(
    paths: Sequence[str] | None, options: dict[str, Any], specs: Sequence[LossSpec]
) -> str:
    """The `losscli compute` command that checks the suggested losses on the same data."""
    words = ["losscli", "compute", *(paths or ["FILE"])]
    for key, value in options.items():
        flag = f"--{key.replace('_', '-')}"
        if value is None or (value is False and key != "from_logits"):
            continue
        if key == "from_logits":
            words.append("--from-logits" if value else "--from-probabilities")
        elif isinstance(value, list):
            for item in value:
                words += [flag, item]
        else:
            words += [flag, str(value)]
    words += ["--loss", ",".join(_spec_text(s) for s in specs)]
    return " ".join(shlex.quote(w) if w != "FILE" else w for w in words)


def _spec_text(spec: LossSpec) -> str:
    explicit = spec.explicit_params()
    if not explicit:
        return spec.name
    return spec.name + ":" + ",".join(f"{k}={_param(v)}" for k, v in explicit.items())


def _param(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _finish_verdict(result: Comparison, paths: list[str] | None, options: dict[str, Any]) -> None:
    """Add the compute command to the verdict (it names the files and column options)."""
    v = result.verdict
    command = compute_command(paths, options, [v.suggested, *v.alternatives])
    result.verdict = dataclasses.replace(v, compute_command=command)


__all__ = [
    "Comparison",
    "LossFigures",
    "Verdict",
    "compare",
    "compare_arrays",
    "compute_command",
    "synthetic",
]
