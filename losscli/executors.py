"""Run a planned input through the engine: here, batch after batch (`LocalExecutor`), or on Dask,
one task per Parquet file (`DaskExecutor`, in `losscli.dask_executor`). Both stream batches
through the same `stream` loop into an `Engine`; Dask merges the tasks' partial sums pairwise in
a tree.

The caller plans once (columns and layout from the first rows) and hands the executor the plan,
the loss specs and the `ComputeOptions`; the executor hands back a `Run`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from losscli import read
from losscli.columns import BatchConverter, Columns, Layout
from losscli.engine import Engine
from losscli.errors import InputError, UsageError
from losscli.gates import Baseline, Gate
from losscli.groups import GroupKeys, KeyTypeError
from losscli.losses import EPS, LossSpec
from losscli.pipeline import Plan, stream_names
from losscli.write import PerRowWriter

#: Dask's local schedulers; anything else is taken as the address of a dask.distributed scheduler.
LOCAL_SCHEDULERS = ("threads", "processes", "sync")


#: The most bootstrap replicates (the interval's own error is long below a thousandth by then).
MAX_BOOTSTRAP = 10_000
#: Seeds are non-negative 64-bit integers.
MAX_SEED = 2**63 - 1


def check_options(reduction: str, eps: float, bootstrap: int, ci: float, seed: int = 0) -> None:
    """Reject reduction, eps, bootstrap, ci and seed values outside their ranges."""
    if reduction not in ("mean", "sum"):
        raise UsageError(f"--reduction must be 'mean' or 'sum', not '{reduction}'")
    if not 0 < eps < 0.5:
        raise UsageError(f"--eps must be in (0, 0.5), got {eps:g}")
    if not 0 <= bootstrap <= MAX_BOOTSTRAP:
        raise UsageError(
            f"--bootstrap must be between 0 and {MAX_BOOTSTRAP:,} replicates, got {bootstrap:,}"
        )
    if not 0 < ci < 1:
        raise UsageError(f"--ci must be in (0, 1), got {ci:g}")
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed must be between 0 and 2**63 - 1, got {seed}")


@dataclass(frozen=True)
class ComputeOptions:
    """How to compute, apart from what to read: the losses, the reduction, the bootstrap, the
    NaN policy, per-row output and the gates. Ranges are checked on construction."""

    losses: tuple[str, ...] | None = None
    nan: str = "error"
    eps: float = EPS
    reduction: str = "mean"
    bootstrap: int = 0
    seed: int = 0
    ci: float = 0.95
    per_row: str | None = None
    gates: tuple[Gate, ...] = ()
    baseline: Baseline | None = field(default=None, compare=False)
    gate_scope: str = "all"

    def __post_init__(self) -> None:
        check_options(self.reduction, self.eps, self.bootstrap, self.ci, self.seed)


@dataclass(frozen=True)
class Counts:
    """Rows seen while streaming: read, dropped (--nan drop), probability rows not summing to 1."""

    read: int = 0
    dropped: int = 0
    unnormalised: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.read + other.read,
            self.dropped + other.dropped,
            self.unnormalised + other.unnormalised,
        )


@dataclass(frozen=True)
class Run:
    """What an executor hands back: the engine holding every sum, the row counts, the files
    read (as the result names them) and what the executor adds to the result's inputs."""

    engine: Engine
    counts: Counts
    files: list[str]
    about: dict[str, Any] = field(default_factory=dict)


class Executor(Protocol):
    """Runs a plan's batches through the kernels."""

    def run(self, plan: Plan, specs: Sequence[LossSpec], options: ComputeOptions) -> Run: ...


def make_converter(
    columns: Columns, layout: Layout, specs: Sequence[LossSpec], nan: str
) -> BatchConverter:
    """The batch converter for these losses (probability inputs checked if any loss takes them)."""
    probabilities = any(s.loss.prediction == "probability" for s in specs)
    return BatchConverter(columns, layout, nan=nan, probabilities=probabilities)


def make_engine(
    specs: Sequence[LossSpec],
    layout: Layout,
    options: ComputeOptions,
    seed: int | None = None,
) -> Engine:
    """An engine for these losses on this layout (seed: the options' unless given)."""
    return Engine(
        specs,
        task=layout.task,
        from_logits=layout.from_logits,
        eps=options.eps,
        reduction=options.reduction,
        bootstrap=options.bootstrap,
        seed=options.seed if seed is None else seed,
    )


