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

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.columns.arrow import to_float64, to_numpy, valid_mask
from losscli.errors import InputError

_SHIFT = 32


def to_arrow(values: np.ndarray) -> pa.Array:
    """A numpy array of int64, float64 or bool as an Arrow array (sharing the numbers' memory),
    without the pandas import `pyarrow.array` makes."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    kind = {"i": pa.int64(), "f": pa.float64()}[values.dtype.kind]
    values = values.astype(np.int64 if values.dtype.kind == "i" else np.float64, copy=False)
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


class KeyTypeError(InputError):
    """A `--by` column whose values change kind between inputs (text in one file, numbers in
    the next): its keys cannot be compared. `column` is the column's position in `--by` until
    the caller names it."""

    def __init__(self, index: int, old: pa.DataType, new: pa.DataType, first: str) -> None:
        self.index, self.old, self.new, self.first = index, old, new, first
        super().__init__(self.text(f"#{index + 1}"), hint="give the column one type in every input")

    def text(self, name: str) -> str:
        """The message, naming the column."""
        where = f" in {self.first}" if self.first else " before"
        return (
            f"--by {name} holds {self.new} values here but {self.old} values{where}: "
            "its groups cannot be matched"
        )

    def name(self, column: str) -> None:
        """Name the column in the message."""
        self.message = self.text(column)
        self.args = (self.message,)


def _int_keys(array: pa.Array) -> np.ndarray | None:
    """The values of `array` as int64 with the same equality (floats by their bits: Arrow
    tells -0.0 from 0.0 too), nulls as 0; None for a type without such a form (text). Read
    from the Arrow buffers (`to_numpy` and `fill_null` would import pandas)."""
    kind = array.type
    if pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        values = to_float64(array)
        if array.null_count:
            values = np.where(valid_mask(array), values, 0.0)
        if pa.types.is_boolean(kind):
            return values.astype(np.int64)
        return np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    if pa.types.is_temporal(kind) and not pa.types.is_interval(kind):
        array = array.view(pa.int32() if kind.bit_width == 32 else pa.int64())
    elif not pa.types.is_integer(kind):
        return None
    kind = array.type
    dtype = np.dtype(
        ("u" if pa.types.is_unsigned_integer(kind) else "i") + str(kind.bit_width // 8)
    )
    if not len(array):
        return np.zeros(0, dtype=np.int64)
    values = np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    ).astype(np.int64, copy=False)
    if array.null_count:
        values = np.where(valid_mask(array), values, 0)
    return values


class _Lookup:
    """Global ids of one column's distinct values, kept across batches: small non-negative
    integers in a direct table (`dense[value]` is the id, -1 unknown; int32, so that a
    million slots fit the cache), other int64 forms in a sorted array searched with
    `searchsorted` (new values merged in), text in a dict."""

    #: The direct table may hold this many slots, or 4 per known value if more.
    DENSE = 1 << 21

    def __init__(self) -> None:
        self.dense: np.ndarray | None = np.full(0, -1, dtype=np.int32)
        self.sorted = np.empty(0, dtype=np.int64)
        self.ids = np.empty(0, dtype=np.int64)
        self.table: dict[Any, int] = {}
        self.null = -1
        self._first: np.ndarray | None = None  # scratch for first_seen: no row, as len(dense)

    def first_seen(self, values: np.ndarray) -> np.ndarray:
        """The distinct values among `values` (which fit the direct table) in order of first
        appearance: each value's first row is found with np.minimum.at, no sort."""
        assert self.dense is not None
        rows = np.arange(len(values), dtype=np.int64)
        none = np.iinfo(np.int64).max
        if self._first is None or len(self._first) < len(self.dense):
            self._first = np.full(len(self.dense), none, dtype=np.int64)
        first = self._first
        np.minimum.at(first, values, rows)
        fresh = values[first[values] == rows]
        first[fresh] = none  # the scratch is clean again
        return fresh

    def find(self, distinct: pa.Array, start: int) -> np.ndarray:
        """Ids of the (distinct) values; unknown ones get start, start + 1, ... in order."""
        keys = _int_keys(distinct)
        if keys is None:
            return self._find_text(distinct, start)
        nulls = ~valid_mask(distinct)
        valid = keys[~nulls]
        if self.dense is not None and not self._fits(valid, start + len(keys)):
            known = np.flatnonzero(self.dense >= 0)
            self.sorted, self.ids = known, self.dense[known].astype(np.int64)
            self.dense = None
        found = np.full(len(keys), -1, dtype=np.int64)
        if self.dense is not None:
            found[~nulls] = self.dense[valid]
        elif len(self.sorted):
            pos = np.minimum(np.searchsorted(self.sorted, keys), len(self.sorted) - 1)
            hit = (self.sorted[pos] == keys) & ~nulls
            found[hit] = self.ids[pos[hit]]
        found[nulls] = self.null
        new = found < 0
        found[new] = start + np.arange(int(new.sum()), dtype=np.int64)
        if nulls.any():
            self.null = int(found[nulls][0])
        add = new & ~nulls
        if add.any() and self.dense is not None:
            self.dense[keys[add]] = found[add]
        elif add.any():
            order = np.argsort(keys[add], kind="stable")
            values, ids = keys[add][order], found[add][order]
            at = np.searchsorted(self.sorted, values)
            self.sorted = np.insert(self.sorted, at, values)
            self.ids = np.insert(self.ids, at, ids)
        return found

    def _fits(self, keys: np.ndarray, count: int) -> bool:
        """Whether the direct table takes these keys (growing it if needed)."""
        assert self.dense is not None
        if not len(keys):
            return True
        low, high = int(keys.min()), int(keys.max())
        if low < 0 or high >= max(self.DENSE, 4 * count) or count >= 1 << 31:
            return False
        if high >= len(self.dense):
            grown = np.full(max(high + 1, 2 * len(self.dense)), -1, dtype=np.int32)
            grown[: len(self.dense)] = self.dense
            self.dense = grown
        return True

    def _find_text(self, distinct: pa.Array, start: int) -> np.ndarray:
        table = self.table
        found = np.fromiter(
            (table.get(v, -1) for v in distinct.to_pylist()), np.int64, len(distinct)
        )
        new = found < 0
        found[new] = start + np.arange(int(new.sum()), dtype=np.int64)
        added = distinct.filter(to_arrow(new)).to_pylist()
        table.update(zip(added, found[new].tolist(), strict=True))
        return found


