"""Per-group results held as columns, and the result list that shows them as `LossResult`s.

A run with a million groups holds its group results as arrays (`GroupTable`); `Results` is the
sequence `ComputeResult.results` every reader iterates (overall results first, then every loss
of every group in key order), building a `LossResult` only when one is read. The JSON and CSV
writers read the columns directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from losscli.result import LossResult


@dataclass(frozen=True)
class LossColumns:
    """One loss over every group: name, label, params and per-group arrays (NaN: undefined)."""

    label: str
    name: str
    params: dict[str, float | None]
    value: np.ndarray
    rows: np.ndarray
    weight_sum: np.ndarray
    low: np.ndarray | None = None
    high: np.ndarray | None = None


@dataclass(frozen=True)
class GroupTable:
    """The group results, groups in sorted key order: `groups[i]` is group i's {column: key}."""

    by: list[str]
    groups: list[dict[str, Any]]
    losses: list[LossColumns]
    reduction: str
    ci_level: float | None = None
    replicates: int | None = None
    keys: list[Any] | None = None  # the key columns (Arrow arrays) in the groups' order

    def result(self, group: int, loss: int) -> LossResult:
        """One group's result for one loss."""
        c = self.losses[loss]
        value = _float(c.value[group])
        ci = None
        if c.low is not None and c.high is not None and _float(c.low[group]) is not None:
            ci = (float(c.low[group]), float(c.high[group]))
        return LossResult(
            c.label,
            c.name,
            c.params,
            value,
            self.reduction,
            int(c.rows[group]),
            float(c.weight_sum[group]),
            self.groups[group],
            ci,
            self.ci_level,
            self.replicates,
        )

    def undefined(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Masks of the groups with no value for some loss: no rows, zero weight, not finite."""
        missing = np.zeros(len(self.groups), dtype=bool)
        for c in self.losses:
            missing |= np.isnan(c.value)
        first = self.losses[0]
        empty = missing & (first.rows == 0)
        weightless = missing & ~empty & (first.weight_sum <= 0)
        return empty, weightless, missing & ~empty & ~weightless


def _float(x: float) -> float | None:
    value = float(x)
    return None if value != value else value


class Results(Sequence[LossResult]):
    """Overall results, then every loss of every group (built when read)."""

    def __init__(self, overall: list[LossResult], table: GroupTable | None = None) -> None:
        self.overall = overall
        self.table = table
        self._width = 0 if table is None else len(table.losses)

    def __len__(self) -> int:
        groups = 0 if self.table is None else len(self.table.groups)
        return len(self.overall) + groups * self._width

    @overload
    def __getitem__(self, index: int) -> LossResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[LossResult]: ...
    def __getitem__(self, index: int | slice) -> LossResult | list[LossResult]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self.overall):
            return self.overall[index]
        assert self.table is not None
        group, loss = divmod(index - len(self.overall), self._width)
        return self.table.result(group, loss)

    def __iter__(self) -> Iterator[LossResult]:
        yield from self.overall
        if self.table is not None:
            for group in range(len(self.table.groups)):
                for loss in range(self._width):
                    yield self.table.result(group, loss)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"Results({len(self)} results)"
