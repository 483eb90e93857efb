"""Read both models' rows and match them, for a paired comparison.

Each side is read through the shared pipeline (`make_plan`, the batch converter) keeping only
the columns the comparison needs: labels, predictions, weight, `--by` and `--key` columns. The
rows are then matched:

- by key (`--key COL...`): when both sides hold the same keys in the same order nothing is
  joined; otherwise a columnar hash join (pyarrow `Table.join`) of the key columns and a row
  index, so only the keys are joined and every other column is gathered by index;
- by position, when no key is given and both inputs have the same number of rows (reported);
- two prediction columns of one input (`--baseline-pred`): the same rows by construction.

Duplicate keys, rows on one side only (unless `unmatched="drop"`), labels that differ on a
matched row and unequal row counts without a key are input errors naming the key or the count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from losscli import read
from losscli.columns import BatchConverter, bool_array, from_numpy, to_numpy
from losscli.errors import InputError, UsageError
from losscli.losses import LossSpec, one_hot
from losscli.pipeline import Plan

__all__ = ["Matched", "Side", "check_labels", "load_side", "match_sides"]


@dataclass
class Side:
    """One model's rows as arrays (rows with missing values already dropped).

    `rowid` is each kept row's position among all rows read (0-based, across files; None
    when every row read was kept, so that the position is the index);
    `keys` and `by` hold the key and group columns of the kept rows (None when not asked for).
    """

    plan: Plan
    y: np.ndarray
    pred: np.ndarray
    weight: np.ndarray | None
    rowid: np.ndarray | None
    keys: pa.Table | None
    by: pa.Table | None
    read: int
    dropped: int
    unnormalised: int

    def positions(self, rows: Any) -> np.ndarray:
        """The positions among all rows read of the kept rows `rows` (indices or a slice)."""
        if self.rowid is not None:
            return np.asarray(self.rowid[rows])
        if isinstance(rows, slice):
            return np.arange(rows.start, rows.stop, dtype=np.int64)
        return np.asarray(rows, dtype=np.int64)

    @property
    def label(self) -> str:
        return ", ".join(s.label for s in self.plan.sources)


def load_side(plan: Plan, specs: Sequence[LossSpec], nan: str, *, keys: Sequence[str] = ()) -> Side:
    """Every batch of `plan` converted, checked against each loss's domain and concatenated."""
    probabilities = any(s.loss.prediction == "probability" for s in specs)
    converter = BatchConverter(plan.columns, plan.layout, nan=nan, probabilities=probabilities)
    ys, preds, weights, rowids, key_parts, by_parts = [], [], [], [], [], []
    total = dropped = unnormalised = 0
    for source, offset, batch in read.prefetch(plan.batches()):
        try:
            arrays = converter.convert(batch, offset, source.label)
            _check_domain(specs, plan, arrays.y, arrays.pred, arrays.keep, source.label, offset)
        except InputError as exc:  # a data set's file and row; what was inferred
            raise converter.after_inference(read.locate_error(exc, source, offset)) from None
        keep = None if arrays.keep is None else bool_array(arrays.keep)
        ids = np.arange(total, total + batch.num_rows, dtype=np.int64)
        rowids.append(ids if arrays.keep is None else ids[arrays.keep])
        ys.append(arrays.y)
        preds.append(arrays.pred)
        if arrays.weight is not None:
            weights.append(arrays.weight)
        if keys:
            key_parts.append(_columns(batch, keys, keep))
        if plan.columns.by:
            by_parts.append(_columns(batch, plan.columns.by, keep))
        total += batch.num_rows
        dropped += arrays.dropped
        unnormalised += arrays.unnormalised
    if plan.layout.task == "multiclass" and len({a.ndim for a in ys}) > 1:
        ys = [one_hot(a, plan.layout.k) if a.ndim == 1 else a for a in ys]
    if not ys or sum(len(a) for a in ys) == 0:
        raise InputError("no rows left to evaluate", file=plan.sources[0].label)
    return Side(
        plan,
        np.concatenate(ys),
        np.concatenate(preds),
        np.concatenate(weights) if weights else None,
        np.concatenate(rowids) if dropped else None,
        pa.concat_tables(key_parts) if key_parts else None,
        pa.concat_tables(by_parts) if by_parts else None,
        total,
        dropped,
        unnormalised,
    )


