"""What the data is: the task and how labels and predictions are encoded, as enums in a frozen
`Layout` decided once from the options and the first batch. No module reads prose back: the
display text (`Layout.labels`) is made from the enum and the positive label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pyarrow as pa

from losscli.columns.arrow import (
    compute,
    distinct,
    float_column,
    is_list,
    is_text,
    to_float64,
)
from losscli.columns.resolve import PRED_PREFIXES, Columns, strip_prefix
from losscli.errors import InputError, UsageError


class Task(StrEnum):
    """The learning task; its value is the name used on the command line and in JSON."""

    REGRESSION = "regression"
    BINARY = "binary"
    MULTICLASS = "multiclass"
    MULTILABEL = "multilabel"


class LabelEncoding(StrEnum):
    """How the labels are written; the value is the display text (STRINGS adds the positive)."""

    VALUES = "values"  # regression targets
    ZERO_ONE = "0/1"
    PLUS_MINUS_ONE = "-1/+1"
    BOOLEAN = "true/false"
    STRINGS = "strings"  # two string labels, one of them positive
    CLASS_INDICES = "integer indices"
    CLASS_NAMES = "class names"
    ONE_HOT = "one-hot"
    SOFT = "soft targets"
    MULTILABEL = "multi-label 0/1"


_TASKS = tuple(t.value for t in Task)

#: Pairs of string labels whose positive member is known (lower case, sorted).
_BINARY_WORDS: dict[tuple[str, ...], str] = {
    ("false", "true"): "true",
    ("no", "yes"): "yes",
    ("neg", "pos"): "pos",
    ("negative", "positive"): "positive",
    ("0", "1"): "1",
}


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

    @property
    def k(self) -> int:
        """Classes (1 for regression and binary)."""
        return len(self.classes) if self.classes else 1

    @property
    def labels(self) -> str:
        """The label encoding as shown in messages and in JSON's "labels" field."""
        return label_text(self.encoding, self.positive)


def label_text(encoding: LabelEncoding, positive: str | None = None) -> str:
    """The display text of a label encoding: "-1/+1", "strings, positive 'yes'", ..."""
    if encoding is LabelEncoding.STRINGS:
        return f"strings, positive '{positive}'"
    return str(encoding.value)


def infer_layout(
    columns: Columns,
    first: pa.RecordBatch,
    *,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    file: str = "",
) -> Layout:
    """Decide task, label encoding and prediction kind from the options and the first batch."""
    if task is not None and task not in _TASKS:
        raise UsageError(f"unknown task '{task}' (valid: {', '.join(_TASKS)})")
    pred_types = [first.schema.field(c).type for c in columns.pred]
    pred_list = len(columns.pred) == 1 and is_list(pred_types[0])
    classes: list[str] | None
    if pred_list:
        k = _list_width(first.column(columns.pred[0]), columns.pred[0], file)
        classes = [str(i) for i in range(k)]
    else:
        k = len(columns.pred)
        classes = [strip_prefix(c, PRED_PREFIXES) for c in columns.pred] if k > 1 else None
    true_types = [first.schema.field(c).type for c in columns.true]
    inferred = task is None
    kind = Task(task) if task is not None else _infer_task(columns, first, k, true_types, file)
    _check_shape(kind, columns, k, file)

    logits_inferred = from_logits is None
    if from_logits is None:
        from_logits = any("logit" in c.lower() for c in columns.pred)
    encoding = LabelEncoding.VALUES
    if kind is Task.BINARY:
        encoding, positive = _binary_encoding(
            first.column(columns.true[0]), true_types[0], positive, columns.true[0], file
        )
    elif kind is Task.MULTICLASS:
        encoding = _multiclass_encoding(columns, true_types, first)
    elif kind is Task.MULTILABEL:
        encoding = LabelEncoding.MULTILABEL
    notes: list[str] = []
    if inferred:
        notes.append(f"task {kind} (--task)")
    if logits_inferred and from_logits:
        notes.append("logits, from the column names (--from-probabilities)")
    return Layout(
        task=kind,
        encoding=encoding,
        from_logits=from_logits,
        task_inferred=inferred,
        from_logits_inferred=logits_inferred and from_logits,
        classes=classes if kind in (Task.MULTICLASS, Task.MULTILABEL) else None,
        positive=positive,
        pred_list=pred_list,
        notes=notes,
    )


