"""compute on Dask: the same numbers as a local run, from partial sums merged across tasks."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import losscli
from losscli.cli import app
from losscli.errors import InputError, UsageError
from losscli.evaluate import compute_dask
from losscli.gates import parse_gates
from tests.conftest import write

dask = pytest.importorskip("dask")


@pytest.fixture
def hive(tmp_path, regression_df):
    """A hive-partitioned data set: region=.../part-N.parquet, two files per region."""
    root = tmp_path / "ds"
    for region, part in regression_df.groupby("region"):
        folder = root / f"region={region}"
        folder.mkdir(parents=True)
        half = len(part) // 2
        part.iloc[:half].drop(columns="region").to_parquet(folder / "part-0.parquet")
        part.iloc[half:].drop(columns="region").to_parquet(folder / "part-1.parquet")
    return root


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_dask_equals_local(hive, scheduler):
    options = {"losses": ["mse", "huber", "rmse"], "weight": "w", "by": ["region"]}
    local = losscli.compute(str(hive), **options)
    remote = losscli.compute(str(hive), dask=scheduler, **options)
    assert remote.inputs["dask"] == {"tasks": 6, "scheduler": scheduler}
    assert remote.inputs["rows"] == local.inputs["rows"]
    for a, b in zip(local.results, remote.results, strict=True):
        assert (a.label, a.group, a.rows) == (b.label, b.group, b.rows)
        assert b.value == pytest.approx(a.value, rel=1e-13)


def test_dask_gates_and_bootstrap_are_deterministic(hive):
    gates = parse_gates(["mse=1e-9"])
    a = compute_dask(str(hive), losses=["mse"], bootstrap=50, seed=1, gates=gates)
    b = compute_dask(str(hive), losses=["mse"], bootstrap=50, seed=1)
    assert a.get("mse").ci == b.get("mse").ci
    low, high = a.get("mse").ci
    assert low < a.value("mse") < high
    assert not a.passed and a.gates[0].status == "fail"


def test_dask_names_the_file_and_row_of_bad_data(tmp_path, regression_df):
    good = write(regression_df, tmp_path / "a.parquet")
    bad = regression_df.copy()
    bad.loc[17, "y_pred"] = float("nan")
    broken = write(bad, tmp_path / "b.parquet")
    with pytest.raises(InputError) as err:
        compute_dask([str(good), str(broken)], scheduler="sync")
    assert (err.value.file, err.value.column, err.value.row) == (str(broken), "y_pred", 18)


def test_dask_reads_parquet_only(tmp_path, regression_df):
    path = write(regression_df, tmp_path / "a.csv")
    with pytest.raises(UsageError, match="--dask reads Parquet"):
        compute_dask(str(path))


def test_cli_dask(hive):
    runner = CliRunner()
    result = runner.invoke(
        app, ["compute", str(hive), "--dask", "threads", "--by", "region", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["inputs"]["dask"]["tasks"] == 6
    local = json.loads(
        runner.invoke(app, ["compute", str(hive), "--by", "region", "--json"]).stdout
    )
    assert [r["value"] for r in data["results"]] == pytest.approx(
        [r["value"] for r in local["results"]], rel=1e-13
    )
    per_row = runner.invoke(app, ["compute", str(hive), "--dask", "sync", "--per-row", "x.csv"])
    assert per_row.exit_code == 2 and "--per-row is not available with --dask" in per_row.stderr


def test_compute_dask_is_compute_with_dask(hive):
    options = {"losses": ["mse"], "by": ["region"], "bootstrap": 20, "seed": 2}
    one = compute_dask(str(hive), scheduler="sync", **options)
    other = losscli.compute(str(hive), dask="sync", **options)
    assert [(r.value, r.ci) for r in one.results] == [(r.value, r.ci) for r in other.results]


@pytest.mark.parametrize(
    ("data", "options", "message"),
    [
        ("-", {}, "--dask cannot read stdin"),
        (None, {"per_row": "rows.csv"}, "--per-row is not available with --dask"),
        (None, {"per_label": True}, "--per-label is not available with --dask"),
        (None, {"input_format": "csv"}, "--dask reads Parquet"),
    ],
)
def test_compute_refuses_what_dask_cannot_do(hive, tmp_path, data, options, message):
    with pytest.raises(UsageError, match=message):
        losscli.compute(str(hive) if data is None else data, dask="sync", **options)
    assert not (tmp_path / "rows.csv").exists()


def test_frame_input_is_refused(regression_df):
    with pytest.raises(UsageError):
        compute_dask(pd.DataFrame(regression_df))


def test_timeout_and_scheduler_values_are_checked(hive):
    runner = CliRunner()
    bad = runner.invoke(app, ["compute", str(hive), "--dask", "thread"])
    assert bad.exit_code == 2 and "'thread' is not a scheduler" in bad.stderr
    zero = runner.invoke(app, ["compute", str(hive), "--dask", "sync", "--timeout", "0"])
    assert zero.exit_code == 2 and "--timeout must be > 0" in zero.stderr
    help_text = runner.invoke(app, ["compute", "--help"]).stdout
    assert "--timeout" in help_text


def test_partition_types_are_decided_once_with_threads(tmp_path):
    from tests.objectstore import store_dataset

    root = str(store_dataset(tmp_path / "preds"))
    local = losscli.compute(root, losses=["mse"], by=["store"])
    remote = compute_dask(root, scheduler="threads", losses=["mse"], by=["store"])
    assert [r.group for r in remote.results] == [r.group for r in local.results]
    assert len(remote.results) == 4  # overall, '007', '7', 'abc'
