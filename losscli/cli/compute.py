"""`losscli compute FILE...`: evaluate losses on prediction files, with optional CI gates."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from losscli.cli.common import (
    ByOpt,
    ClassesOpt,
    DebugOpt,
    DelimiterOpt,
    FormatOpt,
    InputFormatOpt,
    JsonOpt,
    LogitsOpt,
    NamedCommand,
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
    stderr_line,
    warn,
)
from losscli.cli.complete import complete_column, complete_loss
from losscli.cli.memory import tune_memory
from losscli.errors import LosscliError
from losscli.render import Format
from losscli.text import plural
from losscli.write import emit

if TYPE_CHECKING:
    from rich.progress import Progress

    from losscli.result import ComputeResult

HELP = """Evaluate losses on the y_true / y_pred columns of prediction files.

FILE is CSV, TSV, CSV.gz, Parquet (a file, a directory or a glob), Feather/Arrow or JSON Lines;
- reads CSV from stdin (streamed; Parquet on stdin, with --input-format, is read whole first,
as it needs seeking). Several files are one data set. FILE may be a URI (s3://bucket/preds/,
gs://..., file://...), with the store's usual credentials from the environment.

Examples:

\b
  losscli compute preds.csv --loss mse,mae,huber:delta=2.5
  losscli compute preds.parquet --pred 'p_*' --true label --loss cross_entropy
  losscli compute preds.parquet --loss huber --max huber=0.3 --json
  losscli compute new.parquet --baseline old.json --max-increase bce=5%
  losscli compute new.csv --baseline old.csv --key id --max-increase bce=1% --format markdown
  losscli compute preds.csv --by region --bootstrap 1000 --seed 1 --format markdown

Exit codes: 0 done and every gate passed, 1 a gate failed, 2 usage or input error, 3 internal
error; 130, 143, 129 interrupted (Ctrl-C, SIGTERM, SIGHUP).
"""

LossOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--loss",
        "-l",
        metavar="LOSS[:PARAM=V]",
        autocompletion=complete_loss,
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
    classes: ClassesOpt = None,
    from_logits: LogitsOpt = None,
    input_format: InputFormatOpt = None,
    delimiter: DelimiterOpt = None,
    nan: NanOpt = "error",
    eps: Annotated[
        float, typer.Option("--eps", metavar="EPS", help="Clip probabilities to [eps, 1 - eps].")
    ] = 1e-7,
    reduction: Annotated[
        str,
        typer.Option(
            "--reduction", metavar="mean|sum", help="mean (weighted: sum w*l / sum w) or sum."
        ),
    ] = "mean",
    per_row: Annotated[
        str | None,
        typer.Option(
            "--per-row",
            metavar="FILE",
            help="Write each row's loss to FILE (.csv, .tsv or .parquet).",
        ),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(
            "--key",
            metavar="COL",
            autocompletion=complete_column,
            help="Key column(s): match a paired baseline's rows, and name rows in --per-row "
            "(default there: id-like columns and --by).",
        ),
    ] = None,
    bootstrap: Annotated[
        int | None,
        typer.Option(
            "--bootstrap",
            metavar="N",
            help="Bootstrap replicates for a confidence interval (default: none; with a paired "
            "baseline 400 or more, 0 for the normal approximation only).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="INT", help="Seed of the bootstrap.")] = 0,
    ci: Annotated[
        float, typer.Option("--ci", metavar="LEVEL", help="Confidence level of the interval.")
    ] = 0.95,
    max_: Annotated[
        list[str] | None,
        typer.Option(
            "--max",
            metavar="LOSS=VALUE",
            help="Gate: fail (exit 1) if LOSS > VALUE. LOSS=VALUE, repeatable; LOSS names one "
            "computed loss by its label (huber, 'huber(delta=2)').",
        ),
    ] = None,
    min_: Annotated[
        list[str] | None,
        typer.Option(
            "--min",
            metavar="LOSS=VALUE",
            help="Gate: fail if LOSS < VALUE. LOSS=VALUE, repeatable.",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="An earlier run's compute --json (a .json file; refused if its schema, task, "
            "reduction, weighting or the gated loss's parameters differ), or the baseline "
            "model's predictions (any input compute reads) for a paired comparison with "
            "confidence intervals.",
        ),
    ] = None,
    baseline_pred: Annotated[
        list[str] | None,
        typer.Option(
            "--baseline-pred",
            metavar="COL",
            autocompletion=complete_column,
            help="Paired baseline from the same input: the baseline model's prediction column(s).",
        ),
    ] = None,
    unmatched: Annotated[
        str,
        typer.Option(
            "--unmatched",
            metavar="error|drop",
            help="Paired baseline: rows on one side only are an 'error', or 'drop' them.",
        ),
    ] = "error",
    max_increase: Annotated[
        list[str] | None,
        typer.Option(
            "--max-increase",
            metavar="LOSS=VALUE[%]",
            help="Gate: fail if LOSS grew by more than VALUE (absolute) or VALUE% over "
            "--baseline (paired: with confidence --ci).",
        ),
    ] = None,
    min_decrease: Annotated[
        list[str] | None,
        typer.Option(
            "--min-decrease",
            metavar="LOSS=VALUE[%]",
            help="Gate: fail unless LOSS fell by at least VALUE (absolute) or VALUE% below "
            "--baseline (paired: with confidence --ci).",
        ),
    ] = None,
    gate_on: Annotated[
        str,
        typer.Option(
            "--gate-on",
            metavar="interval|estimate",
            help="Paired gates: 'interval' (fail only when the change passes the allowance "
            "with confidence --ci, Holm-adjusted) or 'estimate' (the point estimate).",
        ),
    ] = "interval",
    gate: Annotated[
        str,
        typer.Option(
            "--gate",
            metavar="all|overall",
            help="With --by: gates hold for 'all' groups or 'overall' only.",
        ),
    ] = "all",
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="SCHEDULER",
            help="Run on Dask, one task per Parquet file: threads, processes, sync, or a "
            "scheduler address (tcp://host:8786); files as paths the workers share, or URIs "
            "(s3://, gs://). Needs pip install 'losscli[dask]'.",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="With --dask ADDRESS: seconds to connect, for a worker to join, and to go on "
            "without any worker before giving up (exit 2).",
        ),
    ] = 30.0,
    per_label: Annotated[
        bool,
        typer.Option(
            "--per-label",
            help="Multi-label: also each loss on each label column on its own, labelled "
            "LOSS[LABEL] (JSON adds 'target').",
        ),
    ] = False,
    summary: Annotated[
        str | None,
        typer.Option(
            "--summary",
            metavar="FILE.md",
            help="Also write the markdown summary to FILE.md (atomically), whatever --format: "
            "written when a gate fails too, and as the error when the run cannot finish.",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_flag: JsonOpt = False,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """The options' declarations make this command long; its body gathers them once (the
    input options and the run options both paths share), then runs `compare_models` for a
    paired baseline or `compute` (here or on Dask) for everything else."""
    with (
        reporting(debug, inputs=[*files, baseline], outputs=[output, per_row, summary]),
        summary_of_errors(summary),
    ):
        tune_memory()
        from losscli.errors import UsageError
        from losscli.evaluate import compute
        from losscli.gates import load_baseline, parse_gates
        from losscli.render.result import show

        fmt = resolve_format(fmt, json_flag)
        gates = parse_gates(max_ or [], min_ or [], max_increase or [], min_decrease or [])
        # the options both paths share: what to read (an InputSpec) and how to compute
        options: dict[str, Any] = {
            "true": true, "pred": pred, "weight": weight, "by": by, "keys": key, "task": task,
            "positive": positive, "classes": classes, "from_logits": from_logits,
            "input_format": input_format, "delimiter": delimiter, "nan": nan,
            "losses": loss, "eps": eps, "reduction": reduction, "seed": seed, "ci": ci,
            "gates": gates, "gate_scope": gate, "per_row": per_row,
        }  # fmt: skip
        if baseline_pred or (baseline and not is_json_baseline(baseline)):
            if dask is not None:
                raise UsageError("a paired baseline is not available with --dask")
            if per_label:
                raise UsageError("--per-label is not available with a paired baseline")
            paired = {"baseline_pred": baseline_pred, "unmatched": unmatched, "gate_on": gate_on}
            _paired(files, baseline, fmt, (output, summary), quiet, **paired, **options, **{
                "bootstrap": bootstrap,
            })  # fmt: skip
            return
        _paired_only(gate_on, unmatched)
        old = load_baseline(baseline) if baseline else None
        if old is not None:
            import gc

            gc.freeze()  # the baseline lives to the end: later collections need not walk it
        with _progress(quiet or dask is not None) as progress:
            result = compute(
                files,
                bootstrap=bootstrap or 0,
                baseline=old,
                per_label=per_label,
                progress=progress,
                dask=dask,
                timeout=timeout,
                **options,
            )
        for message in result.notes:
            note(message, quiet)
        for message in result.warnings:
            warn(message, quiet)
        show(result, fmt, output)
        if summary is not None:
            show(result, Format.markdown, summary)
        if result.gates:
            _summary(result, quiet)
        if not result.passed:
            raise typer.Exit(1)


def is_json_baseline(path: str) -> bool:
    """A `.json` file is an earlier run's JSON; anything else is the baseline's predictions."""
    return path.lower().endswith(".json")


def _paired_only(gate_on: str, unmatched: str) -> None:
    """--gate-on and --unmatched mean something only with a paired baseline: never ignored."""
    from losscli.errors import UsageError

    for flag, value, default in (
        ("--gate-on", gate_on, "interval"),
        ("--unmatched", unmatched, "error"),
    ):
        if value != default:
            raise UsageError(
                f"{flag} applies to a paired baseline (--baseline PREDICTIONS or --baseline-pred)"
            )


def _paired(
    files: list[str],
    baseline: str | None,
    fmt: Format,
    outputs: tuple[str | None, str | None],
    quiet: bool,
    **options: Any,
) -> None:
    """A paired comparison: compute, render (to --output, and as markdown to --summary),
    summarise on stderr, exit 1 if a gate failed."""
    output, summary = outputs
    from losscli.paired import compare_models
    from losscli.render.paired import rule_text, show

    data = None if baseline is None else ([baseline] if baseline != "-" else baseline)
    result = compare_models(files, data, **options)
    for message in result.result.notes:
        note(message, quiet)
    for message in result.result.warnings:
        warn(message, quiet)
    show(result, fmt, output)
    if summary is not None:
        show(result, Format.markdown, summary)
    if result.gates:
        note(rule_text(result), quiet)
    _paired_summary(result.result, quiet)
    if not result.passed:
        raise typer.Exit(1)


def _paired_summary(result: ComputeResult, quiet: bool, limit: int = 10) -> None:
    """Every failed gate on its own line (up to `limit`), even under --quiet."""
    if not result.gates:
        return
    failed = result.failing()
    if not failed:
        if not quiet:
            stderr_line("passed", "green", plural(len(result.gates), "gate"))
        return
    stderr_line("failed", "bold red", f"{len(failed):,} of {len(result.gates):,} gates")
    for g in failed[:limit]:
        stderr_line("", "", f"  {g.message}")
    if len(failed) > limit:
        stderr_line("", "", f"  (+{len(failed) - limit:,} more: see the output)")


@contextmanager
def summary_of_errors(path: str | None) -> Iterator[None]:
    """With --summary: a run that stops on a usage or input error still leaves FILE.md, saying
    why (so a CI step that shows it has something to show); the error then exits as usual."""
    try:
        yield
    except LosscliError as exc:
        if path is not None:
            from losscli.render.markdown import text

            emit(f"### losscli: ⚠️ not evaluated\n\n{text(str(exc))}\n", path)
        raise


def _summary(result: ComputeResult, quiet: bool) -> None:
    failed = result.failing()
    if not failed:
        if not quiet:
            stderr_line("passed", "green", plural(len(result.gates), "gate"))
        return
    # a failed gate is reported even under --quiet: it is why the exit code is 1
    first = failed[0]
    more = f" (+{len(failed) - 1:,} more)" if len(failed) > 1 else ""
    stderr_line(
        "failed",
        "bold red",
        f"{len(failed):,} of {len(result.gates):,} gates: {first.message}{more}",
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
    app.command("compute", help=HELP, cls=NamedCommand)(compute_command)
