"""The report as a workbook: a cover sheet, then one sheet per table, the order ids behind
every total included; laid out for the lawyers who read and print it.

Money is written twice: integer fen (the figure of record) and yuan (for reading). Each total
of `Totals` is the sum of `amount_fen` over the `Orders` rows of its network with `counted` =
yes and the same trader, platform, month or product, so a reader can refilter and check it.
Moments are Excel dates and times in Beijing time (Asia/Shanghai), as the headers say. Columns
are as wide as their contents (a Chinese character counts twice), long texts wrap, and every
sheet prints landscape on A4, fitted to the page width, its header row repeated, the report's id,
sha256 and the page number in the footer.

XlsxWriter lays the workbook out: the cover, each sheet's header row, column widths and styles,
filters and print set-up. The rows of data, millions in a large case, are made a column at a
time (`resolver.reporting.sheet_rows`) and put into their sheets as the workbook is packed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import xlsxwriter

from resolver.case.order_sets import OrderSet
from resolver.i18n import Words, display_width, words
from resolver.money import yuan
from resolver.progress import Progress, silent
from resolver.reporting.content import FIGURES, Report
from resolver.reporting.sheet_rows import Column, cell_values, kind_of, letters, rows_xml

MAX_ROWS = 1_048_575  # rows of data under the header that one sheet can hold
BATCH_ROWS = 50_000
MAX_WIDTH = 60  # characters; longer texts wrap
SAMPLED_ROWS = 2_000  # rows a column's width is measured on
MOMENTS = ("paid_at", "judged_at", "ingested_at")  # columns written as Excel dates and times
ORDER_COLUMNS = {  # each order column shown, and its name in the sheet
    **{column: column for column in (
        "network_id", "trader_id", "account_id", "platform", "order_id", "paid_at", "month",
        "product_title", "quantity", "amount_fen", "infringing", "self_purchase", "counted",
        "copies", "copies_disagree")},
    "provenance": "disclosed_in",
    "disclosure_ids": "disclosure_sha256",
}  # fmt: skip


@dataclass
class Rows:
    """A table's rows, read a batch at a time (a case's orders are on disk)."""

    columns: list[str]
    length: int
    batches: Callable[[int], Iterator[pa.Table]]  # rows per batch -> the batches, in order

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> Rows:
        table = pa.Table.from_pandas(frame, preserve_index=False)

        def batches(rows: int) -> Iterator[pa.Table]:
            return (pa.Table.from_batches([batch]) for batch in table.to_batches(rows))

        return cls(list(frame.columns), len(frame), batches)

    @classmethod
    def of_orders(cls, orders: OrderSet, columns: dict[str, str]) -> Rows:
        """`columns`: each order column shown, and its name in the sheet."""
        names = list(columns.values())

        def batches(rows: int) -> Iterator[pa.Table]:
            for batch in orders.batches(rows, list(columns)):
                yield batch.rename_columns(names)

        return cls(names, len(orders), batches)


@dataclass
class Sheet:
    """A sheet of a table: its file in the package, and the rows it shows (`first`, `count`);
    its columns as laid out (a yuan column beside each fen column), made as it is packed."""

    member: str
    name: str  # the table's, in the report's words
    rows: Rows
    columns: list[tuple[str, str]]  # (source column, kind) of each sheet column
    first: int
    count: int


def write(report: Report, out: Path, progress: Progress = silent) -> None:
    layout = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        layout, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#ECEFF1", "border": 1,
                                       "text_wrap": True, "valign": "top"}),
        "yuan": workbook.add_format({"num_format": "#,##0.00"}),
        "moment": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "bold": workbook.add_format({"bold": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 16}),
        "proof": workbook.add_format({"bold": True, "font_color": "#B71C1C"}),
    }  # fmt: skip
    t = words(report.lang)
    yes_no = (t["yes"], t["no"])
    _cover(workbook, report, formats, t)
    sheets: list[Sheet] = []
    for name, rows in _tables(report, t).items():
        sheets += _table(workbook, t.get("sheet_" + name, name), rows, formats, report, t)
    workbook.close()
    _pack(layout, sheets, out, yes_no, progress)


def _print_setup(sheet, report: Report, t: Words, title_rows: bool = True) -> None:
    """Landscape A4, fitted to the page width, header row on every page, id and page in the
    footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if title_rows:
        sheet.repeat_rows(0)
    footer = f"&L&8{t.report_id} {report.report_id}  sha256 {report.content_sha256}"
    sheet.set_footer(footer + f"&R&8{t.page_before}&P{t.page_of}&N{t.page_after}")


