"""A CSV piped on stdin is streamed: the same values as the file read by its path, in the same
memory; Parquet on stdin is buffered (it needs seeking)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from losscli import read
from losscli.errors import InputError
from losscli.read.source import HEAD_BYTES


def _write_csv(path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=rows).round(6)
    table = pa.table({"y_true": y, "y_pred": (y + rng.standard_t(3, size=rows)).round(6)})
    pacsv.write_csv(table, path)


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_a_piped_csv_is_streamed_once_and_typed_like_the_file(tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    _write_csv(path, 200_000)  # several 1 MB blocks
    data = path.read_bytes()
    assert len(data) > 3 * HEAD_BYTES
    _stdin(monkeypatch, data)
    (source,) = read.open_sources(["-"])
    assert source.stream is not None and source.data is None  # nothing held but the head
    assert read.column_names(source) == ["y_true", "y_pred"]
    piped = pa.Table.from_batches(list(read.iter_batches(source, ["y_pred", "y_true"])))
    (by_path,) = read.open_sources([str(path)])
    whole = pa.Table.from_batches(list(read.iter_batches(by_path, ["y_pred", "y_true"])))
    assert piped.schema == whole.schema and piped.equals(whole)
    with pytest.raises(InputError, match="read only once"):
        list(read.iter_batches(source, ["y_true"]))


def test_parquet_on_stdin_is_buffered(tmp_path, monkeypatch):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"y_true": [1.0, 2.0], "y_pred": [1.5, 2.0]}), path)
    _stdin(monkeypatch, path.read_bytes())
    (source,) = read.open_sources(["-"], "parquet")
    assert source.stream is None and source.data is not None


def _run(args: list[str], stdin_path=None) -> tuple[dict, int]:
    """`python -m losscli ARGS` (stdin from a file): its JSON output and peak RSS in kB."""
    # VmHWM: this process's own peak (ru_maxrss would inherit the test process's peak at fork)
    code = (
        "import atexit, runpy, sys\n"
        "def peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            print('RSS', line.split()[1], file=sys.stderr)\n"
        "atexit.register(peak)\n"
        f"sys.argv = ['losscli', *{args!r}]\n"
        "runpy.run_module('losscli', run_name='__main__')\n"
    )
    with open(stdin_path or "/dev/null", "rb") as handle:
        proc = subprocess.run(
            [sys.executable, "-c", code], stdin=handle, capture_output=True, check=False
        )
    assert proc.returncode == 0, proc.stderr.decode()[-500:]
    rss = [int(x.split()[1]) for x in proc.stderr.decode().splitlines() if x.startswith("RSS ")]
    return json.loads(proc.stdout), rss[-1]


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory from /proc")
def test_piped_memory_does_not_grow_with_the_input(tmp_path):
    """40 MB and 100 MB piped: the same peak memory within 25 MB (held whole, the larger pipe
    cost its extra 60 MB), and the values of the by-path run."""
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    _write_csv(small, 2_000_000, seed=1)
    _write_csv(large, 5_000_000, seed=2)
    assert large.stat().st_size - small.stat().st_size > 55e6
    args = ["--loss", "mse,mae", "--json", "--quiet"]
    _, rss_small = _run(["compute", "-", *args], stdin_path=small)
    piped, rss_large = _run(["compute", "-", *args], stdin_path=large)
    assert rss_large < rss_small + 25_000, (rss_small, rss_large)
    by_path, _ = _run(["compute", str(large), *args])
    values = [[r["value"] for r in out["results"]] for out in (by_path, piped)]
    # by path the file is parsed in parallel chunks: other batches, sums rounded in another order
    assert values[1] == pytest.approx(values[0], rel=1e-12)


def test_a_pipe_whose_first_rows_cannot_settle_the_labels_is_refused(tmp_path, monkeypatch):
    """By path a second pass over the labels decides; a pipe is read once: refuse, asking for
    the path (never a guess from the first rows)."""
    import losscli
    from losscli.errors import UsageError

    rows = 250_000  # the first 1 MB holds label 0 only
    lines = [f"{int(i >= rows - 10)},{(i % 97) / 100:.2f}" for i in range(rows)]
    data = ("y_true,y_pred\n" + "\n".join(lines) + "\n").encode()
    path = tmp_path / "late_ones.csv"
    path.write_bytes(data)
    by_path = losscli.compute(str(path))
    assert by_path.inputs["task"] == "binary"
    _stdin(monkeypatch, data)
    with pytest.raises(UsageError, match="read only once"):
        losscli.compute("-")