def _list_width(array: pa.Array, name: str, file: str) -> int:
    pc = compute()
    lengths = pc.list_value_length(array).drop_null()
    if len(lengths) == 0:
        raise InputError("list column holds no values", file=file, column=name)
    k = pc.min_max(lengths)
    if k["min"].as_py() != k["max"].as_py():
        raise InputError("list column has rows of different lengths", file=file, column=name)
    return int(k["min"].as_py())


def _infer_task(
    columns: Columns, first: pa.RecordBatch, k: int, true_types: list[pa.DataType], file: str
) -> Task:
    if k >= 2:
        if len(columns.true) == 1:
            return Task.MULTICLASS
        y = np.column_stack([float_column(first.column(c), c, file) for c in columns.true])
        y = y[~np.isnan(y).any(axis=1)]
        hard = np.isin(y, (0.0, 1.0)).all()
        sums_one = np.allclose(y.sum(axis=1), 1.0, rtol=0, atol=1e-6)
        if sums_one:
            return Task.MULTICLASS
        if hard:
            return Task.MULTILABEL
        raise InputError(
            "label columns are neither one-hot (rows summing to 1) nor multi-label 0/1",
            file=file,
            hint="pass --task",
        )
    dtype = true_types[0]
    if is_text(dtype) or pa.types.is_boolean(dtype):
        values = distinct(first.column(columns.true[0]))
        if len(values) > 2:
            raise InputError(
                f"{len(values) if len(values) <= 64 else 'many'} distinct labels but one "
                "prediction column",
                file=file,
                column=columns.true[0],
                hint="for multi-class data pass one probability column per class (--pred 'p_*')",
            )
        return Task.BINARY
    seen = set(distinct(first.column(columns.true[0])))
    if len(seen) == 2 and (seen == {0, 1} or seen == {-1, 1}):
        return Task.BINARY
    return Task.REGRESSION


def _check_shape(task: Task, columns: Columns, k: int, file: str) -> None:
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


def _binary_encoding(
    array: pa.Array, dtype: pa.DataType, positive: str | None, column: str, file: str
) -> tuple[LabelEncoding, str | None]:
    if pa.types.is_boolean(dtype):
        return LabelEncoding.BOOLEAN, "true"
    if is_text(dtype):
        values = sorted(str(v) for v in distinct(array))
        if positive is not None:
            return LabelEncoding.STRINGS, positive
        known = _BINARY_WORDS.get(tuple(v.lower() for v in values))
        if known is not None:
            return LabelEncoding.STRINGS, next(v for v in values if v.lower() == known)
        raise InputError(
            f"string labels {', '.join(repr(v) for v in values)}: which one is positive?",
            file=file,
            column=column,
            hint="pass --positive LABEL",
        )
    seen = set(distinct(array))
    return (LabelEncoding.PLUS_MINUS_ONE if -1 in seen else LabelEncoding.ZERO_ONE), None


def _multiclass_encoding(
    columns: Columns, true_types: list[pa.DataType], first: pa.RecordBatch
) -> LabelEncoding:
    if len(columns.true) > 1:
        y = np.column_stack([to_float64(first.column(c)) for c in columns.true])
        hard = np.isin(y[~np.isnan(y).any(axis=1)], (0.0, 1.0)).all()
        return LabelEncoding.ONE_HOT if hard else LabelEncoding.SOFT
    if is_text(true_types[0]):
        return LabelEncoding.CLASS_NAMES
    return LabelEncoding.CLASS_INDICES
