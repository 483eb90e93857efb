"""`compare_models`: two models on the same rows, each loss's difference with a paired interval,
and gates that know the noise of the evaluation set.

Both inputs go through the shared pipeline (plan, converter, domain checks); the matched rows
then stream, block by block, through two engines seeded alike: every row gets the same Poisson
bootstrap weights in both (drawn once per block, `bootstrap.SharedDraws`, and given to both), so
each replicate's difference is a paired one. Beside the engines' sums, the streamed `MOMENTS` of the
per-row losses give the normal approximation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.bootstrap import SharedDraws
from losscli.columns import Arrays, from_numpy
from losscli.engine import BOOTSTRAP_CELLS, Engine
from losscli.errors import InputError, UsageError
from losscli.evaluate import finish, plan_specs
from losscli.executors import (
    ComputeOptions,
    Counts,
    Run,
    check_options,
    encode_groups,
    make_engine,
)
from losscli.gates import RELATIVE_KINDS, Gate, resolve
from losscli.losses import EPS, LossSpec
from losscli.paired import verdict
from losscli.paired.match import Matched, Side, check_labels, load_side, match_sides
from losscli.paired.result import PairedResult
from losscli.paired.rows import PairedRowWriter
from losscli.paired.stats import MOMENTS, moment_sums
from losscli.pipeline import Data, InputSpec, Plan, make_plan
from losscli.result import ComputeResult

#: Replicates when none are asked for (raised so that Holm's smallest level stays resolvable).
DEFAULT_REPLICATES = 400
#: Matched rows per block through the engines (fewer with a bootstrap: rows x replicates).
BLOCK_ROWS = 1 << 19
#: The most replicates chosen automatically.
MAX_AUTO_REPLICATES = 20_000


def compare_models(
    candidate: Data,
    baseline: Data | None = None,
    *,
    baseline_pred: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    unmatched: str = "error",
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
    delimiter: str | None = None,
    eps: float = EPS,
    reduction: str = "mean",
    bootstrap: int | None = None,
    seed: int = 0,
    ci: float = 0.95,
    gates: Sequence[Gate] = (),
    gate_on: str = "interval",
    gate_scope: str = "all",
    per_row: str | None = None,
    classes: Sequence[str] | None = None,
) -> PairedResult:
    """Compare a candidate model with a baseline model on the same rows.

    `baseline` is the baseline's predictions (any input `compute` reads), or None with
    `baseline_pred` naming the baseline's prediction column(s) in the candidate's input. Rows
    are matched by `keys`, else by position (same row count). `bootstrap`: paired Poisson
    bootstrap replicates (None: 400 or more, 0: normal approximation only). The input options
    (`true` ... `classes`) are `compute`'s, as one `InputSpec` for both sides. (Long only for
    its keyword options, spelled out for the library's callers; the work is in the helpers.)

    >>> import pyarrow as pa
    >>> table = pa.table({"y_true": [1.0, 2.0, 3.0], "new": [1.5, 2.0, 3.0],
    ...                  "old": [2.0, 2.0, 3.0]})
    >>> r = compare_models(table, baseline_pred=["old"], pred=["new"], losses=["mae"], bootstrap=0)
    >>> round(r.difference("mae").diff, 6)
    -0.166667
    """
    _check_paired(gate_on, baseline is None, baseline_pred is None)
    spec = InputSpec.of(
        true=true,
        pred=pred,
        weight=weight,
        by=by,
        keys=keys or None,
        task=task,
        positive=positive,
        from_logits=from_logits,
        input_format=input_format,
        nan=nan,
        classes=classes,
        delimiter=delimiter,
    )
    check_options(reduction, eps, max(bootstrap or 0, 0), ci)
    sides = _read_and_match(candidate, baseline, baseline_pred, spec, losses, gates, unmatched)
    cand, base, matched, specs = sides
    paired = [g for g in gates if g.kind in RELATIVE_KINDS]
    replicates = _replicates(bootstrap, paired, cand, matched, ci, gate_on, gate_scope)
    options = ComputeOptions(
        losses=tuple(losses) if losses else None,
        nan=nan,
        eps=eps,
        reduction=reduction,
        bootstrap=replicates,
        seed=seed,
        ci=ci,
        per_row=per_row,
        gates=tuple(g for g in gates if g.kind not in RELATIVE_KINDS),
        gate_scope=gate_scope,
    )
    engines = _engines(specs, cand, base, options)
    moments = _stream(cand, base, matched, specs, engines, per_row)
    return _assemble(cand, base, matched, specs, engines, moments, options, paired, gate_on)


def _check_paired(gate_on: str, no_baseline: bool, no_baseline_pred: bool) -> None:
    """--gate-on is one of its two rules; exactly one of the baseline's two forms is given."""
    if gate_on not in ("interval", "estimate"):
        raise UsageError(f"--gate-on must be 'interval' or 'estimate', not '{gate_on}'")
    if no_baseline == no_baseline_pred:
        raise UsageError("give the baseline's predictions or --baseline-pred COL (one of them)")