def _cover(workbook: xlsxwriter.Workbook, report: Report, formats: dict, t: Words) -> None:
    sheet = workbook.add_worksheet(t.sheet_cover)
    orders = sum(n.total("orders") for n in report.networks)
    sales = sum(n.total("amount_fen") for n in report.networks)
    infringing = sum(n.total("infringing_fen") for n in report.networks)
    facts = [
        (t.report_id, report.report_id),
        (t.content_sha256, report.content_sha256),
        *((t.note, note) for note in report.notes),
        (t.generated + t.shanghai_time, report.generated_at[:19].replace("T", " ")),
        (t.tool, f"resolver {report.tool_version}"),
        (t.config_sha256, report.config_sha256),
        (t.model_sha256, report.model_config_sha256 or t.not_recorded),
        (t.case, report.case_folder),
        (t.self_purchase_orders, t.self_purchases_included if report.include_self_purchases
         else t.self_purchases_excluded),
        (t.keywords, t.list_sep.join(report.keywords) or t.none_configured),
        (t.damages_basis, t["basis_" + report.damages.basis]),
        (t.networks, f"{len(report.networks):,}"),
        (t.orders_counted, f"{orders:,}"),
        (t.sales, yuan(sales)),
        (t.infringing_sales, yuan(infringing)),
        (t.how_to_check, t.how_to_check_text),
    ]  # fmt: skip
    sheet.write_string(0, 0, f"{t.report_title}: {report.subject}", formats["title"])
    sheet.set_column(0, 0, 34, formats["bold"])
    sheet.set_column(1, 1, 100, formats["wrap"])
    for row, (label, value) in enumerate(facts, start=2):
        sheet.write_string(row, 0, label, formats["bold"])
        sheet.write_string(row, 1, value, formats["wrap"])
    row = len(facts) + 3
    sheet.write_string(row, 0, t.damages_scenarios, formats["bold"])
    for offset, scenario in enumerate(report.scenarios, start=1):
        proven = f" [{t.to_be_proven}]" if scenario.to_be_proven else ""
        sheet.write_string(row + offset, 0, scenario.scenario + proven,
                           formats["proof"] if proven else formats["bold"])  # fmt: skip
        sheet.write_string(row + offset, 1, f"{scenario.legal_basis}. {scenario.note}",
                           formats["wrap"])  # fmt: skip
    _print_setup(sheet, report, t, title_rows=False)


def _tables(report: Report, t: Words) -> dict[str, Rows]:
    """Every table of the report, all networks under one header, in the report's order."""
    tables = report.tables
    summary = pd.DataFrame(
        {
            "network_id": [n.network_id for n in report.networks],
            "traders": [n.traders for n in report.networks],
            "platforms": [n.platforms for n in report.networks],
            "accounts": [_rows(report, "accounts", n.rank) for n in report.networks],
            **{figure: [n.total(figure) for n in report.networks] for figure in FIGURES},
        }
    )
    damages = pd.DataFrame(
        [(n.network_id, d.scenario, d.amount_fen, t.to_be_proven if d.to_be_proven else None,
          d.formula, d.legal_basis, d.note)
         for n in report.networks for d in n.damages],
        columns=["network_id", "scenario", "amount_fen", "status", "formula", "legal_basis",
                 "note"],
    )  # fmt: skip
    links = pd.DataFrame(
        [
            (n.network_id, link.account_a, link.account_b, link.probability, link.match_weight,
             link.splink_weight, link.prior,
             [f"{t['reason_' + r.side]}{r.text}" for r in link.reasons],
             [f"{s.comparison}: {s.level} ({s.weight:+.2f})" for s in link.steps],
             [f"{words} ({weight:+.2f})" for words, weight in link.control],
             link.self_purchase_orders, link.strongest, link.same_trader)
            for n in report.networks for link in n.links
        ],
        columns=["network_id", "account_a", "account_b", "probability", "match_weight",
                 "splink_weight", "prior", "reasons", "comparisons", "control_evidence",
                 "self_purchase_orders", "strongest_evidence", "same_trader"],
    )  # fmt: skip
    frames = {
        "Networks": summary,
        "Damages": damages,
        "Totals": tables["totals"][["network_id", "dimension", "value", "orders", "amount_fen",
                                    "infringing_fen"]],
        "Accounts": tables["accounts"][["network_id", "trader_id", "account_id", "platform",
                                        "account_key", "store_name", "registrant_name",
                                        "registrant_kind", "probability", "linked_by",
                                        "evidence"]],
        "Links": links,
        "Shared identifiers": tables["shared"][["network_id", "what", "raw", "value",
                                                "accounts"]],
        "Self-purchases": tables["self_purchases"][["network_id", "key", "seller",
                                                    "shipped_to_registrant_of", "evidence"]],
        "Judgements": tables["judgements"],
        "One tie": tables["one_tie"],
        "Leads": tables["leads"],
        "Quarantined": tables["quarantined"][["network_id", "source_file", "source_sheet",
                                              "source_row", "source_column", "level", "reason",
                                              "raw_value"]],
        "Sources": tables["sources"][["network_id", "file_name", "sha256", "seller_rows",
                                      "order_rows", "first_row", "last_row"]],
        "Disclosures": report.disclosures,
    }  # fmt: skip
    every = {name: Rows.of_frame(frame) for name, frame in frames.items()}
    every["Orders"] = Rows.of_orders(report.orders, ORDER_COLUMNS)
    order = ["Networks", "Damages", "Totals", "Orders"]  # then the rest, as listed
    return {name: every[name] for name in order + [n for n in every if n not in order]}


