"""Render a `ComputeResult` as a rich table, JSON, CSV or markdown."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from losscli.render import Format
from losscli.render import markdown as md
from losscli.render.base import Renderer, Renderers, TableRenderer, renderer
from losscli.result import ComputeResult
from losscli.text import plural
from losscli.write import emit_pieces

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

    def show(self, item: ComputeResult, output: str | None = None) -> None:
        from losscli.render import many

        emit_pieces(many.json_pieces(item), output)


class CsvRenderer(Renderer[ComputeResult]):
    def render(self, item: ComputeResult) -> str:
        from losscli.render import many

        return many.joined(many.csv_pieces(item))

    def show(self, item: ComputeResult, output: str | None = None) -> None:
        from losscli.render import many

        emit_pieces(many.csv_pieces(item), output)


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


#: The columns of a result row that are not group columns (CSV header order).
RESULT_COLUMNS = ("scope", "loss", "name", "params", "value", "ci_low", "ci_high", "rows")


def group_columns(by: list[str]) -> dict[str, str]:
    """Each --by column's header (CSV, markdown, table): its name, or `by_NAME` when the name is
    one of the result columns (`--by value` would otherwise write `value` twice)."""
    reserved = {*RESULT_COLUMNS, "weight_sum"}
    out: dict[str, str] = {}
    for column in by:
        header = column
        while header in reserved or header in out.values():
            header = f"by_{header}"
        out[column] = header
    return out


def to_csv(result: ComputeResult) -> str:
    """One row per loss and group. `scope` is `overall` (every row; group cells empty) or `group`
    (its group cells hold the group's values, an empty string included); full precision."""
    by = result.inputs["columns"]["by"] or []
    headers = group_columns(by)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*RESULT_COLUMNS[:4], *headers.values(), *RESULT_COLUMNS[4:], "weight_sum"])
    for r in result.results:
        group = [("" if r.group is None else _csv_cell(r.group.get(c))) for c in by]
        low, high = r.ci if r.ci else (None, None)
        writer.writerow(
            [
                "overall" if r.group is None else "group",
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


def _csv_cell(value: Any) -> Any:
    return "" if value is None else value


def _repr(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def _status_icon(status: str) -> str:
    return {"pass": "✅", "fail": "❌", "error": "⚠️"}[status]


def to_markdown(result: ComputeResult) -> str:
    """Paste-ready for a pull-request comment or $GITHUB_STEP_SUMMARY: every cell escaped, one
    column per --by column; the overall row's group cells read *all rows* (emphasis, which no
    escaped group value can produce)."""
    lines = [_markdown_head(result), "", _markdown_inputs(result), ""]
    lines += _markdown_results(result)
    if result.gates:
        lines += ["", "| gate | status | detail |", "|---|---|---|"]
        for g in result.gates:
            icon = f"{_status_icon(g.status)} {g.status}"
            lines.append(md.row([md.code(g.gate, cell=True), icon, md.cell(g.message)]))
    if result.warnings:
        lines.append("")
        lines += [f"> ⚠️ {md.text(w)}" for w in result.warnings]
    return "\n".join(lines)


def _markdown_head(result: ComputeResult) -> str:
    if not result.gates:
        return "### losscli"
    failed = sum(not g.passed for g in result.gates)
    total = len(result.gates)
    if not failed:
        return f"### losscli: ✅ all {plural(total, 'gate')} passed"
    return f"### losscli: ❌ {failed} of {total} gates failed"


def _markdown_inputs(result: ComputeResult) -> str:
    inputs = result.inputs
    rows = inputs["rows"]
    return (
        f"{', '.join(md.code(f) for f in inputs['files'])}: {md.text(inputs['task'])}, "
        f"{plural(rows['used'], 'row')}"
        + (f" ({rows['dropped']:,} dropped)" if rows["dropped"] else "")
        + f", reduction {inputs['reduction']}"
        + (", weighted" if inputs["weighted"] else "")
    )


def _markdown_results(result: ComputeResult) -> list[str]:
    by = (result.inputs["columns"]["by"] or []) if _has_groups(result) else []
    ci = _has_ci(result)
    header = ["loss", "params", *(md.text(h) for h in group_columns(by).values()), "value"]
    header += [f"{_level(result)} CI"] if ci else []
    header += ["rows"]
    lines = [md.row(header), "|" + "---|" * len(header)]
    for r in result.results:
        cells = [md.code(r.label, cell=True), md.cell(params_text(r.params) or "-")]
        for c in by:
            cells.append("*all rows*" if r.group is None else md.cell(_csv_cell(r.group.get(c))))
        cells.append(number(r.value))
        if ci:
            cells.append(md.text(f"[{number(r.ci[0])}, {number(r.ci[1])}]") if r.ci else "-")
        cells.append(f"{r.rows:,}")
        lines.append(md.row(cells))
    return lines


def _level(result: ComputeResult) -> str:
    level = next((r.ci_level for r in result.results if r.ci_level), 0.95)
    return f"{level * 100:g}%"


def table(result: ComputeResult) -> Group:
    """A rich renderable: results (one column per --by column), then gates; every value is a
    `Text`, never markup."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    inputs = result.inputs
    rows = inputs["rows"]
    caption = (
        f"{', '.join(inputs['files'])} · {inputs['task']} · {plural(rows['used'], 'row')}"
        + (f" ({rows['dropped']:,} dropped)" if rows["dropped"] else "")
        + (" · weighted" if inputs["weighted"] else "")
        + f" · {inputs['reduction']}"
    )
    t = Table(title="losscli compute", title_justify="left")
    by = (inputs["columns"]["by"] or []) if _has_groups(result) else []
    ci = _has_ci(result)
    t.add_column("loss", style="bold cyan", no_wrap=True)
    t.add_column("params", overflow="fold")
    for header in group_columns(by).values():
        t.add_column(Text(header), overflow="fold")
    t.add_column("value", justify="right", no_wrap=True)
    if ci:
        t.add_column(f"{_level(result)} CI", justify="right", no_wrap=True)
    t.add_column("rows", justify="right", no_wrap=True)
    for r in result.results:
        cells = [Text(r.label), Text(params_text(r.params))]
        for c in by:
            cells.append(
                Text("all rows", style="italic")
                if r.group is None
                else Text(str(_csv_cell(r.group.get(c))))
            )
        cells.append(Text(number(r.value)))
        if ci:
            cells.append(Text(f"[{number(r.ci[0], 4)}, {number(r.ci[1], 4)}]" if r.ci else ""))
        cells.append(Text(f"{r.rows:,}"))
        t.add_row(*cells, style="dim" if r.group is not None else None)
    parts: list[RenderableType] = [t, Text(caption, style="dim", overflow="fold")]
    if not result.gates:
        return Group(*parts)
    g = Table(title="gates", title_justify="left")
    g.add_column("gate", no_wrap=True)
    g.add_column("status")
    g.add_column("detail", overflow="fold")
    colours = {"pass": "green", "fail": "bold red", "error": "bold yellow"}
    for o in result.gates:
        g.add_row(Text(o.gate), Text(o.status, style=colours[o.status]), Text(o.message))
    return Group(*parts, g)


RENDERERS: Renderers[ComputeResult] = {
    Format.table: TableResultRenderer,
    Format.json: JsonRenderer,
    Format.csv: CsvRenderer,
    Format.markdown: MarkdownRenderer,
}
