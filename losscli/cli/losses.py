"""`losscli losses [NAME]`: the catalogue."""

from __future__ import annotations

from typing import Annotated

import typer

from losscli.cli.common import (
    DebugOpt,
    FormatOpt,
    JsonOpt,
    OutputOpt,
    reporting,
    resolve_format,
)
from losscli.render import Format

HELP = """List the loss catalogue, or show one loss in full.

Examples:

  losscli losses

  losscli losses --task binary

  losscli losses huber

  losscli losses log_loss --json
"""


def losses_command(
    name: Annotated[str | None, typer.Argument(help="A loss name or alias.")] = None,
    task: Annotated[str | None, typer.Option("--task", help="Only losses for this task.")] = None,
    fmt: FormatOpt = Format.table,
    json_flag: JsonOpt = False,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    with reporting(debug):
        from losscli.render import catalogue

        fmt = resolve_format(fmt, json_flag)
        catalogue.show(name, task=task, fmt=fmt, output=output)


def register(app: typer.Typer) -> None:
    app.command("losses", help=HELP)(losses_command)
