"""Per-label losses of a multi-label task: the loss of each label column on its own, as
scikit-learn's `multioutput='raw_values'` and torchmetrics' `average=None` give them.

Each is an ordinary `LossSpec` whose multi-label kernel reads one column, so the engine
accumulates it like any loss (groups, weights, bootstrap and --per-row included).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from losscli.errors import UsageError
from losscli.losses.registry import LossSpec


@dataclass(frozen=True)
class ColumnKernel:
    """A multi-label kernel restricted to column `index`: the mean over one label is that
    label's loss."""

    kernel: Any
    index: int

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray, **params: Any) -> np.ndarray:
        j = slice(self.index, self.index + 1)
        result: np.ndarray = self.kernel(y_true[:, j], y_pred[:, j], **params)
        return result


def per_label_specs(specs: list[LossSpec], labels: list[str]) -> dict[str, tuple[LossSpec, str]]:
    """label of the result -> (spec reading one label column, that label's name), for every
    spec and label: `bce[y_cat]` is bce over the column of label `y_cat`.

    >>> from losscli.losses import LossSpec
    >>> sorted(per_label_specs([LossSpec.parse("bce", "multilabel")], ["a", "b"]))
    ['bce[a]', 'bce[b]']
    """
    out: dict[str, tuple[LossSpec, str]] = {}
    for spec in specs:
        kernel = spec.loss.kernel("multilabel")
        for j, name in enumerate(labels):
            label = f"{spec.label}[{name}]"
            if label in out:
                raise UsageError(f"--per-label: two labels are named {name!r}")
            loss = replace(spec.loss, kernels={"multilabel": ColumnKernel(kernel, j)})
            out[label] = (LossSpec(loss, spec.params, label), name)
    return out
