"""The decision table of `losscli.advice`, walked row by row, and the inference from data."""

from __future__ import annotations

import importlib
import itertools
import json
import re

import numpy as np
import pytest

from losscli.advice import (
    ACTIVATIONS,
    FRAMEWORKS,
    HINTS,
    LABELS,
    RULES,
    TASKS,
    WARNINGS,
    recommend,
    recommend_for_arrays,
    rule_for,
)
from losscli.diagnose import normal_share_for_rows as normal_top_share
from losscli.errors import UsageError
from losscli.losses import CATALOGUE

_BAD = {("multiclass", "pm1")}

rec = importlib.import_module("losscli.advice")  # the package: losscli.recommend is the function


def _rule_id(rule) -> str:
    conditions = []
    if rule.outliers is not None:
        conditions.append(f"outliers={rule.outliers}")
    if rule.labels is not None:
        conditions.append(f"labels={'/'.join(rule.labels)}")
    return "-".join([rule.task, rule.activations[0], rule.loss, *conditions])


def _caveat_id(caveat) -> str:
    return f"{caveat.tasks[0]}-{caveat.activations[0]}-{caveat.message[:30]}"


def _own_conditions(rule) -> dict:
    return {"outliers": bool(rule.outliers), "labels": rule.labels[0] if rule.labels else None}


# ---------------------------------------------------------------------------------------------
# Every row of RULES


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_is_chosen_for_its_own_conditions(rule):
    for activation in rule.activations:
        assert rule_for(rule.task, activation, **_own_conditions(rule)) is rule
        answer = recommend(rule.task, activation, **_own_conditions(rule))
        assert answer.loss == rule.loss
        assert answer.predictions == rule.predictions
        assert answer.labels == rule.labels_expected
        assert answer.why == rule.why.replace("<activation>", activation)
        assert "<activation>" not in answer.why


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_loss_exists_in_the_catalogue_and_fits(rule):
    loss = CATALOGUE[rule.loss]
    assert rule.task in loss.tasks
    if rule.predictions == "logits":
        assert loss.accepts_logits
    if rule.predictions == "scores":
        assert loss.prediction == "score"
    for alt in rule.alternatives:
        alternative = CATALOGUE[alt.loss]
        assert rule.task in alternative.tasks, alt.loss
        alternative.check_params(alt.params)


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_text_is_complete(rule):
    assert rule.activations and set(rule.activations) <= set(ACTIVATIONS)
    assert rule.task in TASKS
    assert rule.predictions in ("values", "probabilities", "logits", "scores")
    assert rule.labels is None or set(rule.labels) <= set(LABELS)
    assert rule.why.endswith(".") and rule.why.count(". ") <= 6
    for name in FRAMEWORKS:
        text = getattr(rule, name)
        assert text.startswith("loss = ") or "; loss = " in text.split("  #")[0], text
        placeholders = set(re.findall(r"<([a-z_]+)>", text))
        assert placeholders <= {p.name for p in CATALOGUE[rule.loss].params}, text
        assert placeholders <= set(rule.params), text


@pytest.mark.parametrize("hint", HINTS, ids=lambda h: f"{h.hint}-{h.tasks[0]}")
def test_hint_rows_name_catalogue_losses(hint):
    assert hint.hint in ("outliers", "imbalanced")
    assert hint.alternatives or hint.warning
    for task in hint.tasks:
        for alt in hint.alternatives:
            assert task in CATALOGUE[alt.loss].tasks, (alt.loss, task)
            CATALOGUE[alt.loss].check_params(alt.params)


def test_every_combination_has_exactly_one_best_rule():
    for task, activation, outliers, labels in itertools.product(
        TASKS, ACTIVATIONS, (False, True), (None, *LABELS)
    ):
        if (task, labels) in _BAD:
            continue
        found = [r for r in RULES if r.matches(task, activation, outliers, labels)]
        assert found, (task, activation, outliers, labels)
        best = max(r.specificity for r in found)
        assert sum(r.specificity == best for r in found) == 1, (task, activation, labels)


