"""Fault injection (SPEC §8): hostile outputs, environments and signals, run through the CLI as
a subprocess. Every case ends in exit 2 with one line naming the path (or 130/143/129 for a
signal, 0/1 for valid input); no temporary file survives; no input or special file is replaced.
Everything happens inside the test's own tmp_path."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: numpy's RuntimeWarnings (overflow, invalid value) must not leak out of the library
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

ROOT = Path(__file__).resolve().parents[1]
CSV = "y_true,y_pred\n1,1.5\n2,2.5\n3,2\n"


def run(args: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "losscli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,  # type: ignore[call-overload]
    )


def one_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The single error line of a run that failed with `code`."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert "a bug in losscli" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """In-process (faster) for cases that need no process of their own: the one error line."""
    from typer.testing import CliRunner

    from losscli.cli import app

    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "a bug in losscli" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "a.csv"
    path.write_text(CSV)
    return path


# --- where the output goes ---------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--output", "--per-row"])
def test_output_naming_an_input_is_refused(data: Path, option: str) -> None:
    result = run(["compute", "a.csv", option, "a.csv"], data.parent)
    assert "input file" in one_error(result)
    assert data.read_text() == CSV


def test_output_naming_an_input_through_a_link_is_refused(data: Path) -> None:
    (data.parent / "link.csv").symlink_to(data)
    result = run(["compute", "a.csv", "--per-row", "link.csv"], data.parent)
    assert "input file" in one_error(result)
    assert data.read_text() == CSV


@pytest.mark.parametrize("option", ["--output", "--per-row"])
def test_output_onto_a_directory(data: Path, option: str) -> None:
    (data.parent / "d.csv").mkdir()
    line = one_error(run(["compute", "a.csv", option, "d.csv"], data.parent))
    assert "d.csv" in line and "directory" in line


@pytest.mark.parametrize("option", ["--output", "--per-row"])
def test_output_below_a_regular_file(data: Path, option: str) -> None:
    line = one_error(run(["compute", "a.csv", option, "a.csv/x.csv"], data.parent))
    assert "a.csv/x.csv" in line and "not a directory" in line
    assert data.read_text() == CSV


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
@pytest.mark.parametrize("option", ["--output", "--per-row"])
def test_output_into_a_read_only_directory(data: Path, option: str) -> None:
    locked = data.parent / "locked"
    locked.mkdir()
    (locked / "old.csv").write_text("old\n")
    locked.chmod(0o555)
    try:
        line = one_error(run(["compute", "a.csv", option, "locked/old.csv"], data.parent))
        assert "locked/old.csv" in line and "permission denied" in line
        assert (locked / "old.csv").read_text() == "old\n"
        assert leftovers(locked) == []
    finally:
        locked.chmod(0o755)


def test_output_through_a_symlink_writes_through_it(data: Path) -> None:
    """A link to stdout (/proc/self/fd/1) stays a link and the result reaches stdout."""
    link = data.parent / "out.json"
    link.symlink_to("/proc/self/fd/1")
    result = run(["compute", "a.csv", "--json", "--output", "out.json", "-q"], data.parent)
    assert result.returncode == 0, result.stderr
    assert '"schema_version"' in result.stdout
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


def test_output_through_a_symlink_to_a_file_keeps_the_link(data: Path) -> None:
    real = data.parent / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    (data.parent / "link.json").symlink_to("real.json")
    result = run(["compute", "a.csv", "--json", "-o", "link.json", "-q"], data.parent)
    assert result.returncode == 0, result.stderr
    assert (data.parent / "link.json").is_symlink()
    assert '"schema_version"' in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the target's permissions are kept


def test_output_to_a_fifo_is_streamed_not_replaced(data: Path) -> None:
    fifo = data.parent / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    result = run(["compute", "a.csv", "--json", "-o", "pipe", "-q"], data.parent)
    out, _ = reader.communicate(timeout=30)
    assert result.returncode == 0, result.stderr
    assert '"schema_version"' in out
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_per_row_gz_is_gzip_and_keeps_row_and_file(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "k.csv").write_text("row,file,y_true,y_pred\n7,x,1,1.5\n8,y,2,2.5\n")
    result = run(
        ["compute", "k.csv", "--per-row", "r.csv.gz", "--key", "row", "--by", "file", "-q"],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = gzip.decompress((tmp_path / "r.csv.gz").read_bytes()).decode().splitlines()
    assert lines[0].startswith('"file","row","key_file","key_row"')
    assert lines[1].startswith('"k.csv",1,"x",7')


def test_per_row_key_type_differing_between_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,y_true,y_pred\n1,1,1.5\n")
    (tmp_path / "b.csv").write_text("id,y_true,y_pred\nx,1,1.5\n")
    result = run(["compute", "a.csv", "b.csv", "--per-row", "r.csv", "--key", "id"], tmp_path)
    line = one_error(result)
    assert "b.csv" in line and "'id'" in line
    assert not (tmp_path / "r.csv").exists() and leftovers(tmp_path) == []


def test_stdout_closed(data: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shut = subprocess.run(
        f"{sys.executable} -m losscli compute a.csv --json >&-",
        shell=True,
        cwd=data.parent,
        env=env,
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    assert shut.returncode == 2, shut.stderr
    assert "stdout" in shut.stderr and "closed" in shut.stderr
    assert "Traceback" not in shut.stderr


@pytest.mark.parametrize("fmt", ["json", "table"])  # the table through rich, which exits 1
def test_failed_gate_exits_1_when_stdout_reader_is_gone(data: Path, fmt: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for gate, code in (("0.0001", 1), ("100", 0)):
        shell = subprocess.run(
            f"{sys.executable} -m losscli compute a.csv --max mse={gate} --format {fmt} | true; "
            "exit ${PIPESTATUS[0]}",
            shell=True,
            executable="/bin/bash",
            cwd=data.parent,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
        assert shell.returncode == code, shell.stderr
        assert "Traceback" not in shell.stderr
        if code == 1:
            assert "failed:" in shell.stderr


def test_full_disk_in_process(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC while the output is written: exit 2 naming the path; old file and no temp left."""
    from typer.testing import CliRunner

    from losscli import write
    from losscli.cli import app

    old = data.parent / "out.json"
    old.write_text("old")
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(write.os, "fsync", full)
    monkeypatch.chdir(data.parent)
    result = CliRunner().invoke(app, ["compute", "a.csv", "--json", "-o", "out.json", "-q"])
    monkeypatch.setattr(write.os, "fsync", real_fsync)
    assert result.exit_code == 2, result.output
    assert "out.json" in result.stderr and "no space left" in result.stderr
    assert old.read_text() == "old" and leftovers(data.parent) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_full_tmpfs(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        rows = "".join(f"{i},{i + 0.5}\n" for i in range(20000))
        (tmp_path / "a.csv").write_text("y_true,y_pred\n" + rows)
        result = run(["compute", "a.csv", "--per-row", "small/rows.csv", "-q"], tmp_path)
        line = one_error(result)
        assert "small/rows.csv" in line and "no space left" in line
        assert list(mount.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mount)])


