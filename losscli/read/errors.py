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

_CSV_COLUMN = re.compile(r"In CSV column #(\d+): .*?invalid value '([^']*)'")
_CSV_WIDTH = re.compile(r"Expected (\d+) columns, got (\d+)")

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
            index, value = int(match.group(1)), match.group(2)
            names = self.source.schema.names if self.source.schema is not None else self.columns
            column = names[index] if index < len(names) else None
            row = (
                find_value_row(self.source, column, value, self.reread)
                if column and self.reread
                else None
            )
            raise InputError(
                f"non-numeric value {value!r}", file=label, column=column, row=row
            ) from None
        if "Empty CSV file" in message or "Empty file" in message:
            raise InputError("file is empty", file=label) from None
        if "checksum verification failed" in message:
            raise InputError(
                "corrupt Parquet page (its checksum does not match its data)",
                file=label,
                hint="rewrite or restore the file",
            ) from None
        if "magic bytes" in message.lower() or "Parquet" in message:
            raise InputError(f"not a readable Parquet file ({message})", file=label) from None
        if "No columns in CSV" in message:
            raise InputError("no columns found", file=label) from None
        raise InputError(f"cannot read: {message}", file=label) from None


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
