"""compute() end to end: formats, layouts, weights, groups, streaming, bootstrap, per-row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import brier_score_loss, log_loss, mean_absolute_error, mean_squared_error

import losscli
from losscli import pipeline
from losscli.errors import InputError, UsageError
from losscli.read import batches as read_batches
from losscli.read import csv as csv_read
from tests.conftest import SAMPLE, write

FORMATS = ["x.csv", "x.tsv", "x.csv.gz", "x.parquet", "x.feather", "x.jsonl"]


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_gives_the_same_numbers(tmp_path, regression_df, name):
    path = write(regression_df, tmp_path / name)
    result = losscli.compute(str(path), losses=["mse", "mae"])
    expected = mean_squared_error(regression_df.y_true, regression_df.y_pred)
    assert result.value("mse") == pytest.approx(expected, rel=1e-12)
    assert result.value("mae") == pytest.approx(
        mean_absolute_error(regression_df.y_true, regression_df.y_pred), rel=1e-12
    )
    assert result.inputs["rows"] == {"read": 500, "used": 500, "dropped": 0}


def test_input_format_overrides_the_extension(tmp_path, regression_df):
    path = write(regression_df, tmp_path / "x.csv")
    renamed = path.rename(tmp_path / "predictions.dat")
    with pytest.raises(UsageError, match="--input-format"):
        losscli.compute(str(renamed))
    result = losscli.compute(str(renamed), input_format="csv", losses=["mse"])
    assert result.value("mse") > 0


def test_several_files_are_one_data_set(tmp_path, regression_df):
    a = write(regression_df.iloc[:200], tmp_path / "a.csv")
    b = write(regression_df.iloc[200:], tmp_path / "b.parquet")
    result = losscli.compute([str(a), str(b)], losses=["mse"])
    expected = mean_squared_error(regression_df.y_true, regression_df.y_pred)
    assert result.value("mse") == pytest.approx(expected, rel=1e-12)
    assert result.inputs["files"] == [str(a), str(b)]


def test_parquet_directory_and_hive_partitions(tmp_path, regression_df):
    root = tmp_path / "ds"
    for region, part in regression_df.groupby("region"):
        (root / f"region={region}").mkdir(parents=True)
        part.drop(columns="region").to_parquet(root / f"region={region}" / "part-0.parquet")
    result = losscli.compute(str(root), losses=["mse"], by=["region"])
    for region, part in regression_df.groupby("region"):
        r = result.get("mse", {"region": region})
        assert r.value == pytest.approx(mean_squared_error(part.y_true, part.y_pred), rel=1e-12)
    glob_result = losscli.compute(str(root / "*" / "*.parquet"), losses=["mse"])
    assert glob_result.value("mse") == pytest.approx(result.value("mse"), rel=1e-12)


def test_dataframe_and_arrow_table_inputs(regression_df):
    from_frame = losscli.compute(regression_df, losses=["huber"])
    from_table = losscli.compute(pa.Table.from_pandas(regression_df), losses=["huber"])
    assert from_frame.value("huber") == from_table.value("huber")


def test_streamed_equals_whole_file_across_batches_groups_and_weights(
    tmp_path, regression_df, monkeypatch
):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.Table.from_pandas(regression_df), path, row_group_size=37)
    whole = losscli.compute(str(path), losses=["mse", "huber", "rmse"], weight="w", by=["region"])
    monkeypatch.setattr(read_batches, "batch_rows", lambda columns: 7)
    streamed = losscli.compute(
        str(path), losses=["mse", "huber", "rmse"], weight="w", by=["region"]
    )
    for a, b in zip(whole.results, streamed.results, strict=True):
        assert a.label == b.label and a.group == b.group
        assert b.value == pytest.approx(a.value, rel=1e-12)
    w = regression_df.w
    expected = mean_squared_error(regression_df.y_true, regression_df.y_pred, sample_weight=w)
    assert whole.value("mse") == pytest.approx(expected, rel=1e-12)
    assert whole.value("rmse") == pytest.approx(np.sqrt(expected), rel=1e-12)


def test_csv_blocks_stream_with_the_same_numbers(tmp_path, regression_df, monkeypatch):
    path = write(regression_df, tmp_path / "x.csv")
    monkeypatch.setattr(csv_read, "CSV_BLOCK_BYTES", 1024)
    result = losscli.compute(str(path), losses=["mse"], by=["region"])
    expected = mean_squared_error(regression_df.y_true, regression_df.y_pred)
    assert result.value("mse") == pytest.approx(expected, rel=1e-12)
    assert result.inputs["rows"]["read"] == 500


def test_groups_give_one_result_each_plus_overall(regression_df):
    result = losscli.compute(regression_df, losses=["mae"], by=["region"])
    groups = [r.group for r in result.results]
    assert groups[0] is None
    assert sorted(g["region"] for g in groups[1:]) == ["east", "north", "south"]
    assert sum(r.rows for r in result.results[1:]) == result.results[0].rows
    assert result.overall() == result.results[:1]


def test_reduction_sum(regression_df):
    mean = losscli.compute(regression_df, losses=["mse"]).value("mse")
    total = losscli.compute(regression_df, losses=["mse"], reduction="sum").value("mse")
    assert total == pytest.approx(mean * len(regression_df), rel=1e-12)


def test_binary_probabilities_and_logits_agree_with_sklearn(binary_df):
    probs = losscli.compute(binary_df, pred=["y_pred"], losses=["bce", "brier"])
    logits = losscli.compute(binary_df, pred=["logit"], losses=["bce"])
    expected = log_loss(binary_df.y_true, binary_df.y_pred)
    assert probs.value("bce") == pytest.approx(expected, rel=1e-9)
    assert logits.value("bce") == pytest.approx(expected, rel=1e-9)
    assert logits.inputs["from_logits"] is True  # inferred from the column name
    assert probs.value("brier") == pytest.approx(
        brier_score_loss(binary_df.y_true, binary_df.y_pred), rel=1e-12
    )


@pytest.mark.parametrize(
    ("labels", "positive", "encoding"),
    [
        ([1, 0], None, "0/1"),
        ([1, -1], None, "-1/+1"),
        ([True, False], None, "true/false"),
        (["yes", "no"], None, "strings, positive 'yes'"),
        (["spam", "ham"], "spam", "strings, positive 'spam'"),
    ],
)
def test_binary_label_layouts(binary_df, labels, positive, encoding):
    df = binary_df.copy()
    df["y_true"] = np.where(binary_df.y_true == 1, labels[0], labels[1])
    result = losscli.compute(df, pred=["y_pred"], losses=["bce"], positive=positive)
    assert result.inputs["labels"] == encoding
    assert result.value("bce") == pytest.approx(
        log_loss(binary_df.y_true, binary_df.y_pred), rel=1e-9
    )


def test_string_labels_without_positive_are_an_error(binary_df):
    df = binary_df.assign(y_true=np.where(binary_df.y_true == 1, "spam", "ham"))
    with pytest.raises(InputError, match="--positive"):
        losscli.compute(df, pred=["y_pred"])


def test_multiclass_layouts_agree(multiclass_df):
    probs = multiclass_df[["p_cat", "p_dog", "p_fish", "p_bird"]].to_numpy()
    expected = log_loss(multiclass_df.label_idx, probs, labels=range(4))
    by_name = losscli.compute(multiclass_df, true=["label"], pred=["p_*"], losses=["ce"])
    by_index = losscli.compute(multiclass_df, true=["label_idx"], pred=["p_*"], losses=["ce"])
    onehot = multiclass_df.assign(
        **{f"y_{n}": (multiclass_df.label == n).astype(int) for n in ("cat", "dog", "fish", "bird")}
    )
    by_onehot = losscli.compute(onehot, true=["y_*"], pred=["p_*"], losses=["ce"])
    logits = losscli.compute(multiclass_df, true=["label_idx"], pred=["logit_*"], losses=["ce"])
    assert by_name.inputs["labels"] == "class names"
    assert by_index.inputs["labels"] == "integer indices"
    assert by_onehot.inputs["labels"] == "one-hot"
    for r in (by_name, by_index, by_onehot):
        assert r.value("cross_entropy") == pytest.approx(expected, rel=1e-9)
        assert r.inputs["task"] == "multiclass"
    assert logits.inputs["from_logits"] is True
    assert np.isfinite(logits.value("cross_entropy"))


def test_parquet_list_column_of_probabilities(tmp_path, multiclass_df):
    probs = multiclass_df[["p_cat", "p_dog", "p_fish", "p_bird"]].to_numpy()
    table = pa.table({"y_true": multiclass_df.label_idx, "proba": list(probs)})
    path = tmp_path / "list.parquet"
    pq.write_table(table, path)
    result = losscli.compute(str(path), losses=["cross_entropy"])
    assert result.inputs["task"] == "multiclass"
    assert result.value("cross_entropy") == pytest.approx(
        log_loss(multiclass_df.label_idx, probs, labels=range(4)), rel=1e-9
    )


def test_multilabel_k_plus_k_columns():
    result = losscli.compute(str(SAMPLE / "multilabel_digits.parquet"), losses=["bce"])
    df = pd.read_parquet(SAMPLE / "multilabel_digits.parquet")
    expected = np.mean(
        [
            log_loss(df[f"y_{c}"], df[f"p_{c}"].clip(1e-7, 1 - 1e-7))
            for c in ("even", "gt4", "prime")
        ]
    )
    assert result.inputs["task"] == "multilabel"
    assert result.value("bce") == pytest.approx(expected, rel=1e-9)


def test_class_name_labels_from_a_pandas_pipeline(tmp_path):
    """A user's pipeline: predict_proba columns named after classes, labels as strings."""
    df = pd.DataFrame(
        {"species": ["setosa", "virginica", "versicolor", "setosa"]}
        | {
            "proba_setosa": [0.8, 0.1, 0.2, 0.6],
            "proba_versicolor": [0.1, 0.2, 0.7, 0.3],
            "proba_virginica": [0.1, 0.7, 0.1, 0.1],
        }
    )
    path = tmp_path / "preds.parquet"
    df.to_parquet(path)
    result = losscli.compute(str(path), true=["species"])
    expected = -np.mean(np.log([0.8, 0.7, 0.7, 0.6]))
    assert result.value("cross_entropy") == pytest.approx(expected, rel=1e-12)