# --- signals -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV large enough that --per-row takes a while (a block of rows, repeated)."""
    directory = tmp_path_factory.mktemp("big")
    block = "".join(f"{i},{i % 7}.25,{i % 5}.5\n" for i in range(10_000))
    with open(directory / "big.csv", "w") as handle:
        handle.write("id,y_true,y_pred\n")
        for _ in range(150):
            handle.write(block)
    return directory


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_signal_during_per_row_leaves_nothing(big: Path, name: str, code: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    target = big / f"rows_{name}.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "losscli", "compute", "big.csv", "--per-row", target.name, "-q"],
        cwd=big,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not leftovers(big) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # wait for the temporary file: the signal lands mid-write
    process.send_signal(getattr(signal, name))
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert process.returncode == code, err
    assert err == ""
    assert leftovers(big) == [] and not target.exists()


def test_ctrl_c_during_start_up_is_130_and_silent(data: Path) -> None:
    """SIGINT as soon as losscli's first module has loaded (typer, rich and the rest still
    loading): exit 130, nothing on stderr but the import log that told us when."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "losscli", "compute", "a.csv", "-q"],
        cwd=data.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen = False
    for line in process.stderr:
        if seen:  # the first import after the handlers' module: they are installed
            process.send_signal(signal.SIGINT)
            break
        seen = line.rstrip().endswith("losscli.signals")
    rest = process.stderr.read()
    process.wait(timeout=60)
    assert process.returncode == 130, rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest


def test_signal_handlers_come_before_heavy_imports() -> None:
    code = (
        "import signal, sys; import losscli.__main__; "
        "print(signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "
        "[m for m in ('typer', 'numpy', 'pyarrow', 'rich') if m in sys.modules])"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["True", "[]"], done.stderr


# --- hostile inputs ------------------------------------------------------------------------------


def _write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


INPUTS = [
    ("dup.csv", "y_true,y_pred,y_pred\n1,2,3\n", "'y_pred'", "appears twice"),
    ("semi.csv", "y_true;y_pred\n1;2\n", "semi.csv", "semicolon"),
    ("head.csv", "y_true,y_pred", "head.csv", "header but no data rows"),
    ("u16.csv", "y_true,y_pred\n1,2\n".encode("utf-16"), "u16.csv", "UTF-16"),
    ("mal.csv", "y_true,y_pred\n1,2\n3,4\n1,2,3\n", "row 3", "expected 2 columns, found 3"),
    ("big.csv", "y_true,y_pred\n1e308,-1e308\n1,2\n", "row 1", "overflows float64"),
]


@pytest.mark.parametrize(("name", "content", "where", "what"), INPUTS)
def test_bad_input_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str, where: str, what: str
) -> None:
    _write(tmp_path, name, content)
    line = invoke(["compute", name], tmp_path, monkeypatch)
    assert where in line and what in line


def test_duplicate_columns_in_parquet_and_recommend(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays(
        [pa.array([1.0]), pa.array([2.0]), pa.array([3.0])], names=["y_true", "y_pred", "y_pred"]
    )
    pq.write_table(table, tmp_path / "dup.parquet")
    assert "appears twice" in one_error(run(["compute", "dup.parquet"], tmp_path))
    _write(tmp_path, "dup.csv", "y_true,y_pred,y_pred\n1,2,3\n")
    assert "appears twice" in one_error(run(["recommend", "--from", "dup.csv"], tmp_path))


def test_symlink_loop_and_fifo_input(tmp_path: Path, data: Path) -> None:
    (tmp_path / "l1.csv").symlink_to("l2.csv")
    (tmp_path / "l2.csv").symlink_to("l1.csv")
    assert "symbolic link loop" in one_error(run(["compute", "l1.csv"], tmp_path))
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    writer = subprocess.Popen(f"cat {data} > {fifo}", shell=True)
    result = run(["compute", "in.csv", "--json", "-q"], tmp_path)
    writer.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert '"rows"' in result.stdout


def test_cr_only_line_ends_are_read(tmp_path: Path) -> None:
    _write(tmp_path, "cr.csv", "y_true,y_pred\r1,1.5\r2,2.5\r")
    result = run(["compute", "cr.csv", "--json", "-q"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"read": 2' in result.stdout


def test_parquet_page_checksum_is_verified(tmp_path: Path) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = np.arange(1000.0)
    table = pa.table({"y_true": values, "y_pred": values + 0.5})
    path = tmp_path / "c.parquet"
    pq.write_table(table, path, write_page_checksum=True, compression="none")
    raw = bytearray(path.read_bytes())
    at = raw.find(np.float64(500.5).tobytes())
    raw[at + 3] ^= 0xFF
    path.write_bytes(bytes(raw))
    line = one_error(run(["compute", "c.parquet"], tmp_path))
    assert "c.parquet" in line and "checksum" in line


# --- numeric options ------------------------------------------------------------------------------

OPTIONS = [
    (["compute", "a.csv", "--seed", "-1", "--bootstrap", "10"], "--seed"),
    (["compute", "a.csv", "--bootstrap", "100000000"], "--bootstrap"),
    (["compare", "--rows", "1e11"], "--rows"),
    (["compare", "--rows", "100000000000"], "--rows"),
    (["compare", "--rows", "50", "--magnitude", "8.5e307"], "--magnitude"),
]


@pytest.mark.parametrize(("args", "option"), OPTIONS)
def test_numeric_option_out_of_range(
    data: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str
) -> None:
    assert option in invoke(args, data.parent, monkeypatch)


def test_numeric_options_fuzzed() -> None:
    """Any value, inside or far outside a range: the library says 0/1/2, never a crash."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from losscli.errors import UsageError
    from losscli.executors import ComputeOptions
    from losscli.sensitivity.study import check_options

    numbers = st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
    )

    @settings(max_examples=300, deadline=None)
    @given(eps=numbers, bootstrap=numbers, ci=numbers, seed=numbers, top=numbers)
    def check(eps: float, bootstrap: float, ci: float, seed: float, top: float) -> None:
        with contextlib.suppress(UsageError):
            ComputeOptions(eps=eps, bootstrap=bootstrap, ci=ci, seed=seed)  # type: ignore[arg-type]
        with contextlib.suppress(UsageError):
            check_options(top, 0.05, 10.0, seed)  # type: ignore[arg-type]

    check()


