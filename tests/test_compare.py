"""Tests of `losscli.sensitivity` (the sensitivity study), `losscli.render.compare` and `losscli.render.plot`."""

from __future__ import annotations

import builtins
import json
import math
from pathlib import Path

import numpy as np
import pytest

from losscli.diagnose import heavy_tail_threshold, normal_top_share
from losscli.errors import InputError, UsageError
from losscli.losses import get_loss
from losscli.render import Format
from losscli.render.compare import bar, show, to_csv, to_markdown
from losscli.sensitivity import compare, compare_arrays, synthetic

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sample_data"


def _orientation(seed: int = 1, n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """The issue's orientation data: N(0, 0.5) residuals, 1% of rows gross errors N(0, 40)."""
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0, 0.5, n)
    gross = rng.choice(n, n // 100, replace=False)
    r[gross] = rng.normal(0.0, 40.0, gross.size)
    y = rng.normal(50.0, 10.0, n)
    return y, y + r


def _by_label(comparison) -> dict:
    return {f.label: f for f in comparison.figures}


# ---------------------------------------------------------------------------------------------
# The figures against a direct numpy computation


def _direct(y, p, w, top, contamination, magnitude, seed, kernel):
    """Every figure from its definition, with numpy only (weighted means, shared trimming)."""
    n = len(y)
    r = p - y
    k = max(1, math.ceil(top * n))
    order = np.argsort(-np.abs(r), kind="stable")
    worst = np.zeros(n, dtype=bool)
    worst[order[:k]] = True
    keep = np.flatnonzero(~worst)
    rng = np.random.default_rng(seed)
    m = max(1, round(contamination * keep.size))
    chosen = np.sort(rng.choice(keep, m, replace=False))
    signs = rng.choice(np.array([-1.0, 1.0]), m)
    t = r[keep]
    s = 1.4826 * np.median(np.abs(t - np.median(t)))
    p_c = p.copy()
    p_c[chosen] += signs * magnitude * s

    def mean(values, mask):
        return np.sum(w[mask] * values[mask]) / np.sum(w[mask])

    loss = kernel(y, p)
    everything = np.ones(n, dtype=bool)
    contribution = w * loss
    own = np.argsort(-contribution, kind="stable")[:k]
    own_mask = np.ones(n, dtype=bool)
    own_mask[own] = False
    return {
        "value": mean(loss, everything),
        "top_share": contribution[own].sum() / contribution.sum(),
        "inflation": mean(loss, everything) / mean(loss, own_mask),
        "ratio": mean(kernel(y, p_c), ~worst) / mean(loss, ~worst),
        "scale": s,
    }


def test_figures_match_a_direct_numpy_computation():
    rng = np.random.default_rng(7)
    n = 3_000
    y = rng.normal(0.0, 2.0, n)
    p = y + rng.standard_t(3, n)
    w = rng.uniform(0.5, 2.0, n)
    kernels = {
        "mse": lambda a, b: (b - a) ** 2,
        "mae": lambda a, b: np.abs(b - a),
        "huber(delta=2)": lambda a, b: np.where(
            np.abs(b - a) <= 2, 0.5 * (b - a) ** 2, 2 * (np.abs(b - a) - 1)
        ),
    }
    result = compare_arrays(
        "regression",
        y,
        p,
        weight=w,
        losses=["mse", "mae", "huber:delta=2"],
        top=0.02,
        contamination=0.1,
        magnitude=8.0,
        seed=11,
    )
    figures = {
        f.spec.name if f.spec.name != "huber" else "huber(delta=2)": f for f in result.figures
    }
    for name, kernel in kernels.items():
        expected = _direct(y, p, w, 0.02, 0.1, 8.0, 11, kernel)
        got = figures[name]
        assert got.value == pytest.approx(expected["value"], rel=1e-12)
        assert got.top_share == pytest.approx(expected["top_share"], rel=1e-12)
        assert got.inflation == pytest.approx(expected["inflation"], rel=1e-12)
        assert got.contamination_ratio == pytest.approx(expected["ratio"], rel=1e-12)
        assert result.robust_scale == pytest.approx(expected["scale"], rel=1e-12)
    # the value is what `compute` reports: the catalogue's weighted value
    assert figures["mse"].value == pytest.approx(get_loss("mse").value(y, p, sample_weight=w))
    assert result.trimmed_rows == math.ceil(0.02 * n)
    assert result.contaminated_rows == round(0.1 * (n - result.trimmed_rows))


def test_rmse_figures_are_those_of_its_square_root():
    y, p = _orientation(n=4_000)
    figures = _by_label(compare_arrays("regression", y, p, losses=["mse", "rmse"]))
    assert figures["rmse"].value == pytest.approx(math.sqrt(figures["mse"].value))
    assert figures["rmse"].top_share == pytest.approx(figures["mse"].top_share)
    assert figures["rmse"].contamination_ratio == pytest.approx(
        math.sqrt(figures["mse"].contamination_ratio)
    )


# ---------------------------------------------------------------------------------------------
# The orientation figures and the ranking


def test_orientation_figures_with_gross_errors():
    y, p = _orientation()
    figures = _by_label(compare_arrays("regression", y, p, losses=["mse", "huber", "mae"]))
    expected = {
        "mse": (71.0, 6.0),
        "huber": (3.6, 2.8),
        "mae": (1.8, 1.6),
    }
    for name, (inflation, ratio) in expected.items():
        assert figures[name].inflation == pytest.approx(inflation, rel=0.25), name
        assert figures[name].contamination_ratio == pytest.approx(ratio, rel=0.25), name


def test_orientation_clean_wide_residuals_make_huber_look_like_mae():
    rng = np.random.default_rng(2)
    y = rng.normal(0.0, 5.0, 20_000)
    result = compare_arrays("regression", y, y + rng.normal(0.0, 3.0, y.size))
    figures = _by_label(result)
    assert figures["huber"].contamination_ratio == pytest.approx(1.7, rel=0.25)
    assert figures["huber"].contamination_ratio - figures["mae"].contamination_ratio < 0.3
    assert not result.verdict.heavy_tails
    assert "acts like mae" in result.verdict.text
    delta = result.verdict.alternatives[0].params["delta"]
    assert delta == pytest.approx(1.345 * 3.0, rel=0.05)
    assert f"huber:delta={delta:g}" in result.verdict.compute_command


def test_ranking_on_gross_outliers_puts_mse_above_huber_above_mae():
    y, p = _orientation(seed=5, n=5_000)
    result = compare_arrays("regression", y, p)
    ranks = {f.label: f.rank for f in result.figures}
    assert ranks["mse"] < ranks["huber"] < ranks["mae"]
    assert result.figures[0].growth == "quadratic"
    assert result.verdict.heavy_tails
    assert result.verdict.suggested.name == "huber"
    assert "heavy tails" in result.verdict.text
    assert "--loss huber:delta=" in result.verdict.compute_command


def test_ranking_is_by_ratio_then_top_share():
    result = compare(task="regression")
    keys = [(f.contamination_ratio, f.top_share) for f in result.figures]
    assert keys == sorted(keys, reverse=True)
    assert [f.rank for f in result.figures] == list(range(1, len(keys) + 1))


@pytest.mark.parametrize("n", [300, 20_000])
def test_clean_gaussian_residuals_give_no_heavy_tail_verdict(n):
    for seed in range(8 if n < 1000 else 2):
        rng = np.random.default_rng(seed)
        y = rng.normal(0.0, 1.0, n)
        result = compare_arrays("regression", y, y + rng.normal(0.0, 0.4, n), losses=["mse", "mae"])
        assert not result.verdict.heavy_tails, result.verdict.text
        assert result.verdict.text.startswith("no heavy tails")
        assert result.verdict.suggested.name == "mse"


def test_heavy_tail_threshold():
    assert normal_top_share(0.01) == pytest.approx(0.0845, abs=5e-4)
    assert heavy_tail_threshold(20_000, 0.01) == pytest.approx(2.005 * normal_top_share(0.01))
    # one or two rows as "the top": a little more room for chance
    assert heavy_tail_threshold(100, 0.01) > heavy_tail_threshold(300, 0.01)
    assert heavy_tail_threshold(20_000, 0.2) < 1.0


# ---------------------------------------------------------------------------------------------
# Determinism


def test_deterministic_for_a_seed_and_sensitive_to_it():
    y, p = _orientation(n=2_000)
    first = compare_arrays("regression", y, p, seed=3).to_dict()
    again = compare_arrays("regression", y, p, seed=3).to_dict()
    other = compare_arrays("regression", y, p, seed=4).to_dict()
    assert first == again
    ratios = [x["contamination_ratio"] for x in first["ranking"]]
    assert ratios != [x["contamination_ratio"] for x in other["ranking"]]
    # the data's own figures do not depend on the seed
    shares = {x["label"]: x["top_share"] for x in first["ranking"]}
    assert shares == {x["label"]: x["top_share"] for x in other["ranking"]}
    assert compare(task="binary", seed=9).to_dict() == compare(task="binary", seed=9).to_dict()


# ---------------------------------------------------------------------------------------------
# Synthetic data and classification


@pytest.mark.parametrize("task", ["regression", "binary", "multiclass", "multilabel"])
def test_synthetic_data_for_each_task(task):
    y, p, logits = synthetic(task, 500, seed=1)
    y2, p2, _ = synthetic(task, 500, seed=1)
    assert np.array_equal(y, y2) and np.array_equal(p, p2)
    assert len(y) == len(p) == 500 and not logits
    if task == "regression":
        assert (y > 0).all() and (p > 0).all()
    elif task == "multiclass":
        assert p.shape == (500, 4) and y.dtype.kind == "i"
        assert np.allclose(p.sum(axis=1), 1.0)
    else:
        assert set(np.unique(y)) <= {0.0, 1.0}
        assert ((p >= 0) & (p <= 1)).all()
    result = compare(task=task, rows=500, seed=1)
    assert result.synthetic and result.rows == 500
    assert result.verdict.heavy_tails  # gross errors / flipped labels are what it shows
    assert json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
def test_label_noise_ranks_log_loss_above_brier(task):
    result = compare(task=task)
    ranks = {f.label: f.rank for f in result.figures}
    log_loss = "cross_entropy" if task == "multiclass" else "bce"
    assert ranks[log_loss] < ranks["brier"]
    assert result.verdict.suggested.name == "brier"
    assert "confident mistakes" in result.verdict.text


def test_probability_losses_skip_the_score_losses_and_logits_take_them():
    y, p, _ = synthetic("binary", 400, seed=0)
    probs = compare_arrays("binary", y, p)
    assert {name for name, _ in probs.skipped} == {"hinge", "squared_hinge"}
    logits = np.log(p / (1 - p))
    scored = compare_arrays("binary", y, logits, from_logits=True)
    assert {"hinge", "squared_hinge", "bce"} <= {f.label for f in scored.figures}
    assert not scored.skipped
    # the same data as logits: the same log loss figures
    bce_p, bce_z = _by_label(probs)["bce"], _by_label(scored)["bce"]
    assert bce_z.value == pytest.approx(bce_p.value, rel=1e-6)
    signed = compare_arrays("binary", 2 * y - 1, logits)
    assert "hinge" in {f.label for f in signed.figures}


def test_multiclass_contamination_moves_every_label_to_another_class():
    from losscli.sensitivity.figures import flip as _flip

    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 1_000)
    moved = _flip("multiclass", y, np.random.default_rng(1), 5)
    assert (moved != y).all() and ((moved >= 0) & (moved < 5)).all()
    onehot = np.eye(5)[y]
    rolled = _flip("multiclass", onehot, np.random.default_rng(1), 5)
    assert np.array_equal(rolled.argmax(axis=1), moved)
    assert np.array_equal(_flip("binary", np.array([0.0, 1.0]), rng, 2), [1.0, 0.0])


