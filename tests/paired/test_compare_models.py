"""`compare_models` and `compute --baseline PREDICTIONS`: values against a NumPy reference on
the joined table, matching and its errors, gates, every output format and --per-row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import losscli
from losscli.cli import app
from losscli.errors import InputError, UsageError
from losscli.gates import parse_gates
from losscli.paired import compare_models
from losscli.paired.stats import z_value

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def frames(n: int = 600, seed: int = 0, shift: float = 0.3):
    """A candidate and a baseline (shuffled, so a key is needed) of one regression set."""
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 3, n)
    err = rng.standard_t(4, n)
    new = pd.DataFrame(
        {
            "id": np.arange(n),
            "region": rng.choice(["north", "south"], n),
            "w": rng.uniform(0.5, 2.0, n),
            "y_true": y,
            "y_pred": y + err * 1.1 + shift,
        }
    )
    old = pd.DataFrame({"id": np.arange(n), "y_true": y, "y_pred": y + err})
    return new, old.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def save(tmp_path, new, old, fmt="csv"):
    a, b = tmp_path / f"new.{fmt}", tmp_path / f"old.{fmt}"
    for frame, path in ((new, a), (old, b)):
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
    return str(a), str(b)


def test_values_equal_a_numpy_reference_on_the_joined_table(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old, "parquet")
    r = compare_models(
        a, b, keys=["id"], losses=["mse", "mae", "rmse"], by=["region"], weight="w", seed=3
    )
    joined = new.merge(old, on="id", suffixes=("_c", "_b"))
    assert r.matching["method"] == "key" and r.matching["matched"] == len(new)
    for label, f in (("mse", np.square), ("mae", np.abs), ("rmse", np.square)):
        for group, rows in [(None, joined), *joined.groupby("region")]:
            g = None if group is None else {"region": group}
            w = rows["w"].to_numpy()
            lc = f(rows["y_pred_c"] - rows["y_true_c"]).to_numpy()
            lb = f(rows["y_pred_b"] - rows["y_true_b"]).to_numpy()
            mc, mb = np.average(lc, weights=w), np.average(lb, weights=w)
            if label == "rmse":
                mc, mb = np.sqrt(mc), np.sqrt(mb)
            d = r.difference(label, g)
            assert d.candidate == pytest.approx(mc, rel=1e-12)
            assert d.baseline == pytest.approx(mb, rel=1e-12)
            assert d.diff == pytest.approx(mc - mb, rel=1e-9)
            assert d.rel == pytest.approx(mc / mb - 1, rel=1e-9)
            assert d.rows == len(rows)
            if label != "rmse":  # the weighted mean's linearised variance
                u = w * ((lc - lb) - (mc - mb)) / w.sum()
                half = z_value(0.95) * np.sqrt(np.sum(u * u))
                assert d.normal_ci == pytest.approx((mc - mb - half, mc - mb + half), rel=1e-9)
            low, high = d.ci
            assert low < d.diff < high  # the bootstrap agrees with the normal interval roughly
            assert (high - low) == pytest.approx(d.normal_ci[1] - d.normal_ci[0], rel=0.3)
    assert r.result.value("mse") == r.difference("mse").candidate


def test_weights_are_shared_by_both_models_in_every_replicate():
    # mae with every candidate residual 0.5 larger in size: every replicate's difference is 0.5
    y = np.arange(200, dtype=float)
    frame = pd.DataFrame({"y_true": y, "new": y + 1.5, "old": y + 1.0})
    r = compare_models(frame, baseline_pred=["old"], pred=["new"], losses=["mae"], bootstrap=200)
    assert r.difference("mae").ci == pytest.approx((0.5, 0.5), abs=1e-12)


def test_a_seed_gives_the_same_intervals_and_another_seed_others(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old)
    one = compare_models(a, b, keys=["id"], losses=["mse"], seed=1).difference("mse").ci
    assert compare_models(a, b, keys=["id"], losses=["mse"], seed=1).difference("mse").ci == one
    assert compare_models(a, b, keys=["id"], losses=["mse"], seed=2).difference("mse").ci != one


def test_without_a_key_rows_match_by_position_and_it_is_said(tmp_path):
    new, old = frames()
    old = old.sort_values("id")
    a, b = save(tmp_path, new, old)
    result = run("compute", a, "--baseline", b, "--loss", "mse", "--bootstrap", "0")
    assert result.exit_code == 0, result.stderr
    assert "matched 600 rows by position" in result.stderr and "--key" in result.stderr


def test_unequal_row_counts_without_a_key_are_an_input_error(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old.iloc[:-5])
    result = run("compute", a, "--baseline", b, "--loss", "mse")
    assert result.exit_code == 2
    assert "600 rows and the baseline 595" in result.stderr and "--key" in result.stderr


def test_rows_on_one_side_only_are_an_error_unless_dropped(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old[old["id"] != 17].iloc[:-1])
    result = run("compute", a, "--baseline", b, "--key", "id", "--loss", "mse")
    assert result.exit_code == 2
    assert "2 candidate rows have no baseline row" in result.stderr
    assert "--unmatched drop" in result.stderr
    result = run(
        "compute", a, "--baseline", b, "--key", "id", "--loss", "mse", "--unmatched", "drop",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["comparison"]["matching"]["candidate_only"] == 2
    assert data["inputs"]["rows"]["matched"] == 598
    assert "598 matched rows only" in result.stderr


def test_labels_that_differ_are_an_input_error_naming_the_key(tmp_path):
    new, old = frames()
    old.loc[old["id"] == 42, "y_true"] += 1.0
    a, b = save(tmp_path, new, old)
    result = run("compute", a, "--baseline", b, "--key", "id", "--loss", "mse")
    assert result.exit_code == 2
    assert "labels differ" in result.stderr and "id=42" in result.stderr


def test_duplicate_keys_are_an_input_error_naming_the_key(tmp_path):
    new, old = frames()
    old.loc[old["id"] == 7, "id"] = 8
    a, b = save(tmp_path, new, old)
    result = run("compute", a, "--baseline", b, "--key", "id", "--loss", "mse")
    assert result.exit_code == 2
    assert "duplicate key id=8" in result.stderr and "old.csv" in result.stderr


def test_key_types_differing_between_files_are_cast_or_refused(tmp_path):
    new, old = frames()
    old["id"] = old["id"].astype(float)
    a, b = save(tmp_path, new, old, "parquet")
    r = compare_models(a, b, keys=["id"], losses=["mse"], bootstrap=0)
    assert r.matching["matched"] == 600
    old["id"] = "k" + old["id"].astype(int).astype(str)
    a, b = save(tmp_path, new, old, "parquet")
    with pytest.raises(InputError, match="key columns have different types"):
        compare_models(a, b, keys=["id"], losses=["mse"], bootstrap=0)


def test_the_interval_rule_passes_noise_that_the_estimate_rule_fails():
    rng = np.random.default_rng(2)  # a seed whose +2.4% change is noise: no true difference
    n = 400
    y = rng.normal(size=n)
    e = rng.normal(size=n)
    e2 = 0.8 * e + 0.6 * rng.normal(size=n)  # same variance as e
    frame = pd.DataFrame({"y_true": y, "new": y + e2, "old": y + e})
    gates = parse_gates(max_increase=["mse=1%"])
    noisy = {"baseline_pred": ["old"], "pred": ["new"], "losses": ["mse"], "gates": gates}
    by_interval = compare_models(frame, **noisy, gate_on="interval")
    by_estimate = compare_models(frame, **noisy, gate_on="estimate")
    d = by_interval.difference("mse")
    assert d.rel > 0.01 and d.rel_ci[0] < 0.01  # above the allowance, but not surely
    assert by_interval.passed and not by_estimate.passed
    assert "point estimate" in by_estimate.result.gates[0].message
    assert "one-sided test at 97.5%" in by_interval.result.gates[0].message


def test_a_clear_regression_fails_with_the_message_users_read():
    rng = np.random.default_rng(2)
    n = 5000
    y = rng.normal(size=n)
    e = rng.normal(size=n)
    frame = pd.DataFrame({"y_true": y, "new": y + 1.05 * e, "old": y + e})
    r = compare_models(
        frame, baseline_pred=["old"], pred=["new"], losses=["mse"],
        gates=parse_gates(max_increase=["mse=1%"]),
    )  # fmt: skip
    assert not r.passed
    message = r.result.gates[0].message
    assert message.startswith("mse ") and "→" in message and "95% CI" in message
    assert "worse than allowed (+1%" in message and "n=5000" in message
    assert r.gates[0].rule == "interval" and r.gates[0].p_value < 0.025


def test_min_decrease_passes_only_a_model_shown_to_be_better():
    rng = np.random.default_rng(3)
    n = 5000
    y = rng.normal(size=n)
    e = rng.normal(size=n)
    frame = pd.DataFrame({"y_true": y, "better": y + 0.9 * e, "same": y + e, "old": y + e})
    gates = parse_gates(min_decrease=["mse=5%"])
    better = compare_models(frame, baseline_pred=["old"], pred=["better"], gates=gates)
    same = compare_models(frame, baseline_pred=["old"], pred=["same"], gates=gates)
    assert better.passed and not same.passed
    assert "not shown to be better" in same.result.gates[-1].message


def test_holm_is_applied_across_losses_and_groups_and_said():
    new, old = frames(n=2000, shift=0.0)
    r = compare_models(
        new, old, keys=["id"], by=["region"], losses=["mse", "mae"],
        gates=parse_gates(max_increase=["mse=50%", "mae=50%"]),
    )  # fmt: skip
    assert len(r.gates) == 6 and r.settings["multiplicity"] == "holm"
    assert sorted(g.alpha for g in r.gates) == pytest.approx([0.025 / k for k in range(6, 0, -1)])
    assert r.settings["replicates"] >= 5 * 6 / 0.025  # Holm's smallest level stays resolvable
    assert "Holm over 6 gates" in r.result.gates[0].message


def test_too_few_rows_are_not_judged_and_the_gate_fails():
    y = np.arange(20, dtype=float)
    frame = pd.DataFrame({"y_true": y, "new": y + 1.0, "old": y + 1.0})
    r = compare_models(
        frame, baseline_pred=["old"], pred=["new"], losses=["mse"],
        gates=parse_gates(max_increase=["mse=1%"]),
    )  # fmt: skip
    assert not r.passed and r.result.gates[0].status == "error"
    assert "below 30" in r.result.gates[0].message
    assert r.difference("mse").verdict == "too few rows"
    assert any("fewer than 300 rows" in w for w in r.result.warnings)


def test_a_relative_gate_on_a_zero_baseline_fails():
    y = np.arange(100, dtype=float)
    frame = pd.DataFrame({"y_true": y, "new": y + 0.1, "old": y})
    r = compare_models(
        frame, baseline_pred=["old"], pred=["new"], losses=["mae"], bootstrap=0,
        gates=parse_gates(max_increase=["mae=5%"]),
    )  # fmt: skip
    assert not r.passed and "relative change is undefined" in r.result.gates[0].message


def test_too_few_replicates_for_the_gates_are_refused():
    new, old = frames()
    with pytest.raises(UsageError, match="--bootstrap 100 cannot fail any of 4 gates"):
        compare_models(
            new, old, keys=["id"], losses=["mse", "mae", "rmse", "huber"], bootstrap=100,
            gates=parse_gates(max_increase=["mse=1%", "mae=1%", "rmse=1%", "huber=1%"]),
        )  # fmt: skip


def test_json_keeps_compute_fields_and_adds_the_comparison(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old)
    result = run(
        "compute", a, "--baseline", b, "--key", "id", "--loss", "mse", "--max-increase",
        "mse=50%", "--max", "mse=100", "--json", "--bootstrap", "300",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 2
    assert list(data) == [
        "schema_version", "tool", "inputs", "results", "comparison", "gates", "summary",
        "warnings", "passed",
    ]  # fmt: skip
    c = data["comparison"]
    assert set(c) == {
        "baseline", "matching", "method", "level", "replicates", "seed", "gate_on",
        "multiplicity", "min_rows", "differences", "gates",
    }  # fmt: skip
    assert c["baseline"]["files"] == [b] and c["replicates"] == 300
    assert set(c["matching"]) == {"method", "keys", "matched", "candidate_only", "baseline_only"}
    d = c["differences"][0]
    assert set(d) == {
        "label", "name", "params", "group", "rows", "weight_sum", "baseline", "candidate",
        "difference", "relative", "ci", "relative_ci", "normal_ci", "normal_relative_ci",
        "verdict",
    }  # fmt: skip
    assert set(c["gates"][0]) == {
        "gate", "kind", "loss", "group", "rule", "scale", "allowance", "p_value", "alpha",
        "status", "message",
    }  # fmt: skip
    assert [g["kind"] for g in data["gates"]] == ["max", "max_increase"]
    assert data["gates"][1]["baseline"] == d["baseline"]


def test_csv_and_markdown_and_table(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old)
    base = ["compute", a, "--baseline", b, "--key", "id", "--loss", "mse", "--by", "region"]
    csv_out = run(*base, "--format", "csv", "--bootstrap", "0")
    assert csv_out.exit_code == 0, csv_out.stderr
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("loss,name,params,region,rows,baseline,candidate,difference")
    assert len(lines) == 1 + 3
    md = run(*base, "--format", "markdown", "--max-increase", "mse=50%")
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith("### losscli: ✅ all 3 gates passed")
    assert "| loss | group | baseline | candidate | change | 95% CI | n | verdict |" in md.stdout
    assert "Holm-Bonferroni over 3 gates" in md.stdout
    table = run(*base)
    assert table.exit_code == 0 and "candidate against baseline" in table.stdout


def test_per_row_writes_both_losses_and_their_difference(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old)
    out = tmp_path / "rows.csv"
    result = run(
        "compute", a, "--baseline", b, "--key", "id", "--loss", "mae", "--per-row", str(out),
        "--bootstrap", "0",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = pd.read_csv(out)
    assert list(rows.columns) == ["row", "id", "mae_candidate", "mae_baseline", "mae_difference"]
    ref = new.merge(old, on="id", suffixes=("_c", "_b"))
    assert np.allclose(rows["mae_candidate"], np.abs(ref["y_pred_c"] - ref["y_true_c"]))
    assert np.allclose(rows["mae_baseline"], np.abs(ref["y_pred_b"] - ref["y_true_b"]))
    assert np.allclose(rows["mae_difference"], rows["mae_candidate"] - rows["mae_baseline"])


def test_a_json_baseline_keeps_working(tmp_path):
    new, _ = frames()
    a = tmp_path / "new.csv"
    new.to_csv(a, index=False)
    first = run("compute", str(a), "--loss", "mse", "--json")
    (tmp_path / "old.json").write_text(first.stdout)
    result = run(
        "compute", str(a), "--loss", "mse", "--baseline", str(tmp_path / "old.json"),
        "--max-increase", "mse=1%", "--min-decrease", "mse=0",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # the same model is not 1% better than itself: the point-estimate rule fails it
    result = run(
        "compute", str(a), "--loss", "mse", "--baseline", str(tmp_path / "old.json"),
        "--min-decrease", "mse=1%",
    )  # fmt: skip
    assert result.exit_code == 1 and "required -" in result.stderr
    assert parse_gates(min_decrease=["mse=1%"])[0].text == "--min-decrease mse=1%"


def test_classification_with_two_probability_columns_of_one_file(tmp_path):
    rng = np.random.default_rng(4)
    n = 1000
    z = rng.normal(0, 2, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
    frame = pd.DataFrame(
        {"y_true": y, "p_new": 1 / (1 + np.exp(-z)), "p_old": 1 / (1 + np.exp(-0.5 * z))}
    )
    r = losscli.compare_models(frame, baseline_pred=["p_old"], pred=["p_new"], losses=["bce"])
    p, q = frame["p_new"].clip(1e-7, 1 - 1e-7), frame["p_old"].clip(1e-7, 1 - 1e-7)
    bce = lambda p: -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))  # noqa: E731
    assert r.difference("bce").diff == pytest.approx(bce(p) - bce(q), rel=1e-9)
    assert r.difference("bce").verdict == "better"


def test_options_that_cannot_go_together_are_usage_errors(tmp_path):
    new, old = frames()
    a, b = save(tmp_path, new, old)
    result = run("compute", a, "--baseline", b, "--gate-on", "median")
    assert result.exit_code == 2 and "--gate-on" in result.stderr
    result = run("compute", a, "--baseline", b, "--key", "id", "--unmatched", "keep")
    assert result.exit_code == 2 and "--unmatched" in result.stderr


def test_paired_options_without_a_paired_baseline_are_refused(tmp_path):
    new, _ = frames()
    a = tmp_path / "new.csv"
    new.to_csv(a, index=False)
    result = run("compute", str(a), "--loss", "mse", "--gate-on", "estimate")
    assert result.exit_code == 2 and "--gate-on applies to a paired baseline" in result.stderr
    result = run("compute", str(a), "--baseline", str(a), "--dask", "threads")
    assert result.exit_code == 2 and "not available with --dask" in result.stderr


@pytest.mark.parametrize("kind", ["int", "sparse int", "float", "str", "two columns"])
def test_every_kind_of_key_matches_the_same_rows(kind):
    new, old = frames()
    old = old[old["id"] != 5].copy()
    new = new[new["id"] != 9].copy()
    for frame in (new, old):
        if kind == "str":
            frame["id"] = "row-" + frame["id"].astype(str)
        elif kind == "sparse int":  # too sparse for a lookup table: sorted and searched
            frame["id"] = frame["id"] * 1_000_003
        elif kind == "float":
            frame["id"] = frame["id"] + 0.5
        frame["part"] = frame["id"].astype(str).str[-1]
    keys = ["id", "part"] if kind == "two columns" else ["id"]
    with pytest.raises(InputError, match="1 candidate rows have no baseline row and 1 baseline"):
        compare_models(new, old, keys=keys, losses=["mae"], bootstrap=0)
    r = compare_models(new, old, keys=keys, losses=["mae"], bootstrap=0, unmatched="drop")
    joined = new.merge(old, on="id", suffixes=("_c", "_b"))
    reference = np.mean(np.abs(joined["y_pred_c"] - joined["y_true_c"])) - np.mean(
        np.abs(joined["y_pred_b"] - joined["y_true_b"])
    )
    assert r.matching["matched"] == len(joined) == 598
    assert r.difference("mae").diff == pytest.approx(reference, rel=1e-12)


def _paired_per_row(tmp_path, out: str, *extra: str):
    new, old = frames(n=200)
    a, b = save(tmp_path, new, old)
    args = ["compute", a, "--baseline", b, "--key", "id", "--loss", "mae", "--bootstrap", "0"]
    return new, old, a, b, run(*args, "--per-row", out, *extra)


def test_paired_per_row_gz_is_gzip_compressed(tmp_path):
    import gzip

    out = tmp_path / "rows.csv.gz"
    new, _, _, _, result = _paired_per_row(tmp_path, str(out))
    assert result.exit_code == 0, result.stderr
    with gzip.open(out, "rt") as handle:
        rows = pd.read_csv(handle)
    assert len(rows) == len(new)
    assert list(rows.columns)[:2] == ["row", "id"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("where", ["missing/dir", "readonly"])
def test_paired_per_row_unwritable_is_one_line_exit_2(tmp_path, where):
    import os

    if where == "readonly":
        if os.geteuid() == 0:
            pytest.skip("root writes to read-only directories")
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
        out = target / "rows.csv"
    else:  # a parent that is a regular file: no directory can be made there
        (tmp_path / "missing").write_text("a file, not a directory\n")
        out = tmp_path / where / "rows.csv"
    try:
        *_, result = _paired_per_row(tmp_path, str(out))
    finally:
        if where == "readonly":
            (tmp_path / "ro").chmod(0o700)
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0] and str(out) in lines[0]
    assert "Traceback" not in result.stderr


def test_paired_per_row_refuses_to_overwrite_an_input(tmp_path):
    new, old = frames(n=200)
    a, b = save(tmp_path, new, old)
    from pathlib import Path

    before = Path(b).read_text()
    result = run(
        "compute", a, "--baseline", b, "--key", "id", "--loss", "mae", "--bootstrap", "0",
        "--per-row", b,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "input file" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert Path(b).read_text() == before


def test_paired_per_row_library_refuses_the_baseline_file(tmp_path):
    new, old = frames(n=200)
    a, b = save(tmp_path, new, old)
    with pytest.raises(UsageError, match="input file"):
        compare_models(a, b, keys=["id"], losses=["mae"], bootstrap=0, per_row=b)


def test_paired_bootstrap_draws_each_rows_counts_once(monkeypatch):
    """Both engines get the same rows' Poisson counts from one draw; the intervals are the ones
    two engines drawing for themselves give, bit for bit."""
    import losscli.bootstrap as bootstrap
    import losscli.paired.compare as paired_compare

    new, old = frames(n=3000)
    options = {"keys": ["id"], "losses": ["mse", "mae"], "by": ["region"], "bootstrap": 300}

    def intervals(r):
        return [(d.label, str(d.group), d.ci, d.diff) for d in r.differences]

    calls: list[tuple] = []
    draw = bootstrap.poisson_weights

    def counting(*args):
        calls.append(args[1:])
        return draw(*args)

    monkeypatch.setattr(bootstrap, "poisson_weights", counting)
    shared = compare_models(new, old, **options)
    assert calls and len(calls) == len(set(calls))  # no row range drawn twice
    once = len(calls)

    class Apart:  # each engine draws for itself, as two separate runs would
        def __init__(self, users: int) -> None:
            pass

        def __call__(self, *args):
            return bootstrap.poisson_weights(*args)

    monkeypatch.setattr(paired_compare, "SharedDraws", Apart)
    calls.clear()
    apart = compare_models(new, old, **options)
    assert len(calls) == 2 * once
    assert intervals(shared) == intervals(apart)
    assert [r.ci for r in shared.baseline] == [r.ci for r in apart.baseline]


def test_paired_baseline_takes_classes(tmp_path):
    """--classes reaches both sides of a paired comparison (it was dropped: exit 2 asking for
    the very option that was given)."""
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(4)
    names = ["a", "b", "c"]
    y = rng.choice(names, 300)
    p_new, p_old = rng.dirichlet(np.ones(3), 300), rng.dirichlet(np.ones(3), 300)
    for name, p in (("new", p_new), ("old", p_old)):
        frame = pd.DataFrame(
            {"id": np.arange(300), "y": y, **{f"p_{i}": p[:, i] for i in range(3)}}
        )
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    result = run(
        "compute", str(tmp_path / "new.csv"), "--baseline", str(tmp_path / "old.csv"),
        "--key", "id", "--true", "y", "--classes", "a,b,c", "--loss", "cross_entropy",
        "--bootstrap", "0", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["inputs"]["classes"] == names
    r = compare_models(
        str(tmp_path / "new.csv"), str(tmp_path / "old.csv"), keys=["id"], true=["y"],
        classes=names, losses=["cross_entropy"], bootstrap=0,
    )  # fmt: skip
    expected = log_loss(y, p_new, labels=names) - log_loss(y, p_old, labels=names)
    assert r.difference("cross_entropy").diff == pytest.approx(expected, rel=1e-9)


def test_a_key_join_does_not_import_pandas(tmp_path):
    """Matching keys stays on numpy and Arrow buffers: pandas costs about a second of start-up
    that two separate runs do not pay."""
    import subprocess
    import sys

    new, old = frames(n=500)
    a, b = save(tmp_path, new, old, "parquet")
    program = (
        "import sys\n"
        "from losscli.paired import compare_models\n"
        f"r = compare_models({a!r}, {b!r}, keys=['id'], losses=['mse'], bootstrap=20)\n"
        "assert r.matching['method'] == 'key', r.matching\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_baseline_pred_from_the_cli_compares_two_columns_of_one_file(tmp_path):
    rng = np.random.default_rng(3)
    y = rng.normal(size=500)
    frame = pd.DataFrame(
        {"y_true": y, "new": y + rng.normal(size=500) * 0.5, "old": y + rng.normal(size=500)}
    )
    path = tmp_path / "two.csv"
    frame.to_csv(path, index=False)
    done = run("compute", str(path), "--pred", "new", "--baseline-pred", "old", "--loss", "mae",
               "--bootstrap", "0", "--json")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    (diff,) = json.loads(done.stdout)["comparison"]["differences"]
    new, old = np.mean(np.abs(frame.new - y)), np.mean(np.abs(frame.old - y))
    assert diff["candidate"] == pytest.approx(new, rel=1e-12)
    assert diff["baseline"] == pytest.approx(old, rel=1e-12)
    missing = run("compute", str(path), "--pred", "new", "--baseline-pred", "nope")
    assert missing.exit_code == 2 and "nope" in missing.stderr
