"""What the data is: the task and how labels and predictions are encoded, as enums in a frozen
`Layout` decided once from the options, the losses asked for, the columns' names and types, the
first batch and, where the first batch cannot decide, the whole label column (Parquet statistics
or one pass over it). The converter then checks every batch against the decision; `Layout.guesses`
say what was inferred so that an error after an inference names the option that overrides it.
No module reads prose back: the display text (`Layout.labels`) is made from the enum.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.columns.arrow import compute, distinct, float_column, float_columns, is_list, is_text
from losscli.columns.labels import (
    Guess,
    LabelEncoding,
    Labels,
    Task,
    binary_labels,
    multiclass_labels,
)
from losscli.columns.resolve import PRED_PREFIXES, Columns, show, strip_prefix
from losscli.errors import InputError, UsageError

_TASKS = tuple(t.value for t in Task)

#: Distinct values of the label column over the whole input: `whole(cheap)` returns them, or
#: None when `cheap` and they cannot be had without reading the column (no Parquet statistics).
WholeLabels = Callable[[bool], "list[Any] | None"]

#: How the task was decided: given, settled by the losses asked for, by the columns' shapes,
#: by the label values of the first rows, or of every row.
_GIVEN, _LOSSES, _COLUMNS, _FIRST, _ALL = "", "losses", "columns", "first rows", "all rows"


@dataclass(frozen=True)
class Layout:
    """What the data is: the task and how labels and predictions are encoded."""

    task: Task
    encoding: LabelEncoding
    from_logits: bool
    task_inferred: bool = False
    from_logits_inferred: bool = False
    classes: list[str] | None = None
    positive: str | None = None
    pred_list: bool = False
    notes: list[str] = field(default_factory=list)
    #: Binary data saved as two probability columns: the index of the positive class's column.
    pred_column: int | None = None
    #: Binary labels may be soft (floats in [0, 1]): the task was not inferred from the labels.
    soft_labels: bool = False
    #: Multi-class numeric labels are class names matched by value (1..K with p_1..p_K).
    numeric_names: bool = False
    #: What was inferred, each with the option that overrides it: added to errors that follow.
    guesses: tuple[Guess, ...] = ()

    @property
    def k(self) -> int:
        """Classes (1 for regression and binary)."""
        return len(self.classes) if self.classes else 1

    @property
    def labels(self) -> str:
        """The label encoding as shown in messages and in JSON's "labels" field."""
        return label_text(self.encoding, self.positive)

    @property
    def guess(self) -> str:
        """Every guess, as one text: "task inferred as binary from the first rows; pass --task
        to override"."""
        return "; ".join(g.text for g in self.guesses)

    def hint_after(self, hint: str | None) -> str | None:
        """`hint` followed by the guesses: how the task was decided, and the others whose option
        the hint does not already name."""
        named = hint or ""
        extra = [
            # how the task was decided is always said; an option the hint names, only once
            (g.what if g.option in named else g.text)
            for g in self.guesses
            if g.option not in named or g.option == "--task"
        ]
        parts = ([hint] if hint else []) + extra
        return "; ".join(parts) if parts else None

    @property
    def positive_value(self) -> float:
        """The positive label of numeric and boolean binary labels as a number (1, 0 or -1)."""
        if self.positive in ("true", None):
            return 1.0
        if self.positive == "false":
            return 0.0
        return float(self.positive)


_DEFAULT_POSITIVE = {
    LabelEncoding.ZERO_ONE: "1",
    LabelEncoding.PLUS_MINUS_ONE: "1",
    LabelEncoding.BOOLEAN: "true",
    LabelEncoding.SOFT: "1",
}


def label_text(encoding: LabelEncoding, positive: str | None = None) -> str:
    """The display text of a label encoding: "-1/+1", "strings, positive 'yes'", "0/1, positive 0"."""
    if encoding is LabelEncoding.STRINGS:
        return f"strings, positive '{positive}'"
    default = _DEFAULT_POSITIVE.get(encoding)
    if default is not None and positive is not None and positive != default:
        return f"{encoding.value}, positive {positive}"
    return str(encoding.value)


