"""Counts read as English: "1 row", "2 rows", with the verb agreeing."""

from __future__ import annotations

import pandas as pd

import losscli
from losscli.text import plural, were


def test_plural_and_verb():
    assert plural(1, "row") == "1 row" and plural(2, "row") == "2 rows"
    assert plural(1, "probability", "probabilities") == "1 probability"
    assert f"{plural(1, 'row')} {were(1)}" == "1 row was"


def test_one_clipped_probability_is_singular():
    df = pd.DataFrame({"y_true": [1, 0, 1], "y_pred": [1.0, 0.2, 0.7]})
    result = losscli.compute(df, losses=["bce"], task="binary")
    assert any(w.startswith("1 probability was clipped") for w in result.warnings), result.warnings


def test_one_dropped_row_is_singular():
    df = pd.DataFrame({"y_true": [1.0, None, 2.0], "y_pred": [1.0, 2.0, 2.5]})
    result = losscli.compute(df, losses=["mse"], nan="drop")
    assert "1 row with missing values was dropped" in result.warnings
