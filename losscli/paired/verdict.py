"""From paired sums to differences, verdicts and gate outcomes.

A loss in a group is *worse* when the whole interval of its difference lies above 0, *better*
when it lies below, otherwise *no detectable difference* (each at `ci`, unadjusted: it
describes, it does not gate). Paired gates are judged as one family:

- rule 'interval' (default): `--max-increase LOSS=V` fails when the change exceeds V with
  confidence: a one-sided test at level (1 − ci)/2 (97.5% for `--ci 0.95`), i.e. the lower
  bound of the interval lies above V. `--min-decrease LOSS=V` passes only when the decrease
  exceeds V with the same confidence. Holm–Bonferroni across every paired gate (losses × groups)
  keeps the chance of any false finding at (1 − ci)/2.
- rule 'estimate': the point estimate against V, as with a JSON baseline.

Fewer than `MIN_ROWS` matched rows cannot be judged (the gate fails, saying so): percentile
bootstrap intervals under-cover on small samples, the more so with heavy tails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from losscli.engine import Engine, Sums
from losscli.gates import Gate
from losscli.losses import LossSpec
from losscli.paired import stats
from losscli.paired.result import Difference, PairedGate
from losscli.result import GateOutcome

#: Below this many matched rows a difference is not judged (and its gate fails).
MIN_ROWS = 30
#: Below this many a warning: intervals are rough (heavy tails make them too narrow).
WARN_ROWS = 300


@dataclass(frozen=True)
class Compared:
    """One Difference with what its gates need: the replicates of the difference and of the
    relative change (None without a bootstrap) and the normal standard errors."""

    difference: Difference
    reps: np.ndarray | None
    rel_reps: np.ndarray | None
    se: float
    se_rel: float


def replicates(engine: Engine, spec: LossSpec, sums: Sums) -> np.ndarray | None:
    """The loss's value in every bootstrap replicate (NaN where a replicate has no weight)."""
    if sums.boot_wl is None or sums.boot_w is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = sums.boot_wl / sums.boot_w if engine.reduction == "mean" else sums.boot_wl.copy()
        if spec.loss.finalize is not None:
            reps = spec.loss.finalize(reps)
    return np.where(np.isfinite(reps), reps, np.nan)


def compare_one(
    spec: LossSpec,
    engines: tuple[Engine, Engine],
    sums: tuple[Sums, Sums],
    moments: np.ndarray,
    group: dict[str, Any] | None,
    ci: float,
) -> Compared:
    """Both models' values of one loss on one set of matched rows, and their difference."""
    cand, base = (e.value(spec, s, ci) for e, s in zip(engines, sums, strict=True))
    diff = rel = None
    if cand.value is not None and base.value is not None:
        diff = cand.value - base.value
        rel = diff / base.value if base.value else None
    _d, se, _r, se_rel = stats.normal_intervals(
        moments, reduction=engines[0].reduction, finalize=spec.loss.finalize, ci=ci
    )
    z = stats.z_value(ci)
    normal = _around(diff, float(se), z)
    normal_rel = _around(rel, float(se_rel), z)
    reps = rel_reps = None
    boot = boot_rel = None
    rc, rb = replicates(engines[0], spec, sums[0]), replicates(engines[1], spec, sums[1])
    if rc is not None and rb is not None and diff is not None:
        reps = rc - rb
        with np.errstate(divide="ignore", invalid="ignore"):
            rel_reps = np.where(rb != 0, rc / rb - 1.0, np.nan)
        boot = _pair(stats.percentile_interval(reps, ci))
        boot_rel = _pair(stats.percentile_interval(rel_reps, ci)) if rel is not None else None
    interval = boot if reps is not None else normal
    difference = Difference(
        label=spec.label,
        name=spec.name,
        params=spec.params,
        group=group,
        rows=cand.rows,
        weight_sum=cand.weight_sum,
        baseline=base.value,
        candidate=cand.value,
        diff=diff,
        rel=rel,
        ci=boot,
        rel_ci=boot_rel,
        normal_ci=normal,
        normal_rel_ci=normal_rel,
        verdict=_verdict(diff, interval, cand.rows),
    )
    return Compared(difference, reps, rel_reps, float(se), float(se_rel))


def _pair(bounds: tuple[np.ndarray, np.ndarray]) -> tuple[float, float] | None:
    low, high = float(bounds[0]), float(bounds[1])
    return (low, high) if np.isfinite(low) and np.isfinite(high) else None


def _around(estimate: float | None, se: float, z: float) -> tuple[float, float] | None:
    if estimate is None or not np.isfinite(se):
        return None
    return (estimate - z * se, estimate + z * se)


def _verdict(diff: float | None, interval: tuple[float, float] | None, rows: int) -> str:
    if diff is None or interval is None:
        return "undefined"
    if rows < MIN_ROWS:
        return "too few rows"
    if interval[0] > 0:
        return "worse"
    if interval[1] < 0:
        return "better"
    return "no detectable difference"


# ---------------------------------------------------------------------------------------------
# gates


