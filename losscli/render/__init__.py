"""Output formats and the one way results leave the process: stdout or an atomically written file."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path


class Format(StrEnum):
    """Output formats; every command renders each of them."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, 0o666 & ~current_umask())
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def emit(text: str, output: str | os.PathLike | None = None) -> None:
    """Send rendered data to `output` (atomically) or to stdout, ending with one newline."""
    if not text.endswith("\n"):
        text += "\n"
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)


def dumps_json(data: object) -> str:
    """JSON as losscli writes it: indented, keys in insertion order, NaN/inf refused."""
    import json

    return json.dumps(data, indent=2, allow_nan=False)
