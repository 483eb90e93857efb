"""A JSON baseline read into columns and matched to a run's groups by one Arrow join: the same
values, outcomes and messages as reading and matching it one result, one group at a time."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from losscli import compute
from losscli.baseline import Baseline, _read_columns, _read_results, group_key
from losscli.errors import InputError
from losscli.gates import Gate, evaluate

GATES = [
    Gate("max_increase", "mse", 0.05, relative=True),
    Gate("min_decrease", "mae", 0.01),
    Gate("max", "mse", 2.0),
]


def frame(keys: dict[str, list], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(next(iter(keys.values())))
    return pd.DataFrame({**keys, "y_true": rng.normal(size=n), "y_pred": rng.normal(size=n)})


def judged_both_ways(run: pd.DataFrame, old: dict, by: list[str], gates=GATES):
    """The gates judged over the GroupTable (the join) and over the same results as a plain
    list (one `group_key` per group): they must agree, messages included."""
    result = compute(run, losses=["mse", "mae"], by=by)
    assert result.results.table is not None
    plain = dataclasses.replace(result, results=list(result.results))
    by_column = list(evaluate(result, gates, baseline=old))
    by_result = list(evaluate(plain, gates, baseline=old))
    assert by_column == by_result
    return by_column


def reference(result_dict: dict, run_groups: list[dict]) -> list[float | None]:
    """The baseline's mse for each run group, by plain dictionary lookup."""
    values = {
        group_key(r["group"]): r["value"]
        for r in result_dict["results"]
        if r["name"] == "mse" and r["group"] is not None
    }
    return [values.get(group_key(g)) for g in run_groups]


def rows(n: int, k: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, k, n)


@pytest.mark.parametrize("one_loss", [True, False])
@pytest.mark.parametrize(
    "kind", ["int", "text", "category", "bool", "two columns", "text with nulls", "float"]
)
def test_groups_matched_by_the_join_equal_groups_matched_one_by_one(kind, one_loss):
    n = 3_000
    old_g, new_g = rows(n, 400, 1), rows(n, 400, 2) + 50  # some groups on one side only
    make = {
        "int": lambda g: {"g": g},
        "text": lambda g: {"g": [f"s{v}" for v in g]},
        "category": lambda g: {"g": pd.Categorical([f"s{v}" for v in g])},
        "bool": lambda g: {"g": g % 2 == 0},
        "two columns": lambda g: {"g": g % 20, "h": [f"s{v // 20}" for v in g]},
        "text with nulls": lambda g: {"g": [None if v % 7 == 0 else f"s{v}" for v in g]},
        "float": lambda g: {"g": g.astype(float)},
    }[kind]
    by = list(make(old_g))
    old = compute(frame(make(old_g), 1), losses=["mse"] if one_loss else ["mse", "mae"], by=by)
    old_json = json.loads(json.dumps(old.to_dict()))
    outcomes = judged_both_ways(frame(make(new_g), 2), old_json, by)
    increase = [o for o in outcomes if o.gate == GATES[0].text and o.group is not None]
    run_groups = [o.group for o in increase if "not in this run" not in o.message]
    want = reference(old_json, run_groups)
    got = [o.baseline for o in increase if "not in this run" not in o.message]
    assert got == want and any(v is not None for v in want)
    assert kind == "bool" or any(v is None for v in want)
    missing = [o for o in increase if "is in the baseline but not in this run" in o.message]
    assert (kind == "bool" or missing) and all(o.status == "error" for o in missing)
    loss = Baseline.from_dict(old_json)._by_loss[("mse", ())]
    joined = kind in ("int", "text", "category")
    assert (loss.column is not None) is joined  # the join is what these groups take


def test_an_int_baseline_matches_a_run_keyed_by_floats_and_the_reverse():
    """Numbers compare as numbers (group 4 is group 4.0), whichever side holds floats."""
    g = np.arange(2_000) % 300
    ints, floats = frame({"g": g}, 1), frame({"g": g.astype(float)}, 1)
    for old_df, run_df in ((ints, floats), (floats, ints)):
        old = json.loads(json.dumps(compute(old_df, losses=["mse", "mae"], by=["g"]).to_dict()))
        outcomes = judged_both_ways(run_df, old, ["g"], [GATES[0]])
        assert len(outcomes) == 301 and all(o.status == "pass" for o in outcomes)  # no change


