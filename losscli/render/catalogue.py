"""Render the loss catalogue (`losscli losses`) in every format."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from losscli.errors import UsageError
from losscli.losses import CATALOGUE, TASKS, Loss, get_loss
from losscli.render import Format, dumps_json
from losscli.render import markdown as md
from losscli.render.base import Renderer, Renderers, TableRenderer, renderer
from losscli.result import SCHEMA_VERSION

if TYPE_CHECKING:
    from rich.console import Console, Group
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
            console.print(_list_rich(list(item), console.width))


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
        cells = [md.code(loss.name, cell=True), ", ".join(loss.tasks), md.text(loss.prediction)]
        cells += [loss.growth, md.cell(_params_text(loss) or "-"), md.code(loss.formula, cell=True)]
        lines.append(md.row(cells))
    return "\n".join(lines)


def _detail_markdown(loss: Loss) -> str:
    lines = [f"## {md.text(loss.name)}: {md.text(loss.title)}", "", md.text(loss.summary), ""]
    lines += [md.code(loss.formula), ""]
    lines.append(f"- tasks: {', '.join(loss.tasks)}")
    logits = " or logits" if loss.accepts_logits else ""
    lines.append(f"- prediction: {md.text(loss.prediction)}{logits}")
    lines.append(f"- growth: {loss.growth}")
    for p in loss.params:
        lines.append(
            f"- {md.code(p.name)} = {p.default} in {md.text(p.bounds())}: {md.text(p.doc)}"
        )
    if loss.aliases:
        lines.append(f"- aliases: {md.text(', '.join(loss.aliases))}")
    for lib, text in loss.equivalents.items():
        lines.append(f"- {lib}: {md.text(text)}")
    if loss.choice:
        lines += ["", md.text(loss.choice)]
    return "\n".join(lines)


#: The list's columns, most needed first: at a narrow width the last ones are left out, never cut.
_LIST_COLUMNS: tuple[tuple[str, Callable[[Loss], str]], ...] = (
    ("loss", lambda loss: loss.name),
    ("tasks", lambda loss: ", ".join(loss.tasks)),
    ("parameters", _params_text),
    ("prediction", lambda loss: loss.prediction + (" / logits" if loss.accepts_logits else "")),
    ("growth", lambda loss: loss.growth),
    ("aliases", lambda loss: ", ".join(loss.aliases)),
)


def _longest_word(name: str, losses: Sequence[Loss]) -> int:
    cell = dict(_LIST_COLUMNS)[name]
    return max([len(name), *(len(w) for loss in losses for w in cell(loss).split(" "))])


def list_columns(losses: Sequence[Loss], width: int) -> dict[str, int]:
    """The columns of `_LIST_COLUMNS` that fit in `width` and each one's width, in priority
    order: a column is shown only if its longest word fits (cells wrap at spaces, no word is
    ever cut); the room left widens the shown columns, most needed first."""
    cells = dict(_LIST_COLUMNS)
    shown: dict[str, int] = {}
    used = 1  # the table's left edge
    for name, _ in _LIST_COLUMNS:
        need = _longest_word(name, losses)
        if shown and used + need + 3 > width:  # padding and a rule
            continue
        shown[name] = need
        used += need + 3
    for name in shown:
        natural = max([len(name), *(len(cells[name](loss)) for loss in losses)])
        extra = min(natural - shown[name], max(0, width - used))
        shown[name] += extra
        used += extra
    return shown


def _list_rich(losses: list[Loss], width: int) -> Group:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    widths = list_columns(losses, width)
    cells = dict(_LIST_COLUMNS)
    table = Table(title="losscli loss catalogue", title_justify="left")
    for name, size in widths.items():
        table.add_column(
            name,
            style="bold cyan" if name == "loss" else "dim" if name == "aliases" else None,
            overflow="fold",
            width=size,
        )
    for loss in losses:
        table.add_row(*(Text(cells[name](loss)) for name in widths))
    hidden = [name for name, _ in _LIST_COLUMNS if name not in widths]
    if not hidden:
        return Group(table)
    note = (
        f"not shown at this width: {', '.join(hidden)} "
        "(see 'losscli losses NAME' or --format markdown)"
    )
    return Group(table, Text(note, style="dim"))


def _detail_rich(loss: Loss) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{loss.name}: {loss.title}"), show_header=False, title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")

    def row(key: str, value: str) -> None:
        table.add_row(Text(key), Text(value))

    row("summary", loss.summary)
    row("formula", loss.formula)
    row("tasks", ", ".join(loss.tasks))
    row("prediction", loss.prediction + (" or logits" if loss.accepts_logits else ""))
    row("growth", loss.growth)
    for p in loss.params:
        default = "none" if p.default is None else f"{p.default:g}"
        row(f"param {p.name}", f"{default} in {p.bounds()}: {p.doc}")
    if loss.aliases:
        row("aliases", ", ".join(loss.aliases))
    for lib, text in loss.equivalents.items():
        row(lib, text)
    if loss.choice:
        row("losscli", loss.choice)
    return table


RENDERERS: Renderers[Entries] = {
    Format.table: TableCatalogueRenderer,
    Format.json: JsonRenderer,
    Format.csv: CsvRenderer,
    Format.markdown: MarkdownRenderer,
}
