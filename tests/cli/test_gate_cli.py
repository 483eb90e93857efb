"""Gates as a CI job sees them: a gate judges exactly the loss it names, or the run stops with
exit 2 before reading; a baseline is validated before it is trusted."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from losscli import compute
from losscli.cli import app
from losscli.errors import InputError, UsageError
from losscli.executors import LocalExecutor
from losscli.gates import parse_gates
from tests.conftest import SAMPLE

runner = CliRunner()
REGRESSION = str(SAMPLE / "regression_diabetes.csv")
BINARY = str(SAMPLE / "binary_breast_cancer.csv")
MULTILABEL = str(SAMPLE / "multilabel_digits.csv")


def run(*args: str):
    return runner.invoke(app, list(args))


def as_json(result) -> dict:
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def judged(data: dict) -> list[tuple]:
    """Each gate outcome as (gate, loss params, group, value): what it judged."""
    params = {r["label"]: r["params"] for r in data["results"]}
    return [(g["gate"], params[g["loss"]], g["group"], g["value"]) for g in data["gates"]]


# -- a gate names exactly one computed loss ----------------------------------------------------


def test_a_name_two_computed_losses_share_is_exit_2_listing_their_labels():
    result = run(
        "compute", REGRESSION, "--loss", "huber:delta=2", "--loss", "huber:delta=3",
        "--max", "huber=1.3",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "2 computed losses are huber (huber(delta=2), huber(delta=3))" in result.stderr
    assert "--max 'huber(delta=2)=...'" in result.stderr
    assert result.stdout == ""  # no huber(delta=1) invented, no result


@pytest.mark.parametrize(
    ("loss", "gate", "params"),
    [
        ("huber:delta=2", "huber=100", {"delta": 2.0}),
        ("quantile:alpha=0.9", "quantile=100", {"alpha": 0.9}),
        ("tweedie:power=1.5", "tweedie=100", {"power": 1.5}),
    ],
)
def test_a_gate_on_the_one_parameterised_loss_judges_it(loss, gate, params):
    data = as_json(run("compute", REGRESSION, "--loss", loss, "--max", gate, "--json"))
    assert [r["params"] for r in data["results"]] == [params]  # nothing added beside it
    assert data["gates"][0]["value"] == data["results"][0]["value"]


def test_a_preset_gate_judges_its_own_parameters():
    args = ["compute", REGRESSION, "--loss", "tweedie:power=1.5", "--json"]
    data = as_json(run(*args, "--max", "poisson_deviance=1000"))
    assert [r["label"] for r in data["results"]] == ["tweedie(power=1.5)", "tweedie(power=1)"]
    assert judged(data)[0][1] == {"power": 1.0}


def test_a_bare_gate_on_a_loss_with_parameters_not_computed_is_exit_2():
    result = run("compute", REGRESSION, "--loss", "mse", "--max", "huber=1")
    assert result.exit_code == 2
    assert "huber was not computed" in result.stderr and "huber(delta=1)=1" in result.stderr


@pytest.mark.parametrize(
    "gate",
    [
        ["--max", "huber=100"],
        ["--min", "huber=0"],
        ["--max", "huber=100", "--by", "fold"],
        ["--min", "huber=0", "--by", "fold", "--gate", "overall"],
    ],
)
def test_adding_a_loss_to_the_config_never_changes_what_a_gate_judges(gate):
    base = ["compute", BINARY, "--task", "regression", "--loss", "huber:delta=2", *gate]
    before = judged(as_json(run(*base, "--json")))
    assert before and all(params == {"delta": 2.0} for _, params, _, _ in before)
    assert judged(as_json(run(*base, "--loss", "mae", "--json"))) == before
    assert judged(as_json(run(*base, "--loss", "huber:delta=2.0", "--json"))) == before
    refused = run(*base, "--loss", "huber:delta=3", "--json")
    assert refused.exit_code == 2 and "huber(delta=2), huber(delta=3)" in refused.stderr


def test_max_increase_per_group_judges_the_named_loss(tmp_path):
    old = tmp_path / "old.json"
    config = ["compute", BINARY, "--task", "regression", "--loss", "huber:delta=2", "--by", "fold"]
    assert run(*config, "--json", "--output", str(old)).exit_code == 0
    data = as_json(run(*config, "--baseline", str(old), "--max-increase", "huber=0", "--json"))
    assert data["passed"] and len(data["gates"]) == 6
    assert all(g["value"] == g["baseline"] for g in data["gates"])
    shared = run(*config, "--loss", "huber:delta=3", "--baseline", str(old),
                 "--max-increase", "huber=0")  # fmt: skip
    assert shared.exit_code == 2 and "huber(delta=2), huber(delta=3)" in shared.stderr


# -- decided before reading --------------------------------------------------------------------


@pytest.fixture
def no_reading(monkeypatch):
    def read(*args, **kwargs):
        raise AssertionError("the input was streamed")

    monkeypatch.setattr(LocalExecutor, "run", read)


FRAME = pd.DataFrame({"y_true": [1.0, 2.0, 3.0], "y_pred": [1.5, 2.0, 2.0]})


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"gate_scope": "groups"}, UsageError, "--gate must be 'all' or 'overall'"),
        ({"gates": parse_gates(max_increase=["mse=1"])}, UsageError, "needs --baseline"),
        (
            {"losses": ["huber:delta=2", "huber:delta=3"], "gates": parse_gates(["huber=1"])},
            UsageError,
            "2 computed losses are huber",
        ),
        (
            {"losses": ["mse"], "gates": parse_gates(max_increase=["mse=1"]),
             "baseline": {"schema_version": 1, "tool": {"name": "losscli"},
                          "inputs": {"task": "binary", "reduction": "mean", "rows": {"used": 3}},
                          "results": []}},
            InputError,
            "task binary, this run regression",
        ),
    ],
)  # fmt: skip
def test_gate_and_baseline_errors_come_before_a_row_is_streamed(no_reading, kwargs, error, match):
    with pytest.raises(error, match=match):
        compute(FRAME, **kwargs)


# -- baselines validated -------------------------------------------------------------------------


@pytest.fixture
def binary_baseline(tmp_path):
    """The --json of a bce run on all 569 rows of the breast-cancer sample."""
    path = tmp_path / "old.json"
    assert run("compute", BINARY, "--loss", "bce", "--json", "--output", str(path)).exit_code == 0
    return path


def rewrite(path, **changes) -> str:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))
    return str(path)


def gate_against(baseline, *args: str, data: str = BINARY):
    return run("compute", data, "--loss", "bce", "--baseline", str(baseline),
               "--max-increase", "bce=1000%", *args)  # fmt: skip


def test_multilabel_bce_is_no_baseline_for_binary_bce(tmp_path):
    old = tmp_path / "multilabel.json"
    assert (
        run("compute", MULTILABEL, "--loss", "bce", "--json", "--output", str(old)).exit_code == 0
    )
    result = gate_against(old)
    assert result.exit_code == 2
    assert f"baseline {old}: task multilabel, this run binary" in result.stderr


def test_a_sum_baseline_is_no_baseline_for_a_mean_run(tmp_path):
    old = tmp_path / "sum.json"
    args = ["--loss", "bce", "--reduction", "sum", "--json", "--output", str(old)]
    assert run("compute", BINARY, *args).exit_code == 0
    result = gate_against(old)
    assert result.exit_code == 2
    assert "reduction sum, this run mean (pass --reduction sum)" in result.stderr
    assert gate_against(old, "--reduction", "sum").exit_code == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema_version": 99}, "schema_version 99, this losscli reads 1"),
        ({"tool": {"name": "sklearn"}}, "not written by losscli"),
    ],
)
def test_a_baseline_of_another_schema_or_tool_is_refused(binary_baseline, change, message):
    result = gate_against(rewrite(binary_baseline, **change))
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize(
    ("value", "shown"), [("Infinity", "Infinity"), ("true", "true"), ('"0.1"', '"0.1"')]
)
def test_a_baseline_value_that_is_not_a_finite_number_is_refused(binary_baseline, value, shown):
    data = json.loads(binary_baseline.read_text())
    number = data["results"][0]["value"]
    binary_baseline.write_text(binary_baseline.read_text().replace(repr(number), value))
    result = gate_against(binary_baseline)
    assert result.exit_code == 2
    assert f"results[0] (bce): value {shown} is not a finite number" in result.stderr


def test_a_baseline_of_other_loss_parameters_is_refused(binary_baseline):
    result = run("compute", BINARY, "--loss", "bce:label_smoothing=0.1", "--baseline",
                 str(binary_baseline), "--max-increase", "bce=5%")  # fmt: skip
    assert result.exit_code == 2
    assert "bce with label_smoothing=0, this run label_smoothing=0.1" in result.stderr


def test_a_569_row_baseline_against_a_100_row_run_warns(tmp_path, binary_baseline):
    small = tmp_path / "small.csv"
    pd.read_csv(BINARY).head(100).to_csv(small, index=False)
    result = gate_against(binary_baseline, "--json", data=str(small))
    assert result.exit_code == 0, result.stderr
    warning = (
        f"baseline {binary_baseline} used 569 rows, this run 100 (-82%): a change may come "
        "from the data, not the model"
    )
    assert warning in json.loads(result.stdout)["warnings"]
    assert warning in result.stderr
    assert "used 569 rows" not in gate_against(binary_baseline).stderr  # same rows: no warning


def test_a_group_of_the_baseline_missing_from_the_run_fails(tmp_path):
    old = tmp_path / "old.json"
    args = ["--loss", "bce", "--by", "fold"]
    assert run("compute", BINARY, *args, "--json", "--output", str(old)).exit_code == 0
    subset = tmp_path / "subset.csv"
    frame = pd.read_csv(BINARY)
    frame[frame.fold != 4].to_csv(subset, index=False)
    result = run("compute", str(subset), *args, "--baseline", str(old),
                 "--max-increase", "bce=1000%", "--json")  # fmt: skip
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    failed = [g for g in data["gates"] if not g["passed"]]
    assert [(g["group"], g["status"]) for g in failed] == [({"fold": 4}, "error")]
    assert failed[0]["message"] == "bce [fold=4] is in the baseline but not in this run"
    assert run("compute", str(subset), *args, "--baseline", str(old), "--gate", "overall",
               "--max-increase", "bce=1000%").exit_code == 0  # fmt: skip


def test_a_weighted_baseline_is_no_baseline_for_an_unweighted_run(tmp_path):
    frame = pd.read_csv(BINARY).assign(w=1.0)
    path = tmp_path / "weighted.csv"
    frame.to_csv(path, index=False)
    old = tmp_path / "old.json"
    args = ["--loss", "bce", "--weight", "w", "--json", "--output", str(old)]
    assert run("compute", str(path), *args).exit_code == 0
    result = gate_against(old, data=str(path))
    assert result.exit_code == 2
    assert "weighted by 'w', this run unweighted (pass --weight w)" in result.stderr