def _engines(
    specs: Sequence[LossSpec], cand: Side, base: Side, options: ComputeOptions
) -> tuple[Engine, Engine]:
    """The candidate's and the baseline's engines, seeded alike and sharing one draw of each
    block's bootstrap counts (`bootstrap.SharedDraws`)."""
    engines = (
        make_engine(specs, cand.plan.layout, options),
        make_engine(specs, base.plan.layout, options),
    )
    shared = SharedDraws(users=len(engines))
    for engine in engines:
        engine.draws = shared
    return engines


def _read_and_match(
    candidate: Data,
    baseline: Data | None,
    baseline_pred: Sequence[str] | None,
    spec: InputSpec,
    losses: Sequence[str] | None,
    gates: Sequence[Gate],
    unmatched: str,
) -> tuple[Side, Side, Matched, list[LossSpec]]:
    """Plan and read both sides, match their rows and check that the labels agree."""
    cand_plan = make_plan(candidate, spec)
    specs = plan_specs(cand_plan, losses, gates)
    base_data = candidate if baseline is None else baseline
    base_plan = _baseline_plan(base_data, cand_plan, spec, baseline_pred)
    key_cols = list(spec.keys or [])
    read_keys = list(dict.fromkeys([*key_cols, *cand_plan.keys]))  # --per-row names rows too
    cand = load_side(cand_plan, specs, spec.nan, keys=read_keys)
    base = load_side(base_plan, specs, spec.nan, keys=key_cols)
    matched = match_sides(cand, base, key_cols, unmatched=unmatched, same_input=baseline is None)
    if not len(matched.candidate):
        raise InputError("no rows match between candidate and baseline", file=base.label)
    check_labels(cand, base, matched, key_cols)
    return cand, base, matched, specs


def _baseline_plan(
    data: Data, cand: Plan, spec: InputSpec, baseline_pred: Sequence[str] | None
) -> Plan:
    """The baseline's plan: same task, positive class and label columns as the candidate."""
    layout = cand.layout
    changes: dict[str, Any] = {"task": layout.task, "by": None, "weight": None}
    if baseline_pred is not None:
        changes.update(pred=tuple(baseline_pred), true=tuple(cand.columns.true))
    plan = make_plan(data, spec.replace(**changes))
    other = plan.layout
    label = plan.sources[0].label
    if other.task != layout.task:
        raise InputError(f"the baseline is {other.task}, the candidate {layout.task}", file=label)
    if (other.classes or None) != (layout.classes or None):
        raise InputError(
            f"the baseline's classes {other.classes} differ from the candidate's "
            f"{layout.classes}: the probability columns must name the same classes in order",
            file=label,
        )
    if baseline_pred is not None and set(plan.columns.pred) & set(cand.columns.pred):
        raise UsageError("--baseline-pred names the candidate's prediction column; pass --pred too")
    return plan


def _replicates(
    asked: int | None,
    gates: Sequence[Gate],
    cand: Side,
    matched: Matched,
    ci: float,
    gate_on: str,
    scope: str,
) -> int:
    """The replicate count: asked for, or enough that Holm's smallest level (alpha / m) is at
    least 5 replicates wide; an asked count that could never fail a gate is refused."""
    m = len(gates)
    if gates and scope == "all" and cand.by is not None:
        groups = cand.by.take(from_numpy(matched.candidate)).group_by(cand.by.column_names)
        m *= 1 + groups.aggregate([]).num_rows
    alpha = (1.0 - ci) / 2.0
    needed = 0 if gate_on == "estimate" or not m else math.ceil(5 * m / alpha / 100) * 100
    if asked is None:
        if needed > MAX_AUTO_REPLICATES:
            raise UsageError(
                f"judging {m} gates at --ci {ci:g} with Holm-Bonferroni needs about {needed} "
                "bootstrap replicates",
                hint="pass --bootstrap 0 (normal approximation), --bootstrap N, --gate overall "
                "or --gate-on estimate",
            )
        return max(DEFAULT_REPLICATES, needed)
    if asked < 0:
        raise UsageError("--bootstrap must be >= 0")
    if asked and needed and asked * alpha / m < 1:
        raise UsageError(
            f"--bootstrap {asked} cannot fail any of {m} gates at --ci {ci:g}: Holm-Bonferroni's "
            f"smallest level {alpha / m:.2g} is below one replicate in {asked}",
            hint=f"pass --bootstrap {needed} or more, or --bootstrap 0 (normal approximation)",
        )
    return asked


