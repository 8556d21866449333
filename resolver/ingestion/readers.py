"""Read a disclosure file into raw tables of text, whatever its kind (CSV, XLSX, JSON Lines).

Readers do no interpretation beyond turning cells into text: which column means what is the
mapping's business (`resolver.mapping`). Rows that cannot be read as rows (a wrong column count,
a malformed JSON line) are returned as quarantined rows; a file that cannot be read at all
raises `InputError`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache, reduce
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
from python_calamine import CalamineWorkbook

from resolver.config.platforms import FileSpec
from resolver.errors import InputError

SUFFIX_KINDS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl"}
SUFFIX_KINDS[".ndjson"] = "jsonl"
SUFFIX_KINDS[".json"] = "jsonl"  # a list of records, read as JSON Lines (see `json_records`)
JSON_SLICE = 32 << 20  # bytes of JSON Lines that Arrow reads at a time
CSV_BLOCK = 1 << 20  # bytes of CSV that Arrow parses at a time (grown for a longer record)
# Excel keeps 15 significant digits: a number this wide in a cell may already have lost digits.
WIDE_NUMBER = 1e15
EXACT_DOUBLE = 2**53  # every whole number below this is exact in a double


@dataclass
class RawTable:
    """One sheet (or the whole file) as columns of text, `""` where empty. A JSON list is a tuple
    of texts. Columnar, because a disclosure has a million rows and a few dozen columns."""

    sheet: str | None
    headers: list[str]
    columns: list[pd.Series]
    row_numbers: np.ndarray  # as a person opening the file sees them: header = row 1, JSON line n

    def __len__(self) -> int:
        return len(self.row_numbers)

    def row(self, position: int) -> dict[str, Any]:
        """One row as {header: cell}, to keep a quarantined row whole."""
        return {h: c.iat[position] for h, c in zip(self.headers, self.columns, strict=True)}

    def without_empty_rows(self) -> RawTable:
        if not self.columns or not len(self):
            return self
        empty = np.logical_and.reduce([(c == "").to_numpy(dtype=bool) for c in self.columns])
        if not empty.any():
            return self
        keep = ~empty
        columns = [c[keep].reset_index(drop=True) for c in self.columns]
        return RawTable(self.sheet, self.headers, columns, self.row_numbers[keep])

    def without_nul_rows(self) -> tuple[RawTable, list[BadRow]]:
        """Rows holding a NUL character set aside: no graph store or spreadsheet takes one,
        and a file that carries one is damaged or crafted."""
        found = np.zeros(len(self), dtype=bool)
        bad: list[BadRow] = []
        for header, column in zip(self.headers, self.columns, strict=True):
            holds = _holds_nul(column) & ~found
            for position in np.flatnonzero(holds):
                reason = f"a NUL character in column {header!r}"
                raw = json.dumps(self.row(int(position)), ensure_ascii=False)
                bad.append(BadRow(self.sheet, int(self.row_numbers[position]), reason, raw))
            found |= holds
        if not found.any():
            return self, bad
        keep = ~found
        columns = [c[keep].reset_index(drop=True) for c in self.columns]
        return RawTable(self.sheet, self.headers, columns, self.row_numbers[keep]), bad


def _holds_nul(cells: pd.Series) -> np.ndarray:
    found = cells.str.contains("\x00", regex=False, na=False).to_numpy(dtype=bool, copy=True)
    if cells.dtype == object:  # JSON lists: tuples of texts
        lists = cells.map(lambda v: isinstance(v, tuple) and any("\x00" in t for t in v))
        found |= lists.to_numpy(dtype=bool)
    return found


def text_column(values: Any) -> pd.Series:
    return pd.Series(values, dtype="str")


@dataclass
class BadRow:
    sheet: str | None
    row: int
    reason: str
    raw: str


@dataclass
class RawFile:
    tables: dict[str | None, RawTable]
    bad_rows: list[BadRow] = field(default_factory=list)
    # a workbook's sheets that no table reads: their first rows, to tell one that holds a
    # table's headers (orders split over several sheets)
    unread_heads: dict[str, list[list]] = field(default_factory=dict)

    def without_nul_rows(self) -> RawFile:
        tables, bad = {}, list(self.bad_rows)
        for name, table in self.tables.items():
            tables[name], set_aside = table.without_nul_rows()
            bad += set_aside
        return RawFile(tables, bad, self.unread_heads)


def file_kind(path: Path) -> str | None:
    return SUFFIX_KINDS.get(path.suffix.lower())


def decode(path: Path, data: bytes, encoding: str) -> str:
    """auto: a BOM decides; else strict UTF-8; else GB18030 (a superset of GBK that also holds
    rare name characters GBK lacks). Neither fitting is a fatal error, never a lossy guess."""
    if encoding != "auto":
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as err:
            raise InputError(path, f"cannot decode as {encoding}: {err}") from None
    utf16 = _utf16(data)
    if utf16:
        try:
            return data.decode(utf16).removeprefix("\ufeff")
        except UnicodeDecodeError as err:
            raise InputError(path, f"not {utf16.upper()} text (byte {err.start})") from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 nor GB18030 text (byte {err.start})") from None


def _utf16(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text, with a BOM or without one (Excel's "Unicode
    text" export): text of Chinese and ASCII has a zero byte in most ASCII characters' other
    half, which UTF-8 and GB18030 text never has."""
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    head = data[:4096]
    zeros = sorted([(head[0::2].count(0), "utf-16-be"), (head[1::2].count(0), "utf-16-le")])
    (fewer, _), (more, name) = zeros
    if more and more >= len(head) // 16 and fewer * 8 <= more:
        return name
    return None


