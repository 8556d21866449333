"""Table-driven tests of the value parsers and the cell readers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from resolver.errors import InputError
from resolver.ingestion.parsers import parse_datetime, parse_integer, parse_money, unguard
from resolver.ingestion.readers import cell_text, decode


def one(parser, text: str, *args):
    values, errors = parser(pd.Series([text], dtype="str"), *args)
    value, error = values.iloc[0], errors.iloc[0]
    return (None if pd.isna(value) else value), (None if pd.isna(error) else error)


@pytest.mark.parametrize(
    ("text", "unit", "fen", "error"),
    [
        ("¥1,234.50", "yuan", 123450, None),
        ("￥1,234.5", "yuan", 123450, None),
        ("1234.5元", "yuan", 123450, None),
        ("RMB 12", "yuan", 1200, None),
        ("19.99", "yuan", 1999, None),
        ("0.10", "yuan", 10, None),
        ("12.300", "yuan", 1230, None),  # trailing zeros are exact
        ("0", "yuan", 0, None),
        ("1990", "fen", 1990, None),
        ("1990.0", "fen", 1990, None),  # an XLSX number cell
        ("", "yuan", None, None),
        ("abc", "yuan", None, "not an amount of money: 'abc'"),
        ("面议", "yuan", None, "not an amount of money: '面议'"),
        ("0.005", "yuan", None, "not an amount of money: '0.005'"),
        ("19.5", "fen", None, "not an amount of money: '19.5'"),
        ("-12.00", "yuan", None, "negative amount"),
        ("1" * 11, "yuan", None, "an amount of ten billion yuan or more is no order"),
        ("9999999999.99", "yuan", 999999999999, None),  # the largest an order may be
        ("999999999999", "fen", 999999999999, None),
        ("１２.５", "yuan", 1250, None),  # full width
        ("￥1,234.50", "yuan", 123450, None),
        (",", "yuan", None, "not an amount of money: ','"),  # found by Hypothesis: not blank
        ("¥", "yuan", None, "not an amount of money: '¥'"),
    ],
)
def test_money(text: str, unit: str, fen: int | None, error: str | None) -> None:
    assert one(parse_money, text, unit) == (fen, error)


@pytest.mark.parametrize(
    ("text", "value", "error"),
    [("3", 3, None), ("2.0", 2, None), ("1,200", 1200, None), ("", None, None),
     ("x", None, "not a whole number: 'x'"), ("1.5", None, "not a whole number: '1.5'"),
     ("１２", 12, None), ("9" * 13, None, f"not a whole number: '{'9' * 13}'")],
)  # fmt: skip
def test_integer(text: str, value: int | None, error: str | None) -> None:
    assert one(parse_integer, text) == (value, error)


@pytest.mark.parametrize(
    ("text", "parser", "zone", "expected"),
    [
        ("2023-05-01 12:03:04", "datetime", "Asia/Shanghai", "2023-05-01T12:03:04"),
        ("2023/5/1 12:03", "datetime", "Asia/Shanghai", "2023-05-01T12:03:00"),
        ("2023年5月1日", "datetime", "Asia/Shanghai", "2023-05-01T00:00:00"),
        ("20230501", "datetime", "Asia/Shanghai", "2023-05-01T00:00:00"),
        ("2023-05-01T04:03:04", "datetime", "UTC", "2023-05-01T12:03:04"),
        ("45047.5", "excel_datetime", "Asia/Shanghai", "2023-05-01T12:00:00"),
        ("2023-05-01 12:03:04", "excel_datetime", "Asia/Shanghai", "2023-05-01T12:03:04"),
        ("20230501", "excel_datetime", "Asia/Shanghai", "2023-05-01T00:00:00"),
        ("1682913784000", "epoch_ms", "Asia/Shanghai", "2023-05-01T12:03:04"),
        ("1682913784", "epoch_s", "Asia/Shanghai", "2023-05-01T12:03:04"),
        ("2023.05.01 12:03", "datetime", "Asia/Shanghai", "2023-05-01T12:03:00"),
        ("2023/5/1 下午 3:05", "datetime", "Asia/Shanghai", "2023-05-01T15:05:00"),
        ("2023-05-01 上午 12:05:09", "datetime", "Asia/Shanghai", "2023-05-01T00:05:09"),
        ("2023/05/01 03:05:09 PM", "datetime", "Asia/Shanghai", "2023-05-01T15:05:09"),
        # a stated offset wins over the mapping's zone
        ("2023-05-01T12:03:04+08:00", "datetime", "Asia/Shanghai", "2023-05-01T12:03:04"),
        ("2023-05-01T04:03:04Z", "datetime", "Asia/Shanghai", "2023-05-01T12:03:04"),
        ("2023-05-01 12:03:04.250+0800", "datetime", "UTC", "2023-05-01T12:03:04"),
        ("2023-05-01T00:03:04-04:00", "excel_datetime", "Asia/Shanghai", "2023-05-01T12:03:04"),
    ],
)
def test_datetimes(text: str, parser: str, zone: str, expected: str) -> None:
    assert one(parse_datetime, text, parser, [], zone) == (expected, None)


@pytest.mark.parametrize(
    ("text", "parser"),
    [("2023-13-45 10:00", "datetime"), ("not a date", "excel_datetime"), ("abc", "epoch_ms"),
     ("1890-01-01", "datetime"), ("9999-12-31", "datetime"), ("3000-01-01 00:00", "datetime"),
     ("1677-09-21", "datetime"), ("99999999999999", "epoch_ms")],
)  # fmt: skip
def test_unparseable_dates(text: str, parser: str) -> None:
    assert one(parse_datetime, text, parser, [], "Asia/Shanghai") == (
        None, f"unparseable date: {text!r}",
    )  # fmt: skip


def test_configured_format_is_tried_first() -> None:
    # 01/05/2023 is the 1st of May in a day-first export
    assert one(parse_datetime, "01/05/2023", "datetime", ["%d/%m/%Y"], "Asia/Shanghai") == (
        "2023-05-01T00:00:00", None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [('="0012345"', "0012345"), ("'330782199001011234", "330782199001011234"),
     ("\t6222021234567890123", "6222021234567890123"), ("  plain  ", "plain"), ("", "")],
)  # fmt: skip
def test_excel_guards_are_removed(text: str, expected: str) -> None:
    assert unguard(pd.Series([text], dtype="str")).iloc[0] == expected


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (3.0, "3"),
        (19.99, "19.99"),
        (6222021234567890123.0, "6.222021234567890e+18"),  # digits already lost: say so
        (1234567890123456.0, "1.234567890123456e+15"),
        (dt.datetime(2023, 5, 1, 12, 3, 4), "2023-05-01 12:03:04"),
        (dt.date(2023, 5, 1), "2023-05-01"),
        (True, "TRUE"),
        ("text", "text"),
    ],
)
def test_spreadsheet_cells(cell, text: str) -> None:
    assert cell_text(cell) == text


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("王伟".encode("gbk"), "王伟"),
        ("王伟".encode(), "王伟"),
        (b"\xef\xbb\xbf" + "王伟".encode(), "王伟"),
        ("䶮".encode("gb18030"), "䶮"),  # a name character GBK lacks
    ],
)
def test_decoding(tmp_path, data: bytes, text: str) -> None:
    assert decode(tmp_path / "x.csv", data, "auto") == text


def test_undecodable_bytes_are_an_error(tmp_path) -> None:
    with pytest.raises(InputError, match="not UTF-8 nor GB18030"):
        decode(tmp_path / "x.csv", b"\x81\x20\xff\xfe", "auto")


def test_money_reads_chunked_arrow_columns() -> None:
    import pyarrow as pa

    chunked = pa.chunked_array([["1.5", "x"], ["-2", "3"]])
    values, errors = parse_money(pd.Series(pd.arrays.ArrowStringArray(chunked)))
    assert values.tolist() == [150, pd.NA, pd.NA, 300]
    assert errors.isna().tolist() == [True, False, False, True]


@pytest.mark.parametrize(
    "column",
    [
        [3.0, 19.99, 0.1, 45000.25, 1e-05, 123456789012345.0, None, "x"],
        [6222021234567890123.0, 1.5],  # wide: the bulk path must still say digits were lost
        [1, 20230501, 975619120003],
        [dt.datetime(2023, 5, 1, 12, 3, 4), dt.datetime(2024, 2, 29)],
        [dt.datetime(2023, 5, 1, 12, 3, 4, 500), None],
        [True, False, dt.date(2023, 5, 1)],
        [],
    ],
)
def test_bulk_column_text_agrees_with_cell_text(column) -> None:
    from resolver.ingestion.readers import column_text

    assert column_text(column).tolist() == [cell_text(v) for v in column]
