"""The library's entry points: `compute` (streamed, with groups, bootstrap, gates and per-row
output) and `load_arrays` (a whole input as numpy arrays, for `compare` and `recommend --from`).

Both read through one `Plan`: open the sources, resolve the columns, infer the layout from the
first rows, then stream record batches through `columns.BatchConverter`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from losscli import read
from losscli.columns import (
    BatchConverter,
    Columns,
    Layout,
    infer_layout,
    resolve_columns,
)
from losscli.errors import InputError
from losscli.losses._math import one_hot

#: The losses computed when none are asked for.
DEFAULT_LOSSES = {
    "regression": ("mse", "rmse", "mae", "huber"),
    "binary": ("bce", "brier"),
    "multiclass": ("cross_entropy", "brier"),
    "multilabel": ("bce", "brier"),
}
_ID_NAMES = ("id", "index", "key", "row_id", "uuid", "uid")

Data = str | os.PathLike | Sequence[str | os.PathLike] | Any  # paths, a DataFrame or Arrow table


@dataclass
class Plan:
    """Sources, columns and layout of one input, ready to stream."""

    sources: list[read.Source]
    columns: Columns
    layout: Layout
    keys: list[str]
    first: Iterator[pa.RecordBatch]
    notes: list[str] = field(default_factory=list)

    @property
    def read_columns(self) -> list[str]:
        out = self.columns.needed()
        return out + [k for k in self.keys if k not in out]

    def batches(self) -> Iterator[tuple[read.Source, int, pa.RecordBatch]]:
        """(source, rows of that source before the batch, batch) for every batch of every source."""
        for i, source in enumerate(self.sources):
            stream = (
                self.first if i == 0 else _batches(source, self.read_columns, self.types(source))
            )
            offset = 0
            for batch in stream:
                yield source, offset, batch
                offset += batch.num_rows

    def types(self, source: read.Source) -> dict[str, pa.DataType]:
        return _text_types(source, self.columns, self.keys)


def _sources(data: Data, input_format: str | None) -> list[read.Source]:
    if isinstance(data, str | os.PathLike):
        return read.open_sources([os.fspath(data)], input_format)
    if isinstance(data, pa.Table | pa.RecordBatch):
        return [
            read.Source(
                "<table>",
                "table",
                data=pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data,
            )
        ]
    if hasattr(data, "to_parquet") and hasattr(data, "columns"):  # a pandas DataFrame
        return [
            read.Source(
                "<dataframe>", "table", data=pa.Table.from_pandas(data, preserve_index=False)
            )
        ]
    return read.open_sources([os.fspath(p) for p in data], input_format)


def _batches(
    source: read.Source, columns: Sequence[str], types: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    if source.format == "table":
        table = source.data
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise InputError("missing column", file=source.label, column=missing[0])
        return iter(table.select(list(columns)).to_batches(max_chunksize=read.BATCH_ROWS))
    return read.iter_batches(source, columns, types)


def _names(source: read.Source) -> list[str]:
    if source.format == "table":
        return list(source.data.column_names)
    return read.column_names(source)


def _text_types(
    source: read.Source, columns: Columns, keys: Sequence[str]
) -> dict[str, pa.DataType]:
    """Column types for text formats (CSV, JSON Lines), whose types pyarrow infers from the
    first block: predictions, weights and numeric labels are float64 (a column of integers that
    later holds 0.5 is still read); other columns keep the type the first block shows."""
    if source.format not in read.TEXT_FORMATS:
        return {}
    types: dict[str, pa.DataType] = {c: pa.float64() for c in columns.pred}
    if columns.weight:
        types[columns.weight] = pa.float64()
    schema = read.inferred_schema(source)
    for c in columns.true:
        kind = schema.field(c).type if c in schema.names else pa.null()
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind):
            types[c] = pa.float64()
    return types


def make_plan(
    data: Data,
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    by: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
) -> Plan:
    """Open the input, resolve the columns and infer the layout from its first rows."""
    sources = _sources(data, input_format)
    first_source = sources[0]
    names = _names(first_source)
    columns = resolve_columns(
        names,
        true=list(true) if true else None,
        pred=list(pred) if pred else None,
        weight=weight,
        by=list(by) if by else None,
        file=first_source.label,
    )
    if keys:
        key_cols = list(keys)
        missing = [k for k in key_cols if k not in names]
        if missing:
            raise InputError("missing column", file=first_source.label, column=missing[0])
    else:
        used = set(columns.needed())
        key_cols = [
            n
            for n in names
            if n not in used and (n.lower() in _ID_NAMES or n.lower().endswith("_id"))
        ]
    plan_columns = columns.needed() + [k for k in key_cols if k not in columns.needed()]
    types = _text_types(first_source, columns, key_cols)
    batches = _batches(first_source, plan_columns, types)
    peeked: list[pa.RecordBatch] = []
    first = None
    for batch in batches:
        peeked.append(batch)
        if batch.num_rows:
            first = batch
            break
    if first is None:
        raise InputError("no data rows (only a header?)", file=first_source.label)
    layout = infer_layout(
        columns,
        first,
        task=task,
        positive=positive,
        from_logits=from_logits,
        file=first_source.label,
    )
    return Plan(
        sources,
        columns,
        layout,
        key_cols,
        itertools.chain(peeked, batches),
        notes=_inferred(columns.notes + layout.notes),
    )


def _inferred(guesses: list[str]) -> list[str]:
    """What was guessed, as one line: 'inferred labels y_true (--true), task binary (--task)'."""
    return [f"inferred {', '.join(guesses)}; the options in brackets override"] if guesses else []


# ---------------------------------------------------------------------------------------------
# load_arrays: the whole input in memory


@dataclass
class Prepared:
    """A whole input as arrays in the kernels' conventions, with what was inferred about it."""

    y_true: np.ndarray
    y_pred: np.ndarray
    weight: np.ndarray | None
    task: str
    task_inferred: bool
    from_logits: bool
    from_logits_inferred: bool
    labels: str
    classes: list[str] | None
    columns: dict[str, Any]
    notes: list[str]
    files: list[str]
    rows_used: int
    rows_dropped: int


