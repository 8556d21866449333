"""Rows of a worksheet as SpreadsheetML, made a column at a time by Arrow.

A report of every network of a large case is mostly its Orders sheet: about 20 cells an order,
10.2 M orders at 200,000 hard demo traders. Written a cell at a time through a workbook library
it cost ~6 us a cell (the 28.6 M cells of 20,000 traders took nearly 4 minutes); made here a
column at a time, the same cells take 19 s, compression included. `resolver.reporting.xlsx`
lays out the workbook (headers, column widths and styles, print set-up) and puts these rows
into its sheets.

Cells are written as Excel writes them: text inline (`t="inlineStr"`), escaped for XML and for
Excel's own `_xHHHH_` escapes, its surrounding spaces kept, at most 32,767 UTF-16 units;
numbers as numbers; moments as Excel dates in Beijing time; flags as yes/no in the report's
words; lists joined with `; `. A null writes no cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from resolver.arrow_bytes import joined
from resolver.i18n import SHANGHAI

MAX_TEXT = 32_767  # UTF-16 units Excel holds in a cell
CUT = "…"
# characters XML 1.0 cannot hold (or would read as a line feed): Excel writes them _xHHHH_
ESCAPED = [*map(chr, range(0x00, 0x09)), *map(chr, range(0x0B, 0x20)), "\ufffe", "\uffff"]
ESCAPED_PATTERN = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in ESCAPED) + "]"  # as RE2 writes them
SPACE = r"[\s\v\pZ\x85]"  # what Python's \s matches: Excel keeps it at either end if asked
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's dates (after its 1900 leap day)
DAY_NS = 86_400 * 10**9


@dataclass(frozen=True)
class Column:
    """How one sheet column is made: from which source column, and as what."""

    source: str
    kind: str  # text | number | moment | yuan (a fen column, in yuan)
    style: int | None  # the cell style's index in the workbook (None: the default)


def cell_values(array: pa.ChunkedArray | pa.Array, kind: str, yes_no: tuple[str, str]) -> pa.Array:
    """A source column as what its cells hold: text (strings) or numbers (float64 or integers),
    null where the cell stays empty."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if kind == "moment":
        return _excel_moments(array)
    if kind == "yuan":
        return pc.divide(pc.cast(array, pa.float64()), 100.0)
    if kind == "number":
        if pa.types.is_floating(array.type):
            return pc.if_else(pc.is_finite(array), array, pa.scalar(None, array.type))
        return array
    return _texts(array, yes_no)


def kind_of(source: str, data_type: pa.DataType, moments: tuple[str, ...]) -> str:
    """How a source column's cells are written: `moments` as dates, numbers as numbers, the
    rest (flags and lists included) as text."""
    if source in moments:
        return "moment"
    numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal)
    return "number" if any(test(data_type) for test in numeric) else "text"


def rows_xml(table: pa.Table, columns: list[Column], first_row: int,
             yes_no: tuple[str, str]) -> bytes:  # fmt: skip
    """`<row>` elements for the rows of `table`, the first numbered `first_row` (1-based)."""
    count = table.num_rows
    if not count:
        return b""
    numbers = pc.cast(pa.array(np.arange(first_row, first_row + count)), pa.string())
    cells = []
    for index, column in enumerate(columns):
        values = cell_values(table.column(column.source), column.kind, yes_no)
        cells.append(_cells(values, letters(index), numbers, column.style))
    rows = pc.binary_join_element_wise(
        '<row r="', numbers, '">', *cells, "</row>", "", null_handling="replace"
    )
    return joined(rows)


