"""Sources: what an input is (a file, stdin, a Parquet data set or an in-memory table) and how
it is read, decided once from the paths, extensions and `input_format`."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from losscli.errors import InputError, UsageError
from losscli.read import uri as uris

if TYPE_CHECKING:
    from losscli.read.datasets import DatasetSpec

FORMATS = ("csv", "tsv", "parquet", "feather", "jsonl")
#: Text formats: their column types are inferred from the first block of the file.
TEXT_FORMATS = ("csv", "tsv", "jsonl")
_EXTENSIONS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".csv.bz2": "csv",
    ".csv.zst": "csv",
    ".tsv": "tsv",
    ".tsv.gz": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".feather": "feather",
    ".arrow": "feather",
    ".ipc": "feather",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
}
#: Cells (rows x columns) per batch for formats where losscli chooses (Parquet, datasets): a
#: batch of two columns holds 262,144 rows, one of 11 columns about 47,000.
BATCH_CELLS = 1 << 19
#: Read buffer per Parquet column chunk.
PARQUET_BUFFER_BYTES = 1 << 16
#: Rows per batch of an in-memory table or Arrow IPC stream.
BATCH_ROWS = 1 << 18

#: What the library accepts as input: paths, a pandas DataFrame or an Arrow table.
Data = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Any


def batch_rows(columns: int) -> int:
    """Rows per batch for `columns` columns: BATCH_CELLS / columns, at least 8192."""
    return max(8192, BATCH_CELLS // max(columns, 1))


@dataclass
class Source:
    """One input: a file, stdin, a Parquet data set (directory or glob) or an in-memory table
    (format "table", the Arrow table in `data`)."""

    path: str
    format: str
    files: list[str] = field(default_factory=list)
    data: Any = None  # stdin's bytes, buffered once; or the in-memory table
    bad_rows: list[str] = field(default_factory=list)  # malformed CSV rows seen while parsing
    schema: pa.Schema | None = None  # CSV: the types inferred from the first block, once
    dataset: DatasetSpec | None = None  # a data set's schema and partition types, decided once

    @property
    def label(self) -> str:
        return "<stdin>" if self.path == "-" else self.path

    @property
    def size(self) -> int | None:
        """Bytes on disk, when known (decides whether a CSV file is parsed in parallel)."""
        try:
            if self.data is not None:
                return getattr(self.data, "size", None)  # stdin's buffer; not a table
            if uris.is_uri(self.path):
                return None  # a URI is streamed, never parsed in parallel chunks
            return sum(os.path.getsize(f) for f in (self.files or [self.path]))
        except OSError:
            return None


def format_of(path: str) -> str | None:
    """The format a file's extension names (longest extension first), or None."""
    lower = path.lower()
    for ext in sorted(_EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ext):
            return _EXTENSIONS[ext]
    return None


def open_data(data: Data, input_format: str | None = None) -> list[Source]:
    """The sources of any input the library accepts: a path, a list of paths, a pyarrow Table or
    RecordBatch, or a pandas DataFrame (converted to Arrow by pyarrow; losscli never imports
    pandas itself)."""
    if isinstance(data, str | os.PathLike):
        return open_sources([os.fspath(data)], input_format)
    if isinstance(data, pa.Table | pa.RecordBatch):
        table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
        return [Source("<table>", "table", data=table)]
    if hasattr(data, "to_parquet") and hasattr(data, "columns"):  # a pandas DataFrame
        table = pa.Table.from_pandas(data, preserve_index=False)
        return [Source("<dataframe>", "table", data=table)]
    return open_sources([os.fspath(p) for p in data], input_format)


