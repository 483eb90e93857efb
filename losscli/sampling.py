"""A seeded uniform sample of rows that does not depend on how the input is cut into batches:
what `compare` and `recommend --from` study when an input has more rows than they hold.

Every row gets a 64-bit key, a hash of (seed, row stream, row number): the row stream is a file
or data set, named by its label; the row number counts every row of it, dropped rows included.
The sample is the `limit` rows with the smallest keys (a bottom-k sample: uniform, without
replacement), so it is the same for any batch size, any read-ahead, and any order of batches.
An input of at most `limit` rows is held whole, in file order, as it always was.

The precision of a figure taken on the sample is its standard error from `SE_GROUPS`
interpenetrating subsamples: the sample is split by key into G groups, the figure is taken
again on each, and SE = sd(group figures) / sqrt(G) x sqrt(1 - S / N), the last factor the
finite-population correction of S sampled rows out of N.

>>> import numpy as np
>>> keys = row_keys(0, 7, np.arange(5))
>>> bool((row_keys(0, 7, np.arange(2, 5)) == keys[2:]).all()), len(set(keys.tolist()))
(True, 5)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Rows `compare` and `recommend --from` hold at most: larger inputs are studied on a seeded
#: uniform sample of this many rows (the figures' standard errors are then reported).
SAMPLE_ROWS = 1_000_000
#: Interpenetrating subsamples behind each standard error.
SE_GROUPS = 10
#: The candidates held are cut back to the sample when they exceed this many times its size.
COMPACT_AT = 3
#: Candidate parts (one per batch) joined into one past this many.
_MAX_PARTS = 16
#: Rows hashed at a time (the working arrays stay in the processor's cache).
_CHUNK = 1 << 15
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xD6E8FEB86659FD93)
_SHIFT = np.uint64(32)
#: Row numbers within a stream are below 2**40 in the sample's ordering key.
_POSITION_BITS = 40


def stream_number(label: str) -> int:
    """The number of a row stream (a file or data set) from its label: 64 bits of blake2b."""
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little")


def row_keys(seed: int, stream: int, rows: np.ndarray) -> np.ndarray:
    """The uint64 key of each row number in `rows` of row stream `stream` for `seed`.

    x = (row + salt) x golden, then three rounds of x ^= x >> 32, x *= c (each a bijection of
    64-bit integers, so the rows of one stream never share a key); salt mixes seed and stream.
    """
    rows = np.asarray(rows).astype(np.uint64, copy=False)
    out = np.empty(rows.size, dtype=np.uint64)
    for start in range(0, rows.size, _CHUNK):
        np.copyto(out[start : start + _CHUNK], rows[start : start + _CHUNK])
    return _mix(out, _salt(seed, stream))


def range_keys(seed: int, stream: int, first: int, count: int) -> np.ndarray:
    """`row_keys` of the rows first .. first + count - 1 (no array of row numbers is built).

    >>> import numpy as np
    >>> bool((range_keys(3, 5, 10, 4) == row_keys(3, 5, np.arange(10, 14))).all())
    True
    """
    out = np.empty(count, dtype=np.uint64)
    for start in range(0, count, _CHUNK):
        stop = min(start + _CHUNK, count)
        out[start:stop] = np.arange(first + start, first + stop, dtype=np.uint64)
    return _mix(out, _salt(seed, stream))


def _salt(seed: int, stream: int) -> np.uint64:
    return np.uint64((stream ^ (int(seed) * 0x9E3779B97F4A7C15)) & 0xFFFFFFFFFFFFFFFF)


def _mix(out: np.ndarray, salt: np.uint64) -> np.ndarray:
    """Hash the row numbers in `out` in place, a cache-sized chunk at a time."""
    tmp = np.empty(min(_CHUNK, out.size), dtype=np.uint64)
    for start in range(0, out.size, _CHUNK):
        x = out[start : start + _CHUNK]
        t = tmp[: x.size]
        x += salt
        x *= _GOLDEN
        for _ in range(2):
            np.right_shift(x, _SHIFT, out=t)
            x ^= t
            x *= _MIX
        np.right_shift(x, _SHIFT, out=t)
        x ^= t
    return out


@dataclass(frozen=True)
class SampleInfo:
    """A sample of `rows` rows out of `of`, drawn with `seed`."""

    rows: int
    of: int
    seed: int
    groups: int = SE_GROUPS

    @property
    def correction(self) -> float:
        """The finite-population correction sqrt(1 - S / N)."""
        return math.sqrt(max(0.0, 1.0 - self.rows / self.of))

    def describe(self) -> str:
        """'a seeded sample of 1,000,000 of 50,000,000 rows (seed 0)'."""
        return f"a seeded sample of {self.rows:,} of {self.of:,} rows (seed {self.seed})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "of": self.of,
            "seed": self.seed,
            "method": "uniform without replacement: the rows with the smallest hash of "
            "(seed, file, row)",
            "standard_errors": f"from {self.groups} interpenetrating subsamples, with the "
            "finite-population correction",
        }


def prior_bar(limit: int, rows: int) -> np.uint64:
    """A bar on keys that about limit + 8 sqrt(limit) of `rows` rows pass: the count passing
    is binomial, so fewer than `limit` pass with probability below 1e-15 (eight standard
    deviations), and then the sample is simply all of them. Every one of the `limit` smallest
    keys passes whenever `limit` rows do, so the bar never changes which rows are sampled."""
    share = min(1.0, (limit + 8.0 * math.sqrt(limit)) / rows)
    return np.uint64(min(0xFFFFFFFFFFFFFFFF, int(share * 2.0**64)))


def group_of(keys: np.ndarray, groups: int = SE_GROUPS) -> np.ndarray:
    """The subsample (0..groups-1) of each sampled row, from its key's low bits."""
    return (keys % np.uint64(groups)).astype(np.int64)