def test_nan_drop_reports_the_rows(regression_df):
    df = regression_df.copy()
    df.loc[[3, 7], "y_pred"] = np.nan
    with pytest.raises(InputError) as err:
        losscli.compute(df)
    assert err.value.row == 4 and err.value.column == "y_pred"
    result = losscli.compute(df, nan="drop", losses=["mse"])
    assert result.inputs["rows"] == {"read": 500, "used": 498, "dropped": 2}
    kept = df.dropna()
    assert result.value("mse") == pytest.approx(
        mean_squared_error(kept.y_true, kept.y_pred), rel=1e-12
    )


def test_bootstrap_is_deterministic_for_a_seed_and_covers_the_value(regression_df):
    a = losscli.compute(regression_df, losses=["mse"], bootstrap=300, seed=7)
    b = losscli.compute(regression_df, losses=["mse"], bootstrap=300, seed=7)
    c = losscli.compute(regression_df, losses=["mse"], bootstrap=300, seed=8)
    assert a.get("mse").ci == b.get("mse").ci
    assert a.get("mse").ci != c.get("mse").ci
    low, high = a.get("mse").ci
    assert low < a.value("mse") < high


def test_bootstrap_does_not_depend_on_batch_boundaries(tmp_path, regression_df, monkeypatch):
    path = tmp_path / "x.parquet"
    regression_df.to_parquet(path)
    whole = losscli.compute(str(path), losses=["mae"], bootstrap=50, seed=3, by=["region"])
    monkeypatch.setattr(read_batches, "batch_rows", lambda columns: 64)
    pq.write_table(pa.Table.from_pandas(regression_df), path, row_group_size=64)
    split = losscli.compute(str(path), losses=["mae"], bootstrap=50, seed=3, by=["region"])
    for a, b in zip(whole.results, split.results, strict=True):
        assert a.ci == pytest.approx(b.ci, rel=1e-12)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_per_row_output(tmp_path, regression_df, suffix):
    src = write(regression_df, tmp_path / "x.parquet")
    out = tmp_path / f"rows{suffix}"
    losscli.compute(str(src), losses=["mse", "mae"], by=["region"], per_row=str(out))
    rows = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(rows.columns) == ["file", "row", "region", "row_id", "mse", "mae"]
    np.testing.assert_allclose(rows.mse, (regression_df.y_pred - regression_df.y_true) ** 2)
    assert rows.row.tolist() == list(range(1, 501))
    assert not list(tmp_path.glob(".rows*"))  # no temporary file left behind


