"""Benchmark `losscli compute` against its peers, each run as a separate subprocess.

For every (kind, rows, format) case, each command runs in turn (A B C ... A B C ...); the report
gives the median wall time, the peak RSS (the largest seen over the repeats) and the ratios to
losscli, checks that every peer's loss values agree with losscli's (rel 1e-9) and says whether
the product goals are met. Start-up time is measured the same way against `import typer`.

    python benchmarks/bench.py --quick
    python benchmarks/bench.py --sizes 10M,50M --only parquet --repeat 3
    python benchmarks/bench.py --options 0.5   # the options' costs (options.py), half size
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datafiles

REL_TOL = 1e-9
CSV_BLOCK_BYTES = 1 << 24
STREAM_BATCH_ROWS = 1 << 18
#: Bytes on disk per row, to refuse a case that would not fit (measured on the generated files).
BYTES_PER_ROW = {
    ("regression", "csv"): 38,
    ("regression", "parquet"): 17,
    ("binary", "csv"): 22,
    ("binary", "parquet"): 9,
    ("multiclass", "csv"): 205,
    ("multiclass", "parquet"): 84,
}
DISK_MARGIN_BYTES = 1 << 30
LOSSES = {
    "regression": ("mse", "mae", "huber"),
    "binary": ("bce", "brier"),
    "multiclass": ("cross_entropy", "brier"),
}
#: Peak RSS ceilings for `losscli compute`, in MB (10^6 bytes), by format.
RSS_LIMIT_MB = {"parquet": 250.0, "csv": 400.0}
#: Largest allowed growth of losscli's peak RSS from the smallest to a larger size.
RSS_GROWTH_LIMIT = 1.10
#: Largest allowed start-up wall, as a multiple of `python -c "import typer"`.
STARTUP_LIMIT = 1.5


@dataclass(frozen=True)
class WallGoal:
    """losscli's wall divided by the peer's wall must be at most ``limit``."""

    peer: str
    limit: float


#: Speed goals (regression files only), by format.
WALL_GOALS: dict[str, list[WallGoal]] = {
    "parquet": [
        WallGoal("duckdb-python", 1.0),
        WallGoal("duckdb-cli", 2.0),
        WallGoal("pandas-sklearn", 1 / 3),
    ],
    "csv": [WallGoal("duckdb-cli", 1.2), WallGoal("pandas-sklearn", 1 / 3)],
}


# ---------------------------------------------------------------------------------------------
# The peers' programs. Each prints one JSON object {loss name: value} on stdout; the file's path
# is sys.argv[1].
# ---------------------------------------------------------------------------------------------

NUMPY_SUMS = {
    "regression": """
def sums(cols):
    d = cols["y_true"] - cols["y_pred"]
    a = np.abs(d)
    return {
        "mse": float(np.dot(d, d)),
        "mae": float(a.sum()),
        "huber": float(np.where(a <= 1.0, 0.5 * d * d, a - 0.5).sum()),
    }
""",
    "binary": """
def sums(cols):
    y = cols["y_true"].astype(np.float64)
    p = cols["y_pred"]
    return {
        "bce": float(-(y * np.log(p) + (1.0 - y) * np.log1p(-p)).sum()),
        "brier": float(((p - y) ** 2).sum()),
    }
""",
    "multiclass": f"""
def sums(cols):
    y = cols["y_true"].astype(np.intp)
    p = np.column_stack([cols[f"p_{{k}}"] for k in range({datafiles.N_CLASSES})])
    rows = np.arange(len(y))
    picked = p[rows, y]
    p[rows, y] -= 1.0
    return {{
        "cross_entropy": float(-np.log(picked).sum()),
        "brier": float(np.einsum("ij,ij->", p, p)),
    }}
""",
}

PANDAS_LOSSES = {
    "regression": """
from sklearn.metrics import mean_absolute_error, mean_squared_error
yt = df["y_true"].to_numpy()
yp = df["y_pred"].to_numpy()
d = yt - yp
a = np.abs(d)
out = {
    "mse": mean_squared_error(yt, yp),
    "mae": mean_absolute_error(yt, yp),
    "huber": np.mean(np.where(a <= 1.0, 0.5 * d * d, a - 0.5)),
}
""",
    "binary": """
