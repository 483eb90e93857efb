"""compute --dask on a real dask.distributed cluster (a scheduler and two worker processes on
loopback) and a real S3 server (moto, loopback): the numbered defects of the Dask path, equality
with a local run (values, groups, gates, bootstrap), a worker killed mid-run, workers without
losscli or at another version, and every connection error as exit 2."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import losscli
from losscli.cli import app
from losscli.dask_client import dask_errors
from losscli.errors import InputError, UsageError
from losscli.evaluate import compute_dask
from losscli.pipeline import make_plan
from losscli.read import datasets
from tests.objectstore import free_port, s3_server, store_dataset, upload

distributed = pytest.importorskip("distributed")
pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A data set on disk and on a local S3 server, and a cluster whose workers (started with
    the server's address in their environment) can read both."""
    from dask.distributed import Client, LocalCluster

    root = store_dataset(tmp_path_factory.mktemp("cluster") / "preds")
    with s3_server():
        upload(root, "bucket", "preds")
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            host="127.0.0.1",
        )
        client = Client(cluster)
        try:
            yield {
                "root": root,
                "uri": "s3://bucket/preds/",
                "address": cluster.scheduler_address,
                "client": client,
            }
        finally:
            client.close()
            cluster.close()


def _same(a, b, rel=1e-13):
    assert a.inputs["rows"] == b.inputs["rows"]
    assert [(r.label, r.group, r.rows) for r in a.results] == [
        (r.label, r.group, r.rows) for r in b.results
    ]
    for x, y in zip(a.results, b.results, strict=True):
        assert y.value == pytest.approx(x.value, rel=rel)
        assert (x.ci is None) == (y.ci is None)
        if x.ci is not None:
            assert y.ci == pytest.approx(x.ci, rel=1e-12)


def _cli(*args):
    return CliRunner().invoke(app, ["compute", *args])


# 1. partition types decided once by the client -------------------------------------------------


def test_partition_types_are_the_clients_three_stores_and_the_gate_fails(world):
    root, address = str(world["root"]), world["address"]
    local = losscli.compute(root, losses=["mse"], by=["store"])
    remote = compute_dask(root, scheduler=address, losses=["mse"], by=["store"])
    _same(local, remote)
    stores = {r.group["store"]: r.value for r in remote.results if r.group}
    assert set(stores) == {"007", "7", "abc"} and stores["007"] > 10 > stores["7"]
    gate = ["--loss", "mse", "--by", "store", "--max", "mse=10"]
    assert _cli(root, *gate).exit_code == 1
    assert _cli(root, *gate, "--dask", address).exit_code == 1
    assert _cli(root, *gate, "--dask", "threads").exit_code == 1


# 2. absolute paths, footers checked ------------------------------------------------------------


def test_relative_paths_are_made_absolute_on_the_client(world, monkeypatch):
    root = world["root"]
    monkeypatch.chdir(root.parent)
    local = losscli.compute("preds", losses=["mse"], by=["store"])
    remote = compute_dask("preds", scheduler=world["address"], losses=["mse"], by=["store"])
    _same(local, remote)
    assert all(os.path.isabs(f) for f in remote.inputs["files"])


def test_a_task_reading_other_rows_than_the_footer_fails(world, tmp_path):
    from losscli.dask_executor import FileTask, partial_sums
    from losscli.executors import ComputeOptions
    from losscli.losses import resolve_losses

    file = str(world["root"] / "store=7" / "part-0.parquet")
    plan = make_plan(file)
    specs = resolve_losses(["mse"], "regression")
    task = FileTask(file, None, rows=1_000_000, stream="x", start=0)
    with pytest.raises(InputError, match="footer said 1,000,000") as err:
        partial_sums(
            task,
            plan.read_columns,
            plan.columns,
            plan.layout,
            [(s.label, s.name, s.params) for s in specs],
            ComputeOptions(),
        )
    assert err.value.file == file


# 3. planning peeks at one file -----------------------------------------------------------------