def _rows(report: Report, table: str, rank: int) -> int:
    start, stop = report.bounds(table, rank)
    return stop - start


def _header(column: str, t: Words) -> str:
    """A column's header: its name (English), or its words (Chinese); moments say their zone."""
    if column.endswith("_yuan") and t.lang == "zh":  # the words of its fen column, in yuan
        name = t["col_" + column.removesuffix("_yuan") + "_fen"].replace(t.unit_fen, t.unit_yuan)
    else:
        name = t.get("col_" + column, column)
    return name + (t.zone_suffix if column in MOMENTS else "")


def _table(workbook: xlsxwriter.Workbook, name: str, rows: Rows, formats: dict, report: Report,
           t: Words) -> list[Sheet]:  # fmt: skip
    """A table's header on as many sheets as its rows need past Excel's row limit, each column
    as wide as its sampled contents and styled as its cells; a `*_fen` column gets a yuan column
    beside it. The rows themselves are made as the workbook is packed (`_pack`)."""
    sample = next(rows.batches(SAMPLED_ROWS), None)
    laid_out: list[tuple[str, str]] = []  # (column shown, kind)
    for column in rows.columns:
        data_type = sample.schema.field(column).type if sample is not None else pa.string()
        laid_out.append((column, kind_of(column, data_type, MOMENTS)))
        if column.endswith("_fen"):
            laid_out.append((column.removesuffix("_fen") + "_yuan", "yuan"))
    headers = {column: _header(column, t) for column, _ in laid_out}
    widths = {column: _width(sample, column, kind, headers[column], t) for column, kind in laid_out}
    styles = {
        column: formats["moment"] if kind == "moment" else formats["yuan"] if kind == "yuan"
        else formats["wrap"] if widths[column] >= MAX_WIDTH else None
        for column, kind in laid_out
    }  # fmt: skip
    sheets = []
    for first in range(0, max(rows.length, 1), MAX_ROWS):
        sheet = workbook.add_worksheet(name if first == 0 else f"{name} {first // MAX_ROWS + 1}")
        for index, (column, _) in enumerate(laid_out):
            sheet.write_string(0, index, headers[column], formats["header"])
            sheet.set_column(index, index, widths[column], styles[column])
        sheet.freeze_panes(1, 0)
        count = min(rows.length, first + MAX_ROWS) - first
        sheet.autofilter(0, 0, max(count, 1), len(laid_out) - 1)
        _print_setup(sheet, report, t)
        member = f"xl/worksheets/sheet{len(workbook.worksheets())}.xml"
        columns = [(_source(column, kind), kind) for column, kind in laid_out]
        sheets.append(Sheet(member, name, rows, columns, first, count))
    return sheets


def _source(column: str, kind: str) -> str:
    return column.removesuffix("_yuan") + "_fen" if kind == "yuan" else column


