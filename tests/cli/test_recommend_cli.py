"""`losscli recommend` from the command line: exit codes, stdout, stderr, and --from on real files."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from losscli.cli import app

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sample_data"

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, ["recommend", *args], input=input)


def write_csv(path: Path, **columns) -> None:
    rows = zip(*columns.values(), strict=True)
    body = "".join(",".join(f"{float(v):.17g}" for v in row) + "\n" for row in rows)
    path.write_text(",".join(columns) + "\n" + body)


def compute_registered() -> bool:
    return any(c.name == "compute" for c in app.registered_commands)


def run_printed_command(command: str):
    """Run a printed `losscli compute ...` command in process, as a user would paste it."""
    argv = shlex.split(command)
    assert argv[:2] == ["losscli", "compute"]
    return runner.invoke(app, [*argv[1:], "--json"])


# ---------------------------------------------------------------------------------------------
# Without a file


def test_json_answer():
    result = run("--task", "binary", "--activation", "sigmoid", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["loss"] == {"name": "bce", "params": {}}
    assert set(data["frameworks"]) == {"pytorch", "keras", "sklearn"}
    assert data["compute_command"].startswith("losscli compute preds.csv --loss bce")
    assert result.stderr == ""


def test_warning_goes_to_output_and_one_line_to_stderr():
    result = run("--task", "binary", "--activation", "softmax", "--json")
    assert result.exit_code == 0
    warnings = json.loads(result.stdout)["warnings"]
    assert len(warnings) == 1 and "use a sigmoid output with bce" in warnings[0]
    assert result.stderr.splitlines() == [f"warning: {warnings[0]}"]


def test_quiet_silences_stderr_but_not_the_answer():
    result = run("--task", "multiclass", "--activation", "sigmoid", "--json", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert any("remove the sigmoid" in w for w in json.loads(result.stdout)["warnings"])


def test_hints_and_framework():
    result = run(
        "--task",
        "multiclass",
        "--activation",
        "none",
        "--labels",
        "int",
        "--imbalanced",
        "--framework",
        "keras",
        "--json",
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert next(iter(data["frameworks"])) == "keras"
    assert data["frameworks"]["keras"] == (
        "loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)"
    )
    assert data["hints"] == {
        "outliers": False,
        "imbalanced": True,
        "labels": "int",
        "framework": "keras",
    }
    assert data["alternatives"][0]["loss"] == "focal"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--task", "ranking", "--activation", "sigmoid"],
            "error: unknown task 'ranking' (valid: regression, binary, multiclass, multilabel)",
        ),
        (
            ["--task", "binary", "--activation", "gelu"],
            "error: unknown activation 'gelu' (valid: none, linear, sigmoid, tanh, softmax, relu, "
            "softplus)",
        ),
        (["--activation", "sigmoid"], "error: missing --task"),
        (["--task", "binary"], "error: missing --activation"),
        (["--task", "binary", "--activation", "none", "--labels", "x"], "error: unknown label"),
        (["--task", "binary", "--activation", "none", "--framework", "jax"], "error: unknown fr"),
        (["--task", "binary", "--activation", "none", "--true", "y"], "error: --true reads a f"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr


def test_table_output():
    result = run("--task", "binary", "--activation", "tanh", "--labels", "int")
    assert result.exit_code == 0
    out = result.stdout
    assert "Recommended loss: hinge" in out
    assert "HingeEmbeddingLoss is a different loss" in " ".join(out.split())
    lines = out.splitlines()
    i = lines.index("check it:")
    assert (
        lines[i + 1].strip() == "losscli compute preds.csv --loss hinge --true y_true --pred y_pred"
    )


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_every_format_renders(fmt, tmp_path):
    target = tmp_path / f"out.{fmt}"
    result = run(
        "--task", "regression", "--activation", "linear", "--outliers", "-f", fmt, "-o", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    text = target.read_text()
    assert "huber" in text
    if fmt == "json":
        assert json.loads(text)["loss"]["name"] == "huber"
    elif fmt == "csv":
        header, row = text.splitlines()
        assert header.startswith("task,activation,loss,spec,predictions,from_logits")
        assert row.startswith("regression,linear,huber,huber:delta=1,values,false")
    elif fmt == "markdown":
        assert text.startswith("## Recommended loss: `huber:delta=1`")
        assert "```sh\nlosscli compute preds.csv --loss huber" in text
    else:
        assert "check it:" in text


def test_help_shows_examples():
    result = run("--help")
    assert result.exit_code == 0
    assert "losscli recommend --task binary --activation sigmoid" in result.stdout
    assert "--from" in result.stdout


def test_no_heavy_imports():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from losscli.cli import app\n"
        "r = CliRunner().invoke(app, ['recommend', '--task', 'binary', '--activation', "
        "'sigmoid', '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(','.join(m for m in ('numpy', 'pandas', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == ""


# ---------------------------------------------------------------------------------------------
# --from FILE

SAMPLES = [
    # file, task, loss, from_logits, activation
    ("regression_diabetes", "regression", "mse", False, "none"),
    ("binary_breast_cancer", "binary", "bce", False, "sigmoid"),
    ("multiclass_wine", "multiclass", "cross_entropy", False, "softmax"),
    ("multiclass_digits_logits", "multiclass", "cross_entropy", True, "none"),
    ("multilabel_digits", "multilabel", "bce", False, "sigmoid"),
]


@pytest.mark.parametrize("ext", ["csv", "parquet"])
@pytest.mark.parametrize(("name", "task", "loss", "logits", "activation"), SAMPLES)
def test_from_sample_file(name, task, loss, logits, activation, ext):
    path = str(DATA / f"{name}.{ext}")
    result = run("--from", path, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["task"] == task
    assert data["loss"]["name"] == loss
    assert data["from_logits"] is logits
    assert data["activation"] == activation
    assert data["warnings"] == []
    inferred = data["inferred"]
    assert inferred["task"] == task and inferred["task_inferred"] is True
    assert inferred["files"] == [path]
    assert data["measurements"]["summary"]
    assert f"task {task} (--task)" in result.stderr
    command = data["compute_command"]
    assert command.startswith(f"losscli compute {shlex.quote(path)} --loss {loss}")
    assert command.endswith("--from-logits") is logits
    if not compute_registered():
        pytest.skip("losscli compute is not registered yet: cannot run the printed command")
    computed = run_printed_command(command)
    assert computed.exit_code == 0, computed.stderr
    results = json.loads(computed.stdout)["results"]
    assert [r["name"] for r in results] == [loss]


def test_from_regression_reports_its_measurements():
    result = run("--from", str(DATA / "regression_diabetes.csv"), "--json")
    m = json.loads(result.stdout)["measurements"]
    assert m["heavy_tails"] is False
    assert m["rows"] == 442
    assert 0 < m["top_share"] < 2 * m["top_share_normal"]
    assert m["excess_kurtosis"] < 2
    assert "no heavy tails" in m["summary"]


def test_from_heavy_tailed_file_recommends_huber_and_the_command_runs(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.normal(50, 10, 400)
    noise = rng.normal(0, 2, 400)
    noise[:8] = rng.normal(0, 40, 8)
    path = tmp_path / "heavy predictions.csv"
    write_csv(path, target=y, yhat=y + noise)
    result = run("--from", str(path), "--true", "target", "--pred", "yhat", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    delta = data["loss"]["params"]["delta"]
    assert data["loss"]["name"] == "huber" and data["measurements"]["heavy_tails"] is True
    assert data["spec"] == f"huber:delta={delta:g}"
    assert data["frameworks"]["pytorch"].startswith(f"loss = torch.nn.HuberLoss(delta={delta:g})")
    command = data["compute_command"]
    assert "--true target --pred yhat" in command and "'" in command  # the path is quoted
    if compute_registered():
        computed = run_printed_command(command)
        assert computed.exit_code == 0, computed.stderr
        assert json.loads(computed.stdout)["results"][0]["params"] == {"delta": delta}


def test_from_table_output_prints_a_runnable_command():
    path = str(DATA / "multiclass_digits_logits.parquet")
    result = run("--from", path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    command = lines[lines.index("check it:") + 1].strip()
    assert command == f"losscli compute {path} --loss cross_entropy --from-logits"
    assert "measured" in result.stdout and "data" in result.stdout


def test_from_with_column_options_passes_them_on():
    path = str(DATA / "multiclass_wine.csv")
    result = run("--from", path, "--true", "label", "--pred", "p_*", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["inferred"]["label_layout"] == "class names"
    assert data["inferred"]["classes"] == ["class_0", "class_1", "class_2"]
    command = data["compute_command"]
    assert command.endswith("--true label --pred 'p_*'")
    if compute_registered():
        assert run_printed_command(command).exit_code == 0


def test_from_stdin():
    text = (DATA / "binary_breast_cancer.csv").read_text()
    result = run("--from", "-", "--json", input=text)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["task"] == "binary" and data["loss"]["name"] == "bce"
    assert data["compute_command"] == "losscli compute - --loss bce"


def test_from_binary_scores_with_pm1_labels(tmp_path):
    rng = np.random.default_rng(1)
    t = np.where(rng.random(300) < 0.5, 1, -1)
    s = np.tanh(t + rng.normal(0, 1, 300))
    path = tmp_path / "svm.csv"
    write_csv(path, y_true=t, score=s)
    result = run("--from", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["loss"]["name"] == "hinge" and data["activation"] == "tanh"
    assert data["inferred"]["labels"] == "pm1" and data["inferred"]["predictions"] == "scores"
    assert "--from-logits" not in data["compute_command"]
    if compute_registered():
        assert run_printed_command(data["compute_command"]).exit_code == 0


def test_from_binary_logits_by_value(tmp_path):
    rng = np.random.default_rng(2)
    y = (rng.random(300) < 0.5).astype(int)
    z = 2 * (2 * y - 1) + rng.normal(0, 1, 300)
    path = tmp_path / "logits.csv"
    write_csv(path, y_true=y, y_pred=z)
    result = run("--from", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["from_logits"] is True and data["activation"] == "none"
    assert data["compute_command"].endswith("--loss bce --from-logits")
    assert "outside [0, 1], so logits" in result.stderr
    if compute_registered():
        assert run_printed_command(data["compute_command"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "no-such-file.csv"], "error: no-such-file.csv: "),
        (["--from", str(DATA / "binary_breast_cancer.csv"), "--labels", "int"], "error: --labels"),
        (["--from", str(DATA / "binary_breast_cancer.csv"), "--task", "x"], "error: unknown task"),
        (["--from", str(DATA / "binary_breast_cancer.csv"), "--pred", "nope"], "error: "),
    ],
)
def test_from_errors_are_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
