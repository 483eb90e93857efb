"""Recommend from the data: infer the task's label encoding and kind of predictions, measure
the residual tails (`losscli.diagnose`, shared with `compare`) or the class balance, and answer
from the decision table.

numpy and the readers are imported when called, so `recommend()` stays light.
"""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from losscli.advice.model import ACTIVATIONS, FRAMEWORKS, LABELS, TASKS, Alternative, Recommendation
from losscli.advice.rules import answer, choice, required
from losscli.diagnose import TOP, residual_tails
from losscli.errors import InputError, UsageError

if TYPE_CHECKING:
    import numpy as np

    from losscli.read import Data

# Thresholds of the data-driven path: the tails are judged by `losscli.diagnose`.
#: Imbalanced: the rarest class has less than this fraction of its balanced share 1/K
#: (10% for binary and for each label of multi-label data).
IMBALANCE_FRACTION = 0.2
#: Rows of K values in [0, 1] summing to 1 within this tolerance are softmax probabilities.
SUM_TOLERANCE = 1e-2


@dataclass(frozen=True)
class Reading:
    """What the arrays say, before the table is consulted."""

    activation: str
    outliers: bool
    imbalanced: bool
    labels: str | None
    inferred: dict[str, Any]
    measurements: dict[str, Any]
    params: dict[str, float] = field(default_factory=dict)
    lead: tuple[Alternative, ...] = ()
    warnings: tuple[str, ...] = ()


class DataFacts:
    """What `recommend --from` reads from every row of an input it measures on a sample: the
    row count, whether the targets are non-negative integers, whether the predictions lie in
    [0, 1] (and multi-class rows sum to 1), which label values occur, and the label sums the
    class shares come from. Each is a sum or an all/any over batches, so it is exact."""

    def __init__(self, task: str, k: int) -> None:
        self.task = task
        self.k = k
        self.rows = 0
        self.nonnegative = True
        self.integer = True
        self.in_unit = True
        self.sums_one = True
        self.minus_one = False
        self.zero_one = True
        self.label_sum: Any = 0.0  # per column (or per class: counts) of y, and of y == 1
        self.one_sum: Any = 0.0

    def add(self, arrays: Any, file: str, offset: int) -> None:
        """One converted batch (`columns.Arrays`) of `file`, `offset` rows into it (for the row
        an error names: squared residuals beyond float64 are refused, as `compare` does)."""
        import numpy as np

        y, p = arrays.y, arrays.pred
        self.rows += len(y)
        if self.task == "regression":
            from losscli.losses.regression import Errors
            from losscli.sensitivity.whole import check_squares

            with np.errstate(over="ignore", invalid="ignore"):
                errors = Errors(y, p)
            check_squares(errors, arrays, file, offset)  # the sample may not hold the row
            self.nonnegative = self.nonnegative and bool(np.all(y >= 0))
            self.integer = self.integer and bool(np.all(y == np.round(y)))
            return
        self.in_unit = self.in_unit and bool(np.all((p >= 0) & (p <= 1)))
        if self.task == "multiclass" and p.ndim == 2:
            self.sums_one = self.sums_one and bool(
                np.all(np.abs(p.sum(axis=1) - 1.0) <= SUM_TOLERANCE)
            )
        if self.task != "multiclass" or y.ndim == 2:  # class indices say nothing of these
            values = y[~np.isnan(y)] if y.dtype.kind == "f" else y
            self.minus_one = self.minus_one or bool(np.any(values == -1))
            self.zero_one = self.zero_one and bool(np.isin(values, (0, 1)).all())
        if self.task == "multiclass" and y.ndim == 1:
            self.label_sum = self.label_sum + np.bincount(y.astype(np.int64), minlength=self.k)
        else:
            self.label_sum = self.label_sum + y.astype(np.float64).sum(axis=0)
            self.one_sum = self.one_sum + (y == 1).sum(axis=0)


