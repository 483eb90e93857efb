"""Render the loss catalogue (`losscli losses`) in every format."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from losscli.errors import UsageError
from losscli.losses import CATALOGUE, TASKS, Loss, get_loss
from losscli.render import Format, dumps_json
from losscli.render.base import Renderer, Renderers, TableRenderer, renderer
from losscli.result import SCHEMA_VERSION

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

#: What `losscli losses` shows: one loss in full, or a list of losses.
Entries = Loss | Sequence[Loss]


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


def select(name: str | None, task: str | None = None) -> Entries:
    """One loss (by name or alias) in full, or the catalogue, optionally only for `task`."""
    if name is not None:
        return get_loss(name, task)
    return _selection(task)


def show(name: str | None, *, task: str | None, fmt: Format, output: str | None) -> None:
    """Write the catalogue (or one loss) to `output` (atomically) or stdout in format `fmt`."""
    renderer(RENDERERS, fmt).show(select(name, task), output)


def render(entries: Entries, fmt: Format) -> str:
    """One loss or a list of losses as text in `fmt` (the table as plain text)."""
    return renderer(RENDERERS, fmt).render(entries)


class JsonRenderer(Renderer[Entries]):
    def render(self, item: Entries) -> str:
        if isinstance(item, Loss):
            return dumps_json({"schema_version": SCHEMA_VERSION, "loss": loss_to_dict(item)})
        data = {"schema_version": SCHEMA_VERSION, "losses": [loss_to_dict(x) for x in item]}
        return dumps_json(data)


class CsvRenderer(Renderer[Entries]):
    def render(self, item: Entries) -> str:
        return _csv([item] if isinstance(item, Loss) else list(item))


class MarkdownRenderer(Renderer[Entries]):
    def render(self, item: Entries) -> str:
        if isinstance(item, Loss):
            return _detail_markdown(item)
        return _list_markdown(list(item))


class TableCatalogueRenderer(TableRenderer[Entries]):
    def print(self, console: Console, item: Entries) -> None:
        if isinstance(item, Loss):
            console.print(_detail_rich(item))
        else:
            console.print(_list_rich(list(item)))


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


def _list_rich(losses: list[Loss]) -> Table:
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


def _detail_rich(loss: Loss) -> Table:
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


RENDERERS: Renderers[Entries] = {
    Format.table: TableCatalogueRenderer,
    Format.json: JsonRenderer,
    Format.csv: CsvRenderer,
    Format.markdown: MarkdownRenderer,
}
