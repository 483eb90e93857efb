"""`--by` groups pinned to a plain pandas groupby: many key columns, missing keys across batches,
groups emptied by --nan drop or weighing nothing; bootstrap intervals pinned to NumPy."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from losscli import compute
from losscli.bootstrap import MAX_COUNT, poisson_weights
from losscli.engine import poisson_weights as engine_weights
from losscli.gates import Gate


def _by_group(result, by):
    """{key tuple: (value, rows)} of the mse group results."""
    return {
        tuple(r.group[c] for c in by): (r.value, r.rows)
        for r in result.results
        if r.group is not None and r.label == "mse"
    }


def test_ten_key_columns_give_exactly_the_groups_that_exist(rng):
    n, by = 20_000, [f"k{i}" for i in range(10)]
    df = pd.DataFrame({c: rng.integers(0, 100, n) for c in by})
    df["y_true"], df["y_pred"] = rng.normal(size=n), rng.normal(size=n)
    got = _by_group(compute(df, losses=["mse"], by=by), by)
    sq = (df.y_true - df.y_pred) ** 2
    ref = sq.groupby([df[c] for c in by]).agg(["mean", "size"])
    assert len(got) == len(ref) == df[by].drop_duplicates().shape[0]
    for key, row in ref.iterrows():
        value, rows = got[tuple(int(k) for k in key)]
        assert rows == row["size"] and value == pytest.approx(row["mean"], rel=1e-12)


def test_missing_keys_are_one_group_across_batches(tmp_path, rng):
    n = 1_000
    g = rng.choice([1.0, 2.0, np.nan], n)
    s = np.where(rng.uniform(size=n) < 0.3, None, rng.choice(["a", "b"], n))
    y, p = rng.normal(size=n), rng.normal(size=n)
    table = pa.table({"g": pa.array(g, from_pandas=False), "s": s, "y_true": y, "y_pred": p})
    assert table.column("g").null_count == 0  # NaN, not null: one group with the nulls anyway
    table = table.set_column(
        0, "g", pa.array(np.where(np.arange(n) % 7 == 0, None, g), pa.float64())
    )
    path = tmp_path / "keys.parquet"
    pq.write_table(table, path, row_group_size=37)  # many small batches
    got = _by_group(compute(str(path), losses=["mse"], by=["g", "s"]), ["g", "s"])
    df = table.to_pandas()
    sq = (df.y_true - df.y_pred) ** 2
    ref = sq.groupby([df.g, df.s], dropna=False).agg(["mean", "size"])
    assert len(got) == len(ref) == 9
    for (gk, sk), row in ref.iterrows():
        key = (None if pd.isna(gk) else gk, None if pd.isna(sk) else sk)
        value, rows = got[key]
        assert rows == row["size"] and value == pytest.approx(row["mean"], rel=1e-12)


def test_group_emptied_by_nan_drop_is_reported_and_its_gate_fails():
    df = pd.DataFrame(
        {
            "g": ["a", "a", "b", "b"],
            "y_true": [1.0, 2.0, np.nan, 3.0],
            "y_pred": [1.5, 2.0, 1.0, np.nan],
        }
    )
    result = compute(df, losses=["mse"], by=["g"], nan="drop", gates=[Gate("max", "mse", 1.0)])
    b = result.get("mse", {"g": "b"})
    assert b.value is None and b.rows == 0
    assert result.get("mse", {"g": "a"}).value == pytest.approx(0.125)
    assert any("g=b" in w and "no rows left" in w for w in result.warnings)
    failing = [o for o in result.gates if not o.passed]
    assert [o.group for o in failing] == [{"g": "b"}] and not result.passed


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_zero_weight_group_has_no_value_and_fails_its_gate(reduction):
    df = pd.DataFrame(
        {
            "g": ["a", "a", "z", "z"],
            "w": [1.0, 1.0, 0.0, 0.0],
            "y_true": [1.0, 2.0, 0.0, 0.0],
            "y_pred": [1.0, 2.0, 0.0, 0.0],
        }
    )
    result = compute(
        df,
        losses=["mse"],
        by=["g"],
        weight="w",
        reduction=reduction,
        gates=[Gate("max", "mse", 1.0)],
    )
    z = result.get("mse", {"g": "z"})
    assert z.value is None and z.rows == 2 and z.weight_sum == 0
    assert any("g=z" in w and "weigh nothing" in w for w in result.warnings)
    assert [o.group for o in result.gates if not o.passed] == [{"g": "z"}]


def test_poisson_weights_follow_poisson_one_and_ignore_block_cuts():
    w = poisson_weights(3, 0, 0, 20_000, 50)
    freq = np.bincount(w.ravel(), minlength=MAX_COUNT + 1) / w.size
    pmf = [math.exp(-1) / math.factorial(k) for k in range(5)]
    assert freq[:5] == pytest.approx(pmf, abs=3e-3)
    assert np.array_equal(poisson_weights(3, 0, 12_345, 4_000, 50), w[12_345:16_345])
    assert not np.array_equal(poisson_weights(3, 1, 0, 100, 50), w[:100])


def test_bootstrap_interval_equals_numpy_reference_whatever_the_batches(tmp_path, rng):
    n, b = 3_000, 200
    df = pd.DataFrame(
        {"g": rng.choice(["x", "y"], n), "y_true": rng.normal(size=n), "y_pred": rng.normal(size=n)}
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    table = pa.Table.from_pandas(df)
    pq.write_table(table, tmp_path / "a" / "boot.parquet", row_group_size=101)
    pq.write_table(table, tmp_path / "b" / "boot.parquet")
    small = compute(
        str(tmp_path / "a" / "boot.parquet"), losses=["mse"], by=["g"], bootstrap=b, seed=9
    )
    whole = compute(
        str(tmp_path / "b" / "boot.parquet"), losses=["mse"], by=["g"], bootstrap=b, seed=9
    )
    counts = engine_weights(9, "boot.parquet", 0, n, b)
    sq = ((df.y_true - df.y_pred) ** 2).to_numpy()

    def reference(mask):
        reps = (sq[mask] @ counts[mask]) / counts[mask].sum(axis=0)
        return tuple(np.quantile(reps, [0.025, 0.975]))

    for result in (small, whole):
        assert result.get("mse").ci == pytest.approx(reference(np.ones(n, bool)), rel=1e-12)
        for key in ("x", "y"):
            got = result.get("mse", {"g": key}).ci
            assert got == pytest.approx(reference((df.g == key).to_numpy()), rel=1e-12)


KEYS = {
    "int": lambda rng, n: rng.integers(0, 1_000, n),
    "float": lambda rng, n: np.where(
        rng.uniform(size=n) < 0.1, np.nan, rng.integers(0, 999, n) / 8
    ),
    "text": lambda rng, n: np.array([f'k"{i}\\' for i in rng.integers(0, 1_000, n)], dtype=object),
    # infinite keys are the strings "Infinity" and "-Infinity", never null (the missing key)
    "float with infinities": lambda rng, n: rng.choice(
        np.concatenate([rng.normal(size=1_000), [np.nan, np.inf, -np.inf, -0.0]]), n
    ),
}


@pytest.mark.parametrize("kind", list(KEYS))
def test_many_groups_json_parses_equal_to_the_plain_renderer_and_table_is_short(rng, kind):
    from losscli.render import Format, dumps_json, many
    from losscli.render.result import render

    n = 6_000
    df = pd.DataFrame(
        {
            "g": KEYS[kind](rng, n),
            "y_true": rng.normal(size=n),
            "y_pred": rng.normal(size=n) * 1e-300,  # tiny values: repr must round-trip
        }
    )
    result = compute(
        df,
        losses=["mse", "mae", "huber"],
        by=["g"],
        bootstrap=20,
        gates=[Gate("max", "mae", 100.0)],
    )
    assert len(result.gates) > 900
    assert many.group_count(result) > many.MANY
    fast = render(result, Format.json)
    assert json.loads(fast) == json.loads(dumps_json(result.to_dict()))
    text = render(result, Format.table)
    groups = many.group_count(result) // 3
    if kind == "float":
        assert json.loads(fast)["results"][-1]["group"] == {"g": None}
    assert f"{groups:,} groups: showing the 10 highest and 10 lowest by mse" in " ".join(
        text.split()
    )
    assert len(text.splitlines()) < 100


def test_table_of_many_failing_group_gates_lists_the_first_twenty(rng):
    """A gate failing in thousands of groups: the table lists the overall gate and the first 20
    failing groups and counts the rest; JSON lists every one."""
    from losscli.gates import Gate
    from losscli.render import Format, many
    from losscli.render.result import render

    n = 60_000
    df = pd.DataFrame({"g": rng.integers(0, 3_000, n), "y_true": rng.normal(size=n)})
    df["y_pred"] = df["y_true"] + rng.normal(size=n) * 3
    result = compute(df, losses=["mse"], by=["g"], gates=[Gate("max", "mse", 1.0)])
    failed = [g for g in result.gates if g.group is not None and not g.passed]
    assert len(failed) > 2_900
    text = " ".join(render(result, Format.table).split())
    assert f"{len(failed):,} group gates failed, the first {many.FAILED_SHOWN} shown" in text
    for gate in failed[: many.FAILED_SHOWN]:
        assert f"[g={gate.group['g']}]" in text
    assert f"[g={failed[many.FAILED_SHOWN].group['g']}]" not in text
    assert len(json.loads(render(result, Format.json))["gates"]) == len(result.gates)


def test_many_groups_json_of_infinite_float_keys_beside_text_keys(rng):
    from losscli.render import dumps_json, many

    n = 6_000
    df = pd.DataFrame(
        {
            "f": rng.choice([np.inf, -np.inf, np.nan, 0.5], n),
            "s": rng.choice([f"k{i}" for i in range(900)], n),  # text: keys encoded by Python
            "y_true": rng.normal(size=n),
            "y_pred": rng.normal(size=n),
        }
    )
    result = compute(df, losses=["mse", "mae"], by=["f", "s"], gates=[Gate("max", "mae", 0.5)])
    assert many.group_count(result) > many.MANY
    fast = json.loads(many.to_json(result))
    assert fast == json.loads(dumps_json(result.to_dict()))
    assert {"f": "-Infinity", "s": "k0"} in [r["group"] for r in fast["results"]]


@pytest.mark.parametrize(
    ("first", "second", "old", "new"),
    [
        (["a", "b"], [1, 2], "string", "int64"),
        ([1, 2], ["a", "b"], "int64", "string"),
        ([1.5, 2.0], [True, False], "double", "bool"),
    ],
)
def test_by_column_changing_kind_between_files_names_column_and_files(
    tmp_path, first, second, old, new
):
    from losscli.errors import InputError

    paths = []
    for i, keys in enumerate([first, second]):
        path = tmp_path / f"part{i}.parquet"
        pq.write_table(pa.table({"g": keys, "y_true": [1.0, 2.0], "y_pred": [1.5, 2.0]}), path)
        paths.append(str(path))
    with pytest.raises(InputError) as info:
        compute(paths, losses=["mse"], by=["g"])
    text = str(info.value)
    assert info.value.exit_code == 2 and info.value.file == paths[1]
    assert f"--by g holds {new} values here but {old} values in {paths[0]}" in text


def test_by_column_of_integers_then_floats_is_one_column_of_numbers(tmp_path):
    paths = []
    for i, keys in enumerate([[1, 2], [2.0, 2.5]]):
        path = tmp_path / f"part{i}.parquet"
        pq.write_table(pa.table({"g": keys, "y_true": [1.0, 2.0], "y_pred": [1.5, 2.0]}), path)
        paths.append(str(path))
    got = _by_group(compute(paths, losses=["mse"], by=["g"]), ["g"])
    assert got == {(1.0,): (0.25, 1), (2.0,): (0.125, 2), (2.5,): (0.0, 1)}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (pa.array([0, 1], pa.int8()), pa.array([1, 1000], pa.int64())),
        (pa.array([1, 1000], pa.int64()), pa.array([0, 1], pa.int8())),
        (pa.array([0, 1], pa.uint8()), pa.array([-1, 1], pa.int16())),
    ],
)
def test_by_column_of_integers_of_two_widths_is_one_column(tmp_path, first, second):
    paths = []
    for i, keys in enumerate([first, second]):
        path = tmp_path / f"part{i}.parquet"
        pq.write_table(pa.table({"g": keys, "y_true": [1.0, 2.0], "y_pred": [1.5, 2.0]}), path)
        paths.append(str(path))
    got = _by_group(compute(paths, losses=["mse"], by=["g"]), ["g"])
    want: dict[tuple, list[float]] = {}
    for keys in (first, second):
        for key, error in zip(keys.to_pylist(), [0.25, 0.0], strict=True):
            want.setdefault((key,), []).append(error)
    assert got == {k: (sum(v) / len(v), len(v)) for k, v in want.items()}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (pa.array([0.5, 2.0], pa.float32()), pa.array([0.1, 0.10000000149011612])),
        (pa.array([0.1, 0.10000000149011612]), pa.array([0.5, 2.0], pa.float32())),
        (pa.array([0.5, 2.0], pa.float32()), pa.array([2**24 + 1, 2], pa.int64())),
    ],
)
def test_by_column_of_float32_beside_float64_or_integers_keeps_every_key(tmp_path, first, second):
    paths = []
    for i, keys in enumerate([first, second]):
        path = tmp_path / f"part{i}.parquet"
        pq.write_table(pa.table({"g": keys, "y_true": [1.0, 2.0], "y_pred": [1.5, 2.0]}), path)
        paths.append(str(path))
    got = _by_group(compute(paths, losses=["mse"], by=["g"]), ["g"])
    want: dict[tuple, list[float]] = {}
    for keys in (first, second):  # float32 values are float64 values exactly
        for key, error in zip(keys.to_pylist(), [0.25, 0.0], strict=True):
            want.setdefault((float(key),), []).append(error)
    assert got == {k: (sum(v) / len(v), len(v)) for k, v in want.items()}


def test_negative_zero_key_is_the_zero_group_in_a_batch_and_across_batches(tmp_path):
    from losscli.baseline import Baseline
    from losscli.render import dumps_json

    paths = []
    for i, keys in enumerate([[0.0, -0.0, 1.0], [-0.0, 1.0, 0.0]]):
        path = tmp_path / f"part{i}.parquet"
        table = pa.table({"g": keys, "y_true": [1.0, 2.0, 3.0], "y_pred": [1.5, 2.0, 4.0]})
        pq.write_table(table, path)
        paths.append(str(path))
    result = compute(paths, losses=["mse"], by=["g"])
    got = _by_group(result, ["g"])  # -0.0 == 0.0, as in a pandas groupby
    assert got == {(0.0,): (0.375, 4), (1.0,): (0.5, 2)}
    assert [math.copysign(1, r.group["g"]) for r in result.results if r.group] == [1, 1]
    baseline = Baseline.from_dict(json.loads(dumps_json(result.to_dict())))  # no repeat
    again = compute(
        paths, losses=["mse"], by=["g"], baseline=baseline, gates=[Gate("max_increase", "mse", 0.0)]
    )
    assert again.passed


@pytest.mark.parametrize("order", [1, -1])
def test_by_integers_beyond_float64_precision_beside_floats_are_refused(tmp_path, order):
    from losscli.errors import InputError

    paths = []
    inputs = [pa.array([1, 2**53 + 1], pa.int64()), pa.array([1.0, 2.5])][::order]
    for i, keys in enumerate(inputs):
        path = tmp_path / f"part{i}.parquet"
        pq.write_table(pa.table({"g": keys, "y_true": [1.0, 2.0], "y_pred": [1.5, 2.0]}), path)
        paths.append(str(path))
    with pytest.raises(InputError) as info:  # 2**53 + 1 as a float is 2**53: another key
        compute(paths, losses=["mse"], by=["g"])
    assert info.value.exit_code == 2 and info.value.file == paths[1]
    assert "--by g holds" in str(info.value) and paths[0] in str(info.value)


def test_many_groups_csv_is_byte_identical_to_the_plain_writer_on_hostile_keys(rng):
    from losscli.render.many import MANY, csv_pieces, joined
    from losscli.render.result import to_csv

    n = 6_000
    names = np.array(
        ["a|b", 'q"uote', "com,ma", "new\nline", "cr\rx", "", "ünï", " x", None], object
    )
    df = pd.DataFrame(
        {
            "g": rng.choice(names, n),
            "value": rng.integers(0, 150, n),  # a key named like a result column: by_value
            "f": rng.choice([1.5, np.nan, 2.0, 1e-7, 1e20, -0.0, np.inf], n),
            "y_true": rng.normal(size=n) * 10.0 ** rng.integers(-8, 18, n),
        }
    )
    df["y_pred"] = df.y_true + rng.normal(size=n)
    for by, bootstrap in ((["g", "value"], 0), (["f", "g", "value"], 3)):
        result = compute(df, by=by, bootstrap=bootstrap)
        assert len(result.results) > MANY
        assert joined(csv_pieces(result)) == to_csv(result)


def test_float_reprs_are_python_reprs_at_every_magnitude(rng):
    from losscli.render.many import float_reprs

    values = np.concatenate(
        [
            rng.normal(size=20_000) * 10.0 ** rng.integers(-30, 30, 20_000),
            np.round(rng.normal(size=5_000) * 10.0 ** rng.integers(0, 20, 5_000)),
            10.0 ** np.arange(-20, 25),
            [1e16, 9999999999999998.0, 1e-4, 1e-5, 5e-324, 1.7976931348623157e308, -0.0, 0.0],
            [np.inf, -np.inf, np.nan],
        ]
    )
    want = ["" if v != v else repr(v) for v in values.tolist()]
    assert float_reprs(values).to_pylist() == want


def _with_nulls(rng, values: np.ndarray, share: float = 0.1) -> list:
    """The values as a list with about `share` of them None."""
    return [None if rng.uniform() < share else v for v in values.tolist()]


GROUPED_KEYS = {
    "small integers": lambda rng, n: [pa.array(rng.integers(0, 300, n))],
    # small keys fill the direct table, then keys far beyond it move the lookup to a sorted one
    "integers beyond the direct table": lambda rng, n: [
        pa.array(
            np.where(
                np.arange(n) < n // 2,
                rng.integers(0, 40, n),
                rng.integers(-(2**40), 2**40, n) // 2**30,
            )
        )
    ],
    "integers with nulls": lambda rng, n: [
        pa.array(_with_nulls(rng, rng.integers(-5, 200, n)), pa.int64())
    ],
    "floats with NaN and nulls": lambda rng, n: [
        pa.array(
            _with_nulls(rng, rng.choice([-1.5, 0.25, 2.0, np.nan, 1e-300, 7e20], n)), pa.float64()
        )
    ],
    "strings with nulls": lambda rng, n: [
        pa.array(_with_nulls(rng, rng.choice(["b", "a", "ü", "", "a,b"], n)), pa.string())
    ],
    "booleans with nulls": lambda rng, n: [pa.array(_with_nulls(rng, rng.integers(0, 2, n) > 0))],
    "two columns": lambda rng, n: [
        pa.array(_with_nulls(rng, rng.integers(0, 30, n)), pa.int64()),
        pa.array(_with_nulls(rng, rng.choice(["x", "y", "z"], n)), pa.string()),
    ],
}


def _key(value) -> object:
    """A group key as a hashable value: missing (None or NaN) is None."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@pytest.mark.parametrize("kind", list(GROUPED_KEYS))
