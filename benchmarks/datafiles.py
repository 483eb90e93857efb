"""Names and sizes of the benchmark data files (standard library only, so cheap to import)."""

from __future__ import annotations

from pathlib import Path

KINDS = ("regression", "binary", "multiclass")
FORMATS = ("csv", "parquet")
N_CLASSES = 10
DEFAULT_DIR = Path(__file__).resolve().parent / "data"


def parse_rows(text: str) -> int:
    """Parse a row count such as ``10M``, ``500K``, ``1_000_000`` or ``2.5M``."""
    text = text.strip().replace("_", "").upper()
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    rows = round(float(number) * scale)
    if rows <= 0:
        raise ValueError(f"row count must be positive: {text!r}")
    return rows


def rows_label(rows: int) -> str:
    """Short label for a row count: ``10M``, ``500K`` or the plain number."""
    for scale, suffix in ((1_000_000, "M"), (1_000, "K")):
        if rows % scale == 0:
            return f"{rows // scale}{suffix}"
    return str(rows)


def data_path(data_dir: Path, kind: str, rows: int, fmt: str) -> Path:
    return data_dir / f"{kind}_{rows_label(rows)}.{fmt}"
