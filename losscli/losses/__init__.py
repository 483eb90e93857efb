"""The loss catalogue: every loss losscli knows, as one registry, plus the per-row kernels.

>>> from losscli.losses import get_loss
>>> float(get_loss("huber").value([100.0], [92.0]))
7.5
"""

from __future__ import annotations

from losscli.losses import binary, multiclass, regression
from losscli.losses._math import one_hot, pick, sigmoid, softmax
from losscli.losses.registry import (
    EPS,
    GROWTH,
    PREDICTIONS,
    TASKS,
    Catalogue,
    Loss,
    LossSpec,
    Param,
    format_params,
    format_value,
    label_specs,
    split_specs,
)

CATALOGUE = Catalogue()
for _loss in (*regression.LOSSES, *binary.LOSSES, *multiclass.LOSSES):
    CATALOGUE.register(_loss)
CATALOGUE.task_alias(
    "log_loss", {"binary": "bce", "multilabel": "bce", "multiclass": "cross_entropy"}
)
CATALOGUE.task_alias(
    "logloss", {"binary": "bce", "multilabel": "bce", "multiclass": "cross_entropy"}
)
CATALOGUE.preset("poisson_deviance", "tweedie", power=1.0)
CATALOGUE.preset("mean_poisson_deviance", "tweedie", power=1.0)
CATALOGUE.preset("gamma_deviance", "tweedie", power=2.0)
CATALOGUE.preset("mean_gamma_deviance", "tweedie", power=2.0)

__all__ = [
    "CATALOGUE",
    "EPS",
    "GROWTH",
    "PREDICTIONS",
    "TASKS",
    "Loss",
    "LossSpec",
    "Param",
    "format_params",
    "format_value",
    "get_loss",
    "label_specs",
    "loss_names",
    "one_hot",
    "pick",
    "resolve_loss",
    "resolve_losses",
    "sigmoid",
    "softmax",
]


def get_loss(name: str, task: str | None = None) -> Loss:
    """The catalogue entry for a name or alias (`l2`, `log_loss`, `BCEWithLogitsLoss`, ...)."""
    return CATALOGUE.lookup(name, task)[0]


def loss_names(task: str | None = None) -> list[str]:
    """Canonical names, in catalogue order, optionally only those that apply to `task`."""
    return [name for name, loss in CATALOGUE.items() if task is None or task in loss.kernels]


def resolve_loss(spec: str, task: str | None = None) -> LossSpec:
    """Parse 'name' or 'name:param=value,param=value' into a LossSpec with checked parameters
    (`LossSpec.parse`)."""
    return LossSpec.parse(spec, task)


def resolve_losses(texts: list[str] | tuple[str, ...], task: str | None = None) -> list[LossSpec]:
    """Resolve repeated / comma-separated --loss values; labels tell apart a loss asked twice."""
    return label_specs(LossSpec.parse(text, task) for text in split_specs(texts))
