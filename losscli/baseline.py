"""A JSON baseline: the `--json` output of an earlier `compute`, validated and indexed once.

`--baseline OLD.json --max-increase LOSS=5%` compares this run with that one. A baseline is
trusted only when it says what it is: losscli's schema version, losscli as the tool, finite
numbers (or null, where no value was defined) for every value. Before a row is read, `check`
refuses a baseline from another task, reduction or weighting, or whose gated loss has other
parameters; after the run, `warnings` flags a large difference in the rows used.

Values are looked up by (loss name, parameters, group) in a dictionary built once: O(1) per
result however many groups there are.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from losscli.errors import InputError
from losscli.losses import format_value
from losscli.result import SCHEMA_VERSION

#: A baseline whose rows used differ from this run's by more than this fraction of the larger
#: count is compared with a warning (the change may come from the data, not the model).
ROWS_TOLERANCE = 0.10

_TASKS = ("regression", "binary", "multiclass", "multilabel")
_REDUCTIONS = ("mean", "sum")


class _Loss(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def params(self) -> dict[str, float | None]: ...


@dataclass(frozen=True)
class Entry:
    """One result of the baseline: a loss over all rows (group None) or over one group."""

    name: str
    label: str
    params: dict[str, float | None]
    group: dict[str, Any] | None
    value: float | None


#: The hashable form of a group (see `group_key`).
GroupKey = tuple[tuple[str, tuple[str, Any]], ...]


def group_key(group: Mapping[str, Any] | None) -> GroupKey:
    """A hashable key of a group ({'region': 'eu'}); () for all rows. Numbers compare as
    numbers (fold 4 read as 4.0 is fold 4), but a boolean is not a number and NaN is one key."""
    if group is None:
        return ()
    if len(group) == 1:
        ((k, v),) = group.items()
        return ((k, _scalar_key(v)),)
    return tuple(sorted((k, _scalar_key(v)) for k, v in group.items()))


def _scalar_key(v: Any) -> tuple[str, Any]:
    kind = type(v)
    if kind is str:  # the common kinds first, by exact type (a million groups)
        return ("text", v)
    if kind is int or (kind is float and v == v):
        return ("number", v)
    if isinstance(v, bool) or v is None:
        return ("const", v)
    if isinstance(v, int | float):
        return ("number", "nan") if v != v else ("number", v)
    return ("text", str(v))


def _params_key(params: Mapping[str, float | None]) -> tuple[tuple[str, float | None], ...]:
    return tuple(sorted(params.items()))


class Baseline:
    """A validated JSON baseline, indexed by (loss name, parameters, group)."""

    def __init__(
        self,
        source: str,
        *,
        task: str,
        reduction: str,
        rows: int,
        weight: str | None,
        entries: Sequence[Entry],
    ) -> None:
        self.source = source
        self.task = task
        self.reduction = reduction
        self.rows = rows
        self.weight = weight
        self._index: dict[tuple[str, tuple, GroupKey], Entry] = {}
        self._by_loss: dict[tuple[str, tuple], dict[GroupKey, Entry]] = {}
        params: dict[tuple, tuple] = {}  # the sorted form of each loss's parameters, once
        for i, e in enumerate(entries):
            raw = (e.name, *e.params.items())
            loss = params.get(raw)
            if loss is None:
                loss = params[raw] = (e.name, _params_key(e.params))
            key = (*loss, group_key(e.group))
            if key in self._index:
                raise self._error(f"results[{i}] repeats {located(e.label, e.group)}")
            self._index[key] = e
            by_loss = self._by_loss.get(loss)
            if by_loss is None:
                by_loss = self._by_loss[loss] = {}
            by_loss[key[2]] = e

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def load(cls, path: str) -> Baseline:
        """Read and validate an earlier run's `--json` output."""
        with paused_gc():  # a million small objects, none cyclic: collecting them is waste
            return cls._load(path)

    @classmethod
    def _load(cls, path: str) -> Baseline:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise InputError("no such baseline file", file=path) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read baseline JSON: {exc}", file=path) from None
        except RecursionError:
            raise InputError("cannot read baseline JSON: nested too deeply", file=path) from None
        return cls.from_dict(data, path)

    @classmethod
    def from_dict(cls, data: Any, source: str = "baseline") -> Baseline:
        """Validate a parsed `compute --json` object: schema version, tool, inputs, results."""
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise InputError("not a losscli JSON result (no 'results' list)", file=source)
        where = f"baseline {source}"
        version = data.get("schema_version")
        if version != SCHEMA_VERSION or isinstance(version, bool):
            raise InputError(
                f"{where}: schema_version {json.dumps(version)}, this losscli reads "
                f"{SCHEMA_VERSION}",
                hint="write the baseline again with this version's compute --json",
            )
        tool = data.get("tool")
        if not isinstance(tool, dict) or tool.get("name") != "losscli":
            raise InputError(f"{where}: not written by losscli (tool {json.dumps(tool)})")
        inputs = data.get("inputs")
        if not isinstance(inputs, dict):
            raise InputError(f"{where}: no 'inputs' object")
        task = _choice(inputs.get("task"), _TASKS, f"{where}: inputs.task")
        reduction = _choice(inputs.get("reduction"), _REDUCTIONS, f"{where}: inputs.reduction")
        rows = inputs.get("rows")
        used = rows.get("used") if isinstance(rows, dict) else None
        if not isinstance(used, int) or isinstance(used, bool) or used < 0:
            raise InputError(f"{where}: inputs.rows.used is {json.dumps(used)}, not a count")
        columns = inputs.get("columns")
        weight = columns.get("weight") if isinstance(columns, dict) else None
        entries = [_entry(item, where, i) for i, item in enumerate(data["results"])]
        return cls(
            source,
            task=task,
            reduction=reduction,
            rows=used,
            weight=weight if isinstance(weight, str) else None,
            entries=entries,
        )

    @classmethod
    def coerce(cls, value: Baseline | Mapping[str, Any] | None) -> Baseline | None:
        """A Baseline from a Baseline, a parsed JSON object (validated), or None."""
        if value is None or isinstance(value, Baseline):
            return value
        return cls.from_dict(dict(value))

    # -- lookup ---------------------------------------------------------------------------

    def value(
        self, name: str, params: Mapping[str, float | None], group: Mapping[str, Any] | None
    ) -> float | None:
        """The baseline's value of a loss (with these parameters) over a group, or None."""
        return self.value_at(name, params, group_key(group))

    def value_at(
        self, name: str, params: Mapping[str, float | None], key: GroupKey
    ) -> float | None:
        """`value` for a group given by its `group_key`."""
        entry = self._index.get((name, _params_key(params), key))
        return None if entry is None else entry.value

    def groups(self, name: str, params: Mapping[str, float | None]) -> dict[GroupKey, dict]:
        """The groups the baseline has a result for, for one loss, by `group_key`."""
        entries = self._by_loss.get((name, _params_key(params)), {})
        return {key: e.group for key, e in entries.items() if e.group is not None}

    def values(self, name: str, params: Mapping[str, float | None]) -> dict[GroupKey, Entry]:
        """Every result of one loss (all rows under key ()), by `group_key`: `value_at` for
        many groups at the cost of one lookup each."""
        return self._by_loss.get((name, _params_key(params)), {})

    # -- validation against this run ------------------------------------------------------

    def check(
        self,
        *,
        task: str,
        reduction: str,
        weight: str | None,
        gated: Sequence[_Loss],
        groups: bool = True,
    ) -> None:
        """Refuse a baseline that does not measure what this run measures: another task,
        reduction or weighting, a gated loss with other parameters, or no value (null) where a
        gate needs one. A gated loss the baseline lacks is left to the gate, which fails."""
        where = f"baseline {self.source}"
        if task != self.task:
            raise InputError(
                f"{where}: task {self.task}, this run {task}",
                hint=f"pass --task {self.task} if this run is that task, or use a baseline of "
                f"a {task} run",
            )
        if reduction != self.reduction:
            raise InputError(
                f"{where}: reduction {self.reduction}, this run {reduction}",
                hint=f"pass --reduction {self.reduction}",
            )
        if (weight is None) != (self.weight is None):
            old = f"weighted by '{self.weight}'" if self.weight else "unweighted"
            new = f"weighted by '{weight}'" if weight else "unweighted"
            hint = f"pass --weight {self.weight}" if self.weight else "drop --weight"
            raise InputError(f"{where}: {old}, this run {new}", hint=hint)
        for loss in gated:
            entries = self._by_loss.get((loss.name, _params_key(loss.params)))
            if entries is None:
                self._check_params(loss)
                continue
            for e in entries.values():
                if e.value is None and (e.group is None or groups):
                    raise self._error(
                        f"no value (null) for {located(e.label, e.group)}, which a gate needs",
                        hint="write the baseline again from a run where it has a value",
                    )

    def _check_params(self, loss: _Loss) -> None:
        """A loss the baseline has with other parameters only: what differs."""
        others = [
            next(iter(es.values())).params
            for (name, _), es in self._by_loss.items()
            if name == loss.name
        ]
        if not others:
            return
        keys = sorted(
            {k for p in others for k in {*p, *loss.params} if p.get(k) != loss.params.get(k)}
        )
        old = " or ".join(_format(p, keys) for p in others)
        raise self._error(
            f"{loss.name} with {old}, this run {_format(loss.params, keys)}",
            hint="gate the loss with the baseline's parameters, or write the baseline again",
        )

    def warnings(self, used: int) -> list[str]:
        """What makes the comparison doubtful without making it wrong: a large difference in
        rows used (more than ROWS_TOLERANCE of the larger count)."""
        largest = max(used, self.rows)
        if largest and abs(used - self.rows) > ROWS_TOLERANCE * largest:
            change = (used - self.rows) / self.rows if self.rows else math.inf
            return [
                f"baseline {self.source} used {self.rows:,} rows, this run {used:,} "
                f"({change:+.0%}): a change may come from the data, not the model"
            ]
        return []

    def _error(self, message: str, hint: str | None = None) -> InputError:
        return InputError(f"baseline {self.source}: {message}", hint=hint)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a block that builds many acyclic objects (each
    collection would walk all of them: most of the time of reading a 100k-group baseline)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_baseline(path: str) -> Baseline:
    """An earlier run's `--json` output, validated (`Baseline.load`)."""
    return Baseline.load(path)


