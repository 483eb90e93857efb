"""`losscli compare`: how much would a few bad rows move each loss?

For every compared loss (each catalogue loss that fits the task and the data, or `--loss ...`):

- value: the (weighted) mean of the per-row losses, finalised (square root for rmse, rmsle),
  exactly as `losscli compute` reports it.
- top share: the share of the total loss, sum(w l), produced by the `top` fraction (at least one
  row) of rows with the largest w l, for this loss's own per-row values.
- inflation: value(all rows) / value(without those same rows).
- contamination ratio: value after / value before a seeded contamination of `contamination` x n'
  rows (at least one), both on the trimmed data: the data without its worst `top` rows, one set
  for all losses (regression: largest |residual|, and every row whose |residual| already exceeds
  the injected `magnitude` robust SDs; classification: largest per-row cross-entropy), so that
  outliers already present do not mask the effect. Regression: the chosen predictions get
  a gross error of +-`magnitude` x s, s = MAD x 1.4826 of the trimmed residuals (random sign;
  turned upward, for that loss only, where a downward error would leave its domain). The rows,
  signs and flips depend on the data and the seed only, never on which losses are compared. Binary and multi-label:
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

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from losscli.diagnose import ProbabilityReport, p_true, residual_tails, worst_rows
from losscli.errors import InputError, LosscliError, UsageError
from losscli.losses import (
    CATALOGUE,
    EPS,
    TASKS,
    LossSpec,
    resolve_loss,
    resolve_losses,
    split_specs,
)
from losscli.sampling import SAMPLE_ROWS, SampleInfo, group_of, standard_error
from losscli.sensitivity.figures import (
    beyond_magnitude,
    contaminate,
    ranked_figures,
    scale_explanations,
)
from losscli.sensitivity.model import MAX_ROWS, MIN_ROWS, Comparison, LossFigures, Verdict
from losscli.sensitivity.synthetic import describe, synthetic
from losscli.sensitivity.verdict import (
    classification_verdict,
    command_to_check_verdict,
    regression_verdict,
)
from losscli.sensitivity.whole import Whole
from losscli.text import plural


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


#: The smallest sample: each of the subsamples behind the standard errors keeps 100 rows.
MIN_SAMPLE_ROWS = 1000


def check_sample_rows(sample_rows: int) -> None:
    """Raise UsageError unless `sample_rows` is 0 (every row) or at least MIN_SAMPLE_ROWS."""
    if sample_rows != 0 and sample_rows < MIN_SAMPLE_ROWS:
        raise UsageError(
            f"--sample-rows must be 0 (study every row) or at least {MIN_SAMPLE_ROWS:,}, "
            f"got {sample_rows:,}"
        )


@dataclass(frozen=True)
class Origin:
    """Where the arrays came from: what the result and its compute command say about them.

    `description` None is "{task} data, {n} rows"; `paths` None writes FILE in the command.
    """

    source: str | list[str] = "arrays"
    description: str | None = None
    columns: dict[str, list[str]] | None = None
    notes: tuple[str, ...] = ()
    paths: list[str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Row i of the arrays is row i + 1 of `source` (one file, no row dropped, no sample):
    #: otherwise an error on the arrays names no row.
    exact_rows: bool = True


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
    return _study(
        task,
        y_true,
        y_pred,
        weight=weight,
        losses=losses,
        from_logits=from_logits,
        top=top,
        contamination=contamination,
        magnitude=magnitude,
        seed=seed,
        eps=eps,
        signed_labels=signed_labels,
        origin=Origin(),
    )


def check_overflow(y: np.ndarray, pred: np.ndarray, origin: Origin) -> None:
    """Refuse residuals whose squares overflow float64: every figure would be inf or nan."""
    with np.errstate(over="ignore", invalid="ignore"):
        squares = (pred - y) ** 2
        total = float(np.sum(squares))
    if not math.isfinite(total):
        bad = np.flatnonzero(~np.isfinite(squares))
        source = origin.source if isinstance(origin.source, str) else ", ".join(origin.source)
        raise InputError(
            "squared residuals overflow float64 (values near 1e154 or beyond)",
            file=None if source == "arrays" else source,
            row=int(bad[0]) + 1 if bad.size and origin.exact_rows else None,
            hint="rescale the targets and predictions",
        )


def _study(
    task: str,
    y_true: Any,
    y_pred: Any,
    *,
    weight: Any,
    losses: Sequence[str | LossSpec] | None,
    from_logits: bool,
    top: float,
    contamination: float,
    magnitude: float,
    seed: int,
    eps: float,
    signed_labels: bool,
    origin: Origin,
    whole: Whole | None = None,
    sample: SampleInfo | None = None,
    keys: np.ndarray | None = None,
) -> Comparison:
    """The study (module docstring) on checked arrays; the result is built once, here.

    One straight sequence: check, choose the losses, trim and contaminate, figures, verdict.
    With `sample` the arrays are a seeded sample of a larger input whose exact sums are in
    `whole`: the values come from those sums, the other figures from the sample, each with its
    standard error from the subsamples `keys` define (`losscli.sampling`).

    Long because the Comparison is built here once, with every field.
    """
    check_options(top, contamination, magnitude, seed)
    y, pred, w, signed = _checked(task, y_true, y_pred, weight, from_logits)
    if task == "regression":
        check_overflow(y, pred, origin)
    signed_labels = signed_labels or signed
    n = len(y)

    specs, skipped = _candidates(
        task, y, pred, losses, from_logits, signed_labels, whole, origin.exact_rows
    )
    if not specs:
        raise InputError(
            "no loss to compare: " + "; ".join(f"{name}: {why}" for name, why in skipped)
        )
    outside = whole.outside_unit if whole is not None else _outside_unit(task, pred)
    as_logits = from_logits or outside
    command = partial(command_to_check_verdict, origin.paths, origin.options)
    study = partial(
        _core,
        task,
        specs,
        as_logits=as_logits,
        from_logits=from_logits,
        top=top,
        contamination=contamination,
        magnitude=magnitude,
        seed=seed,
        eps=eps,
        command=command,
    )
    core = study(y, pred, w, quality=whole.quality(as_logits) if whole is not None else None)
    figures, verdict = core.figures, core.verdict
    rows = n
    if whole is not None and sample is not None and keys is not None:
        figures, verdict = _with_precision(core, whole, sample, keys, study, y, pred, w)
        rows = whole.rows
    description = origin.description or f"{task} data, {plural(rows, 'row')}"
    if sample is not None:
        description += f"; figures but the value on {sample.describe()}, ± one standard error"
    return Comparison(
        task=task,
        source=origin.source,
        description=description,
        rows=rows,
        weighted=w is not None,
        from_logits=from_logits,
        seed=seed,
        top=top,
        contamination=contamination,
        magnitude=magnitude,
        robust_scale=core.scale,
        trimmed_rows=int(core.worst.sum()),
        gross_rows=int(core.gross.sum()),
        explanations=scale_explanations([f.spec for f in figures], core.scale, magnitude),
        contaminated_rows=int(core.chosen.size),
        figures=figures,
        skipped=skipped,
        verdict=verdict,
        notes=list(origin.notes),
        columns=origin.columns,
        residuals=np.ravel(pred - y if task == "regression" else p_true(task, y, pred, as_logits)),
        typical_target=float(np.median(y)) if task == "regression" else None,
        sample=sample,
    )


@dataclass(frozen=True)
class _Core:
    """The study's figures and verdict on one set of rows, and how those rows were split."""

    figures: list[LossFigures]
    verdict: Verdict
    worst: np.ndarray
    gross: np.ndarray
    chosen: np.ndarray
    scale: float | None


