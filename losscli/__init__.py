"""losscli: evaluate, choose and compare loss functions on prediction files.

The public API is imported lazily so that `import losscli` (and the CLI's start-up) stays light:

>>> import losscli
>>> losscli.get_loss("huber")(np.array([100.0]), np.array([92.0]))  # doctest: +SKIP
array([7.5])
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from losscli._version import __version__

_EXPORTS = {
    "recommend": "losscli.advice",
    "recommend_from": "losscli.advice",
    "compute": "losscli.evaluate",
    "ComputeResult": "losscli.result",
    "get_loss": "losscli.losses",
    "resolve_loss": "losscli.losses",
    "loss_names": "losscli.losses",
    "CATALOGUE": "losscli.losses",
    "Loss": "losscli.losses",
    "LossSpec": "losscli.losses",
    "compare": "losscli.sensitivity",
    "compare_models": "losscli.paired",
    "PairedResult": "losscli.paired",
    "Difference": "losscli.paired",
    "LosscliError": "losscli.errors",
    "InputError": "losscli.errors",
    "UsageError": "losscli.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'losscli' has no attribute {name!r}")
    return getattr(import_module(module), name)