def test_group_results_equal_a_pandas_groupby_over_many_small_batches(
    tmp_path, rng, monkeypatch, kind
):
    from losscli.groups import GroupSums
    from losscli.read import batches as read_batches

    n = 5_000
    keys = GROUPED_KEYS[kind](rng, n)
    by = [f"k{i}" for i in range(len(keys))]
    y = rng.normal(size=n)
    table = pa.table(
        {
            **dict(zip(by, keys, strict=True)),
            "y_true": y,
            "y_pred": y + rng.standard_t(3, size=n),
            "w": rng.uniform(0, 2, n),
        }
    )
    path = tmp_path / "groups.parquet"
    pq.write_table(table, path, row_group_size=333)
    monkeypatch.setattr(read_batches, "batch_rows", lambda columns: 97)  # many small batches
    monkeypatch.setattr(GroupSums, "FOLD_ROWS", 64)  # many folds, some batches folded whole
    result = compute(str(path), losses=["mse", "mae", "rmse"], by=by, weight="w")

    df = table.to_pandas()
    err = df.y_pred - df.y_true
    df["wse"], df["wae"] = df.w * err**2, df.w * err.abs()
    ref = df.groupby(by, dropna=False).agg(
        wse=("wse", "sum"), wae=("wae", "sum"), w=("w", "sum"), rows=("w", "size")
    )
    want = {
        tuple(_key(k) for k in (key if isinstance(key, tuple) else (key,))): row
        for key, row in ref.iterrows()
    }
    got: dict[tuple, dict[str, object]] = {}
    order = []
    for r in result.results:
        if r.group is None:
            continue
        key = tuple(_key(r.group[c]) for c in by)
        if key not in got:
            order.append(key)
        got.setdefault(key, {})[r.label] = r
    assert set(got) == set(want) and len(order) == len(want)
    for key, row in want.items():
        mse, mae = got[key]["mse"], got[key]["mae"]
        assert mse.rows == mae.rows == row["rows"]
        assert mse.weight_sum == pytest.approx(row["w"], rel=1e-12)
        assert mse.value == pytest.approx(row["wse"] / row["w"], rel=1e-12)
        assert mae.value == pytest.approx(row["wae"] / row["w"], rel=1e-12)
        rmse = got[key]["rmse"]  # the same per-row values as mse: summed once
        assert rmse.value == pytest.approx(math.sqrt(row["wse"] / row["w"]), rel=1e-12)
    if len(by) == 1:  # ascending keys, the missing key last
        present = [k for k in order if k[0] is not None]
        assert order == sorted(present) + [k for k in order if k[0] is None]


