"""--per-label: each loss on each label column of a multi-label task, checked against
scikit-learn column by column."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, log_loss
from typer.testing import CliRunner

import losscli
from losscli.cli import app
from losscli.errors import UsageError
from tests.conftest import SAMPLE

MULTILABEL = SAMPLE / "multilabel_digits.parquet"
LABELS = ["even", "gt4", "prime"]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_parquet(MULTILABEL)


def test_per_label_values_match_scikit_learn_per_column(frame: pd.DataFrame):
    result = losscli.compute(MULTILABEL, losses=["bce", "brier"], per_label=True)
    for label in LABELS:
        y, p = frame[f"y_{label}"].to_numpy(), frame[f"p_{label}"].to_numpy()
        p = np.clip(p, 1e-7, 1 - 1e-7)  # losscli's eps (scikit-learn clips at float64 eps)
        assert result.value(f"bce[{label}]") == pytest.approx(log_loss(y, p), rel=1e-12)
        assert result.value(f"brier[{label}]") == pytest.approx(brier_score_loss(y, p), rel=1e-12)
    # the overall multi-label value is the mean of the per-label values (equal weights)
    mean = np.mean([result.value(f"bce[{label}]") for label in LABELS])
    assert result.value("bce") == pytest.approx(mean, rel=1e-12)


def test_per_label_by_group_and_in_json(frame: pd.DataFrame):
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["compute", str(MULTILABEL), "--loss", "brier", "--per-label", "--by", "fold", "--json"],
    )
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    rows = {(r["label"], r["group"] and r["group"]["fold"]): r for r in data["results"]}
    first = rows[("brier[gt4]", 1)]
    assert first["target"] == "gt4" and first["name"] == "brier"
    part = frame[frame.fold == 1]
    assert first["value"] == pytest.approx(brier_score_loss(part.y_gt4, part.p_gt4), rel=1e-12)
    assert "target" not in rows[("brier", None)]


def test_per_label_needs_a_multilabel_task():
    with pytest.raises(UsageError, match="multi-label"):
        losscli.compute(SAMPLE / "regression_diabetes.csv", losses=["mse"], per_label=True)


def test_per_label_labels_reach_the_table_whole():
    # 'bce[even]' would be swallowed as a markup tag if it reached rich as markup
    from losscli.render import Format
    from losscli.render.result import render

    text = render(losscli.compute(MULTILABEL, losses=["bce"], per_label=True), Format.table)
    for label in LABELS:
        assert f"bce[{label}]" in text