def test_infinite_float_keys_match_the_strings_the_json_writes_for_them():
    from losscli.render import dumps_json

    g = np.resize([1.5, np.inf, -np.inf, np.nan, 2.0], 2_500)
    run = frame({"g": g})
    old = json.loads(dumps_json(compute(run, losses=["mse", "mae"], by=["g"]).to_dict()))
    assert {"g": "-Infinity"} in [r["group"] for r in old["results"]]
    outcomes = judged_both_ways(run, old, ["g"], [GATES[0]])
    assert len(outcomes) == 6 and all(o.status == "pass" for o in outcomes)  # no change


def test_keys_beyond_int64_are_matched_one_by_one():
    big = 2**63 + np.arange(50, dtype=np.uint64)
    run = frame({"g": np.repeat(big, 4)})
    old = compute(run, losses=["mse", "mae"], by=["g"]).to_dict()
    old = json.loads(json.dumps(old))
    assert Baseline.from_dict(old)._by_loss[("mse", ())].column is None
    outcomes = judged_both_ways(run, old, ["g"], [GATES[0]])
    assert len(outcomes) == 51 and all(o.status == "pass" for o in outcomes)


def test_a_baseline_without_groups_leaves_every_group_without_a_baseline_value():
    run = frame({"g": rows(500, 30, 4)})
    old = json.loads(json.dumps(compute(run, losses=["mse", "mae"]).to_dict()))
    outcomes = judged_both_ways(run, old, ["g"])
    relative = [o for o in outcomes if o.kind != "max" and o.group is not None]
    assert len(relative) == 60 and all(o.status == "error" for o in relative)
    assert relative[0].message == "the baseline has no value for mse [g=0]"


def baseline(results: list) -> dict:
    return {
        "schema_version": 1,
        "tool": {"name": "losscli"},
        "inputs": {"task": "regression", "reduction": "mean", "rows": {"used": 10}},
        "results": results,
    }


def entry(g, value: float | None = 0.5, name: str = "mse", **more) -> dict:
    return {"name": name, "label": name, "params": {}, "value": value, "group": g, **more}


@pytest.mark.parametrize(
    "results",
    [
        [entry(None), *(entry({"g": i}) for i in range(50))],
        [entry(None), *(entry({"g": f"s{i}"}, None) for i in range(50))],
        [entry({"g": i}, float(i)) for i in range(50)] + [entry({"g": "x"})],
        [entry({"g": True}), entry({"g": 1}), entry({"g": 1.5}), entry({"g": float("nan")})],
        [entry({"g": i, "h": "a"}) for i in range(20)] + [entry({})],
        [entry({"g": i}, 1) for i in range(20)],  # integer values: one by one
        [*(entry({"g": i}) for i in range(20)), *(entry({"g": i}, name="mae") for i in range(20))],
        [entry({"g": i}, label=7) for i in range(5)],
        [
            {"name": "huber", "label": "huber", "params": {"delta": d}, "value": 0.1, "group": g}
            for d in (1, 2.0)
            for g in (None, {"g": 1})
        ],
    ],
)
def test_the_field_at_a_time_reading_equals_the_result_at_a_time_one(results):
    fields = _read_columns(list(results))
    single = _read_results(list(results), "baseline")
    if fields is None:  # not the usual shape: read one result at a time only
        assert len(single) != 1 or any(
            any(type(r.get(k)) not in (str, float, type(None)) for k in ("label", "value"))
            or r["params"]
            for r in results
        )
        return
    assert fields.keys() == single.keys()
    for key, loss in fields.items():
        other = single[key]
        assert (loss.positions, loss.labels, loss.groups, loss.values) == (
            other.positions,
            other.labels,
            other.groups,
            other.values,
        )


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"value": float("inf")}, r"results\[250\] \(mse\): value Infinity is not a finite"),
        ({"value": float("nan")}, r"results\[250\] \(mse\): value NaN is not a finite"),
        ({"value": True}, r"results\[250\] \(mse\): value true is not a finite"),
        ({"value": 10**400}, r"results\[250\] \(mse\): value 1000.* is not a finite"),
        ({"params": {"delta": -(10**400)}}, r"results\[250\] \(mse\): params .* are not numbers"),
        ({"group": {"g": [1]}}, r"results\[250\] \(mse\): group .* is not an object of values"),
        ({"group": [1]}, r"results\[250\] \(mse\): group .* is not an object"),
        ({"name": ""}, r"results\[250\] has no loss name"),
        ({"params": {"delta": "2"}}, r"results\[250\] \(mse\): params .* are not numbers"),
        ({"params": {"delta": True}}, r"results\[250\] \(mse\): params .* are not numbers"),
    ],
)
def test_a_bad_result_among_many_is_named_by_its_index(bad, match):
    results = [entry({"g": i}) for i in range(300)]
    results[250] = {**results[250], **bad}
    with pytest.raises(InputError, match=match):
        Baseline.from_dict(baseline(results), "old.json")
    with pytest.raises(InputError, match=r"results\[250\] is not an object"):
        Baseline.from_dict(baseline([*results[:250], "x", *results[251:]]), "old.json")


