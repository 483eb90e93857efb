"""Shell completion: loss names after --loss, the given file's column names after --true/--pred/--by.

Column names come from the file's header only (the first line of a CSV/TSV/JSON Lines file, the
schema of a Parquet/Feather file), so completing never reads the data. Any failure completes
nothing rather than printing an error into the user's shell.
"""

from __future__ import annotations

import io
import json
import os
from typing import Any

import typer

#: Shells whose completion scripts losscli generates.
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
INSTRUCTIONS = ("source", "complete")


def normalise_instruction(environ: dict[str, str] | os._Environ[str], var: str) -> None:
    """Accept click's `SHELL_INSTRUCTION` order (`bash_source`) as well as typer's
    `INSTRUCTION_SHELL` (`source_bash`, what typer's own scripts send)."""
    value = environ.get(var)
    if not value or "_" not in value:
        return
    first, _, second = value.partition("_")
    if first in SHELLS and second in INSTRUCTIONS:
        environ[var] = f"{second}_{first}"


def complete_loss(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Catalogue names (and their titles) after --loss, continuing a comma-separated list."""
    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    try:
        from losscli.losses import CATALOGUE
    except Exception:
        return []
    task = (ctx.params or {}).get("task")
    return [
        (prefix + name, loss.title)
        for name, loss in CATALOGUE.items()
        if name.startswith(last) and (not task or task in loss.kernels)
    ]


def complete_column(ctx: typer.Context, incomplete: str) -> list[str]:
    """Column names of the first file on the command line (FILE, or --from for recommend)."""
    params = ctx.params or {}
    # in the middle of a command line the positional FILEs may still sit unparsed in ctx.args
    files = params.get("files") or params.get("source") or list(ctx.args or [])
    for path in files:
        try:
            names = header(str(path))
        except Exception:
            continue
        return [n for n in names if n.startswith(incomplete)]
    return []


def header(path: str) -> list[str]:
    """The column names of a local file, reading its header only."""
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")) or os.path.isdir(path):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if lower.endswith((".feather", ".arrow")):
        import pyarrow.ipc as ipc

        with ipc.open_file(path) as reader:
            return list(reader.schema.names)
    import csv
    import gzip

    opener: Any = gzip.open if lower.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        first = handle.readline()
    if lower.endswith((".jsonl", ".ndjson")):
        return list(json.loads(first))
    delimiter = "\t" if lower.endswith((".tsv", ".tsv.gz")) else ","
    return next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
