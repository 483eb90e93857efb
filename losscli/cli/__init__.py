"""The `losscli` command: typer commands that parse, call the library, render and exit.

Each command lives in its own module and imports its heavy dependencies inside the command body,
so `losscli --help` and `losscli recommend` start without numpy, pandas or pyarrow.
"""

from __future__ import annotations

from typing import Annotated

import typer

from losscli._version import __version__

EPILOG = (
    "Examples:\n\n"
    "\b\n"
    "  losscli compute preds.parquet --loss mse,huber:delta=2 --max huber=0.3\n"
    "  losscli recommend --task multiclass --activation softmax --labels int\n"
    "  losscli compare preds.csv --json\n"
    "  losscli losses huber\n\n"
    "Exit codes: 0 done and every gate passed, 1 a gate failed, 2 usage or input error, "
    "3 internal error."
)

app = typer.Typer(
    name="losscli",
    help="Evaluate, choose and compare loss functions on prediction files.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"losscli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Evaluate, choose and compare loss functions on prediction files."""


def _register() -> None:
    from losscli.cli import losses

    losses.register(app)
    for name in ("compute", "recommend", "compare"):
        try:
            module = __import__(f"losscli.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError:
            continue
        module.register(app)


_register()


def main() -> None:
    import os

    from losscli.cli.complete import normalise_instruction

    normalise_instruction(os.environ, "_LOSSCLI_COMPLETE")
    app(prog_name="losscli")