# ---------------------------------------------------------------------------------------------
# Every row of WARNINGS


@pytest.mark.parametrize("caveat", WARNINGS, ids=_caveat_id)
def test_warning_fires_for_each_of_its_combinations(caveat):
    for task, activation in itertools.product(caveat.tasks, caveat.activations):
        labels = caveat.labels[0] if caveat.labels else None
        if (task, labels) in _BAD:
            continue
        answer = recommend(task, activation, labels=labels)
        assert caveat.text(activation) in answer.warnings


@pytest.mark.parametrize("caveat", WARNINGS, ids=_caveat_id)
def test_warning_says_what_to_change(caveat):
    assert "<" not in caveat.text("relu")
    assert any(
        word in caveat.message for word in ("use ", "remap", "map them", "drop it", "remove the")
    )


@pytest.mark.parametrize("caveat", [c for c in WARNINGS if c.labels], ids=_caveat_id)
def test_label_warnings_stay_quiet_when_labels_are_unknown(caveat):
    task, activation = caveat.tasks[0], caveat.activations[0]
    assert caveat.text(activation) not in recommend(task, activation).warnings


@pytest.mark.parametrize(
    ("task", "activation", "labels"),
    [
        ("regression", "none", None),
        ("regression", "linear", None),
        ("regression", "relu", None),
        ("regression", "softplus", None),
        ("binary", "sigmoid", "int"),
        ("binary", "none", "int"),
        ("binary", "tanh", "pm1"),
        ("multiclass", "softmax", "int"),
        ("multiclass", "none", "onehot"),
        ("multiclass", "softmax", "soft"),
        ("multilabel", "sigmoid", "int"),
        ("multilabel", "linear", None),
    ],
)
def test_sound_combinations_have_no_warnings(task, activation, labels):
    assert recommend(task, activation, labels=labels).warnings == []


def test_the_issue_s_contradictions_are_all_warned_about():
    def warned(task, activation, labels=None):
        return recommend(task, activation, labels=labels).warnings

    assert any("sigmoid" in w for w in warned("binary", "softmax"))
    assert any("softmax" in w for w in warned("multiclass", "sigmoid"))
    assert any("-1/+1" in w for w in warned("binary", "tanh", "int"))
    assert any("linear output" in w for w in warned("regression", "softmax"))
    assert any("linear output" in w for w in warned("regression", "sigmoid"))
    for task in ("binary", "multiclass", "multilabel"):
        assert any("from_logits" in w for w in warned(task, "relu"))


# ---------------------------------------------------------------------------------------------
# The answer's content: framework caveats, hints, validation


def test_logits_output_means_with_logits_losses():
    binary = recommend("binary", "none")
    assert binary.from_logits and binary.loss == "bce"
    assert "BCEWithLogitsLoss" in binary.frameworks["pytorch"]
    assert "from_logits=True" in binary.frameworks["keras"]
    multiclass = recommend("multiclass", "linear", labels="int")
    assert multiclass.from_logits and multiclass.loss == "cross_entropy"
    assert "CrossEntropyLoss" in multiclass.frameworks["pytorch"]
    assert "SparseCategoricalCrossentropy(from_logits=True)" in multiclass.frameworks["keras"]


def test_pytorch_caveats():
    assert "BCEWithLogitsLoss" in recommend("binary", "sigmoid").frameworks["pytorch"]
    softmax = recommend("multiclass", "softmax").frameworks["pytorch"]
    assert "CrossEntropyLoss()(z, y)" in softmax and "drop the softmax" in softmax
    hinge = recommend("binary", "tanh").frameworks["pytorch"]
    assert "no built-in binary hinge" in hinge and "HingeEmbeddingLoss is a different loss" in hinge
    assert "2 * y - 1" not in hinge  # -1/+1 labels are used as they are
    assert recommend("binary", "tanh").labels.startswith("-1/+1")


