"""Run a plan on Dask: one task per Parquet file, keyed by the file, partial sums merged in a tree.

The client decides everything once, from the plan: the columns, the layout, each data set's
schema and hive partition types (`read.dataset_spec`), the files as absolute paths or URIs and
each file's row count from its footer. A task streams its file with those decisions and checks
that it read the rows the client saw; a task that fails names its file. A scheduler address is
reached within `timeout` seconds, must have a worker within `timeout` seconds, and every worker
must import the same losscli version as the client; a run whose workers all leave fails after
`timeout` seconds instead of waiting forever.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from losscli import read
from losscli.columns import Columns, Layout
from losscli.dask_client import (
    DEFAULT_TIMEOUT,
    LOCAL_SCHEDULERS,
    check_scheduler,
    check_workers,
    connect,
    dask_errors,
    gather,
)
from losscli.engine import Partial
from losscli.errors import InputError, UsageError
from losscli.executors import (
    ComputeOptions,
    Counts,
    Run,
    make_converter,
    make_engine,
    stream,
)
from losscli.losses import LossSpec, get_loss
from losscli.pipeline import Plan, stream_names
from losscli.read.errors import arrow_errors
from losscli.read.uri import is_uri

__all__ = ["DEFAULT_TIMEOUT", "LOCAL_SCHEDULERS", "DaskExecutor", "FileTask", "partial_sums"]


@dataclass(frozen=True)
class FileTask:
    """What one task reads: a file (absolute path or URI), the data set it belongs to (schema
    and partition types decided by the client), the rows its footer held when the client
    planned, and its bootstrap row stream with the rows of that stream before it."""

    file: str
    dataset: read.DatasetSpec | None
    rows: int
    stream: str
    start: int


class DaskExecutor:
    """One Dask task per Parquet file, each streaming its file into partial sums; the partials
    merge pairwise in a tree of tasks and the client folds the last one into an engine.

    `scheduler` is 'threads', 'processes', 'sync', a dask.distributed Client, or a scheduler
    address ('tcp://host:8786'). Values equal a local run's to rounding (the partial sums are
    added with math.fsum); bootstrap intervals equal a local run's for the same seed (each row's
    weights are seeded by its file or data set and its row offset, see `engine.poisson_weights`)
    up to the order in which replicate sums are added.
    """

    def __init__(self, scheduler: Any = "threads", timeout: float = DEFAULT_TIMEOUT) -> None:
        self.dask = _import_dask()
        if isinstance(scheduler, str):
            check_scheduler(scheduler)
        if not timeout > 0:
            raise UsageError(f"--timeout must be > 0 seconds, got {timeout:g}")
        self.scheduler = scheduler
        self.timeout = timeout

    def run(self, plan: Plan, specs: Sequence[LossSpec], options: ComputeOptions) -> Run:
        """Every file a task, partials merged in a tree, then reduced on the client."""
        tasks = file_tasks(plan.sources)
        spec_data = [(s.label, s.name, s.params) for s in specs]
        delayed = self.dask.delayed
        keys = task_keys(tasks)
        nodes = [
            delayed(partial_sums, pure=False)(
                task,
                plan.read_columns,
                plan.columns,
                plan.layout,
                spec_data,
                options,
                dask_key_name=key,
            )
            for task, key in zip(tasks, keys, strict=True)
        ]
        level = 0
        while len(nodes) > 1:  # pairwise: a tree of merges, not one merge of everything
            level += 1
            pairs = [nodes[i : i + 2] for i in range(0, len(nodes), 2)]
            nodes = [
                delayed(merge_parts)(*p, dask_key_name=f"losscli-merge-{level}-{i}")
                if len(p) == 2
                else p[0]
                for i, p in enumerate(pairs)
            ]
        files = dict(zip(keys, (t.file for t in tasks), strict=True))
        partial, counts = self._compute(nodes[0], files)
        expected = sum(t.rows for t in tasks)
        if counts.read != expected:
            raise InputError(
                f"the tasks read {counts.read:,} rows, the footers hold {expected:,}",
                file=plan.sources[0].label,
                hint="a file changed during the run; run again",
            )
        engine = make_engine(specs, plan.layout, options)
        engine.absorb(partial)
        about = {"dask": {"tasks": len(tasks), "scheduler": _describe(self.scheduler)}}
        return Run(engine, counts, [t.file for t in tasks], about)

    def _compute(self, node: Any, files: dict[str, str]) -> tuple[Partial, Counts]:
        scheduler = self.scheduler
        if isinstance(scheduler, str) and scheduler in LOCAL_SCHEDULERS:
            with dask_errors(files):
                result: tuple[Partial, Counts] = self.dask.compute(node, scheduler=scheduler)[0]
            return result
        own = isinstance(scheduler, str)
        client = connect(scheduler, self.timeout) if own else scheduler
        try:
            if not own:
                check_workers(client)
            with dask_errors(files):
                return gather(client, client.compute(node), self.timeout)
        finally:
            if own:
                client.close()


def task_keys(tasks: Sequence[FileTask]) -> list[str]:
    """Each task's Dask key: 'losscli-<file>', so that Dask's own errors name the file."""
    seen: dict[str, int] = {}
    keys = []
    for task in tasks:
        n = seen[task.file] = seen.get(task.file, 0) + 1
        keys.append(f"losscli-{task.file}" + (f"#{n}" if n > 1 else ""))
    return keys


def file_tasks(sources: Sequence[read.Source]) -> list[FileTask]:
    """The client's plan of tasks: every Parquet file as an absolute path or URI, with its data
    set's decided schema, its footer's row count and its place in its bootstrap row stream."""
    names = stream_names(sources)
    listed: list[tuple[read.Source, str, read.DatasetSpec | None]] = []
    for source in sources:
        if source.format == "parquet":
            listed.append((source, _absolute(source.path), None))
        elif source.format == "dataset":
            decided = read.dataset_spec(source)
            base = _absolute(decided.base) if decided.base else None
            spec = replace(decided, base=base)
            listed.extend((source, _absolute(f), spec) for f in source.files)
        elif source.path == "-":
            raise UsageError(
                "--dask cannot read stdin: workers read files by path or URI",
                hint="write the data to a Parquet file, or drop --dask",
            )
        else:
            raise UsageError(
                f"--dask reads Parquet files, directories or globs, not {source.format} "
                f"('{source.label}')",
                hint="convert the data to Parquet, or drop --dask",
            )
    with ThreadPoolExecutor(8) as pool:  # footers only: one small read per file
        rows = list(pool.map(_footer_rows, [f for _, f, _ in listed]))
    tasks = []
    offsets: dict[str, int] = {}
    for (source, file, dataset), n in zip(listed, rows, strict=True):
        name, _ = names[source.label]
        start = offsets.get(source.label, 0)
        offsets[source.label] = start + n
        tasks.append(FileTask(file, dataset, n, name, start))
    return tasks


def _footer_rows(file: str) -> int:
    with arrow_errors(read.Source(file, "parquet")):
        return read.footer_rows(file)


def _absolute(path: str) -> str:
    """A URI as it is; a local path made absolute on the client (workers have other cwds)."""
    return path if is_uri(path) else os.path.abspath(path)


def partial_sums(
    task: FileTask,
    read_columns: list[str],
    columns: Columns,
    layout: Layout,
    spec_data: list[tuple[str, str, dict[str, Any]]],
    options: ComputeOptions,
) -> tuple[Partial, Counts]:
    """One task: stream one Parquet file into partial sums (plain, picklable data)."""
    specs = [LossSpec(get_loss(name), params, label) for label, name, params in spec_data]
    if task.dataset is None:
        source = read.Source(task.file, "parquet")
    else:  # a file of a data set: the client's schema and partition types, not its own guess
        source = read.Source(task.file, "dataset", files=[task.file], dataset=task.dataset)
    converter = make_converter(columns, layout, specs, options.nan)
    engine = make_engine(specs, layout, options)

    def batches() -> Iterator[tuple[read.Source, int, pa.RecordBatch]]:
        offset = 0
        for batch in read.iter_batches(source, read_columns):
            yield source, offset, batch
            offset += batch.num_rows

    streams = {task.file: (task.stream, task.start)}
    counts = stream(batches(), columns, converter, engine, streams=streams)
    if counts.read != task.rows:
        raise InputError(
            f"a worker read {counts.read:,} rows where the client's footer said {task.rows:,}",
            file=task.file,
            hint="the workers must see the same files as the client (a shared filesystem "
            "or an object store), unchanged during the run",
        )
    return engine.partial(), counts


def merge_parts(
    left: tuple[Partial, Counts], right: tuple[Partial, Counts]
) -> tuple[Partial, Counts]:
    """Two tasks' (partial sums, counts) as one; neither input changes."""
    return left[0].merge(right[0]), left[1] + right[1]


def _describe(scheduler: Any) -> str:
    return scheduler if isinstance(scheduler, str) else type(scheduler).__name__


def _import_dask() -> Any:
    try:
        import dask
    except ImportError:
        raise UsageError("--dask needs Dask", hint="pip install 'losscli[dask]'") from None
    return dask
