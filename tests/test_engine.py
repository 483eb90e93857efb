"""The engine's partial sums: they merge across batches, files or machines without changing a bit
that matters."""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pytest

from losscli.columns import Arrays
from losscli.engine import Engine, Partial
from losscli.losses import resolve_losses


def _arrays(y, x, w=None) -> Arrays:
    return Arrays(y=y, pred=x, weight=w, keep=None, rows=len(y), dropped=0)


def _by(codes, names=("a", "b", "c")) -> list[pa.Array]:
    return [pa.array(np.asarray(names, dtype=object)[codes])]


def _group(engine: Engine, label: str, key: tuple):
    """One group's (value, rows, weight sum) by its key."""
    spec = next(s for s in engine.specs if s.label == label)
    g = engine.group_values(spec)
    i = engine.group_keys.index(key)
    return float(g.value[i]), int(g.rows[i]), float(g.weight_sum[i])


def _engine(**kwargs) -> Engine:
    specs = resolve_losses(["mse", "huber", "rmse"], "regression")
    return Engine(specs, task="regression", **kwargs)


def test_merged_engines_equal_one_engine(rng):
    n = 10_000
    y, x, w = rng.normal(size=n), rng.normal(size=n), rng.uniform(0, 2, n)
    codes = rng.integers(0, 3, n)
    keys = [("a",), ("b",), ("c",)]
    whole = _engine()
    whole.add(_arrays(y, x, w), _by(codes))
    left, right = _engine(), _engine()
    cut = 3_333
    left.add(_arrays(y[:cut], x[:cut], w[:cut]), _by(codes[:cut]))
    right.add(_arrays(y[cut:], x[cut:], w[cut:]), _by(codes[cut:]))
    left.merge(right)
    for spec in whole.specs:
        a = whole.value(spec, whole.overall[spec.label])
        b = left.value(spec, left.overall[spec.label])
        assert b.value == pytest.approx(a.value, rel=1e-14) and a.rows == b.rows == n
        for key in keys:
            ga = _group(whole, spec.label, key)
            gb = _group(left, spec.label, key)
            assert gb[0] == pytest.approx(ga[0], rel=1e-14) and ga[1:] == pytest.approx(gb[1:])
    expected = np.sum(w * (x - y) ** 2) / np.sum(w)
    assert whole.value(whole.specs[0], whole.overall["mse"]).value == pytest.approx(
        expected, rel=1e-14
    )


def test_bootstrap_replicates_merge_like_sums(rng):
    n = 2_000
    y, x = rng.normal(size=n), rng.normal(size=n)
    whole = _engine(bootstrap=200, seed=5)
    whole.add(_arrays(y, x))
    split = _engine(bootstrap=200, seed=5)
    for start in range(0, n, 300):
        split.add(_arrays(y[start : start + 300], x[start : start + 300]), offset=start)
    spec = whole.specs[0]
    a = whole.value(spec, whole.overall["mse"])
    b = split.value(spec, split.overall["mse"])
    assert a.ci == pytest.approx(b.ci, rel=1e-12)
    assert a.ci[0] < a.value < a.ci[1]


def test_sum_reduction_and_zero_weight():
    engine = _engine(reduction="sum")
    engine.add(_arrays(np.zeros(4), np.ones(4)))
    assert engine.value(engine.specs[0], engine.overall["mse"]).value == 4.0
    zero = _engine()
    zero.add(_arrays(np.zeros(2), np.ones(2), np.zeros(2)))
    assert zero.value(zero.specs[0], zero.overall["mse"]).value is None


def test_clipped_values_are_counted_once_per_value():
    specs = resolve_losses(["bce", "focal"], "binary")
    engine = Engine(specs, task="binary", eps=1e-7)
    engine.add(_arrays(np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.5])))
    assert engine.clipped == 2


def _parts(rng, pieces: int, **kwargs) -> list[Partial]:
    """Partials of `pieces` slices of one data set, each with its own groups seen."""
    out = []
    for i in range(pieces):
        n = 200 + 50 * i
        y, x, w = rng.normal(size=n), rng.normal(size=n), rng.uniform(0, 2, n)
        names = [f"g{j}" for j in range(i % 3 + 1)]
        engine = _engine(seed=7, **kwargs)
        engine.add(_arrays(y, x, w), _by(rng.integers(0, len(names), n), names), file=f"part-{i}")
        out.append(engine.partial())
    return out


def _reduced(partial: Partial, **kwargs) -> Engine:
    engine = _engine(**kwargs)
    engine.absorb(partial)
    return engine