def _cells(values: pa.Array, column: str, numbers: pa.Array, style: int | None) -> pa.Array:
    """Each row's cell of one column (`column`: its letters; null where empty)."""
    styled = f' s="{style}"' if style is not None else ""
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        escaped = _escaped(values)
        ends = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(escaped, 0, 1), pc.utf8_slice_codeunits(escaped, -1), ""
        )  # the first and the last character: a pattern over them only is cheap
        spaced = pc.match_substring_regex(ends, f"^{SPACE}|{SPACE}$")
        opening = pc.if_else(spaced, '<t xml:space="preserve">', "<t>")
        return pc.binary_join_element_wise(
            f'<c r="{column}', numbers, f'"{styled} t="inlineStr"><is>', opening, escaped,
            "</t></is></c>", "",
        )  # fmt: skip
    return pc.binary_join_element_wise(
        f'<c r="{column}', numbers, f'"{styled}><v>', pc.cast(values, pa.string()), "</v></c>", ""
    )


def _texts(array: pa.Array, yes_no: tuple[str, str]) -> pa.Array:
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), pa.string())
    if pa.types.is_boolean(array.type):
        return pc.if_else(array, yes_no[0], yes_no[1])
    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        if not pa.types.is_string(array.type.value_type):
            array = pc.cast(array, pa.list_(pa.string()))
        return pc.binary_join(array, "; ")
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return array


def _escaped(texts: pa.Array) -> pa.Array:
    """Text as an XML element's content, as Excel reads it back: `_xHHHH_` already in the text
    escaped, characters XML cannot hold written `_xHHHH_`, &, < and > as entities, and cut to
    what a cell holds."""
    texts = _fitted(texts)
    if pc.any(pc.match_substring(texts, "_x")).as_py():
        texts = pc.replace_substring_regex(texts, r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1")
    if pc.any(pc.match_substring_regex(texts, ESCAPED_PATTERN)).as_py():
        for character in ESCAPED:
            texts = pc.replace_substring(texts, character, f"_x{ord(character):04X}_")
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        texts = pc.replace_substring(texts, raw, entity)
    return texts


def _fitted(texts: pa.Array) -> pa.Array:
    """Texts longer than a cell holds, cut, with `…` to say so (the rest is in the case)."""
    long = pc.greater(pc.utf8_length(texts), MAX_TEXT // 2)  # may pass MAX_TEXT in UTF-16
    if not pc.any(long).as_py():
        return texts
    values = texts.to_pylist()
    for index in np.flatnonzero(long.to_numpy(zero_copy_only=False)):
        text = values[index]
        if _utf16_units(text) > MAX_TEXT:
            text = text[: MAX_TEXT - 1]
            while _utf16_units(text) > MAX_TEXT - 1:
                text = text[:-1]
            values[index] = text + CUT
    return pa.array(values, pa.string())


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _excel_moments(array: pa.Array) -> pa.Array:
    """Moments as Excel date numbers in Beijing time (Excel has no zones: the header says it).
    Text without a zone is already Beijing time (orders' paid_at)."""
    values = array.to_pandas()
    try:
        moments = pd.to_datetime(values, format="ISO8601")
    except (ValueError, TypeError):  # zones that differ from one value to the next
        moments = pd.Series([_moment(v) for v in values], dtype="datetime64[ns]")
    if isinstance(moments.dtype, pd.DatetimeTZDtype):
        moments = moments.dt.tz_convert(SHANGHAI).dt.tz_localize(None)
    since = (moments - EXCEL_EPOCH).to_numpy(dtype="timedelta64[ns]").astype("int64")
    days, rest = np.divmod(since, DAY_NS)
    serial = days + (rest / 1e9) / 86_400  # as Excel writers compute it: days, then the time
    return pa.array(serial, pa.float64(), mask=moments.isna().to_numpy())


def _moment(value: object) -> dt.datetime | None:
    """One moment, naive in Beijing time."""
    if value is None:
        return None
    moment = pd.Timestamp(value)
    if moment.tzinfo is not None:
        moment = moment.tz_convert(SHANGHAI).tz_localize(None)
    return moment.to_pydatetime()


def letters(index: int) -> str:
    """A column's letters (0 -> A, 26 -> AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
