"""A JSON baseline: the `--json` output of an earlier `compute`, validated and indexed once.

`--baseline OLD.json --max-increase LOSS=5%` compares this run with that one. A baseline is
trusted only when it says what it is: losscli's schema version, losscli as the tool, finite
numbers (or null, where no value was defined) for every value. Before a row is read, `check`
refuses a baseline from another task, reduction or weighting, or whose gated loss has other
parameters; after the run, `warnings` flags a large difference in the rows used.

The results are read in one pass into columns per loss (`LossResults`). A run's groups are
matched to a loss's baseline groups by one vectorised join when both sides hold one key column of
integers or of text (`Baseline.match`), else by hashing each group (`group_key`) into a
dictionary built once: O(1) per group however many groups there are.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
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
    numbers (fold 4 read as 4.0 is fold 4), but a boolean is not a number and NaN is one key;
    an infinity is the text the JSON writes for it ("Infinity", "-Infinity")."""
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
    if kind is int or (kind is float and v - v == 0):  # finite
        return ("number", v)
    if isinstance(v, bool) or v is None:
        return ("const", v)
    if isinstance(v, float) and v in (math.inf, -math.inf):  # as the JSON writes it
        return ("text", "Infinity" if v > 0 else "-Infinity")
    if isinstance(v, int | float):
        return ("number", "nan") if v != v else ("number", v)
    return ("text", str(v))


def _params_key(params: Mapping[str, float | None]) -> tuple[tuple[str, float | None], ...]:
    return tuple(sorted(params.items()))


class LossResults:
    """Every result of one loss (name and parameters) of a baseline, as columns in the file's
    order: `positions[j]` is the result's index in the file's 'results' list."""

    def __init__(self, name: str, params: dict[str, float | None]) -> None:
        self.name = name
        self.params = params
        self.positions: list[int] = []
        self.labels: list[str] = []
        self.groups: list[dict[str, Any] | None] = []
        self.values: list[float | None] = []
        self.overall: int | None = None  # the result over all rows (group null), if any
        self.column: _KeyColumn | None = None  # the groups' keys as one Arrow array, if they can be
        self._index: dict[GroupKey, int] | None = None

    def add(
        self, position: int, label: str, group: dict[str, Any] | None, value: float | None
    ) -> None:
        self.positions.append(position)
        self.labels.append(label)
        self.groups.append(group)
        self.values.append(value)

    def repeated(self) -> int | None:
        """The index (in the loss's columns) of the first result that repeats a group, or None;
        on the way, the keys as one Arrow column when the groups allow (`_KeyColumn.of`), else
        the dictionary of `group_key`s."""
        nulls = self.groups.count(None)
        if nulls <= 1:
            self.overall = self.groups.index(None) if nulls else None
            self.column = _KeyColumn.of(self.groups, self.overall)
            if self.column is not None and self.column.unique:
                return None
            self.column = None
        index: dict[GroupKey, int] = {}
        for j, group in enumerate(self.groups):
            key = group_key(group)
            if key in index:
                return j
            index[key] = j
        self._index = index
        self.overall = index.get(())
        return None

    def index(self) -> dict[GroupKey, int]:
        """Each result's position in the loss's columns, by `group_key` (built once)."""
        if self._index is None:
            self._index = {group_key(g): j for j, g in enumerate(self.groups)}
        return self._index

    def entry(self, j: int) -> Entry:
        return Entry(self.name, self.labels[j], self.params, self.groups[j], self.values[j])

    def match(
        self, groups: Sequence[Mapping[str, Any]], by: Sequence[str], keys: Any
    ) -> tuple[Any, list[int]]:
        """The baseline's value for each of a run's groups (NaN: none, or null), and the
        positions (in this loss's columns) of the baseline's groups the run lacks, in the
        file's order. `keys` are the run's key columns (Arrow arrays) in the groups' order."""
        import numpy as np

        values = np.array(self.values, dtype=float)  # null as NaN
        if self.groups.count(None) == len(self.groups):
            return np.full(len(groups), math.nan), []
        found = None if self.column is None else self.column.find(by, keys)
        if found is None:  # one group at a time
            index = self.index()
            run = [group_key(g) for g in groups]
            at = [index.get(key) for key in run]
            found = np.array([-1 if j is None else j for j in at], dtype=np.int64)
            seen = set(run)
            missing = [
                j for key, j in index.items() if self.groups[j] is not None and key not in seen
            ]
            return np.where(found >= 0, values[found], math.nan), sorted(missing)
        present = np.zeros(len(self.groups), dtype=bool)
        present[found[found >= 0]] = True
        missing = [j for j in np.flatnonzero(~present).tolist() if self.groups[j] is not None]
        return np.where(found >= 0, values[found], math.nan), missing


