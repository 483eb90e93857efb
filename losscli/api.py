"""The library's entry points: `compute` (streamed, with groups, bootstrap, gates and per-row
output) and `load_arrays` (a whole input as numpy arrays, for `compare` and `recommend --from`).

Both read through one `Plan`: open the sources, resolve the columns, infer the layout from the
first rows, then stream record batches through `columns.BatchConverter`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from losscli import read
from losscli.columns import (
    Arrays,
    BatchConverter,
    Columns,
    Layout,
    bool_array,
    to_float64,
)
from losscli.engine import Engine
from losscli.errors import InputError, UsageError
from losscli.gates import Gate, evaluate, match_label, spec_text
from losscli.losses import EPS, LossSpec, resolve_loss, resolve_losses
from losscli.pipeline import (
    DEFAULT_LOSSES,
    Data,
    Plan,
    make_plan,
)
from losscli.render import current_umask
from losscli.result import ComputeResult, LossResult

# ---------------------------------------------------------------------------------------------
# compute: streamed


def _specs(losses: Sequence[str] | None, gates: Sequence[Gate], task: str) -> list[LossSpec]:
    specs = resolve_losses(list(losses) if losses else list(DEFAULT_LOSSES[task]), task)
    for spec in specs:
        spec.loss.kernel(task)  # raises a UsageError for a loss that does not fit the task
    for gate in gates:
        probe = [LossResult(s.label, s.name, s.params, None, "", 0, 0.0) for s in specs]
        if match_label(gate.loss, probe) is None:
            try:
                extra = resolve_loss(spec_text(gate.loss), task)
                extra.loss.kernel(task)
            except UsageError as exc:
                exc.message = f"gate '{gate.text}': {exc.message}"
                raise
            specs.append(LossSpec(extra.loss, extra.params, gate.loss))
    return specs


def _encode_groups(arrays: Sequence[pa.Array]) -> tuple[np.ndarray, list[tuple]]:
    """Group codes 0..G-1 for every row and the G key tuples (nulls are a group of their own)."""
    import pyarrow.compute as pc

    codes: np.ndarray | None = None
    dictionaries: list[list] = []
    for array in arrays:
        encoded = pc.dictionary_encode(array, null_encoding="encode")
        idx = to_float64(encoded.indices).astype(np.int64)
        values = encoded.dictionary.to_pylist()
        codes = idx if codes is None else codes * max(len(values), 1) + idx
        dictionaries.append(values)
    assert codes is not None
    unique, inverse = np.unique(codes, return_inverse=True)
    keys = []
    for code in unique.tolist():
        parts = []
        for values in reversed(dictionaries):
            code, digit = divmod(code, max(len(values), 1))
            parts.append(values[digit])
        keys.append(tuple(reversed(parts)))
    return inverse.astype(np.int64), keys


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
    baseline: dict[str, Any] | None = None,
    gate_scope: str = "all",
    progress: Callable[[int, int | None], None] | None = None,
) -> ComputeResult:
    """Evaluate losses on prediction data (files, a DataFrame or an Arrow table), streaming.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"y_true": [100.0], "y_pred": [92.0]})
    >>> compute(df, losses=["huber"]).value("huber")
    7.5
    """
    check_options(reduction, eps, bootstrap, ci)
    plan = make_plan(
        data,
        true=true,
        pred=pred,
        weight=weight,
        by=by,
        keys=keys if per_row else [],
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
    )
    specs = plan_specs(plan, losses, gates)
    converter = make_converter(plan.columns, plan.layout, specs, nan)
    engine = Engine(
        specs,
        task=plan.layout.task,
        from_logits=plan.layout.from_logits,
        eps=eps,
        reduction=reduction,
        bootstrap=bootstrap,
        seed=seed,
    )
    writer = _PerRowWriter(per_row, plan, specs) if per_row else None
    total_rows = None
    if progress is not None:
        counts = [read.row_count(s) for s in plan.sources]
        total_rows = None if None in counts else sum(counts)
    try:
        counts = stream(
            read.prefetch(plan.batches()),
            plan.columns,
            converter,
            engine,
            writer=writer,
            progress=(lambda rows: progress(rows, total_rows)) if progress else None,
        )
        if writer is not None:
            writer.close()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    return finish(
        plan,
        specs,
        engine,
        counts,
        nan=nan,
        bootstrap=bootstrap,
        seed=seed,
        ci=ci,
        keys=plan.keys if per_row else [],
        gates=gates,
        baseline=baseline,
        gate_scope=gate_scope,
    )


def plan_specs(plan: Plan, losses: Sequence[str] | None, gates: Sequence[Gate]) -> list[LossSpec]:
    """The losses to compute on a planned input: asked for, or the task's default set, plus
    those the gates name."""
    specs = _specs(losses, gates, plan.layout.task)
    if plan.layout.from_logits:
        for spec in specs:
            if not (spec.loss.accepts_logits or spec.loss.prediction == "score"):
                raise UsageError(f"{spec.name} does not take logits; drop --from-logits")
    return specs


def make_converter(
    columns: Columns, layout: Layout, specs: Sequence[LossSpec], nan: str
) -> BatchConverter:
    probabilities = any(s.loss.prediction == "probability" for s in specs)
    return BatchConverter(columns, layout, nan=nan, probabilities=probabilities)


@dataclass
class Counts:
    """Rows seen while streaming: read, dropped (--nan drop), probability rows not summing to 1."""

    read: int = 0
    dropped: int = 0
    unnormalised: int = 0

    def add(self, other: Counts) -> None:
        self.read += other.read
        self.dropped += other.dropped
        self.unnormalised += other.unnormalised


def stream(
    batches: Iterator[tuple[read.Source, int, pa.RecordBatch]],
    columns: Columns,
    converter: BatchConverter,
    engine: Engine,
    *,
    writer: _PerRowWriter | None = None,
    progress: Callable[[int], None] | None = None,
) -> Counts:
    """Validate, convert and accumulate every batch into `engine`."""
    counts = Counts()
    for source, offset, batch in batches:
        arrays = converter.convert(batch, offset, source.label)
        counts.read += arrays.rows
        counts.dropped += arrays.dropped
        counts.unnormalised += arrays.unnormalised
        codes = group_keys = None
        if columns.by:
            by_arrays = [_filter(batch.column(c), arrays.keep) for c in columns.by]
            codes, group_keys = _encode_groups(by_arrays)
        try:
            per_row_values = engine.add(
                arrays, codes, group_keys or (), file=source.label, offset=offset
            )
        except InputError as exc:
            exc.column = _role_column(exc.column, columns)
            raise
        if writer is not None:
            writer.write(source, offset, batch, arrays, per_row_values)
        if progress is not None:
            progress(batch.num_rows)
    return counts


def finish(
    plan: Plan,
    specs: list[LossSpec],
    engine: Engine,
    counts: Counts,
    *,
    nan: str,
    bootstrap: int,
    seed: int,
    ci: float,
    keys: Sequence[str] = (),
    gates: Sequence[Gate] = (),
    baseline: dict[str, Any] | None = None,
    gate_scope: str = "all",
) -> ComputeResult:
    """Reduce the engine's sums to results, check the gates, describe the inputs."""
    layout = plan.layout
    reduction = engine.reduction
    used = counts.read - counts.dropped
    if used == 0:
        raise InputError("no rows left to evaluate", file=plan.sources[0].label)
    if plan.columns.weight and reduction == "mean":
        _, weight_sum = engine.overall[specs[0].label].total()
        if weight_sum <= 0:
            raise InputError(
                "every weight is 0: the weighted mean is undefined",
                file=plan.sources[0].label,
                column=plan.columns.weight,
            )
    results = _results(engine, specs, plan, reduction, bootstrap, ci)
    warnings = _warnings(engine, results, counts.dropped, counts.unnormalised, nan)
    inputs = {
        "files": [s.label for s in plan.sources],
        "columns": {**plan.columns.as_dict(), "keys": list(keys)},
        "task": layout.task,
        "task_inferred": layout.task_inferred,
        "labels": layout.labels,
        "positive": layout.positive,
        "classes": layout.classes,
        "from_logits": layout.from_logits,
        "rows": {"read": counts.read, "used": used, "dropped": counts.dropped},
        "values_clipped": engine.clipped,
        "eps": engine.eps,
        "reduction": reduction,
        "weighted": plan.columns.weight is not None,
        "bootstrap": {"replicates": bootstrap, "seed": seed, "level": ci} if bootstrap else None,
    }
    result = ComputeResult(inputs, results, warnings=warnings, notes=plan.notes)
    result.gates = evaluate(result, gates, baseline=baseline, scope=gate_scope)
    return result


