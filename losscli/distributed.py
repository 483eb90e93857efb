"""compute on Dask: one task per Parquet file, each streaming its file through the same
converter and kernels into partial sums, which the client merges (SPEC §9).

The client resolves the columns and infers the layout once, from the first file, exactly as
`compute` does; the tasks only read, check and accumulate. Dask is an optional extra:
`pip install 'losscli[dask]'`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from losscli import read
from losscli.api import (
    Counts,
    Data,
    check_options,
    finish,
    make_converter,
    make_plan,
    plan_specs,
    stream,
)
from losscli.columns import Columns, Layout
from losscli.engine import Engine
from losscli.errors import UsageError
from losscli.gates import Gate
from losscli.losses import EPS, LossSpec, get_loss
from losscli.result import ComputeResult

#: Dask's local schedulers; anything else is taken as the address of a dask.distributed scheduler.
LOCAL_SCHEDULERS = ("threads", "processes", "sync")


def compute_dask(
    data: Data,
    *,
    scheduler: Any = "threads",
    losses: Sequence[str] | None = None,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    by: Sequence[str] | None = None,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    nan: str = "error",
    eps: float = EPS,
    reduction: str = "mean",
    bootstrap: int = 0,
    seed: int = 0,
    ci: float = 0.95,
    gates: Sequence[Gate] = (),
    baseline: dict[str, Any] | None = None,
    gate_scope: str = "all",
) -> ComputeResult:
    """`compute` over Parquet files or data sets, one Dask task per file.

    `scheduler` is 'threads', 'processes', 'sync', a dask.distributed Client, or a scheduler
    address ('tcp://host:8786'). Values equal `compute`'s to rounding (the partial sums are
    added with math.fsum); bootstrap intervals draw each file's weights from its own seeded
    stream, so they are deterministic for a seed but differ from a local run's.
    """
    dask = _import_dask()
    check_options(reduction, eps, bootstrap, ci)
    plan = make_plan(
        data,
        true=true,
        pred=pred,
        weight=weight,
        by=by,
        task=task,
        positive=positive,
        from_logits=from_logits,
    )
    specs = plan_specs(plan, losses, gates)
    files = _parquet_files(plan.sources)
    spec_data = [(s.label, s.name, s.params) for s in specs]
    options = {
        "nan": nan,
        "eps": eps,
        "reduction": reduction,
        "bootstrap": bootstrap,
        "seed": seed,
    }
    tasks = [
        dask.delayed(partial_sums, pure=False)(
            index, path, base, plan.read_columns, plan.columns, plan.layout, spec_data, options
        )
        for index, (path, base) in enumerate(files)
    ]
    client = _client(scheduler)
    try:
        parts = dask.compute(*tasks, scheduler=client or scheduler)
    finally:
        if client is not None:
            client.close()
    engine = Engine(
        specs,
        task=plan.layout.task,
        from_logits=plan.layout.from_logits,
        eps=eps,
        reduction=reduction,
    )
    counts = Counts()
    for partial, part_counts in parts:
        engine.absorb(partial)
        counts.add(part_counts)
    result = finish(
        plan,
        specs,
        engine,
        counts,
        nan=nan,
        bootstrap=bootstrap,
        seed=seed,
        ci=ci,
        gates=gates,
        baseline=baseline,
        gate_scope=gate_scope,
    )
    result.inputs["files"] = [path for path, _ in files]
    result.inputs["dask"] = {"tasks": len(files), "scheduler": _describe(scheduler)}
    return result


def partial_sums(
    index: int,
    path: str,
    base: str | None,
    read_columns: list[str],
    columns: Columns,
    layout: Layout,
    spec_data: list[tuple[str, str, dict]],
    options: dict[str, Any],
) -> tuple[dict, Counts]:
    """One task: stream one Parquet file into partial sums (plain, picklable data)."""
    specs = [LossSpec(get_loss(name), params, label) for label, name, params in spec_data]
    if base is None:
        source = read.Source(path, "parquet")
    else:  # a file of a hive-partitioned data set: its partitions become columns
        source = read.Source(base, "dataset", files=[path])
    converter = make_converter(columns, layout, specs, options["nan"])
    engine = Engine(
        specs,
        task=layout.task,
        from_logits=layout.from_logits,
        eps=options["eps"],
        reduction=options["reduction"],
        bootstrap=options["bootstrap"],
        seed=[options["seed"], index],
    )
    named = read.Source(path, "parquet")  # errors name the file, not the data set

    def batches():
        offset = 0
        for batch in read.iter_batches(source, read_columns):
            yield named, offset, batch
            offset += batch.num_rows

    counts = stream(batches(), columns, converter, engine)
    return engine.partial(), counts


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


def _import_dask():
    try:
        import dask
    except ImportError:
        raise UsageError("--dask needs Dask", hint="pip install 'losscli[dask]'") from None
    return dask
