"""Run the kernels over batches and accumulate mergeable partial sums per loss and group.

For each loss the engine keeps sum(w * l), sum(w) and the row count, overall and per group; with a
bootstrap it keeps the same sums for every replicate of a Poisson bootstrap (each row enters
replicate b with a Poisson(1) weight), which is what lets it stream: the sums of two batches, two
files or two machines merge by addition.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from losscli import bootstrap as poisson
from losscli.columns import Arrays
from losscli.errors import InputError
from losscli.groups import GroupKeys, GroupSums
from losscli.losses import LossSpec
from losscli.losses.regression import Errors

#: Bootstrap weights are drawn for at most this many (row, replicate) cells at a time.
BOOTSTRAP_CELLS = poisson.BLOCK_CELLS


def stream_key(stream: str) -> int:
    """The number of a row stream (a file or data set, named the same on every machine)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(stream.encode(), digest_size=8).digest(), "little")


def poisson_weights(
    seed: int, stream: str, start: int, rows: int, replicates: int, keep: np.ndarray | None = None
) -> np.ndarray:
    """Poisson(1) bootstrap weights, shape (rows kept, replicates), of rows start..start+rows-1
    of the row stream `stream`: they depend neither on how the rows are cut into batches, nor on
    the order in which files are read, nor on which process reads them (`bootstrap`).
    `keep` (a mask over the rows) selects the rows that are used."""
    out = poisson.poisson_weights(seed, stream_key(stream), start, rows, replicates)
    return (out if keep is None else out[keep]).astype(np.float64)


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
        """(sum of w * l, sum of w), exactly rounded; inf where a sum is beyond float64."""
        return _fsum(self.wl), _fsum(self.w)


@dataclass(frozen=True)
class Partial:
    """The mergeable state of an engine, as plain picklable data (no kernels).

    Per loss label the overall `Sums`; the group keys (`GroupKeys`, ids in order first seen) and
    the per-group sums (`GroupSums`); the count of clipped probabilities. `merge` is exact for
    the counts and, to the last bit in practice, for the sums (the overall sums are lists added
    with math.fsum at the end, the group sums double-double pairs), so partials of files,
    threads or machines combine in a tree in any order. Bootstrap replicates are float arrays
    added element-wise: equal to rounding in any order.
    """

    overall: dict[str, Sums]
    keys: GroupKeys | None = None
    groups: GroupSums | None = None
    clipped: int = 0

    def merge(self, other: Partial) -> Partial:
        """self + other, as a new Partial (neither operand changes)."""
        overall = {
            label: self.overall[label].merged(other.overall[label]) for label in self.overall
        }
        keys, groups = _merge_groups(self.keys, self.groups, other.keys, other.groups)
        return Partial(overall, keys, groups, self.clipped + other.clipped)


def _merge_groups(
    keys: GroupKeys | None,
    groups: GroupSums | None,
    other_keys: GroupKeys | None,
    other: GroupSums | None,
) -> tuple[GroupKeys | None, GroupSums | None]:
    """New (keys, sums) holding both sides' groups (the operands do not change)."""
    if other_keys is None or other is None:
        return (keys.copy(), groups.copy()) if keys and groups else (keys, groups)
    keys = other_keys.copy().empty() if keys is None else keys.copy()
    groups = GroupSums(list(other.labels), slots=other.slots) if groups is None else groups.copy()
    if other_keys.count:
        groups.add_at(keys.encode(other_keys.columns()), other)
    return keys, groups


@dataclass(frozen=True)
class Value:
    """A reduced loss: the value, its rows and weight, and the bootstrap interval if asked for."""

    value: float | None
    rows: int
    weight_sum: float
    ci: tuple[float, float] | None = None