def open_sources(paths: Sequence[str], input_format: str | None = None) -> list[Source]:
    """Check every path exists and decide how to read it."""
    if not paths:
        raise UsageError("no input file given (use - for stdin)")
    if input_format is not None:
        input_format = input_format.lower().lstrip(".")
        input_format = {
            "ipc": "feather",
            "arrow": "feather",
            "ndjson": "jsonl",
            "pq": "parquet",
        }.get(input_format, input_format)
        if input_format not in FORMATS:
            raise UsageError(
                f"unknown --input-format '{input_format}' (valid: {', '.join(FORMATS)})"
            )
    sources = []
    for given in paths:
        path = uris.local_path(given)
        if uris.is_uri(path):
            sources.extend(uri_sources(path, input_format))
            continue
        if path == "-":
            sources.append(_stdin_source(input_format or "csv"))
            continue
        if os.path.isdir(path):
            files = sorted(
                f
                for f in glob.glob(os.path.join(path, "**", "*"), recursive=True)
                if os.path.isfile(f) and (format_of(f) == "parquet" or input_format == "parquet")
            )
            if not files:
                raise InputError("directory holds no Parquet files", file=path)
            sources.append(Source(path, "dataset", files=files))
            continue
        if any(ch in path for ch in "*?[") and not os.path.exists(path):
            files = sorted(f for f in glob.glob(path, recursive=True) if os.path.isfile(f))
            if not files:
                raise InputError("no file matches this pattern", file=path)
            kinds = {input_format or format_of(f) for f in files}
            if kinds == {"parquet"}:
                sources.append(Source(path, "dataset", files=files))
            else:
                sources.extend(_file_source(f, input_format) for f in files)
            continue
        sources.append(_file_source(path, input_format))
    return sources


def uri_sources(uri: str, input_format: str | None) -> list[Source]:
    """The sources a URI names: one object, or the Parquet files under a prefix or a glob."""
    kind, files = uris.list_files(uri, parquet_only=input_format != "parquet")
    if kind == "file":
        return [_kind_source(uri, input_format)]
    if not files:
        what = "holds no Parquet files" if kind == "dir" else "matches no object"
        raise InputError(what, file=uri)
    kinds = {input_format or format_of(f) for f in files}
    if kinds == {"parquet"}:
        return [Source(uri, "dataset", files=files)]
    return [_kind_source(f, input_format) for f in files]


def _kind_source(path: str, input_format: str | None) -> Source:
    kind = input_format or format_of(path)
    if kind is None:
        raise UsageError(
            f"cannot tell the format of '{path}' from its extension",
            hint="pass --input-format csv|tsv|parquet|feather|jsonl",
        )
    return Source(path, kind)


def _file_source(path: str, input_format: str | None) -> Source:
    if not os.path.exists(path):
        raise InputError("no such file", file=path)
    if not os.path.isfile(path):
        raise InputError("not a regular file", file=path)
    if not os.access(path, os.R_OK):
        raise InputError("permission denied", file=path)
    kind = input_format or format_of(path)
    if kind is None:
        raise UsageError(
            f"cannot tell the format of '{path}' from its extension",
            hint="pass --input-format csv|tsv|parquet|feather|jsonl",
        )
    if os.path.getsize(path) == 0:
        raise InputError("file is empty", file=path)
    return Source(path, kind)


def _stdin_source(kind: str) -> Source:
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("'-' reads data from stdin, but nothing is piped in")
    data = sys.stdin.buffer.read()
    if not data:
        raise InputError("stdin is empty", file="<stdin>")
    return Source("-", kind, data=pa.py_buffer(data))


def target(source: Source) -> Any:
    """What pyarrow's readers open: the path, a URI's file, or stdin's buffered bytes."""
    if source.data is not None:
        return pa.BufferReader(source.data)
    if uris.is_uri(source.path):
        return uris.open_input(source.path, random_access=source.format not in TEXT_FORMATS)
    return source.path


def check_columns(source: Source, names: Sequence[str], columns: Sequence[str]) -> None:
    """Raise an InputError naming the first of `columns` not among `names`."""
    missing = [c for c in columns if c not in names]
    if missing:
        raise InputError("missing column", file=source.label, column=missing[0])