def test_kl_divergence_is_left_out_for_hard_labels():
    y, p, _ = synthetic("multiclass", 300, seed=0)
    result = compare_arrays("multiclass", y, p)
    assert "kl_divergence" in dict(result.skipped)
    assert "kl_divergence" in {
        f.label for f in compare_arrays("multiclass", y, p, losses=["kld"]).figures
    }


# ---------------------------------------------------------------------------------------------
# Domains, weights, edge cases


def test_losses_whose_domain_the_data_violates_are_skipped_with_the_reason():
    rng = np.random.default_rng(0)
    y = rng.normal(0.0, 1.0, 500)
    result = compare_arrays("regression", y, y + rng.normal(0, 0.3, 500))
    skipped = dict(result.skipped)
    assert set(skipped) == {"msle", "rmsle", "poisson", "tweedie"}
    assert "row" in skipped["msle"] and "> -1" in skipped["msle"]
    with pytest.raises(InputError, match="msle"):
        compare_arrays("regression", y, y, losses=["msle"])


def test_poisson_figures_are_taken_above_its_minimum():
    y, p, _ = synthetic("regression", 2_000, seed=0)
    figures = _by_label(compare_arrays("regression", y, p))
    poisson = figures["poisson"]
    assert poisson.value < 0  # y_pred - y ln y_pred is negative for counts around 100
    assert poisson.contamination_ratio > 3  # but the excess over the minimum grows like mse
    assert 0 < poisson.top_share < 1


