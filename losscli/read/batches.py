"""One API over every source: its column names, its inferred schema, its row count and its
record batches, whichever format it is."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from losscli.errors import InputError, UsageError
from losscli.read import arrow, csv, datasets
from losscli.read.errors import arrow_errors
from losscli.read.source import (
    BATCH_ROWS,
    PARQUET_BUFFER_BYTES,
    TEXT_FORMATS,
    Source,
    batch_rows,
    check_columns,
    target,
)


def column_names(source: Source) -> list[str]:
    """The columns of a source, in file order, without reading its data."""
    if source.format == "table":
        names = list(source.data.column_names)
    elif source.format in TEXT_FORMATS:
        names = list(inferred_schema(source).names)
    else:
        with arrow_errors(source):
            names = list(_schema(source).names)
    check_unique(source, names)
    return names


def _schema(source: Source) -> pa.Schema:
    kind = source.format
    if kind in ("csv", "tsv"):
        reader = csv.csv_reader(source, None, {}, head=True)
        schema = reader.schema
        reader.close()
        return schema
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(target(source)).schema_arrow
    if kind == "feather":
        return arrow.ipc_reader(source).schema
    if kind == "jsonl":
        return arrow.json_reader(source).schema
    if kind == "dataset":
        return dataset_spec(source).schema
    raise UsageError(f"unknown input format '{kind}'")


def dataset_spec(source: Source) -> datasets.DatasetSpec:
    """A data set's schema and hive partition types, decided once (then kept on the source)."""
    if source.dataset is None:
        with arrow_errors(source):
            base = datasets.dataset_base(source.path)
            source.dataset = datasets.discover(source.files, base, source.label)
    return source.dataset


def inferred_schema(source: Source) -> pa.Schema:
    """The schema pyarrow infers from the first block of a CSV or JSON Lines source (read once)."""
    if source.schema is None:
        with arrow_errors(source):
            schema = _schema(source)
        check_unique(source, schema.names)
        source.schema = schema
    return source.schema


def check_unique(source: Source, names: Sequence[str]) -> None:
    """Refuse a header or schema that names a column twice: which one is meant is a guess."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(
                "the column name appears twice in the header",
                file=source.label,
                column=name,
                hint="rename one of them",
            )
        seen.add(name)


def row_count(source: Source) -> int | None:
    """Rows of a Parquet file from its footer (for progress); None where it is not known cheaply."""
    if source.format != "parquet":
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(target(source)).metadata.num_rows)
    except (OSError, pa.ArrowException, InputError):
        return None


def iter_batches(
    source: Source, columns: Sequence[str], types: dict[str, pa.DataType] | None = None
) -> Iterator[pa.RecordBatch]:
    """Record batches of `columns` (in that order), streamed with flat memory.

    An in-memory table is checked at once (a missing column raises here, not on the first
    batch); files are opened when the first batch is asked for.
    """
    if source.format == "table":
        table = source.data
        check_columns(source, table.column_names, columns)
        return iter(table.select(list(columns)).to_batches(max_chunksize=BATCH_ROWS))
    return _stream(source, columns, types or {})


def _stream(
    source: Source, columns: Sequence[str], types: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    kind = source.format
    with arrow_errors(source, columns, reread=iter_batches):
        if kind in TEXT_FORMATS:
            check_columns(source, inferred_schema(source).names, columns)
        if kind in ("csv", "tsv") and csv.splittable(source):
            yield from csv.csv_chunks(source, list(columns), types, inferred_schema(source))
        elif kind in ("csv", "tsv"):
            reader = csv.csv_reader(source, list(columns), types)
            yield from _reorder(reader, columns)
        elif kind == "parquet":
            import pyarrow.parquet as pq

            # Stream column chunks page by page instead of holding whole row groups: a third of
            # the memory on wide files, and faster.
            parquet = pq.ParquetFile(
                target(source),
                pre_buffer=False,
                buffer_size=PARQUET_BUFFER_BYTES,
                page_checksum_verification=True,  # where the writer stored checksums
            )
            missing = [c for c in columns if c not in parquet.schema_arrow.names]
            if missing:
                raise InputError("missing column", file=source.label, column=missing[0])
            yield from parquet.iter_batches(
                batch_size=batch_rows(len(columns)), columns=list(columns)
            )
        elif kind == "feather":
            reader = arrow.ipc_reader(source)
            check_columns(source, reader.schema.names, columns)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i).select(list(columns))
        elif kind == "jsonl":
            schema = inferred_schema(source)
            fixed = {c: types.get(c) or schema.field(c).type for c in columns}
            only = not any(pa.types.is_null(t) for t in fixed.values())
            reader = arrow.json_reader(source, fixed if only else types, only=only)
            for batch in reader:
                yield batch.select(list(columns))
        elif kind == "dataset":
            # file by file, with the schema and partition types decided once for the data set:
            # opening it reads one footer, and nothing is read ahead of what is asked for
            spec = dataset_spec(source)
            check_columns(source, spec.schema.names, columns)
            for file in source.files:
                with arrow_errors(Source(file, "parquet")):  # a read error names the file
                    yield from datasets.iter_file(spec, file, columns, batch_rows(len(columns)))


def locate(source: Source, row: int) -> tuple[str, int] | None:
    """On the error path only: the file of a data set holding its row `row` (from 1, counted
    across its files in order) and that row within the file, from the files' footers; None
    for other sources or when a footer cannot be read."""
    if source.format != "dataset":
        return None
    before = 0
    try:
        for file in source.files:
            rows = datasets.footer_rows(file)
            if row <= before + rows:
                return file, row - before
            before += rows
    except (OSError, ValueError, pa.ArrowException, InputError):
        return None
    return None


def locate_error(exc: InputError, source: Source, offset: int) -> InputError:
    """`exc`, raised on a batch of `source` that starts after `offset` rows, naming the file of a
    data set and the row within that file instead of the data set and a row across its files."""
    if source.format != "dataset" or exc.file not in (None, source.label):
        return exc
    found = locate(source, exc.row if exc.row is not None else offset + 1)
    if found is not None:
        exc.file = found[0]
        if exc.row is not None:
            exc.row = found[1]
    return exc


def _reorder(reader: Any, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
    for batch in reader:
        yield batch.select(list(columns))


def column_range(source: Source, column: str) -> tuple[float, float] | None:
    """(min, max) of a numeric column from the Parquet footers' statistics of every row group,
    without reading data; None when a row group has no statistics or the source is not Parquet."""
    if source.format not in ("parquet", "dataset"):
        return None
    import pyarrow.parquet as pq

    low, high = float("inf"), float("-inf")
    try:
        for path in source.files or [source.path]:
            meta = pq.ParquetFile(target(source) if path == source.path else path).metadata
            if column not in meta.schema.names:
                return None
            index = meta.schema.names.index(column)
            for g in range(meta.num_row_groups):
                stats = meta.row_group(g).column(index).statistics
                if stats is None or not stats.has_min_max:
                    return None
                low, high = min(low, float(stats.min)), max(high, float(stats.max))
    except (OSError, TypeError, ValueError, pa.ArrowException):
        return None
    return (low, high) if low <= high else None
