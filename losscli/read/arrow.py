"""Arrow-native formats: Parquet files, Feather / Arrow IPC
files and streams, JSON Lines."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from losscli.read import csv
from losscli.read import uri as uris
from losscli.read.source import BATCH_ROWS, Source, target


def ipc_reader(source: Source) -> Any:
    """A Feather / Arrow IPC file reader; a stream is read whole behind the same interface."""
    import pyarrow.ipc as ipc

    if source.data is not None:
        data = source.data
    elif uris.is_uri(source.path):
        data = target(source)
    else:
        data = pa.memory_map(source.path)
    try:
        return ipc.open_file(data)
    except pa.ArrowInvalid:
        table = ipc.open_stream(data).read_all()
        return _TableBatches(table)


class _TableBatches:
    """An Arrow IPC *stream* read whole, behind the file reader's interface."""

    def __init__(self, table: pa.Table) -> None:
        self.schema = table.schema
        self._batches = table.to_batches(max_chunksize=BATCH_ROWS)
        self.num_record_batches = len(self._batches)

    def get_batch(self, i: int) -> pa.RecordBatch:
        return self._batches[i]


def json_reader(source: Source, types: dict[str, pa.DataType] | None = None) -> Any:
    """pyarrow's streaming JSON Lines reader; `types` fix the named columns' types."""
    import pyarrow.json as pajson

    parse = pajson.ParseOptions(
        explicit_schema=pa.schema(list((types or {}).items())),
        unexpected_field_behavior="infer",
    )
    return pajson.open_json(
        target(source),
        read_options=pajson.ReadOptions(block_size=csv.CSV_BLOCK_BYTES),
        parse_options=parse,
    )
