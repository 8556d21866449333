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
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from resolver.config import FileSpec
from resolver.errors import InputError

SUFFIX_KINDS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl"}
SUFFIX_KINDS[".ndjson"] = "jsonl"
# Excel keeps 15 significant digits: a number this wide in a cell may already have lost digits.
WIDE_NUMBER = 1e15


@dataclass
class RawTable:
    """One sheet (or the whole file) as rows of cells. Cells are text, or lists in JSON Lines."""

    sheet: str | None
    headers: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]  # as a person opening the file sees them: header = row 1, JSON line n


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

    def headers(self) -> set[str]:
        return {h for table in self.tables.values() for h in table.headers}


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
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")):
        if data.startswith(bom):
            return data[len(bom) :].decode(name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 nor GB18030 text (byte {err.start})") from None


def read_csv(path: Path, spec: FileSpec, header_row: int = 1) -> RawFile:
    text = decode(path, path.read_bytes(), spec.encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter)
    try:
        records = list(reader)
    except csv.Error as err:
        raise InputError(path, f"not readable as CSV: {err}", row=reader.line_num) from None
    if len(records) < header_row:
        raise InputError(path, "empty file: no header row")
    headers = [h.strip().lstrip("\ufeff") for h in records[header_row - 1]]
    width = len(headers)
    rows, numbers, bad = [], [], []
    for number, record in enumerate(records[header_row:], start=header_row + 1):
        if len(record) == width:
            rows.append(record)
            numbers.append(number)
        elif any(cell.strip() for cell in record):  # blank lines are not rows
            reason = f"wrong column count: expected {width}, found {len(record)}"
            bad.append(BadRow(None, number, reason, spec.delimiter.join(record)))
    return RawFile({None: RawTable(None, headers, rows, numbers)}, bad)


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


def read_xlsx(path: Path, sheets: dict[str, int]) -> RawFile:
    """Read the named sheets (name -> header row) of a workbook."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine raises its own untyped errors for corrupt files
        raise InputError(path, f"not a readable XLSX workbook: {err}") from None
    tables = {}
    for name, header_row in sheets.items():
        if name not in workbook.sheet_names:
            raise InputError(path, f"no sheet {name!r}; the workbook has {workbook.sheet_names}")
        cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if len(cells) < header_row:
            raise InputError(path, "no header row", sheet=name)
        headers = [cell_text(c).strip() for c in cells[header_row - 1]]
        rows, numbers = [], []
        for number, record in enumerate(cells[header_row:], start=header_row + 1):
            texts = [cell_text(c) for c in record]
            if any(texts):
                texts += [""] * (len(headers) - len(texts))
                rows.append(texts[: len(headers)])
                numbers.append(number)
        tables[name] = RawTable(name, headers, rows, numbers)
    return RawFile(tables)


def read_jsonl(path: Path, spec: FileSpec, paths: list[str]) -> RawFile:
    """Each line one JSON object; `paths` (dotted) are the values the mapping asks for."""
    text = decode(path, path.read_bytes(), spec.encoding)
    split_paths = [p.split(".") for p in paths]
    rows, numbers, bad = [], [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            bad.append(
                BadRow(None, number, f"malformed JSON: {err.msg} at column {err.colno}", line)
            )
            continue
        if not isinstance(obj, dict):
            bad.append(BadRow(None, number, "a JSON line must hold an object", line))
            continue
        rows.append([_json_text(_dig(obj, parts)) for parts in split_paths])
        numbers.append(number)
    if not rows and not bad:
        raise InputError(path, "empty file: no JSON lines")
    return RawFile({None: RawTable(None, list(paths), rows, numbers)}, bad)


def json_keys(path: Path, spec: FileSpec, probe_lines: int = 20) -> set[str]:
    """Dotted paths of the first objects in a JSON Lines file, for recognising its platform."""
    keys: set[str] = set()
    with path.open("rb") as handle:
        for _, raw in zip(range(probe_lines), handle, strict=False):
            try:
                obj = json.loads(decode(path, raw, spec.encoding))
            except (json.JSONDecodeError, InputError):
                continue
            if isinstance(obj, dict):
                keys |= set(_flatten_keys(obj))
    return keys


def _flatten_keys(obj: dict, prefix: str = ""):
    for key, value in obj.items():
        yield prefix + key
        if isinstance(value, dict):
            yield from _flatten_keys(value, prefix + key + ".")


def _dig(obj: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _json_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return [_json_text(v) for v in value if v is not None]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def headers_of(path: Path, kind: str, spec: FileSpec) -> set[str]:
    """Headers (or JSON keys, or sheet names and headers) that a signature is matched against."""
    if kind == "jsonl":
        return json_keys(path, spec)
    if kind == "xlsx":
        try:
            workbook = CalamineWorkbook.from_path(str(path))
        except Exception as err:
            raise InputError(path, f"not a readable XLSX workbook: {err}") from None
        found = set(workbook.sheet_names)
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name).to_python(nrows=1)
            found |= {cell_text(c).strip() for c in (sheet[0] if sheet else [])}
        return found
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    text = decode(path, head, spec.encoding) if spec.encoding != "auto" else _decode_head(head)
    first = next(csv.reader(io.StringIO(text), delimiter=spec.delimiter), [])
    return {h.strip().lstrip("\ufeff") for h in first}


def _decode_head(head: bytes) -> str:
    """Decode the start of a file whose end may cut a multi-byte character."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", errors="ignore")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 3:
            return head[: err.start].decode("utf-8")
    return head.decode("gb18030", errors="ignore")
