"""Issue 12's table: start-up, 10M-row Parquet and CSV against DuckDB, stdin, compare and
recommend --from, `--by` with many groups, `--bootstrap`, `--baseline` with many groups and the
table view of many groups, each against its peer in the same run, commands alternated, medians
of wall time, peak RSS.

    python benchmarks/options.py [--scale 1.0] [--repeat 3]
                                  [--only startup|throughput|data|options] [--case TEXT]
                                  [--study-rows 5000000] [--large] [--issue]

`--issue` runs every row of the issue's table at its sizes in one run (with `--large`, the 10M
rows x 1M groups case, and `--study-rows 50000000`, compare and recommend --from on 50M rows
against compute: at most 3x compute's wall time, within 1.5 GB).

The timed commands run with bytecode cached (an installed package has it), even where
PYTHONDONTWRITEBYTECODE is set; each is run once untimed first.

`--scale 0.25` runs every data case on a quarter of the rows (the groups scale with them).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # the runner and the DuckDB lookup

PY = sys.executable


def _groups_file(path: Path, rows: int, groups: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    y = rng.normal(size=rows)
    table = pa.table(
        {"g": rng.integers(0, groups, rows), "y_true": y, "y_pred": y + rng.normal(size=rows)}
    )
    pq.write_table(table, path)


def _startup_cases() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The fixed cost of a call against the import floor of its own dependencies."""
    lc = [PY, "-m", "losscli"]
    sample = str(Path(__file__).resolve().parents[1] / "sample_data" / "regression_diabetes.csv")
    return [
        (
            "compute, 442-row CSV",
            [
                ("losscli compute", [*lc, "compute", sample, "--json"]),
                (
                    "import numpy, pyarrow",
                    [PY, "-c", "import numpy, pyarrow, pyarrow.csv, pyarrow.parquet"],
                ),
            ],
        ),
        (
            "recommend --json",
            [
                (
                    "losscli recommend",
                    [*lc, "recommend", "--task", "binary", "--activation", "sigmoid", "--json"],
                ),
                ("import typer", [PY, "-c", "import typer"]),
            ],
        ),
        (
            "--help",
            [("losscli --help", [*lc, "--help"]), ("import typer", [PY, "-c", "import typer"])],
        ),
    ]


