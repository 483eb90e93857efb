"""Matching the decision table: the most specific rule, the hints' alternatives, the warnings,
and the one place a `Recommendation` is built (`answer`).

>>> recommend("binary", "none").loss
'bce'
>>> recommend("binary", "none").from_logits
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from losscli.advice.model import (
    ACTIVATIONS,
    FRAMEWORKS,
    LABELS,
    TASKS,
    Alternative,
    Recommendation,
    Rule,
    format_number,
    loss_spec,
)
from losscli.advice.table import BAD_LABELS, HINTS, RULES, TEMPLATE_COLUMNS, WARNINGS
from losscli.errors import UsageError

#: Builds the compute command for (spec, from_logits) of the rule chosen.
CommandFor = Callable[[str, bool], str]


def choice(value: str | None, valid: Sequence[str], what: str) -> str | None:
    """`value` lower-cased if it is one of `valid` (None stays None); else UsageError."""
    if value is None:
        return None
    key = value.strip().lower()
    if key not in valid:
        raise UsageError(f"unknown {what} '{value}' (valid: {', '.join(valid)})")
    return key


def required(value: str | None, valid: Sequence[str], what: str) -> str:
    """As `choice`, and UsageError when the value is missing."""
    out = choice(value, valid, what)
    if out is None:
        raise UsageError(f"missing {what} (valid: {', '.join(valid)})")
    return out


def rule_for(
    task: str, activation: str, *, outliers: bool = False, labels: str | None = None
) -> Rule:
    """The most specific rule matching the task, activation and hints."""
    found = [r for r in RULES if r.matches(task, activation, outliers, labels)]
    if not found:
        raise UsageError(f"no rule for task '{task}' with activation '{activation}'")
    return max(found, key=lambda r: r.specificity)


def warnings_for(task: str, activation: str, labels: str | None = None) -> list[str]:
    """The WARNINGS that apply to a combination, in table order."""
    return [c.text(activation) for c in WARNINGS if c.matches(task, activation, labels)]


def recommend(
    task: str,
    activation: str,
    *,
    outliers: bool = False,
    imbalanced: bool = False,
    labels: str | None = None,
    framework: str | None = None,
) -> Recommendation:
    """The loss for a task and last-layer activation, with hints about the data.

    `labels` is int (class indices; 0/1 for binary), onehot, soft or pm1 (-1/+1); `framework`
    (pytorch, keras, sklearn) puts that framework first. Raises UsageError on unknown values.
    """
    task_ = required(task, TASKS, "task")
    activation_ = required(activation, ACTIVATIONS, "activation")
    labels_ = choice(labels, LABELS, "label encoding")
    framework_ = choice(framework, FRAMEWORKS, "framework")
    return answer(
        task_,
        activation_,
        outliers=outliers,
        imbalanced=imbalanced,
        labels=labels_,
        framework=framework_,
    )


def answer(
    task: str,
    activation: str,
    *,
    outliers: bool,
    imbalanced: bool,
    labels: str | None,
    framework: str | None,
    params: Mapping[str, float] | None = None,
    lead: Sequence[Alternative] = (),
    extra_warnings: Sequence[str] = (),
    inferred: dict[str, Any] | None = None,
    measurements: dict[str, Any] | None = None,
    notes: Sequence[str] = (),
    command: CommandFor | None = None,
) -> Recommendation:
    """Match the table and build the one, frozen Recommendation.

    `params` are measured parameters (a Huber delta), `lead` alternatives the data calls for,
    `extra_warnings` what the data contradicts; `inferred`, `measurements` and `notes` come
    from `recommend --from`; `command` builds the compute command (default: a template).

    Long because a Recommendation is built here once, with every field.
    """
    if labels in BAD_LABELS.get(task, ()):
        valid = [x for x in LABELS if x not in BAD_LABELS[task]]
        raise UsageError(
            f"--labels {labels} does not fit a {task} task (valid: {', '.join(valid)})"
        )
    rule = rule_for(task, activation, outliers=outliers, labels=labels)
    params = {**rule.params, **(params or {})}
    fill: dict[str, float | str] = {**params, "activation": activation}
    frameworks = {name: _fill(getattr(rule, name), fill) for name in _ordered_frameworks(framework)}
    active = {"outliers": outliers, "imbalanced": imbalanced}
    hint_alts: list[Alternative] = []
    warnings: list[str] = []
    for hint in HINTS:
        if active[hint.hint] and task in hint.tasks:
            hint_alts.extend(hint.alternatives)
            if hint.warning:
                warnings.append(hint.warning)
    warnings = [*warnings_for(task, activation, labels), *warnings, *extra_warnings]
    return Recommendation(
        task=task,
        activation=activation,
        loss=rule.loss,
        params=params,
        why=_fill(rule.why, fill),
        labels=rule.labels_expected,
        predictions=rule.predictions,
        frameworks=frameworks,
        alternatives=_merge_alternatives(rule, params, [*lead, *hint_alts, *rule.alternatives]),
        warnings=list(dict.fromkeys(warnings)),
        compute_command=(
            command(loss_spec(rule.loss, params), rule.from_logits)
            if command is not None
            else _template_command(task, labels, rule, params)
        ),
        hints={
            "outliers": outliers,
            "imbalanced": imbalanced,
            "labels": labels,
            "framework": framework,
        },
        inferred=inferred,
        measurements=measurements,
        notes=list(notes),
    )


def _ordered_frameworks(first: str | None) -> list[str]:
    return [first, *(f for f in FRAMEWORKS if f != first)] if first else list(FRAMEWORKS)


def _fill(text: str, values: Mapping[str, float | str]) -> str:
    for name, value in values.items():
        shown = value if isinstance(value, str) else format_number(value)
        text = text.replace(f"<{name}>", shown)
    return text


def _merge_alternatives(
    rule: Rule, params: Mapping[str, float], alternatives: Sequence[Alternative]
) -> list[Alternative]:
    """Drop repeats (same loss, parameters and advice on how; the first is kept) and the
    recommendation itself."""
    seen = {(rule.loss, tuple(sorted(params.items())), "")}
    out = []
    for alt in alternatives:
        key = (alt.loss, tuple(sorted(alt.params.items())), alt.how)
        if key not in seen:
            seen.add(key)
            out.append(alt)
    return out


def _template_command(
    task: str, labels: str | None, rule: Rule, params: Mapping[str, float]
) -> str:
    columns = TEMPLATE_COLUMNS.get((task, labels), TEMPLATE_COLUMNS[(task, None)])
    if rule.from_logits:
        columns = columns.replace("'p_*'", "'logit_*'").replace("p_1", "logit_1")
    command = f"losscli compute preds.csv --loss {loss_spec(rule.loss, params)} {columns}"
    return command + (" --from-logits" if rule.from_logits else "")


__all__ = ["CommandFor", "answer", "choice", "recommend", "required", "rule_for", "warnings_for"]
