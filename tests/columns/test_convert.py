"""BatchConverter: one converter per task behind one interface, batches to the kernels'
conventions, errors naming the column and the row of the file."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from losscli.columns import BatchConverter, infer_layout, resolve_columns
from losscli.columns.convert import (
    BinaryConverter,
    MulticlassConverter,
    MultilabelConverter,
    RegressionConverter,
)
from losscli.errors import InputError, UsageError


def converter_for(data: dict, **options) -> tuple[BatchConverter, pa.RecordBatch]:
    batch = pa.RecordBatch.from_pydict(data)
    true, pred = options.pop("true", None), options.pop("pred", None)
    columns = resolve_columns(list(data), true=true, pred=pred, weight=options.pop("weight", None))
    layout = infer_layout(columns, batch, positive=options.pop("positive", None))
    return BatchConverter(columns, layout, **options), batch


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"y_true": [1.5, 2.0], "y_pred": [1.0, 2.0]}, RegressionConverter),
        ({"y_true": [0, 1], "y_pred": [0.2, 0.7]}, BinaryConverter),
        (
            {"y_a": [1.0, 0.0], "y_b": [0.0, 1.0], "p_a": [0.6, 0.3], "p_b": [0.4, 0.7]},
            MulticlassConverter,
        ),
        (
            {"y_a": [1.0, 1.0], "y_b": [0.0, 1.0], "p_a": [0.6, 0.3], "p_b": [0.4, 0.7]},
            MultilabelConverter,
        ),
    ],
)
def test_the_layout_picks_the_converter(data, kind):
    converter, _ = converter_for(data)
    assert type(converter) is kind
    assert isinstance(converter, BatchConverter)


def test_regression_rows_with_missing_values_are_dropped_and_counted():
    converter, batch = converter_for(
        {"y_true": [1.0, None, 3.0], "y_pred": [1.5, 2.0, None]}, nan="drop"
    )
    arrays = converter.convert(batch, 0, "f.csv")
    np.testing.assert_array_equal(arrays.y, [1.0])
    np.testing.assert_array_equal(arrays.pred, [1.5])
    np.testing.assert_array_equal(arrays.keep, [True, False, False])
    assert (arrays.rows, arrays.dropped) == (3, 2)


def test_a_missing_value_is_an_error_naming_its_row_after_the_offset():
    converter, batch = converter_for({"y_true": [3.0, None], "y_pred": [1.5, 2.0]})
    with pytest.raises(InputError, match="missing value") as caught:
        converter.convert(batch, 10, "f.csv")
    assert (caught.value.column, caught.value.row) == ("y_true", 12)


def test_signed_binary_labels_become_zero_one():
    converter, batch = converter_for({"y_true": [-1, 1, -1], "y_pred": [0.2, 0.7, 0.4]})
    np.testing.assert_array_equal(converter.convert(batch, 0, "f").y, [0.0, 1.0, 0.0])


def test_string_labels_use_the_positive_class():
    converter, batch = converter_for(
        {"y_true": ["cat", "dog", "cat"], "y_pred": [0.2, 0.7, 0.4]}, positive="cat"
    )
    np.testing.assert_array_equal(converter.convert(batch, 0, "f").y, [1.0, 0.0, 1.0])


def test_a_third_binary_label_in_a_later_batch_is_refused():
    converter, batch = converter_for({"y_true": ["no", "yes"], "y_pred": [0.2, 0.7]})
    converter.convert(batch, 0, "f")
    later = pa.RecordBatch.from_pydict({"y_true": ["maybe"], "y_pred": [0.5]})
    with pytest.raises(InputError, match="more than two labels"):
        converter.convert(later, 2, "f")


def test_mixed_zero_and_minus_one_labels_are_refused():
    converter, batch = converter_for({"y_true": [0, 1], "y_pred": [0.2, 0.7]})
    converter.convert(batch, 0, "f")
    later = pa.RecordBatch.from_pydict({"y_true": [-1], "y_pred": [0.4]})
    with pytest.raises(InputError, match="labels mix 0 and -1"):
        converter.convert(later, 2, "f")


@pytest.mark.parametrize(
    "later",
    [[1, 1, 0], [True, False], [1, None], [0, 2], [-1, 1], [0.0, 1.0]],
    ids=["ints", "booleans", "null", "two", "minus-one", "floats"],
)
def test_zero_one_integer_labels_read_fast_agree_with_every_other_reading(later):
    """0/1 integer labels are told by their least and greatest value; any batch that is not
    plainly 0/1 (a null, a 2, a -1, floats) is read value by value, with the labels seen so far."""
    converter, _ = converter_for({"y_true": [0, 1], "y_pred": [0.2, 0.7]}, nan="drop")
    batch = pa.RecordBatch.from_pydict({"y_true": [1, 1], "y_pred": [0.2, 0.7]})
    np.testing.assert_array_equal(converter.convert(batch, 0, "f").y, [1.0, 1.0])
    assert converter.seen == {1.0}
    n = len(later)
    batch = pa.RecordBatch.from_pydict({"y_true": later, "y_pred": [0.5] * n})
    if 2 in later:
        with pytest.raises(InputError, match="label 2 does not fit a binary task") as caught:
            converter.convert(batch, 2, "f")
        assert caught.value.row == 4
        return
    y = converter.convert(batch, 2, "f").y
    expected = [float(v) for v in later if v is not None]
    np.testing.assert_array_equal(y, [max(v, 0.0) for v in expected])
    assert converter.seen == {max(v, -1.0) for v in [1.0, *expected]}


def test_zero_one_fast_path_still_refuses_zero_after_minus_one():
    converter, batch = converter_for({"y_true": [-1, 1], "y_pred": [0.2, 0.7]})
    converter.convert(batch, 0, "f")
    later = pa.RecordBatch.from_pydict({"y_true": [1, 0], "y_pred": [0.4, 0.5]})
    with pytest.raises(InputError, match="labels mix 0 and -1") as caught:
        converter.convert(later, 2, "f")
    assert caught.value.row == 4


def test_class_names_become_indices_of_the_prediction_columns():
    converter, batch = converter_for(
        {"label": ["b", "a"], "p_a": [0.4, 0.7], "p_b": [0.6, 0.3]}, true=["label"], pred=["p_*"]
    )
    arrays = converter.convert(batch, 0, "f")
    assert arrays.y.dtype == np.int64
    np.testing.assert_array_equal(arrays.y, [1, 0])


def test_hard_one_hot_targets_become_indices():
    converter, batch = converter_for(
        {"y_a": [1.0, 0.0], "y_b": [0.0, 1.0], "p_a": [0.6, 0.3], "p_b": [0.4, 0.7]}
    )
    np.testing.assert_array_equal(converter.convert(batch, 0, "f").y, [0, 1])


def test_class_index_out_of_range_is_refused():
    converter, _ = converter_for(
        {"label": [0, 1], "p_a": [0.4, 0.7], "p_b": [0.6, 0.3]}, true=["label"], pred=["p_*"]
    )
    bad = pa.RecordBatch.from_pydict({"label": [2], "p_a": [0.4], "p_b": [0.6]})
    with pytest.raises(InputError, match=r"class index 2 is not an integer in 0\.\.1"):
        converter.convert(bad, 0, "f")


def test_multilabel_labels_must_be_zero_one():
    converter, _ = converter_for(
        {"y_a": [1.0, 1.0], "y_b": [0.0, 1.0], "p_a": [0.6, 0.3], "p_b": [0.4, 0.7]}
    )
    bad = pa.RecordBatch.from_pydict({"y_a": [2.0], "y_b": [0.0], "p_a": [0.6], "p_b": [0.4]})
    with pytest.raises(InputError, match="label 2 is not 0/1"):
        converter.convert(bad, 0, "f")


def test_probabilities_outside_the_unit_interval_name_the_column():
    converter, batch = converter_for(
        {"y_a": [1.0, 0.0], "y_b": [0.0, 1.0], "p_a": [0.6, 0.3], "p_b": [0.4, 1.7]},
        probabilities=True,
    )
    with pytest.raises(InputError, match=r"probability 1\.7 is outside") as caught:
        converter.convert(batch, 0, "f")
    assert (caught.value.column, caught.value.row) == ("p_b", 2)


def test_unknown_nan_policy_is_a_usage_error():
    with pytest.raises(UsageError, match="--nan must be"):
        converter_for({"y_true": [3.0], "y_pred": [1.0]}, nan="keep")
