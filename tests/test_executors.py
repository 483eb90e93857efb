"""The executors: one interface, the same numbers here and on Dask, options checked once."""

from __future__ import annotations

import pytest

from losscli.errors import UsageError
from losscli.evaluate import compute, plan_specs, run_plan
from losscli.executors import ComputeOptions, Counts, LocalExecutor, Run
from losscli.pipeline import make_plan
from tests.conftest import write


@pytest.fixture
def two_files(tmp_path, regression_df):
    half = len(regression_df) // 2
    a = write(regression_df.iloc[:half], tmp_path / "a.parquet")
    b = write(regression_df.iloc[half:], tmp_path / "b.parquet")
    return [str(a), str(b)]


def test_options_are_checked_when_built():
    with pytest.raises(UsageError, match="--reduction"):
        ComputeOptions(reduction="median")
    with pytest.raises(UsageError, match="--ci"):
        ComputeOptions(ci=1.0)
    assert ComputeOptions(losses=("mse",)) == ComputeOptions(losses=("mse",))


def test_counts_add():
    assert Counts(3, 1, 0) + Counts(2, 0, 4) == Counts(5, 1, 4)


def test_local_executor_runs_a_plan(two_files):
    plan = make_plan(two_files, by=["region"], keys=[])
    options = ComputeOptions(losses=("mse", "mae"))
    specs = plan_specs(plan, options.losses, options.gates)
    run = LocalExecutor().run(plan, specs, options)
    assert isinstance(run, Run) and run.files == two_files and run.about == {}
    assert run.counts == Counts(500, 0, 0)
    assert set(run.engine.overall) == {"mse", "mae"}


def test_any_executor_behind_the_interface(two_files):
    seen = []

    class Recording(LocalExecutor):
        def run(self, plan, specs, options):
            seen.append([s.label for s in specs])
            out = super().run(plan, specs, options)
            return Run(out.engine, out.counts, out.files, {"executor": "recording"})

    plan = make_plan(two_files, keys=[])
    result = run_plan(plan, ComputeOptions(losses=("mse",)), Recording())
    assert seen == [["mse"]] and result.inputs["executor"] == "recording"
    assert result.value("mse") == compute(two_files, losses=["mse"]).value("mse")


def test_dask_executor_equals_local(two_files):
    pytest.importorskip("dask")
    from losscli.dask_executor import DaskExecutor

    options = ComputeOptions(losses=("mse", "huber"))
    here = run_plan(make_plan(two_files, by=["region"], keys=[]), options, LocalExecutor())
    there = run_plan(make_plan(two_files, by=["region"], keys=[]), options, DaskExecutor("sync"))
    assert there.inputs["dask"] == {"tasks": 2, "scheduler": "sync"}
    assert there.inputs["rows"] == here.inputs["rows"]
    assert [(r.label, r.group, r.rows) for r in there.results] == [
        (r.label, r.group, r.rows) for r in here.results
    ]
    assert [r.value for r in there.results] == pytest.approx(
        [r.value for r in here.results], rel=1e-13
    )