def _core(
    task: str,
    specs: list[LossSpec],
    y: np.ndarray,
    pred: np.ndarray,
    w: np.ndarray | None,
    *,
    as_logits: bool,
    from_logits: bool,
    top: float,
    contamination: float,
    magnitude: float,
    seed: int,
    eps: float,
    command: Any,
    quality: ProbabilityReport | None = None,
) -> _Core:
    """Trim, contaminate, take each loss's figures and the verdict on the rows given
    (`quality`: the confident mistakes of every row, when the rows are a sample)."""
    n = len(y)
    # one trimmed data set for every loss: without the worst `top` rows
    score = _reference_score(task, y, pred, as_logits, eps)
    worst = worst_rows(score, top)
    gross = np.zeros(n, dtype=bool)
    tails = None
    if task == "regression":
        # rows already as far off as the injected errors would mask them (and make each loss's
        # ratio measure the data's tails instead of the loss)
        residuals = pred - y
        tails = residual_tails(residuals, top)
        gross = beyond_magnitude(residuals, magnitude, tails.robust_scale) & ~worst
        worst = worst | gross
    if worst.all():
        raise UsageError(
            f"every row is among the worst --top rows or already beyond --magnitude "
            f"{magnitude:g} robust SDs: no row is left to contaminate",
            hint="give a larger --magnitude (the default is 10) or a smaller --top",
        )
    rng = np.random.default_rng(seed)
    chosen, y_c, errors, scale = contaminate(task, y, pred, worst, rng, contamination, magnitude)
    if errors is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            wild = not np.isfinite(np.square(pred[chosen] + errors - y_c)).all()
        if wild:
            raise UsageError(
                f"--magnitude {magnitude:g} robust SDs ({scale:g} each) makes squared errors "
                "overflow float64",
                hint="give a smaller --magnitude, such as the default 10",
            )
    figures = ranked_figures(
        task,
        specs,
        y,
        pred,
        w,
        worst,
        chosen,
        y_c,
        errors,
        from_logits=from_logits,
        eps=eps,
        top=top,
    )
    if task == "regression":
        verdict = regression_verdict(residuals, top, command, tails)
    else:
        verdict = classification_verdict(task, y, pred, as_logits, score, top, command, quality)
    return _Core(figures, verdict, worst, gross, chosen, scale)


