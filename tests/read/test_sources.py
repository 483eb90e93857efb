"""Sources: every input the library takes, files and in-memory tables alike, behind one API."""

from __future__ import annotations

import pyarrow as pa
import pytest

from losscli import read
from losscli.errors import InputError, UsageError
from tests.conftest import write


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("a.csv", "csv"),
        ("a.CSV.GZ", "csv"),
        ("a.tsv", "tsv"),
        ("a.pq", "parquet"),
        ("a.arrow", "feather"),
        ("a.ndjson", "jsonl"),
        ("a.txt", None),
    ],
)
def test_format_of_reads_the_longest_extension(path, kind):
    assert read.format_of(path) == kind


def test_an_arrow_table_is_one_table_source():
    table = pa.table({"y_true": [1.0, 2.0, 3.0], "y_pred": [1.5, 2.0, 2.5], "x": [0, 0, 0]})
    (source,) = read.open_data(table)
    assert (source.format, source.label) == ("table", "<table>")
    assert read.column_names(source) == ["y_true", "y_pred", "x"]
    batches = list(read.iter_batches(source, ["y_pred", "y_true"]))
    assert [b.schema.names for b in batches] == [["y_pred", "y_true"]]
    assert sum(b.num_rows for b in batches) == 3
    assert read.row_count(source) is None


def test_a_record_batch_and_a_dataframe_are_table_sources():
    pd = pytest.importorskip("pandas")
    batch = pa.RecordBatch.from_pydict({"a": [1, 2]})
    assert read.open_data(batch)[0].data.num_rows == 2
    (source,) = read.open_data(pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]}))
    assert source.label == "<dataframe>"
    assert read.column_names(source) == ["a", "b"]


def test_a_missing_column_of_a_table_is_reported_at_once():
    (source,) = read.open_data(pa.table({"a": [1]}))
    with pytest.raises(InputError, match="missing column") as caught:
        read.iter_batches(source, ["a", "b"])
    assert caught.value.column == "b"


def test_paths_and_lists_of_paths_are_opened_as_files(tmp_path, regression_df):
    one = write(regression_df, tmp_path / "a.csv")
    two = write(regression_df, tmp_path / "b.parquet")
    assert [s.format for s in read.open_data(str(one))] == ["csv"]
    assert [s.format for s in read.open_data([one, two])] == ["csv", "parquet"]


def test_file_and_table_sources_stream_the_same_rows(tmp_path, regression_df):
    path = write(regression_df, tmp_path / "a.parquet")
    (from_file,) = read.open_data(str(path))
    (from_table,) = read.open_data(pa.Table.from_pandas(regression_df, preserve_index=False))
    columns = ["y_true", "y_pred"]
    file_rows = pa.Table.from_batches(list(read.iter_batches(from_file, columns)))
    table_rows = pa.Table.from_batches(list(read.iter_batches(from_table, columns)))
    assert file_rows.equals(table_rows)
    assert read.row_count(from_file) == len(regression_df)


def test_an_unknown_input_format_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown --input-format 'xls'"):
        read.open_sources([str(tmp_path / "a.csv")], "xls")


def test_prefetch_yields_in_order_and_reraises_the_producers_error():
    def items():
        yield 1
        yield 2
        raise ValueError("boom")

    seen = []
    with pytest.raises(ValueError, match="boom"):
        for item in read.prefetch(items()):
            seen.append(item)
    assert seen == [1, 2]


def test_batch_rows_keep_cells_per_batch_near_constant():
    assert read.batch_rows(2) == read.BATCH_CELLS // 2
    assert read.batch_rows(10_000) == 8192
