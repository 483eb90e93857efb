"""Every code snippet `recommend` prints is run, on data of its shape, and its value compared with
`losscli compute` on the same data: PyTorch and scikit-learn for real, Keras and torchvision's
focal loss through their recorded semantics (tests/library_semantics.py cites the sources).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import scipy.special
import sklearn.metrics
import sklearn.utils.class_weight

torch = pytest.importorskip("torch")  # a test-only reference (.ci/run installs it)

import torch.nn.functional as F  # noqa: E402

import losscli  # noqa: E402
from losscli.advice import HINTS, RULES, recommend, rule_for  # noqa: E402
from tests.library_semantics import keras, torchvision  # noqa: E402

N, K = 40, 3


def _rule_id(rule) -> str:
    labels = f"-{rule.labels[0]}" if rule.labels else ""
    return f"{rule.task}-{rule.activations[0]}-{rule.loss}{labels}"


def _labels_for(rule) -> str | None:
    """The label encoding a rule's snippets are written for."""
    if rule.labels:
        return rule.labels[0]
    if rule.task == "regression":
        return None
    if rule.predictions == "scores":
        return "pm1"
    return "int"


def make_data(task: str, labels: str | None, seed: int = 0) -> dict[str, np.ndarray]:
    """Targets `y` and raw outputs `z` of a task's shape, with the awkward cases of real data: a
    multi-class class absent from y, a multi-label column of one value only."""
    rng = np.random.default_rng(seed)
    if task == "regression":
        y = rng.normal(3.0, 2.0, N)
        return {"y": y, "z": y + rng.standard_t(3, N)}
    width = {"binary": None, "multiclass": K, "multilabel": K}[task]
    shape = (N,) if width is None else (N, width)
    z = rng.normal(0.0, 2.0, shape)
    if task == "multiclass":
        y_int = rng.integers(0, K - 1, N)  # class K - 1 never occurs
        y = {
            "int": y_int,
            "onehot": np.eye(K)[y_int],
            "soft": rng.dirichlet(np.ones(K), N),
        }[labels or "int"]
        return {"y": y, "z": z}
    hard = (rng.random(shape) < 0.4).astype(float)
    if task == "multilabel":
        hard[:, 0] = 0.0  # a label that never occurs
    y = {
        "int": hard,
        "pm1": 2 * hard - 1,
        "soft": rng.uniform(0.05, 0.95, shape),
        "onehot": np.eye(2)[hard.astype(int)],
    }[labels or "int"]
    return {"y": y, "z": z}


def predictions(task: str, z: np.ndarray) -> dict[str, np.ndarray]:
    """The snippets' names for what a model outputs: p probabilities, z logits, s scores."""
    p = scipy.special.softmax(z, axis=1) if task == "multiclass" else scipy.special.expit(z)
    return {"p": p, "z": z, "s": np.tanh(z), "y_pred": z}


def run_snippet(code: str, framework: str, y: np.ndarray, outputs: dict[str, np.ndarray]) -> float:
    """`exec` a snippet with the libraries in scope and the data bound to its names."""
    scope: dict = {"np": np, "scipy": scipy, "sklearn": sklearn, "keras": keras}
    if framework == "pytorch":
        target = torch.tensor(y)
        if y.dtype.kind in "iu":
            target = target.long()
        scope.update(torch=torch, F=F, torchvision=torchvision, y=target)
        scope.update({k: torch.tensor(v) for k, v in outputs.items()})
    else:
        scope.update(outputs, y=y)
    exec(code, scope)
    return float(scope["loss"])


