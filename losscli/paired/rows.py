"""`--per-row FILE` for a paired comparison: each matched row's key columns (or its row number
in the candidate input), then per loss the candidate's loss, the baseline's and their
difference. Written as a `write.TableFile`, by the same output rules as `compute --per-row`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.write import TableFile


class PairedRowWriter:
    """Columns: row (1-based among the candidate's rows read), the key columns, then
    LABEL_candidate, LABEL_baseline, LABEL_difference per loss. `inputs`: the run's input
    files, never written."""

    def __init__(self, path: str, labels: Sequence[str], inputs: Sequence[str] = ()) -> None:
        self.file = TableFile(path, inputs)
        self.path, self.labels = path, list(labels)

    @property
    def tmp(self) -> str | None:
        """The temporary file being written (None for a stream target)."""
        return self.file.tmp

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
        self.file.write(pa.table(columns))

    def close(self) -> None:
        """Finish the file and put it into place."""
        self.file.close()

    def abort(self) -> None:
        """Drop the partial file, unless it was completed (the target is left as it was)."""
        self.file.abort()