#: The figures of a loss taken on the sample, whose standard errors are reported.
SAMPLED_FIGURES = ("top_share", "inflation", "contamination_ratio")
#: The verdict's evidence taken on the sample, with a standard error (the confident-mistake
#: counts of classification come from every row: `Whole.quality`).
SAMPLED_EVIDENCE = (
    "top_share_squared_error",
    "excess_kurtosis",
    "robust_scale",
    "huber_delta",
    "share_beyond_1",
    "top_share_log_loss",
)


def _with_precision(
    core: _Core,
    whole: Whole,
    sample: SampleInfo,
    keys: np.ndarray,
    study: Any,
    y: np.ndarray,
    pred: np.ndarray,
    w: np.ndarray | None,
) -> tuple[list[LossFigures], Verdict]:
    """The sample's figures with the exact values (`whole`) and each figure's standard error
    from the subsamples (`losscli.sampling.standard_error`)."""
    group = group_of(keys, sample.groups)
    cores: list[_Core | None] = []
    for g in range(sample.groups):
        rows = group == g
        try:
            cores.append(study(y[rows], pred[rows], None if w is None else w[rows]))
        except LosscliError:
            cores.append(None)  # a subsample the study refuses: no standard error
    figures = []
    for f in core.figures:
        per_group = [
            {x.label: x for x in c.figures}.get(f.label) if c is not None else None for c in cores
        ]
        se = {
            name: standard_error(
                [getattr(x, name) if x is not None else None for x in per_group], sample
            )
            for name in SAMPLED_FIGURES
        }
        figures.append(replace(f, value=whole.value(f.spec), se=se))
    v = core.verdict
    evidence_se = {
        name: standard_error(
            [c.verdict.evidence.get(name) if c is not None else None for c in cores], sample
        )
        for name in SAMPLED_EVIDENCE
        if name in v.evidence
    }
    return figures, replace(v, evidence_se=evidence_se)


