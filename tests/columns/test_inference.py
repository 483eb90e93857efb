"""Inference is certain or refused (SPEC §2): the task, label encoding, positive class, class <->
column mapping and logits are decided from the options, the losses asked for, the columns and the
whole label column, then checked on every batch; references from scikit-learn and PyTorch."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import brier_score_loss, hinge_loss, log_loss
from typer.testing import CliRunner

import losscli
from losscli.cli import app
from losscli.errors import InputError, UsageError
from losscli.pipeline import make_plan

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def sorted_binary(n: int = 120_000, seed: int = 0) -> pd.DataFrame:
    """Binary rows sorted by label, zeros first: the first CSV block holds zeros only."""
    rng = np.random.default_rng(seed)
    y = np.sort((rng.uniform(size=n) < 0.4).astype(int))
    p = np.where(y == 1, rng.beta(5, 2, n), rng.beta(2, 5, n)).clip(1e-6, 1 - 1e-6)
    return pd.DataFrame({"y_true": y, "y_pred": p})


# -- item 1: a file sorted by label ---------------------------------------------------------------


def test_a_csv_sorted_by_label_is_binary_like_its_parquet_copy(tmp_path):
    df = sorted_binary()
    csv, parquet = tmp_path / "sorted.csv", tmp_path / "sorted.parquet"
    df.to_csv(csv, index=False)
    df.to_parquet(parquet)
    plan = make_plan(str(csv))
    assert set(np.unique(next(plan.first).column("y_true").to_numpy())) == {0.0}
    for path in (csv, parquet):
        result = losscli.compute(str(path))
        assert result.inputs["task"] == "binary"
        assert result.value("bce") == pytest.approx(log_loss(df.y_true, df.y_pred), rel=1e-9)


def test_recommend_from_a_sorted_binary_file_does_not_recommend_mse(tmp_path):
    csv = tmp_path / "sorted.csv"
    sorted_binary().to_csv(csv, index=False)
    result = run("recommend", "--from", str(csv), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["inferred"]["task"] == "binary" and data["loss"] != "mse"


def test_sorted_count_targets_are_not_read_as_binary(tmp_path):
    rng = np.random.default_rng(1)
    n = 120_000
    y = np.sort(np.concatenate([np.zeros(70_000), rng.integers(1, 10, n - 70_000)]))
    df = pd.DataFrame({"y_true": y.astype(int), "y_pred": y + rng.normal(0, 1, n)})
    df.to_csv(tmp_path / "counts.csv", index=False)
    result = losscli.compute(str(tmp_path / "counts.csv"), losses=["mse"])
    assert result.inputs["task"] == "regression"
    assert result.value("mse") == pytest.approx(np.mean((df.y_true - df.y_pred) ** 2), rel=1e-9)


def test_a_later_label_that_contradicts_a_guess_is_refused_naming_the_option(tmp_path):
    rng = np.random.default_rng(2)
    n = 120_000
    y = np.sort(np.concatenate([np.arange(60_000) % 2, rng.integers(2, 10, n - 60_000)]))
    df = pd.DataFrame({"y_true": y, "y_pred": rng.uniform(size=n)})
    df.to_csv(tmp_path / "counts.csv", index=False)
    result = run("compute", str(tmp_path / "counts.csv"))
    assert result.exit_code == 2
    assert "row" in result.stderr and "--task" in result.stderr
    assert "task inferred as binary" in result.stderr
    assert (
        result.stderr.count("pass --task") == 1
    )  # the hint names it; the guess does not repeat it


def test_one_label_value_throughout_is_refused_with_the_option(tmp_path):
    pd.DataFrame({"y_true": [1, 1, 1], "y_pred": [0.9, 0.8, 0.7]}).to_csv(
        tmp_path / "ones.csv", index=False
    )
    result = run("compute", str(tmp_path / "ones.csv"))
    assert result.exit_code == 2 and "--task" in result.stderr
    bce = losscli.compute(str(tmp_path / "ones.csv"), losses=["bce"]).value("bce")
    assert bce == pytest.approx(-np.mean(np.log([0.9, 0.8, 0.7])), rel=1e-12)


def test_a_wrong_loss_after_a_guess_says_what_was_guessed(regression_df):
    with pytest.raises(UsageError, match="does not apply to regression") as caught:
        losscli.compute(regression_df, losses=["bce"])
    assert "task inferred as regression" in str(caught.value) and "--task" in str(caught.value)


# -- item 2: integer labels that equal the columns' names -------------------------------------------


def test_integer_labels_equal_to_the_column_suffixes_are_class_names(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("label,p_1,p_2,p_3\n1,0.01,0.98,0.01\n2,0.01,0.01,0.98\n")
    result = losscli.compute(str(path), losses=["cross_entropy"])
    expected = log_loss([1, 2], [[0.01, 0.98, 0.01], [0.01, 0.01, 0.98]], labels=[1, 2, 3])
    assert result.value("cross_entropy") == pytest.approx(expected, rel=1e-12)
    gate = run("compute", str(path), "--max", "cross_entropy=0.5")
    assert gate.exit_code == 1


def test_star_ratings_without_fives_map_by_name(rng):
    n = 300
    p = rng.dirichlet(np.ones(5), n)
    y = rng.integers(1, 5, n)  # 1..4: no 5s in this subset
    df = pd.DataFrame({"stars": y, **{f"p_{k}": p[:, k - 1] for k in range(1, 6)}})
    result = losscli.compute(df, true=["stars"], pred=["p_*"], losses=["cross_entropy"])
    expected = log_loss(y, p, labels=[1, 2, 3, 4, 5])
    assert result.value("cross_entropy") == pytest.approx(expected, rel=1e-9)


def test_zero_based_labels_with_one_based_columns_are_refused_naming_classes():
    df = pd.DataFrame({"label": [0, 1], "p_1": [0.5, 0.2], "p_2": [0.3, 0.5], "p_3": [0.2, 0.3]})
    with pytest.raises(InputError, match="--classes"):
        losscli.compute(df, true=["label"], pred=["p_*"])
    fixed = losscli.compute(df, true=["label"], pred=["p_*"], classes=["0", "1", "2"])
    assert fixed.value("cross_entropy") == pytest.approx(
        log_loss([0, 1], df[["p_1", "p_2", "p_3"]].to_numpy(), labels=[0, 1, 2]), rel=1e-12
    )


# -- item 3: --positive for every encoding ------------------------------------------------------


@pytest.mark.parametrize(
    ("negative", "positive_label", "option"),
    [(1, 0, "0"), (-1, 1, "1"), (1, -1, "-1"), (True, False, "false")],
)
def test_positive_is_honoured_for_numeric_and_boolean_labels(
    binary_df, negative, positive_label, option
):
    df = binary_df.copy()
    is_positive = binary_df.y_true == 1  # y_pred is the probability of this row's class 1
    df["y_true"] = np.where(is_positive, positive_label, negative)
    result = losscli.compute(df, pred=["y_pred"], losses=["bce"], positive=option)
    assert result.value("bce") == pytest.approx(log_loss(is_positive, df.y_pred), rel=1e-9)
    assert result.inputs["positive"] == option


def test_positive_zero_on_zero_one_labels_from_the_cli(tmp_path, binary_df):
    binary_df[["y_true", "y_pred"]].to_csv(tmp_path / "b.csv", index=False)
    result = run("compute", str(tmp_path / "b.csv"), "--positive", "0", "--loss", "bce", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["inputs"]["positive"] == "0"
    expected = log_loss(binary_df.y_true == 0, binary_df.y_pred)
    assert data["results"][0]["value"] == pytest.approx(expected, rel=1e-9)
    bad = run("compute", str(tmp_path / "b.csv"), "--positive", "7")
    assert bad.exit_code == 2 and "--positive 7" in bad.stderr


# -- item 4: predict_proba's two columns -----------------------------------------------------------


def test_two_probability_columns_are_binary_with_sklearn_brier(binary_df):
    df = pd.DataFrame(
        {"y": binary_df.y_true, "proba_0": 1 - binary_df.y_pred, "proba_1": binary_df.y_pred}
    )
    result = losscli.compute(df, true=["y"])
    assert result.inputs["task"] == "binary"
    assert result.value("brier") == pytest.approx(brier_score_loss(df.y, df.proba_1), rel=1e-12)
    assert result.value("bce") == pytest.approx(log_loss(df.y, df.proba_1), rel=1e-9)


# -- item 5: a list column of width 1 ---------------------------------------------------------------


def test_a_list_column_of_width_one_is_a_scalar_prediction(tmp_path):
    table = pa.table({"y_true": [1.0, 2.0, 3.0], "y_pred": [[1.5], [2.5], [2.0]]})
    pq.write_table(table, tmp_path / "l.parquet")
    result = losscli.compute(str(tmp_path / "l.parquet"), losses=["mse"], task="regression")
    assert result.value("mse") == pytest.approx(0.5, rel=1e-12)
    assert result.inputs["rows"]["used"] == 3


# -- item 10: requests beat guesses -----------------------------------------------------------------


def test_mse_on_zero_one_targets_is_the_brier_score(binary_df):
    result = losscli.compute(binary_df, pred=["y_pred"], losses=["mse"])
    assert result.inputs["task"] == "regression"
    assert result.value("mse") == pytest.approx(
        brier_score_loss(binary_df.y_true, binary_df.y_pred), rel=1e-12
    )


def test_hinge_takes_a_logit_column_as_its_score(binary_df):
    result = losscli.compute(binary_df, pred=["logit"], losses=["hinge"])
    assert result.value("hinge") == pytest.approx(
        hinge_loss(binary_df.y_true, binary_df.logit), rel=1e-12
    )


def test_compare_names_the_real_column_and_the_file(tmp_path):
    path = tmp_path / "c.csv"
    rng = np.random.default_rng(3)
    target = rng.uniform(1, 5, 200)
    target[2] = -1.0
    pd.DataFrame({"target": target, "y_pred": target + 0.1}).to_csv(path, index=False)
    result = run("compare", str(path), "--loss", "mse,poisson")
    assert result.exit_code == 2
    assert "'target'" in result.stderr and "y_true" not in result.stderr
    assert str(path) in result.stderr and "row 3" in result.stderr


def test_compute_without_per_row_reads_no_id_columns(tmp_path):
    pd.DataFrame({"row_id": [1, 2], "y_true": [1.5, 2.5], "y_pred": [1.0, 2.0]}).to_csv(
        tmp_path / "a.csv", index=False
    )
    pd.DataFrame({"y_true": [3.5], "y_pred": [3.0]}).to_csv(tmp_path / "b.csv", index=False)
    result = losscli.compute([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")], losses=["mse"])
    assert result.value("mse") == pytest.approx(0.25)


# -- issue 15: common layouts ---------------------------------------------------------------------


def test_a_lone_proba_column_is_found_and_names_the_positive(rng):
    y = rng.choice(["benign", "malignant"], 200)
    p = rng.uniform(0.01, 0.99, 200)
    result = losscli.compute(pd.DataFrame({"diagnosis": y, "proba_benign": p}), true=["diagnosis"])
    assert result.inputs["positive"] == "benign"
    assert result.value("bce") == pytest.approx(log_loss(y == "benign", p), rel=1e-9)


def test_string_labels_with_numbered_columns_take_classes(rng):
    names = ["setosa", "versicolor", "virginica"]
    p = rng.dirichlet(np.ones(3), 60)
    y = rng.choice(names, 60)
    df = pd.DataFrame({"species": y, **{f"proba_{i}": p[:, i] for i in range(3)}})
    with pytest.raises(InputError, match="--classes"):
        losscli.compute(df, true=["species"], pred=["proba_*"])
    result = losscli.compute(df, true=["species"], pred=["proba_*"], classes=names)
    assert result.value("cross_entropy") == pytest.approx(log_loss(y, p, labels=names), rel=1e-9)


def test_classes_from_the_cli(tmp_path, rng):
    p = rng.dirichlet(np.ones(3), 30)
    y = rng.choice(["a", "b", "c"], 30)
    pd.DataFrame({"y": y, **{f"p_{i}": p[:, i] for i in range(3)}}).to_csv(
        tmp_path / "m.csv", index=False
    )
    result = run("compute", str(tmp_path / "m.csv"), "--true", "y", "--classes", "a,b,c", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["inputs"]["classes"] == ["a", "b", "c"]
    wrong = run("compute", str(tmp_path / "m.csv"), "--true", "y", "--classes", "a,b")
    assert wrong.exit_code == 2 and "--classes" in wrong.stderr


def test_hard_predictions_and_percentages_get_the_right_hint(tmp_path):
    hard = pd.DataFrame({"y_true": [0, 1, 1, 0], "y_pred": [0, 1, 0, 0]})
    result = losscli.compute(hard, losses=["bce"])
    assert any("predict_proba()" in w for w in result.warnings)
    percent = pd.DataFrame({"y_true": [0, 1, 1, 0], "y_pred": [12.0, 63.4, 80.0, 5.5]})
    with pytest.raises(InputError, match="percentages") as caught:
        losscli.compute(percent, task="binary")
    assert "--from-logits" not in str(caught.value)


# -- issue 16 item 3: soft binary targets ---------------------------------------------------------


def test_soft_binary_targets_match_torch_bce_loss(rng):
    torch = pytest.importorskip("torch")
    y = rng.uniform(size=100)
    p = rng.uniform(0.01, 0.99, 100)
    df = pd.DataFrame({"y_true": y, "y_pred": p})
    result = losscli.compute(df, losses=["bce", "brier"], task="binary")
    expected = torch.nn.BCELoss()(torch.tensor(p), torch.tensor(y)).item()
    assert result.value("bce") == pytest.approx(expected, rel=1e-9)
    assert result.value("brier") == pytest.approx(np.mean((p - y) ** 2), rel=1e-12)
    settled = losscli.compute(df, losses=["bce"])  # the loss settles binary
    assert settled.value("bce") == pytest.approx(expected, rel=1e-9)
    assert losscli.compute(df).inputs["task"] == "regression"  # not silently binary
    with pytest.raises(InputError, match="not soft labels"):
        losscli.compute(df, losses=["hinge"], task="binary")


def test_the_label_encoding_is_read_from_every_row_when_the_first_batch_shows_one_label():
    first = pa.record_batch({"y_true": [1, 1], "y_pred": [0.8, 0.7]})
    later = pa.record_batch({"y_true": [-1, 1], "y_pred": [0.2, 0.7]})
    result = losscli.compute(pa.Table.from_batches([first, later]))
    assert (result.inputs["task"], result.inputs["labels"]) == ("binary", "-1/+1")
    assert result.value("bce") == pytest.approx(
        log_loss([1, 1, 0, 1], [0.8, 0.7, 0.2, 0.7]), rel=1e-12
    )


def test_every_guess_is_reported_with_its_option(rng):
    names = pd.DataFrame(
        {"label": ["a", "b"], "p_a": [0.4, 0.7], "p_b": [0.3, 0.2], "p_c": [0.3, 0.1]}
    )
    assert any("--classes" in n for n in losscli.compute(names, true=["label"]).notes)
    words = pd.DataFrame({"y_true": ["no", "yes"], "y_pred": [0.2, 0.9]})
    assert any("positive 'yes' (--positive)" in n for n in losscli.compute(words).notes)


def test_labels_that_change_kind_between_files_are_refused(tmp_path):
    pd.DataFrame({"y_true": [0, 1], "y_pred": [0.2, 0.9]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"y_true": ["no", "yes"], "y_pred": [0.2, 0.9]}).to_csv(
        tmp_path / "b.csv", index=False
    )
    with pytest.raises(InputError, match="labels are text here") as caught:
        losscli.compute([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")])
    assert caught.value.file == str(tmp_path / "b.csv")
    cols = {"p_a": [0.5, 0.2], "p_b": [0.3, 0.5], "p_c": [0.2, 0.3]}
    pd.DataFrame({"label": ["a", "b"], **cols}).to_csv(tmp_path / "c.csv", index=False)
    pd.DataFrame({"label": [0, 1], **cols}).to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(InputError, match="labels are numbers here"):
        losscli.compute([str(tmp_path / "c.csv"), str(tmp_path / "d.csv")], true=["label"])


def test_compare_and_recommend_take_classes(tmp_path, rng):
    names = ["setosa", "versicolor", "virginica"]
    p = rng.dirichlet(np.ones(3), 200)
    y = rng.choice(names, 200)
    path = tmp_path / "iris.csv"
    pd.DataFrame({"species": y, **{f"proba_{i}": p[:, i] for i in range(3)}}).to_csv(
        path, index=False
    )
    options = ["--true", "species", "--classes", ",".join(names)]
    advice = run("recommend", "--from", str(path), *options, "--json")
    assert advice.exit_code == 0, advice.stderr
    assert "--classes setosa,versicolor,virginica" in json.loads(advice.stdout)["compute_command"]
    assert run("compare", str(path), *options, "--json").exit_code == 0
    refused = run("compare", str(path), "--true", "species")
    assert refused.exit_code == 2 and "--classes" in refused.stderr


# -- a loss name that means one loss per task ---------------------------------------------------


@pytest.mark.parametrize("name", ["log_loss", "logloss"])
def test_log_loss_on_one_hot_multiclass_is_the_cross_entropy(tmp_path, name):
    """`log_loss` is bce for binary and multi-label data, cross-entropy for multi-class: it does
    not narrow the task, so one-hot targets summing to 1 stay multi-class (not multi-label
    bce, which the name once chose when the task was not yet known)."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 400)
    p = rng.dirichlet([1.0, 1.0, 1.0], 400)
    one_hot = np.eye(3)[y]
    table = {f"y_{c}": one_hot[:, i] for i, c in enumerate("abc")}
    table |= {f"p_{c}": p[:, i] for i, c in enumerate("abc")}
    path = tmp_path / "onehot.parquet"
    pq.write_table(pa.table(table), path)
    out = run("compute", str(path), "--loss", name, "--json")
    assert out.exit_code == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["inputs"]["task"] == "multiclass"
    (result,) = report["results"]
    assert result["name"] == "cross_entropy"
    assert result["value"] == pytest.approx(log_loss(y, p), rel=1e-12)


def test_a_loss_per_task_name_without_a_task_is_refused_in_the_library():
    with pytest.raises(UsageError, match="bce for binary and multilabel; cross_entropy for"):
        losscli.get_loss("log_loss")
    assert losscli.get_loss("log_loss", "multiclass").name == "cross_entropy"
