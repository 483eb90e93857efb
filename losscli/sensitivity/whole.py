"""What `compare` takes from every row of an input it studies on a sample: each loss's value,
summed over batches as `losscli compute` sums it (so the value column is exact and equals
compute's), the row and weight totals, whether any prediction lies outside [0, 1], whether
every multi-class row holds one hard label, which losses' domains some row leaves, and the
confident mistakes (classification) the verdict counts.

The sampled rows give the figures that need order statistics (top share, inflation, the
contamination ratio) and the verdict; these sums give the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from losscli.columns import Arrays
from losscli.diagnose import CONFIDENT, ProbabilityReport, probability_quality
from losscli.engine import Engine, Sums
from losscli.errors import InputError
from losscli.losses import CATALOGUE, LossSpec, resolve_loss
from losscli.losses.regression import Errors


class Whole:
    """Exact sums over every batch of a sampled input (see the module docstring).

    `asked` are the losses the user named (a row outside one's domain is an input error, as
    without a sample); None takes every catalogue loss of the task, and a loss whose domain a
    row leaves is skipped with the reason, as `compare` skips it on data held whole.
    """

    def __init__(
        self, task: str, asked: Sequence[LossSpec] | None, *, from_logits: bool, eps: float
    ) -> None:
        self.task = task
        self.asked = asked is not None
        self.specs = (
            list(asked)
            if asked is not None
            else [resolve_loss(loss.name, task) for loss in CATALOGUE.for_task(task)]
        )
        for spec in self.specs:
            spec.loss.kernel(task)
        self.from_logits = from_logits
        self.eps = eps
        self.sums = {spec.label: Sums() for spec in self.specs}
        self.domain_errors: dict[str, str] = {}
        self.rows = 0
        self.weight = 0.0
        self.outside_unit = False
        self.hard = True
        self.confident = 0
        self.expected: list[float] = []

    def add(self, arrays: Arrays, file: str, offset: int) -> None:
        """One batch: `offset` rows of `file` before it (rows in errors count from there)."""
        y, pred, w = arrays.y, arrays.pred, arrays.weight
        n = len(pred)
        self.rows += n
        w_total = float(n) if w is None else float(np.sum(w))
        self.weight += w_total
        errors = None
        if self.task == "regression":
            with np.errstate(over="ignore", invalid="ignore"):
                errors = Errors(y, pred)  # e = pred - y, shared by the losses of the batch
            check_squares(errors, arrays, file, offset)
        else:
            self.outside_unit = self.outside_unit or bool(((pred < 0) | (pred > 1)).any())
            # the confident mistakes as predictions read as probabilities unless declared
            # logits (`quality` drops them if a prediction outside [0, 1] makes them logits)
            with np.errstate(all="ignore"):
                batch = probability_quality(self.task, y, pred, as_logits=self.from_logits)
            self.confident += batch.observed
            self.expected.append(batch.expected)
        if self.task == "multiclass" and y.ndim == 2:
            self.hard = self.hard and bool(
                np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1)
            )
        done: dict[tuple, float] = {}  # mse and rmse: one kernel, one sum
        for spec in self.specs:
            if spec.loss.name in self.domain_errors:
                continue
            fl = self.from_logits and spec.loss.accepts_logits
            try:
                spec.loss.check_domain(y, pred, from_logits=fl, **spec.params)
            except InputError as exc:
                _locate(exc, arrays, file, offset)
                if self.asked:
                    raise
                self.domain_errors[spec.loss.name] = str(exc)
                continue
            same = (*spec.kernel_key(self.task), fl)
            if same not in done:
                with np.errstate(all="ignore"):
                    losses = spec.loss.per_row(
                        y,
                        pred,
                        task=self.task,
                        from_logits=fl,
                        eps=self.eps,
                        check=False,
                        errors=errors,
                        **spec.params,
                    )
                    done[same] = float(np.sum(losses if w is None else w * losses))
            self.sums[spec.label].add(done[same], w_total, n)

    def quality(self, as_logits: bool) -> ProbabilityReport | None:
        """The confident mistakes of every row (classification), if they were counted with
        the reading `as_logits` the study settled on; else None."""
        if self.task == "regression" or as_logits != self.from_logits:
            return None
        return ProbabilityReport(self.confident, math.fsum(self.expected), CONFIDENT)

    def value(self, spec: LossSpec) -> float:
        """The loss over every row as `compute` reduces it (weighted mean, then finalised);
        NaN where it is undefined."""
        engine = Engine([spec], task=self.task, from_logits=self.from_logits, eps=self.eps)
        value = engine.value(spec, self.sums[spec.label]).value
        return math.nan if value is None else value


def check_squares(errors: Errors, arrays: Arrays, file: str, offset: int) -> None:
    """Squared residuals beyond float64, refused as `compare` refuses them on whole data.

    max |e| below 1e150 proves the batch's sum of squares finite (under 1e300 x its rows)
    with one pass over |e|, which the losses share; no BLAS call, whose threads would spin
    on the cores the reader decodes on."""
    e = errors.e
    if e.size == 0 or float(errors.a.max()) < 1e150:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        finite = math.isfinite(float(np.sum(np.square(e))))
    if not finite:
        with np.errstate(over="ignore", invalid="ignore"):
            bad = np.flatnonzero(~np.isfinite(np.square(e)))
        exc = InputError(
            "squared residuals overflow float64 (values near 1e154 or beyond)",
            row=int(bad[0]) + 1 if bad.size else None,
            hint="rescale the targets and predictions",
        )
        raise _locate(exc, arrays, file, offset)


def _locate(exc: InputError, arrays: Arrays, file: str, offset: int) -> InputError:
    """`exc`, whose row counts from the batch's first kept row, in the file's rows."""
    if exc.row is not None:
        row = exc.row - 1
        if arrays.keep is not None:
            row = int(np.flatnonzero(arrays.keep)[row])
        exc.row = offset + row + 1
    exc.file = exc.file or file
    return exc


__all__ = ["Whole", "check_squares"]