def judge(gates: Sequence[tuple[Gate, Compared]], *, ci: float, rule: str) -> list[PairedGate]:
    """Every paired gate on its comparison; the interval rule Holm-adjusted across all."""
    alpha = (1.0 - ci) / 2.0
    p_values = [_p_value(g, c) if rule == "interval" else float("nan") for g, c in gates]
    judgeable = [i for i, (g, c) in enumerate(gates) if _problem(g, c) is None]
    rejected, levels = stats.holm([p_values[i] for i in judgeable], alpha)
    found = {i: (rejected[k], levels[k]) for k, i in enumerate(judgeable)}
    out = []
    for i, (gate, compared) in enumerate(gates):
        problem = _problem(gate, compared)
        if problem is not None:
            out.append(_outcome(gate, compared, rule, None, None, "error", problem, ci))
            continue
        if rule == "estimate":
            status, why = _by_estimate(gate, compared.difference)
            out.append(_outcome(gate, compared, rule, None, None, status, why, ci))
            continue
        finding, level = found[i]
        worse_gate = gate.kind == "max_increase"
        failed = finding if worse_gate else not finding
        why = _reason(gate, failed, p_values[i], level, len(judgeable), ci)
        out.append(
            _outcome(
                gate, compared, rule, p_values[i], level, "fail" if failed else "pass", why, ci
            )
        )
    return out


def _problem(gate: Gate, c: Compared) -> str | None:
    """Why a gate cannot be judged (it then fails), or None."""
    d = c.difference
    name = _name(d)
    if d.diff is None:
        return f"{name} could not be evaluated (no rows or zero weight)"
    if gate.relative and d.rel is None:
        return (
            f"{name}: the baseline is 0, a relative change is undefined (give an absolute amount)"
        )
    if d.rows < MIN_ROWS:
        return (
            f"{name}: only {d.rows} matched rows; below {MIN_ROWS} the interval cannot be "
            "trusted (use --gate overall, or more rows)"
        )
    return None


def _p_value(gate: Gate, c: Compared) -> float:
    d = c.difference
    limit = gate.limit if gate.kind == "max_increase" else -gate.limit
    if gate.relative:
        if d.rel is None:
            return float("nan")
        reps, estimate, se = c.rel_reps, d.rel, c.se_rel
    else:
        assert d.diff is not None  # judged only when defined
        reps, estimate, se = c.reps, d.diff, c.se
    worse = gate.kind == "max_increase"
    return float(stats.p_value(reps, limit, worse=worse, estimate=estimate, se=se))


def _by_estimate(gate: Gate, d: Difference) -> tuple[str, str]:
    change = d.rel if gate.relative else d.diff
    assert change is not None  # judged only when defined
    allowed = _amount(gate.limit, gate.relative)
    if gate.kind == "max_increase":
        ok = change <= gate.limit
        why = "within the allowed" if ok else "worse than allowed"
        return ("pass" if ok else "fail"), f"{why} (+{allowed}, point estimate)"
    ok = change <= -gate.limit
    why = "better by at least" if ok else "not better by the required"
    return ("pass" if ok else "fail"), f"{why} {allowed} (point estimate)"


def _reason(gate: Gate, failed: bool, p: float, level: float, m: int, ci: float) -> str:
    allowed = _amount(gate.limit, gate.relative)
    one_sided = f"one-sided test at {(1 + ci) / 2 * 100:g}%, p={p:.2g}"
    family = f", Holm over {m} gates: needs p < {level:.2g}" if m > 1 else ""
    if gate.kind == "max_increase":
        head = "worse than allowed" if failed else "not shown to exceed the allowed"
        return f"{head} (+{allowed}; {one_sided}{family})"
    head = "not shown to be better by the required" if failed else "better by more than"
    return f"{head} {allowed} ({one_sided}{family})"


def _outcome(
    gate: Gate,
    c: Compared,
    rule: str,
    p: float | None,
    level: float | None,
    status: str,
    why: str,
    ci: float,
) -> PairedGate:
    d = c.difference
    message = why if status == "error" else f"{describe(d, gate.relative, ci)}: {why}"
    return PairedGate(
        gate.text,
        gate.kind,
        d.label,
        d.group,
        rule,
        "relative" if gate.relative else "absolute",
        gate.limit,
        p,
        level,
        status,
        message,
    )


def describe(d: Difference, relative: bool = True, level: float = 0.95) -> str:
    """'bce 0.1523 → 0.1561 (+2.5%, 95% CI +0.4% to +4.6%, n=2000)'."""
    head = f"{_name(d)} {_num(d.baseline)} → {_num(d.candidate)}"
    if d.diff is None:
        return head
    interval = (d.rel_ci or d.normal_rel_ci) if relative else (d.ci or d.normal_ci)
    if relative and d.rel is not None:
        change = f"{d.rel * 100:+.3g}%"
        ci = "" if interval is None else f"{interval[0] * 100:+.3g}% to {interval[1] * 100:+.3g}%"
    else:
        change = f"{d.diff:+.4g}"
        ci = "" if interval is None else f"{interval[0]:+.4g} to {interval[1]:+.4g}"
    return f"{head} ({change}" + (f", {level * 100:g}% CI {ci}" if ci else "") + f", n={d.rows})"


def _name(d: Difference) -> str:
    if d.group is None:
        return d.label
    return f"{d.label} [" + ", ".join(f"{k}={v}" for k, v in d.group.items()) + "]"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def _amount(limit: float, relative: bool) -> str:
    return f"{limit * 100:g}%" if relative else f"{limit:g}"


def to_outcome(g: PairedGate, d: Difference) -> GateOutcome:
    """The paired gate as the result's `gates` list holds every gate."""
    limit = None
    if d.baseline is not None:
        sign = 1.0 if g.kind == "max_increase" else -1.0
        step = abs(d.baseline) * g.allowance if g.scale == "relative" else g.allowance
        limit = d.baseline + sign * step
    return GateOutcome(
        g.gate, g.kind, g.loss, g.group, d.candidate, limit, g.status, g.message, d.baseline
    )
