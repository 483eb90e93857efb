"""Results with many groups: JSON written by the C encoder one result per line, and a table view a
person can read (the overall values, the worst and best groups, and how to get them all).

The JSON document is the one `dumps_json` writes, parsed equal; only the layout of the
`results` list differs (one compact object per line instead of one indented key per line).
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

from losscli.columns.arrow import string_array, to_float64
from losscli.grouped import (
    STATUSES,
    GateColumn,
    GroupTable,
    LossColumns,
    Outcomes,
    Results,
    json_value,
)
from losscli.groups import to_arrow
from losscli.render import _group_keys_as_text, dumps_json
from losscli.render.result import params_text, to_csv
from losscli.result import ComputeResult, GateOutcome

T = TypeVar("T")

#: Above this many group results the many-groups paths are taken.
MANY = 2_000
#: Groups formatted and written at a time.
CHUNK = 10_000
#: Groups shown at each end of the table view.
SHOWN = 10
#: Failed group gates the table lists (the output formats list every one).
FAILED_SHOWN = 20


def group_count(result: ComputeResult) -> int:
    """How many group results the result holds."""
    results = result.results
    if isinstance(results, Results):
        return len(results) - len(results.overall)
    return sum(r.group is not None for r in results)


#: A piece of output: text, or UTF-8 bytes straight from an Arrow buffer.
Piece = str | memoryview


def joined(pieces: Iterable[Piece]) -> str:
    """The text the pieces make."""
    return "".join(p if isinstance(p, str) else bytes(p).decode() for p in pieces)


def to_json(result: ComputeResult) -> str:
    """`dumps_json(result.to_dict())`, parsed equal, fast for any number of results."""
    return joined(json_pieces(result))


def json_pieces(result: ComputeResult) -> Iterator[Piece]:
    """The text of `to_json` in pieces, to write one by one: the group results are formatted
    column by column in Arrow, `CHUNK` groups at a time, one compact object per line."""
    if len(result.results) <= MANY:
        yield dumps_json(result.to_dict())
        return
    table = result.results.table if isinstance(result.results, Results) else None
    overall = result.results.overall if isinstance(result.results, Results) else result.results
    data = dataclasses.replace(result, results=[], gates=[]).to_dict()
    data["summary"], data["passed"] = result.summary(), result.passed
    data["gates"], data["results"] = "__losscli_gates__", "__losscli_results__"
    plain = json.JSONEncoder(allow_nan=False).encode

    def encode(data: Any) -> str:
        """JSON of a result or an outcome, an infinite group key as `dumps_json` writes it."""
        return plain(_group_keys_as_text(data))

    lines: Iterable[Piece] = (
        [",\n    ".join(encode(r.to_dict()) for r in overall)] if overall else []
    )
    groups = None if table is None else _group_objects(table, encode)
    if table is not None and groups is not None:
        lines = itertools.chain(lines, _group_lines(table, groups))
    gates: Iterable[Piece] = _gate_pieces(result.gates, table, groups, encode)
    head = dumps_json(data)
    before, _, rest = head.partition(json.dumps(data["gates"]))
    between, _, after = rest.partition(json.dumps(data["results"]))
    first, second = gates, lines
    if not _:  # results come before gates in the schema
        before, _, rest = head.partition(json.dumps(data["results"]))
        between, _, after = rest.partition(json.dumps(data["gates"]))
        first, second = lines, gates
    yield before
    yield from _list(first)
    yield between
    yield from _list(second)
    yield after


def _list(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """A JSON list of already-encoded items, given in pieces of one or more items each."""
    empty = True
    for piece in pieces:
        yield "[\n    " if empty else ",\n    "
        yield piece
        empty = False
    yield "[]" if empty else "\n  ]"


def _key_objects(table: GroupTable) -> pa.Array | None:
    """Each group's `{"column": key}` as JSON text, built by Arrow when every key column is
    an integer, float or boolean column (None otherwise: the caller encodes the dicts)."""
    import pyarrow.compute as pc

    if table.keys is None:
        return None
    parts: list[pa.Array | pa.Scalar] = []
    for i, (name, column) in enumerate(zip(table.by, table.keys, strict=True)):
        kind = column.type
        if pa.types.is_integer(kind):
            text = column.cast(pa.string())
        elif pa.types.is_floating(kind):
            values = to_float64(column)  # NaN (and null) is null, an infinity its string
            text = _numbers(values)
            if np.isinf(values).any():
                infinity = pc.if_else(
                    to_arrow(values > 0), _text('"Infinity"'), _text('"-Infinity"')
                )
                text = pc.if_else(to_arrow(np.isinf(values)), infinity, text)
        elif pa.types.is_boolean(kind):
            text = pc.if_else(column, _text("true"), _text("false"))
        else:
            return None
        prefix = "{" if i == 0 else ", "
        parts += [_text(f"{prefix}{json.dumps(name)}: "), text.fill_null(_text("null"))]
    return pc.binary_join_element_wise(*parts, _text("}"), _text(""))


def _text(value: str) -> pa.Scalar:
    """A string scalar, built from buffers (`pa.scalar` would import pandas)."""
    return string_array([value])[0]


def _whole(values: np.ndarray) -> np.ndarray:
    """Where repr(x) is the integer's digits and '.0': integral, below 1e16, not -0.0."""
    with np.errstate(invalid="ignore"):
        whole = (np.abs(values) < 1e16) & (values == np.trunc(values))
    return whole & ~((values == 0) & np.signbit(values))