def utf8_bytes(path: Path, data: bytes, encoding: str) -> bytes:
    """The file as UTF-8 bytes for Arrow: `data` itself when it is UTF-8 already (checked piece
    by piece, never held as one str beside it), else decoded as `decode` decides, re-encoded."""
    if encoding in ("utf-8", "utf8") or (
        encoding == "auto" and not data.startswith(codecs.BOM_UTF8) and not _utf16(data)
    ):
        checker = codecs.getincrementaldecoder("utf-8")()
        piece = 1 << 24
        try:
            for start in range(0, len(data), piece):
                checker.decode(data[start : start + piece], final=start + piece >= len(data))
        except UnicodeDecodeError:
            pass
        else:
            return data
    return decode(path, data, encoding).encode("utf-8")


def read_csv(path: Path, spec: FileSpec, header_row: int = 1) -> RawFile:
    """Arrow's CSV parser, single-threaded so that each bad row keeps its record number."""
    data = utf8_bytes(path, path.read_bytes(), spec.encoding)
    lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    records = csv.reader(lines, delimiter=spec.delimiter)
    header = next((r for n, r in enumerate(records, start=1) if n == header_row), None)
    if header is None:
        raise InputError(path, "empty file: no header row")
    headers = [h.strip().lstrip("\ufeff") for h in header]
    block = CSV_BLOCK
    while True:
        try:
            table, kept, bad = _csv_records(data, spec, headers, header_row, block)
            break
        except pa.ArrowInvalid as err:
            if "straddl" in str(err) and block < len(data):  # one record longer than a block
                block *= 8
                continue
            raise InputError(path, f"not readable as CSV: {err}") from None
    # Records keep their order: the good ones take the numbers the bad ones did not.
    numbers = np.arange(header_row + 1, header_row + 1 + len(kept) + len(bad))
    numbers = numbers[~np.isin(numbers, [b.row for b in bad if b.row is not None])][kept]
    columns = [text_column(table.column(i)) for i in range(len(headers))]
    return RawFile({None: RawTable(None, headers, columns, numbers)}, bad)


def _csv_records(
    data: bytes, spec: FileSpec, headers: list[str], header_row: int, block: int
) -> tuple[pa.Table, np.ndarray, list[BadRow]]:
    """(the records that are not blank, which records those are, the bad rows), parsed a
    block at a time with blank records dropped at once: Arrow holds each record's fields
    until a block is done, so a file of blank lines costs about its size, not its lines."""
    names = [f"c{i}" for i in range(len(headers))]
    bad: list[BadRow] = []

    def set_aside(row) -> str:
        if row.text.strip(spec.delimiter + " \r"):  # blank lines are not rows
            reason = f"wrong column count: expected {len(headers)}, found {row.actual_columns}"
            bad.append(BadRow(None, row.number, reason, row.text))
        return "skip"

    reader = pacsv.open_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=header_row, use_threads=False, block_size=block
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=spec.delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=set_aside,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    batches, kept = [], []
    for batch in reader:
        keep = pc.invert(reduce(pc.and_, [pc.equal(c, "") for c in batch.columns]))
        kept.append(keep.to_numpy(zero_copy_only=False))
        batches.append(batch.filter(keep))
    table = pa.Table.from_batches(batches, schema=reader.schema)
    return table, (np.concatenate(kept) if kept else np.zeros(0, dtype=bool)), bad


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person sees, never losing precision silently.

    Floats as wide as an ID number or bank account are written in scientific notation, so the
    identifier normaliser sees (and reports) that their trailing digits are gone.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if abs(value) >= WIDE_NUMBER:
            return f"{value:.15e}"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds() / 86400)
    return str(value)


