"""Every output format reads back as what was computed, whatever the group values hold."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from markdown_it import MarkdownIt

import losscli
from losscli.render import Format
from losscli.render import markdown as md
from losscli.render import result as render_result
from losscli.result import ComputeResult

HOSTILE = [
    "a|b",
    "*bold*",
    "_x_",
    ",",
    '"',
    "x\ny",
    "",
    "ünï",
    "`t`",
    "\\",
    "<b>",
    "[l](u)",
    "a&amp;",
]


@pytest.fixture(scope="module")
def result() -> ComputeResult:
    n = len(HOSTILE)
    df = pd.DataFrame(
        {
            "y_true": [float(i) for i in range(n)] * 2,
            "y_pred": [i + 0.5 * j for j in range(2) for i in range(n)],
            "value": HOSTILE * 2,  # a group column named like a result column
        }
    )
    return losscli.compute(df, losses=["mse", "huber:delta=2"], by=["value"])


def expected(result: ComputeResult) -> list[tuple[str, str | None, float | None]]:
    return [
        (r.label, None if r.group is None else r.group["value"], r.value) for r in result.results
    ]


def test_json_round_trip(result: ComputeResult):
    data = json.loads(render_result.render(result, Format.json))
    got = [
        (r["label"], None if r["group"] is None else r["group"]["value"], r["value"])
        for r in data["results"]
    ]
    assert got == expected(result)


def test_csv_round_trip_with_the_csv_module(result: ComputeResult):
    rows = list(csv.DictReader(io.StringIO(render_result.render(result, Format.csv))))
    header = next(csv.reader(io.StringIO(render_result.render(result, Format.csv))))
    assert len(header) == len(set(header)) and "by_value" in header
    got = [
        (r["loss"], None if r["scope"] == "overall" else r["by_value"], float(r["value"]))
        for r in rows
    ]
    assert got == expected(result)


def test_csv_round_trip_with_pandas(result: ComputeResult):
    text = render_result.render(result, Format.csv)
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype={"by_value": str})
    groups = frame.loc[frame.scope == "group", "by_value"].tolist()
    assert groups == [v for _, v, _ in expected(result) if v is not None]
    # the overall row and the real empty group are told apart by scope
    assert (frame.scope == "overall").sum() == 2 and "" in groups


def table_cells(markdown: str) -> list[list[str]]:
    """The body cells of the first table, as a CommonMark + GFM parser reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: list[list[str]] = []
    in_body = False
    for i, token in enumerate(tokens):
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            break
        elif in_body and token.type == "tr_open":
            rows.append([])
        elif in_body and token.type == "inline" and tokens[i - 1].type == "td_open":
            rows[-1].append(inline_text(token))
    return rows


def inline_text(token) -> str:
    out = ""
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out += child.content
        elif child.type == "html_inline" and child.content == "<br>":
            out += "\n"
        else:  # emphasis and the like: what escaped text never produces
            out += f"<{child.type}>"
    return out


def test_markdown_round_trip_through_a_commonmark_parser(result: ComputeResult):
    rows = table_cells(render_result.render(result, Format.markdown))
    got = [
        (loss, None if group == "<em_open>all rows<em_close>" else group, float(value))
        for loss, _params, group, value, _rows in rows
    ]
    assert [(a, b) for a, b, _ in got] == [(a, b) for a, b, _ in expected(result)]
    assert all(
        abs(g - e) <= 1e-5 * abs(e)
        for (_, _, g), (_, _, e) in zip(got, expected(result), strict=True)
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_and_code_read_back(value: str):
    doc = "| a | b |\n|---|---|\n" + md.row([md.text(value), md.code(value, cell=True)])
    [[text, code]] = table_cells(doc)
    assert text == value
    assert code == " ".join(value.splitlines()) or (value == "" and code == "")


def test_table_shows_every_group_whole(result: ComputeResult):
    text = render_result.render(result, Format.table)
    for value in HOSTILE:
        for line in value.splitlines():
            assert line in text
    assert "…" not in text