def test_contamination_keeps_predictions_in_the_domain():
    rng = np.random.default_rng(0)
    y = rng.uniform(0.5, 2.0, 1_000)
    p = y * rng.uniform(0.9, 1.1, 1_000)
    result = compare_arrays("regression", y, p, losses=["poisson", "msle", "mse"])
    assert all(math.isfinite(f.contamination_ratio) for f in result.figures)


def test_a_zero_loss_gives_null_in_json_not_nan():
    y = np.arange(100, dtype=float)
    p = y.copy()
    p[0] += 5.0
    result = compare_arrays("regression", y, p, losses=["mse", "mae"])
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["ranking"][0]["inflation"] is None  # the value without the worst row is 0
    assert data["ranking"][0]["contamination_ratio"] is None  # trimmed data: a perfect model


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top": 2.0}, "--top"),
        ({"top": 0.0}, "--top"),
        ({"contamination": 0.9}, "--contamination"),
        ({"magnitude": 0.0}, "--magnitude"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_bad_options(kwargs, message):
    y = np.arange(50, dtype=float)
    with pytest.raises(UsageError, match=message):
        compare_arrays("regression", y, y + 1, **kwargs)


def test_bad_input():
    with pytest.raises(InputError, match="at least"):
        compare_arrays("regression", np.zeros(5), np.zeros(5))
    with pytest.raises(InputError, match="rows"):
        compare_arrays("regression", np.zeros(50), np.zeros(40))
    with pytest.raises(UsageError, match="from-logits"):
        compare_arrays("regression", np.zeros(50), np.zeros(50), from_logits=True)
    with pytest.raises(UsageError, match="does not apply"):
        compare_arrays("regression", np.zeros(50), np.zeros(50), losses=["bce"])


# ---------------------------------------------------------------------------------------------
# Files


def test_losscli_compare_is_the_function():
    import losscli

    assert losscli.compare(rows=100).rows == 100
    assert losscli.compare(rows=100).rows == 100
    assert losscli.compare is compare


def test_compare_on_a_file():
    path = str(DATA / "regression_diabetes.csv")
    result = compare([path])
    assert result.source == [path] and result.rows == 442
    assert any("y_pred" in note for note in result.notes)
    assert result.columns["true"] == ["y_true"]
    assert not result.verdict.heavy_tails
    assert result.verdict.compute_command.startswith(f"losscli compute {path} --loss mse")
    assert result.to_dict()["data"]["source"] == [path]


def test_compare_on_a_weighted_file_uses_the_weights(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    p = y + rng.normal(size=200)
    w = rng.uniform(0.1, 3.0, 200)
    path = tmp_path / "w.csv"
    rows = "\n".join(f"{a},{b},{c}" for a, b, c in zip(y, p, w, strict=True))
    path.write_text("y_true,y_pred,w\n" + rows + "\n")
    result = compare([str(path)], weight="w", losses=["mse"])
    assert result.weighted
    assert result.figures[0].value == pytest.approx(get_loss("mse").value(y, p, sample_weight=w))
    assert "--weight w" in result.verdict.compute_command


def test_compare_with_logits_file_includes_categorical_hinge():
    result = compare([str(DATA / "multiclass_digits_logits.csv")])
    assert result.from_logits
    assert "categorical_hinge" in {f.label for f in result.figures}


# ---------------------------------------------------------------------------------------------
# Rendering


def test_renderers(capsys):
    result = compare(task="regression", rows=500)
    show(result, fmt=Format.table)
    table = capsys.readouterr().out
    assert "mse" in table and "verdict:" in table and "█" in table
    assert "losscli compute FILE --loss" in table
    csv_text = to_csv(result)
    assert csv_text.splitlines()[0].startswith("rank,loss,label,params,growth,value")
    assert len(csv_text.splitlines()) == len(result.figures) + 1
    markdown = to_markdown(result)
    assert "| rank | loss |" in markdown and "**Verdict:**" in markdown


def test_bar_is_logarithmic_in_the_ratio():
    assert bar(1.0, 8.0, 24) == ""
    assert bar(8.0, 8.0, 24) == "█" * 24
    assert bar(2.0, 8.0, 24) == "█" * 8  # ln 2 / ln 8 = 1/3
    assert bar(math.inf, 8.0, 5) == "█" * 5


# ---------------------------------------------------------------------------------------------
# Plot


@pytest.mark.parametrize(("task", "suffix"), [("regression", ".png"), ("binary", ".svg")])
def test_plot_png_and_svg(tmp_path, task, suffix):
    pytest.importorskip("matplotlib")
    from losscli.render.plot import plot_comparison

    result = compare(task=task, rows=400)
    path = plot_comparison(result, tmp_path / f"plot{suffix}")
    data = path.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    else:
        text = data.decode()
        assert "<svg" in text and "loss" in text
    assert not list(tmp_path.glob(".*.tmp"))


def test_plot_multiclass_png(tmp_path):
    pytest.importorskip("matplotlib")
    from losscli.render.plot import plot_comparison

    result = compare([str(DATA / "multiclass_digits_logits.csv")])
    assert plot_comparison(result, tmp_path / "digits.png").stat().st_size > 20_000


def test_plot_rejects_other_formats(tmp_path):
    from losscli.render.plot import plot_comparison

    with pytest.raises(UsageError, match=r"\.png or \.svg"):
        plot_comparison(compare(rows=100), tmp_path / "plot.pdf")


def test_plot_without_matplotlib_says_how_to_install_it(monkeypatch, tmp_path):
    from losscli.render.plot import plot_comparison

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(UsageError, match=r"pip install 'losscli\[plot\]'") as excinfo:
        plot_comparison(compare(rows=100), tmp_path / "plot.png")
    assert excinfo.value.exit_code == 2
    assert not (tmp_path / "plot.png").exists()


@pytest.mark.parametrize(
    ("magnitude", "message"),
    [(1.7e308, "overflow float64"), (8.5e307, "overflow float64"), (0.004, "no row is left")],
)
def test_a_magnitude_that_leaves_no_figure_is_refused(magnitude, message):
    """Errors of --magnitude robust SDs that overflow, or a magnitude every residual exceeds:
    a usage error naming --magnitude, never an internal error or an inf ratio."""
    import losscli
    from losscli.errors import UsageError

    with np.errstate(all="raise"), pytest.raises(UsageError, match=message):
        losscli.compare(rows=50, magnitude=magnitude)


def _dropped_then_bad(tmp_path, bad: str) -> str:
    """A Parquet file whose row 10 is dropped (--nan drop) and whose row 4321 is bad."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    y = np.abs(rng.normal(size=5_000))
    pred = np.abs(y + rng.normal(size=5_000))
    y[9] = np.nan
    if bad == "overflow":
        pred[4320] = 1e200
    else:
        y[4320] = -3.0
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"y_true": y, "y_pred": pred}), path, row_group_size=1_000)
    return str(path)


@pytest.mark.parametrize("sample_rows", [0, 1_000])
def test_errors_after_dropped_rows_never_name_the_wrong_row(tmp_path, sample_rows):
    """Held whole, the arrays' rows are not the file's once a row is dropped: an error names
    the file's row 4321 (as the sampled path does) or none, never the array's 4320."""
    path = _dropped_then_bad(tmp_path, "overflow")
    with pytest.raises(InputError, match="squared residuals overflow") as caught:
        compare(path, task="regression", nan="drop", sample_rows=sample_rows)
    assert caught.value.row in (None, 4321)
    path = _dropped_then_bad(tmp_path, "domain")
    result = compare(path, task="regression", nan="drop", sample_rows=sample_rows)
    reasons = dict(result.skipped)
    assert "msle" in reasons and "row 4320" not in reasons["msle"]
