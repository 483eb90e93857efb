"""Checks of the sample prediction files in ``sample_data/`` and of the script that builds them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sample_data"
SCRIPT = ROOT / "scripts" / "make_sample_data.py"

DIGITS = [f"logit_{d}" for d in range(10)]
COLUMNS: dict[str, list[str]] = {
    "regression_diabetes": ["patient_id", "sex", "fold", "y_true", "y_pred"],
    "binary_breast_cancer": ["sample_id", "fold", "y_true", "y_pred"],
    "multiclass_wine": ["sample_id", "fold", "label", "p_class_0", "p_class_1", "p_class_2"],
    "multiclass_digits_logits": ["image_id", "fold", "y_true", *DIGITS],
    "multilabel_digits": [
        "image_id",
        "fold",
        *("y_even", "y_gt4", "y_prime"),
        *("p_even", "p_gt4", "p_prime"),
    ],
}
ROWS = {
    "regression_diabetes": 442,
    "binary_breast_cancer": 569,
    "multiclass_wine": 178,
    "multiclass_digits_logits": 1797,
    "multilabel_digits": 1797,
}
PROBABILITIES = {
    "binary_breast_cancer": ["y_pred"],
    "multiclass_wine": ["p_class_0", "p_class_1", "p_class_2"],
    "multilabel_digits": ["p_even", "p_gt4", "p_prime"],
}
NAMES = list(COLUMNS)


def _read(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the CSV and the Parquet table of a sample data set."""
    return pd.read_csv(DATA / f"{name}.csv"), pd.read_parquet(DATA / f"{name}.parquet")


def _load_script() -> ModuleType:
    """Import ``scripts/make_sample_data.py`` by path."""
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_csv_and_parquet_agree(name: str) -> None:
    csv, parquet = _read(name)
    assert list(csv.columns) == list(parquet.columns)
    assert csv.shape == parquet.shape
    for column in csv.columns:
        left, right = csv[column], parquet[column]
        if pd.api.types.is_float_dtype(left) or pd.api.types.is_float_dtype(right):
            np.testing.assert_allclose(left.to_numpy(float), right.to_numpy(float), rtol=1e-15)
        else:
            np.testing.assert_array_equal(left.to_numpy(), right.to_numpy())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_documented_columns_and_no_nan(name: str, fmt: str) -> None:
    frame = (
        pd.read_csv(DATA / f"{name}.csv")
        if fmt == "csv"
        else pd.read_parquet(DATA / f"{name}.parquet")
    )
    assert list(frame.columns) == COLUMNS[name]
    assert len(frame) == ROWS[name]
    assert not frame.isna().any().any()
    id_column = frame.columns[0]
    np.testing.assert_array_equal(frame[id_column].to_numpy(), np.arange(len(frame)))
    assert set(frame["fold"]) == set(range(5))


@pytest.mark.parametrize("name", list(PROBABILITIES))
def test_probabilities_in_unit_interval(name: str) -> None:
    csv, _ = _read(name)
    values = csv[PROBABILITIES[name]].to_numpy(float)
    assert np.all((values >= 0.0) & (values <= 1.0))


def test_wine_probabilities_sum_to_one() -> None:
    csv, _ = _read("multiclass_wine")
    totals = csv[PROBABILITIES["multiclass_wine"]].to_numpy(float).sum(axis=1)
    np.testing.assert_allclose(totals, 1.0, rtol=0, atol=1e-9)


def test_label_values() -> None:
    diabetes, _ = _read("regression_diabetes")
    assert set(diabetes["sex"]) == {"female", "male"}
    assert np.issubdtype(diabetes["y_true"].dtype, np.floating)

    cancer, _ = _read("binary_breast_cancer")
    assert set(cancer["y_true"]) == {0, 1}
    assert cancer["y_true"].sum() == 212  # malignant cases in the breast cancer data

    wine, _ = _read("multiclass_wine")
    assert set(wine["label"]) == {"class_0", "class_1", "class_2"}
    assert {f"p_{label}" for label in wine["label"]} <= set(wine.columns)

    logits, _ = _read("multiclass_digits_logits")
    assert set(logits["y_true"]) == set(range(10))

    multilabel, _ = _read("multilabel_digits")
    for column in ("y_even", "y_gt4", "y_prime"):
        assert set(multilabel[column]) == {0, 1}
    digit = logits["y_true"].to_numpy()
    np.testing.assert_array_equal(multilabel["y_even"], (digit % 2 == 0).astype(int))
    np.testing.assert_array_equal(multilabel["y_gt4"], (digit > 4).astype(int))
    np.testing.assert_array_equal(multilabel["y_prime"], np.isin(digit, [2, 3, 5, 7]).astype(int))


def test_script_rebuilds_the_committed_files(tmp_path: Path) -> None:
    """Same columns and labels; model outputs equal up to BLAS / library-version rounding."""
    module = _load_script()
    module.build(tmp_path)
    for name in NAMES:
        built = pd.read_csv(tmp_path / f"{name}.csv")
        committed = pd.read_csv(DATA / f"{name}.csv")
        pd.testing.assert_frame_equal(built, committed, check_exact=False, rtol=1e-6, atol=1e-9)