def test_group_sums_fold_in_any_order_to_the_same_bits(rng):
    """Partial sums of many groups merged in a tree or in a line give the same values."""
    import functools

    from losscli.engine import Engine, Partial
    from losscli.losses import resolve_losses

    specs = resolve_losses(["mse", "mae"], "regression")
    parts = []
    for i in range(6):
        n = 3_000 + 500 * i
        engine = Engine(specs, task="regression")
        x = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4, n)
        arrays = _arrays(np.zeros(n), x)
        engine.add(arrays, [pa.array(rng.integers(0, 2_000, n))])
        parts.append(engine.partial())
    linear = functools.reduce(Partial.merge, parts)
    tree = parts[0].merge(parts[1]).merge(parts[2].merge(parts[3])).merge(parts[4].merge(parts[5]))
    a, b = Engine(specs, task="regression"), Engine(specs, task="regression")
    a.absorb(linear)
    b.absorb(tree)
    order = [b.group_keys.index(k) for k in a.group_keys]
    for spec in specs:
        ga, gb = a.group_values(spec), b.group_values(spec)
        assert np.array_equal(ga.value, gb.value[order])
        assert np.array_equal(ga.rows, gb.rows[order])


def _arrays(y, x, w=None):
    from losscli.columns import Arrays

    return Arrays(y=y, pred=x, weight=w, keep=None, rows=len(y), dropped=0)


