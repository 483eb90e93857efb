"""The seeded row sample behind `compare` and `recommend --from` on large inputs
(`losscli.sampling`), and the sampled study against the study of every row."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import losscli
from losscli.advice import recommend_from
from losscli.cli import app
from losscli.columns import Arrays
from losscli.errors import UsageError
from losscli.read import batches as read_batches
from losscli.sampling import RowSample, row_keys, standard_error, stream_number
from losscli.sensitivity import compare

ROWS = 30_000
LIMIT = 4_000


def _frame(n: int = ROWS, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Regression data with heavy tails: normal residuals, 2% of rows off by N(0, 30)."""
    rng = np.random.default_rng(seed)
    y = rng.normal(5.0, 2.0, n)
    r = rng.normal(0.0, 1.0, n)
    gross = rng.choice(n, n // 50, replace=False)
    r[gross] = rng.normal(0.0, 30.0, gross.size)
    return y, y + r


def _parquet(path, columns: dict[str, np.ndarray], row_group: int = 5000) -> str:
    pq.write_table(pa.table(columns), path, row_group_size=row_group)
    return str(path)


def _reference_sample(n: int, limit: int, seed: int, label: str) -> np.ndarray:
    """Plain NumPy: the row numbers whose keys are the `limit` smallest, in file order."""
    keys = row_keys(seed, stream_number(label), np.arange(n))
    return np.sort(np.argsort(keys, kind="stable")[:limit])


# ---------------------------------------------------------------------------------------------
# The sample itself


def test_row_keys_depend_on_seed_stream_and_row_only():
    keys = row_keys(4, 99, np.arange(1000))
    assert len(np.unique(keys)) == 1000
    np.testing.assert_array_equal(row_keys(4, 99, np.arange(500, 1000)), keys[500:])
    assert not np.array_equal(row_keys(5, 99, np.arange(1000)), keys)
    assert not np.array_equal(row_keys(4, 98, np.arange(1000)), keys)
    # close to uniform: each tenth of the key range holds a tenth of the rows
    tenth = np.uint64(2**64 // 10 + 1)
    counts = np.bincount((row_keys(0, 1, np.arange(100_000)) // tenth).astype(int), minlength=10)
    assert counts.size == 10 and counts.min() > 9_500 and counts.max() < 10_500


@pytest.mark.parametrize("expected", [None, ROWS])
@pytest.mark.parametrize("batch", [997, 4000, 12_345, ROWS])
def test_sample_is_the_smallest_keys_whatever_the_batches(batch, expected):
    """Also when the row count is known up front and sets the bar on keys from the start."""
    n, limit = ROWS, LIMIT
    values = np.arange(n, dtype=np.float64)
    sample = RowSample(limit, 7, np.concatenate, expected_rows=expected)
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        part = values[start:stop]
        sample.add(Arrays(part, part * 2, None, None, stop - start, 0), "data.parquet", start)
    y, pred, w, keys, info = sample.finish()
    expected = _reference_sample(n, limit, 7, "data.parquet")
    np.testing.assert_array_equal(y, expected.astype(np.float64))
    np.testing.assert_array_equal(pred, 2 * y)
    assert w is None and info is not None and (info.rows, info.of, info.seed) == (limit, n, 7)
    np.testing.assert_array_equal(keys, row_keys(7, stream_number("data.parquet"), expected))


def test_small_input_is_held_whole_in_order():
    sample = RowSample(LIMIT, 0, np.concatenate)
    values = np.arange(LIMIT, dtype=np.float64)
    for start in range(0, LIMIT, 1000):
        part = values[start : start + 1000]
        sample.add(Arrays(part, part, part, None, part.size, 0), "f", start)
    y, pred, w, keys, info = sample.finish()
    np.testing.assert_array_equal(pred, values)
    np.testing.assert_array_equal(y, values)
    np.testing.assert_array_equal(w, values)
    assert keys is None and info is None


def test_dropped_rows_keep_their_row_numbers():
    """A row's key is its row number in the file, dropped rows counted: dropping other rows
    does not move it in or out of the sample."""
    n = 10_000
    keep = np.ones(n, dtype=bool)
    keep[::3] = False
    values = np.arange(n, dtype=np.float64)
    sample = RowSample(1000, 0, np.concatenate)
    for start in range(0, n, 2500):
        mask = keep[start : start + 2500]
        part = values[start : start + 2500][mask]
        sample.add(Arrays(part, part, None, mask, 2500, int((~mask).sum())), "f", start)
    y, *_ = sample.finish()
    keys = row_keys(0, stream_number("f"), np.flatnonzero(keep))
    expected = np.sort(np.flatnonzero(keep)[np.argsort(keys)[:1000]])
    np.testing.assert_array_equal(y, expected.astype(np.float64))


def test_prior_bar_holds_few_more_rows_than_the_sample():
    from losscli.sampling import prior_bar

    keys = row_keys(0, 3, np.arange(1_000_000))
    passing = int(np.count_nonzero(keys <= prior_bar(10_000, 1_000_000)))
    assert 10_000 <= passing < 10_000 + 16 * 100


def test_standard_error_from_subsamples():
    from losscli.sampling import SampleInfo

    info = SampleInfo(rows=1000, of=4000, seed=0, groups=4)
    values = [1.0, 2.0, 3.0, 4.0]
    expected = np.std(values, ddof=1) / 2 * math.sqrt(1 - 1000 / 4000)
    assert standard_error(values, info) == pytest.approx(expected, rel=1e-15)
    assert standard_error([1.0, None, 2.0, 3.0], info) is None
    assert standard_error([1.0, math.inf, 2.0, 3.0], info) is None


# ---------------------------------------------------------------------------------------------
# compare on a sample


@pytest.fixture
def heavy(tmp_path):
    y, p = _frame()
    return _parquet(tmp_path / "heavy.parquet", {"y_true": y, "y_pred": p})


LOSSES = ["mse", "mae", "huber", "log_cosh"]


def test_compare_on_a_sample_keeps_exact_values_equal_to_compute(heavy):
    sampled = compare(heavy, losses=LOSSES, sample_rows=LIMIT)
    computed = losscli.compute(heavy, losses=LOSSES)
    assert sampled.sample is not None and sampled.sample.rows == LIMIT
    assert sampled.rows == ROWS
    for f in sampled.figures:
        assert f.value == computed.value(f.label)
    y, p = _frame()
    assert {f.label: f.value for f in sampled.figures}["mse"] == pytest.approx(
        float(np.mean((p - y) ** 2)), rel=1e-12
    )


def test_compare_on_a_sample_agrees_with_every_row_within_its_precision(heavy):
    sampled = compare(heavy, losses=LOSSES, sample_rows=LIMIT)
    exact = {f.label: f for f in compare(heavy, losses=LOSSES, sample_rows=0).figures}
    checked = 0
    for f in sampled.figures:
        assert f.se is not None
        for name in ("top_share", "inflation", "contamination_ratio"):
            se = f.se[name]
            assert se is not None and se > 0
            assert abs(getattr(f, name) - getattr(exact[f.label], name)) <= 4 * se, (f, name)
            checked += 1
    assert checked == 3 * len(LOSSES)
    evidence, errors = sampled.verdict.evidence, sampled.verdict.evidence_se
    assert errors is not None and errors["top_share_squared_error"] > 0
    whole = compare(heavy, losses=LOSSES, sample_rows=0).verdict.evidence
    share = evidence["top_share_squared_error"]
    assert abs(share - whole["top_share_squared_error"]) <= 4 * errors["top_share_squared_error"]
    assert sampled.verdict.heavy_tails and sampled.verdict.suggested.name == "huber"


def test_compare_on_a_sample_does_not_depend_on_the_batches(tmp_path, monkeypatch):
    y, p = _frame()
    one = _parquet(tmp_path / "a.parquet", {"y_true": y, "y_pred": p}, row_group=ROWS)
    first = compare(one, losses=LOSSES, sample_rows=LIMIT).to_dict()
    monkeypatch.setattr(read_batches, "batch_rows", lambda columns: 1111)
    again = compare(one, losses=LOSSES, sample_rows=LIMIT).to_dict()
    for a, b in zip(first["ranking"], again["ranking"], strict=True):
        assert a["label"] == b["label"]
        for name in ("top_share", "inflation", "contamination_ratio"):
            assert a[name] == b[name] and a["se"][name] == b["se"][name]
        assert a["value"] == pytest.approx(b["value"], rel=1e-12)  # summed in other batches
    assert first["verdict"]["evidence"] == again["verdict"]["evidence"]


def test_compare_sample_is_reproducible_for_a_seed_and_moves_with_it(heavy):
    a = compare(heavy, losses=LOSSES, sample_rows=LIMIT, seed=1).to_dict()
    b = compare(heavy, losses=LOSSES, sample_rows=LIMIT, seed=1).to_dict()
    c = compare(heavy, losses=LOSSES, sample_rows=LIMIT, seed=2).to_dict()
    assert a == b
    assert a["ranking"][0]["top_share"] != c["ranking"][0]["top_share"]
    assert a["data"]["sample"]["rows"] == LIMIT and a["data"]["sample"]["of"] == ROWS


def test_compare_below_the_limit_is_unchanged(heavy):
    held = compare(heavy, losses=LOSSES, sample_rows=ROWS).to_dict()
    every = compare(heavy, losses=LOSSES, sample_rows=0).to_dict()
    assert held == every
    assert "sample" not in held["data"] and "se" not in held["ranking"][0]
    assert "evidence_se" not in held["verdict"]


def test_compare_sampled_binary_values_and_skips_come_from_every_row(tmp_path):
    rng = np.random.default_rng(5)
    n = 20_000
    y = rng.integers(0, 2, n).astype(np.float64)
    u = 0.05 * rng.random(n)
    p = np.where(y == 1, 0.999 - u, 0.001 + u)  # confident...
    flipped = rng.choice(n, n // 50, replace=False)
    y[flipped] = 1.0 - y[flipped]  # ...and 2% of them wrong
    path = _parquet(tmp_path / "b.parquet", {"y_true": y, "y_pred": p})
    sampled = compare(path, sample_rows=2000)
    computed = losscli.compute(path, losses=[f.label for f in sampled.figures])
    for f in sampled.figures:
        assert f.value == computed.value(f.label)
    exact = compare(path, sample_rows=0)
    assert {name for name, _ in sampled.skipped} == {name for name, _ in exact.skipped}
    assert sampled.verdict.evidence_se is not None
    # the confident mistakes are counted over every row
    for name in ("confident_mistakes", "expected_confident_mistakes"):
        assert sampled.verdict.evidence[name] == pytest.approx(
            exact.verdict.evidence[name], rel=1e-12
        )
    assert sampled.verdict.evidence["confident_mistakes"] > 20
    assert sampled.verdict.heavy_tails and sampled.verdict.suggested.name == "brier"


def test_compare_sampled_domain_error_names_the_row_of_the_file(tmp_path):
    y, p = _frame(n=10_000)
    p = np.abs(p)
    p[7777] = -3.0
    path = _parquet(tmp_path / "neg.parquet", {"y_true": np.abs(y), "y_pred": p})
    from losscli.errors import InputError

    with pytest.raises(InputError) as raised:
        compare(path, losses=["msle"], sample_rows=1000)
    assert raised.value.row == 7778
    skipped = dict(compare(path, sample_rows=1000).skipped)
    assert "row 7778" in skipped["msle"]


def test_sample_rows_is_checked():
    with pytest.raises(UsageError, match="--sample-rows"):
        compare(None, sample_rows=50)


# ---------------------------------------------------------------------------------------------
# recommend --from on a sample


def test_recommend_from_a_sample_measures_tails_with_errors_and_counts_every_row(tmp_path):
    y, p = _frame()
    y = np.round(np.abs(y))  # non-negative integer targets...
    sample_rows = np.flatnonzero(
        np.isin(np.arange(ROWS), _reference_sample(ROWS, LIMIT, 0, str(tmp_path / "r.parquet")))
    )
    outside = int(np.setdiff1d(np.arange(ROWS), sample_rows)[0])
    y[outside] = 0.5  # ...but one, which the sample does not hold
    path = _parquet(tmp_path / "r.parquet", {"y_true": y, "y_pred": y + (p - np.round(p))})
    rec = recommend_from(path, sample_rows=LIMIT)
    m = rec.measurements
    assert m is not None and m["rows"] == ROWS and m["sample"]["rows"] == LIMIT
    assert m["targets_nonnegative"] is True and m["targets_integer"] is False
    assert set(m["se"]) == {"top_share", "excess_kurtosis", "robust_scale", "huber_delta"}
    exact = recommend_from(path, sample_rows=0).measurements
    assert exact is not None and "sample" not in exact
    assert abs(m["top_share"] - exact["top_share"]) <= 4 * m["se"]["top_share"]
    assert abs(m["robust_scale"] - exact["robust_scale"]) <= 4 * m["se"]["robust_scale"]
    assert "sample of 4,000 of 30,000 rows" in m["summary"]


def test_recommend_from_a_sample_takes_class_shares_from_every_row(tmp_path):
    rng = np.random.default_rng(2)
    n = 20_000
    y = (rng.random(n) < 0.03).astype(np.float64)
    p = np.clip(0.5 * y + 0.4 * rng.random(n), 0.0, 1.0)
    path = _parquet(tmp_path / "c.parquet", {"y_true": y, "y_pred": p})
    sampled = recommend_from(path, sample_rows=2000).measurements
    exact = recommend_from(path, sample_rows=0).measurements
    assert sampled is not None and exact is not None
    assert sampled["class_shares"] == pytest.approx(exact["class_shares"], rel=1e-12)
    assert sampled["rows"] == n and sampled["imbalanced"] == exact["imbalanced"]


# ---------------------------------------------------------------------------------------------
# The options


def test_cli_reports_the_sample_in_json_and_table(heavy):
    runner = CliRunner()
    result = runner.invoke(
        app, ["compare", heavy, "--loss", "mse,mae", "--sample-rows", "4000", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["data"]["sample"]["rows"] == 4000 and data["data"]["rows"] == ROWS
    assert set(data["ranking"][0]["se"]) == {"top_share", "inflation", "contamination_ratio"}
    table = runner.invoke(app, ["compare", heavy, "--loss", "mse,mae", "--sample-rows", "4000"])
    assert table.exit_code == 0 and "sample of 4,000 of" in " ".join(table.stdout.split())
    assert "±" in table.stdout
    bad = runner.invoke(app, ["compare", heavy, "--sample-rows", "10"])
    assert bad.exit_code == 2 and "--sample-rows" in bad.stderr


def test_cli_recommend_seed_and_sample_rows_need_from():
    runner = CliRunner()
    result = runner.invoke(
        app, ["recommend", "--task", "binary", "--activation", "sigmoid", "--seed", "3"]
    )
    assert result.exit_code == 2 and "--seed" in result.stderr


def test_compare_sampled_overflow_names_the_row_of_the_file(tmp_path):
    from losscli.errors import InputError

    y, p = _frame(n=10_000)
    p[6543] = 1e200
    path = _parquet(tmp_path / "wild.parquet", {"y_true": y, "y_pred": p})
    with pytest.raises(InputError, match="overflow") as raised:
        compare(path, losses=["mse"], sample_rows=1000)
    assert raised.value.row == 6544 and raised.value.file == path


def test_cli_recommend_from_reports_the_sample(heavy):
    runner = CliRunner()
    result = runner.invoke(
        app, ["recommend", "--from", heavy, "--sample-rows", "4000", "--seed", "2", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    measured = json.loads(result.stdout)["measurements"]
    assert measured["rows"] == ROWS and measured["sample"] == {
        **measured["sample"],
        "rows": 4000,
        "of": ROWS,
        "seed": 2,
    }
    assert measured["se"]["top_share"] > 0
    table = runner.invoke(app, ["recommend", "--from", heavy, "--sample-rows", "4000"])
    assert table.exit_code == 0 and "sample of 4,000 of" in " ".join(table.stdout.split())


@pytest.mark.parametrize("sample_rows", [0, LIMIT])
def test_recommend_from_refuses_residuals_whose_squares_overflow(tmp_path, sample_rows):
    """As compare refuses them, every row or a sample: a residual of 1e200 is no case for mse
    (its squared error is infinite), and JSON has no NaN to carry the top share."""
    y, pred = _frame(ROWS)
    pred[ROWS - 7] = 1e200
    path = _parquet(tmp_path / "far.parquet", {"y_true": y, "y_pred": pred})
    with pytest.raises(losscli.InputError, match="squared residuals overflow") as caught:
        recommend_from(path, sample_rows=sample_rows)
    assert caught.value.row == ROWS - 6
    out = CliRunner().invoke(
        app, ["recommend", "--from", path, "--json", "--sample-rows", str(sample_rows)]
    )
    assert out.exit_code == 2 and f"row {ROWS - 6}:" in out.stderr


def test_compare_sampled_skip_reasons_do_not_depend_on_the_batches(tmp_path):
    """The first row a loss's domain refuses, whichever column holds it: the same reason
    whether the file is read in one batch or row group by row group."""
    y, pred = _frame(ROWS)
    y, pred = np.abs(y), np.abs(pred)
    pred[1234], y[1235] = -2.0, -2.0
    reasons = []
    for group in (ROWS, 1_000):
        path = _parquet(tmp_path / f"rows{group}.parquet", {"y_true": y, "y_pred": pred}, group)
        skipped = dict(compare(path, sample_rows=LIMIT).skipped)
        reasons.append(skipped["msle"].replace(path, "FILE"))
    assert reasons[0] == reasons[1] and "column 'y_pred', row 1235" in reasons[0]
