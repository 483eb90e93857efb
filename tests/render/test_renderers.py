"""Unit tests of `losscli.render`: every format of every result kind, on results built directly."""

from __future__ import annotations

import csv
import io
import json

import pytest

from losscli.losses import get_loss
from losscli.render import Format
from losscli.render import catalogue as render_catalogue
from losscli.render import compare as render_compare
from losscli.render import paired as render_paired
from losscli.render import recommend as render_recommend
from losscli.render import result as render_result
from losscli.render.base import Renderer, TableRenderer
from losscli.result import SCHEMA_VERSION, ComputeResult, GateOutcome, LossResult


def compute_result(gates: bool = False) -> ComputeResult:
    inputs = {
        "files": ["preds.csv"],
        "task": "regression",
        "rows": {"used": 3, "dropped": 1},
        "reduction": "mean",
        "weighted": False,
        "columns": {"by": ["region"]},
    }
    results = [
        LossResult("mse", "mse", {}, 2.5, "mean", 3, 3.0),
        LossResult("mse", "mse", {}, 1.0, "mean", 2, 2.0, group={"region": "eu"}),
        LossResult("huber", "huber", {"delta": 1.0}, None, "mean", 3, 3.0, ci=None),
    ]
    outcomes = (
        [GateOutcome("--max mse=2", "max", "mse", None, 2.5, 2.0, "fail", "mse = 2.5 > 2")]
        if gates
        else []
    )
    return ComputeResult(inputs, results, outcomes, warnings=["a warning"])


def recommendation():
    from losscli.advice import recommend

    return recommend("regression", "linear", outliers=True)


def comparison():
    from losscli.sensitivity import compare

    return compare(task="regression", rows=200)


def paired_result():
    import pandas as pd

    from losscli.gates import parse_gates
    from losscli.paired import compare_models

    y = [float(i % 7) for i in range(60)]
    frame = pd.DataFrame(
        {"y_true": y, "new": [v + 0.5 for v in y], "old": [v + (i % 3) for i, v in enumerate(y)]}
    )
    return compare_models(
        frame,
        baseline_pred=["old"],
        pred=["new"],
        losses=["mse"],
        bootstrap=0,
        gates=parse_gates(max_increase=["mse=1%"]),
    )


KINDS = {
    "compute": (render_result, compute_result),
    "paired": (render_paired, paired_result),
    "recommend": (render_recommend, recommendation),
    "compare": (render_compare, comparison),
    "catalogue list": (render_catalogue, lambda: render_catalogue.select(None, "binary")),
    "catalogue detail": (render_catalogue, lambda: render_catalogue.select("huber")),
}


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_format_of_every_kind_renders(kind, fmt):
    module, build = KINDS[kind]
    assert set(module.RENDERERS) == set(Format), f"{kind}: a format has no renderer"
    renderer = module.RENDERERS[fmt]()
    assert isinstance(renderer, Renderer)
    text = renderer.render(build())
    assert isinstance(text, str) and text.strip()
    assert module.render(build(), fmt) == text


@pytest.mark.parametrize("kind", list(KINDS))
def test_table_renderers_print_rich_tables(kind):
    module, _ = KINDS[kind]
    assert issubclass(module.RENDERERS[Format.table], TableRenderer)
    assert not any(issubclass(module.RENDERERS[f], TableRenderer) for f in Format if f != "table")


@pytest.mark.parametrize("kind", ["compute", "recommend", "catalogue detail"])
def test_json_carries_the_one_schema_version(kind):
    module, build = KINDS[kind]
    data = json.loads(module.render(build(), Format.json))
    assert data["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize("fmt", list(Format))
def test_show_to_a_file_writes_the_rendered_text(tmp_path, fmt):
    target = tmp_path / "out" / f"result.{fmt}"
    result = compute_result()
    render_result.show(result, fmt, str(target))
    text = render_result.render(result, fmt)
    assert target.read_text(encoding="utf-8") == (text if text.endswith("\n") else text + "\n")


def test_show_table_on_stdout(capsys):
    render_result.show(compute_result(), Format.table)
    out = capsys.readouterr().out
    assert "losscli compute" in out and "mse" in out


def test_compute_csv_has_one_row_per_result_and_group_columns():
    rows = list(csv.reader(io.StringIO(render_result.render(compute_result(), Format.csv))))
    assert rows[0] == [
        "scope",
        "loss",
        "name",
        "params",
        "region",
        "value",
        "ci_low",
        "ci_high",
        "rows",
        "weight_sum",
    ]
    assert rows[1] == ["overall", "mse", "mse", "", "", "2.5", "", "", "3", "3.0"]
    assert rows[2][0] == "group" and rows[2][4] == "eu"
    assert rows[3][3] == "delta=1" and rows[3][5] == ""  # an undefined value is empty


def test_compute_markdown_heads_with_the_gate_verdict():
    text = render_result.render(compute_result(gates=True), Format.markdown)
    assert text.startswith("### losscli: ❌ 1 of 1 gates failed")
    assert "`preds.csv`: regression, 3 rows (1 dropped), reduction mean" in text
    assert "| `--max mse=2` | ❌ fail | mse = 2.5 > 2 |" in text
    assert text.endswith("> ⚠️ a warning")


def test_compute_table_as_plain_text_is_120_columns_without_colour():
    text = render_result.render(compute_result(gates=True), Format.table)
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "all rows" in text and "region" in text and "eu" in text and "gates" in text


def test_params_text_hides_switches_left_off():
    assert render_result.params_text({"delta": 2.0, "clip": None, "smooth": 0}) == "delta=2"


def test_catalogue_csv_of_one_loss():
    rows = list(csv.reader(io.StringIO(render_catalogue.render(get_loss("huber"), Format.csv))))
    assert rows[0][0] == "name" and [r[0] for r in rows[1:]] == ["huber"]


def test_catalogue_selection_refuses_an_unknown_task():
    from losscli.errors import UsageError

    with pytest.raises(UsageError, match="unknown task"):
        render_catalogue.select(None, "ranking")


def test_recommendation_table_ends_with_the_command_on_one_line():
    rec = recommendation()
    text = render_recommend.render(rec, Format.table)
    assert text.rstrip("\n").splitlines()[-1] == f"  {rec.compute_command}"


def test_recommendation_csv_is_one_row():
    rows = list(csv.reader(io.StringIO(render_recommend.render(recommendation(), Format.csv))))
    assert rows[0] == list(render_recommend.CSV_COLUMNS) and len(rows) == 2


def test_comparison_table_follows_the_console_width():
    from rich.console import Console

    c = comparison()
    narrow, wide = io.StringIO(), io.StringIO()
    renderer = render_compare.RENDERERS[Format.table]()
    renderer.print(Console(file=narrow, width=70, color_system=None), c)
    renderer.print(Console(file=wide, width=120, color_system=None), c)
    assert "verdict:" in narrow.getvalue()
    assert len(narrow.getvalue().splitlines()[2]) < len(wide.getvalue().splitlines()[2])
