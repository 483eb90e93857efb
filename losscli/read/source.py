"""Sources: what an input is (a file, stdin, a Parquet data set or an in-memory table) and how
it is read, decided once from the paths, extensions and `input_format`."""

from __future__ import annotations

import errno
import glob
import io
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

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

#: Compressed text files (their bytes are not checked before reading).
COMPRESSED = (".gz", ".bz2", ".zst", ".zstd", ".lz4")

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
    stream: OnePass | None = None  # CSV/TSV on stdin or a pipe: streamed, read once
    delimiter: str | None = None  # CSV: the delimiter given (--delimiter); else the format's

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


#: Bytes of a piped CSV kept to infer its column types: the streaming reader's first block.
HEAD_BYTES = 1 << 20


class _Chained(io.RawIOBase):
    """`head`, then the rest of `raw`: a pipe whose first bytes were already read."""

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self.head = memoryview(head)
        self.raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head.nbytes:
            n = min(len(buffer), self.head.nbytes)
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        return self.raw.readinto(buffer)  # type: ignore[attr-defined,no-any-return]


class OnePass:
    """A piped CSV (stdin, a FIFO) streamed, not held: its first HEAD_BYTES are kept (to infer
    the column types and check the text), the rest is read once, block by block, as it comes."""

    def __init__(self, label: str, raw: BinaryIO) -> None:
        self.label = label
        self.raw = raw
        chunks: list[bytes] = []
        size = 0
        while size < HEAD_BYTES:
            chunk = raw.read(HEAD_BYTES - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        self.head = b"".join(chunks)
        self.complete = size < HEAD_BYTES  # the head is the whole input
        self.opened = False

    def head_rows(self) -> pa.BufferReader:
        """The head's complete lines: the rows pyarrow infers the types from."""
        cut = len(self.head) if self.complete else self.head.rfind(b"\n") + 1
        return pa.BufferReader(self.head[: cut or len(self.head)])

    def open(self) -> pa.NativeFile:
        """The whole input as a stream, once."""
        if self.opened:
            raise InputError(
                "a piped input is streamed and can be read only once, but this run needs a "
                "second pass",
                file=self.label,
                hint="save the data to a file and pass its path",
            )
        self.opened = True
        return pa.PythonFile(io.BufferedReader(_Chained(self.head, self.raw), 1 << 20), mode="r")


def format_of(path: str) -> str | None:
    """The format a file's extension names (longest extension first), or None."""
    lower = path.lower()
    for ext in sorted(_EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ext):
            return _EXTENSIONS[ext]
    return None


def open_data(
    data: Data, input_format: str | None = None, delimiter: str | None = None
) -> list[Source]:
    """The sources of any input the library accepts: a path, a list of paths, a pyarrow Table or
    RecordBatch, or a pandas DataFrame (converted to Arrow by pyarrow; losscli never imports
    pandas itself). `delimiter` separates the values of CSV and other delimited text files."""
    if isinstance(data, str | os.PathLike):
        return open_sources([os.fspath(data)], input_format, delimiter)
    if delimiter is not None and not _is_paths(data):
        raise UsageError("--delimiter applies to CSV files, not to an in-memory table")
    if isinstance(data, pa.Table | pa.RecordBatch):
        table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
        return [Source("<table>", "table", data=table)]
    if hasattr(data, "to_parquet") and hasattr(data, "columns"):  # a pandas DataFrame
        table = pa.Table.from_pandas(data, preserve_index=False)
        return [Source("<dataframe>", "table", data=table)]
    return open_sources([os.fspath(p) for p in data], input_format, delimiter)


def _is_paths(data: Data) -> bool:
    return isinstance(data, list | tuple) and all(isinstance(p, str | os.PathLike) for p in data)


def check_delimiter(delimiter: str | None) -> str | None:
    """The one character --delimiter names ('\\t' and 'tab' name a tab), or a UsageError."""
    if delimiter is None:
        return None
    char = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(delimiter, delimiter)
    if len(char) != 1 or char in '"\r\n':
        raise UsageError(
            f"--delimiter must be one character (not a quote or line end), got {delimiter!r}",
            hint="e.g. --delimiter ';' or --delimiter '\\t' for tabs",
        )
    return char


def open_sources(
    paths: Sequence[str], input_format: str | None = None, delimiter: str | None = None
) -> list[Source]:
    """Check every path exists and decide how to read it; `delimiter` separates the values of
    delimited text (files without a known extension are read as such text).

    Kept whole: one pass over the paths decides each source's kind, format and delimiter.
    """
    if not paths:
        raise UsageError("no input file given (use - for stdin)")
    delimiter = check_delimiter(delimiter)
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
            sources.extend(uri_sources(path, input_format, delimiter))
            continue
        if path == "-":
            sources.append(_stdin_source(input_format or "csv", delimiter))
            continue
        if os.path.isdir(path):
            found = [
                f for f in glob.glob(os.path.join(path, "**", "*"), recursive=True)
                if os.path.isfile(f)
            ]  # fmt: skip
            files = sorted(
                f for f in found if format_of(f) == "parquet" or input_format == "parquet"
            )
            if not files:
                raise InputError(
                    "directory holds no Parquet files",
                    file=path,
                    hint="a directory is read as a Parquet data set; name other files, "
                    "or a glob such as DIR/*.csv",
                )
            _no_other_data(path, found, files)
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
                sources.extend(_file_source(f, input_format, delimiter) for f in files)
            continue
        sources.append(_file_source(path, input_format, delimiter))
    if delimiter is not None:
        delimited = [s for s in sources if s.format in ("csv", "tsv")]
        if not delimited:
            raise UsageError(
                "--delimiter applies to CSV and other delimited text files",
                hint="drop --delimiter for Parquet, Feather and JSON Lines",
            )
        for source in delimited:
            source.delimiter = delimiter
    return sources


def _no_other_data(path: str, found: Sequence[str], files: Sequence[str]) -> None:
    """Refuse a directory that holds data files beside its Parquet files: reading only the
    Parquet files would leave rows out silently."""
    chosen = set(files)
    others = sorted(f for f in found if f not in chosen and format_of(f) is not None)
    if others:
        raise InputError(
            f"directory holds {format_of(others[0])} files beside its Parquet files "
            f"({others[0]}); a directory is read as a Parquet data set",
            file=path,
            hint="name the files or a glob (DIR/*.parquet), or move the others out",
        )


def uri_sources(uri: str, input_format: str | None, delimiter: str | None = None) -> list[Source]:
    """The sources a URI names: one object, or the Parquet files under a prefix or a glob."""
    kind, files = uris.list_files(uri, parquet_only=False)
    if kind == "file":
        return [_kind_source(uri, input_format, delimiter)]
    if kind == "dir" and input_format != "parquet":
        found, files = files, [f for f in files if format_of(f) == "parquet"]
        if files:
            _no_other_data(uri, found, files)
    if not files:
        what = "holds no Parquet files" if kind == "dir" else "matches no object"
        raise InputError(what, file=uri)
    kinds = {input_format or format_of(f) for f in files}
    if kinds == {"parquet"}:
        return [Source(uri, "dataset", files=files)]
    return [_kind_source(f, input_format, delimiter) for f in files]


def _kind_source(path: str, input_format: str | None, delimiter: str | None = None) -> Source:
    kind = input_format or format_of(path) or ("csv" if delimiter else None)
    if kind is None:
        raise UsageError(
            f"cannot tell the format of '{path}' from its extension",
            hint="pass --input-format csv|tsv|parquet|feather|jsonl",
        )
    return Source(path, kind)


def _file_source(path: str, input_format: str | None, delimiter: str | None = None) -> Source:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _stat_error(path, exc) from None
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode):
        return _stream_source(path, input_format or format_of(path) or "csv", delimiter)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file", file=path, hint="name a file, or pipe it to -")
    if not os.access(path, os.R_OK):
        raise InputError("permission denied", file=path, hint="check the file's permissions")
    kind = input_format or format_of(path) or ("csv" if delimiter else None)
    if kind is None:
        raise UsageError(
            f"cannot tell the format of '{path}' from its extension",
            hint="pass --input-format csv|tsv|parquet|feather|jsonl (or --delimiter for text)",
        )
    if info.st_size == 0:
        raise InputError("file is empty", file=path)
    if kind in TEXT_FORMATS and not path.lower().endswith(COMPRESSED):
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
        check_text(path, head, kind, whole=info.st_size <= 1 << 16, delimiter=delimiter)
    return Source(path, kind)


