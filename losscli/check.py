"""One validation of label, prediction and weight arrays, wherever arrays are checked (the
converter on every batch, `Loss.value`, `compare` and `recommend` on arrays), as scikit-learn's
`_check_reg_targets`: matching lengths and shapes, no missing or infinite values where they
cannot be, weights finite and >= 0, probabilities in [0, 1]. Errors name the column and the row
(from 1) where they are known. Domain checks (enough rows, class indices in range) stay with the
analysis that needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum

import numpy as np

from losscli.errors import InputError, LosscliError
from losscli.text import plural

#: Column names for errors: "true", "pred" (one per prediction column, or one for all) and
#: "weight".
ColumnNames = Mapping[str, str | Sequence[str] | None]
#: The row number (from 1, in the file) of the first True in a mask.
RowOf = Callable[[np.ndarray], int]


class NonFinite(StrEnum):
    """Which values may be missing (NaN) or infinite."""

    #: NaN allowed (the caller drops or reports it); infinite predictions, and infinite
    #: regression targets, refused.
    INFINITE = "infinite"
    #: Neither NaN nor infinity anywhere in y or pred.
    ANY = "any"
    #: Not checked.
    IGNORE = "ignore"


def all_finite(*arrays: np.ndarray | None) -> bool:
    """True when no value of these arrays (None: skipped) is NaN or infinite, told by one sum
    each: a NaN or an infinity makes the sum NaN or infinite. False also when a sum of finite
    values overflows: the caller then looks value by value.

    >>> all_finite(np.array([1.0, 2.0]), None), all_finite(np.array([1.0, np.nan]))
    (True, False)
    """
    for values in arrays:
        if values is not None and values.size:
            with np.errstate(over="ignore", invalid="ignore"):
                if not np.isfinite(np.add.reduce(values, axis=None)):
                    return False
    return True


def check_arrays(
    y: np.ndarray | None,
    pred: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    task: str | None = None,
    nonfinite: NonFinite = NonFinite.INFINITE,
    probabilities: bool = False,
    columns: ColumnNames | None = None,
    file: str | None = None,
    rows: int | np.ndarray = 1,
    error: type[LosscliError] = InputError,
) -> None:
    """Raise `error` for the first problem found, in this order: lengths differ, predictions of
    the wrong shape for `task` ((n,) for regression and binary, (n, K) otherwise), weights of the
    wrong shape, non-finite values (per `nonfinite`), a weight that is not finite or negative, a
    probability outside [0, 1].

    `rows` numbers the rows for errors: the number of the first row, or one number per row.

    >>> check_arrays(np.array([1.0]), np.array([np.inf]))
    Traceback (most recent call last):
    ...
    losscli.errors.InputError: row 1: infinite prediction
    """
    names = columns or {}
    n = len(pred)
    if y is not None and len(y) != n:
        raise error(f"y_true has {plural(len(y), 'row')} but y_pred has {n:,}")
    if task is not None:
        wide = task in ("multiclass", "multilabel")
        if pred.ndim != (2 if wide else 1):
            shape = "(n, K)" if wide else "(n,)"
            raise error(f"{task} predictions must have shape {shape}, got {pred.shape}")
    if weight is not None and weight.shape != (n,):
        raise error(f"{plural(len(weight), 'sample weight')} for {plural(n, 'row')}")

    def row(mask: np.ndarray) -> int:
        i = int(np.argmax(mask))
        return rows + i if isinstance(rows, int) else int(rows[i])

    floats = y is None or np.issubdtype(y.dtype, np.floating)
    if nonfinite == NonFinite.ANY and not all_finite(y if floats else None, pred):
        _check_finite(y, pred, names, file, row, error)
    elif nonfinite == NonFinite.INFINITE:
        y_inf = y if task == "regression" else None
        if not all_finite(y_inf, pred):
            _check_infinite(y_inf, pred, names, file, row, error)
    if weight is not None and not (all_finite(weight) and (not n or weight.min() >= 0)):
        bad = ~np.isfinite(weight) | (weight < 0)
        if bad.any():
            raise error(
                f"weights must be finite and >= 0, got {weight[np.argmax(bad)]:g}",
                file=file,
                column=_first(names.get("weight")),
                row=row(bad),
            )
    if probabilities:
        _check_probabilities(pred, names, file, row, error)


def _check_probabilities(
    pred: np.ndarray,
    names: ColumnNames,
    file: str | None,
    row: RowOf,
    error: type[LosscliError],
) -> None:
    """Predictions that should be probabilities lie in [0, 1]."""
    if not pred.size or (pred.min() >= 0 and pred.max() <= 1):  # NaN fails both: looked at
        return
    bad = (pred < 0) | (pred > 1)
    bad_rows = np.asarray(bad if bad.ndim == 1 else bad.any(axis=1))
    if bad_rows.any():
        percent = bool(np.all((pred >= 0) & (pred <= 100)))
        raise error(
            f"probability {pred[bad][0]:g} is outside [0, 1]",
            file=file,
            column=_pred_column(names, pred, bad_rows, bad),
            row=row(bad_rows),
            hint=(
                "these look like percentages: divide them by 100"
                if percent
                else "pass --from-logits if the predictions are logits or scores"
            ),
        )


def _check_infinite(
    y: np.ndarray | None,
    pred: np.ndarray,
    names: ColumnNames,
    file: str | None,
    row: RowOf,
    error: type[LosscliError],
) -> None:
    """Infinite predictions, and infinite targets where `y` is given (regression)."""
    inf = np.isinf(pred) if pred.ndim == 1 else np.isinf(pred).any(axis=1)
    if inf.any():
        column = _pred_column(names, pred, inf, np.isinf(pred))
        raise error("infinite prediction", file=file, column=column, row=row(inf))
    if y is not None:
        bad = np.isinf(y)
        if bad.any():
            raise error("infinite value", file=file, column=_first(names.get("true")), row=row(bad))


def _check_finite(
    y: np.ndarray | None,
    pred: np.ndarray,
    names: ColumnNames,
    file: str | None,
    row: RowOf,
    error: type[LosscliError],
) -> None:
    """No NaN or infinity in float labels or predictions."""
    for role, values in (("true", y), ("pred", pred)):
        if values is None or not np.issubdtype(values.dtype, np.floating):
            continue
        finite = np.isfinite(values).reshape(len(values), -1).all(axis=1)
        if not finite.all():
            column = _first(names.get(role)) or f"y_{role}"
            raise error("missing or infinite value", file=file, column=column, row=row(~finite))


def _first(name: str | Sequence[str] | None) -> str | None:
    if name is None or isinstance(name, str):
        return name
    return name[0] if name else None


def _pred_column(
    names: ColumnNames, pred: np.ndarray, rows: np.ndarray, cells: np.ndarray
) -> str | None:
    """The prediction column of the first bad cell in the first bad row."""
    pred_names = names.get("pred")
    if pred_names is None or isinstance(pred_names, str) or pred.ndim == 1:
        return _first(pred_names)
    if len(pred_names) == 1:
        return pred_names[0]
    return pred_names[int(np.argmax(cells[int(np.argmax(rows))]))]
