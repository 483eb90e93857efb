"""Property: on any label layout, `compute` equals a NumPy / scikit-learn reference on the true
layout, or refuses (exit 2) naming the option that settles it; never a different number with
exit 0. Layouts: sorted or shuffled, 0/1, -1/+1, booleans, strings, 0-based and 1-based class
labels, absent classes, split into batches so that the first batch may not show every label."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss

import losscli
from losscli.errors import LosscliError

BINARY = {
    "0/1": (0, 1, None),
    "-1/+1": (-1, 1, None),
    "bool": (False, True, None),
    "yes/no": ("no", "yes", None),
    "ham/spam": ("ham", "spam", "spam"),
}
CLASSES = {
    "0-based": lambda k: list(range(k)),
    "1-based": lambda k: list(range(1, k + 1)),
    "names": lambda k: ["cat", "dog", "eel", "fox", "gnu"][:k],
}


def _table(columns: dict, first: int) -> pa.Table:
    """The columns as a table whose first batch holds `first` rows (the rest in a second)."""
    full = pa.table(columns)
    n = full.num_rows
    parts = [full.slice(0, first), full.slice(first)] if 0 < first < n else [full]
    return pa.Table.from_batches([b for t in parts for b in t.to_batches()])


def _check(run, expected: dict[str, float]) -> None:
    try:
        result = run()
    except LosscliError as exc:
        assert exc.exit_code == 2 and "--" in str(exc), str(exc)
        return
    for name, value in expected.items():
        assert result.value(name) == pytest.approx(value, rel=1e-9, abs=1e-12), name


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    kind=st.sampled_from(sorted(BINARY)),
    labels=st.lists(st.booleans(), min_size=1, max_size=30),
    order=st.sampled_from(["shuffled", "sorted", "reversed"]),
    first=st.integers(1, 30),
    seed=st.integers(0, 2**16),
)
def test_binary_layouts(kind, labels, order, first, seed):
    rng = np.random.default_rng(seed)
    positive = np.array(labels)
    if order != "shuffled":
        positive = np.sort(positive)[:: 1 if order == "sorted" else -1]
    p = rng.uniform(0.02, 0.98, len(positive))
    negative, pos, option = BINARY[kind]
    y = [pos if v else negative for v in positive]
    table = _table({"y_true": y, "y_pred": p}, first)
    expected = {
        "bce": log_loss(positive, p, labels=[False, True]),
        "brier": float(np.mean((p - positive) ** 2)),
    }
    _check(lambda: losscli.compute(table, positive=option), expected)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    naming=st.sampled_from(sorted(CLASSES)),
    k=st.integers(3, 5),
    present=st.integers(1, 5),
    n=st.integers(1, 30),
    order=st.sampled_from(["shuffled", "sorted"]),
    first=st.integers(1, 30),
    seed=st.integers(0, 2**16),
)
def test_multiclass_layouts(naming, k, present, n, order, first, seed):
    rng = np.random.default_rng(seed)
    classes = CLASSES[naming](k)
    index = rng.integers(0, min(present, k), n)  # classes beyond `present` are absent
    if order == "sorted":
        index = np.sort(index)
    probs = rng.dirichlet(np.ones(k), n) * 0.9 + 0.1 / k
    y = [classes[i] for i in index]
    columns = {"label": y, **{f"p_{c}": probs[:, j] for j, c in enumerate(classes)}}
    table = _table(columns, first)
    expected = {
        "cross_entropy": log_loss(index, probs, labels=list(range(k))),
        "brier": float(np.mean(np.sum((probs - np.eye(k)[index]) ** 2, axis=1))),
    }
    _check(lambda: losscli.compute(table, true=["label"], pred=["p_*"]), expected)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    counts=st.lists(st.integers(0, 9), min_size=1, max_size=30),
    first=st.integers(1, 30),
    seed=st.integers(0, 2**16),
)
def test_sorted_count_targets(counts, first, seed):
    rng = np.random.default_rng(seed)
    y = np.sort(np.array(counts, dtype=float))
    pred = y + rng.normal(0, 1, len(y))
    table = _table({"y_true": y.astype(int), "y_pred": pred}, first)
    expected = {"mse": float(np.mean((y - pred) ** 2))}
    _check(lambda: losscli.compute(table, losses=["mse"]), expected)
