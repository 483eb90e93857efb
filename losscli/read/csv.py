"""CSV and TSV: pyarrow's streaming reader, and a parallel reader that parses a large plain file
in chunks cut at line ends, on every core, in file order."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from losscli.read.source import HEAD_BYTES, Source, target

#: Bytes per block of the streaming readers (CSV: gzip'd files, stdin, small files; JSON Lines);
#: text formats infer their column types from the first block.
CSV_BLOCK_BYTES = HEAD_BYTES
#: Bytes per chunk when a plain CSV file is parsed on all cores, chunk by chunk, in order.
CSV_CHUNK_BYTES = 1 << 23


def csv_options(
    source: Source,
    columns: list[str] | None,
    types: dict[str, pa.DataType],
    newlines_in_values: bool = True,
) -> tuple[Any, Any]:
    """pyarrow's parse and convert options for a CSV source; malformed rows are remembered.
    Quoted values may span lines, except in the parallel reader's quote-free chunks."""
    import pyarrow.csv as pacsv

    def invalid_row(row: Any) -> str:
        source.bad_rows.append(row.text)
        return "error"

    parse = pacsv.ParseOptions(
        delimiter=source.delimiter or ("\t" if source.format == "tsv" else ","),
        invalid_row_handler=invalid_row,
        newlines_in_values=newlines_in_values,
    )
    convert = pacsv.ConvertOptions(
        include_columns=columns,
        column_types=types,
        strings_can_be_null=True,
        true_values=["true", "True", "TRUE"],
        false_values=["false", "False", "FALSE"],
    )
    return parse, convert


def csv_reader(
    source: Source, columns: list[str] | None, types: dict[str, pa.DataType], head: bool = False
) -> Any:
    """pyarrow's streaming CSV reader over `source`, in blocks of CSV_BLOCK_BYTES (`head`: a
    piped source's first block only, to infer the column types without consuming the pipe)."""
    import pyarrow.csv as pacsv

    parse, convert = csv_options(source, columns, types)
    read = pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES)
    return pacsv.open_csv(
        target(source, head=head), read_options=read, parse_options=parse, convert_options=convert
    )


def splittable(source: Source) -> bool:
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
        head = handle.read(CSV_BLOCK_BYTES)
        # chunks are cut at \n: a file with CR-only line ends is read serially
        return b'"' not in head and b"\n" in head


def csv_chunks(
    source: Source, columns: list[str], types: dict[str, pa.DataType], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """Parse a CSV file on every core: the main thread cuts it into chunks at line ends, worker
    threads parse them (pyarrow releases the GIL), and the batches come back in file order, with
    a bounded number of chunks in flight so memory stays flat. `schema` is the one inferred from
    the first block.

    A chunk must not end inside a quoted value that spans lines: from the first chunk that
    holds a quote (memchr over the chunk, a fraction of its parse time), the rest of the file is
    parsed serially.

    Kept whole: the cutting, the parsing pool and the in-order hand-off share one lifetime.
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.csv as pacsv

    names = list(schema.names)
    full_types = {}
    for c in columns:
        kind = types.get(c) or schema.field(c).type
        full_types[c] = pa.string() if pa.types.is_null(kind) else kind

    parse, convert = csv_options(source, columns, full_types, newlines_in_values=False)

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
        pending: deque[Any] = deque()
        carry = b""
        start = handle.tell()  # where the chunk being cut starts in the file
        while True:
            # read straight after the carried-over partial line: no copy of the chunk itself
            block = bytearray(len(carry) + CSV_CHUNK_BYTES)
            block[: len(carry)] = carry
            size = len(carry) + handle.readinto(memoryview(block)[len(carry) :])
            if size == len(carry):
                break
            if block.find(b'"', 0, size) >= 0:
                # a quoted value may span lines: no cut after this point is safe, so the rest
                # of the file, from this chunk's first line, is parsed serially
                while pending:
                    yield from pending.popleft().result().select(columns).to_batches()
                parse, convert = csv_options(source, columns, full_types)
                yield from _serial_from(source, start, names, parse, convert, columns)
                return
            end = block.rfind(b"\n", 0, size) + 1
            if end == 0:  # one line longer than a chunk: read on
                carry = bytes(block[:size])
                continue
            pending.append(pool.submit(parse_chunk, memoryview(block)[:end]))
            carry = bytes(block[end:size])
            start += end
            while len(pending) > workers:
                yield from pending.popleft().result().select(columns).to_batches()
        if carry.strip():  # the last line, without a final newline
            pending.append(pool.submit(parse_chunk, memoryview(carry)))
        while pending:
            yield from pending.popleft().result().select(columns).to_batches()


def _serial_from(
    source: Source, start: int, names: list[str], parse: Any, convert: Any, columns: list[str]
) -> Iterator[pa.RecordBatch]:
    """pyarrow's streaming reader over the file from byte `start` (a line start) to its end."""
    import pyarrow.csv as pacsv

    with open(source.path, "rb") as handle:
        handle.seek(start)
        read = pacsv.ReadOptions(column_names=names, block_size=CSV_BLOCK_BYTES)
        reader = pacsv.open_csv(
            handle, read_options=read, parse_options=parse, convert_options=convert
        )
        for batch in reader:
            yield batch.select(columns)