def test_planning_opens_only_the_first_file(world, monkeypatch):
    opened = []
    original = datasets.open_parquet

    def spy(file):
        opened.append(file)
        return original(file)

    monkeypatch.setattr(datasets, "open_parquet", spy)
    plan = make_plan(str(world["root"]), by=["store"])
    next(plan.first)
    time.sleep(0.2)  # nothing reads on in the background
    assert opened == [str(world["root"] / "store=007" / "part-0.parquet")]


# 4. a glob keeps its partitions ----------------------------------------------------------------


def test_glob_keeps_hive_partitions_on_dask(world):
    pattern = str(world["root"] / "store=*" / "*.parquet")
    local = losscli.compute(pattern, losses=["mse"], by=["store"])
    remote = compute_dask(pattern, scheduler=world["address"], losses=["mse"], by=["store"])
    _same(local, remote)
    assert len([r for r in remote.results if r.group]) == 3


# 5. no hangs: timeouts and versions ------------------------------------------------------------


def test_nothing_listening_fails_within_the_timeout(world):
    start = time.monotonic()
    result = _cli(str(world["root"]), "--dask", f"tcp://127.0.0.1:{free_port()}", "--timeout", "2")
    assert result.exit_code == 2 and "no scheduler answered within 2 s" in result.stderr
    assert time.monotonic() - start < 20


def test_a_scheduler_without_workers_fails_within_the_timeout(world):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        result = _cli(str(world["root"]), "--dask", empty.scheduler_address, "--timeout", "1")
    assert result.exit_code == 2 and "no worker joined" in result.stderr


class HideLosscli(distributed.WorkerPlugin):
    """On each worker, losscli cannot be imported (as on a worker where it is not installed)."""

    name = "losscli-hidden"

    def setup(self, worker):
        self.saved = {k: v for k, v in sys.modules.items() if k.split(".")[0] == "losscli"}
        for key in self.saved:
            del sys.modules[key]
        sys.modules["losscli"] = None

    def teardown(self, worker):
        sys.modules.pop("losscli", None)
        sys.modules.update(self.saved)


class OtherVersion(distributed.WorkerPlugin):
    """On each worker, losscli reports another version."""

    name = "losscli-other-version"

    def setup(self, worker):
        import losscli as there

        self.saved = there.__version__
        there.__version__ = "0.0.1"

    def teardown(self, worker):
        import losscli as there

        there.__version__ = self.saved


@pytest.mark.parametrize(
    ("plugin", "message"),
    [(HideLosscli, "cannot import losscli"), (OtherVersion, "runs losscli 0.0.1")],
)
def test_workers_without_this_losscli_are_refused(world, plugin, message):
    client = world["client"]
    client.register_plugin(plugin())
    try:
        start = time.monotonic()
        result = _cli(str(world["root"]), "--dask", world["address"], "--timeout", "5")
    finally:
        client.unregister_worker_plugin(plugin.name)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "install losscli==" in result.stderr
    assert time.monotonic() - start < 30


# 6. Dask's errors as exit 2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduler", "message"),
    [("thread", "'thread' is not a scheduler"), ("tls://127.0.0.1:1", "tls:// needs")],
)
def test_bad_scheduler_values_are_exit_2(world, scheduler, message):
    result = _cli(str(world["root"]), "--dask", scheduler, "--timeout", "2")
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_killed_worker_names_the_file():
    from distributed.scheduler import KilledWorker

    with pytest.raises(InputError) as err, dask_errors({"losscli-/d/a.parquet": "/d/a.parquet"}):
        raise KilledWorker("losscli-/d/a.parquet", "tcp://127.0.0.1:1", 3)
    assert err.value.file == "/d/a.parquet" and "died" in err.value.message