def _stream(
    cand: Side,
    base: Side,
    matched: Matched,
    specs: Sequence[LossSpec],
    engines: tuple[Engine, Engine],
    per_row: str | None,
) -> dict[tuple | None, np.ndarray]:
    """Feed the matched rows to both engines in blocks; return the `MOMENTS` per group
    (None: all rows), shape (losses, 9)."""
    n = len(matched.candidate)
    step = max(1024, min(BLOCK_ROWS, BOOTSTRAP_CELLS // max(engines[0].bootstrap, 1)))
    moments: dict[tuple | None, np.ndarray] = {None: np.zeros((len(specs), len(MOMENTS)))}
    writer = None
    if per_row:
        inputs = [
            f for side in (cand, base) for s in side.plan.sources for f in (s.files or [s.path])
        ]
        writer = PairedRowWriter(per_row, [s.label for s in specs], inputs)
    try:
        for start in range(0, n, step):
            ic = _rows(matched.candidate, start, step, matched.identity)
            ib = _rows(matched.baseline, start, step, matched.identity)
            w = None if cand.weight is None else cand.weight[ic]
            codes: np.ndarray | None = None
            group_keys: list[tuple] = []
            if cand.by is not None:
                by = _take(cand.by, ic).combine_chunks()
                codes, group_keys = encode_groups([c.chunk(0) for c in by.columns])
            values = [
                _add(engine, side, idx, w, codes, group_keys, start)
                for engine, side, idx in ((engines[0], cand, ic), (engines[1], base, ib))
            ]
            _add_moments(moments, specs, values, w, codes, group_keys)
            if writer is not None:
                keys = None if cand.keys is None else _take(cand.keys, ic)
                writer.write(cand.positions(ic), keys, values[0], values[1])
        if writer is not None:
            writer.close()
    finally:
        if writer is not None:
            writer.abort()
    return moments


def _rows(index: np.ndarray, start: int, step: int, identity: bool) -> Any:
    return slice(start, min(start + step, len(index))) if identity else index[start : start + step]


def _take(table: pa.Table, rows: Any) -> pa.Table:
    if isinstance(rows, slice):
        return table.slice(rows.start, rows.stop - rows.start)
    return table.take(from_numpy(rows))


def _add(
    engine: Engine,
    side: Side,
    rows: Any,
    w: np.ndarray | None,
    codes: np.ndarray | None,
    group_keys: list[tuple],
    start: int,
) -> dict[str, np.ndarray]:
    """One block into one engine. Both engines get the same block bounds and the same
    (file, offset): the one place that makes their bootstrap weights the same rows' weights."""
    pred = side.pred[rows]
    arrays = Arrays(side.y[rows], pred, w, None, len(pred), 0)
    return engine.add(arrays, codes, group_keys, file="matched rows", offset=start)


def _add_moments(
    moments: dict[tuple | None, np.ndarray],
    specs: Sequence[LossSpec],
    values: list[dict[str, np.ndarray]],
    w: np.ndarray | None,
    codes: np.ndarray | None,
    group_keys: list[tuple],
) -> None:
    for i, spec in enumerate(specs):
        lc, lb = values[0][spec.label], values[1][spec.label]
        moments[None][i] += moment_sums(lc, lb, w, None, 1)[0]
        if codes is None:
            continue
        per_group = moment_sums(lc, lb, w, codes, len(group_keys))
        for g, key in enumerate(group_keys):
            table = moments.setdefault(key, np.zeros((len(specs), len(MOMENTS))))
            table[i] += per_group[g]


def _assemble(
    cand: Side,
    base: Side,
    matched: Matched,
    specs: Sequence[LossSpec],
    engines: tuple[Engine, Engine],
    moments: dict[tuple | None, np.ndarray],
    options: ComputeOptions,
    paired: Sequence[Gate],
    gate_on: str,
) -> PairedResult:
    """Both results, the differences, the paired gates, warnings and notes."""
    ec, eb = engines
    c_run = Run(ec, Counts(cand.read, cand.dropped, cand.unnormalised), _files(cand))
    b_run = Run(eb, Counts(base.read, base.dropped, base.unnormalised), _files(base))
    result = finish(cand.plan, list(specs), c_run, options)
    # the baseline's rows carry the candidate's weights and groups
    base_plan = replace(base.plan, columns=cand.plan.columns)
    base_result = finish(base_plan, list(specs), b_run, replace(options, gates=(), per_row=None))
    result.inputs["rows"]["matched"] = len(matched.candidate)
    compared = _compare_all(specs, engines, moments, cand.plan.columns.by, options.ci)
    judged = verdict.judge(
        _targets(paired, compared, result, options.gate_scope), ci=options.ci, rule=gate_on
    )
    by_id = {(c.difference.label, _order(c.difference.group)): c.difference for c in compared}
    outcomes = [verdict.to_outcome(g, by_id[(g.loss, _order(g.group))]) for g in judged]
    warnings = [*result.warnings, *_warnings(cand, base, matched, compared, base_result)]
    notes = [
        *result.notes,
        *(f"baseline: {n}" for n in base.plan.notes),
        _matching_note(matched, cand, base),
    ]
    return PairedResult(
        replace(result, gates=[*result.gates, *outcomes], warnings=warnings, notes=notes),
        list(base_result.results),
        [c.difference for c in compared],
        matched.to_dict(),
        {
            "baseline_files": _files(base),
            "baseline_columns": base.plan.columns.as_dict(),
            "method": "paired poisson bootstrap, percentile"
            if ec.bootstrap
            else "normal approximation",
            "level": options.ci,
            "replicates": ec.bootstrap,
            "seed": options.seed,
            "gate_on": gate_on,
            "multiplicity": "holm" if gate_on == "interval" else "none",
            "min_rows": verdict.MIN_ROWS,
        },
        judged,
    )


def _compare_all(
    specs: Sequence[LossSpec],
    engines: tuple[Engine, Engine],
    moments: dict[tuple | None, np.ndarray],
    by: Sequence[str],
    ci: float,
) -> list[verdict.Compared]:
    """Every loss overall, then in every group (groups in a stable order)."""
    ec, eb = engines
    compared = []
    for key in [None, *ec.group_keys]:
        group = None if key is None else {c: _json(v) for c, v in zip(by, key, strict=True)}
        for i, spec in enumerate(specs):
            if key is None:
                sums = (ec.overall[spec.label], eb.overall[spec.label])
            elif key in ec.groups[spec.label] and key in eb.groups[spec.label]:
                sums = (ec.groups[spec.label][key], eb.groups[spec.label][key])
            else:
                continue
            compared.append(verdict.compare_one(spec, engines, sums, moments[key][i], group, ci))
    compared.sort(key=lambda c: _order(c.difference.group))
    return compared


def _targets(
    gates: Sequence[Gate],
    compared: Sequence[verdict.Compared],
    result: ComputeResult,
    scope: str,
) -> list[tuple[Gate, verdict.Compared]]:
    """Each paired gate with the comparisons it judges: overall, and every group unless
    `scope` is 'overall'."""
    out = []
    for gate in gates:
        target = resolve(gate, result.overall(), result.inputs.get("task"))
        if target is None:
            raise UsageError(f"gate '{gate.text}': {gate.loss} was not computed")
        label = target.label
        for c in compared:
            d = c.difference
            if d.label == label and (d.group is None or scope == "all"):
                out.append((gate, c))
    return out


def _warnings(
    cand: Side,
    base: Side,
    matched: Matched,
    compared: Sequence[verdict.Compared],
    base_result: ComputeResult,
) -> list[str]:
    out = [f"baseline: {w}" for w in base_result.warnings]
    if matched.candidate_only or matched.baseline_only:
        out.append(
            f"compared the {len(matched.candidate)} matched rows only: {matched.candidate_only} "
            f"candidate rows had no baseline row and {matched.baseline_only} baseline rows no "
            "candidate row (--unmatched drop)"
        )
    few = sorted({c.difference.rows for c in compared if c.difference.rows < verdict.WARN_ROWS})
    if few:
        out.append(
            f"some comparisons rest on fewer than {verdict.WARN_ROWS} rows (as few as {few[0]}): "
            "bootstrap intervals are rough there and too narrow with heavy tails; below "
            f"{verdict.MIN_ROWS} rows nothing is judged"
        )
    return out


def _matching_note(matched: Matched, cand: Side, base: Side) -> str:
    n = len(matched.candidate)
    if matched.method == "position":
        return (
            f"matched {n} rows by position (both inputs have {cand.read} rows); pass --key COL "
            "to match by a key instead"
        )
    if matched.method == "column":
        return f"compared two prediction columns of the same {n} rows"
    how = "same order in both" if matched.method == "key (same order)" else "hash join"
    return f"matched {n} rows by key {', '.join(matched.keys)} ({how})"


def _files(side: Side) -> list[str]:
    return [s.label for s in side.plan.sources]


def _json(v: Any) -> Any:
    return v if v is None or isinstance(v, bool | int | float | str) else str(v)


def _order(group: dict[str, Any] | None) -> tuple:
    """Overall first, then groups by their values (None last in each column)."""
    if group is None:
        return (0,)
    return (1, *((v is None, type(v).__name__, "" if v is None else v) for v in group.values()))
