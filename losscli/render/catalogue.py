"""Render the loss catalogue (`losscli losses`) in every format."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from losscli.errors import UsageError
from losscli.losses import CATALOGUE, TASKS, Loss, get_loss
from losscli.render import Format, dumps_json
from losscli.write import emit

SCHEMA_VERSION = 1


def _number(x: float | None) -> float | str | None:
    if x is None:
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def loss_to_dict(loss: Loss) -> dict[str, Any]:
    """One catalogue entry as plain data (the JSON of `losscli losses NAME`)."""
    return {
        "name": loss.name,
        "title": loss.title,
        "aliases": list(loss.aliases),
        "tasks": list(loss.tasks),
        "prediction": loss.prediction,
        "accepts_logits": loss.accepts_logits,
        "clips_probabilities": loss.clips,
        "growth": loss.growth,
        "formula": loss.formula,
        "summary": loss.summary,
        "parameters": [
            {
                "name": p.name,
                "default": p.default,
                "low": _number(p.low),
                "high": _number(p.high),
                "low_open": p.low_open,
                "high_open": p.high_open,
                "optional": p.optional,
                "doc": p.doc,
            }
            for p in loss.params
        ],
        "equivalents": dict(loss.equivalents),
        "notes": loss.choice,
    }


def _selection(task: str | None) -> list[Loss]:
    if task is not None and task not in TASKS:
        raise UsageError(f"unknown task '{task}' (valid: {', '.join(TASKS)})")
    return [loss for loss in CATALOGUE.values() if task is None or task in loss.kernels]


def _params_text(loss: Loss) -> str:
    return ", ".join(
        f"{p.name}={'none' if p.default is None else f'{p.default:g}'}" for p in loss.params
    )


def show(name: str | None, *, task: str | None, fmt: Format, output: str | None) -> None:
    if name is not None:
        loss = get_loss(name, task)
        if fmt is Format.json:
            emit(dumps_json({"schema_version": SCHEMA_VERSION, "loss": loss_to_dict(loss)}), output)
        elif fmt is Format.markdown:
            emit(_detail_markdown(loss), output)
        elif fmt is Format.csv:
            emit(_csv([loss]), output)
        else:
            _print_rich(_detail_rich(loss), output)
        return
    losses = _selection(task)
    if fmt is Format.json:
        data = {"schema_version": SCHEMA_VERSION, "losses": [loss_to_dict(x) for x in losses]}
        emit(dumps_json(data), output)
    elif fmt is Format.markdown:
        emit(_list_markdown(losses), output)
    elif fmt is Format.csv:
        emit(_csv(losses), output)
    else:
        _print_rich(_list_rich(losses), output)


def _csv(losses: list[Loss]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "tasks", "prediction", "growth", "parameters", "aliases", "formula"])
    for loss in losses:
        writer.writerow(
            [
                loss.name,
                " ".join(loss.tasks),
                loss.prediction,
                loss.growth,
                _params_text(loss),
                " ".join(loss.aliases),
                loss.formula,
            ]
        )
    return buffer.getvalue()


def _list_markdown(losses: list[Loss]) -> str:
    lines = [
        "| loss | tasks | prediction | growth | parameters | formula |",
        "|---|---|---|---|---|---|",
    ]
    for loss in losses:
        lines.append(
            f"| `{loss.name}` | {', '.join(loss.tasks)} | {loss.prediction} | {loss.growth} | "
            f"{_params_text(loss) or '-'} | `{loss.formula}` |"
        )
    return "\n".join(lines)


def _detail_markdown(loss: Loss) -> str:
    lines = [f"## {loss.name}: {loss.title}", "", loss.summary, "", f"`{loss.formula}`", ""]
    lines.append(f"- tasks: {', '.join(loss.tasks)}")
    lines.append(f"- prediction: {loss.prediction}{' or logits' if loss.accepts_logits else ''}")
    lines.append(f"- growth: {loss.growth}")
    for p in loss.params:
        lines.append(f"- `{p.name}` = {p.default} in {p.bounds()}: {p.doc}")
    if loss.aliases:
        lines.append(f"- aliases: {', '.join(loss.aliases)}")
    for lib, text in loss.equivalents.items():
        lines.append(f"- {lib}: {text}")
    if loss.choice:
        lines += ["", loss.choice]
    return "\n".join(lines)


def _list_rich(losses: list[Loss]):
    from rich.table import Table

    table = Table(title="losscli loss catalogue", title_justify="left")
    table.add_column("loss", style="bold cyan", no_wrap=True)
    table.add_column("tasks")
    table.add_column("prediction")
    table.add_column("growth")
    table.add_column("parameters")
    table.add_column("aliases", style="dim")
    for loss in losses:
        pred = loss.prediction + (" / logits" if loss.accepts_logits else "")
        table.add_row(
            loss.name,
            ", ".join(loss.tasks),
            pred,
            loss.growth,
            _params_text(loss),
            ", ".join(loss.aliases[:2]) + (", ..." if len(loss.aliases) > 2 else ""),
        )
    return table


def _detail_rich(loss: Loss):
    from rich.table import Table

    table = Table(title=f"{loss.name}: {loss.title}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("summary", loss.summary)
    table.add_row("formula", loss.formula)
    table.add_row("tasks", ", ".join(loss.tasks))
    table.add_row("prediction", loss.prediction + (" or logits" if loss.accepts_logits else ""))
    table.add_row("growth", loss.growth)
    for p in loss.params:
        default = "none" if p.default is None else f"{p.default:g}"
        table.add_row(f"param {p.name}", f"{default} in {p.bounds()}: {p.doc}")
    if loss.aliases:
        table.add_row("aliases", ", ".join(loss.aliases))
    for lib, text in loss.equivalents.items():
        table.add_row(lib, text)
    if loss.choice:
        table.add_row("losscli", loss.choice)
    return table


def _print_rich(renderable, output: str | None) -> None:
    from rich.console import Console

    if output is None:
        Console(highlight=False).print(renderable)
        return
    buffer = io.StringIO()
    Console(file=buffer, width=120, highlight=False, color_system=None).print(renderable)
    emit(buffer.getvalue(), output)