@pytest.mark.parametrize(
    ("results", "match"),
    [
        ([entry({"g": i % 200}) for i in range(300)], r"results\[200\] repeats mse \[g=0\]"),
        ([entry({"g": f"s{i % 250}"}) for i in range(300)], r"results\[250\] repeats mse \[g=s0\]"),
        ([entry({"g": 4}), entry({"g": 4.0})], r"results\[1\] repeats mse \[g=4.0\]"),
        ([entry(None), entry({"g": 1}), entry(None)], r"results\[2\] repeats mse$"),
        (  # the first repeat in the file, whichever loss
            [
                *(entry({"g": i % 80}, name="mae") for i in range(100)),
                *(entry({"g": i % 5}) for i in range(10)),
            ],
            r"results\[80\] repeats mae \[g=0\]",
        ),
        (
            [
                *(entry({"g": i % 8}) for i in range(10)),
                *(entry({"g": i % 80}, name="mae") for i in range(100)),
            ],
            r"results\[8\] repeats mse \[g=0\]",
        ),
    ],
)
def test_a_repeated_result_is_refused_naming_the_first_repeat(results, match):
    with pytest.raises(InputError, match=match):
        Baseline.from_dict(baseline(results), "old.json")


def test_a_null_value_a_gate_needs_is_refused_whichever_way_the_baseline_was_read():
    from losscli.losses import resolve_losses

    results = [entry(None), *(entry({"g": i}) for i in range(100))]
    results[60] = entry({"g": 59}, None)
    old = Baseline.from_dict(baseline(results), "old.json")
    assert old._by_loss[("mse", ())].column is not None
    with pytest.raises(InputError, match=r"no value \(null\) for mse \[g=59\], which a gate"):
        old.check(task="regression", reduction="mean", weight=None, gated=resolve_losses(["mse"]))


@pytest.mark.parametrize("overall", [0, 37, 99, None])
def test_keys_in_any_order_with_the_overall_result_anywhere_are_joined(overall):
    import pyarrow as pa

    keys = np.random.default_rng(5).permutation(100)
    results = [entry({"g": int(k)}, float(k) / 8) for k in keys]
    if overall is not None:
        results.insert(overall, entry(None, 9.0))
    old = Baseline.from_dict(baseline(results), "old.json")
    loss = old._by_loss[("mse", ())]
    assert loss.column is not None and loss.overall == overall
    run = [3, 150, 0, 99, -1]
    values, missing = old.match("mse", {}, [{"g": g} for g in run], ["g"], [pa.array(run)])
    want = [g / 8 if 0 <= g < 100 else np.nan for g in run]
    np.testing.assert_array_equal(values, want)
    assert missing == [{"g": int(k)} for k in keys if k not in run]
    assert old.value_at("mse", {}, ()) == (None if overall is None else 9.0)
