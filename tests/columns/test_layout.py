"""infer_layout: task and label encoding as enums in a frozen Layout; the display text of the
"labels" field is exactly the one JSON output has always carried."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from losscli.columns import (
    LabelEncoding,
    Layout,
    Task,
    infer_layout,
    label_text,
    resolve_columns,
)
from losscli.errors import InputError, UsageError


def layout_of(data: dict, **options) -> Layout:
    batch = pa.RecordBatch.from_pydict(data)
    names = list(data)
    columns = resolve_columns(names, true=options.pop("true", None), pred=options.pop("pred", None))
    return infer_layout(columns, batch, **options)


@pytest.mark.parametrize(
    ("data", "options", "task", "encoding", "text"),
    [
        (
            {"y_true": [1.5, 2.0, 7.0], "y_pred": [1.0, 2.0, 3.0]},
            {},
            "regression",
            "values",
            "values",
        ),
        ({"y_true": [0, 1, 1], "y_pred": [0.1, 0.8, 0.6]}, {}, "binary", "0/1", "0/1"),
        ({"y_true": [-1, 1, 1], "y_pred": [0.1, 0.8, 0.6]}, {}, "binary", "-1/+1", "-1/+1"),
        (
            {"y_true": [True, False, True], "y_pred": [0.9, 0.2, 0.6]},
            {},
            "binary",
            "true/false",
            "true/false",
        ),
        (
            {"y_true": ["no", "yes", "yes"], "y_pred": [0.1, 0.8, 0.6]},
            {},
            "binary",
            "strings",
            "strings, positive 'yes'",
        ),
        (
            {"y_true": ["cat", "dog", "dog"], "y_pred": [0.1, 0.8, 0.6]},
            {"positive": "cat"},
            "binary",
            "strings",
            "strings, positive 'cat'",
        ),
        (
            {
                "label": [0, 1, 2],
                "p_a": [0.5, 0.2, 0.1],
                "p_b": [0.3, 0.5, 0.1],
                "p_c": [0.2, 0.3, 0.8],
            },
            {"true": ["label"], "pred": ["p_*"]},
            "multiclass",
            "integer indices",
            "integer indices",
        ),
        (
            {
                "label": ["a", "b", "c"],
                "p_a": [0.5, 0.2, 0.1],
                "p_b": [0.3, 0.5, 0.1],
                "p_c": [0.2, 0.3, 0.8],
            },
            {"true": ["label"], "pred": ["p_*"]},
            "multiclass",
            "class names",
            "class names",
        ),
        (
            {"y_a": [1.0, 0.0], "y_b": [0.0, 1.0], "p_a": [0.6, 0.3], "p_b": [0.4, 0.7]},
            {},
            "multiclass",
            "one-hot",
            "one-hot",
        ),
        (
            {"y_a": [0.7, 0.2], "y_b": [0.3, 0.8], "p_a": [0.6, 0.3], "p_b": [0.4, 0.7]},
            {},
            "multiclass",
            "soft targets",
            "soft targets",
        ),
        (
            {"y_a": [1.0, 1.0], "y_b": [0.0, 1.0], "p_a": [0.6, 0.3], "p_b": [0.4, 0.7]},
            {},
            "multilabel",
            "multi-label 0/1",
            "multi-label 0/1",
        ),
    ],
)
def test_task_and_encoding_are_inferred(data, options, task, encoding, text):
    layout = layout_of(data, **options)
    assert layout.task is Task(task)
    assert layout.encoding is LabelEncoding(encoding)
    assert layout.labels == text
    assert layout.task_inferred


def test_layout_is_frozen():
    layout = layout_of({"y_true": [0, 1], "y_pred": [0.2, 0.9]})
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.positive = "x"  # type: ignore[misc]


def test_every_encoding_has_a_display_text():
    for encoding in LabelEncoding:
        text = label_text(encoding, "yes")
        assert text and "LabelEncoding" not in text
    assert label_text(LabelEncoding.STRINGS, "-1") == "strings, positive '-1'"


def test_a_given_task_is_not_noted_and_logits_are_read_from_names():
    layout = layout_of({"y_true": [0, 1], "logit": [-2.0, 3.0]}, task="binary")
    assert not layout.task_inferred
    assert layout.from_logits and layout.from_logits_inferred
    assert layout.notes == ["logits, from the column names (--from-probabilities)"]


def test_classes_come_from_the_prediction_columns():
    layout = layout_of(
        {"label": [0, 1], "p_cat": [0.9, 0.2], "p_dog": [0.1, 0.8]}, true=["label"], pred=["p_*"]
    )
    assert layout.classes == ["cat", "dog"]
    assert layout.k == 2


def test_unknown_task_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown task 'ranking'"):
        layout_of({"y_true": [0, 1], "y_pred": [0.2, 0.9]}, task="ranking")


def test_unlabelled_string_pairs_ask_for_the_positive_class():
    with pytest.raises(InputError, match="which one is positive"):
        layout_of({"y_true": ["cat", "dog"], "y_pred": [0.2, 0.9]})


def test_many_string_labels_with_one_prediction_column_are_refused():
    with pytest.raises(InputError, match="3 distinct labels but one prediction column"):
        layout_of({"y_true": ["a", "b", "c"], "y_pred": [0.2, 0.9, 0.5]})