def load_arrays(
    data: Data,
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str = "error",
    probabilities: bool = False,
) -> Prepared:
    """Read every row into memory: for analyses that need all rows at once (compare, recommend)."""
    plan = make_plan(
        data,
        true=true,
        pred=pred,
        weight=weight,
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
    )
    converter = BatchConverter(plan.columns, plan.layout, nan=nan, probabilities=probabilities)
    ys, preds, weights = [], [], []
    dropped = 0
    for source, offset, batch in read.prefetch(plan.batches()):
        arrays = converter.convert(batch, offset, source.label)
        ys.append(arrays.y)
        preds.append(arrays.pred)
        if arrays.weight is not None:
            weights.append(arrays.weight)
        dropped += arrays.dropped
    layout = plan.layout
    if layout.task == "multiclass" and len({a.ndim for a in ys}) > 1:
        # one-hot batches that were all hard became indices; others kept soft rows
        ys = [one_hot(a, layout.k) if a.ndim == 1 else a for a in ys]
    y = np.concatenate(ys)
    if len(y) == 0:
        raise InputError("no rows left to evaluate", file=plan.sources[0].label)
    return Prepared(
        y_true=y,
        y_pred=np.concatenate(preds),
        weight=np.concatenate(weights) if weights else None,
        task=layout.task,
        task_inferred=layout.task_inferred,
        from_logits=layout.from_logits,
        from_logits_inferred=layout.from_logits_inferred,
        labels=layout.labels,
        classes=layout.classes,
        columns=plan.columns.as_dict(),
        notes=plan.notes,
        files=[s.label for s in plan.sources],
        rows_used=len(y),
        rows_dropped=dropped,
    )
