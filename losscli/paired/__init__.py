"""Model against model: two models' losses on the same rows, each difference with a paired
confidence interval, and gates that tell a real regression from the noise of the evaluation
set (`compare_models`; `losscli compute NEW --baseline OLD_PREDICTIONS`)."""

from losscli.paired.compare import compare_models
from losscli.paired.result import Difference, PairedGate, PairedResult

__all__ = ["Difference", "PairedGate", "PairedResult", "compare_models"]