def _checked(
    task: str, y_true: Any, y_pred: Any, weight: Any, from_logits: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
    """(y, pred, weight, signed): checked arrays, -1/+1 binary labels mapped to 0/1."""
    if task not in TASKS:
        raise UsageError(f"unknown task '{task}' (valid: {', '.join(TASKS)})")
    if task == "regression" and from_logits:
        raise UsageError(
            "compare takes regression predictions on the target's scale; drop --from-logits"
        )
    y, pred, w = _check_arrays(task, y_true, y_pred, weight)
    if task in ("binary", "multilabel") and np.isin(y, (-1.0, 1.0)).all() and (y == -1).any():
        return (y + 1.0) / 2.0, pred, w, True
    return y, pred, w, False


def _check_arrays(
    task: str, y_true: Any, y_pred: Any, weight: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    from losscli.columns import NonFinite, check_arrays

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
    w = None if weight is None else np.asarray(weight, dtype=np.float64)
    check_arrays(y, pred, w, task=task, nonfinite=NonFinite.ANY)
    if len(y) < MIN_ROWS:
        raise InputError(f"compare needs at least {plural(MIN_ROWS, 'row')}, got {len(y):,}")
    if task == "multiclass" and y.ndim == 1 and (y.min() < 0 or y.max() >= pred.shape[1]):
        raise InputError(f"multiclass labels must lie in 0..{pred.shape[1] - 1}")
    if task == "regression" and y.ndim != 1:
        raise InputError("regression compare takes one target and one prediction column")
    if w is not None and w.sum() <= 0:
        raise InputError("weights must be finite, non-negative and not all zero")
    return y, pred, w


def _outside_unit(task: str, pred: np.ndarray) -> bool:
    """Predictions that cannot be probabilities (scores or logits)."""
    return task != "regression" and bool((pred < 0).any() or (pred > 1).any())


def _asked_specs(losses: Sequence[str | LossSpec], task: str) -> list[LossSpec]:
    """The losses the user named, resolved for the task."""
    if all(isinstance(s, str) for s in losses):
        specs = resolve_losses([str(s) for s in losses], task)
    else:
        specs = [s if isinstance(s, LossSpec) else resolve_loss(s, task) for s in losses]
    if not specs:
        raise UsageError("--loss names no loss")
    return specs


def _candidates(
    task: str,
    y: np.ndarray,
    pred: np.ndarray,
    losses: Sequence[str | LossSpec] | None,
    from_logits: bool,
    signed_labels: bool,
    whole: Whole | None = None,
    exact_rows: bool = True,
) -> tuple[list[LossSpec], list[tuple[str, str]]]:
    """The losses to compare and, for the default set, the ones left out with the reason.

    With `whole` (a sampled input), what every row shows comes from its sums: the rows checked
    against each loss's domain, predictions outside [0, 1], hard labels. Without
    `exact_rows` a reason names no row (the arrays' rows are not the file's)."""
    if losses is not None:
        specs = whole.specs if whole is not None else _asked_specs(losses, task)
        for spec in specs:
            spec.loss.kernel(task)
            fl = from_logits and spec.loss.accepts_logits
            if whole is None:
                spec.loss.check_domain(y, pred, from_logits=fl, **spec.params)
        return specs, []
    specs, skipped = [], []
    outside = whole.outside_unit if whole is not None else _outside_unit(task, pred)
    scores = from_logits or signed_labels or outside
    if whole is not None:
        hard = task == "multiclass" and whole.hard
    else:
        hard = task == "multiclass" and (
            y.ndim == 1 or bool(np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1))
        )
    for loss in CATALOGUE.for_task(task):
        if loss.prediction == "score" and not scores:
            skipped.append((loss.name, "wants decision scores; the predictions are probabilities"))
            continue
        if loss.prediction == "probability" and not from_logits and outside:
            skipped.append(
                (loss.name, "wants probabilities in [0, 1] (pass --from-logits for logits)")
            )
            continue
        if loss.name == "kl_divergence" and hard:
            skipped.append((loss.name, "equals cross_entropy for one hard label per row"))
            continue
        spec = resolve_loss(loss.name, task)
        if whole is not None:
            if loss.name in whole.domain_errors:
                skipped.append((loss.name, whole.domain_errors[loss.name]))
                continue
        else:
            try:
                loss.check_domain(
                    y, pred, from_logits=from_logits and loss.accepts_logits, **spec.params
                )
            except InputError as exc:
                exc.row = exc.row if exact_rows else None
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
    classes: str | Sequence[str] | None = None,
    delimiter: str | None = None,
    sample_rows: int = SAMPLE_ROWS,
) -> Comparison:
    """Rank losses by outlier sensitivity on prediction files, or on seeded synthetic data.

    With no paths, `synthetic(task or 'regression', rows, seed)` is compared; otherwise the files
    (or a DataFrame / Arrow table) are read with `losscli.pipeline.load_arrays` and the column options.
    An input of more than `sample_rows` rows (0: no limit) is studied on a seeded sample of that
    many rows: the values stay exact, the other figures carry standard errors.

    Long only for its keyword options, one per CLI option.
    """
    check_options(top, contamination, magnitude, seed)
    check_sample_rows(sample_rows)
    if not MIN_ROWS <= rows <= MAX_ROWS:
        raise UsageError(f"--rows must be between {MIN_ROWS} and {MAX_ROWS:,}, got {rows:,}")
    study: dict[str, Any] = {
        "losses": losses,
        "top": top,
        "contamination": contamination,
        "magnitude": magnitude,
        "seed": seed,
        "eps": eps,
    }
    options = {
        "true": list(true) if true else None,
        "pred": list(pred) if pred else None,
        "weight": weight,
        "positive": positive,
        "classes": classes if classes is None or isinstance(classes, str) else ",".join(classes),
        "from_logits": from_logits,
        "input_format": input_format,
        "nan": nan,
        "delimiter": delimiter,
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
        origin = Origin(source="synthetic", description=describe(task, rows))
        return _study(
            task, y, p, weight=None, from_logits=logits, signed_labels=False, origin=origin, **study
        )
    return _compare_files(paths, task, options, study, sample_rows)


def _compare_files(
    paths: Any,
    task: str | None,
    options: dict[str, Any],
    study: dict[str, Any],
    sample_rows: int,
) -> Comparison:
    """Read the files (or a table) with the column options and compare on them: every row, or
    a seeded sample of `sample_rows` rows of a larger input with exact sums over every row."""
    from losscli.columns import LabelEncoding
    from losscli.pipeline import load_arrays

    data: Any = [os.fspath(p) for p in paths] if _is_paths(paths) else paths
    if isinstance(paths, str | os.PathLike):
        data = [os.fspath(paths)]
    names = study["losses"]
    asked = [str(s) for s in names] if names and all(isinstance(s, str) for s in names) else None
    wholes: list[Whole] = []

    def hook(layout: Any) -> Any:
        """Exact sums over every batch, once the input proves larger than the sample."""
        specs = _asked_specs(names, layout.task) if names else None
        whole = Whole(layout.task, specs, from_logits=layout.from_logits, eps=study["eps"])
        wholes.append(whole)
        return whole.add

    prepared = load_arrays(
        data,
        task=task,
        losses=split_specs(asked) if asked else None,
        sample_rows=sample_rows,
        seed=study["seed"],
        hook=hook,
        **options,
    )
    files = [str(f) for f in prepared.files]
    command_options = {
        "task": task,
        "true": options["true"],
        "pred": options["pred"],
        "weight": options["weight"],
        "positive": options["positive"],
        "classes": options["classes"],
        "from_logits": options["from_logits"],
        "input_format": options["input_format"],
        "delimiter": options["delimiter"],
        "nan": options["nan"] if options["nan"] != "error" else None,
    }
    origin = Origin(
        source=files,
        description=_file_description(files, prepared),
        columns={
            role: [cols] if isinstance(cols, str) else list(cols)
            for role, cols in prepared.columns.items()
            if cols
        },
        notes=tuple(prepared.notes),
        paths=[os.fspath(p) for p in data] if _is_paths(data) else files,
        options=command_options,
        exact_rows=_exact_rows(prepared),
    )
    try:
        return _study(
            prepared.task,
            prepared.y_true,
            prepared.y_pred,
            weight=prepared.weight,
            from_logits=bool(prepared.from_logits),
            signed_labels=prepared.encoding is LabelEncoding.PLUS_MINUS_ONE,
            origin=origin,
            whole=wholes[0] if prepared.sample is not None else None,
            sample=prepared.sample,
            keys=prepared.keys,
            **study,
        )
    except InputError as exc:
        raise _in_file(exc, prepared) from None


def _in_file(exc: InputError, prepared: Any) -> InputError:
    """An error on the arrays, in the file's terms: the real column for 'y_true'/'y_pred', and
    the file and row when one file was read whole (no rows dropped)."""
    roles = {"y_true": "true", "y_pred": "pred"}
    if exc.column in roles:
        named = prepared.columns.get(roles[exc.column])
        exc.column = named if isinstance(named, str) else (named[0] if named else exc.column)
    if exc.file is None:
        exact = _exact_rows(prepared)
        exc.file = str(prepared.files[0]) if exact else ", ".join(map(str, prepared.files))
        if not exact:
            exc.row = None
    return exc


def _exact_rows(prepared: Any) -> bool:
    """Row i of the arrays is row i + 1 of the one file read: no row dropped, no sample."""
    return len(prepared.files) == 1 and not prepared.rows_dropped and prepared.sample is None


def _file_description(files: list[str], prepared: Any) -> str:
    """'a.csv: 442 rows, 3 dropped, binary, labels 0/1, logits, weighted'."""
    details = [plural(prepared.rows_used, "row")]
    if prepared.rows_dropped:
        details.append(f"{prepared.rows_dropped:,} dropped")
    details.append(prepared.task)
    if prepared.task != "regression" and prepared.labels:
        details.append(f"labels {prepared.labels}")
    if prepared.from_logits:
        details.append("logits")
    if prepared.weight is not None:
        details.append("weighted")
    return f"{', '.join(files)}: {', '.join(details)}"


def _is_paths(data: Any) -> bool:
    return isinstance(data, list | tuple) and all(isinstance(p, str | os.PathLike) for p in data)


__all__ = ["Origin", "check_options", "check_sample_rows", "compare", "compare_arrays"]