def _columns(batch: pa.RecordBatch, names: Sequence[str], keep: pa.Array | None) -> pa.Table:
    table = pa.Table.from_batches([batch.select(list(names))])
    return table if keep is None else table.filter(keep)


def _check_domain(
    specs: Sequence[LossSpec],
    plan: Plan,
    y: np.ndarray,
    pred: np.ndarray,
    keep: np.ndarray | None,
    file: str,
    offset: int,
) -> None:
    """Each loss's domain on one batch, the error naming the file's row and column."""
    for spec in specs:
        try:
            spec.loss.check_domain(y, pred, from_logits=plan.layout.from_logits, **spec.params)
        except InputError as exc:
            row = (exc.row or 1) - 1
            if keep is not None:
                row = int(np.flatnonzero(keep)[row])
            exc.file, exc.row = file, offset + row + 1
            role = plan.columns.true if exc.column == "y_true" else plan.columns.pred
            exc.column = ", ".join(role) if exc.column in ("y_true", "y_pred") else exc.column
            raise


@dataclass(frozen=True)
class Matched:
    """Which candidate row goes with which baseline row, and what was left unmatched."""

    candidate: np.ndarray  # row indices into the candidate side's arrays
    baseline: np.ndarray  # row indices into the baseline side's arrays, same length
    method: str  # "key", "key (same order)", "position" or "column"
    candidate_only: int
    baseline_only: int
    identity: bool  # both index arrays are 0..n-1: nothing to gather
    keys: tuple[str, ...] = ()  # the key columns rows were matched on

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "keys": list(self.keys),
            "matched": len(self.candidate),
            "candidate_only": self.candidate_only,
            "baseline_only": self.baseline_only,
        }


def match_sides(
    cand: Side, base: Side, keys: Sequence[str], *, unmatched: str, same_input: bool = False
) -> Matched:
    """Match the rows of both sides (see the module's docstring); labels are checked after."""
    if unmatched not in ("error", "drop"):
        raise UsageError(f"--unmatched must be 'error' or 'drop', not '{unmatched}'")
    if same_input or not keys:
        if not same_input and cand.read != base.read:
            raise InputError(
                f"the candidate has {cand.read} rows and the baseline {base.read}: rows can be "
                "matched by position only when both inputs have the same row count",
                file=base.label,
                hint="pass --key COL to match rows by a key column",
            )
        method = "column" if same_input else "position"
        if cand.rowid is None and base.rowid is None:
            ident = np.arange(len(cand.y), dtype=np.int64)
            return Matched(ident, ident, method, 0, 0, True)
        _, ic, ib = np.intersect1d(
            cand.positions(slice(0, len(cand.y))),
            base.positions(slice(0, len(base.y))),
            assume_unique=True,
            return_indices=True,
        )
        return Matched(ic, ib, method, 0, 0, False)  # rows --nan drop removed on one side
    assert cand.keys is not None and base.keys is not None
    ck, bk = cand.keys.select(list(keys)), base.keys.select(list(keys))
    _check_unique(ck, cand.label)  # the baseline's keys: equal to these, or checked in _join
    if ck.num_rows == bk.num_rows and ck.equals(bk):
        ident = np.arange(ck.num_rows, dtype=np.int64)
        return Matched(ident, ident, "key (same order)", 0, 0, True, tuple(keys))
    return _join(ck, bk, base.label, list(keys), unmatched)