def test_per_row_file_is_not_written_when_the_input_fails(tmp_path, regression_df):
    df = regression_df.copy()
    df.loc[450, "y_pred"] = np.nan
    src = write(df, tmp_path / "x.parquet")
    out = tmp_path / "rows.csv"
    with pytest.raises(InputError):
        losscli.compute(str(src), per_row=str(out))
    assert not out.exists() and not list(tmp_path.glob(".rows*"))


def test_load_arrays_matches_compute(multiclass_df):
    prepared = pipeline.load_arrays(multiclass_df, true=["label"], pred=["p_*"])
    assert prepared.task == "multiclass" and prepared.y_true.dtype == np.int64
    assert prepared.y_pred.shape == (300, 4)
    assert prepared.classes == ["cat", "dog", "fish", "bird"]
    value = losscli.get_loss("cross_entropy").value(prepared.y_true, prepared.y_pred)
    computed = losscli.compute(multiclass_df, true=["label"], pred=["p_*"], losses=["ce"])
    assert value == pytest.approx(computed.value("cross_entropy"), rel=1e-12)


def test_default_losses_follow_the_task(binary_df, regression_df):
    assert [r.label for r in losscli.compute(regression_df).results] == list(
        pipeline.DEFAULT_LOSSES["regression"]
    )
    assert [r.label for r in losscli.compute(binary_df, pred=["y_pred"]).results] == [
        "bce",
        "brier",
    ]


