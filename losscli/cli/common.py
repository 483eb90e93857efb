"""Pieces every command shares: option types, the stderr console, error reporting."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from losscli.cli.complete import complete_column
from losscli.errors import LosscliError, UsageError
from losscli.render import Format

if TYPE_CHECKING:
    from rich.console import Console

FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        metavar="table|json|csv|markdown",
        envvar="LOSSCLI_FORMAT",
        help="Output format: table (people), json (scripts, CI), csv, markdown (pull requests).",
        case_sensitive=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the result to FILE (atomically) instead of stdout.",
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No messages or progress on stderr; errors still.")
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]

# Column options, shared by compute, compare and recommend --from.
TrueOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--true",
        "-t",
        metavar="COL",
        autocompletion=complete_column,
        help="Label/target column(s); repeat or use a glob ('y_*') for one-hot or multi-label.",
    ),
]
PredOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pred",
        "-p",
        metavar="COL",
        autocompletion=complete_column,
        help="Prediction column(s); repeat or use a glob ('p_*') for one column per class.",
    ),
]
WeightOpt = Annotated[
    str | None,
    typer.Option(
        "--weight",
        "-w",
        metavar="COL",
        autocompletion=complete_column,
        help="Sample-weight column.",
    ),
]
ByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        metavar="COL",
        autocompletion=complete_column,
        help="Group column (repeatable): one result per group plus overall.",
    ),
]
TaskOpt = Annotated[
    str | None,
    typer.Option(
        "--task",
        metavar="TASK",
        help="regression, binary, multiclass or multilabel (inferred from the data when omitted).",
    ),
]
PositiveOpt = Annotated[
    str | None,
    typer.Option(
        "--positive",
        metavar="LABEL",
        help="The positive label of binary labels (strings; 0 or 1; -1 or 1; true or false).",
    ),
]
ClassesOpt = Annotated[
    str | None,
    typer.Option(
        "--classes",
        metavar="CLASS,...",
        help="The class of each prediction column, in order, comma-separated "
        "(setosa,versicolor,virginica): maps labels to columns when the columns' names do not.",
    ),
]
LogitsOpt = Annotated[
    bool | None,
    typer.Option(
        "--from-logits/--from-probabilities",
        help="Predictions are logits (binary log-odds, multi-class raw scores) or probabilities; "
        "inferred from column names (logit_*) when omitted.",
        show_default=False,
    ),
]
InputFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--input-format",
        metavar="FORMAT",
        help="csv, tsv, parquet, feather, jsonl: overrides the file extension (stdin is csv, "
        "streamed; other formats on stdin are read whole first).",
    ),
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        metavar="CHAR",
        help="The character between values in CSV and other text files (';', '\\t' for tabs); "
        "files without a known extension are then read as such text.",
    ),
]
NanOpt = Annotated[
    str,
    typer.Option(
        "--nan",
        metavar="error|drop",
        help="Missing values: 'error' (name the first) or 'drop' the rows.",
    ),
]

SampleRowsOpt = Annotated[
    str | None,
    typer.Option(
        "--sample-rows",
        metavar="N",
        help="Hold at most N rows (default 1,000,000): a larger input is measured on a seeded "
        "uniform sample of N rows, with standard errors (values and counts stay exact); 0 holds "
        "every row (memory grows with the input).",
    ),
]


def parse_number(text: str, option: str, *, integer: bool = False) -> float:
    """A number (an integer if asked); UsageError when it is not one (the library checks ranges)."""
    kind = "an integer" if integer else "a number"
    try:
        value = float(text)
        if integer and not (value.is_integer() or text.strip().lstrip("+-").isdigit()):
            raise ValueError(text)
        return int(text) if integer and text.strip().lstrip("+-").isdigit() else value
    except (ValueError, OverflowError):
        raise UsageError(f"{option} must be {kind}, got {text!r}") from None


def resolve_format(fmt: Format, json_flag: bool) -> Format:
    return Format.json if json_flag else fmt


def stderr_console(quiet: bool = False) -> Console:
    """Rich console on stderr: colour only on a terminal, NO_COLOR honoured by rich itself."""
    from rich.console import Console

    return Console(stderr=True, quiet=quiet, soft_wrap=True, highlight=False)


def stderr_line(label: str, style: str, message: str) -> None:
    """`label: message` on stderr (just `message` when label is empty); through rich (colour)
    only on a terminal or when colour is forced, so a piped or captured stderr costs no rich
    import."""
    if sys.stderr.isatty() or os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"):
        from rich.markup import escape

        head = f"[{style}]{label}:[/{style}] " if label else ""
        stderr_console().print(f"{head}{escape(message)}", highlight=False, soft_wrap=True)
        return
    sys.stderr.write(f"{label}: {message}\n" if label else f"{message}\n")
    sys.stderr.flush()


def note(message: str, quiet: bool) -> None:
    """An informational line on stderr (what was inferred, rows dropped, ...)."""
    if not quiet:
        stderr_line("losscli", "dim", message)


def warn(message: str, quiet: bool = False) -> None:
    if not quiet:
        stderr_line("warning", "yellow", message)


def fail(message: str, code: int) -> None:
    """One line on stderr, then exit with `code`."""
    stderr_line("error", "bold red", message)
    raise typer.Exit(code)


@contextmanager
def reporting(
    debug: bool = False,
    inputs: Sequence[str | None] = (),
    outputs: Sequence[str | None] = (),
) -> Iterator[None]:
    """Turn library errors into one stderr line and the documented exit code (SPEC §8).

    `inputs` are the run's input paths: no output may replace one; `outputs` are checked
    against them before any work is done.
    """
    try:
        from losscli import write

        write.protect(p for p in inputs if p)
        named = [p for p in outputs if p and p != "-"]
        for path in named:
            write.check_not_input(path)
        if len({os.path.realpath(p) for p in named}) < len(named):
            raise UsageError("two outputs name the same file", hint="give each its own path")
        yield
    except typer.Exit:
        raise
    except LosscliError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except BrokenPipeError:
        # the reader went away (`| head`) outside the output layer: stop writing quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None
    except MemoryError:
        fail("out of memory (read fewer columns or rows, or use --dask)", 2)
    except OSError as exc:
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc} (check the path and its permissions)", 2)
    except Exception as exc:
        if debug:
            raise
        fail(
            f"internal error: {type(exc).__name__}: {exc} (a bug in losscli; rerun with --debug "
            "for the traceback)",
            3,
        )


class NamedCommand(typer.core.TyperCommand):
    """A command whose positional arguments read as `FILE...` (required) or `[FILE]...` in the
    usage line and help, instead of typer's `{FILE}...` and `<list[str]>`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument):
                param.__class__ = NamedArgument


class NamedArgument(typer.core.TyperArgument):
    """A positional argument shown by its metavar (see `NamedCommand`)."""

    def _shown(self) -> str:
        name = self.metavar or self.name or "ARG"
        return name + ("..." if self.nargs != 1 else "")

    def get_usage_pieces(self, ctx: typer._click.Context) -> list[str]:
        name = self.metavar or self.name or "ARG"
        more = "..." if self.nargs != 1 else ""
        return [f"{name}{more}" if self.required else f"[{name}]{more}"]

    def get_help_record(self, ctx: typer._click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        return self._shown(), record[1]
