"""Output formats (the files leave the process through `losscli.write`)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """Output formats; every command renders each of them."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def dumps_json(data: object) -> str:
    """JSON as losscli writes it: indented, keys in insertion order, NaN/inf refused."""
    import json

    return json.dumps(data, indent=2, allow_nan=False)
