"""Hand-checked cases and edges: perfect predictions, clipping, huge logits, empty input,
invariances of the reduction, domain and parameter errors, aliases, and a few properties."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import special, stats

from losscli.errors import InputError, UsageError
from losscli.losses import CATALOGUE, get_loss, resolve_loss, resolve_losses

PAIRS = [(name, task) for name, loss in CATALOGUE.items() for task in loss.tasks]
PAIR_IDS = [f"{name}-{task}" for name, task in PAIRS]
K = 4
LN_EPS = -math.log(1e-7)  # -ln(1e-7) = 16.11809565...


def sample(name: str, task: str, rng: np.random.Generator, n: int = 60):
    """Random valid (y_true, y_pred) for any (loss, task) of the registry."""
    prediction = CATALOGUE[name].prediction
    if task == "regression":
        if name in ("msle", "rmsle", "poisson", "tweedie"):
            return rng.integers(1, 9, n).astype(np.float64), rng.uniform(0.2, 8.0, n)
        y = rng.normal(2.0, 3.0, n)
        return y, y + rng.normal(0.0, 2.0, n)
    shape = (n,) if task == "binary" else (n, K)
    if task == "multiclass":
        y = rng.integers(0, K, n)
        z = rng.normal(0.0, 1.5, shape)
        return y, special.softmax(z, axis=1) if prediction == "probability" else z
    y = rng.integers(0, 2, shape)
    if prediction == "probability":
        return y, rng.uniform(0.02, 0.98, shape)
    return y, rng.normal(0.0, 1.5, shape)


def perfect(name: str, task: str):
    """(y_true, y_pred, kwargs) predicted as well as the loss allows, by logits where it takes them."""
    loss = CATALOGUE[name]
    if task == "regression":
        y = np.array([0.5, 1.0, 2.0, 7.5, 3.25])
        return y, y.copy(), {}
    if task == "multiclass":
        y = np.array([0, 3, 1, 2])
        scores = np.where(np.eye(K)[y] == 1, 1000.0, -1000.0)
        if loss.prediction == "score":
            return y, scores, {}
        return y, scores, {"from_logits": True}
    y = np.array([1, 0, 0, 1, 1]) if task == "binary" else np.array([[1, 0, 1, 0], [0, 0, 1, 1]])
    scores = np.where(y == 1, 1000.0, -1000.0)
    return y, scores, ({} if loss.prediction == "score" else {"from_logits": True})


# --- perfect predictions ----------------------------------------------------------------------

# Not zero at a perfect prediction: the Poisson NLL's minimum over the rate is y - y ln y.
NOT_ZERO_AT_PERFECT = {"poisson"}
# Tweedie's general power (default 1.5) cancels three terms: ~1e-15 either side of 0, as in
# scikit-learn's mean_tweedie_deviance (powers 1 and 2 give exactly 0).
ROUNDING_AT_PERFECT = {"tweedie"}


@pytest.mark.parametrize(("name", "task"), PAIRS, ids=PAIR_IDS)
def test_perfect_prediction_is_zero(name, task):
    y, x, kwargs = perfect(name, task)
    rows = get_loss(name).per_row(y, x, task=task, **kwargs)
    if name in NOT_ZERO_AT_PERFECT:
        assert np.all(rows != 0)
    elif name in ROUNDING_AT_PERFECT:
        np.testing.assert_allclose(rows, 0.0, rtol=0, atol=1e-12)
    else:
        assert np.all(rows == 0), rows  # exactly, also for logits of +-1000


def test_poisson_at_its_minimum_is_y_minus_y_ln_y():
    y = np.array([0.0, 1.0, 2.0, 7.0])
    rows = get_loss("poisson").per_row(y, y)
    np.testing.assert_allclose(rows, y - special.xlogy(y, y), rtol=1e-15, atol=0)


def test_tweedie_deviance_is_zero_at_mu_equal_y():
    y = np.array([0.5, 1.0, 2.0, 7.5])
    for power in (1.0, 1.3, 1.5, 2.0, 3.0):
        rows = get_loss("tweedie").per_row(y, y, power=power)
        np.testing.assert_allclose(rows, 0.0, rtol=0, atol=1e-12)


def test_clipped_probability_one_is_not_zero():
    """A perfect probability is clipped to 1 - 1e-7: -ln(1 - 1e-7) ~ 1e-7 per row, not 0."""
    # y=1, p=1 -> -ln(fl(1 - 1e-7)); y=0, p=0 -> -ln(1 - 1e-7) via log1p
    rows = get_loss("bce").per_row([1, 0], [1.0, 0.0])
    np.testing.assert_allclose(rows, [-np.log(1.0 - 1e-7), -np.log1p(-1e-7)], rtol=1e-15)
    np.testing.assert_allclose(rows, 1e-7, rtol=1e-6)
    rows = get_loss("cross_entropy").per_row([0, 1], [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(rows, -np.log(1.0 - 1e-7), rtol=1e-15)


# --- clipping and huge logits -----------------------------------------------------------------


def test_bce_hard_wrong_probabilities_follow_the_clip_formula():
    bce = get_loss("bce")
    assert bce.per_row([1], [0.0])[0] == pytest.approx(LN_EPS, rel=1e-15)  # 16.11809565...
    p_clipped = 1.0 - 1e-7
    assert bce.per_row([0], [1.0])[0] == pytest.approx(-math.log1p(-p_clipped), rel=1e-15)
    assert bce.per_row([0], [1.0])[0] == pytest.approx(16.11809565, rel=1e-8)
    assert bce.per_row([1], [0.0], eps=1e-3)[0] == pytest.approx(-math.log(1e-3), rel=1e-15)


def test_other_clipped_losses_at_probability_zero():
    assert get_loss("cross_entropy").per_row([1], [[1.0, 0.0]])[0] == pytest.approx(LN_EPS)
    assert get_loss("kl_divergence").per_row([1], [[1.0, 0.0]])[0] == pytest.approx(LN_EPS)
    focal = get_loss("focal").per_row([1], [0.0], task="binary")[0]
    assert focal == pytest.approx((1 - 1e-7) ** 2 * LN_EPS, rel=1e-12)


def test_brier_is_not_clipped():
    assert get_loss("brier").per_row([1, 0], [0.0, 1.0], task="binary").tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("name", "y", "z", "task", "expected"),
    [
        ("bce", [1], [-1000.0], None, 1000.0),
        ("bce", [0], [1000.0], None, 1000.0),
        ("bce", [1, 0], [1000.0, -1000.0], None, 0.0),
        ("cross_entropy", [1], [[1000.0, -1000.0]], None, 2000.0),
        ("kl_divergence", [1], [[1000.0, -1000.0]], None, 2000.0),
        ("focal", [1], [-1000.0], "binary", 1000.0),
        ("focal", [0], [1000.0], "binary", 1000.0),
        ("focal", [1], [[1000.0, -1000.0]], "multiclass", 2000.0),
        ("brier", [1], [-1000.0], "binary", 1.0),
        ("brier", [1], [[1000.0, -1000.0]], "multiclass", 2.0),
        ("js_divergence", [1], [[1000.0, -1000.0]], None, math.log(2)),
    ],
)
def test_huge_logits_are_finite_and_exact(name, y, z, task, expected):
    rows = get_loss(name).per_row(y, z, task=task, from_logits=True)
    assert np.all(np.isfinite(rows))
    np.testing.assert_allclose(rows, expected, rtol=1e-15, atol=0)


def test_huge_logits_focal_with_alpha():
    rows = get_loss("focal").per_row([1, 0], [-1000.0, 1000.0], from_logits=True, alpha=0.25)
    np.testing.assert_array_equal(rows, [250.0, 750.0])


def test_log_cosh_does_not_overflow():
    rows = get_loss("log_cosh").per_row([0.0, 0.0, 5.0], [1000.0, -1000.0, 5.0])
    np.testing.assert_allclose(rows, [1000 - math.log(2), 1000 - math.log(2), 0.0], rtol=1e-15)


def test_poisson_log_rate_path_is_exact():
    z = np.array([-30.0, 0.0, 30.0])
    y = np.array([0.0, 3.0, 5.0])
    rows = get_loss("poisson").per_row(y, z, from_logits=True)
    np.testing.assert_allclose(rows, np.exp(z) - y * z, rtol=1e-15)


# --- empty input and reduction invariances ----------------------------------------------------


def _empty(task):
    if task == "regression" or task == "binary":
        return np.array([]), np.array([])
    if task == "multiclass":
        return np.array([], dtype=int), np.empty((0, K))
    return np.empty((0, K)), np.empty((0, K))


@pytest.mark.parametrize(("name", "task"), PAIRS, ids=PAIR_IDS)
def test_empty_input(name, task):
    loss = get_loss(name)
    y, x = _empty(task)
    assert loss.per_row(y, x, task=task).shape == (0,)
    with pytest.raises(InputError, match="no rows"):
        loss.value(y, x, task=task)


def test_empty_lists_for_multiclass_losses():
    """[] is float64: integer labels of length 0 must not break the one-hot path."""
    for name in ("brier", "js_divergence", "categorical_hinge", "cross_entropy"):
        assert get_loss(name).per_row([], np.empty((0, 3)), task="multiclass").shape == (0,)


@pytest.mark.parametrize(("name", "task"), PAIRS, ids=PAIR_IDS)
def test_invariances(name, task):
    loss = get_loss(name)
    rng = np.random.default_rng(zlib.crc32(f"{name}/{task}".encode()))
    y, x = sample(name, task, rng)
    n = len(y)
    base = loss.value(y, x, task=task)
    assert np.isfinite(base)

    perm = rng.permutation(n)
    assert loss.value(y[perm], x[perm], task=task) == pytest.approx(base, rel=1e-12, abs=1e-15)
    assert loss.value(y.tolist(), x.tolist(), task=task) == base
    assert loss.value(y, x, task=task, sample_weight=np.ones(n)) == pytest.approx(base, rel=1e-12)

    w = rng.integers(0, 4, n)
    repeated = loss.value(np.repeat(y, w, axis=0), np.repeat(x, w, axis=0), task=task)
    weighted = loss.value(y, x, task=task, sample_weight=w)
    assert weighted == pytest.approx(repeated, rel=1e-12)
    assert weighted != pytest.approx(base, rel=1e-6)  # the weights do change the value

    total = loss.value(y, x, task=task, reduction="sum")
    if loss.finalize is None:
        assert total == pytest.approx(base * n, rel=1e-12)
    else:  # rmse/rmsle: the square root is taken after the reduction
        assert total**2 == pytest.approx(base**2 * n, rel=1e-12)


def test_weighted_sum_and_unknown_reduction():
    mse = get_loss("mse")
    assert mse.value([0, 0, 0], [1, 2, 3], sample_weight=[1, 0, 2], reduction="sum") == 19.0
    assert mse.value([0, 0, 0], [1, 2, 3], sample_weight=[1, 0, 2]) == pytest.approx(19 / 3)
    assert get_loss("rmse").value([0, 0], [3, 4]) == pytest.approx(math.sqrt(12.5), rel=1e-15)
    with pytest.raises(UsageError, match="reduction"):
        mse.value([0], [1], reduction="median")


def test_label_encodings_agree():
    """Integer labels, float labels and one-hot targets give the same multiclass values."""
    rng = np.random.default_rng(7)
    y = rng.integers(0, K, 30)
    p = special.softmax(rng.normal(size=(30, K)), axis=1)
    for name in ("cross_entropy", "kl_divergence", "js_divergence", "brier", "focal"):
        for kwargs in ({}, {"label_smoothing": 0.1}) if name == "cross_entropy" else ({},):
            loss = get_loss(name)
            base = loss.value(y, p, task="multiclass", **kwargs)
            assert loss.value(y.astype(float), p, task="multiclass", **kwargs) == base
            onehot = loss.value(np.eye(K)[y], p, task="multiclass", **kwargs)
            assert onehot == pytest.approx(base, rel=1e-12)
    scores = rng.normal(size=(30, K))
    ch = get_loss("categorical_hinge")
    assert (
        ch.value(y.astype(float), scores) == ch.value(y, scores) == ch.value(np.eye(K)[y], scores)
    )


def test_hinge_accepts_minus_one_plus_one_labels():
    """0/1 and -1/+1 both mean negative/positive (the documented choice)."""
    s = np.array([0.8, -0.3, -1.5, 0.4, 2.0])
    y01 = np.array([1, 0, 1, 0, 1])
    for name in ("hinge", "squared_hinge"):
        loss = get_loss(name)
        assert loss.value(2 * y01 - 1, s) == loss.value(y01, s)
    assert get_loss("hinge").value(2 * y01 - 1, s) == pytest.approx(0.96)  # golden B


# --- domain errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "y", "x", "kwargs", "column", "row"),
    [
        ("msle", [1.0, 2.0, -1.0], [1.0, 1.0, 1.0], {}, "y_true", 3),
        ("rmsle", [1.0, 2.0], [0.0, -1.5], {}, "y_pred", 2),
        ("poisson", [1.0, 2.0], [1.0, -0.5], {}, "y_pred", 2),
        ("poisson", [1.0, -2.0], [1.0, 0.5], {}, "y_true", 2),
        ("poisson", [0.0, 0.0, 3.0], [0.0, 1.0, 0.0], {}, "y_pred", 3),
        ("poisson", [1.0, -2.0], [0.0, 0.5], {"from_logits": True}, "y_true", 2),
        ("tweedie:power=2", [1.0, 0.0], [1.0, 1.0], {}, "y_true", 2),
        ("tweedie:power=1.5", [-1.0, 1.0], [1.0, 1.0], {}, "y_true", 1),
        ("tweedie", [1.0, 1.0], [1.0, 0.0], {}, "y_pred", 2),
        ("categorical_hinge", [[1, 0], [0.5, 0.5]], [[1.0, 0.0], [0.0, 1.0]], {}, "y_true", 2),
        ("hinge", [1, 0, 0.5], [1.0, 1.0, 1.0], {}, "y_true", 3),
        ("hinge", [1, -1, 0], [1.0, 1.0, 1.0], {}, "y_true", 3),
        ("squared_hinge", [1, 2], [1.0, 1.0], {}, "y_true", 2),
        # the first row any check refuses, whichever column it is in
        ("msle", [1.0, 1.0, -2.0], [1.0, -2.0, 1.0], {}, "y_pred", 2),
        ("poisson", [1.0, 1.0, -1.0], [1.0, -0.5, 1.0], {}, "y_pred", 2),
        ("tweedie", [1.0, 1.0, -1.0], [1.0, 0.0, 1.0], {}, "y_pred", 2),
    ],
)
def test_domain_errors_name_column_and_row(spec, y, x, kwargs, column, row):
    s = resolve_loss(spec)
    with pytest.raises(InputError) as info:
        s.loss.value(y, x, **s.params, **kwargs)
    assert info.value.column == column
    assert info.value.row == row
    assert f"row {row}" in str(info.value) and column in str(info.value)


def test_poisson_zero_rate_for_zero_count_is_fine():
    assert get_loss("poisson").value([0.0, 1.0], [0.0, 1.0]) == pytest.approx(0.5)


def test_msle_between_minus_one_and_zero_is_allowed():
    """scikit-learn 1.9.1 accepts values > -1 (golden: 0.9609060278)."""
    assert get_loss("msle").value([1.0, 2.0], [-0.5, 2.0]) == pytest.approx(0.9609060278)


# --- parameters, names and aliases ------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("huber:delta=0", "delta"),
        ("huber:delta=-1", "delta"),
        ("quantile:alpha=1", "alpha"),
        ("quantile:alpha=0", "alpha"),
        ("smooth_l1:beta=-0.1", "beta"),
        ("tweedie:power=0.5", "power"),
        ("focal:gamma=-1", "gamma"),
        ("focal:alpha=1.5", "alpha"),
        ("bce:label_smoothing=1", "label_smoothing"),
        ("huber:delta=abc", "not a number"),
        ("huber:delta", "malformed"),
        ("huber:delta=nan", "delta"),
    ],
)
def test_bad_parameters_raise_usage_error(spec, match):
    with pytest.raises(UsageError, match=match):
        resolve_loss(spec)


def test_bad_parameters_through_value():
    with pytest.raises(UsageError, match="delta"):
        get_loss("huber").value([1.0], [2.0], delta=0)
    with pytest.raises(UsageError, match="alpha"):
        get_loss("quantile").value([1.0], [2.0], alpha=1.0)


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(
        UsageError, match=r"unknown parameter 'gama' \(valid parameters: gamma, alpha\)"
    ):
        resolve_loss("focal:gama=2")
    with pytest.raises(UsageError, match=r"valid parameters: delta"):
        get_loss("huber").value([1.0], [2.0], beta=1.0)
    with pytest.raises(UsageError, match=r"valid parameters: none"):
        get_loss("mse").value([1.0], [2.0], delta=1.0)


def test_logits_and_task_misuse():
    with pytest.raises(UsageError, match="logits"):
        get_loss("mse").value([1.0], [2.0], from_logits=True)
    with pytest.raises(UsageError, match="does not apply to binary"):
        get_loss("mse").value([1.0], [2.0], task="binary")


def test_resolve_loss_with_parameters():
    spec = resolve_loss("huber:delta=2.5")
    assert spec.name == "huber" and spec.params == {"delta": 2.5}
    assert spec.loss.value([0.0], [5.0], **spec.params) == 2.5 * (5 - 1.25)
    spec = resolve_loss("focal:gamma=1,alpha=none")
    assert spec.params == {"gamma": 1.0, "alpha": None}
    assert resolve_loss("quantile").params == {"alpha": 0.5}


@pytest.mark.parametrize(
    ("alias", "task", "name"),
    [
        ("l2", None, "mse"),
        ("l1", None, "mae"),
        ("log_loss", "multiclass", "cross_entropy"),
        ("log_loss", "binary", "bce"),
        ("log_loss", "multilabel", "bce"),
        ("binary_crossentropy", None, "bce"),
        ("categorical_crossentropy", None, "cross_entropy"),
        ("sparse_categorical_crossentropy", None, "cross_entropy"),
        ("kld", None, "kl_divergence"),
        ("BCEWithLogitsLoss", None, "bce"),
        ("MSELoss", None, "mse"),
        ("SmoothL1Loss", None, "smooth_l1"),
        ("CrossEntropyLoss", None, "cross_entropy"),
        ("Huber-Loss", None, "huber"),
        ("poisson_deviance", None, "tweedie"),
        ("gamma_deviance", None, "tweedie"),
    ],
)
def test_aliases(alias, task, name):
    assert get_loss(alias, task).name == name
    assert resolve_loss(alias, task).name == name


def test_presets_fix_parameters():
    assert resolve_loss("poisson_deviance").params == {"power": 1.0}
    assert resolve_loss("gamma_deviance").params == {"power": 2.0}
    assert resolve_loss("poisson_deviance:power=1").params == {"power": 1.0}
    # a parameter that contradicts the name is refused, not taken over the name
    with pytest.raises(
        UsageError, match=r"poisson_deviance is tweedie with power=1; for power=1\.5"
    ):
        resolve_loss("poisson_deviance:power=1.5")


def test_unknown_name_suggests_close_names():
    with pytest.raises(UsageError, match="unknown loss 'hubber'") as info:
        get_loss("hubber")
    assert "did you mean" in info.value.hint and "huber" in info.value.hint
    assert "did you mean" in str(info.value)
    with pytest.raises(UsageError) as info:
        resolve_loss("zzzzqqq")
    assert "did you mean" not in str(info.value)


def test_resolve_losses_labels():
    specs = resolve_losses(["huber", "huber:delta=2"])
    assert [s.label for s in specs] == ["huber(delta=1)", "huber(delta=2)"]
    assert [s.params for s in specs] == [{"delta": 1.0}, {"delta": 2.0}]
    assert [s.label for s in resolve_losses(["mse,huber:delta=2,mae"])] == ["mse", "huber", "mae"]
    assert len(resolve_losses(["huber", "huber"])) == 1


# --- properties -------------------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
errors = arrays(np.float64, st.integers(1, 20), elements=finite)
positive = st.floats(1e-3, 1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(e=errors, delta=positive)
def test_huber_bounds_and_smooth_l1_relation(e, delta):
    zeros = np.zeros_like(e)
    h = get_loss("huber").per_row(zeros, e, delta=delta)
    assert np.all(h <= 0.5 * e * e * (1 + 1e-12))
    assert np.all(h <= delta * np.abs(e) * (1 + 1e-12))
    s = get_loss("smooth_l1").per_row(zeros, e, beta=delta)
    np.testing.assert_allclose(s, h / delta, rtol=1e-12, atol=1e-300)


@settings(max_examples=60, deadline=None)
@given(
    z=arrays(np.float64, st.integers(1, 20), elements=st.floats(-15, 15)),
    data=st.data(),
)
def test_bce_logits_equal_bce_on_sigmoid(z, data):
    """sigmoid(|z| <= 15) stays inside [1e-7, 1 - 1e-7], so the probability path is not clipped."""
    y = data.draw(arrays(np.int64, z.shape, elements=st.integers(0, 1)))
    bce = get_loss("bce")
    from_logits = bce.per_row(y, z, from_logits=True)
    from_probs = bce.per_row(y, special.expit(z))
    # 1 - sigmoid(z) for z near 15 keeps only ~7 significant digits of its 1e-7 magnitude
    np.testing.assert_allclose(from_probs, from_logits, rtol=1e-8, atol=1e-12)


distributions = arrays(np.float64, (3, 4), elements=st.floats(0.0, 1.0)).filter(
    lambda a: np.all(a.sum(axis=1) > 1e-3)
)


@settings(max_examples=60, deadline=None)
@given(t=distributions, q=distributions)
def test_kl_and_js_properties(t, q):
    t = t / t.sum(axis=1, keepdims=True)
    q = 0.01 + q / q.sum(axis=1, keepdims=True)  # bounded away from the clip
    q = q / q.sum(axis=1, keepdims=True)
    kl = get_loss("kl_divergence").per_row(t, q)
    assert np.all(kl >= -1e-12)
    ce = get_loss("cross_entropy").per_row(t, q)
    np.testing.assert_allclose(kl, ce - stats.entropy(t, axis=1), rtol=1e-9, atol=1e-12)
    js = get_loss("js_divergence")
    js_tq = js.per_row(t, q)
    assert np.all(js_tq >= -1e-15)
    assert np.all(js_tq <= math.log(2) + 1e-12)
    np.testing.assert_allclose(js_tq, js.per_row(q, t), rtol=1e-12, atol=1e-15)


def _naive(name, e, y, **params):
    """The textbook formulas, one loss at a time (each recomputing e = y_pred - y_true)."""
    a = np.abs(e)
    if name == "huber":
        d = params["delta"]
        return np.where(a <= d, 0.5 * a * a, d * (a - 0.5 * d))
    if name == "smooth_l1":
        b = params["beta"]
        return a if b == 0 else np.where(a < b, 0.5 * a * a / b, a - 0.5 * b)
    if name == "quantile":
        r, q = -e, params["alpha"]
        return np.maximum(q * r, (q - 1.0) * r)
    if name == "mape":
        return a / np.maximum(np.abs(y), np.finfo(np.float64).eps)
    return {"mse": e**2, "mae": a, "log_cosh": a + np.logaddexp(0.0, -2.0 * a) - math.log(2.0)}[
        name
    ]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("mse", {}),
        ("mae", {}),
        ("huber", {"delta": 1.0}),
        ("huber", {"delta": 0.37}),
        ("smooth_l1", {"beta": 2.5}),
        ("smooth_l1", {"beta": 0.0}),
        ("quantile", {"alpha": 0.9}),
        ("mape", {}),
        ("log_cosh", {}),
    ],
)
def test_kernels_on_shared_errors_equal_the_textbook_formula_bit_for_bit(name, params):
    """The engine computes e and |e| once per batch for every loss that is a function of them;
    each such kernel gives the same bits as its formula written out, on hostile values too
    (zeros, |e| exactly at the bend, subnormals, values whose difference overflows)."""
    from losscli.losses.regression import Errors

    rng = np.random.default_rng(7)
    y = np.concatenate([rng.normal(0, 3, 500), [0.0, 1.0, -1.0, 5e-324, 1e308, -1e308, 2.0, 2.0]])
    pred = np.concatenate(
        [y[:500] + rng.standard_t(2, 500), [0.0, 2.0, -0.63, 0.0, -1e308, 1e308, 3.0, 1.0]]
    )
    loss = CATALOGUE[name]
    with np.errstate(over="ignore", invalid="ignore"):
        expected = _naive(name, pred - y, y, **params)
        shared = loss.of_errors(Errors(y, pred), **params)
        alone = loss.per_row(y, pred, **params, check=False)
    np.testing.assert_array_equal(shared, expected)
    np.testing.assert_array_equal(alone, expected)


def test_losses_of_one_batch_share_errors_without_changing_each_other():
    """mae hands on |e| itself, which huber and log_cosh then read: none may write into it."""
    from losscli.losses.regression import Errors

    y, pred = np.array([0.0, 1.0, 4.0]), np.array([0.5, -1.0, 4.0])
    errors = Errors(y, pred)
    mae = CATALOGUE["mae"].per_row(y, pred, errors=errors)
    huber = CATALOGUE["huber"].per_row(y, pred, errors=errors, delta=1.0)
    CATALOGUE["log_cosh"].per_row(y, pred, errors=errors)
    np.testing.assert_array_equal(mae, [0.5, 2.0, 0.0])
    np.testing.assert_array_equal(huber, [0.125, 1.5, 0.0])
    np.testing.assert_array_equal(errors.e, [0.5, -2.0, 0.0])
