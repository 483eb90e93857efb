"""CLI tests of `losscli compare`: exit codes, stdout (data) and stderr (messages) apart."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from losscli.cli import app

ROOT = Path(__file__).resolve().parents[2]
DIABETES = str(ROOT / "sample_data" / "regression_diabetes.csv")
CANCER = str(ROOT / "sample_data" / "binary_breast_cancer.csv")

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["compare", *args])


def test_help_shows_examples():
    result = run("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "losscli compare preds.csv" in result.stdout
    assert "--contamination" in result.stdout and "--plot" in result.stdout


def test_without_a_file_compares_on_synthetic_data():
    result = run()
    assert result.exit_code == 0, result.stderr
    assert "mse" in result.stdout and "verdict: heavy tails" in result.stdout
    assert "█" in result.stdout
    assert "synthetic regression data" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_schema_on_synthetic_data():
    result = run("--json", "--rows", "800", "--seed", "2")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["task"] == "regression"
    assert data["data"]["source"] == "synthetic"
    assert data["data"]["rows"] == 800 and data["data"]["seed"] == 2
    assert data["data"]["top"] == 0.01 and data["data"]["contamination"] == 0.05
    assert data["data"]["magnitude"] == 10.0 and data["data"]["robust_scale"] > 0
    first = data["ranking"][0]
    assert set(first) == {
        "rank",
        "loss",
        "label",
        "params",
        "growth",
        "value",
        "top_share",
        "inflation",
        "contamination_ratio",
    }
    ranks = {x["loss"]: x["rank"] for x in data["ranking"]}
    assert ranks["mse"] < ranks["huber"] < ranks["mae"]
    verdict = data["verdict"]
    assert verdict["heavy_tails"] is True
    assert verdict["suggested"]["loss"] == "huber"
    assert verdict["compute_command"].startswith("losscli compute FILE --loss huber:delta=")
    assert data["skipped"] == []


def test_json_is_deterministic_for_a_seed():
    one = run("--json", "--task", "multiclass", "--seed", "5", "-q")
    two = run("--json", "--task", "multiclass", "--seed", "5", "-q")
    assert one.exit_code == 0 and one.stdout == two.stdout
    assert one.stderr == ""


def test_on_a_file_with_notes_on_stderr():
    result = run(DIABETES, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["data"]["source"] == [DIABETES] and data["data"]["rows"] == 442
    assert data["data"]["columns"]["pred"] == ["y_pred"]
    assert data["verdict"]["heavy_tails"] is False
    assert data["verdict"]["compute_command"].startswith(f"losscli compute {DIABETES}")
    assert "y_pred" in result.stderr  # what was inferred is reported


def test_binary_file_lists_skipped_losses_on_stderr():
    result = run(CANCER, "--loss", "bce", "--loss", "brier,focal")
    assert result.exit_code == 0, result.stderr
    assert {"bce", "brier", "focal"} <= set(result.stdout.split())
    default = run(CANCER)
    assert "not compared: hinge" in default.stderr


def test_top_and_contamination_accept_percentages():
    result = run("--json", "--top", "2%", "--contamination", "10%", "--rows", "500", "-q")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["data"]
    assert data["top"] == 0.02 and data["contamination"] == 0.1
    assert data["trimmed_rows"] == 10 and data["contaminated_rows"] == 49


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top", "2"], "--top"),
        (["--top", "abc"], "--top"),
        (["--contamination", "60%"], "--contamination"),
        (["--magnitude", "0"], "--magnitude"),
        (["--seed", "-1"], "--seed"),
        (["--rows", "5"], "--rows"),
        (["--task", "ranking"], "unknown task"),
        (["--loss", "nope"], "unknown loss"),
        (["--loss", "bce"], "does not apply"),
        (["--true", "y"], "needs a FILE"),
        (["missing.csv"], "missing.csv"),
        (["--plot", "out.pdf"], ".png or .svg"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_formats_and_output(tmp_path):
    csv_out = run("--format", "csv", "-q")
    assert csv_out.exit_code == 0
    assert csv_out.stdout.startswith("rank,loss,label,params,growth,value")
    markdown = run("--format", "markdown", "-q")
    assert "**Verdict:**" in markdown.stdout
    target = tmp_path / "out.json"
    written = run("--json", "--output", str(target), "-q")
    assert written.exit_code == 0 and written.stdout == ""
    assert json.loads(target.read_text())["schema_version"] == 1


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot(tmp_path, suffix):
    pytest.importorskip("matplotlib")
    target = tmp_path / f"sensitivity{suffix}"
    result = run("--rows", "400", "--plot", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.stat().st_size > 10_000
    assert "plot written" in result.stderr


def test_plot_without_matplotlib_exits_2(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    result = run("--plot", str(tmp_path / "x.png"))
    assert result.exit_code == 2
    assert result.stdout == ""  # checked before any work is done
    assert "pip install 'losscli[plot]'" in result.stderr
