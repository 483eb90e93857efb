"""BatchConverter: one converter per task behind one interface, batches to the kernels'
conventions, errors naming the column and the row of the file."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize("labels", [[0, 1, 1], [1, 1, 0], [1.0, 0.0, 1.0]])
def test_positive_minus_one_refuses_zero_labels(labels):
    """--positive -1 reads the labels as -1/+1: a 0 is no such label (read as the negative one,
    every row of 0/1 labels would count as negative), as a -1 is refused under --positive 0."""
    converter, batch = converter_for({"y_true": labels, "y_pred": [0.2, 0.7, 0.4]}, positive="-1")
    with pytest.raises(InputError, match="label 0 where --positive -1") as caught:
        converter.convert(batch, 10, "f")
    assert caught.value.row == 11 + labels.index(0)


def test_positive_minus_one_through_the_cli_is_refused(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "labels.csv"
    path.write_text("y_true,y_pred\n1,0.9\n0,0.2\n1,0.6\n")
    out = subprocess.run(
        [sys.executable, "-m", "losscli", "compute", str(path), "--loss", "bce", "--positive=-1"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and out.stdout == ""
    assert "row 2" in out.stderr and "Traceback" not in out.stderr


# ---------------------------------------------------------------------------------------------
# The fast paths against value-by-value NumPy references

_EDGES = [0.0, -0.0, 5e-324, 1e-300, 1.5, -2.0, 1e154, 1e308, -1.7e308, np.nan, np.inf, -np.inf]


def _reference_regression(y, pred, w, nan, size):
    """Plain NumPy, batch by batch: NaN anywhere drops the row (or is the error); then an
    infinite prediction, an infinite target, a weight not finite or negative is the error."""
    kept = []
    for start in range(0, len(y), size):
        part = slice(start, start + size)
        yb, pb, wb = y[part], pred[part], None if w is None else w[part]
        missing = np.isnan(yb) | np.isnan(pb) | (np.isnan(wb) if wb is not None else False)
        if missing.any() and nan == "error":
            return ("missing", start + int(np.argmax(missing)) + 1)
        keep = ~missing
        rows = start + np.flatnonzero(keep) + 1
        bad_w = (
            np.zeros(keep.sum(), bool) if wb is None else ~np.isfinite(wb[keep]) | (wb[keep] < 0)
        )
        for what, bad in (
            ("infinite prediction", np.isinf(pb[keep])),
            ("infinite value", np.isinf(yb[keep])),
            ("weights", bad_w),
        ):
            if bad.any():
                return (what, int(rows[np.argmax(bad)]))
        kept.append(keep)
    keep = np.concatenate(kept)
    return y[keep], pred[keep], None if w is None else w[keep]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            *[st.lists(st.sampled_from(_EDGES) | st.floats(-10, 10), min_size=n, max_size=n)] * 3
        )
    ),
    st.booleans(),
    st.sampled_from(["error", "drop"]),
    st.integers(1, 7),
)
def test_regression_batches_read_fast_equal_value_by_value(columns, weighted, nan, size):
    """A batch free of NaN and infinity is told by one sum per array (huge finite values whose
    sum overflows included); the arrays handed on and the error raised, with its row in the
    file, are what a value-by-value reading gives, however the rows are cut into batches."""
    y, pred, w = (np.array(c, dtype=np.float64) for c in columns)
    w = np.abs(w) if weighted else None
    data = {"y_true": y, "y_pred": pred} | ({"w": w} if w is not None else {})
    first = {k: [1.5, 2.5] for k in data}  # a first batch the layout reads as regression
    converter, _ = converter_for(first, weight="w" if weighted else None, nan=nan)
    expected = _reference_regression(y, pred, w, nan, size)
    got: list = []
    with np.errstate(all="ignore"):
        try:
            for start in range(0, len(y), size):
                batch = pa.RecordBatch.from_pydict(
                    {k: v[start : start + size] for k, v in data.items()}
                )
                got.append(converter.convert(batch, start, "f"))
        except InputError as exc:
            assert isinstance(expected[0], str), exc
            assert expected[0] in str(exc)
            assert exc.row == expected[1]
            return
    assert not isinstance(expected[0], str), expected
    np.testing.assert_array_equal(np.concatenate([a.y for a in got]), expected[0])
    np.testing.assert_array_equal(np.concatenate([a.pred for a in got]), expected[1])
    if weighted:
        np.testing.assert_array_equal(np.concatenate([a.weight for a in got]), expected[2])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([0, 1, None]), min_size=1, max_size=30),
    st.sampled_from(["int8", "uint64", "int64", "bool"]),
    st.sampled_from([None, "1", "0"]),
    st.integers(1, 7),
)
def test_zero_one_labels_read_fast_equal_value_by_value(labels, kind, positive, size):
    """Integer and boolean 0/1 labels (sliced Arrow arrays, nulls, --positive 0 or 1) become
    1 for the positive label, 0 for the other, NaN rows dropped: as NumPy reads them."""
    kind_ = pa.bool_() if kind == "bool" else getattr(pa, kind)()
    values = pa.array(
        [None if v is None else bool(v) if kind == "bool" else v for v in labels], kind_
    )
    n = len(labels)
    pred = pa.array(np.linspace(0.1, 0.9, n))
    # one long array sliced into batches: the batches' arrays start at an offset
    padded = pa.concat_arrays([values.slice(0, 0), pa.nulls(3, values.type), values]).slice(3)
    layout_batch = pa.RecordBatch.from_pydict(
        {
            "y_true": pa.array([False, True] if kind == "bool" else [0, 1], kind_),
            "y_pred": [0.2, 0.7],
        }
    )
    columns = resolve_columns(["y_true", "y_pred"])
    layout = infer_layout(columns, layout_batch, positive=positive)
    converter = BatchConverter(columns, layout, nan="drop")
    ys = []
    for start in range(0, n, size):
        batch = pa.RecordBatch.from_arrays(
            [padded.slice(start, size), pred.slice(start, size)], ["y_true", "y_pred"]
        )
        ys.append(converter.convert(batch, start, "f").y)
    known = np.array([v for v in labels if v is not None], dtype=np.float64)
    expected = 1.0 - known if positive == "0" else known
    np.testing.assert_array_equal(np.concatenate(ys), expected)