from sklearn.metrics import brier_score_loss, log_loss
yt = df["y_true"].to_numpy()
yp = df["y_pred"].to_numpy()
out = {"bce": log_loss(yt, yp), "brier": brier_score_loss(yt, yp)}
""",
    "multiclass": f"""
from sklearn.metrics import log_loss
yt = df["y_true"].to_numpy()
p = df[[f"p_{{k}}" for k in range({datafiles.N_CLASSES})]].to_numpy(copy=True)
out = {{"cross_entropy": log_loss(yt, p, labels=list(range({datafiles.N_CLASSES})))}}
p[np.arange(len(yt)), yt] -= 1.0
out["brier"] = np.einsum("ij,ij->", p, p) / len(yt)
""",
}

PRINT_OUT = """
print(json.dumps({k: float(v) for k, v in out.items()}))
"""

PANDAS_READ = {
    "csv": "df = pd.read_csv(sys.argv[1])",
    "parquet": "df = pd.read_parquet(sys.argv[1])",
}

PYARROW_WHOLE_READ = {
    "csv": "import pyarrow.csv as pacsv\ntable = pacsv.read_csv(sys.argv[1], read_options=pacsv.ReadOptions(block_size={block}))",
    "parquet": "import pyarrow.parquet as pq\ntable = pq.read_table(sys.argv[1])",
}

PYARROW_BATCHES = {
    "csv": "import pyarrow.csv as pacsv\nbatches = pacsv.open_csv(sys.argv[1], read_options=pacsv.ReadOptions(block_size={block}))",
    "parquet": "import pyarrow.parquet as pq\nbatches = pq.ParquetFile(sys.argv[1]).iter_batches(batch_size={batch})",
}


def _pandas_program(kind: str, fmt: str) -> str:
    return "\n".join(
        [
            "import json, sys",
            "import numpy as np",
            "import pandas as pd",
            PANDAS_READ[fmt],
            PANDAS_LOSSES[kind],
            PRINT_OUT,
        ]
    )


def _pyarrow_whole_program(kind: str, fmt: str) -> str:
    return "\n".join(
        [
            "import json, sys",
            "import numpy as np",
            NUMPY_SUMS[kind],
            PYARROW_WHOLE_READ[fmt].format(block=CSV_BLOCK_BYTES),
            "cols = {name: table.column(name).to_numpy() for name in table.column_names}",
            "out = {k: v / table.num_rows for k, v in sums(cols).items()}",
            PRINT_OUT,
        ]
    )


def _pyarrow_stream_program(kind: str, fmt: str) -> str:
    return "\n".join(
        [
            "import json, sys",
            "import numpy as np",
            NUMPY_SUMS[kind],
            PYARROW_BATCHES[fmt].format(block=CSV_BLOCK_BYTES, batch=STREAM_BATCH_ROWS),
            "total, rows = {}, 0",
            "for batch in batches:",
            "    cols = {name: batch.column(name).to_numpy() for name in batch.schema.names}",
            "    for k, v in sums(cols).items():",
            "        total[k] = total.get(k, 0.0) + v",
            "    rows += batch.num_rows",
            "out = {k: v / rows for k, v in total.items()}",
            PRINT_OUT,
        ]
    )


def sql_select(kind: str) -> str:
    """The SELECT list that computes the kind's losses (the same SQL for both DuckDB peers)."""
    if kind == "regression":
        d, a = "(y_true-y_pred)", "abs(y_true-y_pred)"
        return (
            f"avg({d}*{d}) AS mse, avg({a}) AS mae, "
            f"avg(CASE WHEN {a}<=1 THEN 0.5*{d}*{d} ELSE {a}-0.5 END) AS huber"
        )
    if kind == "binary":
        return (
            "avg(-(y_true*ln(y_pred) + (1-y_true)*ln(1-y_pred))) AS bce, "
            "avg((y_pred-y_true)*(y_pred-y_true)) AS brier"
        )
    classes = range(datafiles.N_CLASSES)
    picked = " ".join(f"WHEN {k} THEN p_{k}" for k in classes)
    squares = " + ".join(
        f"(p_{k}-CASE WHEN y_true={k} THEN 1.0 ELSE 0.0 END)*(p_{k}-CASE WHEN y_true={k} THEN 1.0 ELSE 0.0 END)"
        for k in classes
    )
    return f"avg(-ln(CASE y_true {picked} END)) AS cross_entropy, avg({squares}) AS brier"


