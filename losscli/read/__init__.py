"""Open any input as a stream of Arrow record batches holding only the columns asked for.

Formats by extension (or `input_format`): CSV, TSV, gzip'd CSV, Parquet, a directory or glob of
Parquet files (hive partitions become columns), Feather / Arrow IPC, JSON Lines; `-` is CSV on
stdin; in-memory Arrow tables and pandas DataFrames. Rows in errors count from 1, the header
excluded.
"""

from losscli.read.batches import (
    column_names,
    column_range,
    dataset_spec,
    inferred_schema,
    iter_batches,
    locate_error,
    row_count,
)
from losscli.read.datasets import DatasetSpec, dataset_base, footer_rows
from losscli.read.prefetch import prefetch
from losscli.read.source import (
    BATCH_CELLS,
    BATCH_ROWS,
    FORMATS,
    TEXT_FORMATS,
    Data,
    Source,
    batch_rows,
    format_of,
    open_data,
    open_sources,
)

__all__ = [
    "BATCH_CELLS",
    "BATCH_ROWS",
    "FORMATS",
    "TEXT_FORMATS",
    "Data",
    "DatasetSpec",
    "Source",
    "batch_rows",
    "column_names",
    "column_range",
    "dataset_base",
    "dataset_spec",
    "footer_rows",
    "format_of",
    "inferred_schema",
    "iter_batches",
    "locate_error",
    "open_data",
    "open_sources",
    "prefetch",
    "row_count",
]