def test_quoted_newline_past_the_first_megabyte_is_one_value(tmp_path: Path) -> None:
    """A quoted value spanning lines across a parallel chunk boundary: no phantom row."""
    from losscli.read.csv import CSV_CHUNK_BYTES

    line = "1.25,2.5,x\n"
    before = (CSV_CHUNK_BYTES - 5000) // len(line)
    quoted = '1,1,"' + "\n".join("word" * 20 for _ in range(200)) + '"\n'
    after = 2 * CSV_CHUNK_BYTES // len(line)
    with open(tmp_path / "q.csv", "w") as handle:
        handle.write("y_true,y_pred,note\n" + line * before + quoted + line * after)
    result = run(["compute", "q.csv", "--json", "-q"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f'"read": {before + 1 + after}' in result.stdout


def test_jsonl_field_first_seen_after_the_first_block(tmp_path: Path) -> None:
    import json

    from losscli.read.csv import CSV_BLOCK_BYTES

    row = json.dumps({"y_true": 1.0, "y_pred": 2.0}) + "\n"
    count = CSV_BLOCK_BYTES // len(row) + 100
    extra = json.dumps({"y_true": 1.0, "y_pred": 2.0, "extra": "x"}) + "\n"
    (tmp_path / "j.jsonl").write_text(row * count + extra + row * 10)
    result = run(["compute", "j.jsonl", "--json", "-q"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f'"read": {count + 11}' in result.stdout


def test_by_nested_and_non_finite_group_keys(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "y_true": [1.0, 2.0, 3.0],
            "y_pred": [1.5, 2.0, 3.0],
            "g": pa.array([[1], [2], [1]]),
            "f": [float("nan"), float("inf"), 1.0],
        }
    )
    pq.write_table(table, tmp_path / "by.parquet")
    line = one_error(run(["compute", "by.parquet", "--by", "g"], tmp_path))
    assert "--by g" in line and "cannot be grouped" in line
    result = run(["compute", "by.parquet", "--by", "f", "--json", "-q"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"f": "Infinity"' in result.stdout  # NaN joins the missing keys' group (null)


def test_dataset_file_without_a_column_is_named(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "ds").mkdir()
    pq.write_table(
        pa.table({"y_true": [1.0, 2.0], "y_pred": [1.5, 2.0]}), tmp_path / "ds/a.parquet"
    )
    pq.write_table(pa.table({"y_true": [1.0, 2.0]}), tmp_path / "ds/b.parquet")
    line = one_error(run(["compute", "ds", "--nan", "drop"], tmp_path))
    assert "ds/b.parquet" in line and "'y_pred'" in line


def test_late_rows_name_their_absolute_row(tmp_path: Path) -> None:
    import json

    good = json.dumps({"y_true": 1.0, "y_pred": 2.0}) + "\n"
    bad = json.dumps({"y_true": "x", "y_pred": 1.0}) + "\n"
    (tmp_path / "j.jsonl").write_text(good * 120_000 + bad)
    line = one_error(run(["compute", "j.jsonl"], tmp_path))
    assert "row 120001" in line and "'y_true'" in line
    block = "".join(f"{i % 3},0.5,1\n" for i in range(300_000))
    (tmp_path / "g.csv").write_text("y_true,y_pred,g\n" + block + "1,0.5,1.5\n")
    line = one_error(run(["compute", "g.csv", "--by", "g"], tmp_path))
    assert "row 300001" in line and "'1.5' is not int64" in line


def test_cli_numeric_options_fuzzed(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Option values in and far beyond their ranges, as the CLI gets them: 0/1/2, never 3."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from typer.testing import CliRunner

    from losscli.cli import app

    monkeypatch.chdir(data.parent)
    runner = CliRunner()
    text = st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(["", "x", "1e11", "-0", "1%", "0.5"]),
    )
    options = st.sampled_from(
        [
            ["compute", "a.csv", "--bootstrap"],
            ["compute", "a.csv", "--bootstrap", "3", "--seed"],
            ["compute", "a.csv", "--ci"],
            ["compute", "a.csv", "--eps"],
            ["compare", "--rows"],
            ["compare", "--seed"],
            ["compare", "--top"],
            ["compare", "--contamination"],
            ["compare", "--magnitude"],
        ]
    )

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(option=options, value=text)
    def check(option: list[str], value: str) -> None:
        extra = ["--rows", "50"] if option[0] == "compare" and option[-1] != "--rows" else []
        result = runner.invoke(app, [*option, value, *extra, "-q", "--json"])
        assert result.exit_code in (0, 1, 2), (option, value, result.output)
        assert "internal error" not in result.output and "Traceback" not in result.output

    check()


def test_two_outputs_naming_one_file(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = invoke(
        ["compute", "a.csv", "-o", "r.csv", "--per-row", "./r.csv"], data.parent, monkeypatch
    )
    assert "same file" in line


def test_output_after_stdout_reader_left_is_dropped_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second write after the reader went away neither fails nor raises."""
    from losscli import write

    monkeypatch.setattr(write, "_STDOUT_GONE", True)
    with write.writing_stdout():
        pass


def test_stdout_on_a_full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """`> /dev/full`, simulated: a write to stdout failing with ENOSPC is one InputError."""
    import io

    from losscli import write
    from losscli.errors import InputError

    class Full(io.TextIOWrapper):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    full = Full(io.BytesIO())
    monkeypatch.setattr(sys, "stdout", full)
    monkeypatch.setattr(write, "_silence_stdout", lambda: None)  # leave the test's fd 1 alone
    with pytest.raises(InputError, match="no space left"):
        write.emit("{}")


# --- errors inside a Parquet data set name the file and its own row --------------------------------


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """ds/a.parquet (3 good rows) and ds/b.parquet (a negative count at its row 2, a NaN
    prediction at its row 3)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "ds").mkdir()
    good = pa.table({"y_true": [1.0, 2.0, 3.0], "y_pred": [1.0, 2.0, 3.0]})
    pq.write_table(good, tmp_path / "ds/a.parquet")
    bad = pa.table({"y_true": [1.0, -2.0, 3.0], "y_pred": [1.0, 2.0, float("nan")]})
    pq.write_table(bad, tmp_path / "ds/b.parquet")
    return tmp_path


@pytest.mark.parametrize("target", ["ds", "ds/*.parquet"])
@pytest.mark.parametrize("dask", [[], ["--dask", "threads"]])
def test_dataset_errors_name_the_file_and_its_row(
    dataset: Path, monkeypatch: pytest.MonkeyPatch, target: str, dask: list[str]
) -> None:
    pytest.importorskip("dask") if dask else None
    line = invoke(
        ["compute", target, "--loss", "poisson", "--nan", "drop", *dask], dataset, monkeypatch
    )
    assert "ds/b.parquet, column 'y_true', row 2: poisson needs non-negative counts" in line
    line = invoke(["compute", target, *dask], dataset, monkeypatch)
    assert "ds/b.parquet, column 'y_pred', row 3: missing value" in line


@pytest.mark.parametrize("command", [["compare"], ["recommend", "--from"]])
def test_dataset_errors_name_the_file_in_whole_input_commands(
    dataset: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    line = invoke([*command, "ds"], dataset, monkeypatch)
    assert "ds/b.parquet, column 'y_pred', row 3: missing value" in line


def test_dataset_bootstrap_stream_is_unchanged(dataset: Path) -> None:
    """The bootstrap keeps the data set as one stream, its rows counted across its files: a
    data set's interval equals the interval of one file holding the same rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from losscli import compute

    pq.write_table(
        pa.table({"y_true": [4.0, 5.0, 6.0], "y_pred": [3.0, 5.5, 7.0]}),
        dataset / "ds/b.parquet",
    )
    whole = pa.concat_tables(
        [pq.read_table(dataset / "ds" / f) for f in ("a.parquet", "b.parquet")]
    )
    (dataset / "one").mkdir()
    pq.write_table(whole, dataset / "one/ds")  # the same stream name, one file
    many = compute(str(dataset / "ds"), losses=["mae"], bootstrap=50, seed=3)
    one = compute(
        str(dataset / "one/ds"), losses=["mae"], bootstrap=50, seed=3, input_format="parquet"
    )
    assert many.results[0].ci == pytest.approx(one.results[0].ci, rel=1e-12)


def test_corrupt_page_inside_a_dataset_names_the_file(tmp_path: Path) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "ds").mkdir()
    values = np.arange(1000.0)
    table = pa.table({"y_true": values, "y_pred": values + 0.5})
    pq.write_table(table, tmp_path / "ds/a.parquet", write_page_checksum=True)
    path = tmp_path / "ds/b.parquet"
    pq.write_table(table, path, write_page_checksum=True, compression="none")
    raw = bytearray(path.read_bytes())
    at = raw.find(np.float64(500.5).tobytes())
    raw[at + 3] ^= 0xFF
    path.write_bytes(bytes(raw))
    line = one_error(run(["compute", "ds"], tmp_path))
    assert "ds/b.parquet" in line and "checksum" in line


def test_domain_errors_carry_the_inference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "n.csv").write_text("y_true,y_pred\n1,0.5\n-2,1\n")
    line = invoke(["compute", "n.csv", "--loss", "poisson"], tmp_path, monkeypatch)
    assert "row 2: poisson needs non-negative counts" in line
    assert "task inferred as regression" in line and "pass --task" in line


# --- --delimiter ---------------------------------------------------------------------------------

SEMI = "y_true;y_pred\n" + "".join(f"{i % 5};{i % 5 + 0.5}\n" for i in range(40))


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [("s.csv", SEMI, ";"), ("t.txt", SEMI.replace(";", "\t"), "\\t"), ("u.txt", SEMI, ";")],
)
@pytest.mark.parametrize("command", [["compute"], ["compare"], ["recommend", "--from"]])
def test_delimiter_reads_the_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str,
    delimiter: str,
    command: list[str],
) -> None:
    from typer.testing import CliRunner

    from losscli.cli import app

    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*command, name, "--delimiter", delimiter, "--json"])
    assert result.exit_code == 0, result.stderr
    assert "--delimiter" in result.stdout or command == ["compute"]  # the commands it suggests
    if command == ["compute"]:
        import json

        assert json.loads(result.stdout)["results"][0]["value"] == pytest.approx(0.25)


def test_semicolons_are_refused_naming_delimiter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "s.csv").write_text(SEMI)
    line = invoke(["compute", "s.csv"], tmp_path, monkeypatch)
    assert "semicolon" in line and "--delimiter ';'" in line


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["compute", "s.csv", "--delimiter", ";;"], "one character"),
        (["compute", "s.csv", "--delimiter", '"'], "one character"),
        (["compute", "ds", "--delimiter", ";"], "--delimiter applies to CSV"),
        (["recommend", "--task", "regression", "--delimiter", ";"], "pass --from"),
    ],
)
def test_delimiter_misuse_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], what: str
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "s.csv").write_text(SEMI)
    (tmp_path / "ds").mkdir()
    pq.write_table(pa.table({"y_true": [1.0], "y_pred": [1.0]}), tmp_path / "ds/a.parquet")
    assert what in invoke(args, tmp_path, monkeypatch)


@pytest.mark.parametrize("command", [[], ["compute"], ["compare"], ["recommend"], ["losses"]])
def test_help_lists_the_signal_exit_codes(command: list[str]) -> None:
    from typer.testing import CliRunner

    from losscli.cli import app

    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.stdout.replace("│", " ").split())
    assert result.exit_code == 0 and "Exit codes:" in text
    assert "130, 143, 129 interrupted (Ctrl-C, SIGTERM, SIGHUP)" in text


# --- more of the same, found by trying -------------------------------------------------------------


def test_directory_with_csv_beside_parquet_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading only the Parquet files would leave the CSV's rows out silently."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "m").mkdir()
    pq.write_table(pa.table({"y_true": [1.0], "y_pred": [1.0]}), tmp_path / "m/a.parquet")
    (tmp_path / "m/b.csv").write_text("y_true,y_pred\n1,2\n")
    (tmp_path / "m/_SUCCESS").write_text("")  # what Spark leaves: not data
    line = invoke(["compute", "m"], tmp_path, monkeypatch)
    assert "m: directory holds csv files beside its Parquet files" in line and "glob" in line
    (tmp_path / "m/b.csv").unlink()
    (tmp_path / "e").mkdir()
    assert "a glob such as DIR/*.csv" in invoke(["compute", "e"], tmp_path, monkeypatch)


def test_summary_naming_the_output_is_refused(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = invoke(["compute", "a.csv", "-o", "r.md", "--summary", "r.md"], data.parent, monkeypatch)
    assert "two outputs name the same file" in line
    assert not (data.parent / "r.md").exists()


def _truncated(name: str) -> bytes:
    import gzip
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    if name.endswith(".gz"):
        text = "y_true,y_pred\n" + "".join(f"{i},{i + 0.5}\n" for i in range(50_000))
        whole = gzip.compress(text.encode())
        return whole[: len(whole) // 2]
    sink = io.BytesIO()
    pq.write_table(pa.table({"y_true": [1.0] * 100, "y_pred": [2.0] * 100}), sink)
    return sink.getvalue()[:-10]  # mid-footer


@pytest.mark.parametrize(
    ("name", "what", "hint"),
    [
        ("t.csv.gz", "compressed data is truncated or corrupt", "write or copy it again"),
        ("t.parquet", "not a readable Parquet file", "write or copy it again"),
    ],
)
@pytest.mark.parametrize("command", [["compute"], ["compare"], ["recommend", "--from"]])
def test_truncated_files_say_what_to_do(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    what: str,
    hint: str,
    command: list[str],
) -> None:
    _write(tmp_path, name, _truncated(name))
    line = invoke([*command, name], tmp_path, monkeypatch)
    assert name in line and what in line and hint in line


@pytest.mark.parametrize("dask", [[], ["--dask", "threads"]])
def test_dataset_file_with_another_column_type_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dask: list[str]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if dask:
        pytest.importorskip("dask")
    (tmp_path / "ds").mkdir()
    pq.write_table(
        pa.table({"y_true": [1.0, 2.0], "y_pred": [1.0, 2.0]}), tmp_path / "ds/a.parquet"
    )
    pq.write_table(
        pa.table({"y_true": ["x", "y"], "y_pred": [1.0, 2.0]}), tmp_path / "ds/b.parquet"
    )
    line = invoke(["compute", "ds", *dask], tmp_path, monkeypatch)
    assert "ds/b.parquet, column 'y_true': the column holds string values" in line
    assert "same column types" in line


def test_gs_requests_are_retried_for_a_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyarrow retries a gs:// request for 15 minutes by default: unreachable looks like a hang."""
    from losscli.read import uri as uris

    roots: list[str] = []
    monkeypatch.setattr(uris, "_native", roots.append)
    uris.resolve("gs://bucket-a/x.parquet")
    uris.resolve("gs://bucket-b/x.parquet?retry_limit_seconds=60")
    uris.resolve("s3://bucket-c/x.parquet")
    assert roots == [
        f"gs://bucket-a?retry_limit_seconds={uris.GCS_RETRY_SECONDS}",
        "gs://bucket-b?retry_limit_seconds=60",
        "s3://bucket-c",
    ]