def sql_query(kind: str, path: Path) -> str:
    quoted = str(path).replace("'", "''")
    return f"SELECT {sql_select(kind)} FROM '{quoted}'"


def _duckdb_python_program(kind: str) -> str:
    return "\n".join(
        [
            "import json, sys",
            "import duckdb",
            f"select = {sql_select(kind)!r}",
            'path = sys.argv[1].replace("\'", "\'\'")',
            # no progress bar on stdout when a query runs over two seconds (a loaded machine)
            "con = duckdb.connect()",
            'con.execute("SET enable_progress_bar = false")',
            "cursor = con.execute(f\"SELECT {select} FROM '{path}'\")",
            "out = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))",
            PRINT_OUT,
        ]
    )


def _polars_program(kind: str, fmt: str) -> str:
    if kind == "regression":
        exprs = """
d = pl.col("y_true") - pl.col("y_pred")
a = d.abs()
exprs = dict(
    mse=(d * d).mean(),
    mae=a.mean(),
    huber=pl.when(a <= 1.0).then(0.5 * d * d).otherwise(a - 0.5).mean(),
)
"""
    elif kind == "binary":
        exprs = """
y = pl.col("y_true").cast(pl.Float64)
p = pl.col("y_pred")
exprs = dict(
    bce=(-(y * p.log() + (1.0 - y) * (1.0 - p).log())).mean(),
    brier=((p - y) ** 2).mean(),
)
"""
    else:
        exprs = f"""
y = pl.col("y_true")
ks = range({datafiles.N_CLASSES})
picked = pl.sum_horizontal([pl.when(y == k).then(pl.col(f"p_{{k}}")).otherwise(0.0) for k in ks])
squares = pl.sum_horizontal(
    [(pl.col(f"p_{{k}}") - (y == k).cast(pl.Float64)) ** 2 for k in ks]
)
exprs = dict(cross_entropy=(-picked.log()).mean(), brier=squares.mean())
"""
    return "\n".join(
        [
            "import json, sys",
            "import polars as pl",
            exprs,
            f"frame = pl.scan_{fmt}(sys.argv[1]).select(**exprs).collect()",
            "out = frame.row(0, named=True)",
            PRINT_OUT,
        ]
    )


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One benchmarked program: its argv, and how to read its loss values from stdout."""

    key: str
    label: str
    argv: list[str]
    parse: Callable[[str], dict[str, float]]


def _bin_dir_first(name: str) -> str | None:
    """The executable ``name`` beside this interpreter (no pyenv or venv shims), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def losscli_argv() -> list[str]:
    found = _bin_dir_first("losscli")
    return [found] if found else [sys.executable, "-m", "losscli"]


def duckdb_cli_binary() -> str | None:
    """The DuckDB CLI executable itself (not the Python launcher of the duckdb-cli package)."""
    spec = importlib.util.find_spec("duckdb_cli")
    if spec is not None and spec.origin:
        binary = Path(spec.origin).parent / "duckdb"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return shutil.which("duckdb")


def parse_losscli(stdout: str) -> dict[str, float]:
    report = json.loads(stdout)
    return {r["label"]: float(r["value"]) for r in report["results"] if r.get("group") is None}


def parse_nothing(stdout: str) -> dict[str, float]:
    """A command that computes nothing: the imports losscli cannot start without."""
    return {}


def parse_json_object(stdout: str) -> dict[str, float]:
    line = stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in json.loads(line).items()}