def column_text(values: Sequence[Any]) -> pd.Series:
    """`cell_text` of every cell of a column, with the common column types done in bulk
    (a sheet of a million rows has millions of number and date cells)."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return text_column(values)
    cells = np.array(values, dtype=object)
    texts = np.empty(len(cells), dtype=object)
    for kind in kinds:
        mask = np.fromiter((type(v) is kind for v in values), dtype=bool, count=len(values))
        texts[mask] = _bulk_text(kind, cells[mask])
    return text_column(texts)


def _bulk_text(kind: type, cells: np.ndarray) -> Any:
    if kind is str:
        return cells
    if kind is float:
        numbers = cells.astype(float)
        if not (np.abs(numbers) >= WIDE_NUMBER).any():
            texts = np.empty(len(numbers), dtype=object)
            whole = numbers == np.trunc(numbers)
            texts[whole] = numbers[whole].astype(np.int64).astype(str)
            texts[~whole] = [repr(v) for v in numbers[~whole].tolist()]
            return texts
    elif kind is int:
        return pc.cast(pa.array(cells.astype(np.int64)), pa.string()).to_numpy(zero_copy_only=False)
    elif kind is dt.datetime:
        stamps = pd.DatetimeIndex(cells)
        if not (stamps.microsecond.any() or stamps.nanosecond.any()):
            return stamps.strftime("%Y-%m-%d %H:%M:%S").to_numpy()
    return [cell_text(v) for v in cells]


@lru_cache(maxsize=1)
def _workbook(path: Path, _version: tuple[int, int]) -> tuple[list[str], dict[str, list[list]]]:
    """Sheet names and the cells of every sheet. calamine parses a whole sheet even for its
    first row, so the parse that recognises the platform is kept for the read that follows
    (`_version`, the file's mtime and size, keeps a changed file from being served stale)."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        cells = {n: workbook.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}
    except Exception as err:  # calamine raises its own untyped errors for corrupt files
        raise InputError(path, f"not a readable XLSX workbook: {err}") from None
    return names, cells


def _load_workbook(path: Path) -> tuple[list[str], dict[str, list[list]]]:
    stat = path.stat()
    return _workbook(path.resolve(), (stat.st_mtime_ns, stat.st_size))


HEAD_ROWS = 10  # rows of a sheet looked at for its headers


def sheets_matching(sheet: str, names: Iterable[str | None]) -> list[str]:
    """The sheets a mapping's `sheet` names: the sheet of that name, or those its pattern
    (`订单明细*`) matches, in the workbook's order."""
    named = [name for name in names if name is not None]
    return [sheet] if sheet in named else [n for n in named if fnmatchcase(n, sheet)]


def read_xlsx(path: Path, sheets: dict[str, int]) -> RawFile:
    """Read the sheets (name or pattern -> header row) of a workbook, and the first rows of the
    others."""
    sheet_names, all_cells = _load_workbook(path)
    _workbook.cache_clear()  # read once: free the cells as soon as they become columns
    tables: dict[str | None, RawTable] = {}
    wanted = {}
    for sheet, header_row in sheets.items():
        names = sheets_matching(sheet, sheet_names)
        if not names:
            raise InputError(path, f"no sheet {sheet!r}; the workbook has {sheet_names}")
        wanted.update(dict.fromkeys(names, header_row))
    for name, header_row in wanted.items():
        cells = all_cells[name]
        if len(cells) < header_row:
            raise InputError(path, "no header row", sheet=name)
        headers = [cell_text(c).strip() for c in cells[header_row - 1]]
        body = cells[header_row:]
        width = len(headers)
        padded = (record[:width] + [None] * (width - len(record)) for record in body)
        columns = [
            column_text(column) for column in (zip(*padded, strict=True) if body else [()] * width)
        ]
        numbers = np.arange(header_row + 1, header_row + 1 + len(body))
        tables[name] = RawTable(name, headers, columns, numbers).without_empty_rows()
    unread = {name: all_cells[name][:HEAD_ROWS] for name in sheet_names if name not in wanted}
    return RawFile(tables, unread_heads=unread)


def read_jsonl(path: Path, spec: FileSpec, paths: list[str]) -> RawFile:
    """Each line one JSON object; `paths` are the values the mapping asks for, dotted, with a
    number for an item of a list (`items.0.title`: the first item's title).

    Arrow's JSON reader does the work (no Python object per value), a slice of JSON_SLICE bytes
    at a time, so memory holds one slice's lines at most. In a slice Arrow cannot take, orjson
    finds the bad lines, which are set aside. Values of conflicting types across lines make the
    whole file read line by line. A path that no line holds is left out of the table's headers,
    so that the mapping says it matches nothing, as it does for a missing column.
    """
    data = _json_lines(path, spec)
    _json_file.cache_clear()  # read once: the records are held by `data` alone from here on
    tables, numbers, bad = [], [], []
    first_line = 1
    for piece in _line_slices(data):
        slice_first, first_line = first_line, first_line + piece.count(b"\n")
        try:
            table = pajson.read_json(pa.BufferReader(piece))
            found = _line_numbers(piece, table.num_rows) + slice_first - 1
        except pa.ArrowInvalid:
            good, found, piece_bad = _checked_lines(piece.split(b"\n"), slice_first)
            bad += piece_bad
            if not good:
                continue
            try:
                table = pajson.read_json(pa.BufferReader(b"\n".join(good)))
            except pa.ArrowInvalid:  # the same key holds a number here and text there
                return _read_jsonl_by_line(path, spec, paths)
        tables.append(table)
        numbers.append(found)
    if not tables and not bad:
        raise InputError(path, "empty file: no JSON lines")
    del data  # hundreds of MB, before the columns become text
    if not tables:  # every line set aside: nothing to tell held paths from missing ones
        return RawFile({None: RawTable(None, list(paths), [text_column([])] * len(paths),
                                       np.array([], dtype=np.int64))}, bad)  # fmt: skip
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return _read_jsonl_by_line(path, spec, paths)  # slices typed a key differently
    rows = np.concatenate(numbers)
    arrays = {p: _arrow_path(table, p) for p in paths}
    held = [p for p, array in arrays.items() if array is not None]
    if any(_lost_digits(arrays[p]) for p in held):
        return _read_jsonl_by_line(path, spec, paths)  # numbers too long for a double
    columns = [_arrow_text(arrays[p], len(rows)) for p in held]
    return RawFile({None: RawTable(None, held, columns, rows)}, bad)


def _line_slices(data: bytes) -> Iterator[bytes]:
    """`data` in slices of about JSON_SLICE bytes, each ending at a line's end."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + JSON_SLICE)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def _line_numbers(data: bytes, rows: int) -> np.ndarray:
    """The line number of each object Arrow read: 1..n unless blank lines lie between."""
    if data.count(b"\n") + (not data.endswith(b"\n")) == rows:
        return np.arange(1, rows + 1)
    return np.array([n for n, line in enumerate(data.split(b"\n"), start=1) if line.strip()])


def _checked_lines(
    lines: list[bytes], first_line: int = 1
) -> tuple[list[bytes], np.ndarray, list[BadRow]]:
    good, numbers, bad = [], [], []
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as err:  # a json.JSONDecodeError, with msg and colno
            reason = f"malformed JSON: {err.msg} at column {err.colno}"
            bad.append(BadRow(None, number, reason, line.decode("utf-8", errors="replace")))
            continue
        if not isinstance(obj, dict):
            bad.append(BadRow(None, number, "a JSON line must hold an object", line.decode()))
            continue
        good.append(line)
        numbers.append(number)
    return good, np.array(numbers, dtype=np.int64), bad


def _lost_digits(array: pa.ChunkedArray) -> bool:
    """Whether Arrow read a number too long for a double (an order id of 20 digits, a bank
    account written as a number), which a double cannot hold exactly."""
    kind = array.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        array, kind = pc.list_flatten(array), kind.value_type
    if not pa.types.is_floating(kind) or len(array) == 0:
        return False
    largest = pc.max(pc.abs(array)).as_py()
    return largest is not None and not largest < EXACT_DOUBLE


def _exact_json(line: bytes) -> Any:
    """A JSON line with every number that a double cannot hold kept as its text."""
    return json.loads(line, parse_int=_exact_int, parse_float=_exact_float)


def _exact_int(text: str) -> int | str:
    return int(text) if len(text) < 16 else text


def _exact_float(text: str) -> float | str:
    digits = text.lower().partition("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return float(text) if len(digits) <= 15 else text


def _read_jsonl_by_line(path: Path, spec: FileSpec, paths: list[str]) -> RawFile:
    """The whole file again, a line at a time: for keys typed differently across lines, which
    Arrow cannot put in one column, and for numbers too long for a double, kept as text."""
    data = _json_lines(path, spec)
    lines, numbers, bad = _checked_lines(data.split(b"\n"))
    split = [p.split(".") for p in paths]
    rows, held = [], [False] * len(paths)
    for line in lines:
        values = [_dig(_exact_json(line), parts) for parts in split]
        held = [h or v is not MISSING for h, v in zip(held, values, strict=True)]
        rows.append([v if type(v) is str else _json_text(v) for v in values])  # mostly text
    by_column = list(zip(*rows, strict=True)) if rows else [()] * len(paths)
    kept = [i for i, h in enumerate(held) if h or not rows]
    columns = [pd.Series(by_column[i], dtype=object) for i in kept]
    return RawFile({None: RawTable(None, [paths[i] for i in kept], columns, numbers)}, bad)


def _arrow_path(table: pa.Table, path: str) -> pa.ChunkedArray | None:
    """The values at a dotted path (`shop.contact.phones`, `items.0.title`); None when no line
    holds it."""
    first, *rest = path.split(".")
    if first not in table.column_names:
        return None
    array = table.column(first)
    for part in rest:
        kind = array.type
        if part.isdigit() and (pa.types.is_list(kind) or pa.types.is_large_list(kind)):
            items = [_list_item(chunk, int(part)) for chunk in array.chunks]
            array = pa.chunked_array(items, kind.value_type)
        elif pa.types.is_struct(kind) and kind.get_field_index(part) >= 0:
            array = pc.struct_field(array, part)
        else:
            return None
    return array


def _list_item(chunk: pa.Array, index: int) -> pa.Array:
    """Item `index` of each list (null where a list is shorter, empty or null)."""
    long_enough = pc.greater(pc.fill_null(pc.list_value_length(chunk), 0), index)
    return pc.list_element(pc.if_else(long_enough, chunk, pa.nulls(len(chunk), chunk.type)), index)


def _arrow_text(array: pa.ChunkedArray, length: int) -> pd.Series:
    """Arrow values as the text the line-by-line reader gives: lists as tuples, "" for null."""
    if pa.types.is_null(array.type):
        return text_column([""] * length)
    kind = array.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return pd.Series([_json_text(v) for v in array.to_pylist()], dtype=object)
    if pa.types.is_struct(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return text_column([_json_text(v) for v in array.to_pylist()])
    return text_column(pc.fill_null(pc.cast(array, pa.string()), ""))


def _json_lines(path: Path, spec: FileSpec) -> bytes:
    """A JSON Lines file's bytes as UTF-8, or a JSON file's records as JSON Lines."""
    if path.suffix.lower() == ".json":
        stat = path.stat()
        return _json_file(path.resolve(), (stat.st_mtime_ns, stat.st_size), spec.encoding)
    return utf8_bytes(path, path.read_bytes(), spec.encoding)


@lru_cache(maxsize=1)
def _json_file(path: Path, _version: tuple[int, int], encoding: str) -> bytes:
    """A JSON file's records as JSON Lines. The whole file is parsed even for its first
    records, so the parse that recognises the platform (once for each mapping of JSON) is kept
    for the read that follows, as a workbook's is (`_workbook`)."""
    return json_records(path, utf8_bytes(path, path.read_bytes(), encoding))


def json_records(path: Path, data: bytes) -> bytes:
    """A JSON file's records as JSON Lines, the n-th record on line n: the file holds a list of
    records, or an object with one list of them (`{"data": [...]}`), as APIs write them.
    Numbers keep every digit: integers are exact, decimals the text they were written in."""
    try:
        document = json.loads(data, parse_float=str)
    except ValueError as err:  # a JSONDecodeError
        raise InputError(path, f"malformed JSON: {err}") from None
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        document = lists[0] if len(lists) == 1 else None
    if not isinstance(document, list):
        raise InputError(path, "a .json file holds a list of records, or an object with one")
    return b"\n".join(json.dumps(record, ensure_ascii=False).encode() for record in document)


def json_keys(path: Path, spec: FileSpec, probe_lines: int = 20) -> set[str]:
    """Dotted paths of the first objects in a JSON Lines file, for recognising its platform."""
    keys: set[str] = set()
    if path.suffix.lower() == ".json":
        head = _json_lines(path, spec).split(b"\n", probe_lines)[:probe_lines]
        lines = [line.decode("utf-8") for line in head]
    else:
        with path.open("rb") as handle:
            text = _decode_head(handle.read(1 << 20), spec.encoding)
        lines = text.split("\n", probe_lines)[:probe_lines]
    for line in lines:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            keys |= set(_flatten_keys(obj))
    return keys


def _flatten_keys(obj: dict, prefix: str = "") -> Iterator[str]:
    for key, value in obj.items():
        yield prefix + key
        if isinstance(value, dict):
            yield from _flatten_keys(value, prefix + key + ".")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield from _flatten_keys(value[0], prefix + key + ".0.")


MISSING = object()  # where no key of an object leads (a key holding null gives None)


def _dig(obj: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(obj, dict):
            if part not in obj:
                return MISSING
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit():
            obj = obj[int(part)] if int(part) < len(obj) else None
        else:
            return None if obj is None else MISSING
    return obj


def _json_text(value: Any) -> Any:
    """JSON values as text; a list becomes a tuple of texts (hashable, to find distinct rows)."""
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    if type(value) is bool:
        return "true" if value else "false"  # as JSON writes them
    if value is None or value is MISSING:
        return ""
    if isinstance(value, list):
        return tuple(_json_text(v) for v in value if v is not None)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    return str(value)


def headers_of(
    path: Path, kind: str, spec: FileSpec, header_rows: Mapping[str | None, int] | None = None
) -> set[str]:
    """Headers (or JSON keys, or sheet names and headers) that a signature is matched against:
    each sheet's (a CSV's: None's) at its row of `header_rows`, the first where none is given."""
    rows = header_rows or {}
    if kind == "jsonl":
        return json_keys(path, spec)
    if kind == "xlsx":
        sheet_names, cells = _load_workbook(path)
        found = set(sheet_names)
        for name, records in cells.items():
            row = next((r for sheet, r in rows.items() if sheet and name in
                        sheets_matching(sheet, [name])), 1)  # fmt: skip
            found |= set(header_cells(records, row))
        return found
    return set(header_cells(_csv_head(path, spec), rows.get(None, 1)))


def header_row_of(
    path: Path, kind: str, spec: FileSpec, signature: list[str], probed: int = 10
) -> int | None:
    """The row among the first `probed` where a sheet (a CSV) holds the signature's headers,
    if not the first: where a title above the table has pushed them down."""
    if kind == "jsonl":
        return None
    if kind == "xlsx":
        sheet_names, cells = _load_workbook(path)
        tables = list(cells.values())
        wanted = set(signature) - set(sheet_names)
    else:
        tables, wanted = [_csv_head(path, spec)], set(signature)
    for row in range(2, probed + 1):
        found = set().union(*(header_cells(records, row) for records in tables))
        if wanted and wanted <= found:
            return row
    return None


def header_cells(records: list[list], row: int) -> list[str]:
    """The cells of `records`' row `row` (from 1) as headers, none where it has no such row."""
    if len(records) < row:
        return []
    return [cell_text(c).strip().lstrip("\ufeff") for c in records[row - 1]]


def _csv_head(path: Path, spec: FileSpec, records: int = 10) -> list[list]:
    """A CSV file's first `records` records."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    text = _decode_head(head, spec.encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter)
    return list(itertools.islice(reader, records))


def _decode_head(head: bytes, encoding: str) -> str:
    """Decode the start of a file whose end may cut a multi-byte character."""
    if encoding != "auto":
        return head.decode(encoding, errors="ignore")
    utf16 = _utf16(head)
    if utf16:
        return head[: len(head) // 2 * 2].decode(utf16, errors="ignore").removeprefix("\ufeff")
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", errors="ignore")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 3:
            return head[: err.start].decode("utf-8")
    return head.decode("gb18030", errors="ignore")
