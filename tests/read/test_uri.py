"""Inputs by URI over a real HTTP S3 server (moto, loopback): files, prefixes, globs and hive
partitions equal the same data read from disk; a missing object, a denied request or an
unreachable endpoint is one line naming the URI (exit 2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import losscli
from losscli.cli import app
from losscli.errors import InputError, UsageError
from losscli.read import uri as uris
from tests.objectstore import free_port, s3_server, store_dataset, upload

pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """(local data set, its s3:// URI) on a local S3 server."""
    root = store_dataset(tmp_path_factory.mktemp("s3data") / "preds")
    with s3_server():
        upload(root, "bucket", "preds")
        yield root, "s3://bucket/preds/"


def _same(a, b):
    assert a.inputs["rows"] == b.inputs["rows"]
    assert [(r.label, r.group, r.rows) for r in a.results] == [
        (r.label, r.group, r.rows) for r in b.results
    ]
    for x, y in zip(a.results, b.results, strict=True):
        assert y.value == pytest.approx(x.value, rel=1e-13)
        if x.ci is not None:
            assert y.ci == pytest.approx(x.ci, rel=1e-12)


def test_s3_prefix_equals_disk_with_partitions_groups_and_bootstrap(s3):
    root, uri = s3
    options = {"losses": ["mse", "mae"], "weight": "w", "by": ["store"], "bootstrap": 50}
    disk = losscli.compute(str(root), seed=3, **options)
    remote = losscli.compute(uri, seed=3, **options)
    _same(disk, remote)
    assert {r.group["store"] for r in remote.results if r.group} == {"007", "7", "abc"}
    assert remote.inputs["files"] == [uri]


def test_s3_single_file_glob_and_file_uri(s3):
    root, _ = s3
    one = losscli.compute("s3://bucket/preds/store=7/part-0.parquet", losses=["mse"])
    assert one.value("mse") == pytest.approx(
        losscli.compute(str(root / "store=7" / "part-0.parquet"), losses=["mse"]).value("mse"),
        rel=1e-14,
    )
    glob = losscli.compute("s3://bucket/preds/store=*/part-1.parquet", losses=["mse"], by=["store"])
    local = losscli.compute(str(root / "store=*" / "part-1.parquet"), losses=["mse"], by=["store"])
    _same(local, glob)
    as_uri = losscli.compute((root / "store=7").as_uri(), losses=["mse"])
    assert as_uri.value("mse") == losscli.compute(str(root / "store=7"), losses=["mse"]).value(
        "mse"
    )


def test_csv_objects_are_streamed(s3, tmp_path):
    import gzip

    import numpy as np

    rng = np.random.default_rng(4)
    y = rng.normal(size=30_000)
    text = "y_true,y_pred\n" + "".join(
        f"{a:.17g},{b:.17g}\n" for a, b in zip(y, y + rng.normal(size=y.size), strict=True)
    )
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "preds.csv").write_text(text)
    (folder / "preds.csv.gz").write_bytes(gzip.compress(text.encode()))
    upload(folder, "bucket", "csv")
    disk = losscli.compute(str(folder / "preds.csv"), losses=["mse"]).value("mse")
    for name in ("preds.csv", "preds.csv.gz"):
        assert losscli.compute(f"s3://bucket/csv/{name}", losses=["mse"]).value("mse") == disk


def test_cli_on_s3_with_gate(s3):
    root, uri = s3
    runner = CliRunner()
    args = ["--by", "store", "--loss", "mse", "--max", "mse=100", "--json"]
    remote = runner.invoke(app, ["compute", uri, *args])
    local = runner.invoke(app, ["compute", str(root), *args])
    assert remote.exit_code == local.exit_code == 0, remote.stderr
    values = [r["value"] for r in json.loads(remote.stdout)["results"]]
    assert values == pytest.approx([r["value"] for r in json.loads(local.stdout)["results"]])


def test_missing_object_and_bucket_name_the_uri(s3):
    with pytest.raises(InputError, match="no such file or object") as err:
        losscli.compute("s3://bucket/preds/nothing.parquet")
    assert err.value.file == "s3://bucket/preds/nothing.parquet"
    with pytest.raises(InputError) as err:
        losscli.compute("s3://no-such-bucket/x.parquet")
    assert err.value.file == "s3://no-such-bucket/x.parquet"
    result = CliRunner().invoke(app, ["compute", "s3://bucket/preds/store=9*/*.parquet"])
    assert result.exit_code == 2 and "s3://bucket/preds/store=9*/*.parquet" in result.stderr


def test_denied_request_names_the_uri_and_the_cause(s3, monkeypatch):
    # moto refuses a request signed with a wrong secret when the key is one it checks:
    # simulate an unknown profile instead, which the SDK refuses before any request
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-losscli")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/losscli-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/losscli-credentials")
    result = CliRunner().invoke(app, ["compute", "s3://bucket/preds/"])
    assert result.exit_code == 2, result.stderr
    assert "s3://bucket/preds/" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_endpoint_is_exit_2(s3, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    result = CliRunner().invoke(app, ["compute", "s3://bucket/preds/"])
    assert result.exit_code == 2
    assert "s3://bucket/preds/" in result.stderr and "cannot read" in result.stderr


def test_unknown_scheme_says_what_to_install():
    with pytest.raises(UsageError, match="no filesystem for 'nosuchscheme://"):
        losscli.compute("nosuchscheme://bucket/x.parquet")


def test_glob_matching_keeps_folders_apart():
    assert uris.glob_match("b/p/store=*/*.parquet", "b/p/store=7/x.parquet")
    assert not uris.glob_match("b/p/*.parquet", "b/p/store=7/x.parquet")
    assert uris.glob_match("b/p/**/*.parquet", "b/p/store=7/x.parquet")
    assert uris.fixed_prefix("b/p/store=*/*.parquet") == "b/p"
    assert uris.local_path("file:///tmp/a%20b.csv") == "/tmp/a b.csv"


def test_fsspec_schemes_are_read_through_pyarrow(s3):
    fsspec = pytest.importorskip("fsspec")
    root, _ = s3
    memory = fsspec.filesystem("memory")
    for path in sorted(root.rglob("*.parquet")):
        memory.pipe(f"/losscli-test/preds/{path.relative_to(root).as_posix()}", path.read_bytes())
    try:
        options = {"losses": ["mse"], "by": ["store"], "bootstrap": 20, "seed": 1}
        _same(
            losscli.compute(str(root), **options),
            losscli.compute("memory://losscli-test/preds/", **options),
        )
        with pytest.raises(InputError, match="no such file or object"):
            losscli.compute("memory://losscli-test/none.parquet")
    finally:
        memory.rm("/losscli-test", recursive=True)


def test_s3_prefix_with_csv_beside_parquet_is_refused(s3, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "m").mkdir()
    pq.write_table(pa.table({"y_true": [1.0], "y_pred": [1.0]}), tmp_path / "m/a.parquet")
    (tmp_path / "m/b.csv").write_text("y_true,y_pred\n1,2\n")
    upload(tmp_path / "m", "bucket", "mixed")
    with pytest.raises(InputError) as err:
        losscli.compute("s3://bucket/mixed/")
    assert "csv files beside its Parquet files" in err.value.message and "b.csv" in str(err.value)
