"""The result of a paired comparison: the candidate's result (as `compute` gives it, on the
matched rows), the baseline's values, one `Difference` per loss and group, and the verdicts of
the paired gates. Its JSON is `compute`'s with a `comparison` section added."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from losscli.result import ComputeResult, LossResult

#: The JSON of a paired comparison (compute's schema plus `comparison`).
PAIRED_SCHEMA_VERSION = 2

Interval = tuple[float, float]


@dataclass(frozen=True)
class Difference:
    """One loss over one set of matched rows (all rows, or one group), both models.

    `diff` = candidate − baseline, `rel` = candidate / baseline − 1. `ci`/`rel_ci` come from the
    paired Poisson bootstrap (None without one), `normal_ci`/`normal_rel_ci` from the normal
    approximation. `verdict`: worse, better, no detectable difference, too few rows, undefined.
    """

    label: str
    name: str
    params: dict[str, float | None]
    group: dict[str, Any] | None
    rows: int
    weight_sum: float
    baseline: float | None
    candidate: float | None
    diff: float | None
    rel: float | None
    ci: Interval | None
    rel_ci: Interval | None
    normal_ci: Interval | None
    normal_rel_ci: Interval | None
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "name": self.name,
            "params": self.params,
            "group": self.group,
            "rows": self.rows,
            "weight_sum": _finite(self.weight_sum),
            "baseline": _finite(self.baseline),
            "candidate": _finite(self.candidate),
            "difference": _finite(self.diff),
            "relative": _finite(self.rel),
            "ci": _interval(self.ci),
            "relative_ci": _interval(self.rel_ci),
            "normal_ci": _interval(self.normal_ci),
            "normal_relative_ci": _interval(self.normal_rel_ci),
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class PairedGate:
    """How one paired gate (max_increase or min_decrease on one loss and group) was judged.

    `rule` is 'interval' (a one-sided test at `level`, Holm-adjusted to `alpha`) or 'estimate'
    (the point estimate against the allowance); `scale` is 'relative' (percent of the baseline)
    or 'absolute'; `p_value` is the one-sided p-value (None under the estimate rule)."""

    gate: str
    kind: str
    loss: str
    group: dict[str, Any] | None
    rule: str
    scale: str
    allowance: float
    p_value: float | None
    alpha: float | None
    status: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "kind": self.kind,
            "loss": self.loss,
            "group": self.group,
            "rule": self.rule,
            "scale": self.scale,
            "allowance": _finite(self.allowance),
            "p_value": _finite(self.p_value),
            "alpha": _finite(self.alpha),
            "status": self.status,
            "message": self.message,
        }


@dataclass(frozen=True)
class PairedResult:
    """Everything `compare_models` found. `result` is the candidate's `ComputeResult` (values on
    the matched rows, every gate's outcome); `passed` is its verdict."""

    result: ComputeResult
    baseline: list[LossResult]
    differences: list[Difference]
    matching: dict[str, Any]
    settings: dict[str, Any]
    gates: list[PairedGate] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.result.passed

    def difference(self, label: str, group: dict[str, Any] | None = None) -> Difference:
        """The comparison of one loss (by label), overall or in one group."""
        for d in self.differences:
            if d.label == label and d.group == group:
                return d
        raise KeyError(label)

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
        out["schema_version"] = PAIRED_SCHEMA_VERSION
        comparison = {
            "baseline": {
                "files": self.settings["baseline_files"],
                "columns": self.settings["baseline_columns"],
            },
            "matching": self.matching,
            "method": self.settings["method"],
            "level": self.settings["level"],
            "replicates": self.settings["replicates"],
            "seed": self.settings["seed"],
            "gate_on": self.settings["gate_on"],
            "multiplicity": self.settings["multiplicity"],
            "min_rows": self.settings["min_rows"],
            "differences": [d.to_dict() for d in self.differences],
            "gates": [g.to_dict() for g in self.gates],
        }
        keys = list(out)
        at = keys.index("gates")
        items = list(out.items())
        return dict([*items[:at], ("comparison", comparison), *items[at:]])


def _finite(x: float | None) -> float | None:
    if x is None:
        return None
    return float(x) if math.isfinite(x) else None


def _interval(ci: Interval | None) -> dict[str, float | None] | None:
    return None if ci is None else {"low": _finite(ci[0]), "high": _finite(ci[1])}
