"""Open any input as a stream of Arrow record batches holding only the columns asked for.

Formats by extension (or `input_format`): CSV, TSV, gzip'd CSV, Parquet, a directory or glob of
Parquet files (hive partitions become columns), Feather / Arrow IPC, JSON Lines; `-` is CSV on
stdin. Rows in errors count from 1, the header excluded.
"""

from __future__ import annotations

import glob
import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from losscli.errors import InputError, UsageError

FORMATS = ("csv", "tsv", "parquet", "feather", "jsonl")
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


def batch_rows(columns: int) -> int:
    return max(8192, BATCH_CELLS // max(columns, 1))


#: Bytes per CSV block of the streaming reader (gzip'd files, stdin, small files).
CSV_BLOCK_BYTES = 1 << 20
#: Bytes per chunk when a plain CSV file is parsed on all cores, chunk by chunk, in order.
CSV_CHUNK_BYTES = 1 << 23


@dataclass
class Source:
    """One input: a file, stdin, or a Parquet data set (directory or glob)."""

    path: str
    format: str
    files: list[str] = field(default_factory=list)
    data: Any = None  # stdin's bytes, buffered once
    bad_rows: list[str] = field(default_factory=list)  # malformed CSV rows seen while parsing
    schema: pa.Schema | None = None  # CSV: the types inferred from the first block, once

    @property
    def label(self) -> str:
        return "<stdin>" if self.path == "-" else self.path

    @property
    def size(self) -> int | None:
        """Bytes on disk, when known (decides whether a CSV file is parsed in parallel)."""
        try:
            if self.data is not None:
                return getattr(self.data, "size", None)  # stdin's buffer; not a table
            return sum(os.path.getsize(f) for f in (self.files or [self.path]))
        except OSError:
            return None


def format_of(path: str) -> str | None:
    lower = path.lower()
    for ext in sorted(_EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ext):
            return _EXTENSIONS[ext]
    return None


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
    for path in paths:
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


#: Text formats: their column types are inferred from the first block of the file.
TEXT_FORMATS = ("csv", "tsv", "jsonl")


def column_names(source: Source) -> list[str]:
    """The columns of a source, in file order, without reading its data."""
    if source.format in TEXT_FORMATS:
        return list(inferred_schema(source).names)
    with _arrow_errors(source):
        return list(_schema(source).names)


def _schema(source: Source) -> pa.Schema:
    kind = source.format
    if kind in ("csv", "tsv"):
        reader = _csv_reader(source, None, {})
        schema = reader.schema
        reader.close()
        return schema
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(_target(source)).schema_arrow
    if kind == "feather":
        return _ipc_reader(source).schema
    if kind == "jsonl":
        return _json_reader(source).schema
    if kind == "dataset":
        return _dataset(source).schema
    raise UsageError(f"unknown input format '{kind}'")


def inferred_schema(source: Source) -> pa.Schema:
    """The schema pyarrow infers from the first block of a CSV or JSON Lines source (read once)."""
    if source.schema is None:
        with _arrow_errors(source):
            source.schema = _schema(source)
    return source.schema


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Run an iterator in a background thread, up to `depth` items ahead, so that reading and
    parsing (which release the GIL) overlap with the computing done on what they yield."""
    import queue
    import threading

    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    break
            else:
                put(done)
        except BaseException as error:
            put(_Failure(error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="losscli-read", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        worker.join()


def row_count(source: Source) -> int | None:
    """Rows of a Parquet file from its footer (for progress); None where it is not known cheaply."""
    if source.format != "parquet":
        return None
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(_target(source)).metadata.num_rows
    except (OSError, pa.ArrowException):
        return None


def _target(source: Source) -> Any:
    """What pyarrow's readers open: the path, or stdin's buffered bytes."""
    return pa.BufferReader(source.data) if source.data is not None else source.path


def iter_batches(
    source: Source, columns: Sequence[str], types: dict[str, pa.DataType] | None = None
) -> Iterator[pa.RecordBatch]:
    """Record batches of `columns` (in that order), streamed with flat memory."""
    kind = source.format
    with _arrow_errors(source, columns):
        if kind in TEXT_FORMATS:
            _check_columns(source, inferred_schema(source).names, columns)
        if kind in ("csv", "tsv") and _splittable(source):
            yield from _csv_chunks(source, list(columns), types or {})
        elif kind in ("csv", "tsv"):
            reader = _csv_reader(source, list(columns), types or {})
            yield from _reorder(reader, columns)
        elif kind == "parquet":
            import pyarrow.parquet as pq

            # Stream column chunks page by page instead of holding whole row groups: a third of
            # the memory on wide files, and faster.
            parquet = pq.ParquetFile(
                _target(source), pre_buffer=False, buffer_size=PARQUET_BUFFER_BYTES
            )
            missing = [c for c in columns if c not in parquet.schema_arrow.names]
            if missing:
                raise InputError("missing column", file=source.label, column=missing[0])
            yield from parquet.iter_batches(
                batch_size=batch_rows(len(columns)), columns=list(columns)
            )
        elif kind == "feather":
            reader = _ipc_reader(source)
            _check_columns(source, reader.schema.names, columns)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i).select(list(columns))
        elif kind == "jsonl":
            reader = _json_reader(source, types or {})
            for batch in reader:
                yield batch.select(list(columns))
        elif kind == "dataset":
            dataset = _dataset(source)
            _check_columns(source, dataset.schema.names, columns)
            import pyarrow.dataset as ds

            scan = ds.ParquetFragmentScanOptions(pre_buffer=False, buffer_size=PARQUET_BUFFER_BYTES)
            yield from dataset.to_batches(
                columns=list(columns),
                batch_size=batch_rows(len(columns)),
                fragment_scan_options=scan,
            )


def _reorder(reader: Any, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
    for batch in reader:
        yield batch.select(list(columns))


def _check_columns(source: Source, names: Sequence[str], columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in names]
    if missing:
        raise InputError("missing column", file=source.label, column=missing[0])


def _csv_options(source: Source, columns: list[str] | None, types: dict[str, pa.DataType]):
    """pyarrow's parse and convert options for a CSV source; malformed rows are remembered."""
    import pyarrow.csv as pacsv

    def invalid_row(row: Any) -> str:
        source.bad_rows.append(row.text)
        return "error"

    parse = pacsv.ParseOptions(
        delimiter="\t" if source.format == "tsv" else ",", invalid_row_handler=invalid_row
    )
    convert = pacsv.ConvertOptions(
        include_columns=columns,
        column_types=types,
        strings_can_be_null=True,
        true_values=["true", "True", "TRUE"],
        false_values=["false", "False", "FALSE"],
    )
    return parse, convert


def _csv_reader(source: Source, columns: list[str] | None, types: dict[str, pa.DataType]):
    import pyarrow.csv as pacsv

    parse, convert = _csv_options(source, columns, types)
    read = pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES)
    return pacsv.open_csv(
        _target(source), read_options=read, parse_options=parse, convert_options=convert
    )