def _choice(value: Any, valid: Sequence[str], what: str) -> str:
    if value not in valid or not isinstance(value, str):
        raise InputError(f"{what} is {json.dumps(value)}, not one of {', '.join(valid)}")
    return value


def _finite(value: Any) -> bool:
    kind = type(value)
    if kind is float or kind is int:
        return math.isfinite(value)
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _entry(item: Any, baseline: str, index: int) -> Entry:
    """One validated result: a name, parameters and a value that is a finite number or null."""
    if not isinstance(item, dict):
        raise InputError(f"{baseline}: results[{index}] is not an object")
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{baseline}: results[{index}] has no loss name")
    label = item.get("label", name)
    params = item.get("params")
    if not isinstance(params, dict) or not all(
        isinstance(k, str) and (v is None or _finite(v)) for k, v in params.items()
    ):
        raise InputError(
            f"{baseline}: results[{index}] ({name}): params {json.dumps(params)} are not numbers"
        )
    group = item.get("group")
    if group is not None and (
        not isinstance(group, dict)
        or not all(v is None or isinstance(v, (str, int, float)) for v in group.values())
    ):
        raise InputError(
            f"{baseline}: results[{index}] ({name}): group {json.dumps(group)} is not an object of values"
        )
    value = item.get("value")
    if value is not None and not _finite(value):
        raise InputError(
            f"{baseline}: results[{index}] ({label}): value {json.dumps(value)} is not a finite number",
            hint="write the baseline again with compute --json",
        )
    return Entry(name, str(label), dict(params), group, None if value is None else float(value))


def located(label: str, group: Mapping[str, Any] | None) -> str:
    """'mse', or 'mse [region=eu]' for a group: how messages name a result."""
    if group is None:
        return label
    return f"{label} [" + ", ".join(f"{k}={v}" for k, v in group.items()) + "]"


def _format(params: Mapping[str, float | None], keys: Sequence[str]) -> str:
    return ",".join(f"{k}={format_value(params.get(k))}" for k in keys) or "no parameters"