def parse_duckdb_json(stdout: str) -> dict[str, float]:
    (row,) = json.loads(stdout)
    return {k: float(v) for k, v in row.items()}


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def case_commands(
    kind: str, fmt: str, path: Path, wanted: set[str] | None
) -> tuple[list[Command], list[str]]:
    """The commands of one case, and a message for each peer that is skipped."""
    commands: list[Command] = []
    skipped: list[str] = []
    py = sys.executable
    file = str(path)

    def add(key: str, label: str, argv: list[str], parse: Callable[[str], dict[str, float]]):
        if wanted is None or key in wanted:
            commands.append(Command(key, label, argv, parse))

    def python_peer(key: str, label: str, modules: Sequence[str], program: str) -> None:
        missing = [m for m in modules if not has_module(m)]
        if missing:
            if wanted is None or key in wanted:
                skipped.append(f"{label}: skipped, not installed: {', '.join(missing)}")
            return
        add(key, label, [py, "-c", program, file], parse_json_object)

    add(
        "losscli",
        "losscli compute",
        [*losscli_argv(), "compute", file, "--loss", ",".join(LOSSES[kind]), "--json"],
        parse_losscli,
    )
    reader = "pyarrow.parquet" if fmt == "parquet" else "pyarrow.csv"
    add(
        "floor",
        "import floor (numpy, pyarrow, typer)",
        [py, "-c", f"import numpy, pyarrow, {reader}, typer"],
        parse_nothing,
    )
    duckdb = duckdb_cli_binary()
    if duckdb:
        add(
            "duckdb-cli",
            "duckdb CLI",
            [duckdb, "-json", "-c", sql_query(kind, path)],
            parse_duckdb_json,
        )
    elif wanted is None or "duckdb-cli" in wanted:
        skipped.append("duckdb CLI: skipped, no `duckdb` executable (pip install duckdb-cli)")
    python_peer("duckdb-python", "duckdb Python", ["duckdb"], _duckdb_python_program(kind))
    python_peer("polars", "polars scan", ["polars"], _polars_program(kind, fmt))
    python_peer(
        "pyarrow-whole",
        "pyarrow read + numpy",
        ["pyarrow", "numpy"],
        _pyarrow_whole_program(kind, fmt),
    )
    python_peer(
        "pyarrow-stream",
        "pyarrow batches + numpy",
        ["pyarrow", "numpy"],
        _pyarrow_stream_program(kind, fmt),
    )
    python_peer(
        "pandas-sklearn",
        "pandas + sklearn",
        ["pandas", "sklearn", "pyarrow"] if fmt == "parquet" else ["pandas", "sklearn"],
        _pandas_program(kind, fmt),
    )
    return commands, skipped


PEER_KEYS = (
    "losscli",
    "floor",
    "duckdb-cli",
    "duckdb-python",
    "polars",
    "pyarrow-whole",
    "pyarrow-stream",
    "pandas-sklearn",
)


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    rss_kb: int
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


@functools.cache
def gnu_time() -> str | None:
    """GNU time, when it works here: it forks the command from a tiny process of its own."""
    found = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if found is None:
        return None
    with tempfile.NamedTemporaryFile("r") as report:
        done = subprocess.run(
            [found, "-f", "%M", "-o", report.name, "true"], capture_output=True, check=False
        )
        ok = done.returncode == 0 and report.read().strip().isdigit()
    return found if ok else None


def rss_method() -> str:
    if gnu_time():
        return f"peak RSS from `{gnu_time()} -f %M`, wall time from this process"
    return (
        "peak RSS from os.wait4 (GNU time not found: each figure is at least this "
        "process's own peak RSS)"
    )


