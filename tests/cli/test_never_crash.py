"""Whatever a file holds, compute answers with a result or a one-line error, never a crash."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from losscli.cli import app

runner = CliRunner()

cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-3, 3).map(str),
    st.sampled_from(["", "nan", "inf", "-inf", "true", "false", "cat", "dog", "1e400", '"x,y"']),
    st.text(string.ascii_letters + string.digits + ".-+ ", max_size=6),
)
header = st.lists(
    st.sampled_from(["y_true", "y_pred", "label", "p_a", "p_b", "w", "group", "logit", "x"]),
    min_size=1,
    max_size=5,
    unique=True,
)


@st.composite
def csv_files(draw) -> str:
    names = draw(header)
    rows = draw(st.lists(st.lists(cell, min_size=len(names), max_size=len(names)), max_size=8))
    if draw(st.booleans()) and rows:  # sometimes a ragged row
        rows[-1] = rows[-1][:-1] or ["1", "2"]
    return "\n".join([",".join(names), *(",".join(r) for r in rows)]) + "\n"


OPTIONS = st.sampled_from(
    [
        [],
        ["--loss", "mse,mae,huber"],
        ["--loss", "bce"],
        ["--loss", "cross_entropy"],
        ["--task", "binary"],
        ["--task", "multiclass", "--pred", "p_*"],
        ["--weight", "w"],
        ["--by", "group"],
        ["--nan", "drop"],
        ["--from-logits", "--loss", "bce,focal"],
        ["--max", "mse=1"],
        ["--json", "--bootstrap", "5"],
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=csv_files(), options=OPTIONS)
def test_compute_never_crashes(tmp_path, content, options):
    path = tmp_path / "fuzz.csv"
    path.write_text(content)
    result = runner.invoke(app, ["compute", str(path), *options])
    assert result.exit_code in (0, 1, 2), (content, options, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("error: ")
