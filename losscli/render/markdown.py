"""Text that goes into GitHub-flavoured markdown: cells that can hold any value.

Every cell of every markdown table losscli writes goes through `cell` (plain text) or `code`
(a code span), so that a value such as `a|b`, `*bold*` or a newline reads back as itself.
"""

from __future__ import annotations

import re

#: Characters that can start inline markup in CommonMark (emphasis, code, links, autolinks and
#: HTML, entities, strikethrough) or end a GFM table cell. Block markers (`#`, `-`, `1.`) do not
#: apply inside a cell or after the text that starts a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<|~&])")


def text(value: object) -> str:
    """Plain text for markdown: every character that could start markup is backslash-escaped
    (so `*bold*` stays literal and `|` does not end a table cell); a line break becomes `<br>`."""
    escaped = _SPECIAL.sub(r"\\\1", str(value))
    return "<br>".join(escaped.splitlines()) if "\n" in escaped or "\r" in escaped else escaped


def cell(value: object) -> str:
    """A table cell: `text`, and an empty value shown as an empty cell."""
    return text(value)


def code(value: object, *, cell: bool = False) -> str:
    """A code span that shows `value` literally: backslash escapes do not work in code, so the
    fence is longer than any run of backticks in it. In a table `cell`, `|` is escaped as well
    (GFM splits the row into cells before it reads code spans)."""
    raw = " ".join(str(value).splitlines())
    if not raw:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", raw)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") or not raw.strip() else ""
    if cell:
        raw = raw.replace("|", "\\|")
    return f"{fence}{pad}{raw}{pad}{fence}"


def row(cells: list[str]) -> str:
    """One table row from cells already escaped."""
    return "| " + " | ".join(cells) + " |"