def run_measured(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run argv to completion; wall time from start to reap, peak RSS of the command.

    A child's ru_maxrss counts the RSS of the process it was forked from, so when GNU time is
    available it launches the command and reports its peak RSS; else os.wait4's rusage is used.
    """
    time_bin = gnu_time()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as report,
    ):
        full = [time_bin, "-f", "%M", "-o", report.name, *argv] if time_bin else argv
        timed_out = threading.Event()
        start = time.perf_counter()
        proc = subprocess.Popen(
            full,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,
        )

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss_kb = usage.ru_maxrss
        if time_bin:
            lines = report.read().split()
            rss_kb = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        out.seek(0)
        err.seek(0)
        return Run(
            wall=wall,
            rss_kb=rss_kb,
            returncode=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            timed_out=timed_out.is_set(),
        )


@dataclass
class Stats:
    """Every timed run of one command in one case."""

    command: Command
    runs: list[Run] = field(default_factory=list)
    values: list[dict[str, float]] = field(default_factory=list)  # one per run, warm-ups too
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_kb for r in self.runs) * 1024 / 1e6


def _failure(run: Run) -> str | None:
    if run.timed_out:
        return "timed out"
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        return f"exit {run.returncode}: {last[:160]}"
    return None


def record(stats: Stats, run: Run, timed: bool) -> None:
    """Keep a run (unless a warm-up) and the values it printed; note the first failure."""
    failure = _failure(run)
    if failure is None:
        try:
            values = stats.command.parse(run.stdout)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            failure = f"unreadable output ({type(exc).__name__}: {exc})"
        else:
            stats.values.append(values)
    if failure is not None:
        stats.error = stats.error or failure
    elif timed:
        stats.runs.append(run)


def measure(
    commands: list[Command], repeat: int, warmup: int, timeout: float, env: dict[str, str]
) -> list[Stats]:
    """Run the commands in turn, ``warmup`` untimed rounds then ``repeat`` timed ones."""
    all_stats = [Stats(c) for c in commands]
    for round_ in range(warmup + repeat):
        timed = round_ >= warmup
        tag = f"run {round_ - warmup + 1}/{repeat}" if timed else "warm-up"
        for stats in all_stats:
            if stats.error is not None:
                continue
            run = run_measured(stats.command.argv, timeout, env)
            record(stats, run, timed)
            status = stats.error or "ok"
            log(
                f"  {tag:>9}  {stats.command.label:<24} {run.wall:8.3f} s "
                f"{run.rss_kb * 1024 / 1e6:8.1f} MB  {status}"
            )
    return all_stats


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def warm_page_cache(path: Path) -> None:
    """Read the file once so that every command starts from the same (warm) page cache."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    kind: str
    rows: int
    fmt: str
    path: Path
    stats: list[Stats]
    skipped: list[str]

    @property
    def name(self) -> str:
        return f"{self.kind} {datafiles.rows_label(self.rows)} {self.fmt}"

    def get(self, key: str) -> Stats | None:
        return next((s for s in self.stats if s.command.key == key), None)


@dataclass
class Goal:
    text: str
    measured: str
    met: bool | None  # None: could not be measured


def agree(reference: dict[str, float] | None, runs: list[dict[str, float]]) -> str:
    """✓ when every loss of every run matches losscli's to rel 1e-9, else ✗ and the worst."""
    if reference is None or not runs:
        return "?"
    if not any(runs):
        return "—"
    worst, worst_name = 0.0, ""
    for name, value in ((n, v) for values in runs for n, v in values.items()):
        if name not in reference:
            return f"✗ no {name} in losscli"
        ref = reference[name]
        rel = abs(value - ref) / max(abs(ref), 1e-300)
        if not math.isclose(value, ref, rel_tol=REL_TOL, abs_tol=0.0) and rel >= worst:
            worst, worst_name = rel, name
    return "✓" if not worst_name else f"✗ {worst_name} rel {worst:.1e}"


def rate(rows: int, seconds: float) -> str:
    per_second = rows / seconds
    if per_second >= 1e6:
        return f"{per_second / 1e6:.1f}M"
    return f"{per_second / 1e3:.0f}K"


def case_goals(case: Case) -> dict[str, Goal]:
    """The goals that apply to one case, keyed by command key."""
    goals: dict[str, Goal] = {}
    ours = case.get("losscli")
    if ours is None:
        return goals
    limit = RSS_LIMIT_MB[case.fmt]
    goals["losscli"] = Goal(
        f"{case.name}: losscli peak RSS ≤ {limit:.0f} MB",
        f"{ours.rss_mb:.0f} MB" if ours.ok else "n/a",
        (ours.rss_mb <= limit) if ours.ok else None,
    )
    if case.kind != "regression":
        return goals
    for goal in WALL_GOALS[case.fmt]:
        peer = case.get(goal.peer)
        label = peer.command.label if peer else goal.peer
        text = f"{case.name}: losscli wall ≤ {goal.limit:.2f}x {label}"
        if goal.limit < 1:
            text = f"{case.name}: losscli ≥ {1 / goal.limit:.0f}x faster than {label}"
        if peer is None:
            goals[goal.peer] = Goal(text, "not run", None)
        elif ours.ok and peer.ok:
            ratio = ours.wall / peer.wall
            measured = (
                f"losscli is {1 / ratio:.2f}x faster"
                if goal.limit < 1
                else f"losscli/peer {ratio:.2f}x"
            )
            goals[goal.peer] = Goal(text, measured, ratio <= goal.limit + 1e-12)
        else:
            goals[goal.peer] = Goal(text, "n/a", None)
    return goals


def growth_goals(cases: list[Case]) -> list[Goal]:
    """losscli's peak RSS at each larger size against the smallest size of the same files."""
    goals = []
    groups: dict[tuple[str, str], list[Case]] = {}
    for case in cases:
        groups.setdefault((case.kind, case.fmt), []).append(case)
    for (kind, fmt), group in groups.items():
        group.sort(key=lambda c: c.rows)
        base = group[0].get("losscli")
        for case in group[1:]:
            ours = case.get("losscli")
            text = (
                f"{kind} {fmt}: losscli peak RSS at {datafiles.rows_label(case.rows)} ≤ "
                f"{RSS_GROWTH_LIMIT:.2f}x that at {datafiles.rows_label(group[0].rows)}"
            )
            if base is None or ours is None or not (base.ok and ours.ok):
                goals.append(Goal(text, "n/a", None))
                continue
            ratio = ours.rss_mb / base.rss_mb
            goals.append(Goal(text, f"{ratio:.2f}x", ratio <= RSS_GROWTH_LIMIT))
    return goals


def yes_no(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "n/a"}[met]


def case_table(cases: list[Case]) -> tuple[list[str], list[Goal]]:
    lines = [
        "| case | command | wall s (median) | peak RSS MB | rows/s | peer/losscli | "
        "losscli/peer | values | goal |",
        "|---|---|---:|---:|---:|---:|---:|:---:|---|",
    ]
    goals: list[Goal] = []
    for case in cases:
        ours = case.get("losscli")
        reference = ours.values[0] if ours is not None and ours.ok else None
        per_command = case_goals(case)
        goals.extend(per_command.values())
        for stats in case.stats:
            key = stats.command.key
            goal = per_command.get(key)
            goal_cell = f"{goal.text.split(': ', 1)[1]}: {yes_no(goal.met)}" if goal else "—"
            if not stats.ok:
                error = (stats.error or "no run").replace("|", "\\|")
                lines.append(
                    f"| {case.name} | {stats.command.label} | failed | | | | | | {error} |"
                )
                continue
            wall = stats.wall
            if key == "losscli":
                ratio_peer = ratio_ours = "1.00"
                check = "ref"
            elif reference is not None and ours is not None:
                ratio_peer = f"{wall / ours.wall:.2f}"
                ratio_ours = f"{ours.wall / wall:.2f}"
                check = agree(reference, stats.values)
            else:
                ratio_peer = ratio_ours = "n/a"
                check = "?"
            lines.append(
                f"| {case.name} | {stats.command.label} | {wall:.3f} | {stats.rss_mb:.0f} | "
                f"{rate(case.rows, wall)} | {ratio_peer} | {ratio_ours} | {check} | {goal_cell} |"
            )
    return lines, goals


STARTUP = (
    ("import-typer", 'python -c "import typer"'),
    ("help", "losscli --help"),
    ("recommend", "losscli recommend --task binary --activation sigmoid --json"),
)


def startup_commands() -> list[Command]:
    losscli = losscli_argv()
    argvs = {
        "import-typer": [sys.executable, "-c", "import typer"],
        "help": [*losscli, "--help"],
        "recommend": [
            *losscli,
            *("recommend", "--task", "binary", "--activation", "sigmoid", "--json"),
        ],
    }
    return [Command(key, label, argvs[key], lambda _out: {}) for key, label in STARTUP]


def startup_table(stats: list[Stats]) -> tuple[list[str], list[Goal]]:
    lines = [
        "| command | wall s (median) | peak RSS MB | x import typer | goal |",
        "|---|---:|---:|---:|---|",
    ]
    goals = []
    base = stats[0]
    for s in stats:
        label = f"`{s.command.label}`"
        if not s.ok:
            lines.append(f"| {label} | n/a | n/a | n/a | {s.error} |")
            if s.command.key != "import-typer":
                goals.append(Goal(f"start-up: {s.command.label}", "n/a", None))
            continue
        ratio = s.wall / base.wall if base.ok else math.nan
        goal_cell = "—"
        if s.command.key != "import-typer":
            met = ratio <= STARTUP_LIMIT if base.ok else None
            goals.append(
                Goal(
                    f"start-up: `{s.command.label}` ≤ {STARTUP_LIMIT}x `import typer`",
                    f"{ratio:.2f}x",
                    met,
                )
            )
            goal_cell = f"≤ {STARTUP_LIMIT}x: {yes_no(met)}"
        lines.append(f"| {label} | {s.wall:.3f} | {s.rss_mb:.0f} | {ratio:.2f} | {goal_cell} |")
    return lines, goals


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(env: dict[str, str]) -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    duckdb = duckdb_cli_binary()
    duckdb_version = "not installed"
    if duckdb:
        done = subprocess.run([duckdb, "--version"], capture_output=True, text=True, check=False)
        duckdb_version = done.stdout.strip() or done.stderr.strip()
    packages = ", ".join(
        f"{name} {_version(dist)}"
        for name, dist in (
            ("losscli", "losscli"),
            ("numpy", "numpy"),
            ("pyarrow", "pyarrow"),
            ("pandas", "pandas"),
            ("scikit-learn", "scikit-learn"),
            ("duckdb", "duckdb"),
            ("polars", "polars"),
            ("typer", "typer"),
        )
    )
    blas = ", ".join(
        f"{name}={env[name]}" for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if name in env
    )
    return [
        f"- CPU: {cpu}; {os.cpu_count()} logical CPUs, {usable} usable",
        f"- Python {platform.python_version()} ({sys.executable}), {platform.platform()}",
        f"- {packages}",
        f"- DuckDB CLI: {duckdb_version}",
        f"- OpenBLAS environment of the commands: {blas or 'not set'}",
        f"- {rss_method()}",
        "- Python bytecode: "
        + (
            f"cached in {env['PYTHONPYCACHEPREFIX']}"
            if "PYTHONPYCACHEPREFIX" in env
            else "as the caller's environment has it"
            + (" (PYTHONDONTWRITEBYTECODE set)" if env.get("PYTHONDONTWRITEBYTECODE") else "")
        ),
        "- load average at start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    ]


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def _comma_list(text: str, valid: Sequence[str], what: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in items if item not in valid]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (valid: {', '.join(valid)})")
    return items


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark losscli compute against DuckDB, polars, pyarrow and pandas."
    )
    parser.add_argument("--rows", default="10M", help="rows per file, e.g. 10M or 10_000_000")
    parser.add_argument("--sizes", help="comma list of row counts (overrides --rows), e.g. 10M,50M")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each command")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each command first")
    parser.add_argument("--only", default="csv,parquet", help="formats: csv, parquet")
    parser.add_argument(
        "--kinds", default="regression", help="file kinds: regression, binary, multiclass"
    )
    parser.add_argument("--peers", help=f"commands to run (default all): {', '.join(PEER_KEYS)}")
    parser.add_argument("--data-dir", type=Path, default=datafiles.DEFAULT_DIR)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per command run")
    parser.add_argument("--startup-repeat", type=int, default=10, help="timed start-up runs")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    parser.add_argument(
        "--no-pycache",
        action="store_true",
        help="run the commands with the caller's bytecode settings (default: every Python "
        "command uses a bytecode cache under DATA_DIR/pycache, as an installed package would)",
    )
    parser.add_argument(
        "--unset-openblas",
        action="store_true",
        help="run every command without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE",
    )
    parser.add_argument("--quick", action="store_true", help="1M rows, 1 run: a smoke test")
    parser.add_argument("--verbose", action="store_true", help="print every command line")
    parser.add_argument(
        "--options",
        type=float,
        metavar="SCALE",
        help="run the options' benchmark instead (options.py: start-up, --by, --bootstrap, "
        "--baseline), data sizes times SCALE",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.warmup, args.startup_repeat = "1M", 1, 1, 3
    args.sizes = [datafiles.parse_rows(s) for s in (args.sizes or args.rows).split(",")]
    args.only = _comma_list(args.only, datafiles.FORMATS, "format")
    args.kinds = _comma_list(args.kinds, datafiles.KINDS, "kind")
    args.peers = set(_comma_list(args.peers, PEER_KEYS, "peer")) if args.peers else None
    if args.repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    return args


def ensure_data(kind: str, rows: int, fmt: str, data_dir: Path) -> Path:
    """Generate the file unless present (in a child process: this one stays small)."""
    script = Path(__file__).resolve().parent / "make_data.py"
    argv = [sys.executable, str(script), "--rows", str(rows), "--kinds", kind, "--formats", fmt]
    done = subprocess.run(
        [*argv, "--data-dir", str(data_dir)], stdout=subprocess.PIPE, text=True, check=True
    )
    return Path(done.stdout.strip().splitlines()[-1])


def enough_disk(data_dir: Path, kind: str, rows: int, fmt: str) -> bool:
    if datafiles.data_path(data_dir, kind, rows, fmt).exists():
        return True
    data_dir.mkdir(parents=True, exist_ok=True)
    need = BYTES_PER_ROW[(kind, fmt)] * rows + DISK_MARGIN_BYTES
    return shutil.disk_usage(data_dir).free >= need


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.options is not None:
        import options

        return options.main(["--scale", str(args.options), "--repeat", str(args.repeat)])
    env = dict(os.environ)
    if not args.no_pycache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str((args.data_dir / "pycache").resolve())
    if args.unset_openblas:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    started = time.perf_counter()
    print("# losscli benchmark\n")
    print("## Environment\n")
    print("\n".join(environment(env)))
    print(
        f"- repeat {args.repeat} (+{args.warmup} warm-up), medians of wall time; peak RSS is "
        "the largest over the timed runs; MB = 10^6 bytes"
    )
    sys.stdout.flush()

    notes: list[str] = []
    cases: list[Case] = []
    for kind in args.kinds:
        for rows in args.sizes:
            for fmt in args.only:
                if not enough_disk(args.data_dir, kind, rows, fmt):
                    notes.append(
                        f"{kind} {datafiles.rows_label(rows)} {fmt}: skipped, not enough disk"
                    )
                    continue
                try:
                    path = ensure_data(kind, rows, fmt, args.data_dir)
                except (subprocess.CalledProcessError, IndexError) as exc:
                    notes.append(f"{kind} {datafiles.rows_label(rows)} {fmt}: no data ({exc})")
                    continue
                commands, skipped = case_commands(kind, fmt, path, args.peers)
                case = Case(kind, rows, fmt, path, [], skipped)
                size_mb = path.stat().st_size / 1e6
                log(f"\n== {case.name} ({path}, {size_mb:,.0f} MB)")
                for message in skipped:
                    log(f"  {message}")
                if args.verbose:
                    for command in commands:
                        log(f"  $ {subprocess.list2cmdline(command.argv)}")
                warm_page_cache(path)
                case.stats = measure(commands, args.repeat, args.warmup, args.timeout, env)
                cases.append(case)
                notes.extend(f"{case.name}: {m}" for m in skipped)

    goals: list[Goal] = []
    if cases:
        print("\n## Loss computation\n")
        lines, case_goal_list = case_table(cases)
        print("\n".join(lines))
        goals.extend(case_goal_list)
        goals.extend(growth_goals(cases))
        kinds = sorted({c.kind for c in cases}, key=datafiles.KINDS.index)
        print()
        for kind in kinds:
            sql = f"SELECT {sql_select(kind)} FROM 'FILE'"
            if len(sql) > 400:
                sql = sql[:200] + " … " + sql[-60:]
            print(f"- {kind} SQL (both DuckDB peers): `{sql}`")
        print(
            "- peer/losscli > 1: losscli is faster; values: ✓ when every loss agrees with "
            f"losscli's JSON to rel {REL_TOL:g}"
        )

    if not args.no_startup:
        log("\n== start-up")
        startup = measure(startup_commands(), max(args.startup_repeat, 1), 1, args.timeout, env)
        print("\n## Start-up\n")
        lines, startup_goals = startup_table(startup)
        print("\n".join(lines))
        goals.extend(startup_goals)

    if goals:
        print("\n## Goals\n")
        for goal in goals:
            mark = {True: "✓", False: "✗", None: "?"}[goal.met]
            print(f"- {mark} {goal.text}: {goal.measured}")
        met = sum(g.met is True for g in goals)
        print(f"\n{met} of {len(goals)} goals met.")
    if notes:
        print("\n## Notes\n")
        print("\n".join(f"- {n}" for n in notes))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s; load average at end: {load})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
