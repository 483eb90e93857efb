"""The one way output leaves the process: stdout, an atomically written file, or the streamed
--per-row file (written beside its target and renamed into place, so a failed run leaves none)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from losscli.errors import UsageError

if TYPE_CHECKING:  # numpy and pyarrow load with the first --per-row file, not with the CLI
    import numpy as np
    import pyarrow as pa

    from losscli.columns import Arrays
    from losscli.read import Source


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, 0o666 & ~current_umask())
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def emit(text: str, output: str | os.PathLike | None = None) -> None:
    """Send rendered data to `output` (atomically) or to stdout, ending with one newline."""
    if not text.endswith("\n"):
        text += "\n"
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)


class PerRowWriter:
    """--per-row FILE: each row's loss beside its file, row number and key columns (atomic).

    Columns: file, row (1-based within its file), the `key_columns`, then one column per loss
    label (named loss_LABEL where a label would repeat a key column's name).
    """

    def __init__(self, path: str, key_columns: Sequence[str], labels: Sequence[str]) -> None:
        from losscli.read import format_of

        self.path = path
        kind = format_of(path)
        if kind not in ("csv", "tsv", "parquet"):
            raise UsageError(f"--per-row writes .csv, .tsv or .parquet, not '{path}'")
        self.kind = kind
        self.key_columns = list(dict.fromkeys(key_columns))
        self.labels = list(labels)
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
        os.close(fd)
        os.chmod(self.tmp, 0o666 & ~current_umask())
        self.writer: Any = None

    def write(
        self,
        source: Source,
        offset: int,
        batch: pa.RecordBatch,
        arrays: Arrays,
        values: dict[str, np.ndarray],
    ) -> None:
        """Append one batch's rows (those `arrays.keep` kept) with their per-row losses."""
        import numpy as np
        import pyarrow as pa

        from losscli.columns import bool_array

        rows = np.arange(offset + 1, offset + 1 + batch.num_rows, dtype=np.int64)
        if arrays.keep is not None:
            rows = rows[arrays.keep]
        table: dict[str, Any] = {
            "file": pa.array([source.label] * len(rows), pa.string()),
            "row": rows,
        }
        for key in self.key_columns:
            column = batch.column(key)
            table[key] = column if arrays.keep is None else column.filter(bool_array(arrays.keep))
        for label in self.labels:
            table[f"loss_{label}" if label in table else label] = values[label]
        out = pa.table(table)
        if self.writer is None:
            self.writer = self._open(out.schema)
        self.writer.write_table(out)

    def _open(self, schema: pa.Schema) -> Any:
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetWriter(self.tmp, schema)
        import pyarrow.csv as pacsv

        options = pacsv.WriteOptions(delimiter="\t" if self.kind == "tsv" else ",")
        return pacsv.CSVWriter(self.tmp, schema, write_options=options)

    def close(self) -> None:
        """Finish the file and rename it into place."""
        if self.writer is not None:
            self.writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Drop the partial file (the target is left as it was)."""
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)