def _role_column(role: str | None, columns: Columns) -> str | None:
    if role == "y_true":
        return columns.true[0] if len(columns.true) == 1 else ", ".join(columns.true)
    if role == "y_pred":
        return columns.pred[0] if len(columns.pred) == 1 else ", ".join(columns.pred)
    return role


def _filter(array: pa.Array, keep: np.ndarray | None) -> pa.Array:
    return array if keep is None else array.filter(bool_array(keep))


def _results(
    engine: Engine, specs: list[LossSpec], plan: Plan, reduction: str, bootstrap: int, ci: float
) -> list[LossResult]:
    out = []
    for spec in specs:
        v = engine.value(spec, engine.overall[spec.label], ci)
        out.append(_loss_result(spec, v, reduction, None, bootstrap, ci))
    for key in sorted(engine.group_keys, key=_sort_key):
        group = {c: _json_value(k) for c, k in zip(plan.columns.by, key, strict=True)}
        for spec in specs:
            sums = engine.groups[spec.label].get(key)
            if sums is not None:
                v = engine.value(spec, sums, ci)
                out.append(_loss_result(spec, v, reduction, group, bootstrap, ci))
    return out


def _loss_result(spec, v, reduction, group, bootstrap, ci) -> LossResult:
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
        ci_level=ci if bootstrap else None,
        replicates=bootstrap or None,
    )