def write_csv(path: Path, columns: dict[str, np.ndarray]) -> None:
    names = list(columns)
    rows = np.column_stack([columns[n] for n in names])
    lines = [",".join(names)] + [",".join(f"{v:.17g}" for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def losscli_value(
    tmp_path: Path,
    task: str,
    y: np.ndarray,
    pred: np.ndarray,
    spec: str,
    *,
    from_logits: bool,
    weight: np.ndarray | None = None,
) -> float:
    """`losscli compute` on a CSV of the same data."""
    columns: dict[str, np.ndarray] = {}
    two_d = y.ndim == 2
    true_cols = [f"y_{k}" for k in range(y.shape[1])] if two_d else ["y_true"]
    for i, name in enumerate(true_cols):
        columns[name] = y[:, i] if two_d else y
    pred_cols = [f"q_{k}" for k in range(pred.shape[1])] if pred.ndim == 2 else ["y_pred"]
    for i, name in enumerate(pred_cols):
        columns[name] = pred[:, i] if pred.ndim == 2 else pred
    if weight is not None:
        columns["w"] = weight
    path = tmp_path / f"data{len(list(tmp_path.iterdir()))}.csv"
    write_csv(path, columns)
    result = losscli.compute(
        str(path),
        losses=[spec],
        true=true_cols,
        pred=pred_cols,
        weight="w" if weight is not None else None,
        task=task,
        from_logits=from_logits,
    )
    return float(result.value(spec.split(":")[0]))


def _expected(tmp_path, rule, data, spec) -> float:
    """losscli's value; soft and -1/+1 multi-label targets are checked one label at a time
    (--task binary), as the printed check command does."""
    task, y, z = rule.task, data["y"], data["z"]
    outputs = predictions(task, z)
    pred = {"probabilities": outputs["p"], "logits": z, "scores": outputs["s"], "values": z}
    chosen = pred[rule.predictions]
    if task == "multilabel" and _labels_for(rule) in ("soft", "pm1"):
        per_label = [
            losscli_value(
                tmp_path, "binary", y[:, k], chosen[:, k], spec, from_logits=rule.from_logits
            )
            for k in range(y.shape[1])
        ]
        return float(np.mean(per_label))
    return losscli_value(tmp_path, task, y, chosen, spec, from_logits=rule.from_logits)


def _cases():
    for rule in RULES:
        for framework in ("pytorch", "keras", "sklearn"):
            yield pytest.param(rule, framework, id=f"{_rule_id(rule)}-{framework}")


@pytest.mark.parametrize(("rule", "framework"), list(_cases()))
def test_rule_snippet_runs_and_matches_compute(tmp_path, rule, framework):
    labels = _labels_for(rule)
    activation = rule.activations[0]
    own = rule.labels[0] if rule.labels else None  # the rule's own text, data in `labels`
    answer = recommend(rule.task, activation, labels=own, outliers=bool(rule.outliers))
    assert rule_for(rule.task, activation, outliers=bool(rule.outliers), labels=own) is rule
    code = answer.frameworks[framework]
    data = make_data(rule.task, labels)
    y = data["y"]
    outputs = predictions(rule.task, data["z"])
    if rule.task == "regression" and framework == "keras":
        y, outputs = y[:, None], {**outputs, "y_pred": outputs["y_pred"][:, None]}
    got = run_snippet(code, framework, y, outputs)
    if rule.labels == ("soft",) and rule.task in ("binary", "multilabel"):
        # the snippet against losscli's own kernel now; against `compute` below
        kernel = losscli.get_loss(answer.loss).kernels["binary"]
        pred = data["z"] if rule.from_logits else outputs["p"]
        values = kernel(data["y"], pred, from_logits=rule.from_logits)
        assert got == pytest.approx(float(np.mean(values)), rel=1e-6), code
    expected = _expected(tmp_path, rule, data, answer.spec)
    assert got == pytest.approx(expected, rel=1e-6), code


def test_squashed_multiclass_outputs_say_remove_the_activation():
    for activation in ("sigmoid", "tanh", "relu", "softplus"):
        answer = recommend("multiclass", activation)
        assert answer.why.startswith(f"Remove the {activation} and feed the raw scores")
        assert "Raw outputs are logits" not in answer.why
        assert answer.from_logits and "--from-logits" in answer.compute_command


def test_sigmoid_before_softmax_caps_the_true_class_as_the_warning_says():
    """softmax over sigmoid outputs in (0, 1): the true class gets at most e / (e + K - 1)."""
    k = 10
    scores = torch.full((1, k), -30.0)
    scores[0, 0] = 30.0
    best = torch.softmax(torch.sigmoid(scores), dim=1)[0, 0].item()
    assert best == pytest.approx(np.e / (np.e + k - 1), rel=1e-6)
    assert any("0.23 for 10 classes" in w for w in recommend("multiclass", "sigmoid").warnings)
    assert round(best, 2) == 0.23


# ---------------------------------------------------------------------------------------------
# The hints' alternatives: their code runs, and reproduces what they say


def _alternative(task: str, loss: str, activation: str = "none"):
    answer = recommend(task, activation, imbalanced=True)
    return next(a for a in answer.alternatives if a.loss == loss and a.code)


def test_every_hint_snippet_is_quoted_in_its_how():
    coded = [a for h in HINTS for a in h.alternatives if a.code]
    assert coded
    for alt in coded:
        for code in alt.code.values():
            assert f"`{code}`" in alt.how


@pytest.mark.parametrize("task", ["binary", "multilabel"])
@pytest.mark.parametrize("framework", ["pytorch", "keras"])
def test_binary_focal_snippets_match_compute(tmp_path, task, framework):
    alt = _alternative(task, "focal")
    data = make_data(task, "int")
    y, z = data["y"], data["z"]
    got = run_snippet(alt.code[framework], framework, y, predictions(task, z))
    expected = losscli_value(tmp_path, task, y, z, alt.spec(), from_logits=True)
    assert got == pytest.approx(expected, rel=1e-6)


def test_torchvision_focal_default_reduction_is_per_element_and_the_text_says_so():
    z, y = torch.zeros(4), torch.ones(4)
    assert torchvision.ops.sigmoid_focal_loss(z, y).shape == (4,)
    how = _alternative("binary", "focal").how
    assert "reduction='mean'" in how and "default reduction='none'" in how
    assert "from_logits=True" in how


def test_keras_focal_for_integer_labels_is_the_sparse_one(tmp_path):
    alt = _alternative("multiclass", "focal")
    assert "SparseCategoricalFocalCrossentropy(gamma=2.0, from_logits=True)" in alt.code["keras"]
    data = make_data("multiclass", "int")
    y, z = data["y"], data["z"]
    # integer labels into the one-hot loss: a shape error in the recorded semantics (Keras
    # broadcasts (N, 1) labels silently into a wrong value)
    with pytest.raises(ValueError):
        keras.losses.CategoricalFocalCrossentropy(gamma=2.0, from_logits=True)(y, z)
    got = run_snippet(alt.code["keras"], "keras", y, predictions("multiclass", z))
    expected = losscli_value(
        tmp_path, "multiclass", y, z, "focal:gamma=2,alpha=0.25", from_logits=True
    )
    assert got == pytest.approx(expected, rel=1e-6)
    assert "focal:gamma=2,alpha=0.25" in alt.how


def test_multiclass_focal_pytorch_snippet_matches_compute(tmp_path):
    alt = _alternative("multiclass", "focal")
    data = make_data("multiclass", "int")
    y, z = data["y"], data["z"]
    got = run_snippet(alt.code["pytorch"], "pytorch", y, predictions("multiclass", z))
    expected = losscli_value(tmp_path, "multiclass", y, z, alt.spec(), from_logits=True)
    assert got == pytest.approx(expected, rel=1e-6)


def test_pos_weight_is_losscli_weight_times_total_weight_over_n(tmp_path):
    """BCEWithLogitsLoss(pos_weight) divides by N, losscli --weight by sum(w): the `how` says
    how one reproduces the other."""
    alt = _alternative("binary", "bce")
    data = make_data("binary", "int")
    y, z = data["y"], data["z"]
    w = np.where(y == 1, (len(y) - y.sum()) / y.sum(), 1.0)
    weighted = losscli_value(tmp_path, "binary", y, z, "bce", from_logits=True, weight=w)
    outputs = predictions("binary", z)
    by_n = weighted * w.sum() / len(y)
    assert run_snippet(alt.code["pytorch"], "pytorch", y, outputs) == pytest.approx(by_n, rel=1e-6)
    assert run_snippet(alt.code["keras"], "keras", y, outputs) == pytest.approx(by_n, rel=1e-6)
    assert run_snippet(alt.code["sklearn"], "sklearn", y, outputs) == pytest.approx(
        weighted, rel=1e-6
    )
    assert "sum(w) / N" in alt.how


def test_class_weights_match_losscli_weight_column(tmp_path):
    alt = _alternative("multiclass", "cross_entropy")
    data = make_data("multiclass", "int")
    y, z = data["y"], data["z"]
    y[:3] = K - 1  # every class present, one of them rare
    counts = np.bincount(y, minlength=K)
    w = (len(y) / (K * counts))[y]
    expected = losscli_value(
        tmp_path, "multiclass", y, z, "cross_entropy", from_logits=True, weight=w
    )
    outputs = predictions("multiclass", z)
    for framework in ("pytorch", "sklearn"):
        got = run_snippet(alt.code[framework], framework, y, outputs)
        assert got == pytest.approx(expected, rel=1e-6), framework


def test_multilabel_pos_weight_snippet_is_the_weighted_formula():
    alt = _alternative("multilabel", "bce")
    data = make_data("multilabel", "int")
    y, z = data["y"], data["z"]
    y[0, 0] = 1.0  # a positive in every label, so each pos_weight is finite
    got = run_snippet(alt.code["pytorch"], "pytorch", y, predictions("multilabel", z))
    pos_weight = (len(y) - y.sum(0)) / y.sum(0)
    log_p, log_q = -np.logaddexp(0, -z), -np.logaddexp(0, z)
    assert got == pytest.approx(np.mean(-(pos_weight * y * log_p + (1 - y) * log_q)), rel=1e-9)
    assert "cannot reproduce per-label pos_weight" in alt.how


# ---------------------------------------------------------------------------------------------
# The numbers the advice quotes


def test_tanh_hinge_gradient_vanishes_where_bce_on_logits_does_not():
    z = torch.tensor(-5.0, dtype=torch.float64, requires_grad=True)
    torch.clamp(1 - 1.0 * torch.tanh(z), min=0).backward()
    hinge_grad = z.grad.item()
    z2 = torch.tensor(-5.0, dtype=torch.float64, requires_grad=True)
    torch.nn.BCEWithLogitsLoss()(z2, torch.tensor(1.0, dtype=torch.float64)).backward()
    bce_grad = z2.grad.item()
    assert f"{hinge_grad:.1e}" == "-1.8e-04"
    assert f"{bce_grad:.2f}" == "-0.99"
    why = recommend("binary", "tanh").why
    assert "dL/dz = -1.8e-4 at z = -5" in why and "-0.99" in why
    assert "linear score" in why and "never reached" in why
    # |tanh| < 1: the margin is never reached, every row keeps a positive loss
    s = torch.tanh(torch.tensor([20.0], dtype=torch.float32))
    assert torch.clamp(1 - s.double(), min=0).item() >= 0


def test_float32_sigmoid_saturates_for_large_positive_logits_only():
    f32 = torch.float32
    assert torch.sigmoid(torch.tensor(16.7, dtype=f32)).item() == 1.0
    assert torch.sigmoid(torch.tensor(16.5, dtype=f32)).item() < 1.0
    # a confidently wrong negative: BCELoss on the sigmoid is clamped at 100, the logit is exact
    z, y = torch.tensor([17.0], dtype=f32), torch.tensor([0.0], dtype=f32)
    assert torch.nn.BCELoss()(torch.sigmoid(z), y).item() == 100.0
    assert torch.nn.BCEWithLogitsLoss()(z, y).item() == pytest.approx(17.0, rel=1e-6)
    # the negative side keeps its precision far longer
    z, y = torch.tensor([-88.0], dtype=f32), torch.tensor([1.0], dtype=f32)
    assert torch.sigmoid(z).item() > 0
    assert torch.nn.BCELoss()(torch.sigmoid(z), y).item() == pytest.approx(88.0, rel=1e-3)
    why = recommend("binary", "none").why
    assert "above about 16.6" in why and "y = 0" in why and "-88" in why


def test_huber_answer_has_a_number_and_the_check_uses_it():
    answer = recommend("regression", "none", outliers=True)
    text = " ".join([*answer.frameworks.values(), answer.compute_command, answer.why])
    assert not re.search(r"<[a-z_]+>", text)
    assert "delta=1)" in answer.frameworks["pytorch"]
    assert "--loss huber:delta=1 " in answer.compute_command
    assert "1.345 x 1.4826 x MAD" in answer.why and "recommend --from FILE" in answer.why


def test_relu_and_softplus_regression_agree_and_state_their_assumptions():
    relu, softplus = recommend("regression", "relu"), recommend("regression", "softplus")
    assert relu.loss == softplus.loss == "mse"
    for answer in (relu, softplus):
        assert "constant variance" in answer.why and "counts" in answer.why
        poisson = next(a for a in answer.alternatives if a.loss == "poisson")
        assert "counts" in poisson.when and "never relu" in poisson.when


def test_hinge_catalogue_note_maps_only_zero_one_labels():
    note = losscli.CATALOGUE["hinge"].equivalents["pytorch"]
    assert "t = y for -1/+1 labels" in note and "2 * y - 1 for 0/1 labels" in note


def test_sklearn_recipes_survive_real_data():
    """The three scikit-learn traps: an all-zero label column, an absent class, a one-class
    column in hinge_loss."""
    y = np.zeros(5)
    p = np.full(5, 0.2)
    with pytest.raises(ValueError):
        sklearn.metrics.log_loss(y, p)
    assert sklearn.metrics.log_loss(y, p, labels=[0, 1]) == pytest.approx(-np.log(0.8))
    # a perfect score on a column with one class: hinge_loss says 3.0, the formula 0
    t, s = np.ones(3), np.full(3, 2.0)
    assert sklearn.metrics.hinge_loss(t, s) == pytest.approx(3.0)
    assert np.mean(np.maximum(0, 1 - t * s)) == 0.0
    for task, act in (("multilabel", "tanh"), ("binary", "tanh")):
        assert "hinge_loss" not in recommend(task, act).frameworks["sklearn"].split("#")[0]
