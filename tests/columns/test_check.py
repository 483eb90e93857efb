"""check_arrays: the one validation of label, prediction and weight arrays."""

from __future__ import annotations

import numpy as np
import pytest

from losscli.columns import NonFinite, check_arrays
from losscli.errors import InputError, UsageError


def test_valid_arrays_pass():
    check_arrays(np.zeros(3), np.full(3, 0.5), np.ones(3), task="binary", probabilities=True)


def test_lengths_must_match():
    with pytest.raises(InputError, match="y_true has 3 rows but y_pred has 4"):
        check_arrays(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize(
    ("task", "pred", "shape"),
    [("multiclass", np.zeros(3), r"\(n, K\)"), ("regression", np.zeros((3, 2)), r"\(n,\)")],
)
def test_prediction_shape_follows_the_task(task, pred, shape):
    with pytest.raises(InputError, match=f"{task} predictions must have shape {shape}"):
        check_arrays(np.zeros(3), pred, task=task)


def test_weights_must_have_one_value_per_row():
    with pytest.raises(InputError, match="2 sample weights for 3 rows"):
        check_arrays(None, np.zeros(3), np.ones(2))


def test_infinite_predictions_name_column_and_row():
    pred = np.array([[0.1, 0.9], [0.5, np.inf]])
    with pytest.raises(InputError, match="infinite prediction") as caught:
        check_arrays(None, pred, columns={"pred": ["p_a", "p_b"]}, file="f", rows=11)
    assert (caught.value.column, caught.value.row) == ("p_b", 12)


def test_infinite_targets_are_refused_in_regression_only():
    y = np.array([1.0, np.inf])
    with pytest.raises(InputError, match="infinite value"):
        check_arrays(y, np.zeros(2), task="regression")
    check_arrays(y, np.zeros(2), task="binary")


def test_nan_is_allowed_unless_asked():
    y = np.array([1.0, np.nan])
    check_arrays(y, np.zeros(2))
    with pytest.raises(InputError, match="missing or infinite value") as caught:
        check_arrays(y, np.zeros(2), nonfinite=NonFinite.ANY)
    assert (caught.value.column, caught.value.row) == ("y_true", 2)


def test_row_numbers_may_be_given_per_row():
    with pytest.raises(InputError) as caught:
        check_arrays(None, np.array([0.0, np.inf]), rows=np.array([4, 9]))
    assert caught.value.row == 9


def test_negative_weights_are_refused_with_their_value():
    with pytest.raises(InputError, match="weights must be finite and >= 0, got -1"):
        check_arrays(None, np.zeros(2), np.array([1.0, -1.0]))


def test_probabilities_are_checked_only_when_asked():
    pred = np.array([0.5, 1.5])
    check_arrays(None, pred)
    with pytest.raises(InputError, match=r"probability 1\.5 is outside \[0, 1\]"):
        check_arrays(None, pred, probabilities=True)


def test_the_error_type_is_the_callers():
    with pytest.raises(UsageError):
        check_arrays(np.zeros(1), np.zeros(2), error=UsageError)


def test_all_finite_is_told_by_one_sum_and_overflow_falls_back_to_the_values():
    from losscli.check import all_finite

    assert all_finite(np.array([1.0, -2.0]), None, np.zeros((2, 3)), np.zeros(0))
    for bad in (np.nan, np.inf, -np.inf):
        assert not all_finite(np.array([1.0, 2.0]), np.array([0.0, bad]))
        assert not all_finite(np.array([[0.0, 1.0], [bad, 1.0]]))
    # finite values whose sum overflows: not proven finite, so the exact checks look, and pass
    huge = np.array([1e308, 1e308])
    assert not all_finite(huge)
    check_arrays(huge, huge, huge, task="regression")


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinity_among_huge_values_is_still_found(bad):
    pred = np.array([1e308, 1e308, bad, 1.0])
    with pytest.raises(InputError, match="row 3: infinite prediction"):
        check_arrays(np.zeros(4), pred, task="regression")
    with pytest.raises(InputError, match="row 3: infinite value"):
        check_arrays(pred, np.zeros(4), task="regression")


def test_weights_and_probabilities_fast_paths_still_refuse_bad_values():
    with pytest.raises(InputError, match=r"weights must be finite and >= 0, got -0\.5"):
        check_arrays(np.zeros(3), np.zeros(3), np.array([1.0, -0.5, 1e308]))
    # a NaN (the converter's to drop or report) hides nothing behind it
    with pytest.raises(InputError, match=r"row 2: probability 1\.5 is outside"):
        check_arrays(np.zeros(2), np.array([np.nan, 1.5]), task="binary", probabilities=True)
    with pytest.raises(InputError, match=r"probability 1\.5 is outside"):
        check_arrays(np.zeros(2), np.array([0.5, 1.5]), task="binary", probabilities=True)
