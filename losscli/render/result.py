"""Render a `ComputeResult` as a rich table, JSON, CSV or markdown."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from losscli.render import Format
from losscli.render.base import Renderer, Renderers, TableRenderer, renderer
from losscli.result import ComputeResult

if TYPE_CHECKING:
    from rich.console import Console, Group, RenderableType


def render(result: ComputeResult, fmt: Format) -> str:
    """The result as text in `fmt` (the table as plain text, for files)."""
    return renderer(RENDERERS, fmt).render(result)


def show(result: ComputeResult, fmt: Format, output: str | None = None) -> None:
    """Write the result to `output` (atomically) or stdout (the table in colour)."""
    renderer(RENDERERS, fmt).show(result, output)


class JsonRenderer(Renderer[ComputeResult]):
    def render(self, item: ComputeResult) -> str:
        from losscli.render import many

        return many.to_json(item)


class CsvRenderer(Renderer[ComputeResult]):
    def render(self, item: ComputeResult) -> str:
        return to_csv(item)


class MarkdownRenderer(Renderer[ComputeResult]):
    def render(self, item: ComputeResult) -> str:
        return to_markdown(item)


class TableResultRenderer(TableRenderer[ComputeResult]):
    def print(self, console: Console, item: ComputeResult) -> None:
        from losscli.render import many

        if many.group_count(item) <= many.MANY:
            console.print(table(item))
            return
        shown, note = many.readable(item)
        console.print(table(shown))
        console.print(note, style="dim", markup=False)


def number(x: float | None, digits: int = 6) -> str:
    return "n/a" if x is None else f"{x:.{digits}g}"


def params_text(params: dict[str, Any]) -> str:
    """'delta=1, alpha=0.9'; switches left at off (0 or none) are not shown."""
    return ", ".join(
        f"{k}={'none' if v is None else f'{v:g}'}" for k, v in params.items() if v not in (None, 0)
    )


def _group_text(group: dict[str, Any] | None) -> str:
    if group is None:
        return "all rows"
    return ", ".join(f"{k}={v}" for k, v in group.items())


def _has_ci(result: ComputeResult) -> bool:
    return any(r.ci is not None for r in result.results)


def _has_groups(result: ComputeResult) -> bool:
    return any(r.group is not None for r in result.results)


def to_csv(result: ComputeResult) -> str:
    from losscli.render import many

    text = many.to_csv(result, params_text)
    if text is not None:
        return text
    by = result.inputs["columns"]["by"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["loss", "name", "params", *by, "value", "ci_low", "ci_high", "rows", "weight_sum"]
    )
    for r in result.results:
        group = [("" if r.group is None else r.group.get(c)) for c in by]
        low, high = r.ci if r.ci else (None, None)
        writer.writerow(
            [
                r.label,
                r.name,
                params_text(r.params),
                *group,
                _repr(r.value),
                _repr(low),
                _repr(high),
                r.rows,
                _repr(r.weight_sum),
            ]
        )
    return buffer.getvalue()


def _repr(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def _status_icon(status: str) -> str:
    return {"pass": "✅", "fail": "❌", "error": "⚠️"}[status]


def to_markdown(result: ComputeResult) -> str:
    """Paste-ready for a pull-request comment or $GITHUB_STEP_SUMMARY."""
    inputs = result.inputs
    lines = []
    if result.gates:
        failed = sum(not g.passed for g in result.gates)
        head = (
            f"✅ all {len(result.gates)} gates passed"
            if not failed
            else f"❌ {failed} of {len(result.gates)} gates failed"
        )
        lines += [f"### losscli: {head}", ""]
    else:
        lines += ["### losscli", ""]
    rows = inputs["rows"]
    lines.append(
        f"{', '.join(f'`{f}`' for f in inputs['files'])}: {inputs['task']}, "
        f"{rows['used']} rows"
        + (f" ({rows['dropped']} dropped)" if rows["dropped"] else "")
        + f", reduction {inputs['reduction']}"
        + (", weighted" if inputs["weighted"] else "")
    )
    lines.append("")
    ci = _has_ci(result)
    groups = _has_groups(result)
    header = ["loss", "params"] + (["group"] if groups else []) + ["value"]
    header += ["95% CI" if not ci else f"{_level(result)} CI"] if ci else []
    header += ["rows"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for r in result.results:
        cells = [f"`{r.label}`", params_text(r.params) or "-"]
        if groups:
            cells.append(_group_text(r.group))
        cells.append(number(r.value))
        if ci:
            cells.append(f"[{number(r.ci[0])}, {number(r.ci[1])}]" if r.ci else "-")
        cells.append(str(r.rows))
        lines.append("| " + " | ".join(cells) + " |")
    if result.gates:
        lines += ["", "| gate | status | detail |", "|---|---|---|"]
        for g in result.gates:
            lines.append(f"| `{g.gate}` | {_status_icon(g.status)} {g.status} | {g.message} |")
    if result.warnings:
        lines.append("")
        lines += [f"> ⚠️ {w}" for w in result.warnings]
    return "\n".join(lines)


def _level(result: ComputeResult) -> str:
    level = next((r.ci_level for r in result.results if r.ci_level), 0.95)
    return f"{level * 100:g}%"


def table(result: ComputeResult) -> Group:
    """A rich renderable: results, then gates."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    inputs = result.inputs
    rows = inputs["rows"]
    caption = (
        f"{', '.join(inputs['files'])} · {inputs['task']} · {rows['used']} rows"
        + (f" ({rows['dropped']} dropped)" if rows["dropped"] else "")
        + (" · weighted" if inputs["weighted"] else "")
        + f" · {inputs['reduction']}"
    )
    t = Table(title="losscli compute", title_justify="left")
    groups = _has_groups(result)
    ci = _has_ci(result)
    t.add_column("loss", style="bold cyan", no_wrap=True)
    t.add_column("params")
    if groups:
        t.add_column("group")
    t.add_column("value", justify="right", no_wrap=True)
    if ci:
        t.add_column(f"{_level(result)} CI", justify="right", no_wrap=True)
    t.add_column("rows", justify="right")
    for r in result.results:
        cells = [escape(r.label), escape(params_text(r.params))]
        if groups:
            cells.append(escape(_group_text(r.group)))
        cells.append(number(r.value))
        if ci:
            cells.append(escape(f"[{number(r.ci[0], 4)}, {number(r.ci[1], 4)}]") if r.ci else "")
        cells.append(str(r.rows))
        t.add_row(*cells, style=None if r.group is None else "dim" if groups else None)
    from rich.text import Text

    parts: list[RenderableType] = [t, Text(caption, style="dim", overflow="fold")]
    if not result.gates:
        return Group(*parts)
    g = Table(title="gates", title_justify="left")
    g.add_column("gate", no_wrap=True)
    g.add_column("status")
    g.add_column("detail")
    colours = {"pass": "green", "fail": "bold red", "error": "bold yellow"}
    for o in result.gates:
        g.add_row(escape(o.gate), f"[{colours[o.status]}]{o.status}[/]", escape(o.message))
    return Group(*parts, g)


RENDERERS: Renderers[ComputeResult] = {
    Format.table: TableResultRenderer,
    Format.json: JsonRenderer,
    Format.csv: CsvRenderer,
    Format.markdown: MarkdownRenderer,
}