@dataclass(frozen=True)
class _KeyColumn:
    """The groups of one loss when each is one column of the same name whose keys are all
    integers (that fit int64) or all text: the keys as one Arrow array, and the position in
    the loss's columns of each (`slots`)."""

    by: str
    kind: str  # "int" or "text"
    keys: Any  # pa.Array
    slots: Any  # np.ndarray
    unique: bool

    @classmethod
    def of(cls, groups: list[dict[str, Any] | None], overall: int | None) -> _KeyColumn | None:
        """The key column of groups of which only the one at `overall` (if any) is None."""
        import numpy as np

        from losscli.columns.arrow import from_numpy, string_array

        slots = np.arange(len(groups), dtype=np.int64)
        grouped = groups
        if overall is not None:
            slots = np.delete(slots, overall)
            grouped = groups[:overall] + groups[overall + 1 :]
        if not grouped or set(map(len, grouped)) != {1}:  # type: ignore[arg-type]
            return None
        names = set(chain.from_iterable(grouped))  # type: ignore[arg-type]
        values = list(chain.from_iterable(map(dict.values, grouped)))  # type: ignore[arg-type]
        kinds = set(map(type, values))
        if len(names) != 1 or kinds not in ({int}, {str}):
            return None
        (by,) = names
        kind = kinds.pop()
        try:
            if kind is int:
                ints = np.array(values, dtype=np.int64)
                ascending = bool((ints[1:] > ints[:-1]).all())  # as compute --json writes them
                unique = ascending or len(np.unique(ints)) == len(ints)
                keys = from_numpy(ints)
            else:
                unique = len(set(values)) == len(values)
                keys = string_array(values)
        except (OverflowError, UnicodeError):
            return None
        text = "int" if kind is int else "text"
        return cls(by, text, keys, slots, unique)

    def find(self, by: Sequence[str], columns: Any) -> Any:
        """Each of a run's groups' position in the loss's columns (-1: none), or None when
        the run's key column is not one of the same name and kind (then groups are matched
        one by one)."""
        import numpy as np
        import pyarrow as pa

        from losscli.columns.arrow import compute, to_float64

        if columns is None or list(by) != [self.by] or len(columns) != 1:
            return None
        column = columns[0]
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        kind = column.type
        try:
            if self.kind == "int" and pa.types.is_integer(kind):
                column = column.cast(pa.int64())
            elif self.kind == "text" and (
                pa.types.is_string(kind) or pa.types.is_large_string(kind)
            ):
                column = column.cast(pa.string())
            else:
                return None
        except pa.ArrowInvalid:  # an unsigned key beyond int64
            return None
        at = to_float64(compute().index_in(column, value_set=self.keys))  # NaN: not found
        hit = ~np.isnan(at)
        found = np.full(len(at), -1, dtype=np.int64)
        found[hit] = self.slots[at[hit].astype(np.int64)]
        return found


