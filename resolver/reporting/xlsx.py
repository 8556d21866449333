"""The report as a workbook: one sheet per table, the order ids behind every total included.

Money is written twice: integer fen (the figure of record) and yuan (for reading). Each total
of `Totals` is the sum of `amount_fen` over the `Orders` rows of its network with `counted` =
yes and the same trader, platform, month or product, so a reader can refilter and check it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from resolver.reporting.content import FIGURES, Report

MAX_ROWS = 1_048_575  # rows of data under the header that one sheet can hold
BATCH_ROWS = 50_000


def write(report: Report, out: Path) -> None:
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(out), options)
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#ECEFF1", "border": 1}),
        "yuan": workbook.add_format({"num_format": "#,##0.00"}),
        "bold": workbook.add_format({"bold": True}),
    }
    try:
        _facts(workbook, report, formats)
        for name, frame in _tables(report).items():
            _table(workbook, name, frame, formats)
    finally:
        workbook.close()


def _facts(workbook: xlsxwriter.Workbook, report: Report, formats: dict) -> None:
    sheet = workbook.add_worksheet("Report")
    facts = [
        ("Evidence report", report.subject),
        *(("Note", note) for note in report.notes),
        ("Generated (Asia/Shanghai)", report.generated_at),
        ("Tool", f"resolver {report.tool_version}"),
        ("Config sha256", report.config_sha256),
        ("Matching rules of the model (sha256)", report.model_config_sha256 or "not recorded"),
        ("Case", report.case_folder),
        ("Self-purchase orders", "included in the totals" if report.include_self_purchases
         else "excluded from the totals (sheet Self-purchases lists them)"),
        ("Infringing-product keywords", ", ".join(report.keywords) or "none configured"),
        ("Damages basis", report.damages.basis.replace("_", " ")),
        ("How to check a total", "Totals.amount_fen = the sum of Orders.amount_fen over the rows "
         "of the same network with counted = yes and the same trader, platform, month or product "
         "(dimension all: every counted row). Each order is listed once; disclosed_in names every "
         "file!sheet!row it came from, and Disclosures gives each file's sha256."),
    ]  # fmt: skip
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 110)
    for row, (label, value) in enumerate(facts):
        sheet.write_string(row, 0, label, formats["bold"])
        sheet.write_string(row, 1, value)


def _tables(report: Report) -> dict[str, pd.DataFrame]:
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
        [(n.network_id, d.scenario, d.amount_fen, d.formula, d.note)
         for n in report.networks for d in n.damages],
        columns=["network_id", "scenario", "amount_fen", "formula", "note"],
    )  # fmt: skip
    links = pd.DataFrame(
        [
            (n.network_id, link.account_a, link.account_b, link.probability, link.match_weight,
             link.splink_weight, link.prior,
             [f"{s.comparison}: {s.level} ({s.weight:+.2f})" for s in link.steps],
             [f"{words} ({weight:+.2f})" for words, weight in link.control],
             link.self_purchase_orders, link.strongest, link.same_trader)
            for n in report.networks for link in n.links
        ],
        columns=["network_id", "account_a", "account_b", "probability", "match_weight",
                 "splink_weight", "prior", "comparisons", "control_evidence",
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


def _table(workbook: xlsxwriter.Workbook, name: str, frame: pd.DataFrame, formats: dict) -> None:
    """A frame under a header, split over several sheets past Excel's row limit; a `*_fen`
    column gets a yuan column beside it. Rows go in batches, each converted a column at a time
    and written cell by cell with the writer its column needs (a million orders make twenty
    million cells: a batch at a time keeps the Python objects few)."""
    header: list[str] = []
    for column in frame.columns:
        header.append(column)
        if column.endswith("_fen"):
            header.append(column.removesuffix("_fen") + "_yuan")
    for first in range(0, max(len(frame), 1), MAX_ROWS):
        sheet = workbook.add_worksheet(name if first == 0 else f"{name} {first // MAX_ROWS + 1}")
        for index, title in enumerate(header):
            sheet.write_string(0, index, title, formats["header"])
            sheet.set_column(index, index, min(60, max(10, len(title) + 2)))
        sheet.freeze_panes(1, 0)
        last = min(len(frame), first + MAX_ROWS)
        for start in range(first, last, BATCH_ROWS):
            _write_rows(sheet, frame.iloc[start : min(last, start + BATCH_ROWS)],
                        1 + start - first, formats)  # fmt: skip
        sheet.autofilter(0, 0, max(last - first, 1), len(header) - 1)


def _write_rows(sheet, rows: pd.DataFrame, first_row: int, formats: dict) -> None:
    writers = []  # (values, write method, format), one per sheet column
    for column in rows.columns:
        values, kind = _cells(rows[column])
        writers.append((values, sheet.write_number if kind == "number" else sheet.write_string,
                        None))  # fmt: skip
        if column.endswith("_fen"):
            yuan = [None if v is None else v / 100 for v in values]
            writers.append((yuan, sheet.write_number, formats["yuan"]))
    for offset in range(len(rows)):
        # row by row: constant_memory mode flushes a row when the next one starts
        for index, (values, write, cell_format) in enumerate(writers):
            value = values[offset]
            if value is not None:
                write(first_row + offset, index, value, cell_format)


def _cells(series: pd.Series) -> tuple[list, str]:
    """A column as plain Python values (None where empty) and how to write them: numbers as
    numbers, flags as yes/no, lists joined with `; `, everything else as text."""
    if pd.api.types.is_bool_dtype(series):
        return ["yes" if v else "no" for v in series.tolist()], "string"
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
