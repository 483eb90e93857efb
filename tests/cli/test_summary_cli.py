"""`--summary FILE.md`: one run writes the JSON and the markdown a CI step shows, even when a gate
fails or the run cannot finish."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from losscli.cli import app
from tests.conftest import SAMPLE

runner = CliRunner()
REGRESSION = str(SAMPLE / "regression_diabetes.csv")


def invoke(*args: object):
    return runner.invoke(app, ["compute", REGRESSION, *map(str, args)])


def test_json_on_stdout_and_markdown_summary_when_a_gate_fails(tmp_path):
    summary = tmp_path / "gate.md"
    result = invoke("--loss", "mae", "--max", "mae=40", "--json", "--summary", summary)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["passed"] is False
    text = summary.read_text()
    assert text.startswith("### losscli: ❌ 1 of 1 gates failed")
    assert "| `--max mae=40` | ❌ fail |" in text
    assert [p.name for p in tmp_path.iterdir()] == ["gate.md"]  # no temporary file left


def test_summary_beside_an_output_file(tmp_path):
    out, summary = tmp_path / "metrics.json", tmp_path / "gate.md"
    result = invoke("--loss", "mae", "--json", "--output", out, "--summary", summary)
    assert result.exit_code == 0
    assert json.loads(out.read_text())["results"][0]["name"] == "mae"
    assert summary.read_text().startswith("### losscli")


def test_a_missing_baseline_still_leaves_a_summary_saying_why(tmp_path):
    summary, missing = tmp_path / "gate.md", tmp_path / "main-metrics.json"
    result = invoke("--baseline", missing, "--max-increase", "mae=5%", "--summary", summary)
    assert result.exit_code == 2
    text = summary.read_text()
    assert text.startswith("### losscli: ⚠️ not evaluated")
    assert "main-metrics.json" in text
