"""`--per-row FILE` for a paired comparison: each matched row's key columns (or its row number
in the candidate input), then per loss the candidate's loss, the baseline's and their
difference. Written to a temporary file and renamed into place when complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.errors import UsageError
from losscli.write import current_umask


class PairedRowWriter:
    """Columns: row (1-based among the candidate's rows read), the key columns, then
    LABEL_candidate, LABEL_baseline, LABEL_difference per loss."""

    def __init__(self, path: str, labels: Sequence[str]) -> None:
        from losscli.read import format_of

        kind = format_of(path)
        if kind not in ("csv", "tsv", "parquet"):
            raise UsageError(f"--per-row writes .csv, .tsv or .parquet, not '{path}'")
        self.path, self.kind, self.labels = path, kind, list(labels)
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
        os.close(fd)
        os.chmod(self.tmp, 0o666 & ~current_umask())
        self.writer: Any = None
        self.done = False

    def write(
        self,
        rowid: np.ndarray,
        keys: pa.Table | None,
        candidate: dict[str, np.ndarray],
        baseline: dict[str, np.ndarray],
    ) -> None:
        """Append one block of matched rows."""
        columns: dict[str, Any] = {"row": rowid + 1}
        if keys is not None:
            for name in keys.column_names:
                columns[name] = keys.column(name)
        for label in self.labels:
            columns[f"{label}_candidate"] = candidate[label]
            columns[f"{label}_baseline"] = baseline[label]
            columns[f"{label}_difference"] = candidate[label] - baseline[label]
        table = pa.table(columns)
        if self.writer is None:
            self.writer = self._open(table.schema)
        self.writer.write_table(table)

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
        self.done = True

    def abort(self) -> None:
        """Drop the partial file unless it was completed (the target is left as it was)."""
        if self.done:
            return
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)
