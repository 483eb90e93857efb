"""Quality gates: thresholds (`--max mse=0.3`, `--min`) and regression guards against an earlier
run's JSON (`--baseline old.json --max-increase mse=5%`), turned into a verdict.

A gate names exactly one computed loss (`resolve`), decided before any row is read
(`gate_specs`, `check_gates`): a name several computed losses share is a usage error listing
their labels. A gate that cannot be evaluated (the loss or a group has no value, the baseline
lacks it) fails: a gate never passes by default. The baseline is validated (`Baseline`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from losscli.baseline import Baseline, GroupKey, group_key, load_baseline, located
from losscli.errors import UsageError
from losscli.grouped import STATUSES, GateColumn, GroupTable, Outcomes
from losscli.losses import LossSpec, label_specs
from losscli.result import ComputeResult, GateOutcome, LossResult

__all__ = [
    "Baseline",
    "Gate",
    "check_gates",
    "evaluate",
    "gate_specs",
    "load_baseline",
    "parse_gate",
    "parse_gates",
    "resolve",
]

SCOPES = ("all", "overall")
#: Gate kinds judged against a baseline (a JSON result, or a paired baseline's predictions).
RELATIVE_KINDS = ("max_increase", "min_decrease")


@dataclass(frozen=True)
class Gate:
    kind: str  # "max", "min", "max_increase" or "min_decrease" (relative to a baseline)
    loss: str  # the label as the output shows it (or a name / alias of the loss)
    limit: float
    relative: bool = False  # max_increase / min_decrease given in percent

    @property
    def text(self) -> str:
        flag = {
            "max": "--max",
            "min": "--min",
            "max_increase": "--max-increase",
            "min_decrease": "--min-decrease",
        }[self.kind]
        amount = f"{self.limit * 100:g}%" if self.relative else f"{self.limit:g}"
        return f"{flag} {self.loss}={amount}"


class Named(Protocol):
    """What a gate is resolved against: a planned loss (`LossSpec`) or a result (`LossResult`)."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def params(self) -> dict[str, float | None]: ...


# ---------------------------------------------------------------------------------------------
# parsing


