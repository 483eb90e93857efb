"""One validation of label, prediction and weight arrays, wherever arrays are checked (the
converter on every batch, and the array entry points of the losses, `compare` and `recommend`):
matching lengths, no infinite predictions or regression targets, weights finite and >= 0,
probabilities in [0, 1]. Errors name the column and the row (from 1) where they are known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from losscli.errors import InputError

#: Column names for errors: "true", "pred" (one per prediction column, or one for all) and
#: "weight".
ColumnNames = Mapping[str, str | Sequence[str] | None]


def check_arrays(
    y: np.ndarray | None,
    pred: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    probabilities: bool = False,
    columns: ColumnNames | None = None,
    file: str | None = None,
    rows: int | np.ndarray = 1,
) -> None:
    """Raise an InputError for the first problem found, in this order: lengths differ, an
    infinite prediction, an infinite target (pass `y` only where targets are values, as in
    regression), a weight that is not finite or negative, a probability outside [0, 1].

    `rows` numbers the rows for errors: the number of the first row, or one number per row.

    >>> check_arrays(np.array([1.0]), np.array([np.inf]))
    Traceback (most recent call last):
    ...
    losscli.errors.InputError: infinite prediction
    """
    names = columns or {}
    if y is not None and len(y) != len(pred):
        raise InputError(f"y_true has {len(y)} rows but y_pred has {len(pred)}")
    if weight is not None and len(weight) != len(pred):
        raise InputError(f"{len(weight)} sample weights for {len(pred)} rows")

    def row(mask: np.ndarray) -> int:
        i = int(np.argmax(mask))
        return rows + i if isinstance(rows, int) else int(rows[i])

    inf = np.isinf(pred) if pred.ndim == 1 else np.isinf(pred).any(axis=1)
    if inf.any():
        column = _pred_column(names, pred, inf, np.isinf(pred))
        raise InputError("infinite prediction", file=file, column=column, row=row(inf))
    if y is not None:
        bad = np.isinf(y)
        if bad.any():
            raise InputError(
                "infinite value", file=file, column=_first(names.get("true")), row=row(bad)
            )
    if weight is not None:
        bad = ~np.isfinite(weight) | (weight < 0)
        if bad.any():
            raise InputError(
                f"weights must be finite and >= 0, got {weight[np.argmax(bad)]:g}",
                file=file,
                column=_first(names.get("weight")),
                row=row(bad),
            )
    if probabilities:
        bad = (pred < 0) | (pred > 1)
        bad_rows = bad if bad.ndim == 1 else bad.any(axis=1)
        if bad_rows.any():
            raise InputError(
                f"probability {pred[bad][0]:g} is outside [0, 1]",
                file=file,
                column=_pred_column(names, pred, bad_rows, bad),
                row=row(bad_rows),
                hint="pass --from-logits if the predictions are logits or scores",
            )


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