def _width(sample: pa.Table | None, column: str, kind: str, header: str, t: Words) -> float:
    """Fitted to the header and the longest sampled value, at most MAX_WIDTH."""
    widest = display_width(header)
    if kind == "moment":
        widest = max(widest, 19)
    elif sample is not None and sample.num_rows:
        values = cell_values(sample.column(_source(column, kind)), kind, (t["yes"], t["no"]))
        if kind == "yuan":
            texts = [f"{v:,.2f}" for v in values.to_pylist() if v is not None]
        else:
            texts = [str(v) for v in values.to_pylist() if v is not None]
        for text in sorted(set(texts), key=len, reverse=True):  # a character is 1 or 2 wide
            if 2 * len(text) <= widest or widest >= MAX_WIDTH:
                break
            widest = max(widest, display_width(text))
    return float(min(MAX_WIDTH, max(8, widest + 2)))


def _pack(layout: io.BytesIO, sheets: list[Sheet], out: Path, yes_no: tuple[str, str],
          progress: Progress) -> None:  # fmt: skip
    """The laid-out workbook, packed again into `out` with every sheet's rows put in. A table's
    rows are read once, in order, across its sheets."""
    to_fill = {sheet.member: sheet for sheet in sheets}
    reading: dict[int, _Cursor] = {}  # id of a table's Rows -> where its reading stands
    with (
        zipfile.ZipFile(layout) as laid,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as packed,
    ):
        for member in laid.infolist():
            xml = laid.read(member)
            sheet = to_fill.get(member.filename)
            if sheet is None:
                packed.writestr(member, xml)
                continue
            cursor = reading.setdefault(id(sheet.rows), _Cursor(sheet.rows.batches(BATCH_ROWS)))
            with (
                packed.open(member.filename, "w", force_zip64=True) as target,
                _Behind(target) as behind,
            ):
                _fill(xml.decode("utf-8"), sheet, cursor, behind, yes_no, progress)


def _fill(xml: str, sheet: Sheet, cursor: _Cursor, target: _Behind, yes_no: tuple[str, str],
          progress: Progress) -> None:  # fmt: skip
    """A sheet's XML with its rows after the header row, its styles as laid out, and its
    dimension covering them."""
    styles = _column_styles(xml)
    columns = [Column(source, kind, styles.get(index))
               for index, (source, kind) in enumerate(sheet.columns)]  # fmt: skip
    head, tail = xml.split("</sheetData>", 1)
    last = f"{letters(len(columns) - 1)}{sheet.count + 1}"
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', head, count=1)
    target.write(head.encode("utf-8"))
    written = 0
    for batch in cursor.take(sheet.count):
        target.write(rows_xml(batch, columns, 2 + written, yes_no))
        written += batch.num_rows
        progress(f"sheet {sheet.name}", sheet.first + written, sheet.rows.length)
    if not sheet.rows.length:
        progress(f"sheet {sheet.name}", 0, 0)
    target.write(("</sheetData>" + tail).encode("utf-8"))


def _column_styles(xml: str) -> dict[int, int]:
    """The style of each column (0-based) as the laid-out sheet gives it: its cells take it."""
    styles = {}
    for first, last, style in re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*? style="(\d+)"', xml):
        for index in range(int(first) - 1, int(last)):
            styles[index] = int(style)
    return styles


class _Behind:
    """Writes (so compresses) a member in a thread of its own while the next rows are made:
    zlib and Arrow both let go of Python's lock, so the two run side by side. One chunk at most
    waits."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._last: Future | None = None

    def write(self, data: bytes) -> None:
        if self._last is not None:
            self._last.result()
        self._last = self._thread.submit(self._target.write, data)

    def __enter__(self) -> _Behind:
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._last is not None:
                self._last.result()
        finally:
            self._thread.shutdown()


class _Cursor:
    """Reads a table's batches in order, a given number of rows at a time."""

    def __init__(self, batches: Iterator[pa.Table]) -> None:
        self._batches = batches
        self._left: pa.Table | None = None

    def take(self, rows: int) -> Iterator[pa.Table]:
        while rows > 0:
            batch, self._left = self._left, None
            batch = batch if batch is not None else next(self._batches, None)
            if batch is None:
                return
            if batch.num_rows > rows:
                batch, self._left = batch.slice(0, rows), batch.slice(rows)
            rows -= batch.num_rows
            yield batch
