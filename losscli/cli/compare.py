"""`losscli compare [FILE...]`: rank losses by how much a few bad rows move them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from losscli.cli.common import (
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
    SampleRowsOpt,
    TaskOpt,
    TrueOpt,
    WeightOpt,
    note,
    parse_number,
    reporting,
    resolve_format,
)
from losscli.cli.complete import complete_loss
from losscli.render import Format

HELP = """Rank losses by outlier sensitivity: how much would a few bad rows move each loss?

For each loss: its value; the share of the total loss from the worst --top rows and the
inflation (value over value without them), which describe the data; the contamination ratio
(value after / before corrupting --contamination of the rows: gross errors of --magnitude
robust SDs, or flipped labels, on the data without its worst rows), which describes the loss.
Ranked most sensitive first, with a verdict on the data and the compute command to use.

Without FILE, compares on seeded synthetic data for --task (default regression).

A FILE of more than --sample-rows rows (1,000,000) is studied on a seeded uniform sample of
that many rows: the values stay exact (summed over every row, as compute sums them); the other
figures and the verdict come from the sample, with standard errors (table: ±; JSON: se).

Examples:

\b
  losscli compare
  losscli compare --task binary --rows 5000 --seed 3
  losscli compare preds.csv
  losscli compare preds.parquet --loss mse,huber:delta=2,mae --json
  losscli compare preds.csv --top 2% --plot sensitivity.png

Exit codes: 0 done, 2 usage or input error, 3 internal error; 130, 143, 129 interrupted
(Ctrl-C, SIGTERM, SIGHUP).
"""

LossOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--loss",
        "-l",
        metavar="LOSS[:PARAM=V]",
        autocompletion=complete_loss,
        help="NAME[:param=value,...], repeatable or comma-separated; default: every catalogue "
        "loss that fits the task and the data.",
    ),
]


def parse_fraction(text: str, option: str) -> float:
    """'0.01' or '1%' -> 0.01; UsageError when it is not a number (the library checks the range)."""
    from losscli.errors import UsageError

    raw = text.strip()
    try:
        return float(raw[:-1]) / 100.0 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"{option} must be a fraction such as 0.01 or 1%, got {text!r}") from None


def compare_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE", help="Prediction files (as for compute); none: synthetic data."
        ),
    ] = None,
    loss: LossOpt = None,
    true: TrueOpt = None,
    pred: PredOpt = None,
    weight: WeightOpt = None,
    task: TaskOpt = None,
    positive: PositiveOpt = None,
    classes: ClassesOpt = None,
    from_logits: LogitsOpt = None,
    input_format: InputFormatOpt = None,
    delimiter: DelimiterOpt = None,
    nan: NanOpt = "error",
    top: Annotated[
        str,
        typer.Option(
            "--top",
            metavar="FRACTION",
            help="The worst rows: their share of the loss, and removed before contaminating.",
        ),
    ] = "0.01",
    contamination: Annotated[
        str,
        typer.Option(
            "--contamination", metavar="FRACTION", help="Share of the rows to corrupt (0.05 or 5%)."
        ),
    ] = "0.05",
    magnitude: Annotated[
        str,
        typer.Option(
            "--magnitude",
            metavar="SD",
            help="Regression: size of the gross errors, in robust SDs (MAD x 1.4826).",
        ),
    ] = "10",
    seed: Annotated[
        str,
        typer.Option(
            "--seed", metavar="INT", help="Seed of the contamination, the data and the sample."
        ),
    ] = "0",
    rows: Annotated[
        str,
        typer.Option("--rows", metavar="N", help="Rows of the synthetic data (without FILE)."),
    ] = "2000",
    sample_rows: SampleRowsOpt = None,
    eps: Annotated[
        float, typer.Option("--eps", metavar="EPS", help="Clip probabilities to [eps, 1 - eps].")
    ] = 1e-7,
    plot: Annotated[
        str | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Also draw the losses against the error and the residuals into FILE.png or "
            "FILE.svg (needs matplotlib: pip install 'losscli[plot]').",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_flag: JsonOpt = False,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Parse, call `losscli.compare`, render, exit; long only for its option declarations."""
    with reporting(debug, inputs=files or [], outputs=[output, plot]):
        from losscli.cli.memory import tune_memory

        tune_memory()
        from losscli.sensitivity import compare

        fmt = resolve_format(fmt, json_flag)
        options: dict[str, Any] = {
            "top": parse_fraction(top, "--top"),
            "contamination": parse_fraction(contamination, "--contamination"),
            "magnitude": parse_number(magnitude, "--magnitude"),
            "seed": int(parse_number(seed, "--seed", integer=True)),
            "rows": int(parse_number(rows, "--rows", integer=True)),
        }
        if sample_rows is not None:
            options["sample_rows"] = int(parse_number(sample_rows, "--sample-rows", integer=True))
        if plot is not None:
            from losscli.render.plot import check_plot_path, require_matplotlib

            check_plot_path(plot)
            require_matplotlib()
        comparison = compare(
            files or None,
            task=task,
            losses=loss,
            eps=eps,
            true=true,
            pred=pred,
            weight=weight,
            positive=positive,
            classes=classes,
            from_logits=from_logits,
            input_format=input_format,
            delimiter=delimiter,
            nan=nan,
            **options,
        )
        for message in comparison.notes:
            note(message, quiet)
        if comparison.synthetic:
            note(f"no FILE: {comparison.description} (seed {comparison.seed})", quiet)
        if comparison.skipped:
            skipped = "; ".join(f"{name} ({why})" for name, why in comparison.skipped)
            note(f"not compared: {skipped}", quiet)

        from losscli.render.compare import show

        show(comparison, fmt=fmt, output=output)
        if plot is not None:
            from losscli.render.plot import plot_comparison

            path = plot_comparison(comparison, plot)
            note(f"plot written to {path}", quiet)


def register(app: typer.Typer) -> None:
    app.command("compare", help=HELP, cls=NamedCommand)(compare_command)