@dataclass(frozen=True)
class Sampled:
    """A sampled input: every row's `facts`, the sample's description and its rows' keys."""

    facts: DataFacts
    info: Any  # losscli.sampling.SampleInfo
    keys: Any  # np.ndarray of the sampled rows' keys

    def tail_errors(self, residuals: np.ndarray) -> dict[str, float | None]:
        """The standard error of each tail figure, from the sample's subsamples."""
        from losscli.sampling import group_of, standard_error

        group = group_of(self.keys, self.info.groups)
        reports = [residual_tails(residuals[group == g], TOP) for g in range(self.info.groups)]
        return {
            name: standard_error([getattr(t, name) for t in reports], self.info)
            for name in ("top_share", "excess_kurtosis", "robust_scale", "huber_delta")
        }


def _se_pct(se: float | None) -> str:
    """A standard error of a share, in percent to two significant digits."""
    return "n/a" if se is None else f"{100 * se:.2g}%"


def _se_num(se: float | None) -> str:
    return "n/a" if se is None else f"{se:.2g}"


def _label_code(task: str, layout: Any, y_true: np.ndarray, facts: DataFacts | None = None) -> str:
    """Our label code (int, onehot, soft, pm1) from the reader's encoding (a LabelEncoding, or
    a caller's description such as "-1/+1") and the values (`facts` of every row, if given)."""
    import numpy as np

    from losscli.columns import LabelEncoding

    if isinstance(layout, LabelEncoding):
        known = {
            LabelEncoding.PLUS_MINUS_ONE: "pm1",
            LabelEncoding.ONE_HOT: "onehot",
            LabelEncoding.SOFT: "soft",
        }
        if layout in known:
            return known[layout]
    else:
        text = (layout or "").lower()
        if "-1" in text:
            return "pm1"
        if "one-hot" in text:
            return "onehot"
        if "soft" in text:
            return "soft"
    if facts is not None:
        if task in ("binary", "multilabel"):
            return "pm1" if facts.minus_one else ("int" if facts.zero_one else "soft")
        if task == "multiclass" and y_true.ndim == 2:
            return "onehot" if facts.zero_one else "soft"
        return "int"
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


def _regression_measurements(
    y_true: np.ndarray, y_pred: np.ndarray, sampled: Sampled | None = None
) -> dict[str, Any]:
    """The tails of the residuals (`losscli.diagnose.residual_tails`) and the targets' kind.

    With `sampled` the arrays are a seeded sample: the tails are measured on it, with standard
    errors from its subsamples, and the targets' kind and the row count come from every row."""
    import numpy as np

    residuals = y_pred - y_true
    tails = residual_tails(residuals, TOP)
    n = tails.rows
    share, normal, kurtosis = tails.top_share, tails.normal_share, tails.excess_kurtosis
    delta = tails.huber_delta
    heavy = tails.heavy
    if sampled is None:
        nonneg = bool(np.all(y_true >= 0))
        integer = bool(np.all(y_true == np.round(y_true)))
    else:
        n, nonneg, integer = sampled.facts.rows, sampled.facts.nonnegative, sampled.facts.integer
    pct = TOP * 100
    summary = (
        f"the worst {pct:g}% of rows produce {share:.1%} of the squared error "
        f"(normal residuals: {normal:.1%}); excess kurtosis {kurtosis:.2f} (normal: 0)"
    )
    se = sampled.tail_errors(residuals) if sampled is not None else {}
    if sampled is not None:
        summary = (
            f"on {sampled.info.describe()}: the worst {pct:g}% of rows produce {share:.1%} "
            f"± {_se_pct(se['top_share'])} of the squared error (normal residuals: "
            f"{normal:.1%}); excess kurtosis {kurtosis:.2f} ± {_se_num(se['excess_kurtosis'])} "
            "(normal: 0)"
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
    } | ({} if sampled is None else {"sample": sampled.info.to_dict(), "se": se})


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
    task_ = required(task, TASKS, "task")
    framework_ = choice(framework, FRAMEWORKS, "framework")
    reading = read_arrays(
        task_,
        y_true,
        y_pred,
        from_logits=from_logits,
        labels=labels,
        activation=activation,
        outliers=outliers,
        imbalanced=imbalanced,
    )
    return _answer_reading(task_, reading, framework_, inferred=reading.inferred)


