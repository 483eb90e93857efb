"""`losscli compute FILE...`: evaluate losses on prediction files, with optional CI gates."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from losscli.cli.common import (
    ByOpt,
    DebugOpt,
    FormatOpt,
    InputFormatOpt,
    JsonOpt,
    LogitsOpt,
    NanOpt,
    OutputOpt,
    PositiveOpt,
    PredOpt,
    QuietOpt,
    TaskOpt,
    TrueOpt,
    WeightOpt,
    note,
    reporting,
    resolve_format,
    stderr_console,
    warn,
)
from losscli.render import Format

if TYPE_CHECKING:
    from rich.progress import Progress

    from losscli.result import ComputeResult

HELP = """Evaluate losses on the y_true / y_pred columns of prediction files.

FILE is CSV, TSV, CSV.gz, Parquet (a file, a directory or a glob), Feather/Arrow or JSON Lines;
- reads CSV from stdin. Several files are one data set.

Examples:

  losscli compute preds.csv --loss mse,mae,huber:delta=2.5

  losscli compute preds.parquet --pred 'p_*' --true label --loss cross_entropy

  losscli compute preds.parquet --loss huber --max huber=0.3 --json

  losscli compute new.parquet --baseline old.json --max-increase bce=5%

  losscli compute preds.csv --by region --bootstrap 1000 --seed 1 --format markdown

Exit codes: 0 done and every gate passed, 1 a gate failed, 2 usage or input error, 3 internal
error.
"""

LossOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--loss",
        "-l",
        help="NAME[:param=value,...], repeatable or comma-separated (see 'losscli losses'); "
        "default: the usual set for the task.",
    ),
]


def compute_command(
    files: Annotated[
        list[str], typer.Argument(metavar="FILE", help="Prediction files; - for stdin.")
    ],
    loss: LossOpt = None,
    true: TrueOpt = None,
    pred: PredOpt = None,
    weight: WeightOpt = None,
    by: ByOpt = None,
    task: TaskOpt = None,
    positive: PositiveOpt = None,
    from_logits: LogitsOpt = None,
    input_format: InputFormatOpt = None,
    nan: NanOpt = "error",
    eps: Annotated[
        float, typer.Option("--eps", help="Clip probabilities to [eps, 1 - eps].")
    ] = 1e-7,
    reduction: Annotated[
        str, typer.Option("--reduction", help="mean (weighted: sum w*l / sum w) or sum.")
    ] = "mean",
    per_row: Annotated[
        str | None,
        typer.Option("--per-row", help="Write each row's loss to FILE (.csv, .tsv or .parquet)."),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(
            "--key", help="Key column(s) for --per-row (default: id-like columns and --by)."
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap replicates for a confidence interval.")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    ci: Annotated[float, typer.Option("--ci", help="Confidence level of the interval.")] = 0.95,
    max_: Annotated[
        list[str] | None,
        typer.Option(
            "--max",
            help="Gate: fail (exit 1) if LOSS > VALUE. LOSS=VALUE, repeatable; LOSS names one "
            "computed loss by its label (huber, 'huber(delta=2)').",
        ),
    ] = None,
    min_: Annotated[
        list[str] | None,
        typer.Option("--min", help="Gate: fail if LOSS < VALUE. LOSS=VALUE, repeatable."),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="compute --json of an earlier run, for --max-increase; refused if its schema, "
            "task, reduction, weighting or the gated loss's parameters differ.",
        ),
    ] = None,
    max_increase: Annotated[
        list[str] | None,
        typer.Option(
            "--max-increase",
            help="Gate: fail if LOSS grew by more than VALUE (absolute) or VALUE% over --baseline.",
        ),
    ] = None,
    gate: Annotated[
        str,
        typer.Option("--gate", help="With --by: gates hold for 'all' groups or 'overall' only."),
    ] = "all",
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="SCHEDULER",
            help="Run on Dask, one task per Parquet file: threads, processes, or a scheduler "
            "address (tcp://host:8786). Needs pip install 'losscli[dask]'.",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_flag: JsonOpt = False,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    with reporting(debug):
        prefer_jemalloc()
        from losscli.gates import load_baseline, parse_gates
        from losscli.render.result import show

        fmt = resolve_format(fmt, json_flag)
        gates = parse_gates(max_ or [], min_ or [], max_increase or [])
        old = load_baseline(baseline) if baseline else None
        options = {
            "losses": loss,
            "true": true,
            "pred": pred,
            "weight": weight,
            "by": by,
            "task": task,
            "positive": positive,
            "from_logits": from_logits,
            "nan": nan,
            "eps": eps,
            "reduction": reduction,
            "bootstrap": bootstrap,
            "seed": seed,
            "ci": ci,
            "gates": gates,
            "baseline": old,
            "gate_scope": gate,
        }
        if dask is not None:
            result = _on_dask(dask, files, per_row=per_row, input_format=input_format, **options)
        else:
            result = _local(
                quiet, files, input_format=input_format, per_row=per_row, keys=key, **options
            )
        for message in result.notes:
            note(message, quiet)
        for message in result.warnings:
            warn(message, quiet)
        show(result, fmt, output)
        if result.gates:
            _summary(result, quiet)
        if not result.passed:
            raise typer.Exit(1)


def _local(quiet: bool, files: list[str], **options: Any) -> ComputeResult:
    from losscli import compute

    with _progress(quiet) as progress:
        result: ComputeResult = compute(files, progress=progress, **options)
    return result


def _on_dask(
    scheduler: str,
    files: list[str],
    *,
    per_row: str | None,
    input_format: str | None,
    **options: Any,
) -> ComputeResult:
    from losscli.errors import UsageError
    from losscli.evaluate import compute_dask

    if per_row:
        raise UsageError("--per-row is not available with --dask")
    if input_format not in (None, "parquet", "pq"):
        raise UsageError("--dask reads Parquet files, directories or globs")
    return compute_dask(files, scheduler=scheduler, **options)


def prefer_jemalloc() -> None:
    """Arrow's jemalloc pool: lower peak memory and faster CSV parsing than its default here.

    Set before pyarrow is imported (the pool is chosen then), on Linux, where pyarrow's wheels
    build it; ARROW_DEFAULT_MEMORY_POOL set by the user wins.
    """
    if "pyarrow" not in sys.modules and sys.platform.startswith("linux"):
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")


def _summary(result: ComputeResult, quiet: bool) -> None:
    failed = [g for g in result.gates if not g.passed]
    console = stderr_console()
    if not failed:
        if not quiet:
            console.print(f"[green]passed:[/green] all {len(result.gates)} gates")
        return
    # a failed gate is reported even under --quiet: it is why the exit code is 1
    first = failed[0]
    more = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
    from rich.markup import escape

    console.print(
        f"[bold red]failed:[/bold red] {len(failed)} of {len(result.gates)} gates: "
        f"{escape(first.message)}{more}",
        highlight=False,
    )


class _progress:
    """Rows read, on stderr, only on a terminal and never with --quiet: a bar when the total is
    known (Parquet), a counter otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar: Progress | None = None

    def __enter__(self) -> Callable[[int, int | None], None] | None:
        if not self.enabled:
            return None
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        bar = self.bar = Progress(
            SpinnerColumn(),
            TextColumn("reading {task.completed:,} rows"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=stderr_console(),
            transient=True,
        )
        bar.start()
        task = bar.add_task("read", total=None)

        def advance(rows: int, total: int | None) -> None:
            bar.update(task, advance=rows, total=total)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(app: typer.Typer) -> None:
    app.command("compute", help=HELP)(compute_command)