def _csv_file(path: Path, rows: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(1)
    y = rng.normal(size=rows).round(6)
    pred = (y + rng.standard_t(3, size=rows)).round(6)
    pacsv.write_csv(pa.table({"y_true": y, "y_pred": pred}), path)


def _throughput_cases(tmp: Path, scale: float) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """10M-row Parquet and CSV files, one loss, against DuckDB's CLI and Python and the imports
    losscli cannot start without (`bench.py` runs more peers, losses and sizes)."""
    lc = [PY, "-m", "losscli"]
    rows = int(10_000_000 * scale)
    parquet, csv = tmp / "rows.parquet", tmp / "rows.csv"
    _groups_file(parquet, rows, 1)
    _csv_file(csv, rows)
    duck = bench.duckdb_cli_binary()
    cases = []
    for path, reader in ((parquet, "pyarrow.parquet"), (csv, "pyarrow.csv")):
        sql = f"SELECT avg((y_true-y_pred)*(y_true-y_pred)) AS mse FROM '{path}'"
        duck_python = (
            "import duckdb; con = duckdb.connect(); "
            "con.execute('SET enable_progress_bar = false'); "
            f'print(con.execute("{sql}").fetchone()[0])'
        )
        commands = [("losscli compute", [*lc, "compute", str(path), "--loss", "mse", "--json"])]
        commands += [("duckdb CLI", [duck, "-json", "-c", sql])] if duck else []
        commands += [
            ("duckdb Python", [PY, "-c", duck_python]),
            ("import numpy, pyarrow, typer", [PY, "-c", f"import numpy, pyarrow, {reader}, typer"]),
        ]
        cases.append((f"{rows:,}-row {path.suffix[1:]}, one loss", commands))
    return cases


def _data_cases(
    tmp: Path, scale: float, study_rows: int
) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """stdin against the same file by path; compare and recommend --from against compute of
    the same losses on the same rows (`study_rows` of them, times the scale)."""
    lc = [PY, "-m", "losscli"]
    piped_rows, study_rows = int(5_000_000 * scale), int(study_rows * scale)
    csv_path = tmp / "piped.csv"
    _csv_file(csv_path, piped_rows)
    study = tmp / "study.parquet"
    _groups_file(study, study_rows, 1)
    pipe = " ".join([*lc, "compute", "-", "--loss", "mse,mae", "--json"])
    losses = ["--loss", "mse,mae,huber"]
    return [
        (
            f"{piped_rows:,}-row CSV piped on stdin",
            [
                ("losscli compute - < pipe", ["sh", "-c", f"cat {csv_path} | exec {pipe}"]),
                (
                    "losscli compute FILE",
                    [*lc, "compute", str(csv_path), "--loss", "mse,mae", "--json"],
                ),
            ],
        ),
        (
            f"compare, {study_rows:,} rows",
            [
                ("losscli compare", [*lc, "compare", str(study), *losses, "--json"]),
                ("losscli compute, same losses", [*lc, "compute", str(study), *losses, "--json"]),
            ],
        ),
        (
            f"recommend --from, {study_rows:,} rows",
            [
                ("losscli recommend --from", [*lc, "recommend", "--from", str(study), "--json"]),
                ("losscli compute", [*lc, "compute", str(study), "--loss", "mse", "--json"]),
            ],
        ),
    ]


def _large_cases(tmp: Path, scale: float) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """10M rows x 1M groups with the default losses, against the no-group run (goal: 10x)."""
    lc = [PY, "-m", "losscli"]
    rows, groups = int(10_000_000 * scale), int(1_000_000 * scale)
    path = tmp / "groups_large.parquet"
    _groups_file(path, rows, groups)
    return [
        (
            f"{rows:,} rows, --by g, {groups:,} groups, --json",
            [
                ("losscli --by", [*lc, "compute", str(path), "--by", "g", "--json"]),
                ("losscli, no --by", [*lc, "compute", str(path), "--json"]),
            ],
        )
    ]


def _cases(tmp: Path, scale: float) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """(case, [(label, argv), ...]): the first command is losscli, the others its peers."""
    lc = [PY, "-m", "losscli"]
    rows, groups = int(2_000_000 * scale), int(200_000 * scale)
    grouped = tmp / "groups.parquet"
    _groups_file(grouped, rows, groups)
    small_groups = tmp / "groups_100k.parquet"
    _groups_file(small_groups, rows, int(100_000 * scale))
    boot = tmp / "boot.parquet"
    _groups_file(boot, int(300_000 * scale), 1)
    baseline = tmp / "baseline.json"
    with baseline.open("w") as handle:
        import subprocess

        subprocess.run(
            [*lc, "compute", str(small_groups), "--by", "g", "--loss", "mse", "--json"],
            stdout=handle,
            check=True,
        )
    duck = bench.duckdb_cli_binary()
    group_sql = (
        f"SELECT g, avg((y_pred-y_true)^2), avg(abs(y_pred-y_true)), count(*) "
        f"FROM '{grouped}' GROUP BY g"
    )
    cases = [
        (
            f"{rows:,} rows, --by g, {groups:,} groups, --json",
            [("losscli --by", [*lc, "compute", str(grouped), "--by", "g", "--json"])]
            + ([("duckdb CLI GROUP BY", [duck, "-json", "-c", group_sql])] if duck else [])
            + [("losscli, no --by", [*lc, "compute", str(grouped), "--json"])],
        ),
        (
            f"{rows:,} rows, --by g, {groups:,} groups, --format csv",
            [
                (
                    "losscli --by csv",
                    [*lc, "compute", str(grouped), "--by", "g", "--format", "csv"],
                ),
                ("losscli --by --json", [*lc, "compute", str(grouped), "--by", "g", "--json"]),
            ],
        ),
        (
            f"{rows:,} rows, --by g, {groups:,} groups, table",
            [
                ("losscli --by table", [*lc, "compute", str(grouped), "--by", "g"]),
                ("losscli, no --by", [*lc, "compute", str(grouped), "--json"]),
            ],
        ),
        (
            f"{rows:,} rows, --bootstrap 100",
            [
                (
                    "losscli --bootstrap 100",
                    [*lc, "compute", str(grouped), "--loss", "mse", "--bootstrap", "100", "--json"],
                ),
                (
                    "losscli, no bootstrap",
                    [*lc, "compute", str(grouped), "--loss", "mse", "--json"],
                ),
            ],
        ),
        (
            f"{int(300_000 * scale):,} rows, --bootstrap 1000",
            [
                (
                    "losscli --bootstrap 1000",
                    [*lc, "compute", str(boot), "--loss", "mse", "--bootstrap", "1000", "--json"],
                ),
                ("losscli, no bootstrap", [*lc, "compute", str(boot), "--loss", "mse", "--json"]),
            ],
        ),
        (
            f"--baseline, {int(100_000 * scale):,} groups",
            [
                (
                    "losscli --baseline",
                    [
                        *lc,
                        "compute",
                        str(small_groups),
                        "--by",
                        "g",
                        "--loss",
                        "mse",
                        "--json",
                        "--baseline",
                        str(baseline),
                        "--max-increase",
                        "mse=100%",
                    ],
                ),
                (
                    "losscli, no baseline",
                    [
                        *lc,
                        "compute",
                        str(small_groups),
                        "--by",
                        "g",
                        "--loss",
                        "mse",
                        "--json",
                        "--max",
                        "mse=100",
                    ],
                ),
            ],
        ),
    ]
    return cases


def _env(tmp: Path) -> dict[str, str]:
    """The environment of the timed commands: bytecode cached (in `tmp`) as it is for an
    installed package, even where PYTHONDONTWRITEBYTECODE is set for development."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def _selected(tmp: Path, args: argparse.Namespace) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    cases = _startup_cases() if args.only in ("all", "startup") else []
    if args.only in ("all", "throughput"):
        cases += _throughput_cases(tmp, args.scale)
    if args.only in ("all", "data"):
        cases += _data_cases(tmp, args.scale, args.study_rows)
    if args.only in ("all", "options"):
        cases += _cases(tmp, args.scale)
    if args.large and args.only in ("all", "options"):
        cases += _large_cases(tmp, args.scale)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only",
        choices=("all", "startup", "throughput", "data", "options"),
        default="all",
        help="startup: the three start-up rows; throughput: 10M-row Parquet and CSV against "
        "DuckDB; data: stdin, compare, recommend --from; options: --by, --bootstrap, --baseline",
    )
    parser.add_argument("--case", default="", help="only the cases whose name holds this text")
    parser.add_argument(
        "--study-rows",
        type=int,
        default=5_000_000,
        help="rows of the compare and recommend --from cases (issue 12's goal: 50000000, a "
        "0.8 GB Parquet file in the temporary directory)",
    )
    parser.add_argument(
        "--large", action="store_true", help="add 10M rows x 1M groups (options, --by)"
    )
    parser.add_argument(
        "--issue",
        action="store_true",
        help="every row of issue 12's table in one run: --large and --study-rows 50000000",
    )
    args = parser.parse_args(argv)
    if args.issue:
        args.large, args.study_rows = True, 50_000_000
    print("| case | command | wall s | peak RSS MB | losscli/peer |\n|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp))
        for case, commands in _selected(Path(tmp), args):
            if args.case not in case:
                continue
            for _, cmd in commands:  # compile losscli once, as an installed package is
                bench.run_measured(cmd, timeout=900, env=env)
            walls: dict[str, list[float]] = {label: [] for label, _ in commands}
            rss: dict[str, int] = dict.fromkeys(walls, 0)
            for _ in range(args.repeat):
                for label, cmd in commands:
                    run = bench.run_measured(cmd, timeout=900, env=env)
                    if run.returncode not in (0, 1):
                        bench.log(f"{label}: exit {run.returncode}: {run.stderr[-300:]}")
                    walls[label].append(run.wall)
                    rss[label] = max(rss[label], run.rss_kb)
            first = statistics.median(walls[commands[0][0]])
            for i, (label, _) in enumerate(commands):
                wall = statistics.median(walls[label])
                ratio = "" if i == 0 else f"{first / wall:.2f}"
                print(f"| {case} | {label} | {wall:.3f} | {rss[label] / 1000:.0f} | {ratio} |")
            sys.stdout.flush()
    print(json.dumps({"scale": args.scale, "repeat": args.repeat, "load": os.getloadavg()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
