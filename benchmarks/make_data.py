"""Deterministic benchmark data: regression, binary and 10-class prediction files.

Each file is written in chunks of ``CHUNK_ROWS`` rows (one Parquet row group per chunk), so the
peak memory of generation does not grow with the row count. A file is reused when it already
holds the requested number of rows.

    python benchmarks/make_data.py --rows 10M --kinds regression --formats csv,parquet
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from datafiles import DEFAULT_DIR, FORMATS, KINDS, N_CLASSES, data_path, parse_rows

CHUNK_ROWS = 1_000_000
SEED = 20_240_601


def _rng(kind: str, chunk: int) -> np.random.Generator:
    return np.random.default_rng([SEED, KINDS.index(kind), chunk])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def regression_chunk(rng: np.random.Generator, n: int) -> pa.Table:
    """y_true ~ N(3, 2); y_pred = y_true + heavy-tailed noise (both Huber branches occur)."""
    y_true = rng.normal(3.0, 2.0, n)
    y_pred = y_true + 0.8 * rng.standard_t(3.0, n)
    return pa.table({"y_true": y_true, "y_pred": y_pred})


def binary_chunk(rng: np.random.Generator, n: int) -> pa.Table:
    """y_true in {0, 1}; y_pred a calibrated-ish probability kept away from 0 and 1."""
    z = rng.normal(0.0, 2.0, n)
    y_true = (rng.random(n) < _sigmoid(z)).astype(np.int64)
    y_pred = _sigmoid(np.clip(z + rng.normal(0.0, 1.0, n), -12.0, 12.0))
    return pa.table({"y_true": y_true, "y_pred": y_pred})


def multiclass_chunk(rng: np.random.Generator, n: int) -> pa.Table:
    """y_true an int label in [0, 10); p_0..p_9 a softmax that favours the true class."""
    y_true = rng.integers(0, N_CLASSES, n)
    logits = rng.normal(0.0, 1.0, (n, N_CLASSES))
    logits[np.arange(n), y_true] += 2.0
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    columns: dict[str, np.ndarray] = {"y_true": y_true}
    for k in range(N_CLASSES):
        columns[f"p_{k}"] = np.ascontiguousarray(logits[:, k])
    return pa.table(columns)


CHUNKS: dict[str, Callable[[np.random.Generator, int], pa.Table]] = {
    "regression": regression_chunk,
    "binary": binary_chunk,
    "multiclass": multiclass_chunk,
}


def chunks(kind: str, rows: int) -> Iterator[pa.Table]:
    """The file's rows as tables of at most ``CHUNK_ROWS`` rows, each seeded by its index."""
    for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
        yield CHUNKS[kind](_rng(kind, index), min(CHUNK_ROWS, rows - start))


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".rows")


def rows_on_disk(path: Path) -> int | None:
    """Rows of a complete file written by this module, or None when absent or unfinished."""
    if not path.exists():
        return None
    if path.suffix == ".parquet":
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            return None
    try:
        return int(_marker(path).read_text().strip())
    except (OSError, ValueError):
        return None


def write_file(kind: str, rows: int, fmt: str, path: Path) -> None:
    """Write the file chunk by chunk to a temporary name, then move it into place."""
    tmp = path.with_name(path.name + ".tmp")
    schema = CHUNKS[kind](_rng(kind, 0), 1).schema
    if fmt == "parquet":
        with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
            for table in chunks(kind, rows):
                writer.write_table(table, row_group_size=CHUNK_ROWS)
    else:
        with pacsv.CSVWriter(tmp, schema) as writer:
            for table in chunks(kind, rows):
                writer.write_table(table)
    os.replace(tmp, path)
    if fmt == "csv":
        _marker(path).write_text(f"{rows}\n")


def ensure(kind: str, rows: int, fmt: str, data_dir: Path = DEFAULT_DIR) -> Path:
    """Return the path of the file, generating it unless it already has ``rows`` rows."""
    if kind not in CHUNKS:
        raise ValueError(f"unknown kind {kind!r} (valid: {', '.join(KINDS)})")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (valid: {', '.join(FORMATS)})")
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_path(data_dir, kind, rows, fmt)
    if rows_on_disk(path) == rows:
        return path
    start = time.perf_counter()
    print(f"generating {path} ({rows:,} rows)...", file=sys.stderr, flush=True)
    write_file(kind, rows, fmt, path)
    size_mb = path.stat().st_size / 1e6
    elapsed = time.perf_counter() - start
    print(f"  wrote {size_mb:,.0f} MB in {elapsed:.1f} s", file=sys.stderr, flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10M", help="row count, e.g. 10M (default 10M)")
    parser.add_argument("--kinds", default="regression", help=f"comma list of {', '.join(KINDS)}")
    parser.add_argument("--formats", default="csv,parquet", help="comma list of csv, parquet")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    rows = parse_rows(args.rows)
    for kind in args.kinds.split(","):
        for fmt in args.formats.split(","):
            print(ensure(kind.strip(), rows, fmt.strip(), args.data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