class Baseline:
    """A validated JSON baseline: its results by loss (name and parameters), as columns."""

    def __init__(
        self,
        source: str,
        *,
        task: str,
        reduction: str,
        rows: int,
        weight: str | None,
        entries: Sequence[Entry] | None = None,
        losses: Mapping[tuple, LossResults] | None = None,
    ) -> None:
        self.source = source
        self.task = task
        self.reduction = reduction
        self.rows = rows
        self.weight = weight
        if losses is None:
            losses = _columns(entries or ())
        self._by_loss: dict[tuple[str, tuple], LossResults] = dict(losses)
        repeats = []
        for loss in self._by_loss.values():
            j = loss.repeated()
            if j is not None:
                repeats.append((loss.positions[j], loss.labels[j], loss.groups[j]))
        if repeats:
            i, label, group = min(repeats, key=lambda r: r[0])
            raise self._error(f"results[{i}] repeats {located(label, group)}")

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
        return cls(
            source,
            task=task,
            reduction=reduction,
            rows=used,
            weight=weight if isinstance(weight, str) else None,
            losses=_read_columns(data["results"]) or _read_results(data["results"], where),
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
        loss = self._by_loss.get((name, _params_key(params)))
        if loss is None:
            return None
        j = loss.overall if key == () else loss.index().get(key)
        return None if j is None else loss.values[j]

    def groups(self, name: str, params: Mapping[str, float | None]) -> dict[GroupKey, dict]:
        """The groups the baseline has a result for, for one loss, by `group_key`."""
        loss = self._by_loss.get((name, _params_key(params)))
        if loss is None:
            return {}
        return {k: g for k, j in loss.index().items() if (g := loss.groups[j]) is not None}

    def values(self, name: str, params: Mapping[str, float | None]) -> dict[GroupKey, Entry]:
        """Every result of one loss (all rows under key ()), by `group_key`."""
        loss = self._by_loss.get((name, _params_key(params)))
        if loss is None:
            return {}
        return {k: loss.entry(j) for k, j in loss.index().items()}

    def match(
        self,
        name: str,
        params: Mapping[str, float | None],
        groups: Sequence[Mapping[str, Any]],
        by: Sequence[str] = (),
        keys: Any = None,
    ) -> tuple[Any, list[dict[str, Any]]]:
        """The baseline's value of a loss for each of a run's groups (a float array, NaN where
        the baseline has none), and the baseline's groups the run lacks (in the file's order).
        With the run's key columns (`keys`, Arrow arrays in the groups' order, named `by`) one
        vectorised join where the keys allow, else one `group_key` per group."""
        import numpy as np

        loss = self._by_loss.get((name, _params_key(params)))
        if loss is None:
            return np.full(len(groups), math.nan), []
        values, missing = loss.match(groups, by, keys)
        return values, [loss.groups[j] for j in missing]  # type: ignore[misc]

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
            results = self._by_loss.get((loss.name, _params_key(loss.params)))
            if results is None:
                self._check_params(loss)
                continue
            if None not in results.values:
                continue
            for j, value in enumerate(results.values):
                group = results.groups[j]
                if value is None and (group is None or groups):
                    raise self._error(
                        f"no value (null) for {located(results.labels[j], group)}, which a "
                        "gate needs",
                        hint="write the baseline again from a run where it has a value",
                    )

    def _check_params(self, loss: _Loss) -> None:
        """A loss the baseline has with other parameters only: what differs."""
        others = [r.params for (name, _), r in self._by_loss.items() if name == loss.name]
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
    """A number (not a boolean) that float64 holds, finite."""
    if type(value) is float:
        return math.isfinite(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond float64
        return False


def _entry(item: Any, baseline: str, index: int) -> Entry:
    """One validated result: a name, parameters and a value that is a finite number or null."""
    if not isinstance(item, dict):
        raise InputError(f"{baseline}: results[{index}] is not an object")
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{baseline}: results[{index}] has no loss name")
    label = item.get("label", name)
    params = item.get("params")
    if not isinstance(params, dict) or not _numbers(params):
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


#: The types of a group's values `_entry` takes as they are (JSON's, the others are checked).
_KEY_TYPES = {str, int, float, bool, type(None)}


def _read_columns(items: list[Any]) -> dict[tuple, LossResults] | None:
    """The results of one loss without parameters (what `compute --json` writes for one
    `--loss`), validated a field at a time over all results (what `_entry` checks of each), or
    None for anything else, which `_read_results` reads (and refuses) one result at a time."""
    items = list(items)  # one pass over the input, whatever list it is
    if not items or set(map(type, items)) != {dict}:
        return None
    names = list(map(dict.get, items, repeat("name")))
    if len(set(names)) != 1 or type(names[0]) is not str or not names[0]:
        return None
    labels = list(map(dict.get, items, repeat("label"), names))
    params = list(map(dict.get, items, repeat("params")))
    groups = list(map(dict.get, items, repeat("group")))
    values = list(map(dict.get, items, repeat("value")))
    if (
        set(map(type, labels)) != {str}
        or set(map(type, params)) != {dict}
        or any(params)
        or not set(map(type, values)) <= {float, type(None)}
        or not set(map(type, groups)) <= {dict, type(None)}
        or not set(map(type, chain.from_iterable(map(dict.values, filter(None, groups)))))
        <= _KEY_TYPES
    ):
        return None
    import numpy as np

    numbers = np.array(values, dtype=float)  # null as NaN: every NaN must be a null
    if np.isinf(numbers).any() or np.count_nonzero(np.isnan(numbers)) != values.count(None):
        return None
    loss = LossResults(names[0], {})
    loss.positions = list(range(len(items)))
    loss.labels, loss.groups, loss.values = labels, groups, values  # type: ignore[assignment]
    return {(names[0], ()): loss}


def _read_results(items: list[Any], where: str) -> dict[tuple, LossResults]:
    """Every result validated (as `_entry` does) into columns per loss, in one pass: a result
    of the usual shape (a float or null value, text name and label, parameters and group
    checked) is taken as it is; any other goes through `_entry`, which takes or refuses it."""
    losses: dict[tuple, LossResults] = {}
    known: dict[Any, LossResults] = {}  # by name and parameters as written
    finite = math.isfinite
    for i, item in enumerate(items):
        if type(item) is dict:
            name = item.get("name")
            label = item.get("label", name)
            params = item.get("params")
            group = item.get("group")
            value = item.get("value")
            if (
                type(name) is str
                and name
                and type(label) is str
                and type(params) is dict
                and (value is None or (type(value) is float and finite(value)))
                and (
                    group is None
                    or (
                        type(group) is dict
                        and all(
                            v is None or isinstance(v, str | int | float) for v in group.values()
                        )
                    )
                )
                and (not params or _numbers(params))
            ):
                raw = (name, *params.items()) if params else name
                loss = known.get(raw)
                if loss is None:
                    loss = known[raw] = _loss(losses, name, params)
                loss.add(i, label, group, value)
                continue
        e = _entry(item, where, i)
        raw = (e.name, *e.params.items()) if e.params else e.name
        loss = known.get(raw)
        if loss is None:
            loss = known[raw] = _loss(losses, e.name, e.params)
        loss.add(i, e.label, e.group, e.value)
    return losses


def _loss(losses: dict[tuple, LossResults], name: str, params: dict) -> LossResults:
    """The columns of a loss, added at its first result."""
    key = (name, _params_key(params))
    found = losses.get(key)
    if found is None:
        found = losses[key] = LossResults(name, dict(params))
    return found


def _columns(entries: Sequence[Entry]) -> dict[tuple, LossResults]:
    """Entries (in the file's order) as columns per loss."""
    losses: dict[tuple, LossResults] = {}
    for i, e in enumerate(entries):
        _loss(losses, e.name, e.params).add(i, e.label, e.group, e.value)
    return losses


def _numbers(params: dict[Any, Any]) -> bool:
    """Parameters as a result holds them: text names, finite numbers or null."""
    return all(isinstance(k, str) and (v is None or _finite(v)) for k, v in params.items())


def located(label: str, group: Mapping[str, Any] | None) -> str:
    """'mse', or 'mse [region=eu]' for a group: how messages name a result."""
    if group is None:
        return label
    return f"{label} [" + ", ".join(f"{k}={v}" for k, v in group.items()) + "]"


def _format(params: Mapping[str, float | None], keys: Sequence[str]) -> str:
    return ",".join(f"{k}={format_value(params.get(k))}" for k in keys) or "no parameters"