def infer_layout(
    columns: Columns,
    first: pa.RecordBatch,
    *,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    file: str = "",
    classes: Sequence[str] | None = None,
    loss_tasks: Collection[str] | None = None,
    whole_labels: WholeLabels | None = None,
) -> Layout:
    """Decide task, label encoding, positive class, class <-> column mapping and logits.

    `loss_tasks`: the tasks every loss asked for applies to (a loss that fits one task settles
    it); `whole_labels`: the label column's values over the whole input, asked only when the
    first batch cannot decide.
    """
    if task is not None and task not in _TASKS:
        raise UsageError(f"unknown task '{task}' (valid: {', '.join(_TASKS)})")
    pred_list, names = _prediction_names(columns, first, classes, file)
    k = len(names)
    logits_inferred = from_logits is None
    if from_logits is None:
        from_logits = any("logit" in c.lower() for c in columns.pred)
    whole = _memo(whole_labels, first.column(columns.true[0]))
    kind, how = _decide_task(task, loss_tasks, columns, first, k, from_logits, file, whole)
    labels = Labels(LabelEncoding.VALUES)
    if kind is Task.BINARY:
        kind, labels = _binary(first, columns, names, positive, how, file, whole)
    _check_shape(kind, columns, k, labels.pred_column, file)
    if kind is Task.MULTICLASS:
        labels = multiclass_labels(columns, first, names, pred_list, classes is not None)
    elif kind is Task.MULTILABEL:
        labels = Labels(LabelEncoding.MULTILABEL)
    if positive is not None and kind is not Task.BINARY:
        raise UsageError(
            f"--positive is for binary labels; the task is {kind}",
            hint="pass --task binary if the labels are binary",
        )
    notes, guesses = _report(kind, how, labels, logits_inferred and from_logits, classes)
    return Layout(
        task=kind,
        encoding=labels.encoding,
        from_logits=from_logits,
        task_inferred=task is None,
        from_logits_inferred=logits_inferred and from_logits,
        classes=names if kind in (Task.MULTICLASS, Task.MULTILABEL) else None,
        positive=labels.positive,
        pred_list=pred_list,
        notes=notes,
        pred_column=labels.pred_column,
        soft_labels=kind is Task.BINARY and how in (_GIVEN, _LOSSES),
        numeric_names=labels.numeric_names,
        guesses=guesses,
    )


def _binary(
    first: pa.RecordBatch,
    columns: Columns,
    names: list[str],
    positive: str | None,
    how: str,
    file: str,
    whole: WholeLabels,
) -> tuple[Task, Labels]:
    """Binary labels; two prediction columns that name no known positive class are multi-class
    when the columns alone chose binary, else refused."""
    soft = how in (_GIVEN, _LOSSES)
    try:
        labels = binary_labels(first, columns, names, positive, soft, file, whole)
    except InputError:
        if how != _COLUMNS or len(names) != 2:
            raise
        return Task.MULTICLASS, Labels(LabelEncoding.VALUES)  # no known positive class
    if len(names) == 2 and labels.pred_column is None:
        if how != _COLUMNS:
            raise InputError(
                f"no prediction column is named after the positive label {labels.positive}",
                file=file,
                hint="pass --classes NEGATIVE,POSITIVE (the class of each column, in order)",
            )
        return Task.MULTICLASS, labels
    return Task.BINARY, labels


def _report(
    kind: Task,
    how: str,
    labels: Labels,
    logits: bool,
    classes: Sequence[str] | None,
) -> tuple[list[str], tuple[Guess, ...]]:
    """The notes on stderr, and the guesses appended to errors that follow an inference."""
    notes: list[str] = []
    guesses: list[Guess] = []
    if how:
        reason = {_LOSSES: " from the losses asked", _ALL: " from every row"}.get(how, "")
        notes.append(f"task {kind} (--task){reason}")
        source = {_LOSSES: "the losses asked", _COLUMNS: "the columns"}.get(how, f"the {how}")
        guesses.append(Guess(f"task inferred as {kind} from {source}", "--task"))
    notes.extend(labels.notes)
    guesses.extend(labels.guesses)
    if kind is Task.MULTICLASS and classes is None and labels.encoding is LabelEncoding.CLASS_NAMES:
        notes.append("classes from the prediction columns' names (--classes)")
        guesses.append(Guess("classes from the prediction columns' names", "--classes"))
    if logits:
        notes.append("logits, from the column names (--from-probabilities)")
        guesses.append(Guess("logits inferred from the column names", "--from-probabilities"))
    return notes, tuple(guesses)