def test_group_gates_judged_by_column_equal_the_gates_judged_result_by_result(rng):
    """Gates over a GroupTable (verdicts as arrays) give the outcomes, messages included, that
    the same results as a plain list give: limits, a baseline with groups missing on either
    side, a group without a value."""
    import dataclasses

    from losscli.gates import evaluate
    from losscli.grouped import Results

    n = 8_000
    df = pd.DataFrame(
        {
            "g": rng.integers(0, 1_500, n),
            "y_true": rng.normal(size=n),
            "y_pred": rng.normal(size=n),
            "w": rng.uniform(0, 2, n),
        }
    )
    df.loc[:29, "g"] = np.repeat([7, 11, 12], 10)
    df.loc[df.g == 7, "w"] = 0.0  # a group that weighs nothing: no value
    old_df = df[df.g != 11].assign(g=lambda d: d.g.where(d.g != 12, 99_999))
    old = compute(old_df, losses=["mse", "mae"], by=["g"], weight="w").to_dict()
    result = compute(df, losses=["mse", "mae"], by=["g"], weight="w")
    assert isinstance(result.results, Results) and result.results.table is not None
    plain = dataclasses.replace(result, results=list(result.results))
    gates = [
        Gate("max", "mse", 2.0),
        Gate("min", "mae", 1.1),
        Gate("max_increase", "mse", 0.05, relative=True),
        Gate("min_decrease", "mae", 0.01),
    ]
    by_column = evaluate(result, gates, baseline=old)
    by_result = list(evaluate(plain, gates, baseline=old))
    assert by_column == by_result
    assert len(by_column) == len(by_result) and by_column[-1] == by_result[-1]
    assert by_column[3:9] == by_result[3:9] and by_column[-5] == by_result[-5]
    judged = dataclasses.replace(result, gates=by_column)
    assert pickle.loads(pickle.dumps(judged)).gates == by_result  # a result pickles whole
    assert judged.gate_counts() == {
        s: sum(o.status == s for o in by_result) for s in ("pass", "fail", "error")
    }
    assert judged.failing() == [o for o in by_result if not o.passed]
    listed = dataclasses.replace(plain, gates=by_result)
    assert judged.passed is listed.passed is False and judged.summary() == listed.summary() == {
        "passed": False,
        "gates": len(by_result),
        "failed": judged.gate_counts()["fail"],
        "not_evaluated": judged.gate_counts()["error"],
    }
    statuses = {o.status for o in by_column}
    assert statuses == {"pass", "fail", "error"}
    assert any("in the baseline but not in this run" in o.message for o in by_column)
    assert any(o.message.startswith("the baseline has no value") for o in by_column)
    # the many-groups JSON writes the column outcomes from their arrays: the same document
    from losscli.render import dumps_json, many

    assert many.group_count(judged) > many.MANY
    fast = json.loads(many.to_json(judged))
    assert fast == json.loads(dumps_json(dataclasses.replace(judged, gates=by_result).to_dict()))


