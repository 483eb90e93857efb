"""Render a `Comparison` (`losscli compare`) in every format: table, json, csv, markdown."""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING, Any

from losscli.render import Format, dumps_json
from losscli.render import markdown as md
from losscli.render.base import Renderer, Renderers, TableRenderer, renderer
from losscli.text import plural

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from losscli.sensitivity import Comparison, LossFigures

#: Width of the sensitivity bar, in terminal cells.
BAR_WIDTH = 24
_EIGHTHS = " ▏▎▍▌▋▊▉"


def show(comparison: Comparison, *, fmt: Format, output: str | None = None) -> None:
    """Write the comparison to `output` (atomically) or stdout in format `fmt`."""
    renderer(RENDERERS, fmt).show(comparison, output)


def render(comparison: Comparison, fmt: Format) -> str:
    """The comparison as text in `fmt` (the table as plain text, for files)."""
    return renderer(RENDERERS, fmt).render(comparison)


class JsonRenderer(Renderer["Comparison"]):
    def render(self, item: Comparison) -> str:
        return dumps_json(item.to_dict())


class CsvRenderer(Renderer["Comparison"]):
    def render(self, item: Comparison) -> str:
        return to_csv(item)


class MarkdownRenderer(Renderer["Comparison"]):
    def render(self, item: Comparison) -> str:
        return to_markdown(item)


class TableComparisonRenderer(TableRenderer["Comparison"]):
    """The table as wide as the console, then the verdict."""

    def print(self, console: Console, item: Comparison) -> None:
        from rich.text import Text

        console.print(table(item, console.width))
        for line in item.explanations:
            console.print(Text(f"why: {line}", style="dim"))
        _print_verdict(console, item)


