"""Resolve which columns hold labels, predictions, weights and groups; infer the task and the
label layout; validate every batch and turn it into numpy arrays in the kernels' conventions.

Conventions handed to the kernels: regression y, x as float64 (n,); binary y in {0, 1}; multi-class
y as int64 class indices (n,) or float targets (n, K); multi-label y as (n, K) 0/1; predictions
(n,) or (n, K) float64.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from losscli.errors import InputError, UsageError
from losscli.losses import TASKS

TRUE_NAMES = ("y_true", "target", "label", "actual", "y", "truth", "ground_truth", "labels")
PRED_NAMES = (
    "y_pred",
    "pred",
    "prediction",
    "yhat",
    "y_hat",
    "score",
    "y_score",
    "prob",
    "proba",
    "probability",
    "y_prob",
    "y_proba",
    "logit",
    "logits",
)
#: Prefixes of one-column-per-class prediction families, and of label families.
PRED_PREFIXES = (
    "p_",
    "prob_",
    "proba_",
    "probability_",
    "pred_",
    "y_pred_",
    "logit_",
    "logits_",
    "score_",
)
TRUE_PREFIXES = ("y_", "true_", "y_true_", "label_", "target_", "is_")
_BINARY_WORDS = {
    ("false", "true"): "true",
    ("no", "yes"): "yes",
    ("neg", "pos"): "pos",
    ("negative", "positive"): "positive",
    ("0", "1"): "1",
}


@dataclass
class Columns:
    """Which input columns play which role."""

    true: list[str]
    pred: list[str]
    weight: str | None = None
    by: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def needed(self) -> list[str]:
        out: list[str] = []
        for name in (*self.true, *self.pred, self.weight, *self.by):
            if name is not None and name not in out:
                out.append(name)
        return out

    def as_dict(self) -> dict[str, list[str] | str | None]:
        return {"true": self.true, "pred": self.pred, "weight": self.weight, "by": self.by}


def _expand(patterns: Sequence[str], names: Sequence[str], role: str, file: str) -> list[str]:
    out: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            hits = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
            if not hits:
                raise InputError(
                    f"no column matches {role} pattern '{pattern}'",
                    file=file,
                    hint=f"columns: {', '.join(names)}",
                )
            out.extend(h for h in hits if h not in out)
        elif pattern in names:
            out.append(pattern)
        else:
            raise InputError(
                "missing column", file=file, column=pattern, hint=f"columns: {', '.join(names)}"
            )
    return out


def _by_name(names: Sequence[str], wanted: Sequence[str], taken: set[str]) -> list[str]:
    lower = {n.lower(): n for n in names if n not in taken}
    return [lower[w] for w in wanted if w in lower]


def _family(names: Sequence[str], prefixes: Sequence[str], taken: set[str]) -> dict[str, list[str]]:
    families = {}
    for prefix in prefixes:
        members = [n for n in names if n.lower().startswith(prefix) and n not in taken]
        if len(members) >= 2:
            families[prefix] = members
    # a longer prefix (y_pred_) wins over a shorter one (y_) holding the same columns
    return {
        p: m
        for p, m in families.items()
        if not any(q != p and q.startswith(p) and set(families[q]) == set(m) for q in families)
    }


def resolve_columns(
    names: Sequence[str],
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    by: Sequence[str] | None = None,
    file: str = "",
) -> Columns:
    """Match the column options against the file's columns, guessing unnamed roles by name."""
    names = list(names)
    listed = f"columns: {', '.join(names)}"
    notes: list[str] = []
    by_cols = _expand(by or [], names, "--by", file)
    weight_col = _expand([weight], names, "--weight", file)[0] if weight else None
    taken = set(by_cols) | ({weight_col} if weight_col else set())
    if true:
        true_cols = _expand(true, names, "--true", file)
        taken |= set(true_cols)
    if pred:
        pred_cols = _expand(pred, names, "--pred", file)
    else:
        single = _by_name(names, PRED_NAMES, taken | (set(true_cols) if true else set()))
        if len(single) > 1:
            raise InputError(
                f"more than one column could be the prediction: {', '.join(single)}",
                file=file,
                hint="pass --pred",
            )
        if single:
            pred_cols = single
        else:
            families = _family(names, PRED_PREFIXES, taken)
            if len(families) != 1:
                what = (
                    "several column families could be the predictions: "
                    + "; ".join(", ".join(m) for m in families.values())
                    if families
                    else "cannot find the prediction column(s)"
                )
                raise InputError(what, file=file, hint=f"pass --pred; {listed}")
            pred_cols = next(iter(families.values()))
        notes.append(f"predictions {_show(pred_cols)} (--pred)")
    taken |= set(pred_cols)
    if not true:
        true_cols = _by_name(names, TRUE_NAMES, taken)
        if len(true_cols) > 1:
            raise InputError(
                f"more than one column could be the label: {', '.join(true_cols)}",
                file=file,
                hint="pass --true",
            )
        if not true_cols and len(pred_cols) > 1:
            true_cols = _matching_family(names, pred_cols, taken)
        if not true_cols:
            raise InputError(
                "cannot find the label/target column", file=file, hint=f"pass --true; {listed}"
            )
        notes.append(f"labels {_show(true_cols)} (--true)")
    overlap = set(true_cols) & set(pred_cols)
    if overlap:
        raise UsageError(f"column '{sorted(overlap)[0]}' is both --true and --pred")
    return Columns(true_cols, pred_cols, weight_col, by_cols, notes)


