"""Shared fixtures: small prediction files in every format and layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def regression_df(rng) -> pd.DataFrame:
    n = 500
    y = rng.normal(10, 3, n)
    return pd.DataFrame(
        {
            "row_id": np.arange(n),
            "region": rng.choice(["north", "south", "east"], n),
            "w": rng.uniform(0.1, 2.0, n),
            "y_true": y,
            "y_pred": y + rng.standard_t(3, n),
        }
    )


@pytest.fixture
def binary_df(rng) -> pd.DataFrame:
    n = 400
    z = rng.normal(0, 2, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
    return pd.DataFrame({"y_true": y, "y_pred": 1 / (1 + np.exp(-z)), "logit": z})


@pytest.fixture
def multiclass_df(rng) -> pd.DataFrame:
    n, k = 300, 4
    logits = rng.normal(0, 2, (n, k))
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    labels = np.array([rng.choice(k, p=row) for row in p])
    names = np.array(["cat", "dog", "fish", "bird"])
    df = pd.DataFrame({"label": names[labels], "label_idx": labels})
    for j, name in enumerate(names):
        df[f"p_{name}"] = p[:, j]
    for j in range(k):
        df[f"logit_{j}"] = logits[:, j]
    return df


def write(df: pd.DataFrame, path: Path) -> Path:
    """Write a frame in the format its suffix names."""
    name = path.name
    if name.endswith((".csv", ".csv.gz")):
        df.to_csv(path, index=False)
    elif name.endswith(".tsv"):
        df.to_csv(path, index=False, sep="\t")
    elif name.endswith((".parquet", ".pq")):
        df.to_parquet(path, index=False)
    elif name.endswith((".feather", ".arrow")):
        df.to_feather(path)
    elif name.endswith((".jsonl", ".ndjson")):
        import json

        records = df.to_dict(orient="records")
        path.write_text("".join(json.dumps(r, default=_plain) + "\n" for r in records))
    else:
        raise ValueError(name)
    return path


def _plain(value):
    """numpy scalars as Python numbers (json writes floats at full precision)."""
    return value.item()
