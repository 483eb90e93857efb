"""Render a `Recommendation` (`losscli recommend`) in every format.

JSON is `Recommendation.to_dict()` (its docstring is the schema); CSV is one row; markdown is
paste-ready; the table is for people, with the `losscli compute` command on a line of its own
so that it can be copied as printed.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from losscli.render import Format, dumps_json
from losscli.render import markdown as md
from losscli.render.base import Renderer, Renderers, TableRenderer, renderer
from losscli.text import plural

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from losscli.advice import Recommendation

_FRAMEWORK_TITLES = {"pytorch": "PyTorch", "keras": "Keras", "sklearn": "scikit-learn"}
CSV_COLUMNS = (
    "task",
    "activation",
    "loss",
    "spec",
    "predictions",
    "from_logits",
    "labels",
    "pytorch",
    "keras",
    "sklearn",
    "alternatives",
    "warnings",
    "measured",
    "compute_command",
)


def show(rec: Recommendation, *, fmt: Format, output: str | None = None) -> None:
    """Write the recommendation to `output` (atomically) or stdout."""
    renderer(RENDERERS, fmt).show(rec, output)


def render(rec: Recommendation, fmt: Format) -> str:
    """The recommendation as json, csv, markdown or plain table text."""
    return renderer(RENDERERS, fmt).render(rec)


class JsonRenderer(Renderer["Recommendation"]):
    def render(self, item: Recommendation) -> str:
        return dumps_json(item.to_dict())


class CsvRenderer(Renderer["Recommendation"]):
    def render(self, item: Recommendation) -> str:
        return to_csv(item)


class MarkdownRenderer(Renderer["Recommendation"]):
    def render(self, item: Recommendation) -> str:
        return to_markdown(item)


class TableRecommendationRenderer(TableRenderer["Recommendation"]):
    def print(self, console: Console, item: Recommendation) -> None:
        console.print(_renderable(item))
        console.print("check it:", style="bold", highlight=False)
        # one unwrapped line, so the command can be copied as printed
        console.print(f"  {item.compute_command}", markup=False, soft_wrap=True, highlight=False)


def _predictions(rec: Recommendation) -> str:
    return "logits (from_logits=True)" if rec.from_logits else rec.predictions


def _inferred_line(rec: Recommendation) -> str:
    info = rec.inferred or {}
    task = f"{info.get('task')}{' (inferred)' if info.get('task_inferred') else ''}"
    parts = [f"task {task}"]
    if info.get("label_layout") and info.get("task") != "regression":
        parts.append(f"labels {info['label_layout']}")
    if info.get("predictions") and info.get("task") != "regression":
        parts.append(f"predictions look like {info['predictions']}")
    rows = plural(int(info.get("rows_used") or 0), "row")
    if info.get("rows_dropped"):
        rows += f" ({info['rows_dropped']} dropped)"
    parts.append(rows)
    return ", ".join(parts)


def to_csv(rec: Recommendation) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        [
            rec.task,
            rec.activation,
            rec.loss,
            rec.spec,
            rec.predictions,
            str(rec.from_logits).lower(),
            rec.labels,
            rec.frameworks["pytorch"],
            rec.frameworks["keras"],
            rec.frameworks["sklearn"],
            " ".join(a.spec() for a in rec.alternatives),
            " | ".join(rec.warnings),
            (rec.measurements or {}).get("summary", ""),
            rec.compute_command,
        ]
    )
    return buffer.getvalue()


def to_markdown(rec: Recommendation) -> str:
    lines = [f"## Recommended loss: {md.code(rec.spec)}", "", md.text(rec.why), ""]
    lines.append(f"- task: {md.text(rec.task)}, last-layer activation: {md.code(rec.activation)}")
    lines.append(f"- labels: {md.text(rec.labels)}")
    lines.append(f"- predictions: {md.text(_predictions(rec))}")
    if rec.inferred:
        lines.append(f"- data: {md.text(_inferred_line(rec))}")
    if rec.measurements:
        lines.append(f"- measured: {md.text(rec.measurements['summary'])}")
    lines += ["", "| framework | equivalent |", "|---|---|"]
    for name, text in rec.frameworks.items():
        lines.append(md.row([md.text(_FRAMEWORK_TITLES[name]), md.cell(text)]))
    if rec.warnings:
        lines += ["", "### Warnings", ""]
        lines += [
            f"> **Warning:** {md.text(w)}" + ("  " if i < len(rec.warnings) - 1 else "")
            for i, w in enumerate(rec.warnings)
        ]
    if rec.alternatives:
        lines += ["", "### Alternatives", ""]
        for alt in rec.alternatives:
            line = f"- {md.code(alt.spec())}: {md.text(alt.when)}"
            if alt.how:
                line += f" ({md.text(alt.how)})"
            lines.append(line)
    lines += ["", "### Check it", "", "```sh", rec.compute_command, "```"]
    return "\n".join(lines)


def _renderable(rec: Recommendation) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(f"Recommended loss: {rec.spec}", style="bold"),
        show_header=False,
        title_justify="left",
        expand=False,
    )
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row("loss", Text(rec.spec, style="bold cyan"))
    table.add_row("why", Text(rec.why))
    table.add_row("labels", Text(rec.labels))
    table.add_row("predictions", Text(_predictions(rec)))
    chosen = rec.hints.get("framework")
    for name, text in rec.frameworks.items():
        style = "bold green" if name == chosen else ""
        table.add_row(Text(_FRAMEWORK_TITLES[name], style=style), Text(text, style=style))
    for i, warning in enumerate(rec.warnings):
        table.add_row(
            Text("warning" if i == 0 else "", style="bold yellow"), Text(warning, style="yellow")
        )
    for i, alt in enumerate(rec.alternatives):
        cell = Text(alt.spec(), style="cyan")
        cell.append(f": {alt.when}")
        if alt.how:
            cell.append(f"\n{alt.how}", style="dim")
        table.add_row("alternatives" if i == 0 else "", cell)
    if rec.inferred:
        table.add_row("data", Text(_inferred_line(rec)))
    if rec.measurements:
        table.add_row("measured", Text(rec.measurements["summary"]))
    return table


RENDERERS: Renderers[Recommendation] = {
    Format.table: TableRecommendationRenderer,
    Format.json: JsonRenderer,
    Format.csv: CsvRenderer,
    Format.markdown: MarkdownRenderer,
}