def _matching_family(names: Sequence[str], pred_cols: Sequence[str], taken: set[str]) -> list[str]:
    """Label columns whose suffixes match the prediction family's (y_cat for p_cat)."""
    suffixes = [_strip_prefix(c, PRED_PREFIXES) for c in pred_cols]
    for prefix in TRUE_PREFIXES:
        lower = {n.lower(): n for n in names if n not in taken}
        found = [lower.get(prefix + s.lower()) for s in suffixes]
        if all(found):
            return [f for f in found if f]
    return []


def _strip_prefix(name: str, prefixes: Sequence[str]) -> str:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if name.lower().startswith(prefix):
            return name[len(prefix) :]
    return name


def _show(cols: Sequence[str]) -> str:
    if len(cols) <= 4:
        return ", ".join(cols)
    return f"{cols[0]}, {cols[1]}, ... {cols[-1]} ({len(cols)} columns)"


# ---------------------------------------------------------------------------------------------
# Layout: task, label encoding, probabilities or logits


@dataclass
class Layout:
    """What the data is: the task and how labels and predictions are encoded."""

    task: str
    labels: str
    from_logits: bool
    task_inferred: bool = False
    from_logits_inferred: bool = False
    classes: list[str] | None = None
    positive: str | None = None
    pred_list: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.classes) if self.classes else 1


def _is_list(dtype: pa.DataType) -> bool:
    return (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    )


def _is_text(dtype: pa.DataType) -> bool:
    if pa.types.is_dictionary(dtype):
        return _is_text(dtype.value_type)
    return (
        pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_string_view(dtype)
    )


def _compute():
    """pyarrow.compute, imported on first use: numeric columns never need it (it costs 20 ms)."""
    import pyarrow.compute

    return pyarrow.compute


def _distinct(array: pa.Array, limit: int = 64) -> list:
    """Up to limit + 1 distinct values of a column (numeric columns through numpy)."""
    if _is_numeric(array.type):
        values = to_float64(array)
        return np.unique(values[~np.isnan(values)])[: limit + 1].tolist()
    pc = _compute()
    return pc.unique(array.drop_null() if array.null_count else array)[: limit + 1].to_pylist()


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
    if task is not None and task not in TASKS:
        raise UsageError(f"unknown task '{task}' (valid: {', '.join(TASKS)})")
    pred_types = [first.schema.field(c).type for c in columns.pred]
    pred_list = len(columns.pred) == 1 and _is_list(pred_types[0])
    if pred_list:
        k = _list_width(first.column(columns.pred[0]), columns.pred[0], file)
        classes = [str(i) for i in range(k)]
    else:
        k = len(columns.pred)
        classes = [_strip_prefix(c, PRED_PREFIXES) for c in columns.pred] if k > 1 else None
    true_types = [first.schema.field(c).type for c in columns.true]
    inferred = task is None
    notes: list[str] = []
    if task is None:
        task = _infer_task(columns, first, k, true_types, file)
    _check_shape(task, columns, k, file)

    if from_logits is None:
        from_logits = any("logit" in c.lower() for c in columns.pred)
        logits_inferred = True
    else:
        logits_inferred = False
    layout = Layout(
        task=task,
        labels="values",
        from_logits=from_logits,
        task_inferred=inferred,
        from_logits_inferred=logits_inferred and from_logits,
        classes=classes if task in ("multiclass", "multilabel") else None,
        positive=positive,
        pred_list=pred_list,
        notes=notes,
    )
    if task == "binary":
        layout.labels, layout.positive = _binary_encoding(
            first.column(columns.true[0]), true_types[0], positive, columns.true[0], file
        )
    elif task == "multiclass":
        layout.labels = _multiclass_encoding(columns, true_types, first)
    elif task == "multilabel":
        layout.labels = "multi-label 0/1"
    if inferred:
        notes.append(f"task {task} (--task)")
    if layout.from_logits_inferred:
        notes.append("logits, from the column names (--from-probabilities)")
    return layout


