"""The result model every renderer reads, and its JSON form (a documented, versioned schema)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from losscli._version import __version__

#: The one version of every JSON losscli writes (compute, recommend, compare, losses): bumped
#: whenever a JSON field is renamed or removed (additions keep the version).
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class LossResult:
    """One loss over one set of rows (all rows, or one group)."""

    label: str
    name: str
    params: dict[str, float | None]
    value: float | None
    reduction: str
    rows: int
    weight_sum: float
    group: dict[str, Any] | None = None
    ci: tuple[float, float] | None = None
    ci_level: float | None = None
    replicates: int | None = None
    target: str | None = None  # with --per-label: the one label this value is over

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "params": self.params,
            "value": _finite(self.value),
            "reduction": self.reduction,
            "group": self.group,
            "rows": self.rows,
            "weight_sum": _finite(self.weight_sum),
        }
        if self.target is not None:
            out["target"] = self.target
        if self.ci is not None:
            out["ci"] = {
                "level": self.ci_level,
                "low": _finite(self.ci[0]),
                "high": _finite(self.ci[1]),
                "method": "poisson bootstrap, percentile",
                "replicates": self.replicates,
            }
        return out


@dataclass(frozen=True)
class GateOutcome:
    """One gate checked against one result."""

    gate: str
    kind: str
    loss: str
    group: dict[str, Any] | None
    value: float | None
    limit: float | None
    status: str  # "pass", "fail" or "error" (could not be evaluated: it fails)
    message: str
    baseline: float | None = None

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "kind": self.kind,
            "loss": self.loss,
            "group": self.group,
            "value": _finite(self.value),
            "limit": _finite(self.limit),
            "baseline": _finite(self.baseline),
            "status": self.status,
            "passed": self.passed,
            "message": self.message,
        }


@dataclass(frozen=True)
class ComputeResult:
    """Everything `compute` found: inputs, one result per loss (and group), gates, warnings."""

    inputs: dict[str, Any]
    results: Sequence[LossResult]
    gates: Sequence[GateOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        counts = self.gate_counts()
        return counts["pass"] == sum(counts.values())

    def gate_counts(self) -> dict[str, int]:
        """How many gates passed ('pass'), failed ('fail') or could not be evaluated ('error')
        (without building every group's outcome when the gates keep them as columns)."""
        counts = getattr(self.gates, "counts", None)
        if counts is not None:
            return dict(counts())
        out = {"pass": 0, "fail": 0, "error": 0}
        for g in self.gates:
            out[g.status] = out.get(g.status, 0) + 1
        return out

    def failing(self) -> list[GateOutcome]:
        """The gates that did not pass, in order."""
        failing = getattr(self.gates, "failing", None)
        if failing is not None:
            return list(failing())
        return [g for g in self.gates if not g.passed]

    def summary(self) -> dict[str, Any]:
        """The JSON's summary of the gates."""
        counts = self.gate_counts()
        return {
            "passed": counts["pass"] == sum(counts.values()),
            "gates": sum(counts.values()),
            "failed": counts["fail"],
            "not_evaluated": counts["error"],
        }

    def overall(self) -> list[LossResult]:
        """The results over all rows (without reading a million group results when the
        results keep them apart, as `grouped.Results` does)."""
        kept = getattr(self.results, "overall", None)
        if isinstance(kept, list):
            return list(kept)
        return [r for r in self.results if r.group is None]

    def get(self, label: str, group: dict[str, Any] | None = None) -> LossResult:
        for r in self.results:
            if r.label == label and r.group == group:
                return r
        raise KeyError(label)

    def value(self, label: str) -> float | None:
        """The overall value of a loss, by its label."""
        return self.get(label).value

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "losscli", "version": __version__},
            "inputs": self.inputs,
            "results": [r.to_dict() for r in self.results],
            "gates": [g.to_dict() for g in self.gates],
            "summary": self.summary(),
            "warnings": self.warnings,
            "passed": self.passed,
        }


def _finite(x: float | None) -> float | None:
    if x is None:
        return None
    return float(x) if math.isfinite(x) else None
