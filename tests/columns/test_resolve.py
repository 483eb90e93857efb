"""resolve_columns: options matched against the file's columns, roles guessed by name."""

from __future__ import annotations

import pytest

from losscli.columns import Columns, resolve_columns
from losscli.errors import InputError, UsageError


def test_well_known_names_are_guessed_and_noted():
    columns = resolve_columns(["id", "y_true", "y_pred", "w"])
    assert (columns.true, columns.pred, columns.weight) == (["y_true"], ["y_pred"], None)
    assert columns.notes == ["predictions y_pred (--pred)", "labels y_true (--true)"]


def test_named_columns_are_not_noted():
    columns = resolve_columns(["a", "b", "w"], true=["a"], pred=["b"], weight="w")
    assert columns.as_dict() == {"true": ["a"], "pred": ["b"], "weight": "w", "by": []}
    assert columns.notes == []


def test_a_prefix_family_is_the_predictions_and_matching_labels_follow():
    names = ["y_cat", "y_dog", "p_cat", "p_dog"]
    columns = resolve_columns(names)
    assert columns.pred == ["p_cat", "p_dog"]
    assert columns.true == ["y_cat", "y_dog"]


def test_glob_patterns_expand_in_file_order():
    columns = resolve_columns(["label", "p_b", "p_a", "x"], true=["label"], pred=["p_*"])
    assert columns.pred == ["p_b", "p_a"]


def test_needed_lists_every_role_once():
    columns = Columns(["y"], ["p"], "w", ["g", "y"])
    assert columns.needed() == ["y", "p", "w", "g"]


@pytest.mark.parametrize(
    ("names", "options", "message"),
    [
        (["y_true", "pred", "prediction"], {}, "more than one column could be the prediction"),
        (["y_true", "x"], {}, "cannot find the prediction column"),
        (["a", "y_pred"], {}, "cannot find the label/target column"),
        (["y", "target", "y_pred"], {}, "more than one column could be the label"),
        (["y_true", "y_pred"], {"pred": ["nope"]}, "missing column"),
        (["y_true", "y_pred"], {"pred": ["q_*"]}, "no column matches --pred pattern"),
    ],
)
def test_unresolvable_columns_are_input_errors(names, options, message):
    with pytest.raises(InputError, match=message):
        resolve_columns(names, file="f.csv", **options)


def test_one_column_in_two_roles_is_a_usage_error():
    with pytest.raises(UsageError, match="both --true and --pred"):
        resolve_columns(["a", "b"], true=["a"], pred=["a"])
