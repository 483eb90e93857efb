"""The command line as a whole: version, help, start-up cost, documentation of every option."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from losscli import __version__
from losscli.cli import app

runner = CliRunner()
HEAVY = ("numpy", "pandas", "pyarrow", "rich", "matplotlib")


def imported_by(*args: str) -> set[str]:
    """The heavy modules a `losscli` invocation imports, seen from a fresh interpreter."""
    code = (
        "import sys\n"
        "from losscli.cli import app\n"
        f"try:\n    app(args={list(args)!r}, prog_name='losscli')\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return set(json.loads(proc.stderr.strip().splitlines()[-1].replace("'", '"')))


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"losscli {__version__}"


def test_python_dash_m():
    proc = subprocess.run(
        [sys.executable, "-m", "losscli", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.strip() == f"losscli {__version__}"


def test_help_starts_without_heavy_modules():
    assert imported_by("--help") == set()
    assert imported_by("compute", "--help") == set()


SAMPLE = str(Path(__file__).resolve().parents[2] / "sample_data" / "regression_diabetes.csv")
#: Modules no call below needs (rich: stderr is a pipe; numpy.ma: np.median/np.unique pull it).
WATCHED = ("numpy", "numpy.ma", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.dataset", "rich")
WATCHED += ("losscli.advice.from_data", "losscli.cli.compare", "losscli.cli.compute")


def loaded_by_entry_point(*args: str) -> tuple[int, set[str]]:
    """(exit code, the watched modules loaded) of `python -m losscli ARGS`, stderr a pipe."""
    code = (
        "import atexit, runpy, sys\n"
        f"atexit.register(lambda: print('LOADED', [m for m in {WATCHED!r} if m in sys.modules],"
        " file=sys.stderr))\n"
        f"sys.argv = ['losscli', *{list(args)!r}]\n"
        "runpy.run_module('losscli', run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = [x for x in proc.stderr.splitlines() if x.startswith("LOADED ")][-1]
    return proc.returncode, set(json.loads(line[len("LOADED ") :].replace("'", '"')))


def test_the_entry_point_imports_only_what_the_call_needs():
    """--help and recommend --json: no numpy, pyarrow, pandas, rich, nor other commands' code;
    compute on a CSV: numpy and pyarrow, but no Parquet, datasets, pandas or rich."""
    code, loaded = loaded_by_entry_point("--help")  # lists every command: imports their modules
    assert code == 0 and loaded <= {"losscli.cli.compare", "losscli.cli.compute"}
    recommend = ("recommend", "--task", "binary", "--activation", "sigmoid", "--json")
    assert loaded_by_entry_point(*recommend) == (0, set())
    code, loaded = loaded_by_entry_point("compute", SAMPLE, "--json")
    assert code == 0 and loaded == {"numpy", "pyarrow", "losscli.cli.compute"}


def test_help_shows_examples_and_exit_codes():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "Exit codes:" in result.stdout
    for command in ("compute", "losses"):
        text = runner.invoke(app, [command, "--help"]).stdout
        assert "Examples:" in text, command


def _commands() -> list[typer.models.CommandInfo]:
    return list(app.registered_commands)


@pytest.mark.parametrize("command", _commands(), ids=lambda c: c.name)
def test_every_option_has_help(command):
    from typing import get_type_hints

    from typer.models import ArgumentInfo, OptionInfo

    hints = get_type_hints(command.callback, include_extras=True)
    hints.pop("return", None)
    assert hints
    for name, hint in hints.items():
        infos = [
            m for m in getattr(hint, "__metadata__", ()) if isinstance(m, OptionInfo | ArgumentInfo)
        ]
        assert infos and infos[0].help, f"{command.name}: --{name} has no help"


def test_unknown_command_is_a_usage_error():
    result = runner.invoke(app, ["frobnicate"])
    assert result.exit_code == 2
