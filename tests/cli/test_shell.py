"""The command line in a person's shell: completion scripts, help text at narrow and wide
terminals, metavars that name what they take."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("", "compute", "recommend", "compare", "losses")


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "losscli", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "preds.csv"
    path.write_text("y_true,y_pred,region\n1,2,a\n")
    return path


def help_text(command: str, columns: int) -> str:
    proc = run(*([command] if command else []), "--help", env={"COLUMNS": str(columns)})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("columns", [60, 120])
@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_every_value_and_keeps_examples_whole(command: str, columns: int):
    text = help_text(command, columns)
    # typer's type names are not metavars a person can act on
    assert not re.search(r"<(list\[str\]|str|int|float)>", text), text
    assert "{FILE}" not in text
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("losscli ")]
    assert examples, "every help shows examples"
    for line in examples:
        # an example is one line: no option at its end waiting for a value on the next line
        assert not re.search(r"--[a-z-]+$", line) or line.endswith(("--json", "--outliers")), line
    assert "Exit codes:" in text


def test_help_examples_are_the_source_lines_unwrapped():
    text = help_text("compute", 60)
    assert "losscli compute preds.parquet --pred 'p_*' --true label --loss cross_entropy" in text
    assert (
        "losscli compute preds.csv --by region --bootstrap 1000 --seed 1 --format markdown" in text
    )


def test_metavars():
    text = help_text("compute", 120)
    for shown in ("FILE...", "--loss LOSS[:PARAM=V]", "--true COL", "--pred COL", "--by COL"):
        assert shown in text
    assert "losscli compare [OPTIONS] [FILE]..." in help_text("compare", 120)


def test_recommend_task_help_tells_the_truth():
    text = " ".join(help_text("recommend", 120).split())
    assert "required without --from" in text


def test_losses_takes_quiet():
    proc = run("losses", "huber", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "huber" in proc.stdout


@pytest.mark.parametrize("style", ["bash_source", "source_bash"])
def test_bash_source_script(style: str):
    proc = run(env={"_LOSSCLI_COMPLETE": style})
    assert proc.returncode == 0, proc.stderr
    assert "_losscli_completion" in proc.stdout and "complete " in proc.stdout


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_source(shell: str):
    proc = run(env={"_LOSSCLI_COMPLETE": f"{shell}_source"})
    assert proc.returncode == 0 and "losscli" in proc.stdout, proc.stderr


def test_show_completion():
    proc = run("--show-completion", "bash")
    assert proc.returncode == 0 and "_losscli_completion" in proc.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_losses_and_columns(tmp_path: Path, csv_file: Path):
    script = run(env={"_LOSSCLI_COMPLETE": "bash_source"}).stdout
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "losscli").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m losscli "$@"\n')
    (shim / "losscli").chmod(0o755)

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        body = (
            f"{script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
            f"COMP_CWORD={len(words) - 1}\n_losscli_completion losscli\n"
            'printf "%s\\n" "${COMPREPLY[@]}"\n'
        )
        env = {"PATH": f"{shim}:{os.environ['PATH']}"}
        proc = subprocess.run(
            ["bash", "-c", body],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            cwd=tmp_path,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert "huber" in complete("losscli compute preds.csv --loss hu")
    assert "mse,huber" in complete("losscli compute preds.csv --loss mse,hu")
    assert complete("losscli compute preds.csv --by ") == ["y_true", "y_pred", "region"]
    assert complete("losscli compute preds.csv --true y_") == ["y_true", "y_pred"]
    assert "compute" in complete("losscli comp")


def test_zsh_and_fish_complete_columns(csv_file: Path):
    zsh = run(
        env={
            "_LOSSCLI_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": f"losscli compute {csv_file} --pred y",
        }
    )
    assert '"y_true"' in zsh.stdout and '"region"' not in zsh.stdout
    fish = run(
        env={
            "_LOSSCLI_COMPLETE": "fish_complete",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "losscli recommend --from " + str(csv_file) + " --true ",
        }
    )
    assert fish.stdout.split() == ["y_true", "y_pred", "region"]


def test_header_of_parquet_reads_the_schema_only(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from losscli.cli.complete import header

    pq.write_table(pa.table({"label": [1], "p_a": [0.5]}), tmp_path / "x.parquet")
    assert header(str(tmp_path / "x.parquet")) == ["label", "p_a"]