def _list_width(array: pa.Array, name: str, file: str) -> int:
    pc = _compute()
    lengths = pc.list_value_length(array).drop_null()
    if len(lengths) == 0:
        raise InputError("list column holds no values", file=file, column=name)
    k = pc.min_max(lengths)
    if k["min"].as_py() != k["max"].as_py():
        raise InputError("list column has rows of different lengths", file=file, column=name)
    return int(k["min"].as_py())


def _infer_task(
    columns: Columns, first: pa.RecordBatch, k: int, true_types: list, file: str
) -> str:
    if k >= 2:
        if len(columns.true) == 1:
            return "multiclass"
        y = np.column_stack([_float(first.column(c), c, file) for c in columns.true])
        y = y[~np.isnan(y).any(axis=1)]
        hard = np.isin(y, (0.0, 1.0)).all()
        sums_one = np.allclose(y.sum(axis=1), 1.0, rtol=0, atol=1e-6)
        if sums_one:
            return "multiclass"
        if hard:
            return "multilabel"
        raise InputError(
            "label columns are neither one-hot (rows summing to 1) nor multi-label 0/1",
            file=file,
            hint="pass --task",
        )
    dtype = true_types[0]
    if _is_text(dtype) or pa.types.is_boolean(dtype):
        values = _distinct(first.column(columns.true[0]))
        if len(values) > 2:
            raise InputError(
                f"{len(values) if len(values) <= 64 else 'many'} distinct labels but one "
                "prediction column",
                file=file,
                column=columns.true[0],
                hint="for multi-class data pass one probability column per class (--pred 'p_*')",
            )
        return "binary"
    values = set(_distinct(first.column(columns.true[0])))
    if len(values) == 2 and (values == {0, 1} or values == {-1, 1}):
        return "binary"
    return "regression"


def _check_shape(task: str, columns: Columns, k: int, file: str) -> None:
    if task in ("regression", "binary"):
        if k != 1 or len(columns.true) != 1:
            raise InputError(
                f"{task} needs one label and one prediction column, got "
                f"{len(columns.true)} and {k}",
                file=file,
                hint="pass --task multiclass or multilabel for several columns",
            )
    elif task == "multiclass":
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
    elif task == "multilabel" and len(columns.true) != k:
        raise InputError(
            f"multilabel needs as many label columns as prediction columns, got "
            f"{len(columns.true)} and {k}",
            file=file,
        )


def _binary_encoding(
    array: pa.Array, dtype: pa.DataType, positive: str | None, column: str, file: str
) -> tuple[str, str | None]:
    if pa.types.is_boolean(dtype):
        return "true/false", "true"
    if _is_text(dtype):
        values = sorted(str(v) for v in _distinct(array))
        if positive is not None:
            return f"strings, positive '{positive}'", positive
        known = _BINARY_WORDS.get(tuple(v.lower() for v in values))
        if known is not None:
            pos = next(v for v in values if v.lower() == known)
            return f"strings, positive '{pos}'", pos
        raise InputError(
            f"string labels {', '.join(repr(v) for v in values)}: which one is positive?",
            file=file,
            column=column,
            hint="pass --positive LABEL",
        )
    values = set(_distinct(array))
    return ("-1/+1" if -1 in values else "0/1"), None


def _multiclass_encoding(columns: Columns, true_types: list, first: pa.RecordBatch) -> str:
    if len(columns.true) > 1:
        y = np.column_stack([to_float64(first.column(c)) for c in columns.true])
        return (
            "one-hot" if np.isin(y[~np.isnan(y).any(axis=1)], (0.0, 1.0)).all() else "soft targets"
        )
    if _is_text(true_types[0]):
        return "class names"
    return "integer indices"