def _answer_reading(
    task: str,
    reading: Reading,
    framework: str | None,
    *,
    inferred: dict[str, Any],
    notes: Sequence[str] = (),
    command: Any = None,
) -> Recommendation:
    return answer(
        task,
        reading.activation,
        outliers=reading.outliers,
        imbalanced=reading.imbalanced,
        labels=reading.labels,
        framework=framework,
        params=reading.params,
        lead=reading.lead,
        extra_warnings=reading.warnings,
        inferred=inferred,
        measurements=reading.measurements,
        notes=notes,
        command=command,
    )


def read_arrays(
    task: str,
    y_true: Any,
    y_pred: Any,
    *,
    from_logits: bool | None = None,
    labels: Any = None,
    activation: str | None = None,
    outliers: bool = False,
    imbalanced: bool = False,
    sampled: Sampled | None = None,
) -> Reading:
    """Check the arrays and read them: the regression or the classification reading (with
    `sampled`, the arrays are a seeded sample and every row's facts come with it)."""
    import numpy as np

    from losscli.columns import NonFinite, check_arrays

    activation_ = choice(activation, ACTIVATIONS, "activation")
    y = np.asarray(y_true)
    p = np.asarray(y_pred, dtype=np.float64)
    if y.dtype.kind not in "biuf":
        raise UsageError("recommend_for_arrays needs numeric labels (map class names to indices)")
    check_arrays(y, p, task=task, nonfinite=NonFinite.IGNORE, error=UsageError)
    if len(y) == 0:
        raise UsageError("no rows to look at")
    facts = sampled.facts if sampled is not None else None
    code = labels if labels in LABELS else _label_code(task, labels, y, facts)
    if task == "regression":
        from losscli.sensitivity.study import Origin, check_overflow

        check_overflow(y, p, Origin())  # no tail to measure: refused as compare refuses it
        return _read_regression(y.astype(np.float64), p, activation_, outliers, sampled)
    return _read_classification(
        task, y, p, code, from_logits, activation_, outliers, imbalanced, facts
    )


def _read_regression(
    y: np.ndarray,
    p: np.ndarray,
    activation: str | None,
    outliers: bool,
    sampled: Sampled | None = None,
) -> Reading:
    """Heavy tails call for huber with the measured delta; count targets suggest poisson."""
    m = _regression_measurements(y, p, sampled)
    act = activation or "none"
    outliers = outliers or bool(m["heavy_tails"])
    params = {"delta": m["huber_delta"]} if outliers and m["huber_delta"] else {}
    lead: tuple[Alternative, ...] = ()
    if m["targets_nonnegative"] and m["targets_integer"]:
        lead = (
            Alternative(
                "poisson",
                "the targets are non-negative integers: if they are counts, the Poisson loss "
                "models their variance (it grows with the mean) on a strictly positive output: "
                "softplus, or exp of a linear log-rate (PyTorch PoissonNLLLoss(log_input=True))",
            ),
        )
    inferred = {"labels": None, "predictions": "values", "from_logits": False, "activation": act}
    return Reading(act, outliers, False, None, inferred, m, params, lead)


