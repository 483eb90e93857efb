"""Which loss for which task: the decision table as data (`table`), matching it (`rules`), and
inference from prediction files (`from_data`), on the shared diagnosis of `losscli.diagnose`.

Importing this package imports no numpy, pandas or pyarrow: `recommend()` is pure data; the
data-driven path (`recommend_for_arrays`, `recommend_from`) imports them when called.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from losscli.advice.model import (
    ACTIVATIONS,
    FRAMEWORKS,
    LABELS,
    TASKS,
    Alternative,
    Caveat,
    Hint,
    Recommendation,
    Rule,
)
from losscli.advice.request import advise
from losscli.advice.rules import recommend, rule_for, warnings_for
from losscli.advice.table import HINTS, RULES, WARNINGS

#: The data-driven path, imported on first use (`recommend --task ...` never needs it).
_FROM_DATA = ("command_to_check_recommendation", "recommend_for_arrays", "recommend_from")

__all__ = [
    "ACTIVATIONS",
    "FRAMEWORKS",
    "HINTS",
    "LABELS",
    "RULES",
    "TASKS",
    "WARNINGS",
    "Alternative",
    "Caveat",
    "Hint",
    "Recommendation",
    "Rule",
    "advise",
    "command_to_check_recommendation",
    "recommend",
    "recommend_for_arrays",
    "recommend_from",
    "rule_for",
    "warnings_for",
]


def __getattr__(name: str) -> Any:
    if name in _FROM_DATA:
        return getattr(import_module("losscli.advice.from_data"), name)
    raise AttributeError(f"module 'losscli.advice' has no attribute {name!r}")
