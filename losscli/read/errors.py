"""pyarrow's read errors as one-line InputErrors naming the file, and where known the row and
column (found again on the error path only)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Literal

import pyarrow as pa

from losscli.errors import InputError, UsageError
from losscli.read.source import Source

_CSV_COLUMN = re.compile(
    r"In CSV column #(\d+): .*?conversion error to (\w+): invalid value '([^']*)'"
)
_JSON_CHANGED = re.compile(r"Column\(/([^)]*)\) changed from (\w+) to (\w+)")
_CSV_WIDTH = re.compile(r"Expected (\d+) columns, got (\d+)")
_COMPRESSED = re.compile(r"compressed stream|inflate|zlib|gzip|bz2|zstd|lz4|decompress", re.I)

#: Reads one column of a source with the given types (the batch reader, passed in to keep this
#: module below it).
ColumnReader = Callable[[Source, Sequence[str], dict[str, pa.DataType]], Iterator[pa.RecordBatch]]


class arrow_errors:
    """Translate pyarrow's read errors into one-line InputErrors naming the file (and row)."""

    def __init__(
        self,
        source: Source,
        columns: Sequence[str] | None = None,
        reread: ColumnReader | None = None,
    ) -> None:
        self.source = source
        self.columns = list(columns) if columns is not None else None
        self.reread = reread

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> Literal[False]:
        """Turn an Arrow or OS error into one InputError naming file, column and row; kept
        whole because each branch reads the same message and source."""
        if exc is None or not isinstance(exc, (pa.ArrowException, OSError, ValueError)):
            return False
        if isinstance(exc, InputError | UsageError):
            return False
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        label = self.source.label
        bad_rows = self.source.bad_rows
        if bad_rows:
            width = _CSV_WIDTH.search(message)
            detail = (
                f"expected {width.group(1)} columns, found {width.group(2)}"
                if width
                else "cannot be parsed"
            )
            raise InputError(
                f"malformed row: {detail}",
                file=label,
                row=find_line(self.source, bad_rows[0]),
                hint="fix the row, or quote values that hold the delimiter",
            ) from None
        match = _CSV_COLUMN.search(message)
        if match and self.columns:
            index, kind, value = int(match.group(1)), match.group(2), match.group(3)
            names = self.source.schema.names if self.source.schema is not None else self.columns
            column = names[index] if index < len(names) else None
            row = (
                find_value_row(self.source, column, value, self.reread)
                if column and self.reread
                else None
            )
            what = _conversion(kind, value)
            hint = (
                _HINT if what.startswith("value") else "an empty cell or NaN marks a missing value"
            )
            raise InputError(what, file=label, column=column, row=row, hint=hint) from None
        if message.startswith("JSON parse error"):
            raise json_error(self.source, message) from None
        if "Empty CSV file" in message or "Empty file" in message:
            raise InputError("file is empty", file=label) from None
        if "checksum verification failed" in message:
            raise InputError(
                "corrupt Parquet page (its checksum does not match its data)",
                file=label,
                hint="rewrite or restore the file",
            ) from None
        if "magic bytes" in message.lower() or "Parquet" in message:
            raise InputError(
                f"not a readable Parquet file ({message})",
                file=label,
                hint="it is truncated or not Parquet: write or copy it again, or pass "
                "--input-format if it holds another format",
            ) from None
        if _COMPRESSED.search(message):
            raise InputError(
                f"the compressed data is truncated or corrupt ({message})",
                file=label,
                hint="the file is incomplete or damaged: write or copy it again",
            ) from None
        if "No columns in CSV" in message:
            raise InputError("no columns found", file=label) from None
        raise InputError(f"cannot read: {message}", file=label) from None


#: What to do when a CSV column's later value does not fit the type of its first rows.
_HINT = "a CSV column's type is inferred from its first 1 MB: make the column's values one type"


def _conversion(kind: str, value: str) -> str:
    """What is wrong with a CSV value that did not convert to the column's type `kind`."""
    try:
        float(value)
    except ValueError:
        return (
            f"non-numeric value {value!r}"
            if kind in ("double", "int64")
            else (f"value {value!r} is not {kind} like the column's first rows")
        )
    return f"value {value!r} is not {kind} like the column's first rows"


def json_error(source: Source, message: str) -> InputError:
    """A JSON Lines parse error with the file's own row (pyarrow counts rows per block)."""
    import json

    changed = _JSON_CHANGED.search(message)
    kinds = {str: "string", bool: "boolean", int: "number", float: "number"}
    row = None
    try:
        stream = (
            pa.BufferReader(source.data)
            if source.data is not None
            else (pa.input_stream(source.path, compression="detect"))
        )
        with stream:
            text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
            for number, line in enumerate(text, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    row = number
                    break
                if changed and isinstance(record, dict) and changed.group(1) in record:
                    value = record[changed.group(1)]
                    kind = "null" if value is None else kinds.get(type(value), "object")
                    if kind == changed.group(3):
                        row = number
                        break
    except (OSError, pa.ArrowException):
        pass
    if changed:
        return InputError(
            f"a {changed.group(3)} where earlier rows hold a {changed.group(2)}",
            file=source.label,
            column=changed.group(1),
            row=row,
            hint="give the field one type in every row",
        )
    return InputError("invalid JSON", file=source.label, row=row, hint="fix the line")


def find_line(source: Source, text: str) -> int | None:
    """On the error path only: the data row (from 1, after the header) whose text is `text`."""
    try:
        if source.data is not None:
            stream = pa.BufferReader(source.data)
        else:
            stream = pa.input_stream(source.path, compression="detect")
        with stream:
            for number, line in enumerate(
                io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
            ):
                if line.rstrip("\r\n") == text:
                    return number if number else None
    except (OSError, pa.ArrowException):
        return None
    return None


def find_value_row(source: Source, column: str, value: str, reread: ColumnReader) -> int | None:
    """On the error path only: re-read one column as text to find the row holding `value`."""
    import numpy as np

    offset = 0
    try:
        for batch in reread(source, [column], {column: pa.string()}):
            values = batch.column(0).to_numpy(zero_copy_only=False)
            hits = np.flatnonzero(values == value)
            if hits.size:
                return offset + int(hits[0]) + 1
            offset += batch.num_rows
    except InputError:
        return None
    return None