def _stat_error(path: str, exc: OSError) -> InputError:
    if exc.errno == errno.ELOOP:
        return InputError("symbolic link loop", file=path, hint="point the link at a file")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError("permission denied", file=path, hint="check the file's permissions")
    if os.path.islink(path):
        return InputError("the symbolic link points to no file", file=path)
    return InputError("no such file", file=path)


def _stream_source(path: str, kind: str, delimiter: str | None = None) -> Source:
    """A FIFO or process substitution (`<(...)`): CSV/TSV streamed, other formats read whole
    (Parquet and Arrow files need seeking), like stdin."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (a streamed pipe stays open while it is read)
    except OSError as exc:
        raise _stat_error(path, exc) from None
    return _pipe_source(path, path, handle, kind, "the pipe delivered no data", delimiter)


def _pipe_source(
    path: str, label: str, raw: BinaryIO, kind: str, empty: str, delimiter: str | None = None
) -> Source:
    """A pipe's source: CSV and TSV streamed (a OnePass), other formats buffered whole."""
    if kind in ("csv", "tsv"):
        stream = OnePass(label, raw)
        if not stream.head:
            raise InputError(empty, file=label)
        check_text(
            label,
            stream.head[: 1 << 16],
            kind,
            whole=stream.complete and len(stream.head) <= 1 << 16,
            delimiter=delimiter,
        )
        return Source(path, kind, stream=stream)
    data = raw.read()
    if not data:
        raise InputError(empty, file=label)
    if kind in TEXT_FORMATS:
        check_text(label, data[: 1 << 16], kind, whole=len(data) <= 1 << 16, delimiter=delimiter)
    return Source(path, kind, data=pa.py_buffer(data))


