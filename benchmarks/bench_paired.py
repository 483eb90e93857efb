"""The paired baseline at scale: `compute NEW --baseline OLD --key id` on N matched rows against
computing both files separately (`compute NEW` + `compute OLD`), wall time and peak RSS.

    python benchmarks/bench_paired.py                # 10M rows, Parquet
    python benchmarks/bench_paired.py --rows 1M --bootstrap 50

Cases: the baseline in the same row order (no join: the keys are compared and found equal) and
shuffled (a hash join of the key columns). Goals: peak RSS within 1.5 GB, time within 3x of the
two separate runs (with the same --bootstrap). Report (Markdown) on stdout.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RSS_GOAL_MB = 1500.0
TIME_GOAL = 3.0


def rows_of(text: str) -> int:
    text = text.upper()
    scale = {"K": 10**3, "M": 10**6}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * scale)


def make(n: int, shuffled: bool) -> tuple[Path, Path]:
    """new.parquet and old.parquet with id, y_true, y_pred (1M-row row groups)."""
    DATA.mkdir(exist_ok=True)
    tag = f"{n}{'_shuffled' if shuffled else ''}"
    new, old = DATA / f"paired_new_{n}.parquet", DATA / f"paired_old_{tag}.parquet"
    if new.exists() and old.exists():
        return new, old
    program = f"""
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
n, shuffled = {n}, {shuffled}
rng = np.random.default_rng(0)
y = rng.normal(10, 3, n); e = rng.standard_t(4, n)
ids = np.arange(n)
new = pa.table({{"id": ids, "y_true": y, "y_pred": y + 1.02 * e}})
order = rng.permutation(n) if shuffled else ids
old = pa.table({{"id": ids[order], "y_true": y[order], "y_pred": (y + e)[order]}})
pq.write_table(new, "{new}", row_group_size=1 << 20)
pq.write_table(old, "{old}", row_group_size=1 << 20)
"""
    subprocess.run([sys.executable, "-c", program], check=True)
    return new, old


def measure(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, via GNU time when installed."""
    gnu = Path("/usr/bin/time")
    full = ([str(gnu), "-f", "%M"] if gnu.exists() else []) + argv
    start = time.perf_counter()
    done = subprocess.run(full, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    rss = float(done.stderr.strip().splitlines()[-1]) / 1000.0 if gnu.exists() else float("nan")
    return wall, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="10M")
    parser.add_argument("--bootstrap", type=int, default=0)
    parser.add_argument("--loss", default="mse,mae")
    args = parser.parse_args()
    n = rows_of(args.rows)
    cli = [sys.executable, "-m", "losscli", "compute", "--loss", args.loss, "--json"]
    boot = ["--bootstrap", str(args.bootstrap)]
    env_note = f"{os.cpu_count()} cores"
    print(f"# paired baseline, {n:,} rows, --bootstrap {args.bootstrap} ({env_note})\n")
    print("| case | paired s | separate s (both) | ratio | paired peak MB | goal |")
    print("|---|---|---|---|---|---|")
    for shuffled in (False, True):
        new, old = make(n, shuffled)
        extra = boot if args.bootstrap else []
        t_new, _ = measure([*cli, str(new), *extra])
        t_old, _ = measure([*cli, str(old), *extra])
        paired, rss = measure([*cli, str(new), "--baseline", str(old), "--key", "id", *boot])
        ratio = paired / (t_new + t_old)
        ok = rss <= RSS_GOAL_MB and ratio <= TIME_GOAL
        case = "shuffled (key lookup)" if shuffled else "same order (no join)"
        print(
            f"| {case} | {paired:.1f} | {t_new + t_old:.1f} | {ratio:.2f} | {rss:.0f} | "
            f"{'✓' if ok else '✗'} (≤ {RSS_GOAL_MB:.0f} MB, ≤ {TIME_GOAL:g}×) |"
        )


if __name__ == "__main__":
    main()
