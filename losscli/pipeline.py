"""The pipeline every command shares: a `Plan` (sources, columns and layout, decided once from
the options and the first rows) and `load_arrays` (a whole input as numpy arrays, or a seeded sample
of a large one, for `compare` and `recommend --from`). `compute` streams the plan's batches through the engine instead.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pyarrow as pa

from losscli import read
from losscli.columns import (
    BatchConverter,
    Columns,
    LabelEncoding,
    Layout,
    WholeLabels,
    distinct,
    infer_layout,
    resolve_columns,
)
from losscli.errors import InputError, LosscliError, UsageError
from losscli.losses import LossSpec, one_hot
from losscli.read import Data
from losscli.sampling import BatchHook, RowSample, SampleInfo

__all__ = [
    "DEFAULT_LOSSES",
    "Data",
    "InputSpec",
    "Plan",
    "Prepared",
    "load_arrays",
    "make_plan",
]

#: The losses computed when none are asked for.
DEFAULT_LOSSES = {
    "regression": ("mse", "rmse", "mae", "huber"),
    "binary": ("bce", "brier"),
    "multiclass": ("cross_entropy", "brier"),
    "multilabel": ("bce", "brier"),
}
_SIGNS = (-1.0, 0.0, 1.0)
_ID_NAMES = ("id", "index", "key", "row_id", "uuid", "uid")


@dataclass(frozen=True)
class InputSpec:
    """The column options every command shares: which columns play which role, what the task
    is, how labels and predictions are encoded, and what to do with missing values."""

    true: tuple[str, ...] | None = None
    pred: tuple[str, ...] | None = None
    weight: str | None = None
    by: tuple[str, ...] | None = None
    keys: tuple[str, ...] | None = None
    task: str | None = None
    positive: str | None = None
    from_logits: bool | None = None
    input_format: str | None = None
    nan: str = "error"
    classes: tuple[str, ...] | None = None
    delimiter: str | None = None

    def replace(self, **changes: Any) -> InputSpec:
        """A copy with `changes` applied (sequences stored as tuples)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return InputSpec.of(**values)

    @classmethod
    def of(cls, **options: Any) -> InputSpec:
        """An InputSpec from keyword options as the commands pass them (lists or tuples)."""
        classes = options.get("classes")
        if classes is not None:
            listed = [classes] if isinstance(classes, str) else list(classes)
            options["classes"] = tuple(c.strip() for text in listed for c in str(text).split(","))
        for name in ("true", "pred", "by", "keys"):
            value = options.get(name)
            if value is not None and not isinstance(value, str):
                options[name] = tuple(value)
            elif isinstance(value, str):
                options[name] = (value,)
        return cls(**options)


def _spec(spec: InputSpec | None, **options: Any) -> InputSpec:
    """`spec` with the keyword options that are set (not None) laid over it."""
    given = {k: v for k, v in options.items() if v is not None}
    return (spec or InputSpec()).replace(**given) if given else (spec or InputSpec())


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
                self.first
                if i == 0
                else read.iter_batches(source, self.read_columns, self.types(source))
            )
            offset = 0
            for batch in stream:
                yield source, offset, batch
                offset += batch.num_rows

    def types(self, source: read.Source) -> dict[str, pa.DataType]:
        return _text_types(source, self.columns, self.keys)


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
    spec: InputSpec | None = None,
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
    classes: Sequence[str] | None = None,
    losses: Sequence[str] | None = None,
    delimiter: str | None = None,
) -> Plan:
    """Open the input, resolve the columns and decide the layout: from the options, the losses
    asked for (`losses`, names as --loss and gates write them), the columns, the first rows and,
    where those cannot decide, the whole label column.

    The column options come from `spec`, or from the keyword arguments (which override it);
    the function is long only for spelling them out.
    """
    spec = _spec(
        spec,
        true=true,
        pred=pred,
        weight=weight,
        by=by,
        keys=keys,
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
        classes=classes,
        delimiter=delimiter,
    )
    sources = read.open_data(data, spec.input_format, spec.delimiter)
    first_source = sources[0]
    names = read.column_names(first_source)
    columns = resolve_columns(
        names,
        true=list(spec.true) if spec.true else None,
        pred=list(spec.pred) if spec.pred else None,
        weight=spec.weight,
        by=list(spec.by) if spec.by else None,
        file=first_source.label,
    )
    key_cols = _key_columns(spec.keys, names, columns, first_source.label)
    plan_columns = columns.needed() + [k for k in key_cols if k not in columns.needed()]
    types = _text_types(first_source, columns, key_cols)
    first, batches = _peek(read.iter_batches(first_source, plan_columns, types), first_source)
    layout = infer_layout(
        columns,
        first,
        task=spec.task,
        positive=spec.positive,
        from_logits=spec.from_logits,
        file=first_source.label,
        classes=spec.classes,
        loss_tasks=loss_tasks(losses),
        whole_labels=_whole_labels(sources, columns) if len(columns.true) == 1 else None,
    )
    return Plan(
        sources,
        columns,
        layout,
        key_cols,
        batches,
        notes=_inferred(columns.notes + layout.notes),
    )


