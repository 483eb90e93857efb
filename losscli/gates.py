"""Quality gates: thresholds (`--max mse=0.3`, `--min`) and regression guards against an earlier
run's JSON (`--baseline old.json --max-increase mse=5%`), turned into a verdict.

A gate that cannot be evaluated (the loss or group is missing, the value is undefined, the
baseline lacks it) fails: a gate never passes by default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from losscli.errors import InputError, UsageError
from losscli.result import ComputeResult, GateOutcome, LossResult


@dataclass(frozen=True)
class Gate:
    kind: str  # "max", "min" or "max_increase"
    loss: str  # the label as the output shows it (or a name / alias of the loss)
    limit: float
    relative: bool = False  # max_increase given in percent

    @property
    def text(self) -> str:
        flag = {"max": "--max", "min": "--min", "max_increase": "--max-increase"}[self.kind]
        amount = f"{self.limit * 100:g}%" if self.relative else f"{self.limit:g}"
        return f"{flag} {self.loss}={amount}"


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
    if relative and kind != "max_increase":
        raise UsageError(f"'{flag} {text}': percentages go with --max-increase only")
    try:
        value = float(amount.rstrip("%"))
    except ValueError:
        raise UsageError(f"malformed gate '{flag} {text}': {amount!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"malformed gate '{flag} {text}': the limit must be finite")
    if kind == "max_increase" and value < 0:
        raise UsageError(f"'{flag} {text}': the allowed increase must be >= 0")
    return Gate(kind, loss.strip(), value / 100.0 if relative else value, relative)


def parse_gates(
    max_: Sequence[str] = (), min_: Sequence[str] = (), max_increase: Sequence[str] = ()
) -> list[Gate]:
    gates = [parse_gate("max", t) for t in max_]
    gates += [parse_gate("min", t) for t in min_]
    gates += [parse_gate("max_increase", t) for t in max_increase]
    return gates


def load_baseline(path: str) -> dict[str, Any]:
    """An earlier run's `--json` output."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise InputError("no such baseline file", file=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read baseline JSON: {exc}", file=path) from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise InputError("not a losscli JSON result (no 'results' list)", file=path)
    return data


def match_label(label: str, results: Sequence[LossResult]) -> str | None:
    """The label of the results a gate refers to: an exact label, or a loss name or alias, with
    parameters if it gives them ('huber(delta=2)' or 'huber:delta=2')."""
    labels = {r.label for r in results}
    if label in labels:
        return label
    from losscli.losses import LossSpec

    try:
        spec = LossSpec.parse(label, labels=True)
    except UsageError:
        return None
    explicit = "(" in label or ":" in label  # parameters given: they must match
    candidates = sorted(
        {
            r.label
            for r in results
            if r.name == spec.name and (not explicit or r.params == spec.params)
        }
    )
    return candidates[0] if len(candidates) == 1 else None


def evaluate(
    result: ComputeResult,
    gates: Sequence[Gate],
    *,
    baseline: dict[str, Any] | None = None,
    scope: str = "all",
) -> list[GateOutcome]:
    """Check every gate on the overall result and, unless scope is 'overall', on every group."""
    if scope not in ("all", "overall"):
        raise UsageError(f"--gate must be 'all' or 'overall', not '{scope}'")
    if any(g.kind == "max_increase" for g in gates) and baseline is None:
        raise UsageError("--max-increase needs --baseline OLD.json")
    outcomes: list[GateOutcome] = []
    index = baseline_index(baseline) if baseline is not None else None
    for gate in gates:
        label = match_label(gate.loss, result.results)
        if label is None:
            outcomes.append(
                GateOutcome(
                    gate.text,
                    gate.kind,
                    gate.loss,
                    None,
                    None,
                    None,
                    "error",
                    f"{gate.loss} was not computed",
                )
            )
            continue
        targets = [r for r in result.results if r.label == label]
        if scope == "overall":
            targets = [r for r in targets if r.group is None]
        for target in targets:
            outcomes.append(_check(gate, target, index))
    return outcomes


def _check(gate: Gate, r: LossResult, baseline: dict[tuple[str, str], Any] | None) -> GateOutcome:
    where = (
        "" if r.group is None else " [" + ", ".join(f"{k}={v}" for k, v in r.group.items()) + "]"
    )
    name = f"{r.label}{where}"

    def outcome(
        status: str, message: str, limit: float | None, old: float | None = None
    ) -> GateOutcome:
        return GateOutcome(
            gate.text, gate.kind, r.label, r.group, r.value, limit, status, message, old
        )

    if r.value is None or not math.isfinite(r.value):
        return outcome("error", f"{name} could not be evaluated (no rows or zero weight)", None)
    if gate.kind == "max":
        ok = r.value <= gate.limit
        return outcome(
            "pass" if ok else "fail",
            f"{name} = {r.value:.6g} {'<=' if ok else '>'} {gate.limit:g}",
            gate.limit,
        )
    if gate.kind == "min":
        ok = r.value >= gate.limit
        return outcome(
            "pass" if ok else "fail",
            f"{name} = {r.value:.6g} {'>=' if ok else '<'} {gate.limit:g}",
            gate.limit,
        )
    old = _baseline_value(baseline or {}, r)
    if old is None:
        return outcome("error", f"the baseline has no value for {name}", None)
    allowed = abs(old) * gate.limit if gate.relative else gate.limit
    limit = old + allowed
    ok = r.value <= limit
    change = r.value - old
    rel = f" ({change / abs(old) * 100:+.3g}%)" if old else ""
    return outcome(
        "pass" if ok else "fail",
        f"{name} = {r.value:.6g}, baseline {old:.6g}: change {change:+.6g}{rel}, "
        f"allowed +{allowed:.6g}",
        limit,
        old,
    )


def baseline_index(baseline: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """The baseline's values by (label, group as canonical JSON), built once per run (the first
    entry of a key wins, as a scan would find it)."""
    index: dict[tuple[str, str], Any] = {}
    for entry in baseline.get("results", []):
        if isinstance(entry, dict):
            key = (entry.get("label", entry.get("name")), _group_key(entry.get("group")))
            index.setdefault(key, entry.get("value"))  # type: ignore[arg-type]
    return index


def _group_key(group: Any) -> str:
    return json.dumps(group, sort_keys=True, default=str)


def _baseline_value(index: dict[tuple[str, str], Any], r: LossResult) -> float | None:
    value = index.get((r.label, _group_key(r.group)))
    return float(value) if isinstance(value, int | float) else None
