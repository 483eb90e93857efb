"""One entry for `losscli recommend`: from the table (task and activation) or from a file.

Which options need a file and which are required without one is decided here, not by the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from losscli.advice.model import ACTIVATIONS, TASKS, Recommendation
from losscli.advice.rules import recommend
from losscli.errors import UsageError


def advise(
    source: str | Sequence[str] | None = None,
    *,
    task: str | None = None,
    activation: str | None = None,
    labels: str | None = None,
    outliers: bool = False,
    imbalanced: bool = False,
    framework: str | None = None,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    positive: str | None = None,
    classes: str | Sequence[str] | None = None,
    from_logits: bool | None = None,
    input_format: str | None = None,
    nan: str = "error",
    delimiter: str | None = None,
    sample_rows: int | None = None,
    seed: int | None = None,
) -> Recommendation:
    """`recommend_from(source, ...)` with a source, else `recommend(task, activation, ...)`.

    With a source the label encoding is read from the data (`labels` is a UsageError); without
    one the column and reading options are UsageErrors, and `task` and `activation` are required.

    Long only for its keyword options, one per CLI option.
    """
    hints: dict[str, Any] = {"outliers": outliers, "imbalanced": imbalanced, "framework": framework}
    if source:
        if labels is not None:
            raise UsageError("--labels is read from the data with --from; drop it")
        from losscli.advice.from_data import recommend_from

        return recommend_from(
            source,
            true=true,
            pred=pred,
            weight=weight,
            task=task,
            positive=positive,
            classes=classes,
            from_logits=from_logits,
            input_format=input_format,
            nan=nan,
            delimiter=delimiter,
            activation=activation,
            sample_rows=sample_rows,
            seed=seed or 0,
            **hints,
        )
    given = {
        "--true": true,
        "--pred": pred,
        "--weight": weight,
        "--positive": positive,
        "--classes": classes,
        "--from-logits/--from-probabilities": from_logits,
        "--input-format": input_format,
        "--delimiter": delimiter,
        "--sample-rows": sample_rows,
        "--seed": seed,
    }
    used = [name for name, value in given.items() if value is not None]
    if nan != "error":
        used.append("--nan")
    if used:
        raise UsageError(f"{used[0]} reads a file: pass --from FILE")
    if task is None:
        raise UsageError(f"missing --task ({', '.join(TASKS)}), or pass --from FILE to infer it")
    if activation is None:
        raise UsageError(f"missing --activation ({', '.join(ACTIVATIONS)})")
    return recommend(task, activation, labels=labels, **hints)


__all__ = ["advise"]