@dataclass(frozen=True)
class GroupValues:
    """One loss over every group, as arrays indexed by group id (NaN where undefined)."""

    value: np.ndarray
    rows: np.ndarray
    weight_sum: np.ndarray
    low: np.ndarray | None = None
    high: np.ndarray | None = None


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
        seed: int | Sequence[int] = 0,
    ) -> None:
        self.specs = list(specs)
        self.task = task
        self.from_logits = from_logits
        self.eps = eps
        self.reduction = reduction
        self.bootstrap = bootstrap
        self.seed = seed
        #: Where the bootstrap counts come from: `bootstrap.poisson_weights`'s signature (a
        #: `bootstrap.SharedDraws` lets engines that add the same rows draw them once).
        self.draws: Callable[..., np.ndarray] = poisson.poisson_weights
        self.overall = {s.label: Sums() for s in self.specs}
        self.keys: GroupKeys | None = None
        self.group_sums: GroupSums | None = None
        self._view: tuple[tuple[int, int], dict[str, dict[tuple, Sums]]] | None = None
        self.clipped = 0
        self.clips = not from_logits and any(s.loss.clips for s in self.specs)
        # losses with the same kernel and parameters (mse, rmse) share their rows, and losses
        # that are functions of e = y_pred - y_true share one Errors per batch
        self.kernel_keys = [s.kernel_key(task) for s in self.specs]
        self.shares_errors = task == "regression" and any(s.loss.of_errors for s in self.specs)

    @property
    def groups(self) -> dict[str, dict[tuple, Sums]]:
        """Per loss label, each group's `Sums` by key tuple (built from the arrays when first read
        after a change)."""
        g = self.group_sums
        if self.keys is None or g is None:
            return {s.label: {} for s in self.specs}
        if self._view is not None and self._view[0] == (self.keys.count, int(g.n.sum())):
            return self._view[1]
        keys = self.keys.tuples()
        out: dict[str, dict[tuple, Sums]] = {}
        for label in g.labels:
            table: dict[tuple, Sums] = {}
            for i, key in enumerate(keys):
                sums = Sums([float(x) for x in g.wl[label][:, i]], [float(x) for x in g.w[:, i]])
                sums.n = int(g.n[i])
                if g.boot_w is not None:
                    sums.boot_wl, sums.boot_w = g.boot_wl[label][i], g.boot_w[i]
                table[key] = sums
            out[label] = table
        self._view = ((self.keys.count, int(g.n.sum())), out)
        return out

    @property
    def group_keys(self) -> list[tuple]:
        """The group key tuples in order first seen (group id order)."""
        return [] if self.keys is None else self.keys.tuples()

    def add(
        self,
        arrays: Arrays,
        groups: Sequence[pa.Array] | np.ndarray | None = None,
        group_keys: Sequence[tuple] | None = None,
        *,
        file: str = "",
        offset: int = 0,
        stream: tuple[str, int] | None = None,
    ) -> dict[str, np.ndarray]:
        """Add one batch; returns each loss's per-row values (for --per-row).

        `groups` are the batch's `--by` columns before rows were dropped (so a group whose rows
        were all dropped is still known, with no rows); or, as `encode_groups` gives them, the
        kept rows' codes into `group_keys`. `file` and `offset` (rows of the file before this
        batch) name rows in errors; `stream` is (row stream, offset in it) for the bootstrap
        draws: by default (file, offset)."""
        filtered = False
        if isinstance(groups, np.ndarray):  # codes into key tuples, rows already kept
            groups, filtered = _key_columns(groups, group_keys or ()), True
        y, pred, w = arrays.y, arrays.pred, arrays.weight
        n = len(pred)
        if self.clips and n:
            self.clipped += int(np.count_nonzero((pred < self.eps) | (pred > 1.0 - self.eps)))
        per_row: dict[str, np.ndarray] = {}
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
            w_total = float(n) if w is None else float(np.sum(w))  # `value` refuses inf
            errors = Errors(y, pred) if self.shares_errors else None
        done: dict[tuple, tuple[np.ndarray, float]] = {}  # mse and rmse: one kernel, one pass
        for spec, same in zip(self.specs, self.kernel_keys, strict=True):
            self._check_domain(spec, arrays, file, offset)
            if same in done:
                losses, total = done[same]
            else:
                with np.errstate(over="ignore", invalid="ignore"):
                    losses = spec.loss.per_row(
                        y,
                        pred,
                        task=self.task,
                        from_logits=self.from_logits,
                        eps=self.eps,
                        check=False,
                        errors=errors,
                        **spec.params,
                    )
                    wl_rows = losses if w is None else w * losses
                    total = float(np.sum(wl_rows))
                if not math.isfinite(total):
                    _overflow(spec.label, wl_rows, arrays, file, offset)
                done[same] = losses, total
            per_row[spec.label] = losses
            self.overall[spec.label].add(total, w_total, n)
        codes = None
        if groups is not None:
            codes = self._add_groups(groups, arrays, per_row, filtered, file)
        if self.bootstrap and n:
            self._add_boot(arrays, per_row, codes, stream or (file, offset))
        return per_row

    def _add_groups(
        self,
        columns: Sequence[pa.Array],
        arrays: Arrays,
        per_row: dict[str, np.ndarray],
        filtered: bool = False,
        file: str = "",
    ) -> np.ndarray:
        """Add this batch's rows to the per-group sums; returns each kept row's group id."""
        if self.keys is None:
            self.keys = GroupKeys(len(columns))
            self.group_sums = GroupSums([s.label for s in self.specs], slots=self._slots())
        assert self.group_sums is not None
        ids = self.keys.encode(columns, file)
        if arrays.keep is not None and not filtered:
            ids = ids[np.asarray(arrays.keep, dtype=bool)]
        self.group_sums.resize(self.keys.count, self.bootstrap)
        w = arrays.weight
        values: list[np.ndarray] = []
        for slot, losses in zip(self.group_sums.slots, per_row.values(), strict=True):
            if slot == len(values):  # the first loss of its slot
                values.append(losses if w is None else w * losses)
        self.group_sums.add_rows(ids, values, w)
        return ids

    def _slots(self) -> list[int]:
        """Each loss's row in the group sums: losses of the same kernel and parameters (mse
        and rmse) have the same per-row values, summed once."""
        seen: dict[tuple, int] = {}
        return [seen.setdefault(key, len(seen)) for key in self.kernel_keys]

    def _add_boot(
        self,
        arrays: Arrays,
        per_row: dict[str, np.ndarray],
        codes: np.ndarray | None,
        stream: tuple[str, int],
    ) -> None:
        """Replicate sums: each row enters replicate b with its Poisson(1) count as weight; the
        counts depend on (seed, file, row) only. Rows go in blocks, so the (rows x replicates)
        weight matrix never exceeds `bootstrap.BLOCK_CELLS` cells."""
        b, w = self.bootstrap, arrays.weight
        key, offset = stream_key(stream[0]), stream[1]
        values = np.column_stack(
            [per_row[s.label] if w is None else w * per_row[s.label] for s in self.specs]
            + [np.ones(len(arrays.pred)) if w is None else w]
        )
        keep = None if arrays.keep is None else np.asarray(arrays.keep, dtype=bool)
        raw = len(values) if keep is None else len(keep)
        ends = None if keep is None else np.concatenate([[0], np.cumsum(keep)])
        totals = np.zeros((values.shape[1], b))
        for start, stop in poisson.chunks(offset, raw, b):
            draws = self.draws(self.seed, key, offset + start, stop - start, b)
            if keep is not None and ends is not None:
                draws = draws[keep[start:stop]]
                start, stop = int(ends[start]), int(ends[stop])
            weights = draws.astype(np.float64)
            totals += values[start:stop].T @ weights
            if codes is not None:
                self._boot_groups(codes, values, weights, start, stop)
        for i, spec in enumerate(self.specs):
            self.overall[spec.label].add_boot(totals[i], totals[-1])

    def _boot_groups(
        self,
        codes: np.ndarray,
        values: np.ndarray,
        weights: np.ndarray,
        start: int,
        stop: int,
    ) -> None:
        """Per-group replicate sums of rows start..stop (`codes`: the kept rows' group ids;
        sorted by group, summed per run)."""
        assert self.group_sums is not None and self.group_sums.boot_w is not None
        part = codes[start:stop]
        if not len(part):
            return
        order = np.argsort(part, kind="stable")
        sorted_codes = part[order]
        starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        ids = sorted_codes[starts]
        rows = weights[order]
        for i, label in enumerate([*self.group_sums.labels, ""]):
            sums = np.add.reduceat(rows * values[start:stop][order, i, None], starts, axis=0)
            target = self.group_sums.boot_w if not label else self.group_sums.boot_wl[label]
            target[ids] += sums

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

    def partial(self) -> Partial:
        """The partial sums as plain data (picklable: no kernels), to merge elsewhere.

        The Partial shares this engine's sums: take it when the engine is done adding."""
        return Partial(self.overall, self.keys, self.group_sums, self.clipped)

    def absorb(self, partial: Partial) -> None:
        """Fold the partial sums of another batch stream (file, thread or machine) into these."""
        for label, sums in partial.overall.items():
            self.overall[label].merge(sums)
        self.keys, self.group_sums = _merge_groups(
            self.keys, self.group_sums, partial.keys, partial.groups
        )
        self.clipped += partial.clipped

    def merge(self, other: Engine) -> None:
        """Fold another engine's sums into this one."""
        self.absorb(other.partial())

    def value(self, spec: LossSpec, sums: Sums, ci: float = 0.95) -> Value:
        """The reduced loss of one set of rows, with its bootstrap interval. Batch sums whose
        total is beyond float64 are an InputError."""
        wl, w = sums.total()
        if not (math.isfinite(wl) and math.isfinite(w)):
            what = spec.label if math.isfinite(w) else "the weights"
            raise InputError(
                f"the sum of {what} overflows float64 (values near 1e308)",
                hint="rescale the targets and predictions"
                if math.isfinite(w)
                else "rescale the weights",
            )
        value = self._reduce(spec, np.array([wl]), np.array([w]))[0]
        interval = None
        if sums.boot_wl is not None and sums.boot_w is not None and math.isfinite(value):
            low, high = self._interval(spec, sums.boot_wl[:, None], sums.boot_w[:, None], ci)
            if math.isfinite(low[0]):
                interval = (float(low[0]), float(high[0]))
        return Value(None if math.isnan(value) else float(value), sums.n, w, interval)

    def group_values(self, spec: LossSpec, ci: float = 0.95) -> GroupValues:
        """The reduced loss of every group (NaN where no row weighs anything)."""
        assert self.group_sums is not None
        g = self.group_sums
        wl, w = g.total(spec.label)
        value = self._reduce(spec, wl, w)
        rows = g.n[: g.size]
        if g.boot_w is None or not self.bootstrap:
            return GroupValues(value, rows, w)
        low, high = self._interval(
            spec, g.boot_wl[spec.label][: g.size].T, g.boot_w[: g.size].T, ci
        )
        undefined = ~np.isfinite(value)
        low[undefined], high[undefined] = np.nan, np.nan
        return GroupValues(value, rows, w, low, high)

    def _interval(
        self, spec: LossSpec, boot_wl: np.ndarray, boot_w: np.ndarray, ci: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval per column of replicate sums (replicates in axis 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            reps = boot_wl / boot_w if self.reduction == "mean" else boot_wl.copy()
            if spec.loss.finalize is not None:
                reps = np.asarray(spec.loss.finalize(reps), dtype=np.float64)
        reps[~np.isfinite(reps)] = np.nan
        alpha = (1.0 - ci) / 2.0
        low, high = nan_quantiles(reps, [alpha, 1.0 - alpha])
        return np.atleast_1d(low), np.atleast_1d(high)

    def _reduce(self, spec: LossSpec, wl: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The mean (or sum) per entry; NaN where the rows weigh nothing or it is not finite."""
        with np.errstate(divide="ignore", invalid="ignore"):
            total = wl / w if self.reduction == "mean" else wl.copy()
            if spec.loss.finalize is not None:
                total = np.asarray(spec.loss.finalize(total), dtype=np.float64)
        total = np.where((w > 0) & np.isfinite(total), total, np.nan)
        return np.atleast_1d(total).astype(np.float64)


def _fsum(values: list[float]) -> float:
    """math.fsum, inf where finite values add up beyond float64 (fsum raises there)."""
    try:
        return math.fsum(values)
    except OverflowError:
        return math.inf


def nan_quantiles(values: np.ndarray, quantiles: Sequence[float]) -> list[np.ndarray]:
    """`np.nanquantile(values, q, axis=0)` for each q, to the bit, for every column at once
    (numpy loops over the columns in Python when it has to skip NaN: a second per 20k groups).

    Each column's n values that are not NaN, sorted; q's virtual index i = (n - 1) q between
    neighbours a = x[floor(i)] and b = x[floor(i) + 1] (both the last value from n - 1 on),
    g = i - floor(i), and numpy's lerp: a + (b - a) g, or b - (b - a)(1 - g) where g >= 0.5.
    A column of NaN only is NaN."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    ordered = np.sort(values, axis=0)  # NaN last
    count = np.count_nonzero(~np.isnan(values), axis=0)
    columns = np.arange(values.shape[1])
    last = np.maximum(count - 1, 0)
    out = []
    for q in quantiles:
        virtual = (count - 1) * np.float64(q)
        before = np.floor(virtual)
        above = virtual >= count - 1
        gamma = virtual - np.where(above, -1.0, before)
        low = np.where(above, last, np.clip(before, 0, None)).astype(np.intp)
        high = np.where(above, last, np.clip(before + 1, 0, None)).astype(np.intp)
        a, b = ordered[low, columns], ordered[high, columns]
        diff = b - a
        with np.errstate(invalid="ignore"):
            result = a + diff * gamma
            np.subtract(b, diff * (1 - gamma), out=result, where=gamma >= 0.5)
        result[count == 0] = np.nan
        out.append(result)
    return out


def _key_columns(codes: np.ndarray, keys: Sequence[tuple]) -> list[pa.Array]:
    """Per-row key columns from codes into key tuples."""
    width = len(keys[0]) if keys else 1
    take = pa.array(codes)
    return [pa.array([k[j] for k in keys]).take(take) for j in range(width)]


def _overflow(label: str, wl_rows: np.ndarray, arrays: Arrays, file: str, offset: int) -> None:
    """Raise the InputError for a loss whose value or sum is beyond float64 (~1.8e308)."""
    bad = np.flatnonzero(~np.isfinite(wl_rows))
    row = None
    if bad.size:
        index = int(bad[0])
        if arrays.keep is not None:
            index = int(np.flatnonzero(arrays.keep)[index])
        row = offset + index + 1
    raise InputError(
        f"{label} overflows float64 (values near 1e308)"
        if row
        else f"the sum of {label} overflows float64 (values near 1e308)",
        file=file or None,
        row=row,
        hint="rescale the targets and predictions",
    )