def _memo(whole: WholeLabels | None, array: pa.Array) -> WholeLabels:
    """`whole`, asked at most once per kind; without it, the first batch is the whole input."""
    cache: dict[bool, list[Any] | None] = {}

    def values(cheap: bool) -> list[Any] | None:
        if whole is None:
            return None if cheap else distinct(array)
        if False in cache:
            return cache[False]
        if cheap not in cache:
            cache[cheap] = whole(cheap)
        return cache[cheap]

    return values


def _prediction_names(
    columns: Columns, first: pa.RecordBatch, classes: Sequence[str] | None, file: str
) -> tuple[bool, list[str]]:
    """(a list column?, the class name of every prediction column: --classes, else the
    columns' suffixes, else positions for a list column)."""
    pred_types = [first.schema.field(c).type for c in columns.pred]
    pred_list = len(columns.pred) == 1 and is_list(pred_types[0])
    if pred_list:
        names = [
            str(i) for i in range(_list_width(first.column(columns.pred[0]), columns.pred[0], file))
        ]
    else:
        names = [strip_prefix(c, PRED_PREFIXES) for c in columns.pred]
    if classes is not None:
        if len(classes) != len(names):
            raise UsageError(
                f"--classes names {len(classes)} classes but there are {len(names)} prediction "
                f"columns ({show(columns.pred)})"
            )
        names = [str(c) for c in classes]
    return pred_list, names


def _list_width(array: pa.Array, name: str, file: str) -> int:
    pc = compute()
    lengths = pc.list_value_length(array).drop_null()
    if len(lengths) == 0:
        raise InputError("list column holds no values", file=file, column=name)
    k = pc.min_max(lengths)
    if k["min"].as_py() != k["max"].as_py():
        raise InputError("list column has rows of different lengths", file=file, column=name)
    return int(k["min"].as_py())


def _shapes(columns: Columns, k: int) -> tuple[Task, ...]:
    """The tasks the columns' shapes allow, most likely first."""
    one_label = len(columns.true) == 1
    if one_label and k == 1:
        return (Task.REGRESSION, Task.BINARY)
    if one_label and k == 2:
        return (Task.BINARY, Task.MULTICLASS)
    if one_label:
        return (Task.MULTICLASS,)
    if len(columns.true) == k:
        return (Task.MULTICLASS, Task.MULTILABEL)
    return (Task.REGRESSION,) if k == 1 else (Task.MULTICLASS,)


def _decide_task(
    task: str | None,
    loss_tasks: Collection[str] | None,
    columns: Columns,
    first: pa.RecordBatch,
    k: int,
    from_logits: bool,
    file: str,
    whole: WholeLabels,
) -> tuple[Task, str]:
    """The task and how it was decided: given; settled by the losses asked for (a loss that
    fits one of the tasks the columns allow); by the columns; or by the label values."""
    if task is not None:
        return Task(task), _GIVEN
    shapes = _shapes(columns, k)
    if loss_tasks is not None:
        fit = tuple(t for t in shapes if t in loss_tasks)
        if fit and not _not_binary(fit, columns, first):
            if len(fit) == 1 and len(shapes) > 1:
                return fit[0], _LOSSES
            shapes = fit
    if len(shapes) == 1:
        return shapes[0], _COLUMNS
    if shapes == (Task.BINARY, Task.MULTICLASS):
        return (Task.MULTICLASS if from_logits else Task.BINARY), _COLUMNS
    if shapes == (Task.MULTICLASS, Task.MULTILABEL):
        return _one_hot_or_multilabel(columns, first, file), _FIRST
    return _regression_or_binary(columns, first, file, whole, from_logits)