def _check_unique(keys: pa.Table, file: str, ordered: np.ndarray | None = None) -> None:
    """A key that appears twice cannot be matched: an error naming it. One numeric key column
    is checked with numpy (a single pass when it is sorted, as ids usually are; `ordered` is its
    values sorted, when known), others with a hash aggregation."""
    if _numeric_key(keys):
        values = to_numpy(keys.column(0))
        if ordered is None:
            if values.size < 2 or bool(np.all(values[1:] > values[:-1])):
                return
            ordered = np.sort(values)
        repeats = ordered[1:] == ordered[:-1]
        if not repeats.any():
            return
        value = ordered[1:][repeats][0]
        first = {keys.column_names[0]: value.item()}
        n, many = int(np.count_nonzero(values == value)), len(np.unique(ordered[1:][repeats]))
    else:
        counts = keys.group_by(keys.column_names).aggregate([([], "count_all")])
        counts = counts.filter(pa.compute.greater(counts.column("count_all"), 1))
        if not counts.num_rows:
            return
        first = counts.slice(0, 1).to_pylist()[0]
        n, many = first.pop("count_all"), counts.num_rows
    if many:
        raise InputError(
            f"duplicate key {_key_text(first)} ({n} rows; {many} keys repeat): each "
            "row must have a unique key to be matched",
            file=file,
            column=", ".join(keys.column_names),
            hint="choose --key columns that identify a row",
        )


def _key_text(key: dict[str, object]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in key.items())


def _join(ck: pa.Table, bk: pa.Table, file: str, keys: list[str], unmatched: str) -> Matched:
    """Match unique keys: a sort and binary search for one numeric key column (light on
    memory), else a full outer hash join of the key columns with each side's row index."""
    bk = _cast_keys(bk, ck, file)
    dense = _dense_match(ck, bk, file) if _numeric_key(ck) and _numeric_key(bk) else None
    if dense is not None:
        ic, ib, only_c, only_b = dense
    elif _numeric_key(ck) and _numeric_key(bk):
        kb = to_numpy(bk.column(0))
        order = np.argsort(kb)  # unique keys: any sort will do
        ordered = kb[order]
        _check_unique(bk, file, ordered)
        ic, ib, only_c, only_b = _sorted_match(to_numpy(ck.column(0)), order, ordered)
    else:
        _check_unique(bk, file)
        ic, ib, only_c, only_b = _hash_join(ck, bk, keys)
    if (len(only_c) or len(only_b)) and unmatched == "error":
        side, row = (ck, only_c[0]) if len(only_c) else (bk, only_b[0])
        first = side.slice(int(row), 1).to_pylist()[0]
        raise InputError(
            f"{len(only_c)} candidate rows have no baseline row and {len(only_b)} "
            f"baseline rows no candidate row (first: {_key_text(first)})",
            column=", ".join(keys),
            hint="pass --unmatched drop to compare the matched rows only",
        )
    return Matched(ic, ib, "key", len(only_c), len(only_b), False, tuple(keys))


def _numeric_key(keys: pa.Table) -> bool:
    column = keys.column(0)
    return (
        keys.num_columns == 1
        and column.null_count == 0
        and (pa.types.is_integer(column.type) or pa.types.is_floating(column.type))
    )


Pairs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _dense_match(ck: pa.Table, bk: pa.Table, file: str) -> Pairs | None:
    """Integer keys spanning at most 4x their count (ids, row numbers): a lookup table indexed
    by key instead of a sort. None for other keys."""
    if not pa.types.is_integer(ck.column(0).type):
        return None
    kc, kb = to_numpy(ck.column(0)), to_numpy(bk.column(0))
    if not len(kb) or not len(kc):
        return None
    low, high = int(kb.min()), int(kb.max())
    if high - low + 1 > 4 * max(len(kb), len(kc)):
        return None
    counts = np.bincount(kb - low)
    if counts.max() > 1:
        _check_unique(bk, file, np.sort(kb))  # the error naming the key
    lookup = np.full(high - low + 1, -1, dtype=np.int64)
    lookup[kb - low] = np.arange(len(kb))
    inside = (kc >= low) & (kc <= high)
    rows = np.full(len(kc), -1, dtype=np.int64)
    rows[inside] = lookup[kc[inside] - low]
    hit = rows >= 0
    seen = np.zeros(len(kb), dtype=bool)
    seen[rows[hit]] = True
    return np.flatnonzero(hit), rows[hit], np.flatnonzero(~hit), np.flatnonzero(~seen)