def _read_classification(
    task: str,
    y: np.ndarray,
    p: np.ndarray,
    code: str,
    from_logits: bool | None,
    activation: str | None,
    outliers: bool,
    imbalanced: bool,
    facts: DataFacts | None = None,
) -> Reading:
    """The kind of predictions and the last layer they imply, and the class balance (from
    `facts`, every row's, when the arrays are a sample)."""
    import numpy as np

    if facts is not None:
        in_unit = facts.in_unit
        sums_one = task == "multiclass" and p.ndim == 2 and facts.sums_one
    else:
        in_unit = bool(np.all((p >= 0) & (p <= 1)))
        sums_one = task == "multiclass" and bool(
            p.ndim == 2 and np.all(np.abs(p.sum(axis=1) - 1.0) <= SUM_TOLERANCE)
        )
    logits = not in_unit if from_logits is None else bool(from_logits)
    if activation is not None:
        act = activation
    elif task == "multiclass":
        act = "none" if logits else ("softmax" if sums_one else "sigmoid")
    elif logits or not in_unit:
        act = "tanh" if code == "pm1" else "none"
    else:
        act = "sigmoid"
    warnings: tuple[str, ...] = ()
    if from_logits is False and not in_unit:
        warnings = (
            "the predictions were declared probabilities but some lie outside [0, 1]: "
            "they look like logits or scores (pass --from-logits)",
        )
    if in_unit and not logits:
        kind = "probabilities"
    else:
        kind = "scores" if act == "tanh" or not logits else "logits"
    inferred = {"labels": code, "predictions": kind, "from_logits": kind == "logits"}
    inferred["activation"] = act
    m = _class_measurements(task, y, code, p.shape[1] if p.ndim == 2 else 2, facts)
    if task == "multiclass":
        m["rows_sum_to_one"] = sums_one if in_unit else None
    imbalanced = imbalanced or m["imbalanced"]
    return Reading(act, outliers, imbalanced, code, inferred, m, warnings=warnings)


def _class_measurements(
    task: str, y: np.ndarray, code: str, k: int, facts: DataFacts | None = None
) -> dict[str, Any]:
    """The class (or label) shares and whether the rarest is rare: from the labels, or from
    every row's label sums (`facts`) when the labels are a sample."""
    import numpy as np

    n = len(y) if facts is None else facts.rows
    if task == "multilabel":
        if facts is not None:
            positive = np.asarray(facts.one_sum if code == "pm1" else facts.label_sum) / n
        else:
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
    if facts is not None:
        total = np.asarray(facts.one_sum if code == "pm1" else facts.label_sum, dtype=np.float64)
        share = total / n
        shares = np.array([1.0 - float(share), float(share)]) if task == "binary" else share
    elif task == "binary":
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
    paths: Data,
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    task: str | None = None,
    positive: str | None = None,
    classes: str | Sequence[str] | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str = "error",
    delimiter: str | None = None,
    activation: str | None = None,
    outliers: bool = False,
    imbalanced: bool = False,
    framework: str | None = None,
    sample_rows: int | None = None,
    seed: int = 0,
) -> Recommendation:
    """Read prediction files, or an in-memory table as `compute` takes one (the column options
    of `compute`), and recommend from the data.

        The task, label encoding and kind of predictions are inferred unless given; what was
        inferred is in `inferred` and `notes`, what was measured in `measurements`. An input of
        more than `sample_rows` rows (None: `losscli.sampling.SAMPLE_ROWS`; 0: no limit) has its
        residual tails measured on a seeded sample of that many rows (`seed`), with standard
        errors; the row count, the targets' kind and the class shares still come from every row.

        Long only for its keyword options (those of `compute`'s columns and `recommend`).
    """
    from losscli.pipeline import load_arrays

    if task is not None:
        required(task, TASKS, "task")
    framework_ = choice(framework, FRAMEWORKS, "framework")
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if isinstance(paths, list | tuple) and not paths:
        raise UsageError("no input file")
    data: Data = paths  # an in-memory table as compute takes it
    if isinstance(paths, list | tuple) and all(isinstance(p, str | os.PathLike) for p in paths):
        data = [os.fspath(p) for p in paths]
    columns: dict[str, Any] = {
        "true": true,
        "pred": pred,
        "weight": weight,
        "task": task,
        "positive": positive,
        "classes": classes,
    }
    reading_options: dict[str, Any] = {
        "from_logits": from_logits,
        "input_format": input_format,
        "nan": nan,
        "delimiter": delimiter,
    }
    from losscli.sampling import SAMPLE_ROWS
    from losscli.sensitivity.study import check_sample_rows

    sample_rows = SAMPLE_ROWS if sample_rows is None else sample_rows
    check_sample_rows(sample_rows)
    if seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {seed}")
    every_row: list[DataFacts] = []

    def hook(layout: Any) -> Any:
        every_row.append(DataFacts(layout.task, layout.k or 2))
        return every_row[0].add

    prepared = load_arrays(
        data[0] if isinstance(data, list) and len(data) == 1 else data,
        **columns,
        **reading_options,
        sample_rows=sample_rows,
        seed=seed,
        hook=hook,
    )
    sampled = (
        Sampled(every_row[0], prepared.sample, prepared.keys)
        if prepared.sample is not None
        else None
    )
    logits = True if prepared.from_logits else (False if from_logits is False else None)
    try:
        reading = read_arrays(
            prepared.task,
            prepared.y_true,
            prepared.y_pred,
            from_logits=logits,
            labels=prepared.encoding,
            activation=activation,
            outliers=outliers,
            imbalanced=imbalanced,
            sampled=sampled,
        )
    except InputError as exc:
        from losscli.sensitivity.study import _in_file

        raise _in_file(exc, prepared) from None
    files = data if isinstance(data, list) else list(prepared.files)
    inferred = _inferred(files, prepared, reading)
    notes = list(prepared.notes)
    if inferred["from_logits"] and not prepared.from_logits:
        notes.append(
            "predictions: outside [0, 1], so logits or scores (pass --from-probabilities to "
            "override)"
        )
    command = partial(
        _command,
        files,
        bool(inferred["from_logits"]),
        from_logits,
        **columns,
        input_format=input_format,
        nan=nan,
        delimiter=delimiter,
    )
    return _answer_reading(
        prepared.task, reading, framework_, inferred=inferred, notes=notes, command=command
    )


