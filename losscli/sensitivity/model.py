"""The result of `losscli compare`: ranked figures per loss, the verdict and the set-up.

Every result is built once, by `losscli.sensitivity.study`, and frozen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from losscli.losses import LossSpec
from losscli.result import SCHEMA_VERSION
from losscli.sampling import SampleInfo

#: Fewest rows compare accepts: with fewer, "the worst 1%" and a 5% contamination mean little.
MIN_ROWS = 10
#: The most rows of synthetic data `compare` draws (about 0.5 GB at its peak).
MAX_ROWS = 10_000_000


@dataclass(frozen=True)
class LossFigures:
    """The sensitivity figures of one compared loss."""

    rank: int
    spec: LossSpec
    value: float
    top_share: float
    inflation: float
    contamination_ratio: float
    #: With a sampled input: the standard error of each figure taken on the sample (top_share,
    #: inflation, contamination_ratio; None where it cannot be estimated); None without.
    se: dict[str, float | None] | None = None

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def growth(self) -> str:
        return self.spec.loss.growth

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "loss": self.spec.name,
            "label": self.label,
            "params": dict(self.spec.params),
            "growth": self.growth,
            "value": finite(self.value),
            "top_share": finite(self.top_share),
            "inflation": finite(self.inflation),
            "contamination_ratio": finite(self.contamination_ratio),
        } | ({} if self.se is None else {"se": {k: finite(v) for k, v in self.se.items()}})


@dataclass(frozen=True)
class Verdict:
    """One line on the data, the loss it suggests and the `losscli compute` command to check it."""

    summary: str
    heavy_tails: bool
    suggested: LossSpec
    alternatives: tuple[LossSpec, ...]
    evidence: dict[str, Any]
    compute_command: str = ""
    #: With a sampled input: the standard error of each measured figure of `evidence`.
    evidence_se: dict[str, float | None] | None = None

    @property
    def text(self) -> str:
        """The summary, then the command: '...; try: losscli compute FILE --loss ...'."""
        return (
            f"{self.summary}; try: {self.compute_command}" if self.compute_command else self.summary
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "heavy_tails": self.heavy_tails,
            "suggested": spec_dict(self.suggested),
            "alternatives": [spec_dict(s) for s in self.alternatives],
            "compute_command": self.compute_command,
            "evidence": {k: finite(v) for k, v in self.evidence.items()},
        } | (
            {}
            if self.evidence_se is None
            else {"evidence_se": {k: finite(v) for k, v in self.evidence_se.items()}}
        )


@dataclass(frozen=True, eq=False)
class Comparison:
    """The result of `compare`: ranked figures, skipped losses, the verdict and the set-up."""

    task: str
    source: str | list[str]
    description: str
    rows: int
    weighted: bool
    from_logits: bool
    seed: int
    top: float
    contamination: float
    magnitude: float
    robust_scale: float | None
    trimmed_rows: int
    contaminated_rows: int
    figures: list[LossFigures]
    skipped: list[tuple[str, str]]
    verdict: Verdict
    notes: list[str] = field(default_factory=list)
    columns: dict[str, list[str]] | None = None
    #: Regression: the residuals y_pred - y_true; classification: the probability of the true
    #: label (per row; per cell for multi-label). For the plot.
    residuals: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    #: Median target (regression), where losses that depend on y as well as on the error are drawn.
    typical_target: float | None = None
    #: Of `trimmed_rows`, those removed (beyond the worst `top`) because their |residual| already
    #: exceeded the injected gross error (regression).
    gross_rows: int = 0
    #: Why a loss ranks where it does, in words (a scale parameter against the injected errors).
    explanations: list[str] = field(default_factory=list)
    #: None when every row was studied; else the seeded sample the figures (not the values)
    #: were taken on (`losscli.sampling`).
    sample: SampleInfo | None = None

    @property
    def synthetic(self) -> bool:
        return self.source == "synthetic"

    def to_dict(self) -> dict[str, Any]:
        """Plain data, the JSON of `losscli compare --json` (schema_version 1)::

            {"schema_version": 1, "task": str,
             "data": {"source": "synthetic" | [file, ...], "description": str,
                      "columns": {role: [column, ...]} | null, "rows": int, "weighted": bool,
                      "from_logits": bool, "seed": int, "top": float, "contamination": float,
                      "magnitude": float, "robust_scale": float | null (classification),
                      "trimmed_rows": int, "gross_rows": int, "contaminated_rows": int,
                      "sample" (with a sample only): {"rows": int, "of": int, "seed": int,
                                                       "method": str, "standard_errors": str}},
             "ranking": [{"rank": int (1 = most sensitive), "loss": str, "label": str,
                          "params": {name: value}, "growth": str, "value": float,
                          "top_share": float, "inflation": float | null,
                          "contamination_ratio": float | null,
                          "se" (with a sample only): {"top_share", "inflation",
                                                      "contamination_ratio"}}, ...],
             "explanations": [str, ...],
             "skipped": [{"loss": str, "reason": str}, ...],
             "verdict": {"text": str, "heavy_tails": bool,
                         "suggested": {"loss": str, "label": str, "params": {...}},
                         "alternatives": [{"loss", "label", "params"}, ...],
                         "compute_command": str, "evidence": {name: number | null},
                         "evidence_se" (with a sample only): {name: number | null}}}

        With a sample (`data.sample`), `rows` counts every row used and each `value` is exact
        over them; the other figures, the verdict and the trimmed, gross and contaminated row
        counts are the sample's, with standard errors in `se` and `evidence_se`.

        Non-finite numbers (an inflation or ratio over a zero loss) are null.
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "task": self.task,
            "data": {
                "source": self.source,
                "description": self.description,
                "columns": self.columns,
                "rows": self.rows,
                "weighted": self.weighted,
                "from_logits": self.from_logits,
                "seed": self.seed,
                "top": self.top,
                "contamination": self.contamination,
                "magnitude": self.magnitude,
                "robust_scale": finite(self.robust_scale),
                "trimmed_rows": self.trimmed_rows,
                "gross_rows": self.gross_rows,
                "contaminated_rows": self.contaminated_rows,
            }
            | ({} if self.sample is None else {"sample": self.sample.to_dict()}),
            "ranking": [f.to_dict() for f in self.figures],
            "explanations": list(self.explanations),
            "skipped": [{"loss": name, "reason": reason} for name, reason in self.skipped],
            "verdict": self.verdict.to_dict(),
        }


def finite(x: Any) -> Any:
    """A finite float as float, a non-finite one as None (JSON null); anything else as is."""
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(x) else None
    return x


def spec_dict(spec: LossSpec) -> dict[str, Any]:
    """A loss spec as JSON: name, label and parameters."""
    return {"loss": spec.name, "label": spec.label, "params": dict(spec.params)}


__all__ = [
    "MIN_ROWS",
    "Comparison",
    "LossFigures",
    "Verdict",
    "finite",
    "spec_dict",
]
