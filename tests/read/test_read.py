"""Reading: the chunked parallel CSV path agrees with the streaming one, rows are located."""

from __future__ import annotations

import numpy as np
import pytest

import losscli
from losscli import read
from losscli.errors import InputError
from losscli.read import csv as csv_read
from tests.conftest import write


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(csv_read, "CSV_CHUNK_BYTES", 512)


def test_chunked_csv_equals_streamed(tmp_path, regression_df, small_chunks):
    path = write(regression_df, tmp_path / "x.csv")
    source = read.open_sources([str(path)])[0]
    assert csv_read.splittable(source)
    chunked = losscli.compute(str(path), losses=["mse", "mae"], by=["region"], weight="w")
    streamed = losscli.compute(
        str(path), losses=["mse", "mae"], by=["region"], weight="w", input_format="csv"
    )
    gz = write(regression_df, tmp_path / "x.csv.gz")
    from_gz = losscli.compute(str(gz), losses=["mse", "mae"], by=["region"], weight="w")
    for a, b, c in zip(chunked.results, streamed.results, from_gz.results, strict=True):
        assert a.value == pytest.approx(b.value, rel=1e-13) == c.value
    assert chunked.inputs["rows"]["read"] == len(regression_df)


def test_chunked_csv_keeps_row_order_for_per_row_output(tmp_path, regression_df, small_chunks):
    path = write(regression_df, tmp_path / "x.csv")
    out = tmp_path / "rows.parquet"
    losscli.compute(str(path), losses=["mae"], per_row=str(out))
    import pandas as pd

    rows = pd.read_parquet(out)
    assert rows.row_id.tolist() == regression_df.row_id.tolist()  # int in CSV too
    np.testing.assert_allclose(rows.mae, (regression_df.y_pred - regression_df.y_true).abs())


def test_chunked_csv_names_the_row_of_a_bad_value(tmp_path, regression_df, small_chunks):
    df = regression_df.astype({"y_pred": object})
    df.loc[400, "y_pred"] = "oops"
    path = write(df, tmp_path / "x.csv")
    with pytest.raises(InputError) as err:
        losscli.compute(str(path))
    assert (err.value.column, err.value.row) == ("y_pred", 401)


def test_chunked_csv_names_a_malformed_row(tmp_path, regression_df, small_chunks):
    path = write(regression_df, tmp_path / "x.csv")
    lines = path.read_text().splitlines()
    lines[300] += ",surplus"
    path.write_text("\n".join(lines))  # and no final newline
    with pytest.raises(InputError) as err:
        losscli.compute(str(path))
    assert err.value.row == 300 and "malformed row" in err.value.message


def test_last_line_without_newline_is_read(tmp_path, regression_df, small_chunks):
    path = write(regression_df, tmp_path / "x.csv")
    path.write_text(path.read_text().rstrip("\n"))
    assert losscli.compute(str(path)).inputs["rows"]["read"] == len(regression_df)


def test_labels_that_look_numeric_in_one_chunk_stay_text(tmp_path, small_chunks):
    import pandas as pd

    n = 400
    labels = np.where(np.arange(n) < 300, "ham", "spam")
    df = pd.DataFrame({"y_true": labels, "y_pred": np.linspace(0.01, 0.99, n)})
    path = write(df, tmp_path / "x.csv")
    result = losscli.compute(str(path), positive="spam", losses=["bce"])
    assert result.inputs["rows"]["read"] == n


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read.open_sources([str(tmp_path / "nope.csv")])
    (tmp_path / "empty.parquet").write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        read.open_sources([str(tmp_path / "empty.parquet")])
    with pytest.raises(InputError, match="no file matches"):
        read.open_sources([str(tmp_path / "*.parquet.missing")])


@pytest.mark.parametrize("chunked", [True, False])
def test_a_later_file_without_a_column(tmp_path, regression_df, monkeypatch, chunked):
    if chunked:
        monkeypatch.setattr(csv_read, "CSV_CHUNK_BYTES", 512)
    a = write(regression_df, tmp_path / "a.csv")
    b = write(regression_df.drop(columns="w"), tmp_path / "b.csv")
    with pytest.raises(InputError) as err:
        losscli.compute([str(a), str(b)], weight="w")
    assert (err.value.file, err.value.column) == (str(b), "w")


@pytest.mark.parametrize("name", ["x.jsonl", "x.csv"])
def test_integers_that_turn_into_floats_after_the_first_block(tmp_path, monkeypatch, name):
    import pandas as pd

    monkeypatch.setattr(
        csv_read, "CSV_BLOCK_BYTES", 4096
    )  # types are inferred from the first block
    monkeypatch.setattr(csv_read, "CSV_CHUNK_BYTES", 4096)
    n = 5000
    y = np.arange(n, dtype=float)
    y[-10:] += 0.5
    pred = np.ones(n)
    pred[-10:] = 1.5
    df = pd.DataFrame({"y_true": y, "y_pred": pred})
    path = tmp_path / name
    if name.endswith(".jsonl"):
        lines = (f'{{"y_true": {a:g}, "y_pred": {b:g}}}\n' for a, b in zip(y, pred, strict=True))
        path.write_text("".join(lines))
    else:
        path.write_text(
            "y_true,y_pred\n" + "".join(f"{a:g},{b:g}\n" for a, b in zip(y, pred, strict=True))
        )
    result = losscli.compute(str(path), losses=["mse"], task="regression")
    assert result.value("mse") == pytest.approx(np.mean((df.y_pred - df.y_true) ** 2), rel=1e-12)


def test_quoted_newlines_are_read_by_the_serial_reader(tmp_path, small_chunks):
    lines = ["id,y_true,y_pred"] + [f'"row\n{i}",{i},{i + 1}' for i in range(300)]
    path = tmp_path / "quoted.csv"
    path.write_text("\n".join(lines) + "\n")
    source = read.open_sources([str(path)])[0]
    assert not csv_read.splittable(source)
    result = losscli.compute(str(path), losses=["mse"])
    assert result.inputs["rows"]["read"] == 300 and result.value("mse") == 1.0


def test_a_quoted_header_still_allows_parallel_parsing(tmp_path, regression_df, small_chunks):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = tmp_path / "x.csv"
    pacsv.write_csv(pa.Table.from_pandas(regression_df[["y_true", "y_pred"]]), path)
    assert path.read_text().startswith('"y_true","y_pred"')
    assert csv_read.splittable(read.open_sources([str(path)])[0])
