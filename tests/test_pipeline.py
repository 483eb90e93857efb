"""The pipeline: one Plan for every source, the shared column options as a frozen InputSpec."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from losscli.columns import LabelEncoding
from losscli.pipeline import InputSpec, load_arrays, make_plan


@pytest.fixture
def signed() -> pd.DataFrame:
    return pd.DataFrame({"id": [1, 2, 3], "t": [-1, 1, 1], "s": [0.2, 0.9, 0.6], "w": [1, 2, 1.0]})


def test_input_spec_is_frozen_and_stores_tuples():
    spec = InputSpec.of(true=["t"], pred="s")
    assert (spec.true, spec.pred) == (("t",), ("s",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.task = "binary"  # type: ignore[misc]
    assert spec.replace(task="binary").task == "binary"
    assert spec.task is None


def test_a_spec_and_keywords_plan_alike(signed):
    by_spec = make_plan(signed, InputSpec.of(true=["t"], pred=["s"], weight="w"))
    by_keywords = make_plan(signed, true=["t"], pred=["s"], weight="w")
    assert by_spec.columns.as_dict() == by_keywords.columns.as_dict()
    assert by_spec.layout == by_keywords.layout
    assert by_spec.keys == by_keywords.keys == ["id"]


def test_keywords_override_the_spec(signed):
    plan = make_plan(signed, InputSpec.of(true=["t"], pred=["s"]), weight="w")
    assert plan.columns.weight == "w"


def test_prepared_carries_the_encoding_beside_its_text(signed):
    prepared = load_arrays(signed, InputSpec.of(true=["t"], pred=["s"], weight="w"))
    assert prepared.encoding is LabelEncoding.PLUS_MINUS_ONE
    assert prepared.labels == "-1/+1"
    np.testing.assert_array_equal(prepared.y_true, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(prepared.weight, [1.0, 2.0, 1.0])


def test_the_spec_nan_policy_is_used(signed):
    signed.loc[1, "s"] = np.nan
    prepared = load_arrays(signed, InputSpec.of(true=["t"], pred=["s"], nan="drop"))
    assert (prepared.rows_used, prepared.rows_dropped) == (2, 1)