def _sorted_match(kc: np.ndarray, order: np.ndarray, ordered: np.ndarray) -> Pairs:
    """(candidate rows, their baseline rows, candidate-only rows, baseline-only rows) for
    unique keys, in candidate order: the candidate's keys looked up in the baseline's, sorted
    (`ordered` = baseline keys[`order`])."""
    at = np.minimum(np.searchsorted(ordered, kc), max(len(ordered) - 1, 0))
    hit = ordered[at] == kc if len(ordered) else np.zeros(len(kc), dtype=bool)
    seen = np.zeros(len(ordered), dtype=bool)
    seen[order[at[hit]]] = True
    return np.flatnonzero(hit), order[at[hit]], np.flatnonzero(~hit), np.flatnonzero(~seen)


def _hash_join(ck: pa.Table, bk: pa.Table, keys: list[str]) -> Pairs:
    """The same as `_sorted_match` through pyarrow's hash join."""
    import pyarrow.compute as pc

    left = ck.append_column("__candidate_row", from_numpy(np.arange(ck.num_rows)))
    right = bk.append_column("__baseline_row", from_numpy(np.arange(bk.num_rows)))
    try:
        joined = left.join(right, keys, join_type="full outer", coalesce_keys=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"cannot match rows on --key {', '.join(keys)}: {exc}") from None
    c_rows, b_rows = joined.column("__candidate_row"), joined.column("__baseline_row")
    only_c = np.sort(to_numpy(joined.filter(pc.is_null(b_rows)).column("__candidate_row")))
    only_b = np.sort(to_numpy(joined.filter(pc.is_null(c_rows)).column("__baseline_row")))
    both = joined.filter(pc.and_(pc.is_valid(c_rows), pc.is_valid(b_rows)))
    ic = to_numpy(both.column("__candidate_row"))
    ib = to_numpy(both.column("__baseline_row"))
    order = np.argsort(ic, kind="stable")  # candidate order: a seed gives the same replicates
    return ic[order], ib[order], only_c, only_b


def _cast_keys(keys: pa.Table, like: pa.Table, file: str) -> pa.Table:
    """The baseline's key columns in the candidate's types (CSV and Parquet may differ)."""
    if keys.schema.equals(like.schema):
        return keys
    try:
        return keys.cast(like.schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        differ = [
            f"{f.name}: {f.type} vs {keys.schema.field(f.name).type}"
            for f in like.schema
            if keys.schema.field(f.name).type != f.type
        ]
        raise InputError(
            f"key columns have different types in candidate and baseline ({'; '.join(differ)})",
            file=file,
        ) from None


def check_labels(cand: Side, base: Side, matched: Matched, keys: Sequence[str]) -> None:
    """Labels must agree on every matched row: the first that differs is an error naming it."""
    yc = cand.y if matched.identity else cand.y[matched.candidate]
    yb = base.y if matched.identity else base.y[matched.baseline]
    if yc.shape != yb.shape:
        raise InputError(
            "the labels have different shapes in candidate and baseline "
            f"({yc.shape[1:] or 'one column'} vs {yb.shape[1:] or 'one column'})",
            file=base.label,
        )
    same = yc == yb
    differ = ~same
    if differ.any():  # values read from text may differ in the last bit
        same[differ] = np.isclose(yc[differ], yb[differ], rtol=1e-12, atol=0.0)
    if same.ndim > 1:
        same = same.all(axis=1)
    if same.all():
        return
    i = int(np.argmin(same))
    if keys and cand.keys is not None:
        where = _key_text(
            cand.keys.select(list(keys)).slice(int(matched.candidate[i]), 1).to_pylist()[0]
        )
    else:
        where = f"row {int(cand.positions([matched.candidate[i]])[0]) + 1}"
    differ = int(np.size(same) - np.count_nonzero(same))
    raise InputError(
        f"labels differ between candidate and baseline at {where} ({_show(yc[i])} vs "
        f"{_show(yb[i])}; {differ} matched rows differ): the two models were not scored on "
        "the same rows",
        column=", ".join(cand.plan.columns.true),
        hint="check --key (and --true) so that the same rows are matched",
    )


def _show(value: np.ndarray) -> str:
    return np.array2string(np.asarray(value), precision=6) if np.ndim(value) else f"{value:g}"
