"""Run a planned input through the engine: here, batch after batch (`LocalExecutor`), or on Dask,
one task per Parquet file (`DaskExecutor`). Both stream batches through the same `stream` loop
into an `Engine`; Dask merges the tasks' partial sums pairwise in a tree (SPEC §9).

The caller plans once (columns and layout from the first rows) and hands the executor the plan,
the loss specs and the `ComputeOptions`; the executor hands back a `Run`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa

from losscli import read
from losscli.columns import BatchConverter, Columns, Layout
from losscli.engine import Engine, Partial
from losscli.errors import InputError, UsageError
from losscli.gates import Baseline, Gate
from losscli.losses import EPS, LossSpec, get_loss
from losscli.pipeline import Plan
from losscli.write import PerRowWriter

#: Dask's local schedulers; anything else is taken as the address of a dask.distributed scheduler.
LOCAL_SCHEDULERS = ("threads", "processes", "sync")


def check_options(reduction: str, eps: float, bootstrap: int, ci: float) -> None:
    """Reject reduction, eps, bootstrap and ci values outside their ranges."""
    if reduction not in ("mean", "sum"):
        raise UsageError(f"--reduction must be 'mean' or 'sum', not '{reduction}'")
    if not 0 < eps < 0.5:
        raise UsageError(f"--eps must be in (0, 0.5), got {eps:g}")
    if bootstrap < 0:
        raise UsageError("--bootstrap must be >= 0")
    if not 0 < ci < 1:
        raise UsageError(f"--ci must be in (0, 1), got {ci:g}")


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
        check_options(self.reduction, self.eps, self.bootstrap, self.ci)


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
    seed: int | Sequence[int] | None = None,
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


def stream(
    batches: Iterator[tuple[read.Source, int, pa.RecordBatch]],
    columns: Columns,
    converter: BatchConverter,
    engine: Engine,
    *,
    writer: PerRowWriter | None = None,
    progress: Callable[[int], None] | None = None,
) -> Counts:
    """Validate, convert and accumulate every batch into `engine`."""
    rows = dropped = unnormalised = 0
    for source, offset, batch in batches:
        arrays = converter.convert(batch, offset, source.label)
        rows += arrays.rows
        dropped += arrays.dropped
        unnormalised += arrays.unnormalised
        # every row's group, dropped rows too: a group they empty is reported, with no value
        by = [batch.column(c) for c in columns.by] if columns.by else None
        try:
            per_row_values = engine.add(arrays, by, file=source.label, offset=offset)
        except InputError as exc:
            exc.column = _role_column(exc.column, columns)
            raise
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
            writer = PerRowWriter(options.per_row, keys, [s.label for s in specs])
        try:
            counts = stream(
                read.prefetch(plan.batches()),
                plan.columns,
                converter,
                engine,
                writer=writer,
                progress=self._progress(plan),
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


# ---------------------------------------------------------------------------------------------
# on Dask


class DaskExecutor:
    """One Dask task per Parquet file, each streaming its file into partial sums; the partials
    merge pairwise in a tree of tasks and the client folds the last one into an engine.

    `scheduler` is 'threads', 'processes', 'sync', a dask.distributed Client, or a scheduler
    address ('tcp://host:8786'). Values equal a local run's to rounding (the partial sums are
    added with math.fsum); bootstrap intervals draw each file's weights from its own seeded
    stream, so they are deterministic for a seed but differ from a local run's (and the replicate
    sums are added in the tree's order, pairwise).
    """

    def __init__(self, scheduler: Any = "threads") -> None:
        self.dask = _import_dask()
        self.scheduler = scheduler

    def run(self, plan: Plan, specs: Sequence[LossSpec], options: ComputeOptions) -> Run:
        """Every file a task, partials merged in a tree, then reduced on the client."""
        files = _parquet_files(plan.sources)
        spec_data = [(s.label, s.name, s.params) for s in specs]
        delayed = self.dask.delayed
        tasks = [
            delayed(partial_sums, pure=False)(
                index, path, base, plan.read_columns, plan.columns, plan.layout, spec_data, options
            )
            for index, (path, base) in enumerate(files)
        ]
        while len(tasks) > 1:  # pairwise: a tree of merges, not one merge of everything
            pairs = [tasks[i : i + 2] for i in range(0, len(tasks), 2)]
            tasks = [delayed(merge_parts)(*p) if len(p) == 2 else p[0] for p in pairs]
        client = _client(self.scheduler)
        try:
            ((partial, counts),) = self.dask.compute(*tasks, scheduler=client or self.scheduler)
        finally:
            if client is not None:
                client.close()
        engine = make_engine(specs, plan.layout, options)
        engine.absorb(partial)
        about = {"dask": {"tasks": len(files), "scheduler": _describe(self.scheduler)}}
        return Run(engine, counts, [path for path, _ in files], about)


def partial_sums(
    index: int,
    path: str,
    base: str | None,
    read_columns: list[str],
    columns: Columns,
    layout: Layout,
    spec_data: list[tuple[str, str, dict]],
    options: ComputeOptions,
) -> tuple[Partial, Counts]:
    """One task: stream one Parquet file into partial sums (plain, picklable data)."""
    specs = [LossSpec(get_loss(name), params, label) for label, name, params in spec_data]
    if base is None:
        source = read.Source(path, "parquet")
    else:  # a file of a hive-partitioned data set: its partitions become columns
        source = read.Source(base, "dataset", files=[path])
    converter = make_converter(columns, layout, specs, options.nan)
    engine = make_engine(specs, layout, options, seed=[options.seed, index])
    named = read.Source(path, "parquet")  # errors name the file, not the data set

    def batches() -> Iterator[tuple[read.Source, int, pa.RecordBatch]]:
        offset = 0
        for batch in read.iter_batches(source, read_columns):
            yield named, offset, batch
            offset += batch.num_rows

    counts = stream(batches(), columns, converter, engine)
    return engine.partial(), counts


def merge_parts(
    left: tuple[Partial, Counts], right: tuple[Partial, Counts]
) -> tuple[Partial, Counts]:
    """Two tasks' (partial sums, counts) as one; neither input changes."""
    return left[0].merge(right[0]), left[1] + right[1]


def _parquet_files(sources: Sequence[read.Source]) -> list[tuple[str, str | None]]:
    """(file, data-set base directory or None) for every Parquet file of the input."""
    files: list[tuple[str, str | None]] = []
    for source in sources:
        if source.format == "parquet":
            files.append((source.path, None))
        elif source.format == "dataset":
            base = source.path if os.path.isdir(source.path) else None
            files.extend((f, base) for f in source.files)
        else:
            raise UsageError(
                f"--dask reads Parquet files, directories or globs, not {source.format} "
                f"('{source.label}')"
            )
    return files


def _client(scheduler: Any) -> Any:
    """A dask.distributed Client for a scheduler address (closed after the run); else None."""
    if not isinstance(scheduler, str) or scheduler in LOCAL_SCHEDULERS:
        return None
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError(
            f"--dask {scheduler}: a scheduler address needs dask.distributed",
            hint="pip install 'dask[distributed]'",
        ) from None
    return Client(scheduler)


def _describe(scheduler: Any) -> str:
    return scheduler if isinstance(scheduler, str) else type(scheduler).__name__


def _import_dask() -> Any:
    try:
        import dask
    except ImportError:
        raise UsageError("--dask needs Dask", hint="pip install 'losscli[dask]'") from None
    return dask