def _number(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "inf"
    return f"{x:.4g}"


def _times(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf"
    return f"{x:.2f}×"


def _share(x: float) -> str:
    return f"{100.0 * x:.1f}%"


def _error(f: LossFigures, name: str, percent: bool = False) -> str:
    """' ±SE' of a figure taken on a sample (two significant digits); '' without a sample."""
    se = None if f.se is None else f.se.get(name)
    if f.se is None:
        return ""
    if se is None:
        return " ±n/a"
    value, floor, unit = (100 * se, 0.01, "%") if percent else (se, 0.001, "")
    return f" ±{value:.1g}{unit}" if value >= floor else f" ±<{floor:g}{unit}"


def _percent(x: float) -> str:
    v = 100.0 * x
    return f"{v:g}%"


def bar(ratio: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A bar of up to `width` cells, ln(ratio) / ln(largest) of it full (ratios multiply)."""
    if math.isnan(ratio) or ratio <= 1.0:
        return ""
    if not math.isfinite(ratio) or largest <= 1.0:
        return "█" * width
    eighths = round(width * 8 * min(1.0, math.log(ratio) / math.log(largest)))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _largest(comparison: Comparison) -> float:
    finite = [f.contamination_ratio for f in comparison.figures]
    finite = [r for r in finite if math.isfinite(r)]
    return max(finite, default=1.0)


def _rows(n: int) -> str:
    return plural(n, "row")


def setup_line(comparison: Comparison) -> str:
    """How the figures were taken: seed, top, contamination, magnitude."""
    c = comparison
    if c.task == "regression":
        how = (
            f"gross errors of ±{c.magnitude:g} robust SD (s = {c.robust_scale:.4g}) "
            f"added to {_rows(c.contaminated_rows)} ({_percent(c.contamination)})"
        )
    else:
        flipped = "moved to another class" if c.task == "multiclass" else "flipped"
        how = f"labels of {_rows(c.contaminated_rows)} ({_percent(c.contamination)}) {flipped}"
    removed = f"the worst {_rows(c.trimmed_rows - c.gross_rows)}"
    if c.gross_rows:
        removed += (
            f" and {_rows(c.gross_rows)} already beyond ±{c.magnitude:g} robust SD (they would "
            "mask the effect)"
        )
    return (
        f"seed {c.seed}; top {_percent(c.top)} = the worst rows; contamination: {how}, "
        f"after removing {removed}"
    )


# ---------------------------------------------------------------------------------------------
# table (rich)


def _cells(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    headers = [
        "#",
        "loss",
        "growth",
        "value",
        f"top {_percent(comparison.top)}\nshare",
        "inflation",
    ]
    rows = [
        [
            str(f.rank),
            f.label,
            f.growth,
            _number(f.value),
            _share(f.top_share) + _error(f, "top_share", percent=True),
            _times(f.inflation) + _error(f, "inflation"),
        ]
        for f in comparison.figures
    ]
    return headers, rows


def table(comparison: Comparison, width: int = 100) -> Table:
    """The rich table: rank, loss, growth, value, top share, inflation, and the contamination
    ratio with a bar scaled to the largest ratio, the bar as wide as `width` allows."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    c = comparison
    headers, rows = _cells(c)
    ratios = [_times(f.contamination_ratio) + _error(f, "contamination_ratio") for f in c.figures]
    ratio_width = max((len(r) for r in ratios), default=5)

    def room() -> int:
        used = sum(
            max([len(line) for line in h.split("\n")] + [len(row[i]) for row in rows])
            for i, h in enumerate(headers)
        )
        return width - used - 3 * len(headers)

    if room() < ratio_width + 4:  # a narrow terminal: the growth class goes first
        drop = headers.index("growth")
        headers = headers[:drop] + headers[drop + 1 :]
        rows = [row[:drop] + row[drop + 1 :] for row in rows]
    available = room()
    bar_width = max(3, min(BAR_WIDTH, available - ratio_width - 1))
    grid = Table(
        title=f"losscli compare: outlier sensitivity, {c.task}",
        title_justify="left",
        caption=f"{c.description}\n{setup_line(c)}",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for header in headers:
        grid.add_column(
            header,
            justify="left" if header in ("loss", "growth") else "right",
            no_wrap=True,
            style="bold cyan" if header == "loss" else None,
        )
    grid.add_column("contam.\nratio" if available < 13 else "contamination\nratio", no_wrap=True)
    largest = _largest(c)
    for f, cells, ratio in zip(c.figures, rows, ratios, strict=True):
        r = f.contamination_ratio
        weight = math.log(r) / math.log(largest) if largest > 1 and 1 < r < math.inf else 0.0
        style = "red" if weight >= 2 / 3 else "yellow" if weight >= 1 / 3 else "green"
        cell = Text(ratio.rjust(ratio_width) + " ")
        cell.append(bar(f.contamination_ratio, largest, bar_width), style=style)
        grid.add_row(*(Text(c) for c in cells), cell)  # values, never markup
    return grid


def _print_verdict(console: Console, comparison: Comparison) -> None:
    from rich.text import Text

    v = comparison.verdict
    text = Text()
    text.append("verdict: ", style="bold")
    text.append(v.summary, style="bold red" if v.heavy_tails else "")
    console.print(text)
    if v.compute_command:
        # not wrapped, so that the command survives a copy and paste
        console.print(Text("  try: ", style="dim") + Text(v.compute_command), soft_wrap=True)


# ---------------------------------------------------------------------------------------------
# csv, markdown


def _csv_number(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return ""
    return x


def _params(params: dict[str, Any]) -> str:
    return ";".join(f"{k}={'none' if v is None else f'{v:g}'}" for k, v in params.items())


#: The figures a sample gives with a standard error (CSV: a `NAME_se` column each).
_SAMPLED = ("top_share", "inflation", "contamination_ratio")


def to_csv(comparison: Comparison) -> str:
    """One row per compared loss, most sensitive first; with a sample, the standard errors in
    three more columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "rank",
            "loss",
            "label",
            "params",
            "growth",
            "value",
            "top_share",
            "inflation",
            "contamination_ratio",
        ]
        + ([f"{name}_se" for name in _SAMPLED] if comparison.sample is not None else [])
    )
    sampled = comparison.sample is not None
    for f in comparison.figures:
        errors = [(f.se or {}).get(name) for name in _SAMPLED] if sampled else []
        writer.writerow(
            [
                f.rank,
                f.spec.name,
                f.label,
                _params(f.spec.params),
                f.growth,
                *(
                    _csv_number(x)
                    for x in (f.value, f.top_share, f.inflation, f.contamination_ratio)
                ),
                *("" if x is None else _csv_number(x) for x in errors),
            ]
        )
    return buffer.getvalue()


def to_markdown(comparison: Comparison) -> str:
    """A table for a pull-request comment or a CI step summary, with the verdict under it."""
    c = comparison
    lines = [
        f"### losscli compare: outlier sensitivity, {c.task}",
        "",
        f"{md.text(c.description)}. {md.text(setup_line(c))}.",
        "",
        f"| rank | loss | growth | value | top {_percent(c.top)} share | inflation "
        "| contamination ratio |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for f in c.figures:
        lines.append(
            f"| {f.rank} | {md.code(f.label, cell=True)} | {f.growth} | {_number(f.value)} | "
            f"{_share(f.top_share)}{_error(f, 'top_share', percent=True)} | "
            f"{_times(f.inflation)}{_error(f, 'inflation')} | "
            f"{_times(f.contamination_ratio)}{_error(f, 'contamination_ratio')} |"
        )
    if c.explanations:
        lines += [""] + [f"- {md.text(line)}" for line in c.explanations]
    v = c.verdict
    lines += ["", f"**Verdict:** {md.text(v.summary)}."]
    if v.compute_command:
        lines += ["", md.code(v.compute_command)]
    if c.skipped:
        skipped = "; ".join(f"{md.code(name)} ({md.text(reason)})" for name, reason in c.skipped)
        lines += ["", f"Not compared: {skipped}."]
    return "\n".join(lines)


RENDERERS: Renderers[Comparison] = {
    Format.table: TableComparisonRenderer,
    Format.json: JsonRenderer,
    Format.csv: CsvRenderer,
    Format.markdown: MarkdownRenderer,
}