def test_partial_merge_is_associative_tree_equals_linear(rng):
    parts = _parts(rng, 5)
    linear = functools.reduce(Partial.merge, parts)
    tree = (parts[0].merge(parts[1])).merge(parts[2].merge(parts[3].merge(parts[4])))
    a, b = _reduced(linear), _reduced(tree)
    assert a.group_keys == b.group_keys == [("g0",), ("g1",), ("g2",)]
    assert a.clipped == b.clipped
    for spec in a.specs:  # the sums are lists added with fsum: the same bits in any order
        assert a.value(spec, a.overall[spec.label]) == b.value(spec, b.overall[spec.label])
        for key in a.group_keys:
            assert _group(a, spec.label, key) == _group(b, spec.label, key)


def test_partial_merge_leaves_its_operands_alone(rng):
    left, right = _parts(rng, 2, bootstrap=20)
    before = (list(left.overall["mse"].wl), left.overall["mse"].boot_wl.copy())
    merged = left.merge(right)
    assert merged.overall["mse"].n == left.overall["mse"].n + right.overall["mse"].n
    assert left.overall["mse"].wl == before[0]
    assert np.array_equal(left.overall["mse"].boot_wl, before[1])
    assert merged.overall["mse"].boot_wl == pytest.approx(
        left.overall["mse"].boot_wl + right.overall["mse"].boot_wl, rel=1e-15
    )


def test_bootstrap_replicates_merge_in_any_order_to_rounding(rng):
    parts = _parts(rng, 4, bootstrap=50)
    linear = _reduced(functools.reduce(Partial.merge, parts), bootstrap=50)
    tree = _reduced(parts[0].merge(parts[1]).merge(parts[2].merge(parts[3])), bootstrap=50)
    spec = linear.specs[0]
    a, b = linear.value(spec, linear.overall["mse"]), tree.value(spec, tree.overall["mse"])
    assert a.value == b.value and a.ci == pytest.approx(b.ci, rel=1e-12)


def test_batch_sums_whose_total_overflows_are_refused():
    """Each batch's sum is finite, their total is beyond float64: an input error naming the
    loss, not an OverflowError from the final sum (nor a value of 0 from an infinite weight)."""
    from losscli.errors import InputError

    engine = _engine()
    e = np.full(4, 1e153)  # squares 1e306, a batch sums to 4e306
    for _ in range(100):
        engine.add(_arrays(np.zeros(4), e))
    with pytest.raises(InputError, match="the sum of mse overflows float64"):
        engine.value(engine.specs[0], engine.overall["mse"])
    weighted = _engine()
    for _ in range(2):
        weighted.add(_arrays(np.zeros(2), np.full(2, 1e-3), np.full(2, 1e308)))
    with pytest.raises(InputError, match="the sum of the weights overflows float64"):
        weighted.value(weighted.specs[0], weighted.overall["mse"])


def test_compute_refuses_a_total_beyond_float64(tmp_path):
    """Through the library, with one batch per row group and a --by column."""
    import pyarrow.parquet as pq

    import losscli
    from losscli.errors import InputError

    path = tmp_path / "big.parquet"
    n = 40_000
    pred = np.full(n, 1e152)  # squares 1e304: 1e4 rows sum to 1e308, 4e4 rows overflow
    pq.write_table(
        pa.table({"y_true": np.zeros(n), "y_pred": pred, "g": np.zeros(n)}),
        path,
        row_group_size=1_000,
    )
    for by in (None, ["g"]):
        with pytest.raises(InputError, match="overflows float64"):
            losscli.compute(str(path), losses=["mse"], by=by)


@pytest.mark.parametrize("replicates", [1, 2, 3, 7, 200])
def test_nan_quantiles_equal_numpy_nanquantile_to_the_bit(rng, replicates):
    from losscli.engine import nan_quantiles

    values = rng.standard_t(2, size=(replicates, 500)) * 10.0 ** rng.integers(-5, 5, 500)
    values[rng.uniform(size=values.shape) < 0.3] = np.nan
    values[:, :3] = np.nan  # columns without a value
    values[1:, 3] = np.nan  # one value
    values[:, 4] = 2.5  # ties
    quantiles = [0.025, 0.975, 0.5, 0.0, 1.0, 0.1]
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        want = np.nanquantile(values, quantiles, axis=0)
    got = nan_quantiles(values, quantiles)
    for w, g in zip(want, got, strict=True):
        assert np.array_equal(w, g, equal_nan=True)
