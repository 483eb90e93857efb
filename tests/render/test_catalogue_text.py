"""The catalogue reaches a person whole: no text swallowed as markup, no value cut at any width."""

from __future__ import annotations

import io
import json
import re

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from losscli.losses import CATALOGUE, Loss
from losscli.render import Format
from losscli.render import catalogue as render_catalogue

LOSSES = list(CATALOGUE.values())


def texts(loss: Loss) -> list[str]:
    """Every piece of prose the catalogue holds for a loss."""
    out = [loss.title, loss.summary, loss.formula, loss.choice, *loss.equivalents.values()]
    out += [p.doc for p in loss.params]
    return [t for t in out if t]


def words(text: str) -> list[str]:
    return text.split()


def plain(renderable: object, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(renderable)
    return buffer.getvalue()


def test_brackets_survive_the_detail_table():
    text = " ".join(render_catalogue.render(CATALOGUE["bce"], Format.table).split())
    assert "clipped to [eps, 1 - eps] with eps" in text


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
def test_every_text_reaches_the_table_and_markdown_whole(loss: Loss):
    table = " ".join(render_catalogue.render(loss, Format.table).split())
    # folded lines join without a space; compare without whitespace
    squeezed = re.sub(r"[\s│┃]", "", table)
    for t in texts(loss):
        assert re.sub(r"\s", "", t) in squeezed, t
    rendered = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(render_catalogue.render(loss, Format.markdown))
    )
    import html

    flat = re.sub(r"\s", "", html.unescape(re.sub(r"<[^>]+>", "", rendered)))
    for t in texts(loss):
        assert re.sub(r"\s", "", t) in flat, t
    assert json.loads(render_catalogue.render(loss, Format.json))["loss"]["summary"] == loss.summary


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_the_list_picks_columns_by_width_and_cuts_nothing(width: int):
    text = plain(render_catalogue._list_rich(LOSSES, width), width)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    shown = render_catalogue.list_columns(LOSSES, width)
    assert list(shown)[:2] == ["loss", "tasks"]
    cells = dict(render_catalogue._LIST_COLUMNS)
    tokens = set(re.split(r"[\s│┃]+", text))
    for loss in LOSSES:
        for name in shown:
            # a cell may wrap at its spaces, never inside a word
            assert set(cells[name](loss).split()) <= tokens, (name, loss.name)
    hidden = [n for n, _ in render_catalogue._LIST_COLUMNS if n not in shown]
    if hidden:
        assert "not shown at this width: " + ", ".join(hidden) in " ".join(text.split())


def test_wide_terminal_shows_every_column():
    assert list(render_catalogue.list_columns(LOSSES, 160)) == [
        n for n, _ in render_catalogue._LIST_COLUMNS
    ]
