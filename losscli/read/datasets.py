"""Parquet data sets (a directory or a glob, hive partitions as columns), decided once and read
file by file.

`discover` decides the data set's schema and the types of its hive partitions from every file's
path (folders `store=007`, `store=7` and `store=abc` make `store` a string column with three
values; all-integer folders make it an integer column) and the first file's footer. `iter_file`
streams one file with those decisions, so that a run here and a task on a Dask worker read the
same columns, types and groups.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from losscli.errors import InputError
from losscli.read import uri as uris
from losscli.read.source import PARQUET_BUFFER_BYTES


@dataclass(frozen=True)
class DatasetSpec:
    """A data set's root (path or URI; None for a list of files), its schema (file columns,
    then partition columns) and its hive partition fields, typed once for every file."""

    base: str | None
    schema: pa.Schema
    partitions: pa.Schema


def dataset_base(path: str) -> str | None:
    """The root of a data set: the directory itself, or a glob's folders before its first
    wildcard (so that 'DIR/region=*/*.parquet' keeps `region`)."""
    if uris.has_wildcards(path):
        head = uris.fixed_prefix(path)
        return head or None
    return path.rstrip("/") or path


def _fs_paths(files: Sequence[str], base: str | None) -> tuple[Any, list[str], str | None]:
    if files and uris.is_uri(files[0]):
        fs, _ = uris.resolve(files[0])
        paths = [uris.resolve(f)[1] for f in files]
        root = uris.resolve(base)[1] if base else None
        return fs, paths, root
    return None, list(files), base


def discover(files: Sequence[str], base: str | None, label: str | None = None) -> DatasetSpec:
    """Decide the schema and hive partition types of a data set, once (paths and one footer);
    errors name `label` (the data set as given)."""
    import pyarrow.dataset as ds

    fs, paths, root = _fs_paths(files, base)
    with uris.uri_errors(label or base or files[0]):
        data = ds.dataset(
            paths, format="parquet", partitioning="hive", partition_base_dir=root, filesystem=fs
        )
    keys = {k for f in paths for k in _folders(f, root)}
    partitioning = data.partitioning
    fields = partitioning.schema if partitioning is not None else pa.schema([])
    partitions = pa.schema([f for f in fields if f.name in keys])
    return DatasetSpec(base, data.schema, partitions)


def _folders(path: str, base: str | None) -> dict[str, str]:
    """The `key=value` folders of a file's path below the data set's root."""
    if base and path.startswith(base):
        path = path[len(base) :]
    parts = path.replace(os.sep, "/").split("/")[:-1]
    return dict(p.split("=", 1) for p in parts if "=" in p)


def partition_values(spec: DatasetSpec, file: str) -> dict[str, Any]:
    """The hive partition values of one file of the data set, typed as `spec` decided."""
    import pyarrow.dataset as ds

    if not len(spec.partitions):
        return {}
    folders = _folders(file, spec.base)
    known = [f"{k}={v}" for k, v in folders.items() if k in spec.partitions.names]
    expression = ds.HivePartitioning(spec.partitions).parse("/" + "/".join(known) + "/x")
    values: dict[str, Any] = ds.get_partition_keys(expression)
    return values


def open_parquet(file: str) -> Any:
    """pyarrow's ParquetFile over a path or URI, streaming pages instead of whole row groups."""
    import pyarrow.parquet as pq

    target = uris.open_input(file, random_access=True) if uris.is_uri(file) else file
    return pq.ParquetFile(
        target,
        pre_buffer=False,
        buffer_size=PARQUET_BUFFER_BYTES,
        page_checksum_verification=True,  # where the writer stored checksums
    )


def iter_file(
    spec: DatasetSpec, file: str, columns: Sequence[str], batch_size: int
) -> Iterator[pa.RecordBatch]:
    """One file's batches of `columns` (partition columns filled from its path), with the data
    set's types."""
    values = partition_values(spec, file)
    names = set(spec.partitions.names)
    parquet = open_parquet(file)
    present = parquet.schema_arrow.names
    missing = [c for c in columns if c not in names and c not in present]
    if missing:
        raise InputError("missing column", file=file, column=missing[0])
    read = [c for c in columns if c not in names]
    for batch in parquet.iter_batches(batch_size=batch_size, columns=read):
        arrays = []
        for c in columns:
            kind = spec.schema.field(c).type if c in spec.schema.names else None
            if c in names:
                arrays.append(pa.repeat(pa.scalar(values.get(c), kind), batch.num_rows))
                continue
            array = batch.column(c)
            arrays.append(
                array if kind is None or array.type == kind else _cast(array, kind, file, c)
            )
        yield pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _cast(array: pa.Array, kind: pa.DataType, file: str, column: str) -> pa.Array:
    """A column of one file in the data set's type, or an InputError naming the file."""
    try:
        return array.cast(kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputError(
            f"the column holds {array.type} values where the data set's first file holds {kind}",
            file=file,
            column=column,
            hint="write every file of the data set with the same column types",
        ) from None


def footer_rows(file: str) -> int:
    """Rows of a Parquet file, from its footer."""
    return int(open_parquet(file).metadata.num_rows)
