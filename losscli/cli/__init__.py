"""The `losscli` command: typer commands that parse, call the library, render and exit.

Each command lives in its own module and imports its heavy dependencies inside the command body,
so `losscli --help` and `losscli recommend` start without numpy, pandas or pyarrow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import Annotated, Any

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
    "3 internal error; 130, 143, 129 interrupted (Ctrl-C, SIGTERM, SIGHUP)."
)

#: The commands, each in the module `losscli.cli.<name>` with a `register(app)` function.
COMMANDS = ("losses", "compute", "recommend", "compare")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"losscli {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Evaluate, choose and compare loss functions on prediction files."""


def build(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with `only` that one (what one call needs: the
    other commands' modules are neither imported nor turned into click commands)."""
    new = typer.Typer(
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
    new.callback()(_root)
    for name in COMMANDS if only is None else (only,):
        try:
            module = import_module(f"losscli.cli.{name}")
        except ModuleNotFoundError:
            continue
        module.register(new)
    return new


_FULL: list[typer.Typer] = []


def __getattr__(name: str) -> Any:
    """`app`: the full app, built on first use (tests and embedding callers)."""
    if name != "app":
        raise AttributeError(f"module 'losscli.cli' has no attribute {name!r}")
    if not _FULL:
        _FULL.append(build())
    return _FULL[0]


def command_of(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The command a call names as its first argument, or None when it needs every command
    (root help, version, completion, an unknown name that gets suggestions).

    >>> command_of(["recommend", "--json"], {})
    'recommend'
    >>> command_of(["--help"], {}) is None
    True
    """
    if "_LOSSCLI_COMPLETE" in environ or not argv or argv[0] not in COMMANDS:
        return None
    return argv[0]


def main() -> None:
    """The CLI: Ctrl-C, SIGTERM and SIGHUP exit 130, 143, 129 silently, leaving no temp file."""
    from losscli import signals

    signals.install()
    import os
    import sys

    from losscli.cli.complete import normalise_instruction

    normalise_instruction(os.environ, "_LOSSCLI_COMPLETE")
    build(command_of(sys.argv[1:], os.environ))(prog_name="losscli")
