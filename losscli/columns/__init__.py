"""Columns: which input columns play which role (`resolve`), what the data is (`layout`: task and
label encoding as enums in a frozen `Layout`), batches to numpy arrays (`convert`, one converter
per task, checking every batch against the layout) and one array validation (`check`).
"""

from losscli.check import NonFinite, check_arrays
from losscli.columns.arrow import (
    bool_array,
    distinct,
    from_numpy,
    string_array,
    to_float64,
    to_numpy,
    valid_mask,
)
from losscli.columns.convert import Arrays, BatchConverter
from losscli.columns.labels import LabelEncoding, Task
from losscli.columns.layout import Layout, WholeLabels, infer_layout, label_text
from losscli.columns.resolve import (
    PRED_NAMES,
    PRED_PREFIXES,
    TRUE_NAMES,
    TRUE_PREFIXES,
    Columns,
    resolve_columns,
)

__all__ = [
    "PRED_NAMES",
    "PRED_PREFIXES",
    "TRUE_NAMES",
    "TRUE_PREFIXES",
    "Arrays",
    "BatchConverter",
    "Columns",
    "LabelEncoding",
    "Layout",
    "NonFinite",
    "Task",
    "WholeLabels",
    "bool_array",
    "check_arrays",
    "distinct",
    "from_numpy",
    "infer_layout",
    "label_text",
    "resolve_columns",
    "string_array",
    "to_float64",
    "to_numpy",
    "valid_mask",
]
