"""Batches to numpy arrays in the kernels' conventions, checked on every batch against the
layout: one converter per task behind one interface (`BatchConverter(...)` builds the one the
layout's task needs).

Conventions handed to the kernels: regression y, x as float64 (n,); binary y in {0, 1}; multi-class
y as int64 class indices (n,) or float targets (n, K); multi-label y as (n, K) 0/1; predictions
(n,) or (n, K) float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.check import NonFinite, all_finite, check_arrays
from losscli.columns.arrow import (
    compute,
    float_column,
    float_columns,
    is_text,
    string_array,
    to_float64,
)
from losscli.columns.labels import LabelEncoding, Task
from losscli.columns.layout import Layout
from losscli.columns.resolve import Columns
from losscli.errors import InputError, UsageError


@dataclass
class Arrays:
    """One batch in the kernels' conventions, rows with missing values already dropped."""

    y: np.ndarray
    pred: np.ndarray
    weight: np.ndarray | None
    keep: np.ndarray | None  # rows kept (None: all) — to filter group and key columns alike
    rows: int
    dropped: int
    unnormalised: int = 0


class BatchConverter:
    """Validate batches and convert them to `Arrays`, remembering what it has seen across them.

    `BatchConverter(columns, layout, ...)` returns the converter of the layout's task; each task
    supplies `labels` (the label column(s) as floats, NaN where missing) and may refine `finish`.
    """

    def __new__(cls, columns: Columns, layout: Layout, **options: object) -> BatchConverter:
        if cls is BatchConverter:
            cls = _CONVERTERS[Task(layout.task)]
        return super().__new__(cls)

    def __init__(
        self,
        columns: Columns,
        layout: Layout,
        *,
        nan: str = "error",
        probabilities: bool = False,
    ) -> None:
        if nan not in ("error", "drop"):
            raise UsageError(f"--nan must be 'error' or 'drop', not '{nan}'")
        self.columns = columns
        self.layout = layout
        self.nan = nan
        self.probabilities = probabilities and not layout.from_logits

    def convert(self, batch: pa.RecordBatch, offset: int, file: str) -> Arrays:
        """`offset` is the number of rows of `file` before this batch."""
        cols = self.columns
        n = batch.num_rows
        try:
            pred = self._pred(batch, offset, file)
            y = self.labels(batch, offset, file)
        except InputError as exc:
            raise self.after_inference(exc) from None
        weight = (
            float_column(batch.column(cols.weight), cols.weight, file, offset)
            if cols.weight
            else None
        )
        # no NaN or infinity anywhere (one sum per array): nothing missing, nothing infinite
        finite = all_finite(pred, y, weight)
        keep = None
        dropped = 0
        if not finite:
            missing = np.isnan(pred) if pred.ndim == 1 else np.isnan(pred).any(axis=1)
            y_missing = self.missing_labels(y)
            missing = missing | y_missing
            if weight is not None:
                missing |= np.isnan(weight)
        if not finite and missing.any():
            if self.nan == "error":
                row = int(np.argmax(missing))
                raise InputError(
                    "missing value (NaN or empty)",
                    file=file,
                    column=self._missing_column(row, y_missing, pred, weight),
                    row=offset + row + 1,
                    hint="pass --nan drop to skip such rows",
                )
            keep = ~missing
            dropped = int(missing.sum())
            pred, y = pred[keep], y[keep]
            weight = None if weight is None else weight[keep]
        rows = np.flatnonzero(keep) if keep is not None else None
        first = (offset + 1 + rows) if rows is not None else offset + 1
        self._check(y, pred, weight, file, first, finite)
        unnormalised = 0
        if self.probabilities and self.layout.task == Task.MULTICLASS:
            unnormalised = int(np.count_nonzero(np.abs(pred.sum(axis=1) - 1.0) > 1e-6))
        return Arrays(self.finish(y), pred, weight, keep, n, dropped, unnormalised)

    def after_inference(self, exc: InputError) -> InputError:
        """`exc` with what was inferred and the options that override it, once."""
        exc.hint = self.layout.hint_after(exc.hint)
        return exc

    def _check(
        self,
        y: np.ndarray,
        pred: np.ndarray,
        weight: np.ndarray | None,
        file: str,
        rows: int | np.ndarray,
        finite: bool = False,
    ) -> None:
        """`finite`: no value is NaN or infinite (known already: not looked at again)."""
        try:
            check_arrays(
                y,
                pred,
                weight,
                task=self.layout.task,
                nonfinite=NonFinite.IGNORE if finite else NonFinite.INFINITE,
                probabilities=self.probabilities,
                columns=self._check_columns(),
                file=file,
                rows=rows,
            )
        except InputError as exc:
            raise self.after_inference(exc) from None

    # -- what each task supplies --------------------------------------------------------------
    def labels(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        """The labels as floats in the kernels' convention, NaN where missing."""
        raise NotImplementedError

    def missing_labels(self, y: np.ndarray) -> np.ndarray:
        """Rows whose label is missing."""
        return np.asarray(np.isnan(y) if y.ndim == 1 else np.isnan(y).any(axis=1))

    def finish(self, y: np.ndarray) -> np.ndarray:
        """The labels handed on, once missing rows are gone."""
        return y

    # -- predictions --------------------------------------------------------------------------
    def _pred(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        cols = self.columns
        if self.layout.pred_list:
            pred = self._pred_list(batch.column(cols.pred[0]), offset, file)
            return pred[:, 0] if self.layout.task in (Task.REGRESSION, Task.BINARY) else pred
        if self.layout.pred_column is not None:
            column = cols.pred[self.layout.pred_column]
            return float_column(batch.column(column), column, file, offset)
        if len(cols.pred) == 1:
            return float_column(batch.column(cols.pred[0]), cols.pred[0], file, offset)
        return float_columns(batch, cols.pred, file, offset)

    def _pred_list(self, array: pa.Array, offset: int, file: str) -> np.ndarray:
        column = self.columns.pred[0]
        if array.null_count:
            raise InputError(
                "missing list value",
                file=file,
                column=column,
                row=offset + int(np.argmax(array.is_null().to_numpy(zero_copy_only=False))) + 1,
            )
        pc = compute()
        lengths = to_float64(pc.list_value_length(array))
        k = self.layout.k if self.layout.task in (Task.MULTICLASS, Task.MULTILABEL) else 1
        if (lengths != k).any():
            row = int(np.argmax(lengths != k))
            raise InputError(
                f"list of {lengths[row]} values where {k} were expected",
                file=file,
                column=column,
                row=offset + row + 1,
            )
        flat = float_column(pc.list_flatten(array), column, file)
        return flat.reshape(len(array), k)

    def _same_kind(self, text: bool, expected: bool, offset: int, file: str) -> None:
        """Labels are text in every batch, or numbers in every batch, as they were when the
        layout was decided: a file whose labels change kind is refused, not read another way."""
        if text != expected:
            kinds = ("text", "numbers") if text else ("numbers", "text")
            raise InputError(
                f"labels are {kinds[0]} here but were {kinds[1]} in the first rows read",
                file=file,
                column=self.columns.true[0],
                row=offset + 1,
                hint="write the labels one way in every file (pass --task to set the task)",
            )

    def _check_columns(self) -> dict[str, list[str] | str | None]:
        """Column names for check_arrays' errors (one name per prediction column, or the list)."""
        cols = self.columns
        pred = [cols.pred[0]] if self.layout.pred_list else cols.pred
        if self.layout.pred_column is not None:
            pred = [cols.pred[self.layout.pred_column]]
        return {"true": cols.true[0], "pred": pred, "weight": cols.weight}

    def _missing_column(
        self, row: int, y_missing: np.ndarray, pred: np.ndarray, weight: np.ndarray | None
    ) -> str:
        cols = self.columns
        if y_missing[row]:
            return cols.true[0]
        if weight is not None and np.isnan(weight[row]):
            return cols.weight or ""
        if self.layout.pred_column is not None:
            return cols.pred[self.layout.pred_column]
        if pred.ndim == 1 or self.layout.pred_list:
            return cols.pred[0]
        return cols.pred[int(np.argmax(np.isnan(pred[row])))]


class RegressionConverter(BatchConverter):
    """Regression: one numeric label column."""

    def labels(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        column = self.columns.true[0]
        return float_column(batch.column(column), column, file, offset)


class BinaryConverter(BatchConverter):
    """Binary: labels 0/1, -1/+1, booleans, or two strings one of which is positive."""

    def __init__(self, columns: Columns, layout: Layout, **options: Any) -> None:
        super().__init__(columns, layout, **options)
        self.seen: set[object] = set()

    def labels(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        array = batch.column(self.columns.true[0])
        text = is_text(array.type) or pa.types.is_dictionary(array.type)
        self._same_kind(text, self.layout.encoding is LabelEncoding.STRINGS, offset, file)
        if text:
            return self._strings(array, file)
        return self._numbers(array, offset, file)

    def _strings(self, array: pa.Array, file: str) -> np.ndarray:
        column = self.columns.true[0]
        positive = self.layout.positive
        text = array.cast(pa.string()) if pa.types.is_dictionary(array.type) else array
        pc = compute()
        labels = pc.unique(text)
        names = labels.to_pylist()
        self.seen |= set(names) - {None}
        if len(self.seen) > 2:
            extra = sorted(str(v) for v in self.seen)
            raise InputError(
                f"more than two labels in a binary task: {', '.join(extra[:5])}",
                file=file,
                column=column,
                hint="pass --task multiclass with one probability column per class",
            )
        if positive is not None and len(self.seen) == 2 and positive not in self.seen:
            raise InputError(
                f"--positive '{positive}' is not one of the labels "
                f"{', '.join(sorted(map(str, self.seen)))}",
                file=file,
                column=column,
            )
        codes = to_float64(pc.index_in(text, value_set=labels))  # NaN where missing
        positive_code = names.index(positive) if positive in names else -1
        return np.where(np.isnan(codes), np.nan, (codes == positive_code).astype(np.float64))

    def _numbers(self, array: pa.Array, offset: int, file: str) -> np.ndarray:
        """0/1, -1/+1 or boolean labels as 1 for the positive label and 0 for the other; soft
        labels (floats in [0, 1], when the task was given or settled by the losses) as the
        probability of the positive label."""
        column = self.columns.true[0]
        y = float_column(array, column, file, offset)
        if self._plain_zero_one(array, y):
            return y
        one, zero, minus = y == 1, y == 0, y == -1
        soft = (y > 0) & (y < 1) if self.layout.soft_labels else np.zeros(len(y), dtype=bool)
        ok = one | zero | minus | soft | np.isnan(y)
        if not ok.all():
            row = int(np.argmax(~ok))
            fits = (
                "0/1, -1/+1 or soft labels in [0, 1]" if self.layout.soft_labels else "0/1 or -1/+1"
            )
            raise InputError(
                f"label {y[row]:g} does not fit a binary task (labels {fits})",
                file=file,
                column=column,
                row=offset + row + 1,
                hint="pass --task regression or multiclass if that is what the data is",
            )
        self.seen |= {
            v for v, m in ((1.0, one), (0.0, zero), (-1.0, minus), (0.5, soft)) if m.any()
        }
        if -1.0 in self.seen and ({0.0, 0.5} & self.seen):
            row = int(np.argmax(zero | minus | soft))
            raise InputError(
                f"labels mix {'0' if 0.0 in self.seen else 'soft labels'} and -1 (use 0/1 or -1/+1)",
                file=file,
                column=column,
                row=offset + row + 1,
            )
        if self.layout.positive_value == 0.0 and minus.any():
            raise InputError(
                "label -1 where --positive 0 reads the labels as 0/1",
                file=file,
                column=column,
                row=offset + int(np.argmax(minus)) + 1,
            )
        if self.layout.positive_value == -1.0 and zero.any():
            raise InputError(
                "label 0 where --positive -1 reads the labels as -1/+1",
                file=file,
                column=column,
                row=offset + int(np.argmax(zero)) + 1,
                hint="pass --positive 0 or --positive 1 for 0/1 labels",
            )
        if self.layout.positive_value == 0.0:
            return np.asarray(1.0 - y)  # NaN stays NaN
        labels = np.where(minus, 0.0, y) if self.layout.positive_value == 1.0 else minus * 1.0
        missing = np.isnan(y)
        if missing.any():
            labels = np.where(missing, np.nan, labels)
        return np.asarray(labels, dtype=np.float64)

    def _plain_zero_one(self, array: pa.Array, y: np.ndarray) -> bool:
        """Integer or boolean labels without nulls, all 0 or 1 (told by their least and
        greatest), read with 1 as the positive label: `y` is the answer as it stands."""
        kind = array.type
        if self.layout.positive_value != 1.0 or array.null_count or not len(y):
            return False
        if not (pa.types.is_integer(kind) or pa.types.is_boolean(kind)):
            return False
        low, high = float(y.min()), float(y.max())
        if low < 0 or high > 1 or (low == 0 and -1.0 in self.seen):  # -1 seen: refused below
            return False
        self.seen |= {v for v, present in ((0.0, low == 0), (1.0, high == 1)) if present}
        return True


class MultilabelConverter(BatchConverter):
    """Multi-label: one 0/1 label column per prediction column."""

    def labels(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        cols = self.columns
        y = float_columns(batch, cols.true, file, offset)
        bad = ~np.isin(y, (0.0, 1.0)) & ~np.isnan(y)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise InputError(
                f"label {y[row, col]:g} is not 0/1",
                file=file,
                column=cols.true[col],
                row=offset + int(row) + 1,
            )
        return y


class MulticlassConverter(BatchConverter):
    """Multi-class: class indices, class names, or one-hot / soft target columns."""

    def __init__(self, columns: Columns, layout: Layout, **options: Any) -> None:
        super().__init__(columns, layout, **options)
        if layout.classes:
            self.class_array = string_array(layout.classes)

    def labels(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        if len(self.columns.true) > 1:
            return self._targets(batch, offset, file)
        array = batch.column(self.columns.true[0])
        layout = self.layout
        named = layout.encoding is LabelEncoding.CLASS_NAMES and not layout.numeric_names
        self._same_kind(is_text(array.type), named, offset, file)
        if is_text(array.type):
            return self._names(array, offset, file)
        return self._indices(array, offset, file)

    def finish(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.int64) if y.ndim == 1 else y  # class indices, missing labels gone

    def _targets(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        cols = self.columns
        y = float_columns(batch, cols.true, file, offset)
        bad = (y < 0) | (y > 1)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise InputError(
                f"target {y[row, col]:g} is outside [0, 1]",
                file=file,
                column=cols.true[col],
                row=offset + int(row) + 1,
            )
        sums = y.sum(axis=1)
        off = np.abs(sums - 1.0) > 1e-6
        if off.any():
            row = int(np.argmax(off))
            raise InputError(
                f"target row sums to {sums[row]:g}, not 1 (one-hot or a distribution expected)",
                file=file,
                column=cols.true[0],
                row=offset + row + 1,
            )
        if self.layout.encoding == LabelEncoding.ONE_HOT:
            hard = np.isin(y, (0.0, 1.0)).all(axis=1)
            if hard.all():
                return np.asarray(np.argmax(y, axis=1), dtype=np.int64)
        return y

    def _names(self, array: pa.Array, offset: int, file: str) -> np.ndarray:
        column = self.columns.true[0]
        text = array.cast(pa.string()) if pa.types.is_dictionary(array.type) else array
        pc = compute()
        codes = pc.index_in(text, value_set=self.class_array)
        unknown = pc.and_(pc.is_null(codes), pc.is_valid(text))
        if pc.any(unknown).as_py():
            row = int(np.argmax(unknown.to_numpy(zero_copy_only=False)))
            raise InputError(
                f"label '{text[row].as_py()}' has no prediction column",
                file=file,
                column=column,
                row=offset + row + 1,
                hint=f"classes of the prediction columns: {', '.join(self.layout.classes or [])}; "
                "pass --classes A,B,... to name the class of each column, in order",
            )
        return to_float64(codes)  # NaN: a missing label

    def _indices(self, array: pa.Array, offset: int, file: str) -> np.ndarray:
        """Integer labels: positions 0..K-1, or class names matched by value (1..K with
        p_1..p_K, or --classes)."""
        column = self.columns.true[0]
        y = float_column(array, column, file, offset)
        finite = ~np.isnan(y)
        if self.layout.numeric_names:
            return self._numeric_names(y, finite, offset, file)
        k = self.layout.k
        bad = finite & ((y != np.round(y)) | (y < 0) | (y >= k))
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(
                f"class index {y[row]:g} is not an integer in 0..{k - 1}",
                file=file,
                column=column,
                row=offset + row + 1,
                hint="pass --classes A,B,... to name the class of each prediction column",
            )
        return y

    def _numeric_names(
        self, y: np.ndarray, finite: np.ndarray, offset: int, file: str
    ) -> np.ndarray:
        names = np.array([float(c) for c in self.layout.classes or []])
        order = np.argsort(names, kind="stable")
        where = np.searchsorted(names[order], np.where(finite, y, names[order][0]))
        where = np.minimum(where, len(names) - 1)
        unknown = finite & (names[order][where] != y)
        if unknown.any():
            row = int(np.argmax(unknown))
            raise InputError(
                f"label {y[row]:g} has no prediction column (the columns' classes are "
                f"{', '.join(self.layout.classes or [])})",
                file=file,
                column=self.columns.true[0],
                row=offset + row + 1,
                hint="pass --classes A,B,... to name the class of each prediction column, in order",
            )
        return np.where(finite, order[where].astype(np.float64), np.nan)


_CONVERTERS: dict[Task, type[BatchConverter]] = {
    Task.REGRESSION: RegressionConverter,
    Task.BINARY: BinaryConverter,
    Task.MULTICLASS: MulticlassConverter,
    Task.MULTILABEL: MultilabelConverter,
}
