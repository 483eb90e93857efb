"""The figures of one compared loss: value, top share, inflation and contamination ratio.

The contamination (gross errors for regression, flipped labels for classification) and the
ranking are here; the module docstring of `losscli.sensitivity.study` gives the definitions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from losscli.diagnose import SCALE_PARAMS, robust_scale, top_share, worst_rows
from losscli.losses import LossSpec
from losscli.sensitivity.model import LossFigures


def contaminate(
    task: str,
    y: np.ndarray,
    pred: np.ndarray,
    worst: np.ndarray,
    rng: np.random.Generator,
    contamination: float,
    magnitude: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, float | None]:
    """(chosen rows, their contaminated y, the gross errors to add to their predictions, robust
    scale); errors and scale are None for classification (its labels flip instead).

    The draws depend only on the data and the seed, never on the losses compared, so every loss
    sees the same contamination; `contaminated_predictions` fits it to one loss's domain."""
    keep = np.flatnonzero(~worst)
    m = min(keep.size, max(1, round(contamination * keep.size)))
    chosen = np.sort(rng.choice(keep, m, replace=False))
    if task != "regression":
        y_c = flip(task, y[chosen], rng, pred.shape[1] if pred.ndim == 2 else 2)
        return chosen, y_c, None, None
    scale = _scale((pred - y)[keep])
    signs = rng.choice(np.array([-1.0, 1.0]), m)
    with np.errstate(over="ignore"):  # an overflowing --magnitude is refused by the study
        errors = signs * magnitude * scale
    return chosen, y[chosen], errors, scale


def contaminated_predictions(
    spec: LossSpec, y_c: np.ndarray, pred: np.ndarray, errors: np.ndarray | None
) -> np.ndarray:
    """The chosen rows' predictions as `spec` sees them: pred + errors, each error turned upward
    only where a downward one would leave this loss's own domain (msle, poisson: pred >= 0)."""
    return pred if errors is None else _shift(y_c, pred, errors, [spec])


def ranked_figures(
    task: str,
    specs: list[LossSpec],
    y: np.ndarray,
    pred: np.ndarray,
    w: np.ndarray | None,
    worst: np.ndarray,
    chosen: np.ndarray,
    y_c: np.ndarray,
    errors: np.ndarray | None,
    *,
    from_logits: bool,
    eps: float,
    top: float,
) -> list[LossFigures]:
    """Each loss's figures, ranked by contamination ratio, then top share, then catalogue order."""
    figures = []
    for spec in specs:
        fl = from_logits and spec.loss.accepts_logits
        kw: dict[str, Any] = {
            "task": task,
            "from_logits": fl,
            "eps": eps,
            "check": False,
            **spec.params,
        }
        pred_c = contaminated_predictions(spec, y_c, pred[chosen], errors)
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
    return [
        LossFigures(rank + 1, f.spec, f.value, f.top_share, f.inflation, f.contamination_ratio)
        for rank, (_, f) in enumerate(ranked)
    ]


def scale_explanations(specs: list[LossSpec], scale: float | None, magnitude: float) -> list[str]:
    """Where each Huber-like loss's scale parameter sits against the injected errors of
    `magnitude` robust SDs (`scale` each): why huber with a large delta ranks with mse."""
    if scale is None:
        return []
    out = []
    for spec in specs:
        param = SCALE_PARAMS.get(spec.name)
        value = spec.params.get(param) if param else None
        if not value:
            continue
        sds = value / scale
        where = f"{spec.label}: {param}={value:g} is {sds:.3g} robust SD"
        if sds >= magnitude:
            out.append(
                f"{where}, beyond the ±{magnitude:g} SD errors: quadratic over all of them, so it "
                "is as sensitive as mse here"
            )
        else:
            out.append(
                f"{where}: quadratic up to it, linear beyond, so the ±{magnitude:g} SD errors "
                "grow it linearly"
            )
    return out


def beyond_magnitude(
    residuals: np.ndarray, magnitude: float, robust: float | None = None
) -> np.ndarray:
    """Rows whose |residual| already exceeds the injected gross error, `magnitude` robust SDs:
    outliers as large as the contamination, which would mask its effect (and make a loss's
    ratio depend on how heavy the data's own tails are rather than on the loss). `robust` is
    the residuals' robust SD when the caller has it."""
    return np.asarray(np.abs(residuals) > magnitude * _scale(residuals, robust))


def _scale(residuals: np.ndarray, robust: float | None = None) -> float:
    """MAD x 1.4826 (`robust`, if given); the standard deviation when MAD is 0 (most residuals
    equal); else 1."""
    s = robust_scale(residuals) if robust is None else robust
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


def flip(task: str, y: np.ndarray, rng: np.random.Generator, k: int) -> np.ndarray:
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


def _kept_sums(values: np.ndarray, w: np.ndarray | None, drop: np.ndarray) -> tuple[float, float]:
    """(sum of weights, weighted sum of values) over the rows not in the mask `drop`, summed in
    place (`where=`): no copy of the kept rows, and no subtraction that could cancel."""
    keep = ~drop
    if w is None:
        return float(np.count_nonzero(keep)), float(np.sum(values, where=keep))
    return float(np.sum(w, where=keep)), float(np.sum(w * values, where=keep))


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

    def value_without(values: np.ndarray, weights: np.ndarray | None, drop: np.ndarray) -> float:
        total, weighted = _kept_sums(values, weights, drop)
        mean = weighted / total if total > 0 else math.nan
        return float(finalize(mean)) if math.isfinite(mean) and mean >= 0 else mean

    contribution = excess if w is None else w * excess
    own_worst = worst_rows(contribution, top)
    inflation = _ratio(value(excess, w), value_without(excess, w, own_worst))

    # contamination: only the chosen rows change, so the sums are updated rather than recomputed;
    # sums over the trimmed rows are summed in place (no copies)
    total, before_sum = _kept_sums(excess, w, worst)
    w_chosen = np.ones(chosen.size) if w is None else w[chosen]
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


__all__ = ["contaminate", "flip", "ranked_figures"]
