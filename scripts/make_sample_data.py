"""Build the sample prediction files in ``sample_data/``.

Every file holds honest out-of-fold predictions of a simple scikit-learn model, made with
``cross_val_predict`` over a shuffled 5-fold split (``random_state=0``), on a data set that
scikit-learn ships with (no downloads):

- ``regression_diabetes``: ``RidgeCV`` on ``load_diabetes``.
- ``binary_breast_cancer``: scaled ``LogisticRegression`` on ``load_breast_cancer``.
- ``multiclass_wine``: scaled ``LogisticRegression`` probabilities on ``load_wine``.
- ``multiclass_digits_logits``: scaled ``LogisticRegression`` decision scores on ``load_digits``.
- ``multilabel_digits``: one scaled ``LogisticRegression`` per derived label on ``load_digits``.

Each data set is written as CSV and as Parquet with the same content, together with a
``README.md`` describing the files. Running the script twice gives byte-identical CSVs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "sample_data"
N_FOLDS = 5
SEED = 0

Splits = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SampleData:
    """One sample data set: its file stem, a one-line description and the table."""

    name: str
    description: str
    frame: pd.DataFrame


def _scaled_logreg(c: float = 1.0, max_iter: int = 100) -> BaseEstimator:
    """Return a standardizing logistic-regression pipeline."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=max_iter))


def _fold_ids(splits: Splits, n: int) -> np.ndarray:
    """Return, for each of ``n`` rows, the index of the fold in which it is held out."""
    fold = np.full(n, -1, dtype=np.int64)
    for k, (_, test) in enumerate(splits):
        fold[test] = k
    return fold


def _kfold(x: np.ndarray) -> Splits:
    """Return shuffled 5-fold splits of the rows of ``x``."""
    return list(KFold(N_FOLDS, shuffle=True, random_state=SEED).split(x))


def _stratified(x: np.ndarray, y: np.ndarray) -> Splits:
    """Return shuffled 5-fold splits of the rows of ``x``, stratified by ``y``."""
    return list(StratifiedKFold(N_FOLDS, shuffle=True, random_state=SEED).split(x, y))


def regression_diabetes() -> SampleData:
    """Disease progression one year after baseline, predicted by ``RidgeCV``."""
    x, y = load_diabetes(return_X_y=True)
    splits = _kfold(x)
    y_pred = cross_val_predict(RidgeCV(), x, y, cv=splits)
    # The source codes sex as 1 or 2 without saying which is which. By convention here the
    # negative standardized value (code 1) is "female" and the positive one (code 2) "male".
    sex = np.where(x[:, 1] > 0, "male", "female")
    frame = pd.DataFrame(
        {
            "patient_id": np.arange(len(y), dtype=np.int64),
            "sex": sex,
            "fold": _fold_ids(splits, len(y)),
            "y_true": y.astype(np.float64),
            "y_pred": y_pred.astype(np.float64),
        }
    )
    description = (
        "load_diabetes; RidgeCV on the 10 features; y_true is disease progression after one "
        'year, sex is "female" for sex code 1 and "male" for code 2 (a convention)'
    )
    return SampleData("regression_diabetes", description, frame)


def binary_breast_cancer() -> SampleData:
    """Probability of malignancy, predicted by a scaled ``LogisticRegression``."""
    x, target = load_breast_cancer(return_X_y=True)
    y = (target == 0).astype(np.int64)  # scikit-learn codes malignant as 0; here it is 1
    splits = _stratified(x, y)
    proba = cross_val_predict(_scaled_logreg(c=0.1), x, y, cv=splits, method="predict_proba")
    frame = pd.DataFrame(
        {
            "sample_id": np.arange(len(y), dtype=np.int64),
            "fold": _fold_ids(splits, len(y)),
            "y_true": y,
            "y_pred": proba[:, 1],
        }
    )
    description = (
        "load_breast_cancer; StandardScaler + LogisticRegression(C=0.1); y_true is 1 for "
        "malignant, y_pred the probability of malignant"
    )
    return SampleData("binary_breast_cancer", description, frame)


def multiclass_wine() -> SampleData:
    """Class probabilities of the three wine cultivars, from a scaled ``LogisticRegression``."""
    data = load_wine()
    x, y = data.data, data.target
    names = np.asarray(data.target_names, dtype=str)
    splits = _stratified(x, y)
    proba = cross_val_predict(_scaled_logreg(), x, y, cv=splits, method="predict_proba")
    frame = pd.DataFrame(
        {
            "sample_id": np.arange(len(y), dtype=np.int64),
            "fold": _fold_ids(splits, len(y)),
            "label": names[y],
        }
    )
    probs = pd.DataFrame(proba, columns=[f"p_{name}" for name in names])
    description = (
        "load_wine; StandardScaler + LogisticRegression; label is the class name, "
        "p_<label> its predicted probability"
    )
    return SampleData("multiclass_wine", description, pd.concat([frame, probs], axis=1))