def _sort_key(key: tuple) -> tuple:
    return tuple((v is None, str(type(v).__name__), v if v is not None else 0) for v in key)


def _json_value(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)


def _warnings(engine: Engine, results, dropped: int, unnormalised: int, nan: str) -> list[str]:
    out = []
    if engine.clipped:
        out.append(
            f"{engine.clipped} probabilities were clipped to [eps, 1 - eps] (eps={engine.eps:g})"
        )
    if unnormalised:
        out.append(
            f"{unnormalised} rows of class probabilities do not sum to 1 (used as given, "
            "not renormalised)"
        )
    if dropped and nan == "drop":
        out.append(f"{dropped} rows with missing values were dropped")
    undefined = sorted({r.label for r in results if r.value is None})
    if undefined:
        out.append(f"no value for {', '.join(undefined)} in some rows or groups (zero weight)")
    return out


class _PerRowWriter:
    """--per-row FILE: each row's loss beside its file, row number and key columns (atomic)."""

    def __init__(self, path: str, plan: Plan, specs: Sequence[LossSpec]) -> None:
        self.path = path
        kind = read.format_of(path)
        if kind not in ("csv", "tsv", "parquet"):
            raise UsageError(f"--per-row writes .csv, .tsv or .parquet, not '{path}'")
        self.kind = kind
        self.plan = plan
        self.labels = [s.label for s in specs]
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        import tempfile

        fd, self.tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
        os.close(fd)
        os.chmod(self.tmp, 0o666 & ~current_umask())
        self.writer: Any = None

    def write(self, source, offset, batch, arrays: Arrays, values: dict[str, np.ndarray]) -> None:
        rows = np.arange(offset + 1, offset + 1 + batch.num_rows, dtype=np.int64)
        if arrays.keep is not None:
            rows = rows[arrays.keep]
        table: dict[str, Any] = {
            "file": pa.array([source.label] * len(rows), pa.string()),
            "row": rows,
        }
        for key in dict.fromkeys([*self.plan.columns.by, *self.plan.keys]):
            table[key] = _filter(batch.column(key), arrays.keep)
        for label in self.labels:
            table[f"loss_{label}" if label in table else label] = values[label]
        out = pa.table(table)
        if self.writer is None:
            if self.kind == "parquet":
                import pyarrow.parquet as pq

                self.writer = pq.ParquetWriter(self.tmp, out.schema)
            else:
                import pyarrow.csv as pacsv

                options = pacsv.WriteOptions(delimiter="\t" if self.kind == "tsv" else ",")
                self.writer = pacsv.CSVWriter(self.tmp, out.schema, write_options=options)
        self.writer.write_table(out)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)
