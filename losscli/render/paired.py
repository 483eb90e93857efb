"""Render a `PairedResult` (model against model) as a rich table, JSON, CSV or markdown."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from losscli.paired.result import Difference, PairedResult
from losscli.render import Format, dumps_json
from losscli.render import markdown as md
from losscli.render.base import Renderer, Renderers, TableRenderer, renderer
from losscli.render.result import number, params_text

if TYPE_CHECKING:
    from rich.console import Console


def render(result: PairedResult, fmt: Format) -> str:
    """The comparison as text in `fmt` (the table as plain text, for files)."""
    return renderer(RENDERERS, fmt).render(result)


def show(result: PairedResult, fmt: Format, output: str | None = None) -> None:
    """Write the comparison to `output` (atomically) or stdout."""
    renderer(RENDERERS, fmt).show(result, output)


def rule_text(result: PairedResult) -> str:
    """Which rule judged the paired gates, in one sentence."""
    s = result.settings
    gates = len(result.gates)
    if s["gate_on"] == "estimate":
        return "paired gates judged on the point estimate (--gate-on estimate)"
    one_sided = f"one-sided {(1 + s['level']) / 2 * 100:g}% test"
    family = f", Holm-Bonferroni over {gates} gates" if gates > 1 else ""
    return (
        f"paired gates fail only when the change passes the allowance with confidence "
        f"({one_sided}{family}; {_method(result)})"
    )


def _method(result: PairedResult) -> str:
    s = result.settings
    if s["replicates"]:
        return f"paired Poisson bootstrap, {s['replicates']} replicates, seed {s['seed']}"
    return "normal approximation"


def change_text(d: Difference) -> str:
    """'+0.0038 (+2.5%)'."""
    if d.diff is None:
        return "n/a"
    rel = "" if d.rel is None else f" ({d.rel * 100:+.3g}%)"
    return f"{d.diff:+.4g}{rel}"


def interval_text(d: Difference) -> str:
    """The difference's interval, relative where the baseline is not 0: '+0.4% to +4.6%'."""
    if d.rel is not None and (d.rel_ci or d.normal_rel_ci):
        low, high = d.rel_ci or d.normal_rel_ci  # type: ignore[misc]
        return f"{low * 100:+.3g}% to {high * 100:+.3g}%"
    if d.ci or d.normal_ci:
        low, high = d.ci or d.normal_ci  # type: ignore[misc]
        return f"{low:+.4g} to {high:+.4g}"
    return "n/a"


def _group(d: Difference) -> str:
    return "all rows" if d.group is None else ", ".join(f"{k}={v}" for k, v in d.group.items())


def _has_groups(result: PairedResult) -> bool:
    return any(d.group is not None for d in result.differences)


def _level(result: PairedResult) -> str:
    return f"{result.settings['level'] * 100:g}% CI"


def _matching(result: PairedResult) -> str:
    m = result.matching
    how = {
        "position": "by position",
        "column": "two prediction columns of one input",
        "key": f"by key {', '.join(m['keys'])}",
        "key (same order)": f"by key {', '.join(m['keys'])} (same order)",
    }[m["method"]]
    unmatched = m["candidate_only"] + m["baseline_only"]
    extra = f", {unmatched} unmatched rows dropped" if unmatched else ""
    return f"{m['matched']} rows matched {how}{extra}"


class JsonRenderer(Renderer[PairedResult]):
    def render(self, item: PairedResult) -> str:
        return dumps_json(item.to_dict())


class CsvRenderer(Renderer[PairedResult]):
    def render(self, item: PairedResult) -> str:
        return to_csv(item)


class MarkdownRenderer(Renderer[PairedResult]):
    def render(self, item: PairedResult) -> str:
        return to_markdown(item)


class TablePairedRenderer(TableRenderer[PairedResult]):
    def print(self, console: Console, item: PairedResult) -> None:
        for part in tables(item):
            console.print(part)


def to_csv(result: PairedResult) -> str:
    """One row per loss and group: both values, the difference and its intervals."""
    by = result.result.inputs["columns"]["by"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["loss", "name", "params", *by, "rows", "baseline", "candidate", "difference",
         "relative", "ci_low", "ci_high", "relative_ci_low", "relative_ci_high",
         "normal_ci_low", "normal_ci_high", "verdict"]
    )  # fmt: skip
    for d in result.differences:
        group = [("" if d.group is None else d.group.get(c)) for c in by]
        cells: list[Any] = [d.label, d.name, params_text(d.params), *group, d.rows]
        cells += [_repr(x) for x in (d.baseline, d.candidate, d.diff, d.rel)]
        for interval in (d.ci, d.rel_ci, d.normal_ci):
            cells += [_repr(x) for x in (interval or (None, None))]
        writer.writerow([*cells, d.verdict])
    return buffer.getvalue()


