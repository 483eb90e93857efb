"""Per-group results held as columns, and the result list that shows them as `LossResult`s.

A run with a million groups holds its group results as arrays (`GroupTable`); `Results` is the
sequence `ComputeResult.results` every reader iterates (overall results first, then every loss
of every group in key order), building a `LossResult` only when one is read. The JSON and CSV
writers read the columns directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from losscli.result import GateOutcome, LossResult

#: A gate outcome's status, by its code in `GateColumn.status`.
STATUSES = ("pass", "fail", "error")


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


def json_value(v: Any) -> Any:
    """A key value as JSON can hold it: NaN as null (it is one group), others as text."""
    if isinstance(v, float) and v != v:
        return None
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)


class GroupDicts(Sequence[dict[str, Any]]):
    """Each group's `{column: key}` (values as `json_value` gives them), from the key columns
    (Arrow arrays in the groups' order): one group is built when read, all of them at once when
    many are read, none when only the columns are (the JSON and CSV writers)."""

    #: Groups read one by one before all are built.
    ONE_BY_ONE = 256

    def __init__(self, by: Sequence[str], columns: Sequence[Any]) -> None:
        self.by = list(by)
        self.columns = list(columns)
        self._all: list[dict[str, Any]] | None = None
        self._reads = 0

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice) or self._all is not None or self._reads >= self.ONE_BY_ONE:
            return self.all()[index]
        self._reads += 1
        i = int(index) + (len(self) if index < 0 else 0)
        if not 0 <= i < len(self):
            raise IndexError(index)
        return {b: json_value(c[i].as_py()) for b, c in zip(self.by, self.columns, strict=True)}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.all())

    def all(self) -> list[dict[str, Any]]:
        """Every group's dict (built once)."""
        if self._all is None:
            values = [[json_value(v) for v in c.to_pylist()] for c in self.columns]
            self._all = [dict(zip(self.by, key, strict=True)) for key in zip(*values, strict=True)]
        return self._all


@dataclass(frozen=True)
class GroupTable:
    """The group results, groups in sorted key order: `groups[i]` is group i's {column: key}."""

    by: list[str]
    groups: Sequence[dict[str, Any]]
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


@dataclass(frozen=True)
class GateColumn:
    """One gate judged on every group of a GroupTable (groups in its order): the verdicts as
    arrays, each group's `GateOutcome` and message built only when read."""

    gate: str
    kind: str
    label: str
    status: np.ndarray  # codes into STATUSES
    value: np.ndarray  # the loss (NaN: no value)
    limit: np.ndarray  # the bound (NaN where the gate could not be evaluated)
    baseline: np.ndarray | None  # the baseline's value, for a relative gate (NaN: none)
    outcome: Callable[[int], GateOutcome]  # group i's outcome
    message: Callable[[int], str]  # group i's outcome's message
    # what group i's message says after its name (`gates.verdict`); None: the whole message
    # is another (an error's)
    verdict: Callable[[int], str | None]

    def __len__(self) -> int:
        return len(self.status)


class Outcomes(Sequence[GateOutcome]):
    """Gate outcomes in order, as lists of outcomes and `GateColumn`s whose outcomes are built
    when read: counting, passing and the failures never build a passing group's outcome."""

    def __init__(self, parts: Sequence[list[GateOutcome] | GateColumn]) -> None:
        self.parts = [p for p in parts if len(p)]

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    @overload
    def __getitem__(self, index: int) -> GateOutcome: ...
    @overload
    def __getitem__(self, index: slice) -> list[GateOutcome]: ...
    def __getitem__(self, index: int | slice) -> GateOutcome | list[GateOutcome]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if index < 0:
            raise IndexError(index)
        for part in self.parts:
            if index < len(part):
                return part[index] if isinstance(part, list) else part.outcome(index)
            index -= len(part)
        raise IndexError(index)

    def __iter__(self) -> Iterator[GateOutcome]:
        for part in self.parts:
            if isinstance(part, list):
                yield from part
            else:
                yield from (part.outcome(i) for i in range(len(part)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"Outcomes({len(self)} outcomes)"

    def counts(self) -> dict[str, int]:
        """How many outcomes have each status."""
        out = dict.fromkeys(STATUSES, 0)
        for part in self.parts:
            if isinstance(part, list):
                for g in part:
                    out[g.status] = out.get(g.status, 0) + 1
            else:
                for code, count in enumerate(np.bincount(part.status, minlength=len(STATUSES))):
                    out[STATUSES[code]] += int(count)
        return out

    def failing(self) -> list[GateOutcome]:
        """The outcomes that did not pass, in order."""
        return [g for g in self.shown() if not g.passed]

    def shown(self, limit: int | None = None) -> list[GateOutcome]:
        """The outcomes over all rows and those of groups that did not pass, in order (at most
        `limit` of the groups')."""
        out: list[GateOutcome] = []
        left = limit
        for part in self.parts:
            if isinstance(part, list):
                failed = [i for i, g in enumerate(part) if g.group is not None and not g.passed]
                kept = set(failed if left is None else failed[:left])
                out += [g for i, g in enumerate(part) if g.group is None or i in kept]
                count = len(kept)
            else:
                where = np.flatnonzero(part.status != 0)
                where = where if left is None else where[:left]
                out += [part.outcome(int(i)) for i in where]
                count = len(where)
            if left is not None:
                left -= count
        return out