def _peek(
    batches: Iterator[pa.RecordBatch], source: read.Source
) -> tuple[pa.RecordBatch, Iterator[pa.RecordBatch]]:
    """The first batch holding rows, and every batch (that one included) still to stream."""
    peeked: list[pa.RecordBatch] = []
    for batch in batches:
        peeked.append(batch)
        if batch.num_rows:
            return batch, itertools.chain(peeked, batches)
    raise InputError("no data rows (only a header?)", file=source.label)


def _key_columns(
    keys: Sequence[str] | None, names: Sequence[str], columns: Columns, file: str
) -> list[str]:
    """The row-key columns: those asked for (none for `[]`), or, for None, the id-like columns
    no role uses."""
    if keys is not None:
        key_cols = list(keys)
        missing = [k for k in key_cols if k not in names]
        if missing:
            raise InputError("missing column", file=file, column=missing[0])
        return key_cols
    used = set(columns.needed())
    return [
        n for n in names if n not in used and (n.lower() in _ID_NAMES or n.lower().endswith("_id"))
    ]


def loss_tasks(losses: Sequence[str] | None) -> frozenset[str] | None:
    """The tasks every named loss applies to (None when no loss is named; names that do not
    resolve are left to the loss check, which reports them)."""
    if not losses:
        return None
    tasks: frozenset[str] | None = None
    for text in losses:
        try:
            named = LossSpec.tasks_of(text, labels=True)
        except LosscliError:
            continue
        tasks = named if tasks is None else tasks & named
    return tasks


def _whole_labels(sources: Sequence[read.Source], columns: Columns) -> WholeLabels:
    """The label column's distinct values over every source: from Parquet statistics when they
    decide (`cheap`), else by one pass over the column that stops once the task is clear."""
    column = columns.true[0]

    def values(cheap: bool) -> list[Any] | None:
        if cheap:
            return _range_values([read.column_range(s, column) for s in sources])
        if any(s.stream is not None for s in sources):
            raise UsageError(
                "the label column's first rows hold one value: telling the task and the label "
                "encoding takes a second pass over it, and a pipe is read only once",
                hint="pass the file by its path",
            )
        seen: set[Any] = set()
        for source in sources:
            types = {k: v for k, v in _text_types(source, columns, []).items() if k == column}
            for batch in read.iter_batches(source, [column], types):
                seen.update(distinct(batch.column(0)))
                if len(seen) > 3 or any(isinstance(v, float) and v not in _SIGNS for v in seen):
                    return sorted(seen, key=str)
        return sorted(seen, key=str)

    return values


def _range_values(ranges: list[tuple[float, float] | None]) -> list[Any] | None:
    """Label values the Parquet statistics prove: a minimum or maximum outside [-1, 1] (the
    labels are not binary); else None (the statistics cannot decide)."""
    if not ranges or any(r is None for r in ranges):
        return None
    low = min(r[0] for r in ranges if r is not None)
    high = max(r[1] for r in ranges if r is not None)
    return [low, high] if low < -1 or high > 1 else None


def _inferred(guesses: list[str]) -> list[str]:
    """What was guessed, as one line: 'inferred labels y_true (--true), task binary (--task)'."""
    return [f"inferred {', '.join(guesses)}; the options in brackets override"] if guesses else []


# ---------------------------------------------------------------------------------------------
# load_arrays: the whole input in memory


@dataclass
class Prepared:
    """A whole input as arrays in the kernels' conventions, with what was inferred about it.

    `labels` is the label encoding as displayed ("-1/+1"); `encoding` is the same as an enum.
    """

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
    encoding: LabelEncoding = LabelEncoding.VALUES
    #: None when the arrays hold every row; else the sample they hold (`losscli.sampling`).
    sample: SampleInfo | None = None
    #: The sampled rows' keys (their subsample for standard errors), None without a sample.
    keys: np.ndarray | None = None