# ---------------------------------------------------------------------------------------------
# Batches to numpy


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


def _float(array: pa.Array, column: str, file: str, offset: int = 0) -> np.ndarray:
    """A numeric (or numeric-text) column as float64; nulls become NaN."""
    dtype = array.type
    if pa.types.is_dictionary(dtype):
        array = array.dictionary_decode()
        dtype = array.type
    if _is_text(dtype):
        try:
            array = _compute().cast(array, pa.float64())
        except pa.ArrowInvalid:
            text = np.asarray(array.to_pylist(), dtype=object)
            row = _first_non_numeric(text)
            raise InputError(
                f"non-numeric value {text[row]!r}", file=file, column=column, row=offset + row + 1
            ) from None
        dtype = array.type
    if not (
        pa.types.is_floating(dtype)
        or pa.types.is_integer(dtype)
        or pa.types.is_decimal(dtype)
        or pa.types.is_boolean(dtype)
        or pa.types.is_null(dtype)
    ):
        raise InputError(f"column of type {dtype} is not numeric", file=file, column=column)
    return to_float64(array)


_NUMPY_TYPES = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
    pa.float16(): np.float16,
    pa.float32(): np.float32,
    pa.float64(): np.float64,
}


def _is_numeric(dtype: pa.DataType) -> bool:
    return dtype in _NUMPY_TYPES or pa.types.is_boolean(dtype) or pa.types.is_null(dtype)


def to_float64(array: pa.Array) -> np.ndarray:
    """float64 values of a numeric Arrow array, NaN where null.

    Read straight from the Arrow buffers: `Array.to_numpy` would import pandas (0.1-0.3 s).
    """
    n = len(array)
    dtype = array.type
    if n == 0:
        return np.zeros(0)
    if pa.types.is_null(dtype):
        return np.full(n, np.nan)
    if pa.types.is_boolean(dtype):
        bits = np.unpackbits(np.frombuffer(array.buffers()[1], dtype=np.uint8), bitorder="little")
        values = bits[array.offset : array.offset + n].astype(np.float64)
    elif dtype in _NUMPY_TYPES:
        kind = np.dtype(_NUMPY_TYPES[dtype])
        values = np.frombuffer(
            array.buffers()[1], dtype=kind, count=n, offset=array.offset * kind.itemsize
        )
        if kind != np.float64:
            values = values.astype(np.float64)
    else:  # decimals, dictionary-decoded oddities
        return to_float64(_compute().cast(array, pa.float64()))
    if array.null_count:
        values = values.copy() if not values.flags.writeable else values
        values[~valid_mask(array)] = np.nan
    return values


def valid_mask(array: pa.Array) -> np.ndarray:
    """True where the array holds a value (from its validity bitmap)."""
    n = len(array)
    if array.null_count == 0:
        return np.ones(n, dtype=bool)
    if array.null_count == n or array.buffers()[0] is None:
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + n].astype(bool)


def bool_array(mask: np.ndarray) -> pa.Array:
    """A numpy mask as an Arrow boolean array (built from buffers: no pandas import)."""
    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def string_array(values: Sequence[str]) -> pa.Array:
    """Python strings as an Arrow string array (built from buffers: no pandas import)."""
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def _first_non_numeric(text: np.ndarray) -> int:
    """On the error path only: the first value that is not a number."""
    for i, value in enumerate(text):
        try:
            if value is not None:
                float(value)
        except (TypeError, ValueError):
            return i
    return 0