def _index(values: pa.Array, known: pa.Array, lookup: _Lookup) -> tuple[np.ndarray, pa.Array]:
    """Positions of `values` (distinct) in `known`, appending the new ones; returns the
    positions and the grown `known`."""
    pos = lookup.find(values, len(known))
    new = pos >= len(known)
    if new.any():
        known = pa.concat_arrays([known, values.filter(to_arrow(new))])
    return pos, known


def _rebuilt(known: pa.Array) -> _Lookup:
    """A lookup of `known` (distinct values, ids their positions)."""
    lookup = _Lookup()
    if len(known) and not pa.types.is_null(known.type):
        lookup.find(known, 0)
    elif len(known):
        lookup.null = 0
    return lookup


def _codes(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Per-row codes into the distinct values of `array` (nulls and NaN one value, -0.0 and
    0.0 one value, as numbers compare)."""
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if pa.types.is_floating(array.type):  # NaN is a missing key: one group with the nulls
        zero = pa.nulls(1, array.type).fill_null(0)[0]  # -0.0 + 0.0 is 0.0: one group
        array = pc.if_else(pc.is_nan(array), pa.nulls(1, array.type)[0], pc.add(array, zero))
    encoded = pc.dictionary_encode(array, null_encoding="encode")
    idx = to_numpy(encoded.indices).astype(np.int64)
    return idx, encoded.dictionary


def _kind(kind: pa.DataType) -> str:
    """The kind of values a key type holds: keys of one kind cast to each other."""
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    if pa.types.is_null(kind):
        return "null"
    return str(kind)


def _unify(known: pa.Array, distinct: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Known values and a batch's distinct values in one type: the known type, float64 when
    integers meet floats or floats of two widths meet, integers widened; KeyTypeError's parts
    (as TypeError) when the kinds differ or a value has no exact form in the common type."""
    old, new = known.type, distinct.type
    if _kind(old) != _kind(new) and not (pa.types.is_null(old) or pa.types.is_null(new)):
        raise TypeError(old, new)
    if pa.types.is_null(new):
        return known, distinct.cast(old)
    if pa.types.is_null(old):
        return known.cast(new), distinct
    try:
        plain = [pa.types.is_integer(old) or pa.types.is_floating(old)]
        plain += [pa.types.is_integer(new) or pa.types.is_floating(new)]
        if all(plain) and (pa.types.is_floating(old) or pa.types.is_floating(new)):
            # float64 holds float32 values exactly: a cast to float32 would merge keys
            return known.cast(pa.float64()), distinct.cast(pa.float64())
        if pa.types.is_integer(old) and pa.types.is_integer(new):
            return _widened(known, distinct)
        return known, distinct.cast(old)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # beyond the type: another key
        raise TypeError(old, new) from None


def _widened(known: pa.Array, distinct: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Integers of two types in the narrowest of the known type, the batch's and int64 that
    holds both (ArrowInvalid when none does)."""
    for kind in (known.type, distinct.type, pa.int64()):
        try:
            return known.cast(kind), distinct.cast(kind)
        except pa.ArrowInvalid:
            continue
    raise pa.ArrowInvalid(f"no integer type holds {known.type} and {distinct.type} values")


class GroupKeys:
    """Global ids for the key tuples of `width` columns, growing batch by batch."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._values: list[pa.Array] = [pa.nulls(0) for _ in range(width)]
        # new values found by the direct table, appended to _values when next read
        self._fresh: list[list[np.ndarray]] = [[] for _ in range(width)]
        self._sizes = [0] * width  # how many values each column has
        self.pairs: list[pa.Array] = [pa.nulls(0, pa.int64()) for _ in range(width)]
        self.lookups = [_Lookup() for _ in range(width)]
        self.pair_lookups = [_Lookup() for _ in range(width)]
        self.sources = [""] * width  # where each column's type was first seen
        self.count = 0

    @property
    def values(self) -> list[pa.Array]:
        """The distinct values of each column, in id order."""
        for j, fresh in enumerate(self._fresh):
            if fresh:
                known = self._values[j]
                added = to_arrow(np.concatenate(fresh)).cast(known.type)
                self._values[j], self._fresh[j] = pa.concat_arrays([known, added]), []
        return self._values

    def _set(self, j: int, values: pa.Array) -> None:
        """Column j's distinct values are now `values` (none waiting)."""
        self._values[j], self._fresh[j], self._sizes[j] = values, [], len(values)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the lookups (rebuilt from the values when needed)."""
        self.values  # noqa: B018 (appends the waiting values)
        state = dict(self.__dict__)
        state["lookups"] = state["pair_lookups"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lookups = [_rebuilt(v) for v in self.values]
        self.pair_lookups = [_rebuilt(v) for v in self.pairs]

    def copy(self) -> GroupKeys:
        """An independent copy (the Arrow arrays are immutable and shared)."""
        out = GroupKeys(self.width)
        for j, values in enumerate(self.values):
            out._set(j, values)
        out.pairs, out.count = list(self.pairs), self.count
        out.lookups = [_rebuilt(v) for v in self.values]
        out.pair_lookups = [_rebuilt(v) for v in self.pairs]
        out.sources = list(self.sources)
        return out

    def empty(self) -> GroupKeys:
        """A table of the same width with no keys."""
        return GroupKeys(self.width)

    def encode(self, columns: Sequence[pa.Array | pa.ChunkedArray], source: str = "") -> np.ndarray:
        """The global id of every row's key tuple (int64); new keys get new ids, in order of
        first appearance. `source` names the input in a KeyTypeError."""
        ids: np.ndarray | None = None
        for j, column in enumerate(columns):
            codes = self._direct(j, column, source)
            if codes is None:
                idx, distinct = _codes(column)
                distinct = self._typed(j, distinct, source)
                pos, known = _index(distinct, self.values[j], self.lookups[j])
                self._set(j, known)
                codes = pos[idx]
            ids = codes if ids is None else self._pair(j, ids, codes)
        assert ids is not None
        self.count = self._sizes[0] if self.width == 1 else len(self.pairs[-1])
        return ids

    def _direct(self, j: int, column: pa.Array | pa.ChunkedArray, source: str) -> np.ndarray | None:
        """Each row's value id for an integer column without nulls whose values fit the direct
        table (a gather, no hashing of the batch); None for any other column."""
        lookup, known, size = self.lookups[j], self._values[j], self._sizes[j]
        kind = column.type
        if lookup.dense is None or not pa.types.is_integer(kind) or column.null_count:
            return None
        if known.type != kind and (size or not pa.types.is_null(known.type)):
            return None
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        values = _int_keys(column)
        if values is None or not lookup._fits(values, size + len(values)):
            return None
        assert lookup.dense is not None
        ids = lookup.dense[values]
        new = ids < 0
        if new.any():
            added = values[new]
            fresh = lookup.first_seen(added)
            lookup.dense[fresh] = size + np.arange(len(fresh), dtype=np.int32)
            ids[new] = lookup.dense[added]
            if pa.types.is_null(known.type):
                self._values[j], self.sources[j] = known.cast(kind), source
            self._fresh[j].append(fresh)
            self._sizes[j] += len(fresh)
        return ids.astype(np.int64)

    def _typed(self, j: int, distinct: pa.Array, source: str) -> pa.Array:
        """The batch's distinct values of column j in the known values' type."""
        known = self.values[j]
        if known.type == distinct.type:
            return distinct
        if pa.types.is_null(known.type):
            self.sources[j] = source
        try:
            unified, distinct = _unify(known, distinct)
        except TypeError:
            raise KeyTypeError(j, known.type, distinct.type, self.sources[j]) from None
        if unified.type != known.type:
            self._set(j, unified)
            self.lookups[j] = _rebuilt(unified)
        return distinct

    def _pair(self, j: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Dense global ids of the pairs (left, right), both < 2**32, kept in self.pairs[j]."""
        if max(int(left.max(initial=0)), int(right.max(initial=0))) >> _SHIFT:
            raise OverflowError("more than 2**32 distinct values in a --by column")
        idx, distinct = _codes(to_arrow((left << _SHIFT) | right))
        pos, self.pairs[j] = _index(distinct, self.pairs[j], self.pair_lookups[j])
        return pos[idx]

    def columns(self) -> list[pa.Array]:
        """The key values of groups 0..G-1, one array per column."""
        if self.width == 1:
            return [self.values[0]]
        ids = np.arange(self.count, dtype=np.int64)
        out: list[pa.Array] = []
        for j in range(self.width - 1, 0, -1):
            pairs = to_numpy(self.pairs[j])[ids]
            out.append(self.values[j].take(to_arrow(pairs & ((1 << _SHIFT) - 1))))
            ids = pairs >> _SHIFT
        out.append(self.values[0].take(to_arrow(ids)))
        return out[::-1]

    def key_order(self) -> np.ndarray | None:
        """The group ids in ascending key order, nulls last, read from the lookup table of a
        single integer column (no sort); None where that takes a sort."""
        known, lookup = self.values[0], self.lookups[0]
        kind = known.type
        if self.width != 1 or not pa.types.is_integer(kind) or pa.types.is_uint64(kind):
            return None
        if lookup.dense is not None:
            present = np.flatnonzero(lookup.dense >= 0)
            order = lookup.dense[present].astype(np.int64)
        else:
            order = lookup.ids
        if lookup.null >= 0:
            order = np.append(order, lookup.null)
        return order if len(order) == self.count else None

    def tuples(self) -> list[tuple]:
        """The key tuples of groups 0..G-1 (Python values)."""
        return list(zip(*(c.to_pylist() for c in self.columns()), strict=True))


def two_sum(hi: np.ndarray, lo: np.ndarray, x: np.ndarray) -> None:
    """(hi, lo) += x in place, exactly (Knuth's two-sum; lo gathers the rounding errors)."""
    s = hi + x
    b = s - hi
    err = np.subtract(s, b)
    np.subtract(hi, err, out=err)  # hi - (s - b)
    np.subtract(x, b, out=b)  # x - b
    err += b
    hi[:] = s
    lo += err


def split(values: np.ndarray, terms: int) -> tuple[np.ndarray, np.ndarray]:
    """values = high + low exactly: every high a multiple of one power of two u, so large that
    any sum of up to `terms` highs is exact in float64 (|sum| < 2**53 u), and |low| <= u / 2.

    A per-group sum of the highs (np.bincount) is then exact, and the lows' sum is small next
    to it, so a group's sum is off by about count * 2**-105 of its largest value: correctly
    rounded in practice, whatever order the rows come in (Rump, Ogita and Oishi's error-free
    extraction, with one u for the whole array). Values beyond float64 when summed go to low
    whole (a plain sum)."""
    peak = max(float(values.max(initial=0.0)), -float(values.min(initial=0.0)))
    bound = peak * max(terms, 1)
    if bound == 0.0 or not math.isfinite(bound):
        return np.zeros_like(values), values
    exponent = math.frexp(bound)[1] - 52  # u = 2**exponent: bound < 2**52 u
    exponent = max(exponent, -1074)
    high = np.ldexp(np.rint(np.ldexp(values, -exponent)), exponent)
    return high, values - high


def _grow_rows(a: np.ndarray, size: int) -> np.ndarray:
    """`a` with room for `size` rows (at least doubled)."""
    if a.shape[0] >= size:
        return a
    out = np.zeros((max(size, 2 * a.shape[0]), *a.shape[1:]), dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


def _grow(a: np.ndarray, size: int, factor: float = 2.0) -> np.ndarray:
    """`a` with room for `size` entries in its last axis (grown by `factor` at least)."""
    if a.shape[-1] >= size:
        return a
    shape = (*a.shape[:-1], max(size, int(factor * a.shape[-1])))
    out = np.zeros(shape, dtype=a.dtype)
    out[..., : a.shape[-1]] = a
    return out


class GroupSums:
    """Per group id: sum(w * l) per loss and sum(w) as double-double (hi, lo) pairs, all in one
    array `sums` of shape (2, slots + 1, capacity) (sum(w) last); the row counts `n`; the
    bootstrap replicate sums (groups first: a group's replicates are one contiguous row).
    `slots[i]` is the row of `sums` that holds label i's sum: losses with the same per-row
    values (mse and rmse) share one.

    Rows come in through `add_rows` and wait in a buffer of up to max(FOLD_ROWS, 2 * groups)
    rows. A fold splits the waiting values (`split`), sums each part per group with
    `np.bincount` (a C loop; the high parts' sums are exact) and two-sums these partial sums
    into (hi, lo) of every group at once: contiguous arrays, no gather or scatter, about two
    folds per `groups` rows. A group's sum is correctly rounded in practice, whatever the
    batches, folds and merges. Reading `sums` or `n` folds the
    waiting rows first; so does pickling. Merging (`add_at`) adds (hi, lo) pairs exactly, so
    partial sums combine in any order to the same value.
    """

    #: The fewest rows the buffer holds before a fold.
    FOLD_ROWS = 1 << 18

    def __init__(
        self, labels: list[str], size: int = 0, slots: Sequence[int] | None = None
    ) -> None:
        self.labels = labels
        self.slots = list(range(len(labels))) if slots is None else list(slots)
        width = max(self.slots, default=-1) + 2  # the slots, then sum(w)
        self.size = size
        self._sums = np.zeros((2, width, size))
        self._n = np.zeros(size, dtype=np.int64)
        self._ids = np.empty(0, dtype=np.int64)  # the waiting rows' group ids
        self._rows = np.empty((width, 0))  # their w * l per slot, then w
        self._waiting = 0
        self._weighted = False  # some waiting row has a weight (else sum(w) is the count)
        self.boot_wl: dict[str, np.ndarray] = {}  # (capacity, B): a group's replicates a row
        self.boot_w: np.ndarray | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with the waiting rows folded in, without the buffer."""
        self.fold()
        state = dict(self.__dict__)
        state["_ids"], state["_rows"] = self._ids[:0], self._rows[:, :0]
        return state

    @property
    def sums(self) -> np.ndarray:
        """(hi, lo) of sum(w * l) per loss and of sum(w), shape (2, losses + 1, capacity)."""
        self.fold()
        self._room()
        return self._sums

    @property
    def n(self) -> np.ndarray:
        """The row count of every group (capacity entries)."""
        self.fold()
        self._room()
        return self._n

    def _room(self) -> None:
        """Sums and counts with room for every group."""
        self._sums = _grow(self._sums, self.size)
        self._n = _grow(self._n, self.size)

    @property
    def wl(self) -> dict[str, np.ndarray]:
        """sum(w * l) per loss label as a (2, capacity) view of `sums`."""
        sums = self.sums
        return {label: sums[:, slot] for label, slot in zip(self.labels, self.slots, strict=True)}

    @property
    def w(self) -> np.ndarray:
        """sum(w) as a (2, capacity) view of `sums`."""
        return self.sums[:, -1]

    def resize(self, size: int, replicates: int = 0) -> None:
        """Room for `size` groups (new groups start at zero). The sums grow when rows are
        folded in (a few times per run), the replicate sums now."""
        self.size = max(self.size, size)
        for label in self.labels:
            if replicates:
                self.boot_wl[label] = _grow_rows(
                    self.boot_wl.get(label, np.zeros((0, replicates))), size
                )
        if replicates:
            self.boot_w = _grow_rows(
                np.zeros((0, replicates)) if self.boot_w is None else self.boot_w, size
            )

    def add_rows(
        self, ids: np.ndarray, values: Sequence[np.ndarray], weight: np.ndarray | None
    ) -> None:
        """Add rows: their group ids (< size), w * l of each slot in order, and their weights w
        (None: 1 each)."""
        m = len(ids)
        if not m:
            return
        if self._waiting + m > len(self._ids):
            self.fold()
            capacity = max(self.FOLD_ROWS, 2 * self.size)
            if len(self._ids) < capacity:
                self._ids = np.empty(capacity, dtype=np.int64)
                self._rows = np.empty((self._sums.shape[1], capacity))
            if m > capacity:  # a batch larger than the buffer is folded as it is
                rows = np.stack([*values, np.ones(m) if weight is None else weight])
                self._fold(ids, rows, weight is not None)
                return
        at = slice(self._waiting, self._waiting + m)
        self._ids[at] = ids
        for i, value in enumerate(values):
            self._rows[i, at] = value
        if weight is not None:
            self._rows[-1, at] = weight
            self._weighted = True
        self._waiting += m

    def fold(self) -> None:
        """Fold the waiting rows into the sums."""
        if self._waiting:
            m, self._waiting = self._waiting, 0
            self._fold(self._ids[:m], self._rows[:, :m], self._weighted)
            self._weighted = False

    def _fold(self, ids: np.ndarray, rows: np.ndarray, weighted: bool) -> None:
        """(hi, lo) += the rows' sums per group, for every group (adding 0 leaves a group's
        (hi, lo) exactly as it is). Each value is split (`split`) so that the sums of the high
        parts are exact and the low parts' sums are tiny: a group's sum comes out correctly
        rounded in practice, whatever the batches and folds."""
        size = self.size
        self._room()
        counts = np.bincount(ids, minlength=size)
        self._n[:size] += counts
        terms = int(counts.max(initial=0))
        for i in range(len(rows)):
            hi, lo = self._sums[0, i, :size], self._sums[1, i, :size]
            if i == len(rows) - 1 and not weighted:
                two_sum(hi, lo, counts.astype(np.float64))  # sum(w) is the count: exact
                continue
            high, low = split(rows[i], terms)
            two_sum(hi, lo, np.bincount(ids, high, minlength=size))
            two_sum(hi, lo, np.bincount(ids, low, minlength=size))

    def copy(self) -> GroupSums:
        """An independent copy."""
        out = GroupSums(list(self.labels), slots=self.slots)
        out.size, out._sums, out._n = self.size, self.sums.copy(), self.n.copy()
        out.boot_wl = {k: v.copy() for k, v in self.boot_wl.items()}
        out.boot_w = None if self.boot_w is None else self.boot_w.copy()
        return out

    def add_at(self, ids: np.ndarray, other: GroupSums) -> None:
        """Fold `other`'s groups 0..other.size-1 into these at `ids` (distinct)."""
        assert self.slots == other.slots, "partial sums of other losses"
        m = other.size
        replicates = 0 if other.boot_w is None else other.boot_w.shape[1]
        self.fold()
        self.resize(int(ids.max(initial=-1)) + 1, replicates)
        self._room()
        pair = other.sums[..., :m]
        if m == self.size and np.array_equal(ids, np.arange(m)):  # every group, in order
            hi, lo = self._sums[0, :, :m], self._sums[1, :, :m]
            two_sum(hi, lo, pair[0])
            if pair[1].any():  # adding 0 leaves (hi, lo) exactly as it is
                two_sum(hi, lo, pair[1])
        else:
            hi, lo = self._sums[0][:, ids], self._sums[1][:, ids]
            two_sum(hi, lo, pair[0])
            if pair[1].any():
                two_sum(hi, lo, pair[1])
            for i in range(len(hi)):  # row by row: numpy scatters a 2-D index slowly
                self._sums[0, i][ids], self._sums[1, i][ids] = hi[i], lo[i]
        self._n[ids] += other.n[:m]
        if replicates:
            assert self.boot_w is not None and other.boot_w is not None
            for label in self.labels:
                self.boot_wl[label][ids] += other.boot_wl[label][:m]
            self.boot_w[ids] += other.boot_w[:m]

    def total(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """sum(w * l) and sum(w) of every group, each rounded once."""
        wl, w = self.wl[label][:, : self.size], self.w[:, : self.size]
        return wl[0] + wl[1], w[0] + w[1]