def encode_groups(arrays: Sequence[pa.Array]) -> tuple[np.ndarray, list[tuple]]:
    """Group codes 0..G-1 for every row and the G key tuples (missing keys, null or NaN, are
    one group; any number of columns, no overflow)."""
    keys = GroupKeys(len(arrays))
    return keys.encode(arrays), keys.tuples()


def stream(
    batches: Iterator[tuple[read.Source, int, pa.RecordBatch]],
    columns: Columns,
    converter: BatchConverter,
    engine: Engine,
    *,
    writer: PerRowWriter | None = None,
    progress: Callable[[int], None] | None = None,
    streams: Mapping[str, tuple[str, int]] | None = None,
) -> Counts:
    """Validate, convert and accumulate every batch into `engine`.

    `streams` maps a source's label to (its bootstrap row stream, the rows of that stream
    before the source); by default every source is its own stream (see `stream_names`)."""
    rows = dropped = unnormalised = 0
    for source, offset, batch in batches:
        try:
            arrays = converter.convert(batch, offset, source.label)
        except InputError as exc:
            raise read.locate_error(exc, source, offset) from None
        rows += arrays.rows
        dropped += arrays.dropped
        unnormalised += arrays.unnormalised
        # every row's group, dropped rows too: a group they empty is reported, with no value
        by = [batch.column(c) for c in columns.by] if columns.by else None
        for name, array in zip(columns.by, by or [], strict=False):
            if pa.types.is_nested(array.type):
                raise UsageError(
                    f"--by {name}: the column holds {array.type} values, which cannot be grouped",
                    hint="group by a column of numbers, strings or booleans",
                )
        try:
            name, start = (streams or {}).get(source.label, (source.label, 0))
            per_row_values = engine.add(
                arrays, by, file=source.label, offset=offset, stream=(name, start + offset)
            )
        except KeyTypeError as exc:
            exc.name(columns.by[exc.index])
            exc.file = source.label
            raise
        except InputError as exc:
            exc.column = _role_column(exc.column, columns)
            # the data set's file and row, and what was inferred (as the converter's errors say)
            raise converter.after_inference(read.locate_error(exc, source, offset)) from None
        if writer is not None:
            writer.write(source, offset, batch, arrays, per_row_values)
        if progress is not None:
            progress(batch.num_rows)
    return Counts(rows, dropped, unnormalised)


def _role_column(role: str | None, columns: Columns) -> str | None:
    if role == "y_true":
        return columns.true[0] if len(columns.true) == 1 else ", ".join(columns.true)
    if role == "y_pred":
        return columns.pred[0] if len(columns.pred) == 1 else ", ".join(columns.pred)
    return role


# ---------------------------------------------------------------------------------------------
# here


class LocalExecutor:
    """Stream every source in this process (reading ahead on a thread), with --per-row output
    and a progress callback `progress(rows_so_far_delta, total_rows_or_None)`."""

    def __init__(self, progress: Callable[[int, int | None], None] | None = None) -> None:
        self.progress = progress

    def run(self, plan: Plan, specs: Sequence[LossSpec], options: ComputeOptions) -> Run:
        """One engine over every batch of the plan, in order."""
        converter = make_converter(plan.columns, plan.layout, specs, options.nan)
        engine = make_engine(specs, plan.layout, options)
        writer = None
        if options.per_row:
            keys = [*plan.columns.by, *plan.keys]
            inputs = [f for s in plan.sources for f in (s.files or [s.path])]
            writer = PerRowWriter(options.per_row, keys, [s.label for s in specs], inputs)
        try:
            counts = stream(
                read.prefetch(plan.batches()),
                plan.columns,
                converter,
                engine,
                writer=writer,
                progress=self._progress(plan),
                streams=stream_names(plan.sources),
            )
            if writer is not None:
                writer.close()
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        return Run(engine, counts, [s.label for s in plan.sources])

    def _progress(self, plan: Plan) -> Callable[[int], None] | None:
        report = self.progress
        if report is None:
            return None
        counts = [read.row_count(s) for s in plan.sources]
        total = None if None in counts else sum(c for c in counts if c is not None)
        return lambda rows: report(rows, total)
