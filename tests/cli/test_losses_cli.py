"""`losscli losses`: the catalogue as people and scripts see it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from losscli.cli import app
from losscli.losses import CATALOGUE

runner = CliRunner()


def test_table_lists_every_loss():
    result = runner.invoke(app, ["losses"])
    assert result.exit_code == 0
    for name in CATALOGUE:
        assert name in result.stdout


def test_json_schema():
    data = json.loads(runner.invoke(app, ["losses", "--json"]).stdout)
    assert data["schema_version"] == 1
    assert [entry["name"] for entry in data["losses"]] == list(CATALOGUE)
    assert len(data["losses"]) >= 20
    huber = next(e for e in data["losses"] if e["name"] == "huber")
    assert set(huber) == {
        "name", "title", "aliases", "tasks", "prediction", "accepts_logits",
        "clips_probabilities", "growth", "formula", "summary", "parameters", "equivalents",
        "notes",
    }  # fmt: skip
    assert huber["parameters"] == [
        {
            "name": "delta",
            "default": 1.0,
            "low": 0.0,
            "high": "inf",
            "low_open": True,
            "high_open": False,
            "optional": False,
            "doc": "where the loss turns from quadratic to linear",
        }
    ]
    assert set(huber["equivalents"]) == {"pytorch", "keras", "sklearn"}


def test_task_filter():
    data = json.loads(runner.invoke(app, ["losses", "--task", "multiclass", "--json"]).stdout)
    assert {e["name"] for e in data["losses"]} == {
        "cross_entropy", "kl_divergence", "js_divergence", "categorical_hinge", "focal", "brier"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("alias", "task"),
    [("huber", None), ("HuberLoss", None), ("log_loss", "multiclass"), ("kld", None), ("l2", None)],
)
def test_one_loss_in_full(alias, task):
    result = runner.invoke(app, ["losses", alias, *(["--task", task] if task else [])])
    assert result.exit_code == 0
    assert "pytorch" in result.stdout and "keras" in result.stdout


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_other_formats(fmt):
    result = runner.invoke(app, ["losses", "--format", fmt])
    assert result.exit_code == 0 and "huber" in result.stdout


def test_a_name_that_means_a_loss_per_task_needs_the_task():
    result = runner.invoke(app, ["losses", "log_loss"])
    assert result.exit_code == 2
    assert "bce for binary and multilabel; cross_entropy for multiclass" in result.stderr
    assert "pass --task, or name bce or cross_entropy" in result.stderr
    shown = runner.invoke(app, ["losses", "log_loss", "--task", "multiclass", "--json"])
    assert json.loads(shown.stdout)["loss"]["name"] == "cross_entropy"


def test_unknown_name_suggests_the_closest():
    result = runner.invoke(app, ["losses", "hubber"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown loss 'hubber' (did you mean huber")
    bad_task = runner.invoke(app, ["losses", "--task", "ranking"])
    assert bad_task.exit_code == 2 and "unknown task 'ranking'" in bad_task.stderr