def standard_error(values: Sequence[float | None], info: SampleInfo) -> float | None:
    """sd(values) / sqrt(G) x sqrt(1 - S / N) over the subsamples' figures; None when any is
    missing or not finite."""
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if len(finite) < 2 or len(finite) < len(values):
        return None
    return float(np.std(finite, ddof=1)) / math.sqrt(len(finite)) * info.correction


#: Called once per batch when an input is sampled: (arrays, file label, rows of the file before
#: the batch). Every batch passes through it, so exact sums can be taken over all rows.
BatchHook = Callable[[Any, str, int], None]


class RowSample:
    """Collect converted batches: every row up to `limit`, then the `limit` rows with the
    smallest keys (`limit` 0 or None: every row).

    `join` concatenates label arrays (multi-class labels may come as indices in one batch and
    one-hot rows in another); `hook`, once the input proves larger than `limit`, sees every
    batch (those held so far first). `expected_rows`, the rows the input will give when that is
    known up front (a Parquet footer, no row dropped), sets the bar on keys from the start
    (`prior_bar`), so that few more than `limit` rows are ever held: the sample is the same.
    """

    def __init__(
        self,
        limit: int | None,
        seed: int,
        join: Callable[[list[np.ndarray]], np.ndarray],
        hook: BatchHook | None = None,
        expected_rows: int | None = None,
    ) -> None:
        self.limit = limit or 0
        self.seed = seed
        self.join = join
        self.hook = hook
        self.rows = 0
        self.sampling = False
        self.threshold = np.uint64(0xFFFFFFFFFFFFFFFF)
        if self.limit and expected_rows and expected_rows > self.limit:
            self.threshold = prior_bar(self.limit, expected_rows)
        self._held: list[tuple[Any, str, int]] = []  # (arrays, label, offset)
        self._parts: list[tuple[Any, ...]] = []  # (keys, position, y, pred, w or None)
        self._count = 0
        self._streams: dict[str, tuple[int, int]] = {}  # label -> (number, order first seen)

    def add(self, arrays: Any, label: str, offset: int, stream: str | None = None) -> None:
        """One converted batch (`columns.Arrays`) of file `label`, `offset` rows into it; its
        rows' keys are hashed from `stream` (`pipeline.stream_names`: the file's name, however
        its path is written), by default the label."""
        if label not in self._streams:
            self._streams[label] = (stream_number(stream or label), len(self._streams))
        self.rows += len(arrays.pred)
        if self.sampling:
            self._sample(arrays, label, offset)
            return
        self._held.append((arrays, label, offset))
        if self.limit and self.rows > self.limit:
            self.sampling = True
            held, self._held = self._held, []
            for a, lbl, off in held:
                self._sample(a, lbl, off)
            self._compact()  # the bar from the start: later batches pass it rarely

    def _sample(self, arrays: Any, label: str, offset: int) -> None:
        if self.hook is not None:
            self.hook(arrays, label, offset)
        number, order = self._streams[label]
        if arrays.keep is None:
            keys = range_keys(self.seed, number, offset, arrays.rows)
            take = np.flatnonzero(keys <= self.threshold)
            within = offset + take
        else:  # a kept row keeps its row number in the file
            rows = offset + np.flatnonzero(arrays.keep)
            keys = row_keys(self.seed, number, rows)
            take = np.flatnonzero(keys <= self.threshold)
            within = rows[take]
        if not take.size:
            return
        w = None if arrays.weight is None else arrays.weight[take]
        # the position orders the sample as the input: the stream, then the row within it
        position = (order << _POSITION_BITS) + within
        self._parts.append((keys[take], position, arrays.y[take], arrays.pred[take], w))
        self._count += take.size
        if self._count > COMPACT_AT * self.limit:
            self._compact()

    def _compact(self, join: bool = False) -> None:
        """Keep the `limit` rows with the smallest keys; the largest kept key is the new bar.

        Each part is filtered where it lies (only the keys are gathered to find the bar), then
        the parts are joined into one when there are many of them, or when `join` asks."""
        keys = np.concatenate([p[0] for p in self._parts])
        if keys.size > self.limit:
            self.threshold = np.partition(keys, self.limit - 1)[self.limit - 1]
            # keys are distinct: exactly `limit` rows pass
            self._parts = [_part_where(p, p[0] <= self.threshold) for p in self._parts]
        if len(self._parts) > (1 if join else _MAX_PARTS):
            parts = self._parts
            w = None if parts[0][4] is None else np.concatenate([p[4] for p in parts])
            self._parts = [
                (
                    np.concatenate([p[0] for p in parts]),
                    np.concatenate([p[1] for p in parts]),
                    self.join([p[2] for p in parts]),
                    np.concatenate([p[3] for p in parts]),
                    w,
                )
            ]
        self._count = sum(p[0].size for p in self._parts)

    def finish(
        self,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, SampleInfo | None]:
        """(y, pred, weight, keys, info): every row in input order (keys and info None), or the
        sample in input order."""
        if not self.sampling:
            ys = [a.y for a, *_ in self._held]
            preds = [a.pred for a, *_ in self._held]
            weights = [a.weight for a, *_ in self._held if a.weight is not None]
            y = self.join(ys) if ys else np.empty(0)
            pred = np.concatenate(preds) if preds else np.empty(0)
            return y, pred, (np.concatenate(weights) if weights else None), None, None
        self._compact(join=True)
        keys, position, y, pred, w = self._parts[0]
        order = np.argsort(position, kind="stable")
        info = SampleInfo(int(keys.size), self.rows, self.seed)
        return y[order], pred[order], None if w is None else w[order], keys[order], info


def _part_where(part: tuple[Any, ...], mask: np.ndarray) -> tuple[Any, ...]:
    """The rows of a part (keys, position, y, pred, weight) where `mask` holds."""
    return tuple(None if a is None else a[mask] for a in part)


__all__ = [
    "SAMPLE_ROWS",
    "SE_GROUPS",
    "BatchHook",
    "RowSample",
    "SampleInfo",
    "group_of",
    "prior_bar",
    "range_keys",
    "row_keys",
    "standard_error",
    "stream_number",
]