def _inferred(files: list[str], prepared: Any, reading: Reading) -> dict[str, Any]:
    """The `inferred` block of `recommend --from`: what was read and what was concluded."""
    return {
        "files": list(getattr(prepared, "files", files)),
        "task": prepared.task,
        "task_inferred": prepared.task_inferred,
        "activation": reading.inferred.get("activation"),
        "predictions": reading.inferred.get("predictions"),
        "from_logits": reading.inferred.get("from_logits"),
        "label_layout": prepared.labels,
        "labels": reading.inferred.get("labels") if prepared.task != "regression" else None,
        "columns": prepared.columns,
        "classes": prepared.classes,
        "rows_used": prepared.rows_used,
        "rows_dropped": prepared.rows_dropped,
        "notes": list(prepared.notes),
    }


def _command(
    files: Sequence[str],
    data_logits: bool,
    declared: bool | None,
    spec: str,
    rule_logits: bool,
    **options: Any,
) -> str:
    """--from-logits when the loss takes logits and the data holds them; a declared
    --from-probabilities is kept."""
    flag = True if rule_logits and data_logits else (False if declared is False else None)
    return command_to_check_recommendation(files, spec, logits_flag=flag, **options)


def command_to_check_recommendation(
    files: Sequence[str],
    spec: str,
    *,
    logits_flag: bool | None = None,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    task: str | None = None,
    positive: str | None = None,
    input_format: str | None = None,
    nan: str = "error",
    classes: str | Sequence[str] | None = None,
    delimiter: str | None = None,
) -> str:
    """The `losscli compute` command that checks the recommended loss on the same input.

    `logits_flag` True adds --from-logits, False --from-probabilities, None neither.
    """
    parts = ["losscli", "compute", *files, "--loss", spec]
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
    if classes:
        parts += ["--classes", classes if isinstance(classes, str) else ",".join(classes)]
    if logits_flag is True:
        parts.append("--from-logits")
    elif logits_flag is False:
        parts.append("--from-probabilities")
    if input_format:
        parts += ["--input-format", input_format]
    if delimiter:
        parts += ["--delimiter", delimiter]
    if nan != "error":
        parts += ["--nan", nan]
    return shlex.join(parts)


__all__ = [
    "IMBALANCE_FRACTION",
    "SUM_TOLERANCE",
    "Reading",
    "command_to_check_recommendation",
    "read_arrays",
    "recommend_for_arrays",
    "recommend_from",
]