def _not_binary(fit: tuple[Task, ...], columns: Columns, first: pa.RecordBatch) -> bool:
    """A binary request on numeric labels outside [-1, 1]: the data, not the loss, decides (and
    the loss is then refused with the task it met)."""
    array = first.column(columns.true[0])
    if fit != (Task.BINARY,) or is_text(array.type) or pa.types.is_boolean(array.type):
        return False
    values = distinct(array)
    return any(v < -1 or v > 1 for v in values) if values else False


def _one_hot_or_multilabel(columns: Columns, first: pa.RecordBatch, file: str) -> Task:
    y = float_columns(first, columns.true, file)
    y = y[~np.isnan(y).any(axis=1)]
    if np.allclose(y.sum(axis=1), 1.0, rtol=0, atol=1e-6):
        return Task.MULTICLASS
    if np.isin(y, (0.0, 1.0)).all():
        return Task.MULTILABEL
    raise InputError(
        "label columns are neither one-hot (rows summing to 1) nor multi-label 0/1",
        file=file,
        hint="pass --task",
    )


def _regression_or_binary(
    columns: Columns, first: pa.RecordBatch, file: str, whole: WholeLabels, from_logits: bool
) -> tuple[Task, str]:
    """One label and one prediction column: binary for booleans, two strings or two of
    {-1, 0, 1}; regression for any other number. A label column whose first rows hold one value
    is decided by every row (Parquet statistics, else one pass over the column); a column that
    holds one value throughout is regression if a prediction is no probability (outside [0, 1],
    not logits), else refused."""
    column = columns.true[0]
    array = first.column(column)
    if is_text(array.type) or pa.types.is_boolean(array.type):
        texts = distinct(array)
        if len(texts) > 2:
            raise _too_many_labels(texts, column, file)
        return Task.BINARY, _FIRST
    values = set(distinct(array))
    if not values <= _SIGNS:
        return Task.REGRESSION, _FIRST
    every = whole(True)
    if every is None:
        if values in _PAIRS:
            return Task.BINARY, _FIRST
        every = whole(False) or []
    seen = set(every)
    if not seen <= _SIGNS or seen in ({-1.0, 0.0}, _SIGNS):
        return Task.REGRESSION, _ALL
    if seen in _PAIRS:
        return Task.BINARY, _ALL
    if not from_logits and not is_list(first.schema.field(columns.pred[0]).type):
        pred = float_column(first.column(columns.pred[0]), columns.pred[0], file)
        if np.any((pred < 0) | (pred > 1)):
            return Task.REGRESSION, _ALL
    only = ", ".join(f"{v:g}" for v in sorted(seen)) or "missing"
    raise InputError(
        f"every label is {only}: cannot tell regression from binary",
        file=file,
        column=column,
        hint="pass --task regression or --task binary (or a loss that fits one task)",
    )


_SIGNS = {-1.0, 0.0, 1.0}
_PAIRS = ({0.0, 1.0}, {-1.0, 1.0})


def _too_many_labels(values: list[Any], column: str, file: str) -> InputError:
    return InputError(
        f"{len(values) if len(values) <= 64 else 'many'} distinct labels but one prediction column",
        file=file,
        column=column,
        hint="for multi-class data pass one probability column per class (--pred 'p_*')",
    )


def _check_shape(task: Task, columns: Columns, k: int, pred_column: int | None, file: str) -> None:
    if task is Task.BINARY and pred_column is not None:
        return
    if task in (Task.REGRESSION, Task.BINARY):
        if k != 1 or len(columns.true) != 1:
            raise InputError(
                f"{task} needs one label and one prediction column, got "
                f"{len(columns.true)} and {k}",
                file=file,
                hint="pass --task multiclass or multilabel for several columns",
            )
    elif task is Task.MULTICLASS:
        if k < 2:
            raise InputError(
                "multiclass needs one prediction column per class (or a list column)",
                file=file,
                hint="pass --pred 'p_*'",
            )
        if len(columns.true) not in (1, k):
            raise InputError(
                f"{len(columns.true)} label columns for {k} classes", file=file, hint="pass --true"
            )
    elif task is Task.MULTILABEL and len(columns.true) != k:
        raise InputError(
            f"multilabel needs as many label columns as prediction columns, got "
            f"{len(columns.true)} and {k}",
            file=file,
        )
