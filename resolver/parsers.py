"""Vectorised value parsers: a column of text in, typed values and per-row errors out.

Each parser returns `(values, errors)`: `errors` holds a reason where a non-empty cell could not
be read and None elsewhere, so the mapping can quarantine exactly those rows. Empty cells give a
missing value and no error; whether a field may be empty is the mapping's decision.
"""

from __future__ import annotations

import pandas as pd

LOCAL_ZONE = "Asia/Shanghai"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"  # fixed width, so text order is time order on every store
COMMON_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0, after its 1900 leap-year bug
EARLIEST, LATEST = pd.Timestamp("1995-01-01"), pd.Timestamp("2100-01-01")
MAX_FEN = 10**15  # ten trillion yuan: beyond this a value is a misread column, not money
_GUARD = r'^="(.*)"$'


def unguard(text: pd.Series) -> pd.Series:
    """Undo the tricks exports use to stop Excel from reading text as numbers: `="123"`, a
    leading apostrophe or tab; then trim spaces."""
    text = text.str.strip()
    guarded = text.str.startswith(("=", "'", "\t"))
    if guarded.any():
        fixed = text[guarded].str.replace(_GUARD, r"\1", regex=True).str.lstrip("'\t").str.strip()
        text = text.copy()
        text[guarded] = fixed
    return text


def _errors_where(bad: pd.Series, text: pd.Series, template: str) -> pd.Series:
    errors = pd.Series(None, index=text.index, dtype=object)
    if bad.any():
        errors[bad] = [template.format(value=value) for value in text[bad]]
    return errors


def parse_money(text: pd.Series, unit: str = "yuan") -> tuple[pd.Series, pd.Series]:
    """`¥1,234.50`, `1234.5元`, `RMB 12` -> integer fen, exactly (no float arithmetic)."""
    cleaned = text.str.replace(r"[¥￥,，\s]|元$|^RMB|^CNY", "", regex=True)
    parts = cleaned.str.extract(r"^(-?)(\d+)(?:\.(\d*))?$")
    empty = cleaned == ""
    fraction = parts[2].fillna("")
    too_precise = fraction.str.rstrip("0").str.len() > (2 if unit == "yuan" else 0)
    digits = parts[1].fillna("0")
    too_large = digits.str.len() > 15
    numeric = parts[1].notna() & ~too_precise & ~too_large
    whole = pd.to_numeric(digits.where(numeric, "0")).astype("int64")
    if unit == "yuan":
        cents = pd.to_numeric(fraction.str.ljust(2, "0").str[:2].where(numeric, "0"))
        fen = whole * 100 + cents.astype("int64")
    else:
        fen = whole
    negative = parts[0] == "-"
    fen = fen.where(~negative, -fen)
    bad_number = ~empty & ~numeric
    errors = _errors_where(bad_number, text, "not an amount of money: {value!r}")
    below_zero = numeric & negative & (fen != 0)
    errors = errors.where(~below_zero, "negative amount")
    values = fen.astype("Int64").where(numeric & ~below_zero & (fen.abs() < MAX_FEN))
    return values, errors


def parse_integer(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    cleaned = text.str.replace(r"[,，\s]|\.0+$", "", regex=True)
    numeric = cleaned.str.fullmatch(r"\d{1,12}")
    values = pd.to_numeric(cleaned.where(numeric)).astype("Int64")
    errors = _errors_where(~numeric & (cleaned != ""), text, "not a whole number: {value!r}")
    return values, errors


def parse_datetime(
    text: pd.Series, parser: str, formats: list[str], zone: str
) -> tuple[pd.Series, pd.Series]:
    """Any supported date representation -> `YYYY-MM-DDTHH:MM:SS` in Asia/Shanghai time."""
    empty = text == ""
    stamps = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if parser in ("epoch_ms", "epoch_s"):
        numeric = text.str.fullmatch(r"\d{9,13}")
        unit = "ms" if parser == "epoch_ms" else "s"
        values = pd.to_numeric(text.where(numeric))
        utc = pd.to_datetime(values, unit=unit, utc=True, errors="coerce")
        stamps = utc.dt.tz_convert(LOCAL_ZONE).dt.tz_localize(None)
    else:
        if parser == "excel_datetime":  # a serial day count: 45047.5 is 2023-05-01 12:00
            serial = text.str.fullmatch(r"\d{4,5}(?:\.\d+)?")
            days = pd.to_numeric(text.where(serial))
            stamps = (EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).dt.round("s")
        for fmt in (*formats, *COMMON_FORMATS):
            todo = stamps.isna() & ~empty
            if not todo.any():
                break
            stamps[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        if zone != LOCAL_ZONE:
            stamps = (
                stamps.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
                .dt.tz_convert(LOCAL_ZONE)
                .dt.tz_localize(None)
            )
    out_of_range = (stamps < EARLIEST) | (stamps >= LATEST)
    stamps = stamps.where(~out_of_range)
    errors = _errors_where(stamps.isna() & ~empty, text, "unparseable date: {value!r}")
    return stamps.dt.strftime(LOCAL_FORMAT).where(stamps.notna()), errors
