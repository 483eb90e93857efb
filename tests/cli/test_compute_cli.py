"""`losscli compute` as a user and a CI job see it: exit codes, stdout, stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from losscli.cli import app
from tests.conftest import SAMPLE, write

runner = CliRunner()
REGRESSION = str(SAMPLE / "regression_diabetes.csv")


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_table_on_sample_data():
    result = run("compute", REGRESSION, "--loss", "huber")
    assert result.exit_code == 0, result.stderr
    assert "huber" in result.stdout and "442" in result.stdout
    assert "task regression (--task)" in result.stderr  # what was guessed goes to stderr


def test_json_is_valid_and_documented_fields_are_there():
    result = run("compute", REGRESSION, "--loss", "mse,huber:delta=2.5", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert set(data) == {
        "schema_version",
        "tool",
        "inputs",
        "results",
        "gates",
        "summary",
        "warnings",
        "passed",
    }
    assert set(data["inputs"]) >= {
        "files",
        "columns",
        "task",
        "rows",
        "values_clipped",
        "eps",
        "reduction",
        "labels",
    }
    first = data["results"][0]
    assert set(first) == {
        "name",
        "label",
        "params",
        "value",
        "reduction",
        "group",
        "rows",
        "weight_sum",
    }
    assert [r["label"] for r in data["results"]] == ["mse", "huber"]
    assert data["results"][1]["params"] == {"delta": 2.5}
    assert data["passed"] is True and data["summary"]["gates"] == 0


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_every_format_renders(fmt):
    result = run("compute", REGRESSION, "--loss", "mae", "--format", fmt, "--max", "mae=100")
    assert result.exit_code == 0, result.stderr
    assert "mae" in result.stdout


def test_csv_output_round_trips_full_precision():
    result = run("compute", REGRESSION, "--loss", "mse", "--format", "csv")
    rows = list(pd.read_csv(__import__("io").StringIO(result.stdout)).itertuples())
    df = pd.read_csv(REGRESSION)
    assert rows[0].value == ((df.y_pred - df.y_true) ** 2).mean()


def test_environment_variable_selects_the_format(monkeypatch):
    monkeypatch.setenv("LOSSCLI_FORMAT", "json")
    result = run("compute", REGRESSION, "--loss", "mae")
    assert json.loads(result.stdout)["results"][0]["name"] == "mae"


def test_output_file_is_written_atomically(tmp_path):
    out = tmp_path / "sub" / "result.json"
    result = run("compute", REGRESSION, "--json", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["inputs"]["rows"]["used"] == 442
    assert [p.name for p in out.parent.iterdir()] == ["result.json"]


def test_stdin(tmp_path):
    text = (SAMPLE / "regression_diabetes.csv").read_text()
    result = run("compute", "-", "--loss", "mse", "--json", input=text)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["inputs"]["files"] == ["<stdin>"]


def test_markdown_is_ready_for_a_pull_request():
    result = run("compute", REGRESSION, "--loss", "mae", "--max", "mae=40", "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout.startswith("### losscli: ❌ 1 of 1 gates failed")
    assert "| `--max mae=40` | ❌ fail |" in result.stdout


# -- gates --------------------------------------------------------------------------------------


def test_gate_pass_and_fail_set_the_exit_code():
    passed = run("compute", REGRESSION, "--loss", "mae", "--max", "mae=50", "--json")
    assert passed.exit_code == 0 and json.loads(passed.stdout)["passed"] is True
    failed = run("compute", REGRESSION, "--loss", "mae", "--max", "mae=40", "--json")
    assert failed.exit_code == 1
    data = json.loads(failed.stdout)  # the full result is still on stdout
    assert data["passed"] is False and data["gates"][0]["status"] == "fail"
    assert "failed: 1 of 1 gates: mae = 44.487 > 40" in failed.stderr


def test_min_gate_and_alias_names():
    result = run("compute", REGRESSION, "--loss", "mse", "--min", "l2=5000")
    assert result.exit_code == 1


@pytest.mark.parametrize("gate", ["huber(delta=30)=1000", "huber:delta=30=1000"])
def test_a_gate_with_parameters_never_matches_other_parameters(gate):
    result = run("compute", REGRESSION, "--loss", "huber", "--max", gate, "--json")
    data = json.loads(result.stdout)
    assert [r["params"]["delta"] for r in data["results"]] == [1.0, 30.0]
    assert data["gates"][0]["value"] == data["results"][1]["value"]


@pytest.mark.parametrize("gate", ["huber(delta=2=1", "huberdelta=2)=1", "huber((delta=2))=1"])
def test_unbalanced_gate_labels_are_usage_errors(gate):
    result = run("compute", REGRESSION, "--max", gate)
    assert result.exit_code == 2 and "malformed gate" in result.stderr


def test_gate_adds_the_loss_it_names():
    result = run("compute", REGRESSION, "--loss", "mse", "--max", "huber(delta=30)=1000", "--json")
    data = json.loads(result.stdout)
    assert [(r["label"], r["params"]) for r in data["results"]] == [
        ("mse", {}),
        ("huber", {"delta": 30.0}),  # the only huber: labelled by its name
    ]
    assert data["gates"][0]["loss"] == "huber" and data["gates"][0]["value"] < 1000
    assert result.exit_code == 0


def test_gates_hold_per_group_unless_overall():
    args = ["compute", str(SAMPLE / "binary_breast_cancer.csv"), "--by", "fold", "--loss", "bce"]
    per_group = run(*args, "--max", "bce=0.12", "--json")
    overall = run(*args, "--max", "bce=0.12", "--gate", "overall", "--json")
    assert per_group.exit_code == 1 and overall.exit_code == 0
    assert len(json.loads(per_group.stdout)["gates"]) == 6


def test_gate_that_cannot_be_evaluated_fails(tmp_path, regression_df):
    df = regression_df.assign(w=np.where(regression_df.region == "east", 0.0, 1.0))
    path = write(df, tmp_path / "zero.parquet")
    args = ["compute", str(path), "--weight", "w", "--loss", "mse", "--by", "region"]
    result = run(*args, "--max", "mse=1e9", "--json")
    assert result.exit_code == 1
    assert "mse [region=east] could not be evaluated" in result.stderr
    data = json.loads(result.stdout)
    assert [g["status"] for g in data["gates"]] == ["pass", "error", "pass", "pass"]
    assert run(*args, "--max", "mse=1e9", "--gate", "overall").exit_code == 0


def test_all_zero_weights_are_an_input_error(tmp_path, regression_df):
    path = write(regression_df.assign(w=0.0), tmp_path / "zero.parquet")
    result = run("compute", str(path), "--weight", "w")
    assert result.exit_code == 2 and "every weight is 0" in result.stderr


def test_stdin_in_other_formats(regression_df, tmp_path):
    path = write(regression_df, tmp_path / "x.parquet")
    result = runner.invoke(
        app,
        ["compute", "-", "--input-format", "parquet", "--loss", "mse", "--json"],
        input=path.read_bytes(),
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["inputs"]["rows"]["used"] == len(regression_df)


def test_baseline_guard(tmp_path):
    old = tmp_path / "old.json"
    run("compute", REGRESSION, "--loss", "mse", "--json", "--output", str(old))
    data = json.loads(old.read_text())
    data["results"][0]["value"] *= 0.9  # the old model was 10% better
    old.write_text(json.dumps(data))
    worse = run(
        "compute", REGRESSION, "--loss", "mse", "--baseline", str(old), "--max-increase", "mse=5%"
    )
    assert worse.exit_code == 1 and "+11.1%" in worse.stderr
    ok = run(
        "compute", REGRESSION, "--loss", "mse", "--baseline", str(old), "--max-increase", "mse=15%"
    )
    assert ok.exit_code == 0
    absolute = run(
        "compute", REGRESSION, "--loss", "mse", "--baseline", str(old), "--max-increase", "mse=1000"
    )
    assert absolute.exit_code == 0


def test_baseline_without_the_loss_fails(tmp_path):
    old = tmp_path / "old.json"
    run("compute", REGRESSION, "--loss", "mae", "--json", "--output", str(old))
    result = run(
        "compute", REGRESSION, "--loss", "mse", "--baseline", str(old), "--max-increase", "mse=5%"
    )
    assert result.exit_code == 1 and "baseline has no value" in result.stderr


# -- errors: one line on stderr, exit 2, no traceback ------------------------------------------

BAD_FILES = {
    "nonnumeric.csv": (
        "y_true,y_pred\n1,2\n3,abc\n",
        "column 'y_pred', row 2: non-numeric value 'abc'",
    ),
    "header.csv": ("y_true,y_pred\n", "no data rows"),
    "empty.csv": ("", "file is empty"),
    "ragged.csv": ("y_true,y_pred\n1,2\n3,4,5\n", "row 2: malformed row"),
    "missing.csv": ("y_true,y_pred\n1,2\n3,\n", "column 'y_pred', row 2: missing value"),
    "inf.csv": ("y_true,y_pred\n1,2\n3,inf\n", "column 'y_pred', row 2: infinite"),
    "nocolumns.csv": ("a,b\n1,2\n", "cannot find the prediction column"),
    "ambiguous.csv": (
        "y_true,pred,prediction\n1,2,3\n",
        "more than one column could be the prediction",
    ),
    "bad.parquet": ("not parquet at all", "not a readable Parquet file"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files(tmp_path, name):
    content, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(content)
    result = run("compute", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(path) in result.stderr
    assert result.stdout == ""


BAD_VALUES = [
    (
        "y_true,y_pred\n1,0.2\n0,1.5\n",
        ["--loss", "bce"],
        "row 2: probability 1.5 is outside [0, 1]",
    ),
    ("y_true,y_pred\n0,0.2\n2,0.5\n", ["--task", "binary"], "row 2: label 2 does not fit a binary"),
    ("y_true,y_pred,w\n1,2,1\n3,4,-1\n", ["--weight", "w"], "column 'w', row 2: weights must be"),
    ("y_true,y_pred\n1,2\n-3,4\n", ["--loss", "msle"], "row 2: msle needs values > -1"),
    ("y_true,y_pred\n1,2\n-3,4\n", ["--loss", "poisson"], "column 'y_true', row 2: poisson needs"),
    ("label,p_a,p_b\na,0.5,0.5\nc,0.1,0.9\n", [], "label 'c' has no prediction column"),
    ("y,p_0,p_1\n0,0.5,0.5\n3,0.1,0.9\n", [], "label 3 does not fit a binary task"),
    ("y_true,y_pred\nham,0.2\nspam,0.9\n", [], "which one is positive?"),
    ("y_true,y_pred\n1,2\n", ["--loss", "hubr"], "unknown loss 'hubr' (did you mean huber?)"),
    ("y_true,y_pred\n1,2\n", ["--loss", "huber:delta=-1"], "'delta'=-1 is outside (0, inf]"),
    ("y_true,y_pred\n1,2\n", ["--loss", "huber:dlta=1"], "unknown parameter 'dlta'"),
    ("y_true,y_pred\n1,2\n", ["--max", "huber"], "malformed gate '--max huber'"),
    ("y_true,y_pred\n1,2\n", ["--max", "mse=abc"], "'abc' is not a number"),
    ("y_true,y_pred\n1,2\n", ["--max", "nope=1"], "unknown loss 'nope'"),
    ("y_true,y_pred\n1,2\n", ["--max-increase", "mse=5%"], "--max-increase needs --baseline"),
    ("y_true,y_pred\n1,2\n", ["--true", "target"], "column 'target': missing column"),
    ("y_true,y_pred\n1,2\n", ["--nan", "maybe"], "--nan must be 'error' or 'drop'"),
    ("y_true,y_pred\n1,2\n", ["--task", "ranking"], "unknown task 'ranking'"),
    ("y_true,y_pred\n1,2\n", ["--per-row", "rows.xlsx"], "--per-row writes .csv"),
]


@pytest.mark.parametrize(("content", "args", "message"), BAD_VALUES)
def test_bad_values_and_options(tmp_path, monkeypatch, content, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.csv").write_text(content)
    result = run("compute", "p.csv", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_missing_file():
    result = run("compute", "no/such/file.parquet")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no/such/file.parquet: no such file"


def test_internal_error_exits_3_without_traceback(monkeypatch):
    import losscli.evaluate

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(losscli.evaluate, "compute", boom)
    result = run("compute", REGRESSION)
    assert result.exit_code == 3
    assert "internal error: RuntimeError: kaboom" in result.stderr
    assert "Traceback" not in result.stderr
    debug = run("compute", REGRESSION, "--debug")
    assert isinstance(debug.exception, RuntimeError)


def test_no_colour_or_progress_when_piped():
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "losscli", "compute", REGRESSION, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0
    assert "\x1b[" not in proc.stdout and "\x1b[" not in proc.stderr
    json.loads(proc.stdout)


def test_quiet_silences_messages_but_not_a_failed_gate():
    result = run("compute", REGRESSION, "--loss", "mae", "--max", "mae=40", "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("failed:")
    quiet_ok = run("compute", REGRESSION, "--loss", "mae", "-q")
    assert quiet_ok.stderr == ""