def _splittable(source: Source) -> bool:
    """Plain (uncompressed) CSV files large enough to be worth parsing on several cores."""
    if source.data is not None or (os.cpu_count() or 1) < 2:
        return False
    if source.path.lower().endswith((".gz", ".bz2", ".zst", ".zstd", ".lz4")):
        return False
    size = source.size
    if size is None or size < 2 * CSV_CHUNK_BYTES:
        return False
    with open(source.path, "rb") as handle:  # quoted values may hold newlines: read serially
        handle.readline()  # a quoted header (pyarrow's writer quotes names) is harmless
        return b'"' not in handle.read(CSV_BLOCK_BYTES)


def _csv_chunks(
    source: Source, columns: list[str], types: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    """Parse a CSV file on every core: the main thread cuts it into chunks at line ends, worker
    threads parse them (pyarrow releases the GIL), and the batches come back in file order, with
    a bounded number of chunks in flight so memory stays flat.

    Only for files whose first block of rows holds no quotes: a chunk must not end inside a
    quoted value that spans lines.
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.csv as pacsv

    schema = inferred_schema(source)
    names = list(schema.names)
    full_types = {}
    for c in columns:
        kind = types.get(c) or schema.field(c).type
        full_types[c] = pa.string() if pa.types.is_null(kind) else kind

    parse, convert = _csv_options(source, columns, full_types)

    def parse_chunk(data: memoryview) -> pa.Table:
        read = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=len(data) + 1)
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=read,
            parse_options=parse,
            convert_options=convert,
        )

    workers = min(os.cpu_count() or 2, 8)
    with open(source.path, "rb") as handle, ThreadPoolExecutor(workers) as pool:
        handle.readline()  # the header: its names come from the schema
        pending: deque = deque()
        carry = b""
        while True:
            # read straight after the carried-over partial line: no copy of the chunk itself
            block = bytearray(len(carry) + CSV_CHUNK_BYTES)
            block[: len(carry)] = carry
            size = len(carry) + handle.readinto(memoryview(block)[len(carry) :])
            if size == len(carry):
                break
            end = block.rfind(b"\n", 0, size) + 1
            if end == 0:  # one line longer than a chunk: read on
                carry = bytes(block[:size])
                continue
            pending.append(pool.submit(parse_chunk, memoryview(block)[:end]))
            carry = bytes(block[end:size])
            while len(pending) > workers:
                yield from pending.popleft().result().select(columns).to_batches()
        if carry.strip():  # the last line, without a final newline
            pending.append(pool.submit(parse_chunk, memoryview(carry)))
        while pending:
            yield from pending.popleft().result().select(columns).to_batches()


def _ipc_reader(source: Source):
    import pyarrow.ipc as ipc

    target = source.data if source.data is not None else pa.memory_map(source.path)
    try:
        return ipc.open_file(target)
    except pa.ArrowInvalid:
        table = ipc.open_stream(target).read_all()
        return _TableBatches(table)


class _TableBatches:
    """An Arrow IPC *stream* read whole, behind the file reader's interface."""

    def __init__(self, table: pa.Table) -> None:
        self.schema = table.schema
        self._batches = table.to_batches(max_chunksize=BATCH_ROWS)
        self.num_record_batches = len(self._batches)

    def get_batch(self, i: int) -> pa.RecordBatch:
        return self._batches[i]


def _json_reader(source: Source, types: dict[str, pa.DataType] | None = None):
    import pyarrow.json as pajson

    parse = pajson.ParseOptions(
        explicit_schema=pa.schema(list((types or {}).items())),
        unexpected_field_behavior="infer",
    )
    return pajson.open_json(
        _target(source),
        read_options=pajson.ReadOptions(block_size=CSV_BLOCK_BYTES),
        parse_options=parse,
    )


def _dataset(source: Source):
    import pyarrow.dataset as ds

    return ds.dataset(
        source.files,
        format="parquet",
        partitioning="hive",
        partition_base_dir=(source.path if os.path.isdir(source.path) else None),
    )


_CSV_COLUMN = re.compile(r"In CSV column #(\d+): .*?invalid value '([^']*)'")


class _arrow_errors:
    """Translate pyarrow's read errors into one-line InputErrors naming the file (and row)."""

    def __init__(self, source: Source, columns: Sequence[str] | None = None) -> None:
        self.source = source
        self.columns = list(columns) if columns is not None else None

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None or not isinstance(exc, (pa.ArrowException, OSError, ValueError)):
            return False
        if isinstance(exc, InputError | UsageError):
            return False
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        label = self.source.label
        bad_rows = self.source.bad_rows
        if bad_rows:
            detail = message.removeprefix("CSV parse error: ").split(": ")[0]
            raise InputError(
                f"malformed row: {detail}", file=label, row=_find_line(self.source, bad_rows[0])
            ) from None
        match = _CSV_COLUMN.search(message)
        if match and self.columns:
            index, value = int(match.group(1)), match.group(2)
            names = self.source.schema.names if self.source.schema is not None else self.columns
            column = names[index] if index < len(names) else None
            row = _find_value_row(self.source, column, value) if column else None
            raise InputError(
                f"non-numeric value {value!r}", file=label, column=column, row=row
            ) from None
        if "Empty CSV file" in message or "Empty file" in message:
            raise InputError("file is empty", file=label) from None
        if "magic bytes" in message.lower() or "Parquet" in message:
            raise InputError(f"not a readable Parquet file ({message})", file=label) from None
        if "No columns in CSV" in message:
            raise InputError("no columns found", file=label) from None
        raise InputError(f"cannot read: {message}", file=label) from None


def _find_line(source: Source, text: str) -> int | None:
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


def _find_value_row(source: Source, column: str, value: str) -> int | None:
    """On the error path only: re-read one column as text to find the row holding `value`."""
    import numpy as np

    offset = 0
    try:
        for batch in iter_batches(source, [column], {column: pa.string()}):
            values = batch.column(0).to_numpy(zero_copy_only=False)
            hits = np.flatnonzero(values == value)
            if hits.size:
                return offset + int(hits[0]) + 1
            offset += batch.num_rows
    except InputError:
        return None
    return None
