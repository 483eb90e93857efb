"""The vocabulary and the answer of `losscli recommend`: tasks, activations, label encodings,
the rows of the decision table (`Rule`, `Hint`, `Caveat`) and the frozen `Recommendation`.

Pure data: no numpy, pandas or pyarrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from losscli.result import SCHEMA_VERSION

TASKS = ("regression", "binary", "multiclass", "multilabel")
#: Last-layer activations; 'none' and 'linear' both mean raw outputs (logits for classification).
ACTIVATIONS = ("none", "linear", "sigmoid", "tanh", "softmax", "relu", "softplus")
#: Label encodings: int (class indices; 0/1 for binary and multi-label), onehot, soft
#: (probability targets), pm1 (-1/+1).
LABELS = ("int", "onehot", "soft", "pm1")
FRAMEWORKS = ("pytorch", "keras", "sklearn")


@dataclass(frozen=True)
class Alternative:
    """Another loss worth considering, and when to prefer it."""

    loss: str
    when: str
    params: Mapping[str, float] = field(default_factory=dict)
    how: str = ""
    #: Executable snippets per framework, each quoted verbatim in `how` (tests run them).
    code: Mapping[str, str] = field(default_factory=dict)

    def spec(self) -> str:
        return loss_spec(self.loss, self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"loss": self.loss, "params": dict(self.params), "when": self.when, "how": self.how}


@dataclass(frozen=True)
class Rule:
    """One row of the decision table.

    A rule applies to `task` with any of `activations`; `outliers` (None: either) and `labels`
    (None: any or unknown) narrow it. `predictions` is what the loss takes: values,
    probabilities, logits (from_logits) or scores (hinge). Framework strings may hold `<param>`
    placeholders, filled from the recommendation's parameters: `params` are the defaults, a value
    measured from data (a Huber delta) replaces them; `<activation>` is the activation asked about.
    Framework strings are executable Python (`loss = ...`, then `# notes`) on the names `y`
    (targets), `p` (probabilities), `z` (logits), `s` (scores) and `y_pred` (values).
    """

    task: str
    activations: tuple[str, ...]
    loss: str
    why: str
    labels_expected: str
    predictions: str
    pytorch: str
    keras: str
    sklearn: str
    alternatives: tuple[Alternative, ...] = ()
    outliers: bool | None = None
    labels: tuple[str, ...] | None = None
    params: Mapping[str, float] = field(default_factory=dict)

    def matches(self, task: str, activation: str, outliers: bool, labels: str | None) -> bool:
        return (
            self.task == task
            and activation in self.activations
            and (self.outliers is None or self.outliers == outliers)
            and (self.labels is None or labels in self.labels)
        )

    @property
    def from_logits(self) -> bool:
        return self.predictions == "logits"

    @property
    def specificity(self) -> int:
        return (self.outliers is not None) + (self.labels is not None)


@dataclass(frozen=True)
class Hint:
    """What a hint (--outliers, --imbalanced) adds for some tasks: alternatives or a warning."""

    hint: str
    tasks: tuple[str, ...]
    alternatives: tuple[Alternative, ...] = ()
    warning: str = ""


@dataclass(frozen=True)
class Caveat:
    """A contradictory combination and what to change. `<activation>` is filled in.

    `labels` None fires whatever the labels; otherwise only for those (known) label encodings.
    """

    tasks: tuple[str, ...]
    activations: tuple[str, ...]
    message: str
    labels: tuple[str, ...] | None = None

    def matches(self, task: str, activation: str, labels: str | None) -> bool:
        return (
            task in self.tasks
            and activation in self.activations
            and (self.labels is None or labels in self.labels)
        )

    def text(self, activation: str) -> str:
        return self.message.replace("<activation>", activation)


@dataclass(frozen=True)
class Recommendation:
    """A recommended loss, why, how to write it in each framework, and what else to consider.

    Built once (by `losscli.advice.rules.answer`) and frozen.
    """

    task: str
    activation: str
    loss: str
    params: dict[str, float]
    why: str
    labels: str
    predictions: str
    frameworks: dict[str, str]
    alternatives: list[Alternative]
    warnings: list[str]
    compute_command: str
    hints: dict[str, Any]
    inferred: dict[str, Any] | None = None
    measurements: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def from_logits(self) -> bool:
        return self.predictions == "logits"

    @property
    def spec(self) -> str:
        """The loss as `--loss` takes it: `huber:delta=81.9`."""
        return loss_spec(self.loss, self.params)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `losscli recommend` (schema_version 1).

        - ``schema_version`` (int, 1); ``task`` (str); ``activation`` (str: as given, or as
          inferred from the data).
        - ``hints``: ``{"outliers": bool, "imbalanced": bool, "labels": str | null,
          "framework": str | null}``; with ``--from``, outliers / imbalanced are true when the
          data showed them.
        - ``loss``: ``{"name": str, "params": {str: number}}`` (a catalogue name; ``losscli
          losses NAME`` describes it); ``spec`` (str): the same as ``--loss`` takes it.
        - ``why`` (str); ``labels`` (str): the label encoding the loss expects;
          ``predictions`` (str): what the loss takes, "values", "probabilities", "logits" or
          "scores"; ``from_logits`` (bool): predictions == "logits".
        - ``frameworks``: ``{"pytorch", "keras", "sklearn"}`` (str each; the one asked for with
          ``--framework`` first).
        - ``alternatives``: ``[{"loss": str, "params": {}, "when": str, "how": str}]``.
        - ``warnings``: [str], each saying what to change.
        - ``inferred``: null, or with ``--from`` ``{"files", "task", "task_inferred",
          "activation", "predictions" ("probabilities", "logits", "scores", "values"),
          "from_logits", "label_layout", "labels", "columns", "classes", "rows_used",
          "rows_dropped", "notes"}``.
        - ``measurements``: null, or what the data showed: regression ``{"rows",
          "top_fraction", "top_share", "top_share_normal", "excess_kurtosis",
          "robust_scale", "huber_delta", "heavy_tails" (bool | null below 50 rows),
          "targets_nonnegative", "targets_integer", "summary"}``, and on an input of more
          than ``--sample-rows`` rows ``"sample": {"rows", "of", "seed", "method",
          "standard_errors"}`` and ``"se": {"top_share", "excess_kurtosis", "robust_scale",
          "huber_delta"}`` (the tails measured on the sample; "rows" counts every row); classification
          ``{"rows", "class_shares" or "label_positive_shares", "minority_share",
          "imbalanced", "rows_sum_to_one" (multiclass), "summary"}``.
        - ``compute_command`` (str): the `losscli compute` command that checks the loss.
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "task": self.task,
            "activation": self.activation,
            "hints": dict(self.hints),
            "loss": {"name": self.loss, "params": dict(self.params)},
            "spec": self.spec,
            "why": self.why,
            "labels": self.labels,
            "predictions": self.predictions,
            "from_logits": self.from_logits,
            "frameworks": dict(self.frameworks),
            "alternatives": [a.to_dict() for a in self.alternatives],
            "warnings": list(self.warnings),
            "inferred": self.inferred,
            "measurements": self.measurements,
            "compute_command": self.compute_command,
        }


def loss_spec(name: str, params: Mapping[str, float | None]) -> str:
    """`name` or `name:p=v,q=w` as `--loss` takes it."""
    if not params:
        return name
    inner = ",".join(f"{k}={format_number(v)}" for k, v in params.items())
    return f"{name}:{inner}"


def format_number(value: float | None) -> str:
    """A parameter as `--loss` writes it: 81.9, 1e-07, none."""
    return "none" if value is None else f"{value:g}"


__all__ = [
    "ACTIVATIONS",
    "FRAMEWORKS",
    "LABELS",
    "TASKS",
    "Alternative",
    "Caveat",
    "Hint",
    "Recommendation",
    "Rule",
    "format_number",
    "loss_spec",
]
