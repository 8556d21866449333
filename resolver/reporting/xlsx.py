"""The report as a workbook: a cover sheet, then one sheet per table, the order ids behind
every total included; laid out for the lawyers who read and print it.

Money is written twice: integer fen (the figure of record) and yuan (for reading). Each total
of `Totals` is the sum of `amount_fen` over the `Orders` rows of its network with `counted` =
yes and the same trader, platform, month or product, so a reader can refilter and check it.
Moments are Excel dates and times in Beijing time (Asia/Shanghai), as the headers say. Columns
are as wide as their contents (a Chinese character counts twice), long texts wrap, and every
sheet prints landscape on A4, fitted to the page width, its header row repeated, the report's id,
sha256 and the page number in the footer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from resolver.i18n import SHANGHAI, Words, display_width, words
from resolver.money import yuan
from resolver.progress import Progress, silent
from resolver.reporting.content import FIGURES, Report

MAX_ROWS = 1_048_575  # rows of data under the header that one sheet can hold
BATCH_ROWS = 50_000
MAX_WIDTH = 60  # characters; longer texts wrap
SAMPLED_ROWS = 2_000  # rows a column's width is measured on
MOMENTS = ("paid_at", "judged_at", "ingested_at")  # columns written as Excel dates and times


def write(report: Report, out: Path, progress: Progress = silent) -> None:
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(out), options)
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
    try:
        _cover(workbook, report, formats, t)
        for name, frame in _tables(report, t).items():
            _table(workbook, t.get("sheet_" + name, name), frame, formats, report, t, progress)
    finally:
        workbook.close()


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


def _tables(report: Report, t: Words) -> dict[str, pd.DataFrame]:
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
    return {
        "Networks": summary,
        "Damages": damages,
        "Totals": tables["totals"][["network_id", "dimension", "value", "orders", "amount_fen",
                                    "infringing_fen"]],
        "Orders": tables["orders"][["network_id", "trader_id", "account_id", "platform", "order_id",
                          "paid_at", "month", "product_title", "quantity", "amount_fen",
                          "infringing", "self_purchase", "counted", "copies", "copies_disagree",
                          "provenance", "disclosure_ids"]].rename(
            columns={"provenance": "disclosed_in", "disclosure_ids": "disclosure_sha256"}),
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
        "Quarantined": tables["quarantined"][["network_id", "source_file", "source_sheet",
                                              "source_row", "source_column", "level", "reason",
                                              "raw_value"]],
        "Sources": tables["sources"][["network_id", "file_name", "sha256", "seller_rows",
                                      "order_rows", "first_row", "last_row"]],
        "Disclosures": report.disclosures,
    }  # fmt: skip


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


def _table(workbook: xlsxwriter.Workbook, name: str, frame: pd.DataFrame, formats: dict,
           report: Report, t: Words, progress: Progress) -> None:  # fmt: skip
    """A frame under a header, split over several sheets past Excel's row limit; a `*_fen`
    column gets a yuan column beside it. Rows go in batches, each converted a column at a time
    and written cell by cell with the writer its column needs (a million orders make twenty
    million cells: a batch at a time keeps the Python objects few)."""
    columns: list[str] = []
    for column in frame.columns:
        columns.append(column)
        if column.endswith("_fen"):
            columns.append(column.removesuffix("_fen") + "_yuan")
    sample = frame.head(SAMPLED_ROWS)
    headers = {column: _header(column, t) for column in columns}
    widths = {column: _width(sample, column, headers[column]) for column in columns}
    wrapped = {column for column, width in widths.items() if width >= MAX_WIDTH}
    for first in range(0, max(len(frame), 1), MAX_ROWS):
        sheet = workbook.add_worksheet(name if first == 0 else f"{name} {first // MAX_ROWS + 1}")
        for index, column in enumerate(columns):
            sheet.write_string(0, index, headers[column], formats["header"])
            sheet.set_column(index, index, widths[column])
        sheet.freeze_panes(1, 0)
        last = min(len(frame), first + MAX_ROWS)
        for start in range(first, last, BATCH_ROWS):
            _write_rows(sheet, frame.iloc[start : min(last, start + BATCH_ROWS)],
                        1 + start - first, formats, wrapped, t)  # fmt: skip
            progress(f"sheet {name}", min(last, start + BATCH_ROWS), len(frame))
        sheet.autofilter(0, 0, max(last - first, 1), len(columns) - 1)
        _print_setup(sheet, report, t)
    progress(f"sheet {name}", len(frame), len(frame))


def _width(sample: pd.DataFrame, column: str, header: str) -> float:
    """Fitted to the header and the longest sampled value, at most MAX_WIDTH."""
    widest = display_width(header)
    source = column.removesuffix("_yuan") + "_fen" if column.endswith("_yuan") else column
    if column in MOMENTS:
        widest = max(widest, 19)
    elif source in sample.columns and len(sample):
        values, _ = _cells(sample[source], source, ("yes", "no"))
        texts = [str(v) for v in values if v is not None]
        if column.endswith("_yuan"):
            texts = [f"{v / 100:,.2f}" for v in values if v is not None]
        widest = max([widest, *(display_width(x) for x in texts)])
    return float(min(MAX_WIDTH, max(8, widest + 2)))


def _write_rows(sheet, rows: pd.DataFrame, first_row: int, formats: dict, wrapped: set[str],
                t: Words) -> None:  # fmt: skip
    writers = []  # (values, write method, format), one per sheet column
    for column in rows.columns:
        values, kind = _cells(rows[column], column, (t["yes"], t["no"]))
        write = {"number": sheet.write_number, "moment": sheet.write_datetime}.get(
            kind, sheet.write_string
        )
        cell_format = formats["moment"] if kind == "moment" else (
            formats["wrap"] if column in wrapped else None)  # fmt: skip
        writers.append((values, write, cell_format))
        if column.endswith("_fen"):
            yuan_values = [None if v is None else v / 100 for v in values]
            writers.append((yuan_values, sheet.write_number, formats["yuan"]))
    for offset in range(len(rows)):
        # row by row: constant_memory mode flushes a row when the next one starts
        for index, (values, write, cell_format) in enumerate(writers):
            value = values[offset]
            if value is not None:
                write(first_row + offset, index, value, cell_format)


def _cells(series: pd.Series, column: str, yes_no: tuple[str, str]) -> tuple[list, str]:
    """A column as plain Python values (None where empty) and how to write them: moments as
    Excel dates (Beijing time), numbers as numbers, flags as yes/no, lists joined with `; `,
    everything else as text."""
    if column in MOMENTS:
        return [_moment(v) for v in series.tolist()], "moment"
    if pd.api.types.is_bool_dtype(series):
        yes, no = yes_no
        return [yes if v else no for v in series.tolist()], "string"
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype(object).where(series.notna(), None).tolist()
        return values, "number"
    values = []
    for value in series.tolist():
        if isinstance(value, list | tuple | np.ndarray):
            values.append("; ".join(map(str, list(value))))
        elif value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            values.append(None)
        else:
            values.append(str(value))
    return values, "string"


def _moment(value: object) -> dt.datetime | None:
    """A moment as a naive datetime in Beijing time (Excel has no zones: the header says it).
    Text without a zone is already Beijing time (orders' paid_at)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    moment = pd.Timestamp(value)
    if moment.tzinfo is not None:
        moment = moment.tz_convert(SHANGHAI).tz_localize(None)
    return moment.to_pydatetime()
