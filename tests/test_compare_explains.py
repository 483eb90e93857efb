"""compare explains itself: each loss sees the same contamination whatever else is listed, the
ranking agrees with the verdict on heavy tails, and the output says why."""

from __future__ import annotations

import numpy as np
import pytest

from losscli import compare
from losscli.sensitivity import compare_arrays
from tests.conftest import SAMPLE

DIABETES = SAMPLE / "regression_diabetes.csv"


def ratio(comparison, label: str) -> float:
    return next(f.contamination_ratio for f in comparison.figures if f.label == label)


@pytest.mark.parametrize("source", [None, DIABETES])
def test_a_loss_sees_the_same_contamination_whatever_else_is_listed(source):
    alone = compare(source, task="regression", losses=["mse"], seed=3)
    everything = compare(source, task="regression", seed=3)  # msle and poisson have domains
    assert {"msle", "poisson", "mse"} <= {f.label for f in everything.figures}
    assert ratio(alone, "mse") == ratio(everything, "mse")
    assert ratio(alone, "mse") == ratio(
        compare(source, task="regression", losses=["mae", "mse"], seed=3), "mse"
    )


def heavy_tailed(seed: int = 2, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Cauchy-like residuals (Student t, 1 degree of freedom) of scale 5 around targets ~100."""
    rng = np.random.default_rng(seed)
    y = rng.normal(100.0, 20.0, n)
    return y, y + 5.0 * rng.standard_t(1.0, n)


def test_on_heavy_tails_mse_ranks_above_the_huber_the_verdict_prefers():
    y, pred = heavy_tailed()
    c = compare_arrays("regression", y, pred, losses=["mse", "huber:delta=20", "mae"])
    order = [f.label for f in c.figures]
    assert order == ["mse", "huber", "mae"]  # one huber: labelled by its name
    assert c.verdict.heavy_tails and "steadier than mse" in c.verdict.summary
    # the rows already beyond the injected errors were set aside, and the set-up says so
    assert c.gross_rows > 0 and c.to_dict()["data"]["gross_rows"] == c.gross_rows


def test_a_delta_beyond_the_injected_errors_is_explained():
    y, pred = heavy_tailed()
    c = compare_arrays("regression", y, pred, losses=["mse", "huber:delta=100", "huber:delta=20"])
    # quadratic wherever the base residuals and most contaminated ones lie: mse's ratio
    assert ratio(c, "huber(delta=100)") == pytest.approx(ratio(c, "mse"), rel=0.01)
    [far, near] = c.explanations
    assert far.startswith("huber(delta=100): delta=100 is") and "as sensitive as mse" in far
    assert near.startswith("huber(delta=20)") and "linear beyond" in near
    assert c.to_dict()["explanations"] == c.explanations


def test_compare_table_shows_labels_as_text():
    from losscli.render import Format
    from losscli.render.compare import render

    y, pred = heavy_tailed()
    c = compare_arrays("regression", y, pred, losses=["huber:delta=20", "huber:delta=5"])
    text = render(c, Format.table)
    assert "huber(delta=20)" in text and "why: huber(delta=5)" in " ".join(text.split())