def test_group_sums_are_correctly_rounded_whatever_the_batches_and_folds(
    tmp_path, rng, monkeypatch
):
    """A group's value is its correctly rounded sum of w * l over the correctly rounded sum of
    w (math.fsum each, then one division), with rows of very different sizes cut into many
    small batches and folds."""
    from losscli.groups import GroupSums
    from losscli.read import batches as read_batches

    n = 20_000
    g = rng.integers(0, 700, n)
    y = rng.normal(size=n)
    p = y + rng.normal(size=n) * 10.0 ** rng.integers(-6, 7, n)
    w = rng.uniform(0, 3, n) * 10.0 ** rng.integers(-3, 4, n)
    path = tmp_path / "mixed.parquet"
    pq.write_table(pa.table({"g": g, "y_true": y, "y_pred": p, "w": w}), path, row_group_size=1_000)
    monkeypatch.setattr(read_batches, "batch_rows", lambda columns: 333)
    monkeypatch.setattr(GroupSums, "FOLD_ROWS", 500)
    result = compute(str(path), losses=["mse", "mae"], by=["g"], weight="w")
    wl = {"mse": w * (p - y) ** 2, "mae": w * np.abs(p - y)}
    got = [r for r in result.results if r.group is not None]
    assert len(got) == 2 * len(np.unique(g))
    for r in got:
        rows = g == r.group["g"]
        want = math.fsum(wl[r.label][rows].tolist()) / math.fsum(w[rows].tolist())
        assert r.value == want, (r.label, r.group)