def test_labels_pick_sparse_or_categorical():
    sparse = recommend("multiclass", "softmax", labels="int")
    assert sparse.frameworks["keras"].startswith(
        "loss = keras.losses.SparseCategoricalCrossentropy"
    )
    assert sparse.labels == "integer class indices 0..K-1"
    onehot = recommend("multiclass", "softmax", labels="onehot")
    assert onehot.frameworks["keras"].startswith("loss = keras.losses.CategoricalCrossentropy")
    assert "one-hot" in onehot.frameworks["pytorch"]
    either = recommend("multiclass", "softmax")
    assert "Sparse" in either.frameworks["keras"] and "one-hot" in either.frameworks["keras"]
    soft = recommend("multiclass", "softmax", labels="soft")
    assert soft.loss == "kl_divergence" and "batchmean" in soft.frameworks["pytorch"]


def test_outliers_hint():
    plain = recommend("regression", "linear")
    assert plain.loss == "mse"
    assert [a.loss for a in plain.alternatives][:2] == ["huber", "mae"]
    robust = recommend("regression", "linear", outliers=True)
    assert robust.loss == "huber" and "mae" in [a.loss for a in robust.alternatives]
    # no placeholder: the default delta, the same in the code and in the check command
    assert "HuberLoss(delta=1)" in robust.frameworks["pytorch"]
    assert "--loss huber:delta=1 " in robust.compute_command
    noisy = recommend("multiclass", "softmax", outliers=True)
    assert noisy.loss == "cross_entropy"
    assert noisy.alternatives[0].params == {"label_smoothing": 0.1}


def test_non_negative_outputs():
    relu = recommend("regression", "relu")
    assert relu.loss == "mse"
    assert {"msle", "poisson"} <= {a.loss for a in relu.alternatives}
    softplus = recommend("regression", "softplus")
    # the loss follows the targets, not the activation: relu and softplus agree
    assert softplus.loss == "mse"
    assert softplus.alternatives[0].loss == "poisson" and "counts" in softplus.alternatives[0].when
    assert "constant variance" in softplus.why and "counts" in softplus.why


def test_imbalanced_hint():
    binary = recommend("binary", "none", imbalanced=True)
    focal, weighted = binary.alternatives[:2]
    assert focal.spec() == "focal:gamma=2"
    assert "pos_weight" in weighted.how and "class_weight" in weighted.how
    multiclass = recommend("multiclass", "softmax", imbalanced=True)
    assert multiclass.alternatives[0].loss == "focal"
    assert "CrossEntropyLoss(weight=" in multiclass.alternatives[1].how
    regression = recommend("regression", "none", imbalanced=True)
    assert any("no effect for regression" in w for w in regression.warnings)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_framework_goes_first_and_all_three_stay(framework):
    answer = recommend("binary", "sigmoid", framework=framework)
    assert next(iter(answer.frameworks)) == framework
    assert set(answer.frameworks) == set(FRAMEWORKS)
    assert answer.to_dict()["hints"]["framework"] == framework


def test_alternatives_never_repeat_the_recommendation():
    for task, activation, outliers, imbalanced in itertools.product(
        TASKS, ACTIVATIONS, (False, True), (False, True)
    ):
        answer = recommend(task, activation, outliers=outliers, imbalanced=imbalanced)
        keys = [(a.loss, tuple(a.params.items()), a.how) for a in answer.alternatives]
        assert len(keys) == len(set(keys))
        assert (answer.loss, (), "") not in keys


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("classification", "sigmoid"), "unknown task 'classification' (valid: regression, "),
        (("binary", "gelu"), "unknown activation 'gelu' (valid: none, linear, sigmoid, "),
    ],
)
def test_unknown_task_or_activation(args, message):
    with pytest.raises(UsageError) as info:
        recommend(*args)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_unknown_hints_and_invalid_labels():
    with pytest.raises(UsageError, match=r"unknown label encoding 'ints' \(valid: int, onehot"):
        recommend("binary", "sigmoid", labels="ints")
    with pytest.raises(UsageError, match=r"unknown framework 'jax' \(valid: pytorch, keras"):
        recommend("binary", "sigmoid", framework="jax")
    with pytest.raises(UsageError, match="does not fit a multiclass task"):
        recommend("multiclass", "softmax", labels="pm1")


