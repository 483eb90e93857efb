"""How labels are written and which prediction column each belongs to: the label encoding, the
positive class of binary labels (honoured for every encoding, or refused) and the class <->
column mapping of multi-class labels (integer labels that equal the columns' names are names,
not positions). Decided once by `layout`; the converter checks every batch against it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.columns.arrow import distinct, is_text, to_float64
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


#: Pairs of string labels whose positive member is known (lower case, sorted).
BINARY_WORDS: dict[tuple[str, ...], str] = {
    ("false", "true"): "true",
    ("no", "yes"): "yes",
    ("neg", "pos"): "pos",
    ("negative", "positive"): "positive",
    ("0", "1"): "1",
}


@dataclass(frozen=True)
class Guess:
    """One inference, for errors that follow it: what was decided and the option that overrides
    it ("task inferred as binary from the first rows", "--task")."""

    what: str
    option: str

    @property
    def text(self) -> str:
        """'task inferred as binary from the first rows; pass --task to override'."""
        return f"{self.what}; pass {self.option} to override"


@dataclass
class Labels:
    """The label side of a layout, with what was inferred about it."""

    encoding: LabelEncoding
    positive: str | None = None
    pred_column: int | None = None
    numeric_names: bool = False
    notes: list[str] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)


def binary_labels(
    first: pa.RecordBatch,
    columns: Columns,
    names: Sequence[str],
    positive: str | None,
    soft: bool,
    file: str,
    whole: Callable[[bool], list[Any] | None],
) -> Labels:
    """Encoding and positive class of binary labels; with two prediction columns, the column
    of the positive class (named after it, or by --classes)."""
    column = columns.true[0]
    array = first.column(column)
    if pa.types.is_boolean(array.type):
        labels = Labels(LabelEncoding.BOOLEAN, _boolean_positive(positive, column))
    elif is_text(array.type):
        labels = _string_labels(array, columns, positive, file, whole)
    else:
        values = set(distinct(array))
        if len(values) < 2:  # one value so far: the whole column shows the encoding
            values |= set(whole(False) or ())
        labels = _numeric_labels(values, positive, soft, column)
    if len(names) == 2:
        labels.pred_column = _positive_column(names, labels)
    return labels


def _boolean_positive(positive: str | None, column: str) -> str:
    if positive is None:
        return "true"
    value = {"true": "true", "1": "true", "false": "false", "0": "false"}.get(positive.lower())
    if value is None:
        raise UsageError(
            f"--positive {positive} is not a label of column '{column}' (true/false labels: "
            "pass --positive true or --positive false)"
        )
    return value


def _numeric_labels(values: set[Any], positive: str | None, soft: bool, column: str) -> Labels:
    encoding = LabelEncoding.ZERO_ONE
    if -1.0 in values or positive in ("-1", "-1.0"):
        encoding = LabelEncoding.PLUS_MINUS_ONE
    elif soft and any(0.0 < v < 1.0 for v in values):
        encoding = LabelEncoding.SOFT
    if positive is None:
        return Labels(encoding, "1")
    allowed = ("-1", "1") if encoding is LabelEncoding.PLUS_MINUS_ONE else ("0", "1")
    try:
        value = f"{float(positive):g}"
    except ValueError:
        value = positive
    if value not in allowed:
        raise UsageError(
            f"--positive {positive} is not a label of column '{column}' ({encoding.value} labels: "
            f"pass --positive {allowed[0]} or --positive {allowed[1]})"
        )
    return Labels(encoding, value)


def _string_labels(
    array: pa.Array,
    columns: Columns,
    positive: str | None,
    file: str,
    whole: Callable[[bool], list[Any] | None],
) -> Labels:
    """Two string labels: the positive is --positive, a known pair's (yes of no/yes), or the one
    a lone prediction column is named after (proba_benign); a first batch holding one label
    asks the whole column."""
    column = columns.true[0]
    values = sorted(str(v) for v in distinct(array))
    if len(values) < 2:
        values = sorted(str(v) for v in (whole(False) or values))
        if len(values) > 2:
            raise InputError(
                f"more than two labels in a binary task: {', '.join(values[:5])}",
                file=file,
                column=column,
                hint="pass --task multiclass with one probability column per class",
            )
    if positive is not None:
        return Labels(LabelEncoding.STRINGS, positive)
    if len(columns.pred) == 1:
        suffix = strip_prefix(columns.pred[0], PRED_PREFIXES)
        if suffix != columns.pred[0] and suffix in values:
            note = f"positive '{suffix}', from the column name {columns.pred[0]} (--positive)"
            guess = Guess(
                "the positive label was read from the prediction column's name", "--positive"
            )
            return Labels(LabelEncoding.STRINGS, suffix, notes=[note], guesses=[guess])
    known = BINARY_WORDS.get(tuple(v.lower() for v in values))
    if known is not None:
        chosen = next(v for v in values if v.lower() == known)
        guess = Guess(f"positive label '{chosen}' inferred", "--positive")
        return Labels(
            LabelEncoding.STRINGS,
            chosen,
            notes=[f"positive '{chosen}' (--positive)"],
            guesses=[guess],
        )
    raise InputError(
        f"string labels {', '.join(repr(v) for v in values)}: which one is positive?",
        file=file,
        column=column,
        hint="pass --positive LABEL",
    )


def _positive_column(names: Sequence[str], labels: Labels) -> int | None:
    """Of two prediction columns, the one named after the positive label (proba_1, proba_yes),
    when the other is named after the negative."""
    positive = labels.positive or ""
    if labels.encoding is LabelEncoding.STRINGS:
        keys = [n for n in names]
    else:
        keys = [_number_text(n) for n in names]
        positive = _number_text(positive)
        if labels.encoding is LabelEncoding.BOOLEAN:
            keys = [{"1": "true", "0": "false"}.get(k.lower(), k.lower()) for k in names]
    if positive in keys and len(set(keys)) == 2:
        return keys.index(positive)
    return None


def _number_text(text: str) -> str:
    try:
        return f"{float(text):g}"
    except ValueError:
        return text


def multiclass_labels(
    columns: Columns,
    first: pa.RecordBatch,
    names: Sequence[str],
    pred_list: bool,
    classes_given: bool,
) -> Labels:
    """One-hot or soft target columns; string labels matched to the columns' names; integer
    labels matched by value when the columns are named by integers (p_1..p_K) or by --classes,
    else read as positions 0..K-1."""
    if len(columns.true) > 1:
        y = np.column_stack([to_float64(first.column(c)) for c in columns.true])
        hard = np.isin(y[~np.isnan(y).any(axis=1)], (0.0, 1.0)).all()
        return Labels(LabelEncoding.ONE_HOT if hard else LabelEncoding.SOFT)
    dtype = first.schema.field(columns.true[0]).type
    if is_text(dtype):
        return Labels(LabelEncoding.CLASS_NAMES)
    numbers = [_integer(n) for n in names]
    if pred_list or (not classes_given and None in numbers):
        return Labels(LabelEncoding.CLASS_INDICES)
    if numbers == list(range(len(names))):
        return Labels(LabelEncoding.CLASS_INDICES)
    if None in numbers:
        raise UsageError("--classes must name integer classes for integer labels")
    return Labels(LabelEncoding.CLASS_NAMES, numeric_names=True)


def _integer(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None
