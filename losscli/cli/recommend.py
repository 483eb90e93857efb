"""`losscli recommend`: the loss for a task and last-layer activation, or for a prediction file."""

from __future__ import annotations

from typing import Annotated

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
    TrueOpt,
    WeightOpt,
    note,
    parse_number,
    reporting,
    resolve_format,
    warn,
)
from losscli.render import Format

HELP = """Recommend the loss for a task and last-layer activation, and explain it.

The answer names the loss, why, the label encoding it expects, the exact equivalent in
PyTorch, Keras and scikit-learn, alternatives, warnings for contradictory combinations, and the
'losscli compute' command that checks it. With --from, the task, the label encoding and whether
predictions are probabilities or logits come from the data, and regression residuals are checked
for heavy tails (Huber with a measured delta when they are heavy).

Examples:

\b
  losscli recommend --task binary --activation sigmoid
  losscli recommend --task multiclass --activation none --labels int --framework pytorch
  losscli recommend --task regression --activation linear --outliers --json
  losscli recommend --from preds.csv
  losscli recommend --from preds.parquet --true label --pred 'p_*'

Exit codes: 0 done, 2 usage or input error, 3 internal error; 130, 143, 129 interrupted
(Ctrl-C, SIGTERM, SIGHUP).
"""

TaskOpt = Annotated[
    str | None,
    typer.Option(
        "--task",
        metavar="TASK",
        help="regression, binary, multiclass or multilabel; required without --from, inferred "
        "from the data with it.",
    ),
]
ActivationOpt = Annotated[
    str | None,
    typer.Option(
        "--activation",
        "-a",
        metavar="ACTIVATION",
        help="Last-layer activation: none/linear (raw outputs, logits), sigmoid, tanh, softmax, "
        "relu, softplus. Inferred from the predictions with --from.",
    ),
]
OutliersOpt = Annotated[
    bool,
    typer.Option("--outliers", help="Some targets or labels are wrong or extreme."),
]
ImbalancedOpt = Annotated[
    bool, typer.Option("--imbalanced", help="Some classes (or positives) are rare.")
]
LabelsOpt = Annotated[
    str | None,
    typer.Option(
        "--labels",
        metavar="ENCODING",
        help="Label encoding: int (class indices; 0/1 for binary), onehot, soft (probability "
        "targets), pm1 (-1/+1).",
    ),
]
FrameworkOpt = Annotated[
    str | None,
    typer.Option(
        "--framework", metavar="FRAMEWORK", help="pytorch, keras or sklearn: listed first."
    ),
]
FromOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--from",
        metavar="FILE",
        help="Prediction file(s) to infer everything from (- reads CSV from stdin); the column "
        "options are those of 'losscli compute'.",
    ),
]


def recommend_command(
    task: TaskOpt = None,
    activation: ActivationOpt = None,
    outliers: OutliersOpt = False,
    imbalanced: ImbalancedOpt = False,
    labels: LabelsOpt = None,
    framework: FrameworkOpt = None,
    source: FromOpt = None,
    true: TrueOpt = None,
    pred: PredOpt = None,
    weight: WeightOpt = None,
    positive: PositiveOpt = None,
    classes: ClassesOpt = None,
    from_logits: LogitsOpt = None,
    input_format: InputFormatOpt = None,
    delimiter: DelimiterOpt = None,
    nan: NanOpt = "error",
    sample_rows: SampleRowsOpt = None,
    seed: Annotated[
        str | None,
        typer.Option("--seed", metavar="INT", help="With --from: seed of the sample (0)."),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_flag: JsonOpt = False,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    with reporting(debug, inputs=source or [], outputs=[output]):
        if source:
            from losscli.cli.memory import tune_memory

            tune_memory()
        from losscli.advice import advise
        from losscli.render import recommend as render

        fmt = resolve_format(fmt, json_flag)
        rec = advise(
            source,
            task=task,
            activation=activation,
            labels=labels,
            outliers=outliers,
            imbalanced=imbalanced,
            framework=framework,
            true=true,
            pred=pred,
            weight=weight,
            positive=positive,
            classes=classes,
            from_logits=from_logits,
            input_format=input_format,
            delimiter=delimiter,
            nan=nan,
            sample_rows=None
            if sample_rows is None
            else int(parse_number(sample_rows, "--sample-rows", integer=True)),
            seed=None if seed is None else int(parse_number(seed, "--seed", integer=True)),
        )
        for message in rec.notes:
            note(message, quiet)
        for message in rec.warnings:
            warn(message, quiet)
        render.show(rec, fmt=fmt, output=output)


def register(app: typer.Typer) -> None:
    app.command("recommend", help=HELP, cls=NamedCommand)(recommend_command)