def check_text(
    label: str, head: bytes, kind: str, whole: bool, delimiter: str | None = None
) -> None:
    """Refuse text that losscli would misread: UTF-16/32, a header alone (`whole`: `head` is
    the whole file), a delimiter other than the format's (semicolons) unless one is given."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 3 and head[1:4:2] == b"\0\0"):
        raise InputError(
            "file is UTF-16; convert it to UTF-8",
            file=label,
            hint="iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.csv",
        )
    if kind == "jsonl":
        return
    header, _, rest = head.partition(b"\n")
    if whole and not rest.strip(b"\r\n") and b"\r" not in header.strip(b"\r"):
        raise InputError("the file holds a header but no data rows", file=label)
    if delimiter is not None:
        return
    expected = b"\t" if kind == "tsv" else b","
    if expected not in header and b";" in header:
        raise InputError(
            "the header holds ';' but no "
            + ("tab" if kind == "tsv" else "comma")
            + ": the file looks semicolon-delimited",
            file=label,
            hint="pass --delimiter ';'",
        )


def _stdin_source(kind: str, delimiter: str | None = None) -> Source:
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("'-' reads data from stdin, but nothing is piped in")
    return _pipe_source("-", "<stdin>", sys.stdin.buffer, kind, "stdin is empty", delimiter)


def target(source: Source, head: bool = False) -> Any:
    """What pyarrow's readers open: the path, a URI's file, stdin's buffered bytes, or a piped
    CSV's stream (`head`: only its first complete lines, to infer the column types)."""
    if source.stream is not None:
        return source.stream.head_rows() if head else source.stream.open()
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
