"""Words for numbers, shared by every room: `plural(1, "row")` is "1 row", `plural(2, "row")`
"2 rows"."""

from __future__ import annotations


def plural(n: int | float, noun: str, plural_form: str | None = None) -> str:
    """`n` and the noun in the number it takes, with thousands separated.

    >>> plural(1, "row"), plural(2, "row"), plural(1200, "row"), plural(0, "class", "classes")
    ('1 row', '2 rows', '1,200 rows', '0 classes')
    """
    word = noun if n == 1 else (plural_form or f"{noun}s")
    count = f"{n:,}" if isinstance(n, int) else f"{n:g}"
    return f"{count} {word}"


def were(n: int | float) -> str:
    """The verb that agrees with `n`: `f"{plural(n, 'row')} {were(n)} dropped"`.

    >>> were(1), were(3)
    ('was', 'were')
    """
    return "was" if n == 1 else "were"