def stream_names(sources: Sequence[read.Source]) -> dict[str, tuple[str, int]]:
    """Each source's row stream, which the bootstrap's draws and `compare`'s sample are keyed by:
    the name of the file, or of the data set's folder (the same here, on a worker, on local disk
    or in an object store, however the path is written), its full path or URI where two sources
    share a name. Never its position in the list."""
    names = {s.label: _short_name(s) for s in sources}
    counts = Counter(names.values())
    return {label: (name if counts[name] == 1 else label, 0) for label, name in names.items()}


def _short_name(source: read.Source) -> str:
    path = source.label
    if source.format == "dataset":
        path = read.dataset_base(path) or path
    path = path.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or source.label


def load_arrays(
    data: Data,
    spec: InputSpec | None = None,
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str | None = None,
    probabilities: bool = False,
    classes: Sequence[str] | None = None,
    losses: Sequence[str] | None = None,
    delimiter: str | None = None,
    sample_rows: int | None = None,
    seed: int = 0,
    hook: Callable[[Layout], BatchHook] | None = None,
) -> Prepared:
    """Read every row into memory: for analyses that need all rows at once (compare, recommend);
    with `sample_rows`, an input of more rows is held as a seeded uniform sample of that many
    (`losscli.sampling`), and `hook(layout)`, if given, sees every batch (exact sums).

    The column options come from `spec`, or from the keyword arguments (which override it);
    `losses` (names) settle the task when they fit only one.
    """
    spec = _spec(
        spec,
        true=true,
        pred=pred,
        weight=weight,
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
        nan=nan,
        classes=classes,
        delimiter=delimiter,
    )
    plan = make_plan(data, spec.replace(by=None, keys=()), losses=losses)
    converter = BatchConverter(plan.columns, plan.layout, nan=spec.nan, probabilities=probabilities)
    y, y_pred, w, dropped, keys, sample = _collect(plan, converter, sample_rows, seed, hook)
    layout = plan.layout
    return Prepared(
        y_true=y,
        y_pred=y_pred,
        weight=w,
        task=layout.task,
        task_inferred=layout.task_inferred,
        from_logits=layout.from_logits,
        from_logits_inferred=layout.from_logits_inferred,
        labels=layout.labels,
        classes=layout.classes,
        columns=plan.columns.as_dict(),
        notes=plan.notes,
        files=[s.label for s in plan.sources],
        rows_used=sample.of if sample else len(y),
        rows_dropped=dropped,
        encoding=layout.encoding,
        sample=sample,
        keys=keys,
    )


def _collect(
    plan: Plan,
    converter: BatchConverter,
    sample_rows: int | None = None,
    seed: int = 0,
    hook: Callable[[Layout], BatchHook] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int, np.ndarray | None, SampleInfo | None]:
    """Every batch of the plan converted: labels, predictions, weights (every row, or a seeded
    sample of `sample_rows` rows when there are more, `losscli.sampling`), the number of rows
    dropped, and the sample's keys and description (None when every row is held).

    `hook(layout)` gives the function that sees every batch once the input proves larger than
    `sample_rows` (the exact sums over all rows); it is not called for inputs held whole."""
    layout = plan.layout

    def join(ys: list[np.ndarray]) -> np.ndarray:
        if layout.task == "multiclass" and len({a.ndim for a in ys}) > 1:
            # one-hot batches that were all hard became indices; others kept soft rows
            ys = [one_hot(a, layout.k) if a.ndim == 1 else a for a in ys]
        return np.concatenate(ys)

    expected = None
    if sample_rows and converter.nan == "error":  # every row of the footers will be kept
        counts = [read.row_count(s) for s in plan.sources]
        expected = sum(c for c in counts if c is not None) if None not in counts else None
    rows = RowSample(sample_rows, seed, join, hook(layout) if hook else None, expected)
    dropped = 0
    streams = stream_names(plan.sources)
    for source, offset, batch in read.prefetch(plan.batches()):
        try:
            arrays = converter.convert(batch, offset, source.label)
            rows.add(arrays, source.label, offset, stream=streams[source.label][0])
        except InputError as exc:
            raise read.locate_error(exc, source, offset) from None
        dropped += arrays.dropped
    y, pred, w, keys, info = rows.finish()
    if len(y) == 0:
        raise InputError("no rows left to evaluate", file=plan.sources[0].label)
    return y, pred, w, dropped, keys, info
