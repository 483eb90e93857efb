"""Poisson(1) bootstrap weights that depend only on (seed, row stream, row): any batching of a
file, any executor, gives every row the same weights (a row stream is a file or data set, by
its number: `engine.stream_key` of its name).

Rows are cut into blocks of `block_rows(B)` rows; block k of stream f is drawn from its own
generator, seeded with (seed..., f, k). Each cell takes one uniform 32-bit integer, turned into a
count by comparing it with the Poisson(1) CDF (counts above `MAX_COUNT` are cut to it: the
probability of a larger count is 1.1e-7). A few ns per row x replicate on one core.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Counts above this are cut to it (P(Poisson(1) > 9) = 1.1e-7).
MAX_COUNT = 9
#: Cells (rows x replicates) in a block of rows drawn from one generator.
BLOCK_CELLS = 1 << 18

_CDF = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(MAX_COUNT)])
#: count >= k + 1 exactly when the uniform 32-bit draw is >= THRESHOLDS[k].
THRESHOLDS = np.minimum(np.round(_CDF * 2.0**32), 2.0**32 - 1).astype(np.uint32)


def block_rows(replicates: int) -> int:
    """Rows per generator block for `replicates` replicates (a function of B only)."""
    return max(64, BLOCK_CELLS // max(replicates, 1))


def _seed(seed: int | Sequence[int]) -> list[int]:
    return [int(seed)] if isinstance(seed, int | np.integer) else [int(s) for s in seed]


def _block(seed: list[int], stream: int, block: int, replicates: int) -> np.ndarray:
    """The uint8 counts of one whole block, shape (block_rows, replicates)."""
    rows = block_rows(replicates)
    width = replicates + (replicates & 1)  # two 32-bit draws per 64-bit output
    bits = np.random.SFC64(np.random.SeedSequence([*seed, stream, block]))
    draws = bits.random_raw(rows * width // 2).view(np.uint32).reshape(rows, width)
    draws = draws[:, :replicates]
    counts = (draws >= THRESHOLDS[0]).view(np.uint8)  # a new array: ours to add to
    for threshold in THRESHOLDS[1:]:
        counts += (draws >= threshold).view(np.uint8)
    return counts


def poisson_weights(
    seed: int | Sequence[int], stream: int, offset: int, n: int, replicates: int
) -> np.ndarray:
    """Poisson(1) counts for rows offset..offset+n-1 of row stream `stream`, shape (n, B), uint8.

    >>> a = poisson_weights(7, 0, 0, 10, 5)
    >>> bool((poisson_weights(7, 0, 3, 4, 5) == a[3:7]).all())
    True
    """
    out = np.empty((n, replicates), dtype=np.uint8)
    step = block_rows(replicates)
    key = _seed(seed)
    row = offset
    while row < offset + n:
        block, start = divmod(row, step)
        take = min(step - start, offset + n - row)
        out[row - offset : row - offset + take] = _block(key, stream, block, replicates)[
            start : start + take
        ]
        row += take
    return out


def chunks(offset: int, n: int, replicates: int) -> list[tuple[int, int]]:
    """(start, stop) row ranges of a batch, cut at block boundaries, relative to the batch."""
    step = block_rows(replicates)
    out = []
    row = offset
    while row < offset + n:
        stop = min((row // step + 1) * step, offset + n)
        out.append((row - offset, stop - offset))
        row = stop
    return out


class SharedDraws:
    """`poisson_weights` drawn once for `users` engines that add the same rows in turn (a paired
    comparison's candidate and baseline): the first call for a row range draws, the next
    `users - 1` calls get the same counts, then the range is forgotten. Each engine still sees
    exactly the counts it would draw itself (the same function of seed, stream and row)."""

    def __init__(self, users: int = 2) -> None:
        self.users = users
        self._kept: dict[tuple, tuple[np.ndarray, int]] = {}

    def __call__(
        self, seed: int | Sequence[int], stream: int, offset: int, n: int, replicates: int
    ) -> np.ndarray:
        key = (tuple(_seed(seed)), stream, offset, n, replicates)
        kept = self._kept.pop(key, None)
        if kept is None:
            kept = (poisson_weights(seed, stream, offset, n, replicates), self.users)
        counts, left = kept
        if left > 1:
            self._kept[key] = (counts, left - 1)
        return counts
