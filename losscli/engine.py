"""Run the kernels over batches and accumulate mergeable partial sums per loss and group.

For each loss the engine keeps sum(w * l), sum(w) and the row count, overall and per group; with a
bootstrap it keeps the same sums for every replicate of a Poisson bootstrap (each row enters
replicate b with a Poisson(1) weight), which is what lets it stream: the sums of two batches, two
files or two machines merge by addition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from losscli.columns import Arrays
from losscli.errors import InputError
from losscli.losses import LossSpec

#: Bootstrap weights are drawn for at most this many (row, replicate) cells at a time.
BOOTSTRAP_CELLS = 1 << 22
#: Rows per block of bootstrap weights drawn from one seeded stream (fewer with many replicates).
BOOTSTRAP_BLOCK_ROWS = 8192


def poisson_weights(
    seed: int, stream: str, start: int, rows: int, replicates: int, keep: np.ndarray | None = None
) -> np.ndarray:
    """Poisson(1) bootstrap weights, shape (rows kept, replicates), of rows start..start+rows-1
    of the row stream `stream` (a file or data set, named the same on every machine).

    Row r's weights come from block r // BOOTSTRAP_BLOCK_ROWS, drawn from a generator seeded by
    (seed, stream, block): they depend neither on how the rows are cut into batches, nor on the
    order in which files are read, nor on which process reads them, so a run here and a run on
    Dask draw the same weights. `keep` (a mask over the rows) selects the rows that are used.
    """
    import hashlib

    step = max(1, min(BOOTSTRAP_BLOCK_ROWS, BOOTSTRAP_CELLS // max(replicates, 1)))
    key = int.from_bytes(hashlib.blake2b(stream.encode(), digest_size=8).digest(), "little")
    parts = []
    for block in range(start // step, (start + rows - 1) // step + 1):
        rng = np.random.default_rng([seed % (1 << 64), key, block])
        draws = rng.poisson(1.0, size=(step, replicates))
        lo = max(start, block * step) - block * step
        hi = min(start + rows, (block + 1) * step) - block * step
        parts.append(draws[lo:hi])
    out = (np.concatenate(parts) if len(parts) > 1 else parts[0]).astype(np.float64)
    return out if keep is None else out[keep]


@dataclass
class Sums:
    """Mergeable partial sums of one loss over one set of rows."""

    wl: list[float] = field(default_factory=list)
    w: list[float] = field(default_factory=list)
    n: int = 0
    boot_wl: np.ndarray | None = None
    boot_w: np.ndarray | None = None

    def add(self, wl: float, w: float, n: int) -> None:
        self.wl.append(wl)
        self.w.append(w)
        self.n += n

    def add_boot(self, wl: np.ndarray, w: np.ndarray) -> None:
        if self.boot_wl is None:
            self.boot_wl, self.boot_w = wl.copy(), w.copy()
        else:
            self.boot_wl += wl
            self.boot_w += w

    def merge(self, other: Sums) -> None:
        """Fold `other` into these sums (its arrays are copied, never shared)."""
        self.wl += other.wl
        self.w += other.w
        self.n += other.n
        if other.boot_wl is not None:
            assert other.boot_w is not None
            self.add_boot(other.boot_wl, other.boot_w)

    def merged(self, other: Sums) -> Sums:
        """A new Sums holding both: neither operand changes."""
        out = Sums()
        out.merge(self)
        out.merge(other)
        return out

    def total(self) -> tuple[float, float]:
        return math.fsum(self.wl), math.fsum(self.w)


@dataclass(frozen=True)
class Partial:
    """The mergeable state of an engine, as plain picklable data (no kernels).

    Per loss label: the overall `Sums` and one `Sums` per group key; the group keys in the order
    first seen; the count of clipped probabilities. `merge` is exact for the sums and counts
    (the weighted sums are lists added with math.fsum at the end, so any merge order gives the
    same bits) and associative, so partials of files, threads or machines combine in a tree.
    Bootstrap replicates are float arrays added element-wise: equal to rounding in any order.
    """

    overall: dict[str, Sums]
    groups: dict[str, dict[tuple, Sums]]
    group_keys: tuple[tuple, ...] = ()
    clipped: int = 0

    def merge(self, other: Partial) -> Partial:
        """self + other, as a new Partial (neither operand changes)."""
        overall = {
            label: self.overall[label].merged(other.overall[label]) for label in self.overall
        }
        groups: dict[str, dict[tuple, Sums]] = {}
        for label, table in self.groups.items():
            merged = dict(table)
            for key, sums in other.groups[label].items():
                merged[key] = merged[key].merged(sums) if key in merged else sums.merged(Sums())
            groups[label] = merged
        seen = set(self.group_keys)
        keys = self.group_keys + tuple(k for k in other.group_keys if k not in seen)
        return Partial(overall, groups, keys, self.clipped + other.clipped)


@dataclass(frozen=True)
class Value:
    """A reduced loss: the value, its rows and weight, and the bootstrap interval if asked for."""

    value: float | None
    rows: int
    weight_sum: float
    ci: tuple[float, float] | None = None


class _Groups:
    """One batch's group codes, with what every loss shares: row counts and weight totals per
    group, and the bootstrap draws sorted by group."""

    def __init__(
        self, codes: np.ndarray, g: int, w: np.ndarray | None, boot: np.ndarray | None
    ) -> None:
        self.codes = codes
        self.counts: np.ndarray = np.bincount(codes, minlength=g)
        self.weights: np.ndarray
        if w is None:
            self.weights = self.counts.astype(np.float64)
        else:
            self.weights = np.bincount(codes, weights=w, minlength=g)
        self.boot_sorted: np.ndarray | None = None
        self.boot_weights: np.ndarray | None = None
        if boot is not None:
            self.order = np.argsort(codes, kind="stable")
            self.starts = np.searchsorted(codes[self.order], np.arange(g))
            self.boot_sorted = boot[self.order]
            self.boot_weights = self.boot_sums(np.ones(len(codes)) if w is None else w)

    def boot_sums(self, values: np.ndarray) -> np.ndarray | None:
        """Per group and replicate: the sum of bootstrap weight x value (None without one)."""
        if self.boot_sorted is None:
            return None
        return np.add.reduceat(self.boot_sorted * values[self.order, None], self.starts, axis=0)


class Engine:
    """Accumulate every requested loss over a stream of `Arrays` batches."""

    def __init__(
        self,
        specs: Sequence[LossSpec],
        *,
        task: str,
        from_logits: bool = False,
        eps: float = 1e-7,
        reduction: str = "mean",
        bootstrap: int = 0,
        seed: int = 0,
    ) -> None:
        self.specs = list(specs)
        self.task = task
        self.from_logits = from_logits
        self.eps = eps
        self.reduction = reduction
        self.bootstrap = bootstrap
        self.seed = seed
        self.overall = {s.label: Sums() for s in self.specs}
        self.groups: dict[str, dict[tuple, Sums]] = {s.label: {} for s in self.specs}
        self.group_keys: list[tuple] = []
        self._known: set[tuple] = set()
        self.clipped = 0
        self.clips = not from_logits and any(s.loss.clips for s in self.specs)

    def add(
        self,
        arrays: Arrays,
        group_codes: np.ndarray | None = None,
        group_keys: Sequence[tuple] = (),
        *,
        file: str = "",
        offset: int = 0,
        stream: tuple[str, int] | None = None,
    ) -> dict[str, np.ndarray]:
        """Add one batch; returns each loss's per-row values (for --per-row).

        `file` and `offset` (rows of the file before this batch) name rows in errors; `stream`
        is (row stream, offset in it) for the bootstrap draws: by default (file, offset)."""
        y, pred, w = arrays.y, arrays.pred, arrays.weight
        n = len(pred)
        if self.clips and n:
            self.clipped += int(np.count_nonzero((pred < self.eps) | (pred > 1.0 - self.eps)))
        # what every loss shares: the weight totals, the bootstrap draws and the groups
        w_total = float(n) if w is None else float(np.sum(w))
        boot = None
        if self.bootstrap and n:
            name, start = stream if stream is not None else (file, offset)
            keep = None if arrays.keep is None else np.asarray(arrays.keep, dtype=bool)
            rows = n if keep is None else len(keep)
            boot = poisson_weights(self.seed, name, start, rows, self.bootstrap, keep)
        w_boot = None if boot is None else (boot.sum(axis=0) if w is None else w @ boot)
        groups = None if group_codes is None else _Groups(group_codes, len(group_keys), w, boot)
        per_row: dict[str, np.ndarray] = {}
        for spec in self.specs:
            self._check_domain(spec, arrays, file, offset)
            losses = spec.loss.per_row(
                y,
                pred,
                task=self.task,
                from_logits=self.from_logits,
                eps=self.eps,
                check=False,
                **spec.params,
            )
            per_row[spec.label] = losses
            wl_rows = losses if w is None else w * losses
            self.overall[spec.label].add(float(np.sum(wl_rows)), w_total, n)
            if boot is not None:
                assert w_boot is not None  # drawn with boot
                self.overall[spec.label].add_boot(wl_rows @ boot, w_boot)
            if groups is not None:
                self._add_groups(spec.label, wl_rows, groups, group_keys)
        return per_row

    def _check_domain(self, spec: LossSpec, arrays: Arrays, file: str, offset: int) -> None:
        try:
            spec.loss.check_domain(
                arrays.y, arrays.pred, from_logits=self.from_logits, **spec.params
            )
        except InputError as exc:
            row = (exc.row or 1) - 1
            if arrays.keep is not None:
                row = int(np.flatnonzero(arrays.keep)[row])
            exc.file = file or exc.file
            exc.row = offset + row + 1
            raise  # exc.column holds the role, 'y_true' or 'y_pred'; the caller names the column

    def _add_groups(
        self, label: str, wl_rows: np.ndarray, groups: _Groups, keys: Sequence[tuple]
    ) -> None:
        wl = np.bincount(groups.codes, weights=wl_rows, minlength=len(keys))
        bwl = groups.boot_sums(wl_rows)
        table = self.groups[label]
        for i, key in enumerate(keys):
            if groups.counts[i] == 0:
                continue
            sums = table.get(key)
            if sums is None:
                sums = table[key] = Sums()
                if key not in self._known:
                    self._known.add(key)
                    self.group_keys.append(key)
            sums.add(float(wl[i]), float(groups.weights[i]), int(groups.counts[i]))
            if bwl is not None:
                assert groups.boot_weights is not None  # drawn with bwl
                sums.add_boot(bwl[i], groups.boot_weights[i])

    def partial(self) -> Partial:
        """The partial sums as plain data (picklable: no kernels), to merge elsewhere.

        The Partial shares this engine's sums: take it when the engine is done adding."""
        return Partial(self.overall, self.groups, tuple(self.group_keys), self.clipped)

    def absorb(self, partial: Partial) -> None:
        """Fold the partial sums of another batch stream (file, thread or machine) into these."""
        for label, sums in partial.overall.items():
            self.overall[label].merge(sums)
        for key in partial.group_keys:
            if key not in self._known:
                self._known.add(key)
                self.group_keys.append(key)
        for label, table in partial.groups.items():
            for key, sums in table.items():
                self.groups[label].setdefault(key, Sums()).merge(sums)
        self.clipped += partial.clipped

    def merge(self, other: Engine) -> None:
        """Fold another engine's sums into this one."""
        self.absorb(other.partial())

    def value(self, spec: LossSpec, sums: Sums, ci: float = 0.95) -> Value:
        wl, w = sums.total()
        value = self._reduce(spec, wl, w)
        interval = None
        if sums.boot_wl is not None and value is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                reps = sums.boot_wl / sums.boot_w if self.reduction == "mean" else sums.boot_wl
            if spec.loss.finalize is not None:
                reps = spec.loss.finalize(reps)
            reps = reps[np.isfinite(reps)]
            if reps.size:
                alpha = (1.0 - ci) / 2.0
                low, high = np.quantile(reps, [alpha, 1.0 - alpha])
                interval = (float(low), float(high))
        return Value(value, sums.n, w, interval)

    def _reduce(self, spec: LossSpec, wl: float, w: float) -> float | None:
        if self.reduction == "mean":
            if w <= 0:
                return None
            total = wl / w
        else:
            total = wl
        if spec.loss.finalize is not None:
            total = spec.loss.finalize(total)
        return None if not math.isfinite(total) else float(total)
