"""Every task x activation x labels x hint combination: the check command `recommend` prints runs
(exit 0) on data of that shape, so the advice and the tool cannot drift apart."""

from __future__ import annotations

import itertools
import shlex
import zlib
from pathlib import Path

import numpy as np
import pytest
import scipy.special
from typer.testing import CliRunner

from losscli.advice import ACTIVATIONS, LABELS, TASKS, recommend
from losscli.cli import app
from losscli.errors import UsageError

N, K = 30, 3
HINTS = list(itertools.product((False, True), (False, True)))  # (outliers, imbalanced)
runner = CliRunner()


def _activate(activation: str, z: np.ndarray, axis_classes: bool) -> np.ndarray:
    """What a last layer with this activation outputs for the raw scores z."""
    if activation == "sigmoid":
        return scipy.special.expit(z)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "softplus":
        return np.logaddexp(0.0, z)
    if activation == "softmax":
        return scipy.special.softmax(z, axis=1) if axis_classes else np.ones_like(z)
    return z


def shaped_data(task: str, activation: str, labels: str | None) -> dict[str, np.ndarray]:
    """Columns named as the printed commands name them: y_true / y_pred, label, y_k, p_k,
    logit_k. The prediction columns hold what the activation outputs."""
    rng = np.random.default_rng(zlib.crc32(f"{task}-{activation}-{labels}".encode()))
    if task == "regression":
        y = rng.normal(3.0, 1.0, N)
        return {"y_true": y, "y_pred": _activate(activation, y + rng.normal(0, 0.5, N), False)}
    if task == "binary":
        hard = (np.arange(N) % 3 == 0).astype(float)
        out = {"y_pred": _activate(activation, rng.normal(0, 2, N), False)}
        if labels == "onehot":
            out["y_0"], out["y_1"] = 1 - hard, hard
        else:
            out["y_true"] = {"pm1": 2 * hard - 1, "soft": rng.uniform(0.05, 0.95, N)}.get(
                labels or "int", hard
            )
        return out
    z = rng.normal(0, 2, (N, K))
    outputs = _activate(activation, z, True)
    columns = {f"p_{k}": outputs[:, k] for k in range(K)}
    columns.update({f"logit_{k}": outputs[:, k] for k in range(K)})
    if task == "multiclass":
        index = np.arange(N) % K
        if labels in (None, "int"):
            columns["label"] = index.astype(float)
        else:
            y = np.eye(K)[index] if labels == "onehot" else rng.dirichlet(np.ones(K), N)
            columns.update({f"y_{k}": y[:, k] for k in range(K)})
        return columns
    hard = (rng.random((N, K)) < 0.4).astype(float)
    hard[0] = 1.0
    hard[1] = 0.0
    y = {"pm1": 2 * hard - 1, "soft": rng.uniform(0.05, 0.95, (N, K))}.get(labels or "int", hard)
    if labels == "onehot":
        y = np.eye(K)[np.arange(N) % K]
    columns.update({f"y_{k}": y[:, k] for k in range(K)})
    return columns


def _write(path: Path, columns: dict[str, np.ndarray]) -> None:
    names = list(columns)
    rows = np.column_stack([columns[n] for n in names])
    body = "\n".join(",".join(f"{v:.17g}" for v in row) for row in rows)
    path.write_text(",".join(names) + "\n" + body + "\n")


def _cases():
    for task, activation, labels in itertools.product(TASKS, ACTIVATIONS, (None, *LABELS)):
        yield pytest.param(task, activation, labels, id=f"{task}-{activation}-{labels}")


@pytest.mark.parametrize(("task", "activation", "labels"), list(_cases()))
def test_every_printed_check_command_runs(tmp_path, task, activation, labels):
    if task == "multiclass" and labels == "pm1":
        with pytest.raises(UsageError):
            recommend(task, activation, labels=labels)
        return
    path = tmp_path / "preds.csv"
    _write(path, shaped_data(task, activation, labels))
    commands = {
        recommend(task, activation, labels=labels, outliers=o, imbalanced=i).compute_command
        for o, i in HINTS
    }
    for command in sorted(commands):
        argv = shlex.split(command)
        assert argv[:3] == ["losscli", "compute", "preds.csv"], command
        result = runner.invoke(app, [argv[1], str(path), *argv[3:], "--json"])
        assert result.exit_code == 0, f"{command}\n{result.stderr}"
