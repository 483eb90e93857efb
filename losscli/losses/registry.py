"""The loss catalogue's data model: one `Loss` per loss, registered once, looked up by name or alias.

Everything that lists losses (`--loss`, `losscli losses`, `recommend`, `compare`) reads this registry.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from losscli.errors import InputError, UsageError

#: Default clipping for probabilities: p is clipped to [EPS, 1 - EPS] (Keras' epsilon).
EPS = 1e-7

TASKS = ("regression", "binary", "multiclass", "multilabel")
GROWTH = ("quadratic", "linear", "logarithmic", "bounded")
#: What a loss expects in the prediction column(s).
PREDICTIONS = ("value", "probability", "score")

Kernel = Callable[..., np.ndarray]
#: A domain check returns (bad-row mask, column role 'y_true' or 'y_pred', message) triples.
DomainCheck = Callable[..., list[tuple[np.ndarray, str, str]]]


@dataclass(frozen=True)
class Param:
    """A loss parameter: a float with a default and an interval of valid values."""

    name: str
    default: float | None
    doc: str
    low: float = -np.inf
    high: float = np.inf
    low_open: bool = False
    high_open: bool = False
    optional: bool = False  # None is a valid value ("off")

    def bounds(self) -> str:
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        return f"{lo}{_fmt(self.low)}, {_fmt(self.high)}{hi}"

    def check(self, value: Any, loss: str) -> float | None:
        if value is None:
            if self.optional:
                return None
            raise UsageError(f"{loss}: parameter '{self.name}' needs a value in {self.bounds()}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise UsageError(
                f"{loss}: parameter '{self.name}' must be a number, got {value!r}"
            ) from None
        below = number <= self.low if self.low_open else number < self.low
        above = number >= self.high if self.high_open else number > self.high
        if below or above or np.isnan(number):
            raise UsageError(
                f"{loss}: parameter '{self.name}'={_fmt(number)} is outside {self.bounds()}"
            )
        return number


def _fmt(x: float) -> str:
    if x == np.inf:
        return "inf"
    if x == -np.inf:
        return "-inf"
    return f"{x:g}"


@dataclass(frozen=True)
class Loss:
    """One catalogue entry: metadata plus the per-row kernels, one per task it applies to.

    Kernels take ``(y_true, y_pred, **params)`` (plus ``from_logits`` and ``eps`` where the loss
    accepts logits or clips probabilities) and return one loss per row, without reduction.
    A regression loss that is a function of the errors alone also has `of_errors`, the same
    kernel on a batch's `regression.Errors` (e and |e| computed once for all such losses).
    """

    name: str
    title: str
    summary: str
    formula: str
    growth: str
    prediction: str
    kernels: Mapping[str, Kernel]
    aliases: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    accepts_logits: bool = False
    clips: bool = False
    finalize: Callable[[Any], Any] | None = None
    domain: DomainCheck | None = None
    choice: str = ""
    equivalents: Mapping[str, str] = field(default_factory=dict)
    of_errors: Kernel | None = None

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(t for t in TASKS if t in self.kernels)

    def defaults(self) -> dict[str, float | None]:
        return {p.name: p.default for p in self.params}

    def check_params(self, params: Mapping[str, Any]) -> dict[str, float | None]:
        """Return the full parameter dict with defaults filled in; raise UsageError on bad ones."""
        known = {p.name: p for p in self.params}
        unknown = [k for k in params if k not in known]
        if unknown:
            valid = ", ".join(known) or "none"
            raise UsageError(
                f"{self.name}: unknown parameter '{unknown[0]}' (valid parameters: {valid})"
            )
        return {p.name: p.check(params.get(p.name, p.default), self.name) for p in self.params}

    def check_domain(
        self, y_true: np.ndarray, y_pred: np.ndarray, *, from_logits: bool = False, **params: Any
    ) -> None:
        """Raise InputError naming the first row whose values the loss is not defined for (of
        two checks refusing one row, the one listed first)."""
        if self.domain is None:
            return
        found = []
        for bad, role, message in self.domain(y_true, y_pred, from_logits=from_logits, **params):
            if np.any(bad):
                row = int(np.argmax(bad.reshape(len(bad), -1).any(axis=1)))
                found.append((row, role, message))
        if found:
            row, role, message = min(found, key=lambda f: f[0])
            raise InputError(f"{self.name} {message}", column=role, row=row + 1)

    def per_row(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        task: str | None = None,
        from_logits: bool = False,
        eps: float = EPS,
        check: bool = True,
        errors: Any = None,
        **params: Any,
    ) -> np.ndarray:
        """The loss of every row (reduction 'none'). Rows of the error are counted from 1.

        `errors`, the batch's `regression.Errors` of these arrays, lets a regression loss with
        `of_errors` share them with the other losses of the batch."""
        task = task or self.default_task(y_true)
        kernel = self.kernel(task)
        full = self.check_params(params)
        if errors is not None and self.of_errors is not None and task == "regression":
            if check:
                self.check_domain(y_true, y_pred, from_logits=from_logits, **full)
            return self.of_errors(errors, **full)
        if from_logits and not (self.accepts_logits or self.prediction == "score"):
            raise UsageError(f"{self.name} does not take logits; drop --from-logits")
        y_true = np.asarray(y_true)
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if check:
            self.check_domain(y_true, y_pred, from_logits=from_logits, **full)
        extra: dict[str, Any] = {}
        if self.accepts_logits:
            extra["from_logits"] = from_logits
        if self.clips:
            extra["eps"] = eps
        return kernel(y_true, y_pred, **extra, **full)

    __call__ = per_row

    def value(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: str = "mean",
        **kwargs: Any,
    ) -> float:
        """Reduce `per_row` to one number: sum(w*l)/sum(w) ('mean') or sum(w*l) ('sum')."""
        if reduction not in ("mean", "sum"):
            raise UsageError(f"unknown reduction {reduction!r} (valid: mean, sum)")
        losses = self.per_row(y_true, y_pred, **kwargs)
        if len(losses) == 0:
            raise InputError(f"{self.name}: no rows to evaluate")
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if w is not None:
            from losscli.check import NonFinite, check_arrays

            check_arrays(None, losses, w, nonfinite=NonFinite.IGNORE)
        total = float(np.sum(losses if w is None else w * losses))
        if reduction == "mean":
            denominator = len(losses) if w is None else float(np.sum(w))
            if denominator <= 0:
                raise InputError("sample weights sum to 0: the mean is undefined")
            total /= denominator
        return float(self.finalize(total)) if self.finalize else total

    def kernel(self, task: str) -> Kernel:
        try:
            return self.kernels[task]
        except KeyError:
            raise UsageError(
                f"{self.name} does not apply to {task} (it applies to {', '.join(self.tasks)})"
            ) from None

    def default_task(self, y_true: Any) -> str:
        if len(self.tasks) == 1:
            return self.tasks[0]
        ndim = np.ndim(y_true)
        if "binary" in self.tasks and ndim <= 1:
            return "binary"
        if "multiclass" in self.tasks:
            return "multiclass"
        return self.tasks[0]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Catalogue(Mapping[str, Loss]):
    """Canonical name -> Loss, with alias lookup. Aliases may depend on the task (`log_loss`)."""

    def __init__(self) -> None:
        self._losses: dict[str, Loss] = {}
        self._aliases: dict[str, str] = {}
        self._task_aliases: dict[str, dict[str, str]] = {}
        self._presets: dict[str, tuple[str, dict[str, float]]] = {}
        self._extra_names: set[str] = set()

    def register(self, loss: Loss) -> Loss:
        for alias in (loss.name, *loss.aliases):
            key = _key(alias)
            taken = key in self._presets or key in self._task_aliases
            if taken or (key in self._aliases and self._aliases[key] != loss.name):
                raise ValueError(f"alias {alias!r} of {loss.name} is taken")
            self._aliases[key] = loss.name
        self._losses[loss.name] = loss
        return loss

    def task_alias(self, alias: str, by_task: Mapping[str, str]) -> None:
        """An alias whose meaning depends on the task, e.g. log_loss -> bce or cross_entropy."""
        if self._task_aliases.get(_key(alias)) != dict(by_task):  # a spelling of the same one
            self._check_free(alias)
        self._task_aliases[_key(alias)] = dict(by_task)
        self._extra_names.add(alias)

    def preset(self, alias: str, name: str, **params: float) -> None:
        """An alias that fixes parameters, e.g. poisson_deviance -> tweedie(power=1)."""
        self._check_free(alias)
        self._presets[_key(alias)] = (name, params)
        self._extra_names.add(alias)

    def _check_free(self, alias: str) -> None:
        """An alias names one thing: a later alias never shadows (or is shadowed by) another."""
        key = _key(alias)
        if key in self._aliases or key in self._presets or key in self._task_aliases:
            raise ValueError(f"alias {alias!r} is taken")

    def __getitem__(self, name: str) -> Loss:
        return self._losses[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._losses)

    def __len__(self) -> int:
        return len(self._losses)

    def all_names(self) -> list[str]:
        names = set(self._losses) | self._extra_names
        for loss in self._losses.values():
            names.update(loss.aliases)
        return sorted(names)

    def lookup(self, name: str, task: str | None = None) -> tuple[Loss, dict[str, float]]:
        """Resolve a name or alias to (Loss, preset parameters). An alias whose meaning depends
        on the task (`log_loss`) needs the task: without one it is a usage error, not a pick."""
        key = _key(name)
        if key in self._aliases:
            return self._losses[self._aliases[key]], {}
        if key in self._presets:
            canonical, params = self._presets[key]
            return self._losses[canonical], dict(params)
        if key in self._task_aliases:
            by_task = self._task_aliases[key]
            if task is None:
                meanings = "; ".join(
                    f"{canonical} for {' and '.join(t for t, c in by_task.items() if c == canonical)}"
                    for canonical in dict.fromkeys(by_task.values())
                )
                raise UsageError(
                    f"'{name}' names a different loss for each task ({meanings})",
                    hint=f"pass --task, or name {' or '.join(dict.fromkeys(by_task.values()))}",
                )
            canonical = by_task.get(task, next(iter(by_task.values())))
            return self._losses[canonical], {}
        close = difflib.get_close_matches(name.lower(), self.all_names(), n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}?" if close else "see 'losscli losses'"
        raise UsageError(f"unknown loss '{name}'", hint=hint)

    def tasks_of(self, name: str) -> frozenset[str]:
        """The tasks a name or alias applies to: for an alias whose meaning depends on the task,
        every task one of its meanings applies to."""
        key = _key(name)
        if key in self._task_aliases:
            return frozenset(
                task
                for task, canonical in self._task_aliases[key].items()
                if task in self._losses[canonical].tasks
            )
        return frozenset(self.lookup(name)[0].tasks)

    def for_task(self, task: str) -> list[Loss]:
        return [loss for loss in self._losses.values() if task in loss.kernels]


@dataclass(frozen=True)
class LossSpec:
    """A loss with its parameters; the one text form of a loss everywhere.

    `parse` reads the --loss form ('huber', 'huber:delta=2.5') and, for gates, the label form
    the output shows ('huber(delta=2.5)'); `label` names the loss in results; `to_cli` gives the
    --loss form back. `fixed` names the parameters the text set (itself or through a preset
    alias such as poisson_deviance): a gate that fixes none names the loss whatever its
    parameters.

    >>> spec = LossSpec.parse("huber:delta=2")
    >>> spec.name, spec.params, spec.label, spec.to_cli(), spec.fixed
    ('huber', {'delta': 2.0}, 'huber', 'huber:delta=2', frozenset({'delta'}))
    >>> LossSpec.parse("huber(delta=2)", labels=True).qualified_label()
    'huber(delta=2)'
    >>> LossSpec.parse("huber").qualified_label()
    'huber(delta=1)'
    """

    loss: Loss
    params: dict[str, float | None]
    label: str
    fixed: frozenset[str] = field(default=frozenset(), compare=False)

    @staticmethod
    def tasks_of(text: str, *, labels: bool = False) -> frozenset[str]:
        """The tasks the loss `text` names applies to, parameters aside (`log_loss`: binary,
        multilabel and multiclass, whichever loss it then names)."""
        from losscli.losses import CATALOGUE

        return CATALOGUE.tasks_of(_split_text(text, labels)[0].strip())

    @classmethod
    def parse(cls, text: str, task: str | None = None, *, labels: bool = False) -> LossSpec:
        """'name' or 'name:param=value,...' (and 'name(param=value,...)' when `labels`), with
        the parameters checked against their bounds; the label is the canonical name. A
        parameter given twice, or one that contradicts a preset alias, is a usage error."""
        from losscli.losses import CATALOGUE

        name, rest = _split_text(text, labels)
        loss, preset = CATALOGUE.lookup(name.strip(), task)
        given: dict[str, float | None] = {}
        for item in filter(None, (p.strip() for p in rest.split(","))):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key:
                raise UsageError(
                    f"malformed loss parameter {item!r} in {text!r} (use name:param=value)"
                )
            if key in given:
                raise UsageError(f"parameter '{key}' is given twice in {text!r}")
            given[key] = parse_value(value)
        for key, number in given.items():
            if key in preset and number != preset[key]:
                wanted = f"{key}={format_value(number)}"
                raise UsageError(
                    f"{name.strip()} is {loss.name} with {key}={format_value(preset[key])}; "
                    f"for {wanted} use {loss.name}:{wanted}"
                )
        params = loss.check_params({**preset, **given})
        return cls(loss=loss, params=params, label=loss.name, fixed=frozenset({*preset, *given}))

    @property
    def name(self) -> str:
        return self.loss.name

    def kernel_key(self, task: str) -> tuple[Any, ...]:
        """What fixes this loss's per-row values on `task`: its kernel and its parameters
        (mse and rmse have one key: their rows are computed and summed once)."""
        return (self.loss.kernels.get(task), *sorted(self.params.items()))

    def explicit_params(self) -> dict[str, float | None]:
        return {k: v for k, v in self.params.items() if v != self.loss.defaults()[k]}

    def to_cli(self) -> str:
        """The --loss form: 'huber:delta=2', or the bare name when every parameter is default."""
        explicit = self.explicit_params()
        return f"{self.name}:{format_params(explicit)}" if explicit else self.name

    def qualified_label(self) -> str:
        """'huber(delta=2)': the name with its non-default parameters (all of them when every
        one is default: 'huber(delta=1)'), as output labels a loss asked for with several
        parameter sets; never the bare name of a loss that has parameters."""
        shown = self.explicit_params() or self.params
        return f"{self.name}({format_params(shown)})" if shown else self.name

    def with_label(self, label: str) -> LossSpec:
        """The same loss and parameters under another label."""
        return LossSpec(self.loss, self.params, label, self.fixed)


def label_specs(specs: Iterable[LossSpec]) -> list[LossSpec]:
    """Label each loss by its name or, when one loss is asked for with several parameter sets,
    by its name with parameters ('huber(delta=1)', 'huber(delta=2)'), so that no label is a
    name several losses share; a loss asked for twice with the same parameters is kept once."""
    unique: list[LossSpec] = []
    for spec in specs:
        if not any(s.loss is spec.loss and s.params == spec.params for s in unique):
            unique.append(spec)
    counts = Counter(s.name for s in unique)
    return [s.with_label(s.qualified_label() if counts[s.name] > 1 else s.name) for s in unique]


def _split_text(text: str, labels: bool) -> tuple[str, str]:
    """(name, 'param=value,...') of 'name:params', or of 'name(params)' when `labels`."""
    if labels and "(" in text:
        name, _, rest = text.partition("(")
        if not rest.endswith(")") or "(" in rest or ")" in rest[:-1] or ":" in name:
            raise UsageError(f"malformed loss label {text!r} (use name(param=value,...))")
        return name, rest[:-1]
    name, _, rest = text.partition(":")
    return name, rest


def format_value(value: float | None) -> str:
    """A parameter value as text: '2.5', or 'none' for an optional parameter left off."""
    return "none" if value is None else f"{value:g}"


def format_params(params: Mapping[str, float | None]) -> str:
    """'delta=2,alpha=none': parameters as the --loss form and labels write them."""
    return ",".join(f"{k}={format_value(v)}" for k, v in params.items())


def parse_value(text: str) -> float | None:
    if text.strip().lower() in ("none", "null", "off"):
        return None
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"parameter value {text!r} is not a number") from None


def split_specs(texts: list[str] | tuple[str, ...]) -> list[str]:
    """Split repeated/comma-separated --loss values; commas inside 'name:a=1,b=2' stay with it."""
    out: list[str] = []
    for text in texts:
        for piece in text.split(","):
            piece = piece.strip()
            if not piece:
                continue
            if "=" in piece and ":" not in piece and out and ":" in out[-1]:
                out[-1] = f"{out[-1]},{piece}"
            else:
                out.append(piece)
    return out
