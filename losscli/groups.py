"""Group keys and per-group sums as arrays: a vectorised, streaming group-by.

`GroupKeys` gives every distinct key tuple of the `--by` columns a global id 0..G-1, in order of
first appearance, across batches: each column's values get a global code (nulls and NaN are one
value each, as in `pyarrow.compute.dictionary_encode`), and the codes of several columns are
combined pairwise, (id so far, next code) -> id, so no product of cardinalities ever overflows.
The lookups are hash lookups in Arrow (`index_in`); nothing loops over groups in Python.

`GroupSums` holds, per loss, sum(w * l) per group in double-double (hi, lo) so that merging in
any order gives the same value, sum(w), the row counts, and the bootstrap replicate sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

_SHIFT = 32


def _index(values: pa.Array, known: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Positions of `values` (distinct) in `known`, appending the new ones; returns the
    positions and the grown `known`."""
    import pyarrow.compute as pc

    if len(known) == 0:
        return np.arange(len(values), dtype=np.int64), values
    found = pc.index_in(values, value_set=known, skip_nulls=False)
    missing = np.asarray(found.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    pos = found.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    if missing.any():
        pos[missing] = len(known) + np.arange(int(missing.sum()), dtype=np.int64)
        known = pa.concat_arrays([known, values.filter(pa.array(missing))])
    return pos, known


def _codes(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Per-row codes into the distinct values of `array` (nulls and NaN one value each)."""
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if pa.types.is_floating(array.type):  # NaN is a missing key: one group with the nulls
        array = pc.if_else(pc.is_nan(array), pa.scalar(None, array.type), array)
    encoded = pc.dictionary_encode(array, null_encoding="encode")
    idx = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return idx, encoded.dictionary


class GroupKeys:
    """Global ids for the key tuples of `width` columns, growing batch by batch."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.values: list[pa.Array] = [pa.array([], pa.null()) for _ in range(width)]
        self.pairs: list[pa.Array] = [pa.array([], pa.int64()) for _ in range(width)]
        self.count = 0

    def copy(self) -> GroupKeys:
        """An independent copy (the Arrow arrays are immutable and shared)."""
        out = GroupKeys(self.width)
        out.values, out.pairs, out.count = list(self.values), list(self.pairs), self.count
        return out

    def empty(self) -> GroupKeys:
        """A table of the same width with no keys."""
        return GroupKeys(self.width)

    def encode(
        self, columns: Sequence[pa.Array | pa.ChunkedArray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Codes of the rows' distinct key tuples (0..u-1 per row) and each tuple's global id;
        new keys get new ids."""
        local = glob = None
        ids: np.ndarray | None = None
        for j, column in enumerate(columns):
            idx, distinct = _codes(column)
            if not len(self.values[j]):
                self.values[j] = self.values[j].cast(distinct.type)
            elif self.values[j].type != distinct.type:
                distinct = distinct.cast(self.values[j].type)
            pos, self.values[j] = _index(distinct, self.values[j])
            if ids is None and self.width == 1:
                local, glob = idx, pos
            elif ids is None:
                ids = pos[idx]
            else:
                local, glob = self._pair(j, ids, pos[idx])
                ids = glob[local]
        assert local is not None and glob is not None
        self.count = len(self.values[0]) if self.width == 1 else len(self.pairs[-1])
        return local, glob

    def _pair(self, j: int, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Batch codes and dense global ids of the pairs (left, right), both < 2**32, kept in
        self.pairs[j]."""
        if max(int(left.max(initial=0)), int(right.max(initial=0))) >> _SHIFT:
            raise OverflowError("more than 2**32 distinct values in a --by column")
        idx, distinct = _codes(pa.array((left << _SHIFT) | right))
        pos, self.pairs[j] = _index(distinct, self.pairs[j])
        return idx, pos

    def columns(self) -> list[pa.Array]:
        """The key values of groups 0..G-1, one array per column."""
        if self.width == 1:
            return [self.values[0]]
        ids = np.arange(self.count, dtype=np.int64)
        out: list[pa.Array] = []
        for j in range(self.width - 1, 0, -1):
            pairs = self.pairs[j].to_numpy(zero_copy_only=False)[ids]
            out.append(self.values[j].take(pa.array(pairs & ((1 << _SHIFT) - 1))))
            ids = pairs >> _SHIFT
        out.append(self.values[0].take(pa.array(ids)))
        return out[::-1]

    def tuples(self) -> list[tuple]:
        """The key tuples of groups 0..G-1 (Python values)."""
        return list(zip(*(c.to_pylist() for c in self.columns()), strict=True))


def two_sum(hi: np.ndarray, lo: np.ndarray, x: np.ndarray) -> None:
    """(hi, lo) += x in place, exactly (Knuth's two-sum; lo gathers the rounding errors)."""
    s = hi + x
    b = s - hi
    err = (hi - (s - b)) + (x - b)
    hi[:] = s
    lo += err


def _grow(a: np.ndarray, size: int) -> np.ndarray:
    if a.shape[-1] >= size:
        return a
    shape = (*a.shape[:-1], max(size, 2 * a.shape[-1]))
    out = np.zeros(shape, dtype=a.dtype)
    out[..., : a.shape[-1]] = a
    return out


@dataclass
class GroupSums:
    """Per group id: sum(w * l) per loss and sum(w) as (hi, lo) pairs, row counts and the
    bootstrap replicate sums (replicates in the last axis... groups first)."""

    labels: list[str]
    size: int = 0
    wl: dict[str, np.ndarray] = field(default_factory=dict)  # (2, capacity)
    w: np.ndarray = field(default_factory=lambda: np.zeros((2, 0)))
    n: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    boot_wl: dict[str, np.ndarray] = field(default_factory=dict)  # (B, capacity)
    boot_w: np.ndarray | None = None

    def resize(self, size: int, replicates: int = 0) -> None:
        """Room for `size` groups (new groups start at zero)."""
        self.size = max(self.size, size)
        self.w = _grow(self.w, size)
        self.n = _grow(self.n, size)
        for label in self.labels:
            self.wl[label] = _grow(self.wl.get(label, np.zeros((2, 0))), size)
            if replicates:
                self.boot_wl[label] = _grow(
                    self.boot_wl.get(label, np.zeros((replicates, 0))), size
                )
        if replicates:
            self.boot_w = _grow(
                np.zeros((replicates, 0)) if self.boot_w is None else self.boot_w, size
            )

    def copy(self) -> GroupSums:
        """An independent copy."""
        return GroupSums(
            list(self.labels),
            self.size,
            {k: v.copy() for k, v in self.wl.items()},
            self.w.copy(),
            self.n.copy(),
            {k: v.copy() for k, v in self.boot_wl.items()},
            None if self.boot_w is None else self.boot_w.copy(),
        )

    def add_at(self, ids: np.ndarray, other: GroupSums) -> None:
        """Fold `other`'s groups 0..other.size-1 into these at `ids` (distinct)."""
        m = other.size
        replicates = 0 if other.boot_w is None else other.boot_w.shape[0]
        self.resize(int(ids.max(initial=-1)) + 1, replicates)
        for label in self.labels:
            _add_pair(self.wl[label], ids, other.wl[label][:, :m])
            if replicates:
                self.boot_wl[label][:, ids] += other.boot_wl[label][:, :m]
        _add_pair(self.w, ids, other.w[:, :m])
        self.n[ids] += other.n[:m]
        if replicates:
            assert self.boot_w is not None and other.boot_w is not None
            self.boot_w[:, ids] += other.boot_w[:, :m]

    def total(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """sum(w * l) and sum(w) of every group, each rounded once."""
        wl, w = self.wl[label][:, : self.size], self.w[:, : self.size]
        return wl[0] + wl[1], w[0] + w[1]


def _add_pair(target: np.ndarray, ids: np.ndarray, pair: np.ndarray) -> None:
    hi, lo = target[0, ids], target[1, ids]
    two_sum(hi, lo, pair[0])
    two_sum(hi, lo, pair[1])
    target[0, ids], target[1, ids] = hi, lo