class BatchConverter:
    """Validate batches and convert them to `Arrays`, remembering what it has seen across them."""

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
        self.binary_seen: set = set()
        self.class_index: dict[str, int] | None = None
        if layout.task == "multiclass" and layout.classes:
            self.class_index = _class_index(layout.classes)
            self.class_array = string_array(layout.classes)

    def convert(self, batch: pa.RecordBatch, offset: int, file: str) -> Arrays:
        """`offset` is the number of rows of `file` before this batch."""
        cols = self.columns
        layout = self.layout
        n = batch.num_rows
        pred = self._pred(batch, offset, file)
        y = self._true(batch, offset, file)
        weight = (
            _float(batch.column(cols.weight), cols.weight, file, offset) if cols.weight else None
        )

        missing = np.isnan(pred) if pred.ndim == 1 else np.isnan(pred).any(axis=1)
        y_missing = self._y_missing(y)
        missing = missing | y_missing
        if weight is not None:
            missing |= np.isnan(weight)
        keep = None
        dropped = 0
        if missing.any():
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
        rows_offset = np.flatnonzero(keep) if keep is not None else None

        def where(mask: np.ndarray) -> int:
            i = int(np.argmax(mask))
            return offset + 1 + (int(rows_offset[i]) if rows_offset is not None else i)

        inf = np.isinf(pred) if pred.ndim == 1 else np.isinf(pred).any(axis=1)
        if inf.any():
            raise InputError(
                "infinite prediction", file=file, column=self._pred_col(pred, inf), row=where(inf)
            )
        if layout.task == "regression":
            bad = np.isinf(y)
            if bad.any():
                raise InputError("infinite value", file=file, column=cols.true[0], row=where(bad))
        if weight is not None:
            bad = ~np.isfinite(weight) | (weight < 0)
            if bad.any():
                raise InputError(
                    f"weights must be finite and >= 0, got {weight[np.argmax(bad)]:g}",
                    file=file,
                    column=cols.weight,
                    row=where(bad),
                )
        unnormalised = 0
        if self.probabilities:
            bad = (pred < 0) | (pred > 1)
            bad_rows = bad if bad.ndim == 1 else bad.any(axis=1)
            if bad_rows.any():
                value = pred[bad][0]
                raise InputError(
                    f"probability {value:g} is outside [0, 1]",
                    file=file,
                    column=self._pred_col(pred, bad_rows, bad),
                    row=where(bad_rows),
                    hint="pass --from-logits if the predictions are logits or scores",
                )
            if layout.task == "multiclass":
                unnormalised = int(np.count_nonzero(np.abs(pred.sum(axis=1) - 1.0) > 1e-6))
        if layout.task == "multiclass" and y.ndim == 1:
            y = y.astype(np.int64)  # class indices, now that missing labels are gone
        return Arrays(y, pred, weight, keep, n, dropped, unnormalised)

    # -- predictions ------------------------------------------------------------------------
    def _pred(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        cols = self.columns
        if self.layout.pred_list:
            array = batch.column(cols.pred[0])
            if array.null_count:
                raise InputError(
                    "missing list value",
                    file=file,
                    column=cols.pred[0],
                    row=offset + int(np.argmax(array.is_null().to_numpy(zero_copy_only=False))) + 1,
                )
            pc = _compute()
            lengths = to_float64(pc.list_value_length(array))
            k = self.layout.k
            if (lengths != k).any():
                row = int(np.argmax(lengths != k))
                raise InputError(
                    f"list of {lengths[row]} values where {k} were expected",
                    file=file,
                    column=cols.pred[0],
                    row=offset + row + 1,
                )
            flat = _float(pc.list_flatten(array), cols.pred[0], file)
            return flat.reshape(len(array), k)
        if len(cols.pred) == 1:
            return _float(batch.column(cols.pred[0]), cols.pred[0], file, offset)
        return np.column_stack([_float(batch.column(c), c, file, offset) for c in cols.pred])

    def _pred_col(self, pred: np.ndarray, rows: np.ndarray, cells: np.ndarray | None = None) -> str:
        if pred.ndim == 1 or self.layout.pred_list:
            return self.columns.pred[0]
        row = int(np.argmax(rows))
        mask = cells[row] if cells is not None else np.isinf(pred[row])
        return self.columns.pred[int(np.argmax(mask))]

    # -- labels -----------------------------------------------------------------------------
    def _true(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        task = self.layout.task
        cols = self.columns
        if task == "regression":
            return _float(batch.column(cols.true[0]), cols.true[0], file, offset)
        if task == "binary":
            return self._binary(batch.column(cols.true[0]), offset, file)
        if task == "multilabel":
            y = np.column_stack([_float(batch.column(c), c, file, offset) for c in cols.true])
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
        return self._multiclass(batch, offset, file)

    def _binary(self, array: pa.Array, offset: int, file: str) -> np.ndarray:
        column = self.columns.true[0]
        layout = self.layout
        if _is_text(array.type) or pa.types.is_dictionary(array.type):
            text = array.cast(pa.string()) if pa.types.is_dictionary(array.type) else array
            pc = _compute()
            labels = pc.unique(text)
            names = labels.to_pylist()
            self.binary_seen |= set(names) - {None}
            if len(self.binary_seen) > 2:
                extra = sorted(str(v) for v in self.binary_seen)
                raise InputError(
                    f"more than two labels in a binary task: {', '.join(extra[:5])}",
                    file=file,
                    column=column,
                    hint="pass --task multiclass with one probability column per class",
                )
            if (
                layout.positive is not None
                and len(self.binary_seen) == 2
                and layout.positive not in self.binary_seen
            ):
                raise InputError(
                    f"--positive '{layout.positive}' is not one of the labels "
                    f"{', '.join(sorted(map(str, self.binary_seen)))}",
                    file=file,
                    column=column,
                )
            codes = to_float64(pc.index_in(text, value_set=labels))  # NaN where missing
            positive_code = names.index(layout.positive) if layout.positive in names else -1
            return np.where(np.isnan(codes), np.nan, (codes == positive_code).astype(np.float64))
        y = _float(array, column, file, offset)
        positive, zero, minus = y == 1, y == 0, y == -1
        ok = positive | zero | minus | np.isnan(y)
        if not ok.all():
            row = int(np.argmax(~ok))
            raise InputError(
                f"label {y[row]:g} does not fit a binary task (labels 0/1 or -1/+1)",
                file=file,
                column=column,
                row=offset + row + 1,
                hint="pass --task regression or multiclass if that is what the data is",
            )
        self.binary_seen |= {v for v, m in ((1.0, positive), (0.0, zero), (-1.0, minus)) if m.any()}
        if {0.0, -1.0} <= self.binary_seen:
            row = int(np.argmax(zero | minus))
            raise InputError(
                "labels mix 0 and -1 (use 0/1 or -1/+1)",
                file=file,
                column=column,
                row=offset + row + 1,
            )
        labels = positive.astype(np.float64)
        missing = np.isnan(y)
        if missing.any():
            labels[missing] = np.nan
        return labels

    def _multiclass(self, batch: pa.RecordBatch, offset: int, file: str) -> np.ndarray:
        cols = self.columns
        k = self.layout.k
        if len(cols.true) > 1:
            y = np.column_stack([_float(batch.column(c), c, file, offset) for c in cols.true])
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
            if self.layout.labels == "one-hot":
                hard = np.isin(y, (0.0, 1.0)).all(axis=1)
                if hard.all():
                    return np.argmax(y, axis=1).astype(np.int64)
            return y
        array = batch.column(cols.true[0])
        column = cols.true[0]
        if _is_text(array.type):
            text = array.cast(pa.string()) if pa.types.is_dictionary(array.type) else array
            classes = self.class_array
            pc = _compute()
            codes = pc.index_in(text, value_set=classes)
            unknown = pc.and_(pc.is_null(codes), pc.is_valid(text))
            if pc.any(unknown).as_py():
                row = int(np.argmax(unknown.to_numpy(zero_copy_only=False)))
                raise InputError(
                    f"label '{text[row].as_py()}' has no prediction column",
                    file=file,
                    column=column,
                    row=offset + row + 1,
                    hint=f"classes from the prediction columns: {', '.join(self.layout.classes or [])}",
                )
            codes = to_float64(codes)
            codes[np.isnan(codes)] = -1  # a missing label
            return codes
        y = _float(array, column, file, offset)
        finite = ~np.isnan(y)
        bad = finite & ((y != np.round(y)) | (y < 0) | (y >= k))
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(
                f"class index {y[row]:g} is not an integer in 0..{k - 1}",
                file=file,
                column=column,
                row=offset + row + 1,
            )
        if self.class_index is not None and all(str(i) in self.class_index for i in range(k)):
            remap = np.array([self.class_index[str(i)] for i in range(k)], dtype=np.float64)
            y = np.where(finite, remap[np.where(finite, y, 0).astype(np.int64)], np.nan)
        return y

    def _y_missing(self, y: np.ndarray) -> np.ndarray:
        if self.layout.task == "multiclass" and y.ndim == 1:
            return np.isnan(y) | (y == -1)
        return np.isnan(y) if y.ndim == 1 else np.isnan(y).any(axis=1)

    def _missing_column(self, row, y_missing, pred, weight) -> str:
        cols = self.columns
        if y_missing[row]:
            return cols.true[0]
        if weight is not None and np.isnan(weight[row]):
            return cols.weight or ""
        if pred.ndim == 1 or self.layout.pred_list:
            return cols.pred[0]
        return cols.pred[int(np.argmax(np.isnan(pred[row])))]


def _class_index(classes: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(classes):
        index.setdefault(name, i)
    return index