_INT64 = np.iinfo(np.int64)
_KEY_VALUES = {  # per Arrow type, values that stress its lookup
    "int64": st.one_of(
        st.integers(-3, 40),
        st.integers(int(_INT64.min), int(_INT64.max)),
        st.sampled_from([int(_INT64.min), int(_INT64.max), 2**21 - 1, 2**21, 2**31]),
    ),
    "uint64": st.integers(0, 2**64 - 1),
    "int8": st.integers(-128, 127),
    "double": st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1.0, 5e-324, math.inf])),
    "string": st.sampled_from(["a", "b", "", "1", "ü", "a,b"]),
    "bool": st.booleans(),
}


def _plain_key(value: object) -> object:
    """A key as numbers compare: None for null and NaN, 0.0 for -0.0, booleans apart."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return (bool, value) if isinstance(value, bool) else value + 0.0 if value == 0 else value


@st.composite
def _key_batches(draw) -> list[list[pa.Array]]:
    """Batches of 1 to 3 key columns; an integer column is sometimes floats in a batch, a
    text column sometimes dictionary-encoded (each batch its own dictionary)."""
    kinds = draw(st.lists(st.sampled_from(list(_KEY_VALUES)), min_size=1, max_size=3))
    batches = []
    for _ in range(draw(st.integers(1, 5))):
        n = draw(st.integers(0, 30))
        columns = []
        for kind in kinds:
            floats = kind in ("int64", "int8") and draw(st.integers(0, 3)) == 0
            pool = draw(st.lists(st.none() | _KEY_VALUES[kind], min_size=1, max_size=6))
            values = [pool[draw(st.integers(0, len(pool) - 1))] for _ in range(n)]
            if floats:
                values = [None if v is None else float(v) for v in values]
            column = pa.array(values, pa.float64() if floats else pa.type_for_alias(kind))
            if kind == "string" and draw(st.booleans()):
                column = column.dictionary_encode()
            columns.append(column)
        batches.append(columns)
    return batches


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_key_batches())
def test_group_ids_equal_a_plain_dictionary_of_key_tuples(batches):
    from losscli.groups import GroupKeys, KeyTypeError

    keys = GroupKeys(len(batches[0]))
    try:
        ids = np.concatenate([keys.encode(columns) for columns in batches])
    except KeyTypeError:  # integers beyond 2**53 beside floats: refused, never merged
        return
    want: dict[tuple, int] = {}  # first appearances, as a plain dict numbers them
    for columns in batches:
        rows = zip(*(c.to_pylist() for c in columns), strict=True)
        for row in rows:
            want.setdefault(tuple(map(_plain_key, row)), len(want))
    rows = [
        tuple(map(_plain_key, row))
        for columns in batches
        for row in zip(*(c.to_pylist() for c in columns), strict=True)
    ]
    assert ids.tolist() == [want[row] for row in rows]
    got = list(zip(*(c.to_pylist() for c in keys.columns()), strict=True))
    assert [tuple(map(_plain_key, key)) for key in got] == list(want)
