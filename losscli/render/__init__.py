"""Output formats (the files leave the process through `losscli.write`)."""

from __future__ import annotations

import math
from enum import StrEnum


class Format(StrEnum):
    """Output formats; every command renders each of them."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def dumps_json(data: object) -> str:
    """JSON as losscli writes it: indented, keys in insertion order, NaN/inf refused, except as
    group keys (values of the data, not results), which are written as "NaN", "Infinity" and
    "-Infinity" strings."""
    import json

    return json.dumps(_group_keys_as_text(data), indent=2, allow_nan=False)


def _group_keys_as_text(data: object, inside_group: bool = False) -> object:
    if isinstance(data, dict):
        return {
            k: _group_keys_as_text(v, inside_group or k in ("group", "groups"))
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [_group_keys_as_text(v, inside_group) for v in data]
    if inside_group and isinstance(data, float) and not math.isfinite(data):
        return "NaN" if math.isnan(data) else ("Infinity" if data > 0 else "-Infinity")
    return data