def _whole_reprs(values: np.ndarray) -> pa.Array:
    """repr of integral values below 1e16: the integer's digits and '.0' (the integer cast
    is four times faster than the float's)."""
    import pyarrow.compute as pc

    digits = to_arrow(values.astype(np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(digits, _text(".0"), _text(""))


def _numbers(values: np.ndarray) -> pa.Array:
    """JSON text of floats: repr's digits (`float_reprs`), NaN and infinities as null."""
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=np.float64)
    text = float_reprs(values)
    finite = np.isfinite(values)
    if finite.all():
        return text
    return pc.if_else(to_arrow(finite), text, _text("null"))


def _group_objects(table: GroupTable, encode: Callable[[Any], str]) -> pa.Array:
    """Each group's `{"column": key}` as JSON text."""
    groups = _key_objects(table)
    if groups is None:
        return string_array([encode(_group_keys_as_text(g, True)) for g in table.groups])
    return groups


def _gate_pieces(
    gates: Sequence[GateOutcome],
    table: GroupTable | None,
    groups: pa.Array | None,
    encode: Callable[[Any], str],
) -> Iterator[Piece]:
    """Every gate outcome as one JSON object per line: outcomes kept as columns (`Outcomes`)
    formatted `CHUNK` groups at a time, the others one by one."""
    parts = gates.parts if isinstance(gates, Outcomes) else [list(gates)]
    names = None if table is None else _key_names(table)
    for part in parts:
        if isinstance(part, list):
            if part:
                yield ",\n    ".join(encode(g.to_dict()) for g in part)
        else:
            assert groups is not None
            yield from _gate_lines(part, groups, names, encode)


def _key_names(table: GroupTable) -> pa.Array | None:
    """Each group's 'column=key, ...' as `baseline.located` writes it, escaped for a JSON
    string, built by Arrow when every key column holds integers, floats or booleans (plain
    ASCII); None otherwise."""
    import pyarrow.compute as pc

    if table.keys is None:
        return None
    none = _text("None")
    parts: list[pa.Array | pa.Scalar] = []
    for i, (name, column) in enumerate(zip(table.by, table.keys, strict=True)):
        kind = column.type
        if pa.types.is_integer(kind):
            text = column.cast(pa.string()).fill_null(none)
        elif pa.types.is_floating(kind):
            values = to_float64(column)  # json_value: NaN (and null) is None
            text = pc.if_else(to_arrow(np.isnan(values)), none, float_reprs(values))
        elif pa.types.is_boolean(kind):
            text = pc.if_else(column, _text("True"), _text("False")).fill_null(none)
        else:
            return None
        parts += [_text(json.dumps(f"{', ' if i else ''}{name}=")[1:-1]), text]
    return pc.binary_join_element_wise(*parts, _text(""))


def _gate_lines(
    column: GateColumn,
    groups: pa.Array,
    names: pa.Array | None,
    encode: Callable[[Any], str],
) -> Iterator[memoryview]:
    """One gate's outcome on every group, as `encode(outcome.to_dict())` gives each, one per
    line; messages are the result's name (`names`, by Arrow) and the verdict formatted one by
    one, or whole messages where the names need Python (text keys) or the outcome is an
    error."""
    import pyarrow.compute as pc

    def messages(start: int, stop: int) -> pa.Array:
        if names is None:
            return string_array([encode(column.message(i)) for i in range(start, stop)])
        verdicts = [column.verdict(i) for i in range(start, stop)]
        text = pc.binary_join_element_wise(
            _text(json.dumps(f"{column.label} [")[:-1]),
            names[start:stop],
            _text("]"),
            string_array(["" if v is None else v for v in verdicts]),
            _text('"'),
            _text(""),
        )
        whole = np.array([v is None for v in verdicts], dtype=bool)
        if whole.any():
            fixed = [encode(column.message(start + int(i))) for i in np.flatnonzero(whole)]
            text = pc.replace_with_mask(text, to_arrow(whole), string_array(fixed))
        return text

    head = (
        f'{{"gate": {encode(column.gate)}, "kind": {encode(column.kind)}, '
        f'"loss": {encode(column.label)}, "group": '
    )
    statuses = string_array(list(STATUSES))

    def chunk(start: int) -> memoryview:
        part = slice(start, start + CHUNK)
        status = column.status[part]
        baseline = column.baseline
        pieces: list[pa.Array | pa.Scalar] = [
            _text(head),
            groups[part],
            _text(', "value": '),
            _numbers(column.value[part]),
            _text(', "limit": '),
            _numbers(column.limit[part]),
            _text(', "baseline": '),
            _text("null") if baseline is None else _numbers(baseline[part]),
            _text(', "status": "'),
            statuses.take(to_arrow(status.astype(np.int64))),
            _text('", "passed": '),
            pc.if_else(to_arrow(status == 0), _text("true"), _text("false")),
            _text(', "message": '),
            messages(start, start + len(status)),
            _text("},\n    "),
        ]
        return _concatenated(pieces, len(",\n    "))

    yield from in_order(chunk, range(0, len(column), CHUNK))


def _group_lines(table: GroupTable, groups: pa.Array) -> Iterator[memoryview]:
    """Every group result as one JSON object per line, groups major, losses minor, in pieces
    of `CHUNK` groups formatted two at a time (Arrow's kernels run outside the GIL). The rows
    and weight sums, the same for every loss, are formatted once."""
    encode = json.JSONEncoder(allow_nan=False).encode
    first = table.losses[0]
    shared = all(
        np.array_equal(c.rows, first.rows) and np.array_equal(c.weight_sum, first.weight_sum)
        for c in table.losses[1:]
    )
    between = _text(",\n    ")

    def chunk(start: int) -> memoryview:
        part = slice(start, start + CHUNK)
        counts = _counts(first, part) if shared else None
        pieces: list[pa.Array | pa.Scalar] = []
        for c in table.losses:  # a group's losses a line each
            pieces += [*_loss_pieces(table, c, groups[part], part, encode, counts), between]
        return _concatenated(pieces, len(",\n    "))

    yield from in_order(chunk, range(0, len(groups), CHUNK))


def _concatenated(pieces: list[pa.Array | pa.Scalar], cut: int = 0) -> memoryview:
    """The bytes of every row's pieces joined, all rows one after the other, without the
    last `cut` bytes: read from the joined array's data buffer (no copy)."""
    import pyarrow.compute as pc

    lines = pc.binary_join_element_wise(*pieces, _text(""))
    assert not lines.null_count
    offsets = np.frombuffer(
        lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=4 * lines.offset
    )
    return memoryview(lines.buffers()[2])[int(offsets[0]) : int(offsets[-1]) - cut]


def in_order(make: Callable[[int], T], items: Iterable[int], ahead: int = 2) -> Iterator[T]:
    """make(item) for each item, in order, `ahead` of them made at a time on threads (no more
    are held, whatever the number of items)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(ahead) as pool:
        pending: collections.deque[Future[T]] = collections.deque()
        try:
            for item in items:
                pending.append(pool.submit(make, item))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _counts(c: LossColumns, part: slice) -> tuple[pa.Array, pa.Array]:
    """The JSON text of the rows and the weight sums of the groups in `part`."""
    return to_arrow(c.rows[part]).cast(pa.string()), _numbers(c.weight_sum[part])


def _loss_pieces(
    table: GroupTable,
    c: LossColumns,
    groups: pa.Array,
    part: slice,
    encode: Any,
    counts: tuple[pa.Array, pa.Array] | None,
) -> list[pa.Array | pa.Scalar]:
    """The pieces of one loss's JSON object of each group in `part`, to join."""
    import pyarrow.compute as pc

    rows, weight_sum = _counts(c, part) if counts is None else counts
    head = (
        f'{{"name": {encode(c.name)}, "label": {encode(c.label)}, '
        f'"params": {encode(c.params)}, "value": '
    )
    parts: list[pa.Array | pa.Scalar] = [
        _text(head),
        _numbers(c.value[part]),
        _text(f', "reduction": {encode(table.reduction)}, "group": '),
        groups,
        _text(', "rows": '),
        rows,
        _text(', "weight_sum": '),
        weight_sum,
    ]
    if c.low is not None and c.high is not None:
        low, high = c.low[part], c.high[part]
        ci = pc.binary_join_element_wise(
            _text(f', "ci": {{"level": {encode(table.ci_level)}, "low": '),
            _numbers(low),
            _text(', "high": '),
            _numbers(high),
            _text(
                ', "method": "poisson bootstrap, percentile", '
                f'"replicates": {encode(table.replicates)}}}'
            ),
            _text(""),
        )
        parts.append(pc.if_else(to_arrow(np.isnan(low)), _text(""), ci))
    parts.append(_text("}"))
    return parts


def readable(result: ComputeResult) -> tuple[ComputeResult, str]:
    """The result the table shows for many groups: the overall values, then the worst and the
    best `SHOWN` groups by the first loss (all of its losses), the rest summarised in a note."""
    results = result.results
    if not isinstance(results, Results) or results.table is None:
        return result, ""
    table = results.table
    first = table.losses[0]
    value = np.where(np.isnan(first.value), -np.inf, first.value)  # no value: last
    ranked = np.argsort(-value, kind="stable")
    count = len(ranked)
    picked = np.concatenate([ranked[:SHOWN], ranked[max(SHOWN, count - SHOWN) :]])
    shown = list(results.overall) + [
        table.result(int(g), loss) for g in picked for loss in range(len(table.losses))
    ]
    note = (
        f"{count:,} groups: showing the {SHOWN} highest and {SHOWN} lowest by {first.label}; "
        "--format csv or --format json (with --output FILE) gives them all"
    )
    if isinstance(result.gates, Outcomes):
        gates = result.gates.shown(FAILED_SHOWN)
    else:
        failed = [g for g in result.gates if g.group is not None and not g.passed]
        gates = [g for g in result.gates if g.group is None or g in failed[:FAILED_SHOWN]]
    if len(gates) < len(result.gates):
        counts = result.gate_counts()
        note += (
            f"; {counts['pass']:,} of {len(result.gates):,} gates passed (passing group gates "
            "not shown)"
        )
        overall_failed = sum(g.group is None and not g.passed for g in gates)
        failing = len(result.gates) - counts["pass"] - overall_failed  # of groups
        if failing > FAILED_SHOWN:
            note += f"; {failing:,} group gates failed, the first {FAILED_SHOWN} shown"
    return dataclasses.replace(result, results=shown, gates=gates), note


def csv_pieces(result: ComputeResult) -> Iterator[Piece]:
    """`render.result.to_csv(result)` byte for byte, in pieces: the header and overall rows by
    the plain writer, the group rows built column by column in Arrow, `CHUNK` groups at a
    time (Arrow's own CSV writer quotes every string or refuses them, never minimally)."""
    results = result.results
    if not isinstance(results, Results) or results.table is None or len(results) <= MANY:
        yield to_csv(result)
        return
    table = results.table
    yield to_csv(dataclasses.replace(result, results=list(results.overall)))
    keys = [_csv_keys(column) for column in table.keys or []]
    prefixes = [_csv_row(["group", c.label, c.name, params_text(c.params)]) for c in table.losses]
    first = table.losses[0]
    shared = all(
        np.array_equal(c.rows, first.rows) and np.array_equal(c.weight_sum, first.weight_sum)
        for c in table.losses[1:]
    )
    comma, newline = _text(","), _text("\n")

    def chunk(start: int) -> memoryview:
        part = slice(start, start + CHUNK)
        counts = _csv_counts(first, part) if shared else None
        cells: list[pa.Array | pa.Scalar] = []
        for prefix, c in zip(prefixes, table.losses, strict=True):
            cells += [_text(prefix)]
            for k in keys:
                cells += [comma, k[part]]
            cells += [comma, float_reprs(c.value[part])]
            if c.low is not None and c.high is not None:
                cells += [comma, float_reprs(c.low[part]), comma, float_reprs(c.high[part])]
            else:
                cells += [_text(",,")]
            rows, weight_sum = _csv_counts(c, part) if counts is None else counts
            cells += [comma, rows, comma, weight_sum, newline]
        return _concatenated(cells)

    yield from in_order(chunk, range(0, len(table.groups), CHUNK))


def _csv_counts(c: LossColumns, part: slice) -> tuple[pa.Array, pa.Array]:
    """The CSV cells of the rows and the weight sums of the groups in `part`."""
    return to_arrow(c.rows[part]).cast(pa.string()), float_reprs(c.weight_sum[part])


def _csv_row(cells: list[Any]) -> str:
    """One CSV row by the plain writer, without its line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()[:-1]


def _quoted_characters() -> str:
    """The characters that make the plain CSV writer quote a field."""
    return "".join(c for c in ',"\n\r' if _csv_row([f"a{c}b"]).startswith('"'))


def _csv_keys(column: pa.Array) -> pa.Array:
    """A key column's CSV cells as the plain writer gives them (`json_value`, then quoted
    where needed)."""
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_floating(kind):
        return float_reprs(to_float64(column))
    if pa.types.is_integer(kind):
        return column.cast(pa.string()).fill_null(_text(""))
    if pa.types.is_boolean(kind):
        return pc.if_else(column, _text("True"), _text("False")).fill_null(_text(""))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = column.cast(pa.string())
    else:
        text = pa.array(
            [None if v is None else str(json_value(v)) for v in column.to_pylist()], pa.string()
        )
    pattern = "[" + "".join(f"\\x{ord(c):02x}" for c in _quoted_characters()) + "]"
    quote = _text('"')
    quoted = pc.binary_join_element_wise(
        quote, pc.replace_substring(text, '"', '""'), quote, _text("")
    )
    return pc.if_else(pc.match_substring_regex(text, pattern), quoted, text).fill_null(_text(""))


def float_reprs(values: np.ndarray) -> pa.Array:
    """`repr(float(x))` of each value, '' for NaN: integral values below 1e16 as the integer's
    digits and '.0'; Arrow's shortest digits where its layout is repr's (plain decimals from
    1e-4 up to 1e16); repr itself elsewhere (exponents, -0.0, infinities)."""
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=np.float64)
    whole = _whole(values)
    if whole.all():
        return _whole_reprs(values)
    text = to_arrow(values).cast(pa.string())
    if whole.any():
        text = pc.if_else(to_arrow(whole), _whole_reprs(np.where(whole, values, 0.0)), text)
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        odd = ~whole & ((size < 1e-4) | (size >= 1e16))  # NaN: neither
    odd |= to_float64(pc.match_substring(text, "e")) > 0
    index = np.flatnonzero(odd)
    if len(index):
        fixed = string_array([repr(v) for v in values[index].tolist()])
        text = pc.replace_with_mask(text, to_arrow(odd), fixed)
    nan = np.isnan(values)
    if nan.any():
        text = pc.if_else(to_arrow(nan), _text(""), text)
    return text