def test_names_are_case_insensitive_and_linear_is_none():
    assert recommend("Binary", "Sigmoid").loss == "bce"
    assert (
        recommend("binary", "linear").to_dict()["frameworks"]
        == (recommend("binary", "none").to_dict()["frameworks"])
    )


def test_compute_template():
    assert recommend("binary", "sigmoid").compute_command == (
        "losscli compute preds.csv --loss bce --true y_true --pred y_pred"
    )
    assert recommend("binary", "none").compute_command.endswith("--from-logits")
    assert "--pred 'logit_*'" in recommend("multiclass", "none").compute_command
    assert "--true 'y_*'" in recommend("multiclass", "softmax", labels="onehot").compute_command


def test_json_schema():
    data = recommend("regression", "linear", outliers=True, framework="keras").to_dict()
    assert list(data) == [
        "schema_version",
        "task",
        "activation",
        "hints",
        "loss",
        "spec",
        "why",
        "labels",
        "predictions",
        "from_logits",
        "frameworks",
        "alternatives",
        "warnings",
        "inferred",
        "measurements",
        "compute_command",
    ]
    assert data["schema_version"] == 1
    assert data["loss"] == {"name": "huber", "params": {"delta": 1.0}}
    assert set(data["hints"]) == {"outliers", "imbalanced", "labels", "framework"}
    assert set(data["alternatives"][0]) == {"loss", "params", "when", "how"}
    assert data["inferred"] is None and data["measurements"] is None
    json.dumps(data, allow_nan=False)


def test_library_exports_recommend_from():
    import losscli

    assert losscli.recommend_from is rec.recommend_from