def test_a_worker_killed_mid_run_changes_nothing(world, tmp_path):
    root = tmp_path / "big"
    rng = np.random.default_rng(1)
    for i in range(4):
        (root / f"part={i}").mkdir(parents=True)
        y = rng.normal(size=80_000)
        pq.write_table(
            pa.table({"y_true": y, "y_pred": y + rng.normal(size=y.size)}),
            root / f"part={i}" / "x.parquet",
        )
    options = {"losses": ["mse", "mae"], "bootstrap": 40, "seed": 2}
    local = losscli.compute(str(root), **options)
    client = world["client"]
    pids = client.run(os.getpid)
    out: dict = {}

    def run():
        try:
            out["result"] = compute_dask(str(root), scheduler=world["address"], **options)
        except (InputError, UsageError) as exc:  # exit 2 is allowed; a wrong number is not
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    busy: list = []
    while not busy and time.monotonic() < deadline:  # kill a worker while it runs a task
        busy = [
            w for w, keys in client.processing().items() if any("losscli-" in str(k) for k in keys)
        ]
        time.sleep(0.05)
    assert busy, "no task was seen running"
    os.kill(pids[busy[0]], signal.SIGKILL)
    thread.join(120)
    assert not thread.is_alive()
    if "result" in out:
        _same(local, out["result"])
    else:
        assert "died" in str(out["error"]) or "Dask" in str(out["error"])
    world["client"].wait_for_workers(2, timeout=30)


# 7. --input-format parquet; stdin refused ------------------------------------------------------


def test_extensionless_parquet_and_stdin(world, tmp_path):
    source = world["root"] / "store=7" / "part-0.parquet"
    bare = tmp_path / "predictions"
    bare.write_bytes(source.read_bytes())
    local = losscli.compute(str(source), losses=["mse"])
    remote = compute_dask(
        str(bare), scheduler=world["address"], losses=["mse"], input_format="parquet"
    )
    assert remote.value("mse") == pytest.approx(local.value("mse"), rel=1e-14)
    piped = CliRunner().invoke(
        app,
        ["compute", "-", "--input-format", "parquet", "--dask", "threads"],
        input=source.read_bytes(),
    )
    assert piped.exit_code == 2 and "--dask cannot read stdin" in piped.stderr


# 8. the bootstrap equals a local run's, whatever the order of the files -----------------------


def test_bootstrap_equals_local_and_ignores_file_order(world):
    files = sorted(str(p) for p in world["root"].glob("store=*/*.parquet"))
    options = {"losses": ["mse", "rmse"], "weight": "w", "bootstrap": 80, "seed": 11}
    local = losscli.compute(files, **options)
    remote = compute_dask(files, scheduler=world["address"], **options)
    reverse = compute_dask(files[::-1], scheduler=world["address"], **options)
    _same(local, remote)
    assert reverse.get("mse").ci == pytest.approx(local.get("mse").ci, rel=1e-12)


# 9. URIs on the cluster ------------------------------------------------------------------------


def test_s3_on_the_cluster_equals_disk_with_groups_gates_and_bootstrap(world):
    args = [
        "--loss",
        "mse,mae",
        "--weight",
        "w",
        "--by",
        "store",
        "--bootstrap",
        "40",
        "--seed",
        "5",
        "--max",
        "mse=10",
        "--json",
    ]
    disk = _cli(str(world["root"]), *args)
    s3 = _cli(world["uri"], *args, "--dask", world["address"])
    assert disk.exit_code == s3.exit_code == 1, s3.stderr
    a, b = json.loads(disk.stdout), json.loads(s3.stdout)
    assert [r["group"] for r in a["results"]] == [r["group"] for r in b["results"]]
    for x, y in zip(a["results"], b["results"], strict=True):
        assert y["value"] == pytest.approx(x["value"], rel=1e-13)
        assert {k: v for k, v in y["ci"].items() if k not in ("low", "high")} == {
            k: v for k, v in x["ci"].items() if k not in ("low", "high")
        }
        assert [y["ci"]["low"], y["ci"]["high"]] == pytest.approx(
            [x["ci"]["low"], x["ci"]["high"]], rel=1e-12
        )
    assert [g["status"] for g in a["gates"]] == [g["status"] for g in b["gates"]]
    assert b["inputs"]["files"][0].startswith("s3://bucket/preds/store=007/")