def _repr(x: float | None) -> str:
    return "" if x is None else repr(float(x))


_ICON = {"pass": "✅", "fail": "❌", "error": "⚠️"}
_VERDICT_ICON = {"worse": "🔺", "better": "🟢", "no detectable difference": "➖"}


def to_markdown(result: PairedResult) -> str:
    """A pull-request comment: the verdict first, then the table, then how it was judged."""
    gates = result.result.gates
    failed = sum(not g.passed for g in gates)
    if gates:
        head = (
            f"✅ all {len(gates)} gates passed"
            if not failed
            else (f"❌ {failed} of {len(gates)} gates failed")
        )
    else:
        head = "model comparison"
    files = result.result.inputs["files"]
    base = result.settings["baseline_files"]
    lines = [f"### losscli: {head}", ""]
    lines += [
        f"candidate {', '.join(md.code(f) for f in files)} against baseline "
        f"{', '.join(md.code(f) for f in base)}: {md.text(_matching(result))}.",
        "",
    ]
    groups = _has_groups(result)
    header = ["loss", *(["group"] if groups else []), "baseline", "candidate", "change",
              _level(result), "n", "verdict"]  # fmt: skip
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for d in result.differences:
        cells = [md.code(d.label, cell=True), *([md.cell(_group(d))] if groups else [])]
        cells += [number(d.baseline, 4), number(d.candidate, 4), change_text(d)]
        icon = _VERDICT_ICON.get(d.verdict, "⚠️")
        cells += [md.text(interval_text(d)), str(d.rows), f"{icon} {d.verdict}"]
        lines.append(md.row(cells))
    if gates:
        lines += ["", "| gate | status | why |", "|---|---|---|"]
        lines += [
            md.row(
                [md.code(g.gate, cell=True), f"{_ICON[g.status]} {g.status}", md.cell(g.message)]
            )
            for g in gates
        ]
    lines += ["", f"<sub>{rule_text(result) if result.gates else _method(result)}.</sub>"]
    if result.result.warnings:
        lines += ["", *(f"> ⚠️ {md.text(w)}" for w in result.result.warnings)]
    return "\n".join(lines) + "\n"


def tables(result: PairedResult) -> list[Any]:
    """The rich renderables: the comparison, its caption, then the gates."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    t = Table(title="losscli compute: candidate against baseline", title_justify="left")
    groups = _has_groups(result)
    t.add_column("loss", style="bold cyan", no_wrap=True)
    if groups:
        t.add_column("group", min_width=6, overflow="fold")
    for name in ("baseline", "candidate", "change", _level(result), "n"):
        t.add_column(name, justify="right", no_wrap=name != _level(result))
    t.add_column("verdict", min_width=8)
    colours = {"worse": "red", "better": "green"}
    for d in result.differences:
        cells = [escape(d.label), *([escape(_group(d))] if groups else [])]
        change = change_text(d) if d.rel is None else f"{d.rel * 100:+.3g}%"
        cells += [number(d.baseline, 4), number(d.candidate, 4), change]
        cells += [interval_text(d), str(d.rows)]
        colour = colours.get(d.verdict)
        cells.append(f"[{colour}]{d.verdict}[/]" if colour else d.verdict)
        t.add_row(*cells)
    caption = f"{_matching(result)} · {_method(result)}"
    parts: list[Any] = [t, Text(caption, style="dim", overflow="fold")]
    gates = result.result.gates
    if gates:
        g = Table(title="gates", title_justify="left")
        g.add_column("gate", no_wrap=True)
        g.add_column("status")
        g.add_column("why")
        status = {"pass": "green", "fail": "bold red", "error": "bold yellow"}
        for o in gates:
            g.add_row(escape(o.gate), f"[{status[o.status]}]{o.status}[/]", escape(o.message))
        parts.append(g)
        if result.gates:
            parts.append(Text(rule_text(result), style="dim", overflow="fold"))
    return parts


RENDERERS: Renderers[PairedResult] = {
    Format.table: TablePairedRenderer,
    Format.json: JsonRenderer,
    Format.csv: CsvRenderer,
    Format.markdown: MarkdownRenderer,
}