def test_recommend_from_takes_an_in_memory_table_as_compute_does(tmp_path):
    """A table or a DataFrame is read as the same rows in a file are (it was a TypeError)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(4)
    y = rng.normal(size=3000)
    table = pa.table({"y_true": y, "y_pred": y + rng.standard_t(2, size=3000)})
    path = tmp_path / "preds.parquet"
    pq.write_table(table, path)
    from_file = rec.recommend_from(str(path)).to_dict()
    for data, name in ((table, "<table>"), (pd.DataFrame(table.to_pydict()), "<dataframe>")):
        got = rec.recommend_from(data).to_dict()
        assert got["inferred"]["files"] == [name]
        assert got["loss"] == from_file["loss"] and got["measurements"] == from_file["measurements"]
    with pytest.raises(UsageError, match="no input file"):
        rec.recommend_from([])


def test_package_attribute_recommend_is_the_function():
    import losscli

    losscli.recommend  # noqa: B018 - the first access imports the module
    assert losscli.recommend is recommend


# ---------------------------------------------------------------------------------------------
# Inference from arrays: regression tails


def test_normal_top_share_matches_simulation():
    assert normal_top_share(10**6) == pytest.approx(0.0845, abs=5e-4)
    assert normal_top_share(100) == pytest.approx(0.0845, abs=5e-4)  # one row of 100
    assert normal_top_share(150) > normal_top_share(100)  # two rows of 150 are 1.33%
    rng = np.random.default_rng(0)
    from losscli.diagnose import top_share

    shares = [top_share(rng.normal(size=2000) ** 2, 0.01) for _ in range(200)]
    assert np.mean(shares) == pytest.approx(normal_top_share(2000), rel=0.05)


@pytest.mark.parametrize("n", [100, 300, 1000])
@pytest.mark.parametrize("seed", range(10))
def test_clean_gaussian_residuals_are_not_heavy(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 3, n)
    answer = recommend_for_arrays("regression", y, y + rng.normal(0, 1.5, n))
    assert answer.measurements["heavy_tails"] is False
    assert answer.loss == "mse" and answer.params == {}


def test_uniform_residuals_are_not_heavy():
    rng = np.random.default_rng(1)
    y = rng.normal(size=500)
    assert recommend_for_arrays("regression", y, y + rng.uniform(-1, 1, 500)).loss == "mse"


@pytest.mark.parametrize("seed", range(5))
def test_contaminated_residuals_are_heavy_and_get_a_huber_delta(seed):
    rng = np.random.default_rng(seed)
    n = 500
    y = rng.normal(100, 20, n)
    noise = rng.normal(0, 2.0, n)
    noise[: n // 50] = rng.normal(0, 40.0, n // 50)  # 2% gross errors
    answer = recommend_for_arrays("regression", y, y + noise, framework="pytorch")
    m = answer.measurements
    assert m["heavy_tails"] is True
    assert answer.loss == "huber"
    delta = answer.params["delta"]
    assert delta == pytest.approx(1.345 * 2.0, rel=0.15)  # 1.345 x the clean noise's SD
    assert delta == float(f"{delta:.3g}")
    assert answer.frameworks["pytorch"].startswith(f"loss = torch.nn.HuberLoss(delta={delta:g})")
    assert f"--loss huber:delta={delta:g} " in answer.compute_command
    assert answer.spec == f"huber:delta={delta:g}"
    assert m["top_share"] > 2 * m["top_share_normal"]
    assert "heavy tails" in m["summary"]


def test_student_t_residuals_are_heavy():
    rng = np.random.default_rng(7)
    y = rng.normal(size=1000)
    answer = recommend_for_arrays("regression", y, y + rng.standard_t(2, 1000))
    assert answer.loss == "huber" and answer.measurements["excess_kurtosis"] > 2


def test_few_rows_are_not_judged():
    y = np.arange(20.0)
    pred = y + np.r_[np.zeros(19), 100.0]
    answer = recommend_for_arrays("regression", y, pred)
    assert answer.measurements["heavy_tails"] is None
    assert answer.loss == "mse" and "too few" in answer.measurements["summary"]


def test_outliers_hint_with_data_uses_the_measured_delta():
    rng = np.random.default_rng(2)
    y = rng.normal(size=300)
    answer = recommend_for_arrays("regression", y, y + rng.normal(0, 1, 300), outliers=True)
    assert answer.loss == "huber"
    assert answer.params["delta"] == answer.measurements["huber_delta"]


def test_count_targets_suggest_poisson():
    rng = np.random.default_rng(3)
    y = rng.poisson(4.0, 400).astype(float)
    answer = recommend_for_arrays("regression", y, np.full(400, 4.0) + rng.normal(0, 0.1, 400))
    assert answer.alternatives[0].loss == "poisson"
    assert answer.measurements["targets_integer"] and answer.measurements["targets_nonnegative"]


def test_regression_measurements_are_reported():
    rng = np.random.default_rng(4)
    y = rng.normal(size=200)
    m = recommend_for_arrays("regression", y, y + rng.normal(size=200)).measurements
    assert set(m) >= {
        "rows",
        "top_fraction",
        "top_share",
        "top_share_normal",
        "excess_kurtosis",
        "robust_scale",
        "huber_delta",
        "heavy_tails",
        "summary",
    }
    assert m["rows"] == 200 and m["top_fraction"] == 0.01
    assert "worst 1% of rows" in m["summary"]


# ---------------------------------------------------------------------------------------------
# Inference from arrays: classification


def _binary(n=400, seed=0, positive=0.4):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < positive).astype(float)
    z = 2.0 * (2 * y - 1) + rng.normal(0, 1.5, n)
    return y, z


def test_binary_probabilities():
    y, z = _binary()
    answer = recommend_for_arrays("binary", y, 1 / (1 + np.exp(-z)))
    assert answer.activation == "sigmoid" and answer.loss == "bce" and not answer.from_logits
    assert answer.inferred == {
        "labels": "int",
        "predictions": "probabilities",
        "from_logits": False,
        "activation": "sigmoid",
    }
    assert answer.warnings == []


def test_binary_logits():
    y, z = _binary()
    answer = recommend_for_arrays("binary", y, z)
    assert answer.activation == "none" and answer.loss == "bce" and answer.from_logits
    assert answer.inferred["predictions"] == "logits"


def test_binary_pm1_labels_with_scores_get_hinge():
    y, z = _binary()
    answer = recommend_for_arrays("binary", 2 * y - 1, np.tanh(z))
    assert answer.inferred["labels"] == "pm1"
    assert answer.activation == "tanh" and answer.loss == "hinge"
    assert answer.inferred["predictions"] == "scores" and answer.warnings == []


def test_binary_pm1_labels_described_by_the_reader():
    y, z = _binary()
    answer = recommend_for_arrays("binary", y, z, labels="-1/+1")
    assert answer.loss == "hinge"


def test_binary_pm1_labels_with_probabilities_get_bce_and_a_warning():
    y, z = _binary()
    answer = recommend_for_arrays("binary", 2 * y - 1, 1 / (1 + np.exp(-z)))
    assert answer.loss == "bce"
    assert any("-1/+1" in w and "(t + 1) / 2" in w for w in answer.warnings)


def test_binary_declared_probabilities_outside_unit_interval():
    y, z = _binary()
    answer = recommend_for_arrays("binary", y, z, from_logits=False)
    assert any("outside [0, 1]" in w for w in answer.warnings)


def test_binary_explicit_logits_win_over_the_values():
    y, _ = _binary()
    answer = recommend_for_arrays("binary", y, np.full(len(y), 0.5), from_logits=True)
    assert answer.from_logits and answer.activation == "none"


@pytest.mark.parametrize(("positive", "imbalanced"), [(0.04, True), (0.3, False)])
def test_binary_imbalance(positive, imbalanced):
    y, z = _binary(n=1000, positive=positive)
    answer = recommend_for_arrays("binary", y, z)
    assert answer.measurements["imbalanced"] is imbalanced
    assert answer.measurements["minority_share"] == pytest.approx(min(y.mean(), 1 - y.mean()))
    assert (answer.alternatives[0].loss == "focal") is imbalanced
    assert answer.to_dict()["hints"]["imbalanced"] is imbalanced


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _multiclass(n=300, k=3, seed=0, weights=None):
    rng = np.random.default_rng(seed)
    y = rng.choice(k, size=n, p=weights)
    z = rng.normal(size=(n, k))
    z[np.arange(n), y] += 2.0
    return y, z


def test_multiclass_softmax_probabilities():
    y, z = _multiclass()
    answer = recommend_for_arrays("multiclass", y, _softmax(z))
    assert answer.activation == "softmax" and answer.loss == "cross_entropy"
    assert not answer.from_logits and answer.inferred["labels"] == "int"
    assert answer.measurements["rows_sum_to_one"] is True
    assert answer.frameworks["keras"].startswith(
        "loss = keras.losses.SparseCategoricalCrossentropy()"
    )


def test_multiclass_logits():
    y, z = _multiclass()
    answer = recommend_for_arrays("multiclass", y, z)
    assert answer.activation == "none" and answer.from_logits
    assert answer.measurements["rows_sum_to_one"] is None


def test_multiclass_independent_sigmoids_are_flagged():
    y, z = _multiclass()
    answer = recommend_for_arrays("multiclass", y, 1 / (1 + np.exp(-z)))
    assert answer.activation == "sigmoid"
    assert any("remove the sigmoid" in w for w in answer.warnings)
    assert answer.measurements["rows_sum_to_one"] is False


def test_multiclass_one_hot_targets():
    y, z = _multiclass()
    answer = recommend_for_arrays("multiclass", np.eye(3)[y], _softmax(z))
    assert answer.inferred["labels"] == "onehot" and answer.loss == "cross_entropy"
    assert (
        answer.frameworks["keras"]
        == "loss = keras.losses.CategoricalCrossentropy()(y, p)  # from_logits=False"
    )


def test_multiclass_one_hot_described_by_the_reader():
    y, z = _multiclass()
    answer = recommend_for_arrays("multiclass", y, z, labels="one-hot")
    assert answer.inferred["labels"] == "onehot"


def test_multiclass_soft_targets_get_kl_divergence():
    rng = np.random.default_rng(5)
    targets = rng.dirichlet([2, 2, 2], 200)
    answer = recommend_for_arrays("multiclass", targets, _softmax(rng.normal(size=(200, 3))))
    assert answer.inferred["labels"] == "soft" and answer.loss == "kl_divergence"
    assert answer.compute_command.startswith("losscli compute preds.csv --loss kl_divergence")


def test_multiclass_balance_is_relative_to_the_number_of_classes():
    y, z = _multiclass(n=2000, k=10)  # about 10% per class: balanced
    assert recommend_for_arrays("multiclass", y, z).measurements["imbalanced"] is False
    y, z = _multiclass(n=2000, k=3, weights=[0.6, 0.39, 0.01])
    answer = recommend_for_arrays("multiclass", y, z)
    assert answer.measurements["imbalanced"] is True
    assert answer.alternatives[0].loss == "focal"
    assert len(answer.measurements["class_shares"]) == 3


def test_multiclass_shares_count_classes_without_rows():
    y = np.zeros(100, dtype=np.int64)
    y[:50] = 1
    z = np.zeros((100, 4))
    shares = recommend_for_arrays("multiclass", y, z).measurements["class_shares"]
    assert shares == [0.5, 0.5, 0.0, 0.0]


def test_multilabel_probabilities_and_logits():
    rng = np.random.default_rng(6)
    y = (rng.random((300, 3)) < 0.4).astype(float)
    z = 2 * (2 * y - 1) + rng.normal(size=(300, 3))
    probs = recommend_for_arrays("multilabel", y, 1 / (1 + np.exp(-z)))
    assert probs.activation == "sigmoid" and probs.loss == "bce" and not probs.from_logits
    logits = recommend_for_arrays("multilabel", y, z)
    assert logits.activation == "none" and logits.from_logits
    assert len(logits.measurements["label_positive_shares"]) == 3


def test_multilabel_rare_label_is_imbalanced():
    rng = np.random.default_rng(7)
    y = (rng.random((1000, 3)) < [0.4, 0.5, 0.03]).astype(float)
    answer = recommend_for_arrays("multilabel", y, np.full((1000, 3), 0.5))
    assert answer.measurements["imbalanced"] is True
    assert answer.alternatives[0].loss == "focal"


def test_activation_given_with_data_overrides_the_look():
    y, z = _binary()
    answer = recommend_for_arrays("binary", y, z, activation="relu")
    assert answer.activation == "relu"
    assert any("from_logits" in w for w in answer.warnings)


@pytest.mark.parametrize(
    ("task", "y", "pred", "message"),
    [
        ("multiclass", np.zeros(3), np.zeros(3), r"shape \(n, K\)"),
        ("binary", np.zeros(3), np.zeros((3, 2)), r"shape \(n,\)"),
        ("binary", np.zeros(3), np.zeros(4), "3 rows but y_pred has 4"),
        ("binary", np.zeros(0), np.zeros(0), "no rows"),
        ("ranking", np.zeros(3), np.zeros(3), "unknown task 'ranking'"),
    ],
)
def test_array_input_errors(task, y, pred, message):
    with pytest.raises(UsageError, match=message):
        recommend_for_arrays(task, y, pred)
