"""`losscli losses [NAME]`: the catalogue."""

from __future__ import annotations

from typing import Annotated

import typer

from losscli.cli.common import (
    DebugOpt,
    FormatOpt,
    JsonOpt,
    NamedCommand,
    OutputOpt,
    QuietOpt,
    reporting,
    resolve_format,
)
from losscli.cli.complete import complete_loss
from losscli.render import Format

HELP = """List the loss catalogue, or show one loss in full.

Examples:

\b
  losscli losses
  losscli losses --task binary
  losscli losses huber
  losscli losses log_loss --json

Exit codes: 0 done, 2 usage error (an unknown loss or task), 3 internal error; 130, 143, 129
interrupted (Ctrl-C, SIGTERM, SIGHUP).
"""


def losses_command(
    name: Annotated[
        str | None,
        typer.Argument(metavar="LOSS", help="A loss name or alias.", autocompletion=complete_loss),
    ] = None,
    task: Annotated[
        str | None, typer.Option("--task", metavar="TASK", help="Only losses for this task.")
    ] = None,
    fmt: FormatOpt = Format.table,
    json_flag: JsonOpt = False,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    with reporting(debug):
        from losscli.render import catalogue

        fmt = resolve_format(fmt, json_flag)
        catalogue.show(name, task=task, fmt=fmt, output=output)


def register(app: typer.Typer) -> None:
    app.command("losses", help=HELP, cls=NamedCommand)(losses_command)