def parse_gate(kind: str, text: str) -> Gate:
    """'huber=0.3' (or 'huber(delta=2)=0.3'); max_increase also takes '5%'."""
    loss, eq, amount = text.rpartition("=")
    flag = "--" + kind.replace("_", "-")
    opened = "(" in loss
    if (
        not eq
        or not loss.strip()
        or not amount.strip()
        or opened != loss.strip().endswith(")")
        or loss.count("(") > 1
    ):
        raise UsageError(
            f"malformed gate '{flag} {text}' (use {flag} LOSS=VALUE, e.g. huber(delta=2)=0.3)"
        )
    amount = amount.strip()
    relative = amount.endswith("%")
    if relative and kind not in RELATIVE_KINDS:
        raise UsageError(
            f"'{flag} {text}': percentages go with --max-increase and --min-decrease only"
        )
    try:
        value = float(amount.removesuffix("%"))
    except ValueError:
        raise UsageError(f"malformed gate '{flag} {text}': {amount!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"malformed gate '{flag} {text}': the limit must be finite")
    if kind in RELATIVE_KINDS and value < 0:
        raise UsageError(f"'{flag} {text}': the amount must be >= 0")
    return Gate(kind, loss.strip(), value / 100.0 if relative else value, relative)


def parse_gates(
    max_: Sequence[str] = (),
    min_: Sequence[str] = (),
    max_increase: Sequence[str] = (),
    min_decrease: Sequence[str] = (),
) -> list[Gate]:
    gates = [parse_gate("max", t) for t in max_]
    gates += [parse_gate("min", t) for t in min_]
    gates += [parse_gate("max_increase", t) for t in max_increase]
    gates += [parse_gate("min_decrease", t) for t in min_decrease]
    return gates


# ---------------------------------------------------------------------------------------------
# which loss a gate names


def gate_spec(gate: Gate, task: str | None = None) -> LossSpec:
    """The loss a gate's text names, with the parameters it fixes (`LossSpec.fixed`)."""
    try:
        return LossSpec.parse(gate.loss, task, labels=True)
    except UsageError as exc:
        exc.message = f"gate '{gate.text}': {exc.message}"
        raise


def resolve(gate: Gate, computed: Sequence[Named], task: str | None = None) -> Named | None:
    """The one computed loss a gate names, or None when it names none of them.

    A gate without parameters ('huber') names the computed loss of that name, whatever its
    parameters; with parameters ('huber(delta=2)', 'poisson_deviance') the one with exactly
    those. A name several computed losses share, or parameters that match a computed loss only
    in part, is a usage error listing the labels to use.
    """
    spec = gate_spec(gate, task)
    same = sorted((c for c in computed if c.name == spec.name), key=lambda c: c.label)
    if not spec.fixed:
        if len(same) > 1:
            labels = ", ".join(c.label for c in same)
            raise UsageError(
                f"gate '{gate.text}': {len(same)} computed losses are {spec.name} ({labels}); "
                "name one by its label",
                hint=f"e.g. {_flag(gate)} '{same[0].label}=...'",
            )
        return same[0] if same else None
    exact = [c for c in same if c.params == spec.params]
    if exact:
        return exact[0]
    near = [c for c in same if all(c.params.get(k) == spec.params[k] for k in spec.fixed)]
    if near:
        labels = ", ".join(c.label for c in near)
        raise UsageError(
            f"gate '{gate.text}' names {spec.qualified_label()}, which was not computed; "
            f"the {spec.name} computed is {labels}: name it by its label"
        )
    return None


def _flag(gate: Gate) -> str:
    return gate.text.partition(" ")[0]


def gate_specs(gates: Sequence[Gate], specs: Sequence[LossSpec], task: str) -> list[LossSpec]:
    """The losses to compute: `specs` plus every loss a gate names that they lack, labelled anew;
    every gate resolves to exactly one of them or this raises a UsageError, before any row is
    read. A gate adds exactly the loss it names: a loss without parameters by its name, one
    with parameters only when the gate names them ('huber(delta=1)'); the bare name of such a
    loss never adds it with default parameters, so that asking for it later (`--loss
    huber:delta=2`) cannot change what the gate judges."""
    added: list[LossSpec] = []
    for gate in gates:
        if resolve(gate, specs, task) is None:
            extra = gate_spec(gate, task)
            try:
                extra.loss.kernel(task)  # a loss that does not fit the task
            except UsageError as exc:
                exc.message = f"gate '{gate.text}': {exc.message}"
                raise
            if extra.params and not extra.fixed:
                raise _unnamed_parameters(gate, extra)
            added.append(extra)
    out = label_specs([*specs, *added])
    for gate in gates:
        resolve(gate, out, task)  # a bare name now shared with a loss a gate added: refused
    return out


def _unnamed_parameters(gate: Gate, spec: LossSpec) -> UsageError:
    """A bare name of a loss with parameters, not computed: adding it with default parameters
    would make the gate judge another loss as soon as the config asks for this one."""
    return UsageError(
        f"gate '{gate.text}': {spec.name} was not computed, and the name alone does not say "
        "its parameters",
        hint=f"ask for it with --loss {spec.name}[:...], or name them: {_flag(gate)} "
        f"'{spec.qualified_label()}={gate.text.rpartition('=')[2]}'",
    )


def check_gates(
    gates: Sequence[Gate],
    specs: Sequence[Named],
    *,
    task: str,
    reduction: str,
    scope: str = "all",
    baseline: Baseline | None = None,
    weight: str | None = None,
) -> None:
    """Everything about the gates that can be wrong before a row is read: the scope, a
    `--max-increase` without a baseline, a baseline from another task, reduction, weighting
    or loss (`Baseline.check`)."""
    _check_scope(gates, scope, baseline)
    if baseline is not None:
        increase = [resolve(g, specs, task) for g in gates if g.kind in RELATIVE_KINDS]
        baseline.check(
            task=task,
            reduction=reduction,
            weight=weight,
            gated=[s for s in increase if s is not None],
            groups=scope == "all",
        )


def _check_scope(gates: Sequence[Gate], scope: str, baseline: Baseline | None) -> None:
    if scope not in SCOPES:
        raise UsageError(f"--gate must be 'all' or 'overall', not '{scope}'")
    relative = [g for g in gates if g.kind in RELATIVE_KINDS]
    if relative and baseline is None:
        raise UsageError(f"{_flag(relative[0])} needs --baseline OLD.json")


# ---------------------------------------------------------------------------------------------
# evaluation


def evaluate(
    result: ComputeResult,
    gates: Sequence[Gate],
    *,
    baseline: Baseline | Mapping[str, Any] | None = None,
    scope: str = "all",
) -> Sequence[GateOutcome]:
    """Check every gate on the overall result and, unless scope is 'overall', on every group.

    A gate whose loss was not computed, a group without a value for it, and (for
    `--max-increase`) a group of the baseline missing from this run each fail. Groups held as
    columns (`grouped.Results`) are judged column by column into `grouped.Outcomes`, which
    builds a group's outcome (and message) only when it is read.
    """
    old = Baseline.coerce(baseline)
    _check_scope(gates, scope, old)
    if not gates:  # nothing to check: do not index every group's result
        return []
    task = result.inputs.get("task")
    table = getattr(result.results, "table", None)
    overall = {r.label: r for r in result.overall()}
    by_label: dict[str, dict[GroupKey, LossResult]] = {}
    groups: dict[GroupKey, dict[str, Any]] = {}  # in the result's order
    if table is None:
        for r in result.results:
            key = group_key(r.group)
            by_label.setdefault(r.label, {})[key] = r
            if r.group is not None and scope == "all":
                groups.setdefault(key, r.group)
    outcomes: list[GateOutcome] = []
    parts: list[list[GateOutcome] | GateColumn] = [outcomes]
    for gate in gates:
        target = resolve(gate, result.overall(), task)
        if target is None:
            outcomes.append(_error(gate, gate.loss, None, f"{gate.loss} was not computed"))
            continue
        relative = gate.kind in RELATIVE_KINDS and old is not None
        overall_old = None if old is None else old.value_at(target.name, target.params, ())
        outcomes.append(_check(gate, overall[target.label], overall_old))
        if scope != "all":
            continue
        missing: list[dict[str, Any]] = []
        if table is not None:
            olds = None
            if relative:
                assert old is not None
                olds, missing = old.match(
                    target.name, target.params, table.groups, table.by, table.keys
                )
            outcomes = []
            parts += [_group_outcomes(gate, table, target.label, olds), outcomes]
        else:
            found = by_label[target.label]
            entries = {} if old is None else old.values(target.name, target.params)
            for key, group in groups.items():
                hit = found.get(key)
                if hit is None:
                    message = f"{located(target.label, group)} has no value (no rows in this group)"
                    outcomes.append(_error(gate, target.label, group, message))
                    continue
                entry = entries.get(key)
                outcomes.append(_check(gate, hit, None if entry is None else entry.value))
            if relative:
                assert old is not None
                olds_groups = old.groups(target.name, target.params)
                missing = [g for key, g in olds_groups.items() if key not in groups]
        for group in missing:
            message = f"{located(target.label, group)} is in the baseline but not in this run"
            outcomes.append(_error(gate, target.label, group, message))
    return outcomes if len(parts) == 1 else Outcomes(parts)


def _group_outcomes(
    gate: Gate,
    table: GroupTable,
    label: str,
    olds: Any,
) -> GateColumn:
    """One gate on every group of a GroupTable: the verdicts as arrays; a group's outcome is
    built when read, except for the groups without a value (or without a baseline value),
    whose errors are built here. `olds` are the baseline's values in the groups' order (NaN:
    none), for a relative gate only (`Baseline.match`)."""
    import numpy as np

    loss = next(i for i, c in enumerate(table.losses) if c.label == label)
    values = table.losses[loss].value
    limits = np.full(len(values), gate.limit)
    baseline = None
    if gate.kind in RELATIVE_KINDS:
        assert olds is not None
        baseline = np.array(olds, dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            limits = _limit(gate, baseline)  # element by element
    with np.errstate(invalid="ignore"):
        ok = _holds(gate, values, limits)
        defined = np.isfinite(values) & np.isfinite(limits)
    status = np.where(ok, 0, 1).astype(np.int8)
    # no value, no baseline value (or a bound beyond float64): one by one, as results
    special: dict[int, GateOutcome] = {}
    for i in np.flatnonzero(~defined).tolist():
        old = None if baseline is None or math.isnan(baseline[i]) else float(baseline[i])
        special[i] = outcome = _check(gate, table.result(i, loss), old)
        status[i] = STATUSES.index(outcome.status)
        limits[i] = math.nan if outcome.limit is None else outcome.limit
        if baseline is not None:
            baseline[i] = math.nan if outcome.baseline is None else outcome.baseline

    group = _GroupVerdicts(gate, table, label, values, baseline, status, special)
    return GateColumn(
        gate.text,
        gate.kind,
        label,
        status,
        values,
        limits,
        baseline,
        group.outcome,
        group.message,
        group.verdict,
    )


@dataclass(frozen=True)
class _GroupVerdicts:
    """A group's outcome, message and verdict from one gate's arrays over a GroupTable, built
    when asked for (a class, not closures, so that results pickle)."""

    gate: Gate
    table: GroupTable
    label: str
    values: Any  # np.ndarray
    baseline: Any  # np.ndarray | None
    status: Any  # np.ndarray of STATUSES codes
    special: dict[int, GateOutcome]  # the errors, built already

    def outcome(self, i: int) -> GateOutcome:
        if i in self.special:
            return self.special[i]
        old = None if self.baseline is None else float(self.baseline[i])
        group = self.table.groups[i]
        return _outcome(self.gate, self.label, group, float(self.values[i]), old, self.ok(i))

    def message(self, i: int) -> str:
        return self.outcome(i).message

    def verdict(self, i: int) -> str | None:
        if i in self.special:
            return None
        old = None if self.baseline is None else float(self.baseline[i])
        return verdict(self.gate, float(self.values[i]), old, self.ok(i))

    def ok(self, i: int) -> bool:
        return not self.status[i]


def _error(gate: Gate, label: str, group: dict[str, Any] | None, message: str) -> GateOutcome:
    return GateOutcome(gate.text, gate.kind, label, group, None, None, "error", message)


def _check(gate: Gate, r: LossResult, old: float | None) -> GateOutcome:
    """One gate on one result; `old` is the baseline's value for `--max-increase`."""
    name = located(r.label, r.group)
    if r.value is None or not math.isfinite(r.value):
        message = f"{name} could not be evaluated (no rows or zero weight)"
        return GateOutcome(gate.text, gate.kind, r.label, r.group, r.value, None, "error", message)
    if gate.kind in RELATIVE_KINDS and old is None:
        message = f"the baseline has no value for {name}"
        return GateOutcome(gate.text, gate.kind, r.label, r.group, r.value, None, "error", message)
    return _outcome(gate, r.label, r.group, r.value, old, _passes(gate, r.value, old))


def _limit(gate: Gate, old: Any) -> Any:
    """The bound a value is held to: the gate's limit, or the baseline's value moved by the
    allowance (a loss may rise by it, or must fall by it); `old` a number or an array."""
    if gate.kind not in RELATIVE_KINDS:
        return gate.limit
    assert old is not None
    allowed = abs(old) * gate.limit if gate.relative else gate.limit
    return old - allowed if gate.kind == "min_decrease" else old + allowed


def _passes(gate: Gate, value: float, old: float | None) -> bool:
    return bool(_holds(gate, value, _limit(gate, old)))


def _holds(gate: Gate, value: Any, limit: Any) -> Any:
    """value >= limit for --min, value <= limit for the others (numbers or arrays)."""
    return value >= limit if gate.kind == "min" else value <= limit


def _outcome(
    gate: Gate,
    label: str,
    group: dict[str, Any] | None,
    value: float,
    old: float | None,
    ok: bool,
) -> GateOutcome:
    """The outcome of a gate on a finite value (and the baseline's value for a relative
    gate), `ok` saying whether it holds, with its message: the result's name, then `verdict`."""
    limit = _limit(gate, old)
    status = "pass" if ok else "fail"
    message = located(label, group) + verdict(gate, value, old, ok)
    baseline = old if gate.kind in RELATIVE_KINDS else None
    return GateOutcome(gate.text, gate.kind, label, group, value, limit, status, message, baseline)


def verdict(gate: Gate, value: float, old: float | None, ok: bool) -> str:
    """What a message says after the result's name, for a finite value (and the baseline's
    value for a relative gate): ' = 0.31 <= 0.5'. Numbers, signs and words only (plain ASCII,
    nothing to escape in JSON)."""
    if gate.kind == "max":
        return f" = {value:.6g} {'<=' if ok else '>'} {gate.limit:g}"
    if gate.kind == "min":
        return f" = {value:.6g} {'>=' if ok else '<'} {gate.limit:g}"
    assert old is not None
    allowed = abs(old) * gate.limit if gate.relative else gate.limit
    change = value - old
    rel = f" ({change / abs(old) * 100:+.3g}%)" if old else ""
    return f" = {value:.6g}, baseline {old:.6g}: change {change:+.6g}{rel}, " + (
        f"required -{allowed:.6g}" if gate.kind == "min_decrease" else f"allowed +{allowed:.6g}"
    )