def _digits() -> tuple[np.ndarray, np.ndarray, Splits]:
    """Return the digits images, their digit and splits stratified by digit."""
    x, y = load_digits(return_X_y=True)
    return x, y.astype(np.int64), _stratified(x, y)


def _digits_logreg() -> BaseEstimator:
    """Return the logistic-regression pipeline used for the digits files."""
    return _scaled_logreg(c=0.05, max_iter=2000)


def multiclass_digits_logits() -> SampleData:
    """Raw per-digit scores (logits) of a scaled ``LogisticRegression``."""
    x, y, splits = _digits()
    scores = cross_val_predict(_digits_logreg(), x, y, cv=splits, method="decision_function")
    frame = pd.DataFrame(
        {
            "image_id": np.arange(len(y), dtype=np.int64),
            "fold": _fold_ids(splits, len(y)),
            "y_true": y,
        }
    )
    logits = pd.DataFrame(scores, columns=[f"logit_{d}" for d in range(10)])
    description = (
        "load_digits; StandardScaler + LogisticRegression(C=0.05, max_iter=2000); y_true is "
        "the digit, logit_<d> the decision_function score of digit d"
    )
    return SampleData("multiclass_digits_logits", description, pd.concat([frame, logits], axis=1))


def multilabel_digits() -> SampleData:
    """Three binary labels derived from the digit, each with a scaled ``LogisticRegression``."""
    x, digit, splits = _digits()
    labels = {
        "even": digit % 2 == 0,
        "gt4": digit > 4,
        "prime": np.isin(digit, [2, 3, 5, 7]),
    }
    frame = pd.DataFrame(
        {"image_id": np.arange(len(digit), dtype=np.int64), "fold": _fold_ids(splits, len(digit))}
    )
    for name, label in labels.items():
        frame[f"y_{name}"] = label.astype(np.int64)
    for name, label in labels.items():
        proba = cross_val_predict(
            _digits_logreg(), x, label.astype(np.int64), cv=splits, method="predict_proba"
        )
        frame[f"p_{name}"] = proba[:, 1]
    description = (
        "load_digits; one StandardScaler + LogisticRegression(C=0.05, max_iter=2000) per "
        "label; y_even (digit even), y_gt4 (digit > 4), y_prime (digit in 2, 3, 5, 7), "
        "p_<name> the predicted probability of y_<name> = 1"
    )
    return SampleData("multilabel_digits", description, frame)


BUILDERS: tuple[Callable[[], SampleData], ...] = (
    regression_diabetes,
    binary_breast_cancer,
    multiclass_wine,
    multiclass_digits_logits,
    multilabel_digits,
)


def readme(datasets: list[SampleData]) -> str:
    """Return the text of ``sample_data/README.md`` describing ``datasets``."""
    lines = [
        "# Sample prediction files",
        "",
        "Out-of-fold predictions (`cross_val_predict`, shuffled 5-fold split, stratified for",
        "classification, `random_state=0`) of simple scikit-learn models on data sets that",
        "scikit-learn ships with. `fold` is the fold in which a row was held out. Each file",
        "exists as `.csv` and `.parquet` with the same content. Rebuild with",
        "`python scripts/make_sample_data.py`.",
        "",
    ]
    for data in datasets:
        n_rows, n_cols = data.frame.shape
        columns = ", ".join(f"`{c}`" for c in data.frame.columns)
        lines.append(
            f"- `{data.name}`: {data.description}. {n_rows} rows, {n_cols} columns: {columns}."
        )
    return "\n".join(lines) + "\n"


def build(out: Path) -> list[SampleData]:
    """Build every sample data set and write its CSV, Parquet and the README into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    datasets = [builder() for builder in BUILDERS]
    for data in datasets:
        data.frame.to_csv(out / f"{data.name}.csv", index=False, lineterminator="\n")
        data.frame.to_parquet(out / f"{data.name}.parquet", index=False, engine="pyarrow")
    (out / "README.md").write_text(readme(datasets), encoding="utf-8", newline="\n")
    return datasets


def main() -> None:
    """Parse the command line and write the sample data."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output directory (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args()
    for data in build(args.out):
        n_rows, n_cols = data.frame.shape
        print(f"{args.out / data.name}.{{csv,parquet}}: {n_rows} rows x {n_cols} columns")


if __name__ == "__main__":
    main()