def test_a_loss_that_does_not_fit_the_task_is_a_usage_error(regression_df):
    with pytest.raises(UsageError, match="does not apply to regression"):
        losscli.compute(regression_df, losses=["bce"])


def test_clipped_values_are_counted(binary_df):
    df = binary_df.copy()
    df.loc[:4, "y_pred"] = 1.0
    result = losscli.compute(df, pred=["y_pred"], losses=["bce"])
    assert result.inputs["values_clipped"] == 5
    assert any("clipped" in w for w in result.warnings)


def test_progress_reports_rows_and_the_parquet_total(tmp_path, regression_df):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.Table.from_pandas(regression_df), path, row_group_size=100)
    seen = []
    losscli.compute(
        str(path), losses=["mse"], progress=lambda rows, total: seen.append((rows, total))
    )
    assert sum(rows for rows, _ in seen) == 500
    assert {total for _, total in seen} == {500}
    csv_seen = []
    losscli.compute(
        str(write(regression_df, tmp_path / "x.csv")),
        losses=["mse"],
        progress=lambda rows, total: csv_seen.append(total),
    )
    assert set(csv_seen) == {None}


def test_load_arrays_with_hard_and_soft_one_hot_batches(tmp_path, monkeypatch):
    """A batch of only hard rows becomes class indices; mixed with soft batches, all are rows."""
    n = 40
    targets = np.zeros((n, 2))
    targets[:20, 0] = 1.0  # hard rows
    targets[20:] = [0.3, 0.7]  # soft rows
    df = pd.DataFrame({"y_a": targets[:, 0], "y_b": targets[:, 1], "p_a": 0.4, "p_b": 0.6})
    path = tmp_path / "x.parquet"
    pq.write_table(pa.Table.from_pandas(df), path, row_group_size=20)
    monkeypatch.setattr(read_batches, "batch_rows", lambda columns: 20)
    prepared = pipeline.load_arrays(str(path), task="multiclass")
    np.testing.assert_array_equal(prepared.y_true, targets)
    streamed = losscli.compute(str(path), task="multiclass", losses=["ce"])
    expected = -np.mean(targets @ np.log([0.4, 0.6]))
    assert streamed.value("cross_entropy") == pytest.approx(expected, rel=1e-12)
