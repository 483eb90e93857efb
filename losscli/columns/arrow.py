"""Arrow arrays to numpy and back, read straight from the Arrow buffers: `Array.to_numpy` and
`pa.array` would import pandas (0.1-0.3 s) on the hot path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.errors import InputError

_NUMPY_TYPES = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
    pa.float16(): np.float16,
    pa.float32(): np.float32,
    pa.float64(): np.float64,
}


def compute() -> Any:
    """pyarrow.compute, imported on first use: numeric columns never need it (it costs 20 ms)."""
    import pyarrow.compute

    return pyarrow.compute


def is_numeric(dtype: pa.DataType) -> bool:
    """Integer, float, boolean or null: read through numpy."""
    return bool(dtype in _NUMPY_TYPES or pa.types.is_boolean(dtype) or pa.types.is_null(dtype))


def is_text(dtype: pa.DataType) -> bool:
    """A string type, or a dictionary of strings."""
    if pa.types.is_dictionary(dtype):
        return is_text(dtype.value_type)
    return bool(
        pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_string_view(dtype)
    )


def is_list(dtype: pa.DataType) -> bool:
    """A list, large list or fixed-size list type."""
    return bool(
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    )


def to_float64(array: pa.Array) -> np.ndarray:
    """float64 values of a numeric Arrow array, NaN where null.

    Read straight from the Arrow buffers: `Array.to_numpy` would import pandas (0.1-0.3 s).
    """
    n = len(array)
    dtype = array.type
    if n == 0:
        return np.zeros(0)
    if pa.types.is_null(dtype):
        return np.full(n, np.nan)
    if pa.types.is_boolean(dtype):
        bits = np.unpackbits(np.frombuffer(array.buffers()[1], dtype=np.uint8), bitorder="little")
        values = bits[array.offset : array.offset + n].astype(np.float64)
    elif dtype in _NUMPY_TYPES:
        kind = np.dtype(_NUMPY_TYPES[dtype])
        values = np.frombuffer(
            array.buffers()[1], dtype=kind, count=n, offset=array.offset * kind.itemsize
        )
        if kind != np.float64:
            values = values.astype(np.float64)
    else:  # decimals, dictionary-decoded oddities
        return to_float64(compute().cast(array, pa.float64()))
    if array.null_count:
        values = values.copy() if not values.flags.writeable else values
        values[~valid_mask(array)] = np.nan
    return values


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a numeric array without nulls in their own numpy type, read from the Arrow
    buffers (chunk by chunk for a ChunkedArray); other arrays through `to_numpy`."""
    if isinstance(array, pa.ChunkedArray):
        parts = [to_numpy(chunk) for chunk in array.chunks]
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else to_numpy(pa.nulls(0, array.type))
    if array.type not in _NUMPY_TYPES or array.null_count:
        return np.asarray(array.to_numpy(zero_copy_only=False))
    kind = np.dtype(_NUMPY_TYPES[array.type])
    if not len(array):
        return np.zeros(0, dtype=kind)
    return np.frombuffer(
        array.buffers()[1], dtype=kind, count=len(array), offset=array.offset * kind.itemsize
    )


def from_numpy(values: np.ndarray) -> pa.Array:
    """A 1-d numeric numpy array as an Arrow array (built from buffers: no pandas import).

    >>> from_numpy(np.array([3, 1, 2])).to_pylist()
    [3, 1, 2]
    """
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(
        pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)]
    )


def valid_mask(array: pa.Array) -> np.ndarray:
    """True where the array holds a value (from its validity bitmap)."""
    n = len(array)
    if array.null_count == 0:
        return np.ones(n, dtype=bool)
    if array.null_count == n or array.buffers()[0] is None:
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + n].astype(bool)


def bool_array(mask: np.ndarray) -> pa.Array:
    """A numpy mask as an Arrow boolean array (built from buffers: no pandas import)."""
    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def string_array(values: Sequence[str]) -> pa.Array:
    """Python strings as an Arrow string array (built from buffers: no pandas import)."""
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def distinct(array: pa.Array, limit: int = 64) -> list[Any]:
    """Up to limit + 1 distinct values of a column (numeric columns through numpy)."""
    if is_numeric(array.type):
        values = to_float64(array)
        # sorted, then the first of each run: np.unique's masked-array check imports numpy.ma
        ordered = np.sort(values[~np.isnan(values)])
        first = np.empty(ordered.size, dtype=bool)
        first[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        out: list[Any] = ordered[first][: limit + 1].tolist()
        return out
    pc = compute()
    unique = pc.unique(array.drop_null() if array.null_count else array)
    return list(unique[: limit + 1].to_pylist())


def float_column(array: pa.Array, column: str, file: str, offset: int = 0) -> np.ndarray:
    """A numeric (or numeric-text) column as float64; nulls become NaN. `offset` is the rows of
    `file` before this array, for the row an error names."""
    dtype = array.type
    if pa.types.is_dictionary(dtype):
        array = array.dictionary_decode()
        dtype = array.type
    if is_text(dtype):
        try:
            array = compute().cast(array, pa.float64())
        except pa.ArrowInvalid:
            text = np.asarray(array.to_pylist(), dtype=object)
            row = _first_non_numeric(text)
            raise InputError(
                f"non-numeric value {text[row]!r}", file=file, column=column, row=offset + row + 1
            ) from None
        dtype = array.type
    if not (
        pa.types.is_floating(dtype)
        or pa.types.is_integer(dtype)
        or pa.types.is_decimal(dtype)
        or pa.types.is_boolean(dtype)
        or pa.types.is_null(dtype)
    ):
        raise InputError(f"column of type {dtype} is not numeric", file=file, column=column)
    return to_float64(array)


def float_columns(
    batch: pa.RecordBatch, columns: Sequence[str], file: str, offset: int = 0
) -> np.ndarray:
    """Several numeric columns as one (n, K) float64 array, stored column by column (Fortran
    order): K contiguous copies to make, and sums over a row's K values (axis=1) add K
    contiguous rows instead of striding through n short ones, about 15x faster for K = 5."""
    return np.stack([float_column(batch.column(c), c, file, offset) for c in columns]).T


def _first_non_numeric(text: np.ndarray) -> int:
    """On the error path only: the first value that is not a number."""
    for i, value in enumerate(text):
        try:
            if value is not None:
                float(value)
        except (TypeError, ValueError):
            return i
    return 0
