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

from resolver.report.content import Report

MAX_ROWS = 1_048_575  # rows of data under the header that one sheet can hold


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
    """Every table of the report, each network's rows under one header."""
    networks = report.networks

    def gather(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        kept = [f[columns] for f in frames if len(f)]
        return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=columns)

    summary = pd.DataFrame(
        [
            {
                "network_id": n.network_id,
                "traders": n.traders,
                "accounts": len(n.accounts),
                "platforms": sorted(set(n.accounts["platform"])),
                "orders_counted": n.total("orders"),
                "amount_fen": n.total("amount_fen"),
                "infringing_fen": n.total("infringing_fen"),
                "self_purchase_orders": len(n.self_purchases),
                "self_purchase_fen": n.self_purchase_fen,
                "orders_disclosed_twice": n.orders_disclosed_twice,
            }
            for n in networks
        ]
    )
    damages = pd.DataFrame(
        [
            {"network_id": n.network_id, "scenario": d.scenario, "amount_fen": d.amount_fen,
             "formula": d.formula, "note": d.note}
            for n in networks for d in n.damages
        ]
    )  # fmt: skip
    links = pd.DataFrame(
        [
            {
                "network_id": n.network_id, "account_a": link.account_a,
                "account_b": link.account_b, "probability": link.probability,
                "match_weight": link.match_weight, "splink_weight": link.splink_weight,
                "prior": link.prior,
                "comparisons": [f"{s.comparison}: {s.level} ({s.weight:+.2f})" for s in link.steps],
                "control_evidence": [f"{kind} ({weight:+.2f})" for kind, weight in link.control],
                "self_purchase_orders": link.self_purchase_orders,
                "strongest_evidence": link.strongest, "same_trader": link.same_trader,
            }
            for n in networks for link in n.links
        ]
    )  # fmt: skip
    orders = gather(
        [n.orders for n in networks],
        ["network_id", "trader_id", "account_id", "platform", "order_id", "paid_at", "month",
         "product_title", "quantity", "amount_fen", "infringing", "self_purchase", "counted",
         "copies", "copies_disagree", "provenance", "disclosure_ids"],
    )  # fmt: skip
    orders = orders.rename(columns={"provenance": "disclosed_in",
                                    "disclosure_ids": "disclosure_sha256"})  # fmt: skip
    return {
        "Networks": summary,
        "Damages": damages,
        "Totals": gather([n.totals for n in networks],
                         ["network_id", "dimension", "value", "orders", "amount_fen",
                          "infringing_fen"]),
        "Orders": orders,
        "Accounts": gather([n.accounts for n in networks],
                           ["network_id", "trader_id", "account_id", "platform", "account_key",
                            "store_name", "registrant_name", "registrant_kind", "probability",
                            "linked_by", "evidence"]),
        "Links": links,
        "Shared identifiers": gather([n.shared for n in networks],
                                     ["network_id", "what", "raw", "value", "accounts"]),
        "Self-purchases": gather([n.self_purchases for n in networks],
                                 ["network_id", "key", "seller", "shipped_to_registrant_of",
                                  "evidence"]),
        "Quarantined": gather([n.quarantined for n in networks],
                              ["network_id", "source_file", "source_sheet", "source_row",
                               "source_column", "level", "reason", "raw_value"]),
        "Sources": gather([n.sources for n in networks],
                          ["network_id", "file_name", "sha256", "seller_rows", "order_rows",
                           "first_row", "last_row"]),
        "Disclosures": report.disclosures,
    }  # fmt: skip


def _table(workbook: xlsxwriter.Workbook, name: str, frame: pd.DataFrame, formats: dict) -> None:
    """A frame under a header, split over several sheets past Excel's row limit; a `*_fen`
    column gets a yuan column beside it."""
    columns: list[str] = []
    for column in frame.columns:
        columns.append(column)
        if column.endswith("_fen"):
            columns.append(column.removesuffix("_fen") + "_yuan")
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    chunks = max(1, -(-len(frame) // MAX_ROWS))
    for chunk in range(chunks):
        sheet = workbook.add_worksheet(name if chunk == 0 else f"{name} {chunk + 1}")
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column, formats["header"])
            sheet.set_column(index, index, min(60, max(10, len(column) + 2)))
        sheet.freeze_panes(1, 0)
        written = 0
        for row_number, row in enumerate(rows, start=1):
            _row(sheet, row_number, frame.columns, row, formats)
            written += 1
            if written == MAX_ROWS:
                break
        sheet.autofilter(0, 0, max(written, 1), len(columns) - 1)


def _row(sheet, row_number: int, names, values, formats: dict) -> None:
    index = 0
    for name, value in zip(names, values, strict=True):
        if isinstance(value, list | tuple | np.ndarray):
            value = "; ".join(map(str, list(value)))
        elif isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, bool):
            sheet.write_string(row_number, index, "yes" if value else "no")
        elif value is None:
            sheet.write_blank(row_number, index, None)
        elif isinstance(value, int | float):
            sheet.write_number(row_number, index, value)
        else:
            sheet.write_string(row_number, index, str(value))
        index += 1
        if name.endswith("_fen"):
            if value is None:
                sheet.write_blank(row_number, index, None)
            else:
                sheet.write_number(row_number, index, int(value) / 100, formats["yuan"])
            index += 1
