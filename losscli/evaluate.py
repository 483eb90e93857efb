"""`compute`: plan the input, choose the losses, run the plan on an executor, and assemble the
result (values, bootstrap intervals, gates, warnings, a description of the inputs) once.

One path: `compute` (keyword options) builds an `InputSpec` and `ComputeOptions` and calls
`run`, which chooses the executor (here, or Dask with `dask=`: one task per Parquet file),
plans, and runs the plan; `compute_dask` is `compute(..., dask=scheduler)`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from losscli.columns import BatchConverter
from losscli.diagnose import SCALE_PARAMS, scale_advice
from losscli.engine import Engine, Value
from losscli.errors import InputError, LosscliError, UsageError
from losscli.executors import ComputeOptions, Executor, LocalExecutor, Run
from losscli.gates import Baseline, Gate, check_gates, evaluate, gate_specs
from losscli.grouped import GroupDicts, GroupTable, LossColumns, Results
from losscli.losses import EPS, LossSpec, resolve_losses, split_specs
from losscli.losses.per_label import per_label_specs
from losscli.pipeline import DEFAULT_LOSSES, Data, InputSpec, Plan, make_plan
from losscli.result import ComputeResult, LossResult
from losscli.text import plural, were


def compute(
    data: Data,
    *,
    losses: Sequence[str] | None = None,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    by: Sequence[str] | None = None,
    task: str | None = None,
    positive: str | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str = "error",
    eps: float = EPS,
    reduction: str = "mean",
    bootstrap: int = 0,
    seed: int = 0,
    ci: float = 0.95,
    per_row: str | None = None,
    keys: Sequence[str] | None = None,
    gates: Sequence[Gate] = (),
    baseline: Baseline | dict[str, Any] | None = None,
    gate_scope: str = "all",
    per_label: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    classes: Sequence[str] | None = None,
    dask: Any = None,
    timeout: float = 30.0,
    delimiter: str | None = None,
) -> ComputeResult:
    """Evaluate losses on prediction data (files, a DataFrame or an Arrow table), streaming.

    The column options make an `InputSpec`, the rest a `ComputeOptions`; `run` does the work.
    `dask` runs the same plan on Dask, one task per Parquet file: 'threads', 'processes',
    'sync', a dask.distributed Client, or a scheduler address ('tcp://host:8786') reached (and
    given a worker) within `timeout` seconds; see `run` for what Dask refuses. (Long only for
    its keyword options, spelled out for the library's callers.)

    >>> import pyarrow as pa
    >>> table = pa.table({"y_true": [100.0], "y_pred": [92.0]})
    >>> compute(table, losses=["huber"]).value("huber")
    7.5
    """
    spec = InputSpec.of(
        true=true,
        pred=pred,
        weight=weight,
        by=by,
        keys=keys,
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
        nan=nan,
        classes=classes,
        delimiter=delimiter,
    )
    options = ComputeOptions(
        losses=tuple(losses) if losses else None,
        nan=nan,
        eps=eps,
        reduction=reduction,
        bootstrap=bootstrap,
        seed=seed,
        ci=ci,
        per_row=per_row,
        gates=tuple(gates),
        baseline=Baseline.coerce(baseline),
        gate_scope=gate_scope,
    )
    return run(
        data, spec, options, per_label=per_label, progress=progress, dask=dask, timeout=timeout
    )


def compute_dask(data: Data, *, scheduler: Any = "threads", **options: Any) -> ComputeResult:
    """`compute(data, dask=scheduler, **options)`: over Parquet files or data sets (paths or
    URIs), one Dask task per file. Values equal `compute`'s to rounding, bootstrap intervals
    too for the same seed (see `DaskExecutor`)."""
    return compute(data, dask=scheduler, **options)


def run(
    data: Data,
    spec: InputSpec,
    options: ComputeOptions,
    *,
    per_label: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    dask: Any = None,
    timeout: float = 30.0,
) -> ComputeResult:
    """Plan `data` by `spec`, run the plan by `options` here or on Dask (`dask`, as `compute`
    takes it), and assemble the result. Row keys are read only for `options.per_row`."""
    executor = choose_executor(data, spec, options, per_label, progress, dask, timeout)
    keys = spec.keys if options.per_row else ()
    plan = make_plan(data, spec.replace(keys=keys), losses=asked(options.losses, options.gates))
    return run_plan(plan, options, executor, per_label=per_label)


def choose_executor(
    data: Data,
    spec: InputSpec,
    options: ComputeOptions,
    per_label: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    dask: Any = None,
    timeout: float = 30.0,
) -> Executor:
    """`LocalExecutor` without `dask`; else a `DaskExecutor`, refusing what Dask cannot do: the
    workers read Parquet files by path or URI (no stdin, no other format), and per-row output
    and per-label losses are written and computed here only."""
    if dask is None:
        return LocalExecutor(progress)
    if per_label:
        raise UsageError("--per-label is not available with --dask")
    if options.per_row:
        raise UsageError("--per-row is not available with --dask")
    if spec.input_format not in (None, "parquet", "pq") or spec.delimiter is not None:
        raise UsageError(
            "--dask reads Parquet files, directories or globs",
            hint="convert the data to Parquet, or drop --dask",
        )
    if _reads_stdin(data):
        raise UsageError(
            "--dask cannot read stdin: workers read files by path or URI",
            hint="write the data to a Parquet file, or drop --dask",
        )
    from losscli.dask_executor import DaskExecutor

    return DaskExecutor(dask, timeout)


def asked(losses: Sequence[str] | None, gates: Sequence[Gate]) -> list[str]:
    """The loss names the user wrote, in --loss and in gates: they settle the task when they
    fit only one."""
    return [*split_specs(list(losses or [])), *(g.loss for g in gates)]


def _reads_stdin(data: Data) -> bool:
    if isinstance(data, str):
        return data == "-"
    return isinstance(data, list | tuple) and any(p == "-" for p in data)


def run_plan(
    plan: Plan, options: ComputeOptions, executor: Executor, *, per_label: bool = False
) -> ComputeResult:
    """Choose the losses for a planned input, run it on `executor`, assemble the result.

    `per_label` (multi-label only) adds each loss on each label column after the losses."""
    specs = plan_specs(plan, options.losses, options.gates)
    check_gates(
        options.gates,
        specs,
        task=plan.layout.task,
        reduction=options.reduction,
        scope=options.gate_scope,
        baseline=options.baseline,
        weight=plan.columns.weight,
    )
    advice = scale_warnings(plan, specs)
    targets = {}
    if per_label:
        if plan.layout.task != "multilabel":
            raise UsageError(f"--per-label needs a multi-label task, not {plan.layout.task}")
        extra = per_label_specs(specs, plan.layout.classes or plan.columns.true)
        specs = [*specs, *(spec for spec, _ in extra.values())]
        targets = {label: name for label, (_, name) in extra.items()}
    result = finish(plan, specs, executor.run(plan, specs, options), options)
    if targets:
        results = [replace(r, target=targets.get(r.label)) for r in result.results]
        result = replace(result, results=results)
    return replace(result, warnings=[*result.warnings, *advice]) if advice else result


def scale_warnings(plan: Plan, specs: Sequence[LossSpec]) -> list[str]:
    """Warnings for Huber-like losses whose scale parameter misses the residuals' scale, measured
    on the first batch only (compute streams; the batch is put back for the run)."""
    scaled = [s for s in specs if s.name in SCALE_PARAMS and s.params.get(SCALE_PARAMS[s.name])]
    if plan.layout.task != "regression" or not scaled:
        return []
    first = next(plan.first, None)
    if first is None:
        return []
    plan.first = itertools.chain([first], plan.first)
    try:
        converter = BatchConverter(plan.columns, plan.layout, nan="drop")
        arrays = converter.convert(first, 0, plan.sources[0].label)
    except LosscliError:
        return []  # the run itself reports the input error
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is the run's error
        residuals = arrays.pred - arrays.y
        if not np.all(np.isfinite(residuals)):
            return []
    where = f"first {plural(len(residuals), 'row')} of {plan.sources[0].label}"
    out = []
    for spec in scaled:
        param = SCALE_PARAMS[spec.name]
        value = spec.params[param]
        text = scale_advice(spec.label, spec.name, param, float(value or 0), residuals, where)
        if text:
            out.append(text)
    return out


def plan_specs(plan: Plan, losses: Sequence[str] | None, gates: Sequence[Gate]) -> list[LossSpec]:
    """The losses to compute on a planned input: asked for, or the task's default set, plus
    those the gates name."""
    layout = plan.layout
    try:
        specs = _specs(losses, gates, layout.task)
    except UsageError as exc:
        if layout.task_inferred and "does not apply to" in exc.message:
            exc.hint = layout.hint_after(exc.hint)
        raise
    if layout.from_logits:
        for spec in specs:
            # a score loss (hinge) takes a logit as the score it is
            if not (spec.loss.accepts_logits or spec.loss.prediction == "score"):
                fix = (
                    "pass --from-probabilities (logits were inferred from the column names)"
                    if layout.from_logits_inferred
                    else "drop --from-logits"
                )
                raise UsageError(f"{spec.name} does not take logits; {fix}")
    return specs


def _specs(losses: Sequence[str] | None, gates: Sequence[Gate], task: str) -> list[LossSpec]:
    """The losses asked for (or the task's defaults), plus exactly the ones gates name that
    they lack; every gate names one of them (`gates.gate_specs`)."""
    specs = resolve_losses(list(losses) if losses else list(DEFAULT_LOSSES[task]), task)
    for spec in specs:
        spec.loss.kernel(task)  # raises a UsageError for a loss that does not fit the task
    return gate_specs(gates, specs, task)


# ---------------------------------------------------------------------------------------------
# the result, assembled once


def finish(plan: Plan, specs: list[LossSpec], run: Run, options: ComputeOptions) -> ComputeResult:
    """Reduce the run's sums to results, check the gates, describe the inputs."""
    engine, counts = run.engine, run.counts
    if counts.read - counts.dropped == 0:
        raise InputError("no rows left to evaluate", file=plan.sources[0].label)
    if plan.columns.weight and engine.reduction == "mean":
        _, weight_sum = engine.overall[specs[0].label].total()
        if weight_sum <= 0:
            raise InputError(
                "every weight is 0: the weighted mean is undefined",
                file=plan.sources[0].label,
                column=plan.columns.weight,
            )
    results = _results(engine, specs, plan, options)
    warnings = _warnings(engine, results, counts.dropped, counts.unnormalised, options.nan)
    warnings += _hard_predictions(engine, plan, counts.read - counts.dropped)
    if options.baseline is not None:
        warnings += options.baseline.warnings(counts.read - counts.dropped)
    draft = ComputeResult(
        _inputs(plan, run, options),
        results,
        warnings=warnings,
        notes=plan.notes,
    )
    outcomes = evaluate(draft, options.gates, baseline=options.baseline, scope=options.gate_scope)
    return replace(draft, gates=outcomes)


def _inputs(plan: Plan, run: Run, options: ComputeOptions) -> dict[str, Any]:
    """The result's description of what was read and how it was computed."""
    layout, counts, engine = plan.layout, run.counts, run.engine
    keys = plan.keys if options.per_row else []
    bootstrap = options.bootstrap
    return {
        "files": run.files,
        "columns": {**plan.columns.as_dict(), "keys": list(keys)},
        "task": layout.task,
        "task_inferred": layout.task_inferred,
        "labels": layout.labels,
        "positive": layout.positive,
        "classes": layout.classes,
        "from_logits": layout.from_logits,
        "rows": {
            "read": counts.read,
            "used": counts.read - counts.dropped,
            "dropped": counts.dropped,
        },
        "values_clipped": engine.clipped,
        "eps": engine.eps,
        "reduction": engine.reduction,
        "weighted": plan.columns.weight is not None,
        "bootstrap": (
            {"replicates": bootstrap, "seed": options.seed, "level": options.ci}
            if bootstrap
            else None
        ),
        **run.about,
    }


def _results(engine: Engine, specs: list[LossSpec], plan: Plan, options: ComputeOptions) -> Results:
    """Every loss overall, then every loss per group (groups in their keys' sorted order)."""
    out = []
    for spec in specs:
        v = engine.value(spec, engine.overall[spec.label], options.ci)
        out.append(_loss_result(spec, v, engine.reduction, None, options))
    if engine.keys is None or not engine.keys.count:
        return Results(out)
    columns = engine.keys.columns()
    groups, order = group_dicts(plan.columns.by, columns, engine.keys.key_order())
    losses = []
    for spec in specs:
        g = engine.group_values(spec, options.ci)
        losses.append(
            LossColumns(
                spec.label,
                spec.name,
                spec.params,
                g.value[order],
                g.rows[order],
                g.weight_sum[order],
                None if g.low is None else g.low[order],
                None if g.high is None else g.high[order],
            )
        )
    table = GroupTable(
        list(plan.columns.by),
        groups,
        losses,
        engine.reduction,
        options.ci if options.bootstrap else None,
        options.bootstrap or None,
        groups.columns,
    )
    return Results(out, table)


def group_dicts(
    by: Sequence[str], columns: Sequence[Any], order: Any = None
) -> tuple[GroupDicts, Any]:
    """The `{column: value}` of every group in sorted key order (nulls last), and that order
    (sorted here unless given); the dicts are built when read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from losscli.columns.arrow import from_numpy, to_numpy

    if order is not None:
        return GroupDicts(by, [c.take(from_numpy(order)) for c in columns]), order
    names = [f"k{i}" for i in range(len(columns))]
    table = pa.Table.from_arrays(list(columns), names=names)
    try:
        order = pc.sort_indices(table, sort_keys=[(n, "ascending", "at_end") for n in names])
    except (TypeError, ValueError, pa.ArrowInvalid):  # pyarrow < 25: one placement for all
        order = pc.sort_indices(
            table, sort_keys=[(n, "ascending") for n in names], null_placement="at_end"
        )
    return GroupDicts(by, [c.take(order) for c in columns]), to_numpy(order)


def _loss_result(
    spec: LossSpec,
    v: Value,
    reduction: str,
    group: dict[str, Any] | None,
    options: ComputeOptions,
) -> LossResult:
    return LossResult(
        label=spec.label,
        name=spec.name,
        params=spec.params,
        value=v.value,
        reduction=reduction,
        rows=v.rows,
        weight_sum=v.weight_sum,
        group=group,
        ci=v.ci,
        ci_level=options.ci if options.bootstrap else None,
        replicates=options.bootstrap or None,
    )


def _hard_predictions(engine: Engine, plan: Plan, rows: int) -> list[str]:
    """Every probability clipped: 0/1 class predictions, not probabilities."""
    layout = plan.layout
    width = layout.k if layout.task in ("multiclass", "multilabel") else 1
    if engine.clips and rows and engine.clipped >= rows * width:
        return [
            "every prediction is 0 or 1: these look like predict() output, not predict_proba(); "
            "losses of probabilities need the probabilities"
        ]
    return []


def _warnings(
    engine: Engine, results: Sequence[LossResult], dropped: int, unnormalised: int, nan: str
) -> list[str]:
    out = []
    if engine.clipped:
        out.append(
            f"{plural(engine.clipped, 'probability', 'probabilities')} {were(engine.clipped)} "
            f"clipped to [eps, 1 - eps] (eps={engine.eps:g})"
        )
    if unnormalised:
        out.append(
            f"{plural(unnormalised, 'row')} of class probabilities "
            f"{'does' if unnormalised == 1 else 'do'} not sum to 1 (used as given, "
            "not renormalised)"
        )
    if dropped and nan == "drop":
        out.append(f"{plural(dropped, 'row')} with missing values {were(dropped)} dropped")
    table = results.table if isinstance(results, Results) else None
    out += _empty_groups(table, nan)
    undefined = sorted({r.label for r in results[: len(engine.specs)] if r.value is None})
    if undefined:
        out.append(f"no value for {', '.join(undefined)} (the rows weigh nothing)")
    return out


def _empty_groups(table: GroupTable | None, nan: str) -> list[str]:
    """Name the groups with no value: no rows left, rows that weigh nothing, or no finite
    value; their gates fail."""
    if table is None:
        return []
    out = []
    why = "dropped by --nan drop" if nan == "drop" else "missing"
    whats = (f"have no rows left (all {why})", "weigh nothing", "have no finite value")
    for mask, what in zip(table.undefined(), whats, strict=True):
        index = np.flatnonzero(mask)
        if not len(index):
            continue
        names = [", ".join(f"{k}={v}" for k, v in table.groups[i].items()) for i in index[:5]]
        more = f"; and {len(index) - 5} more" if len(index) > 5 else ""
        out.append(
            f"{len(index)} group(s) {what}: {'; '.join(names)}{more}; their values are null "
            "and their gates fail"
        )
    return out
