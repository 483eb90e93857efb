"""The compare plot says what it shows: legend lines in the curves' styles, each Huber-like
loss's bend marked in robust SDs, the histogram over the data's own range."""

from __future__ import annotations

import numpy as np
import pytest

from losscli import compare
from tests.conftest import SAMPLE

pytest.importorskip("matplotlib")
from losscli.render.plot import draw

DIABETES = SAMPLE / "regression_diabetes.csv"


@pytest.fixture(scope="module")
def diabetes_figure():
    return draw(compare(DIABETES, losses=["mse", "huber", "log_cosh", "mae", "msle"]))


def test_legend_lines_match_the_curves(diabetes_figure):
    left = diabetes_figure.axes[0]
    curves = {
        line.get_label(): line for line in left.get_lines() if not line.get_label().startswith("_")
    }
    legend = left.get_legend()
    assert legend is not None
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
        curve = curves[text.get_text()]
        assert handle.get_linestyle() == curve.get_linestyle(), text.get_text()
    assert any(line.get_linestyle() == "-." for line in curves.values())  # msle, logarithmic
    assert legend.handlelength >= 3  # long enough for a dash-dot pattern to show


def test_each_loss_bend_is_marked_in_robust_sds(diabetes_figure):
    texts = [t.get_text() for t in diabetes_figure.axes[0].get_legend().get_texts()]
    c = compare(DIABETES, losses=["mse"])
    delta_in_sds = 1.0 / c.robust_scale  # huber's default delta = 1 in the data's units
    assert any(f"huber [delta = {delta_in_sds:.2g} s]" in t for t in texts), texts
    assert any("log_cosh [bend = " in t for t in texts)
    markers = [line for line in diabetes_figure.axes[0].get_lines() if line.get_marker() == "o"]
    assert markers and all(np.allclose(np.abs(m.get_xdata()), delta_in_sds) for m in markers)


def test_histogram_spans_the_data_not_a_fixed_range(diabetes_figure):
    right = diabetes_figure.axes[1]
    c = compare(DIABETES, losses=["mse"])
    largest = float(np.max(np.abs(c.residuals))) / c.robust_scale  # 2.55 robust SDs
    reach = max(3.0, largest)  # at least +-3 SD, room for the normal curve
    low, high = right.get_xlim()
    assert -reach - 0.5 < low < -largest and largest < high < reach + 0.5  # not +-8
