"""`losscli compare`: how much would a few bad rows move each loss? (the study: `study.py`).

`model` holds the frozen result types, `synthetic` the seeded data sets, `verdict` the words on
the shared diagnosis (`losscli.diagnose`), `study` the comparison itself.
"""

from __future__ import annotations

from losscli.sensitivity.model import Comparison, LossFigures, Verdict
from losscli.sensitivity.study import Origin, check_options, compare, compare_arrays
from losscli.sensitivity.synthetic import synthetic
from losscli.sensitivity.verdict import command_to_check_verdict

__all__ = [
    "Comparison",
    "LossFigures",
    "Origin",
    "Verdict",
    "check_options",
    "command_to_check_verdict",
    "compare",
    "compare_arrays",
    "synthetic",
]
