"""Exports of what the case concluded — accounts with their trader, traders, hubs with their
reason, groups clustering kept apart or held by one tie, leads for review — as CSV (lists
joined by `;`) or JSON, to a file (owner-only, whole or not at all) or standard output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from resolver.case import Case
from resolver.files import write_private_text


def export_accounts(case: Case) -> pd.DataFrame:
    """Every account: platform, key, trader, probability of belonging, registrant, store."""
    return case.traders.accounts()


def export_traders(case: Case) -> pd.DataFrame:
    """Every trader: names, account count, platforms and accounts."""
    return case.traders.summary()


def export_hubs(case: Case) -> pd.DataFrame:
    """Every value left out of linkage as a hub: kind, value, holders, groups, reason."""
    return case.links.hubs()


def export_kept_apart(case: Case) -> pd.DataFrame:
    """Every set of groups clustering kept apart, with why and the accounts of each group."""
    return case.links.kept_apart()


def export_held_together(case: Case) -> pd.DataFrame:
    """Every link or value that alone holds part of a trader together, with the two sides."""
    return case.links.held_together()


def export_leads(case: Case) -> pd.DataFrame:
    """Every account alone that weak ties point to another trader, with the ties, best first."""
    return case.links.leads()


EXPORTS = {
    "accounts": export_accounts,
    "traders": export_traders,
    "hubs": export_hubs,
    "kept-apart": export_kept_apart,
    "held-together": export_held_together,
    "leads": export_leads,
}


# What makes Excel (or LibreOffice) read a CSV cell as a formula: `=HYPERLINK(...)`,
# `+cmd|...`, `@SUM(...)`, `-1+1`, and a tab or carriage return before any of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(frame: pd.DataFrame, output_format: str) -> str:
    """CSV (lists joined by `;`, every cell inert in a spreadsheet) or JSON (an array of
    objects, values exact: JSON is read by programs, which run no formulas)."""
    if output_format == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].dtype == object or pd.api.types.is_string_dtype(flat[column]):
            flat[column] = flat[column].map(lambda v: inert(_cell(v)))
    # CRLF, as RFC 4180 and Excel write CSV: a carriage return inside a value is then quoted
    # (with LF line ends, Python's csv module leaves it bare, and a reader breaks the row there)
    return flat.to_csv(index=False, lineterminator="\r\n")


def inert(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, behind an apostrophe (as Excel itself
    marks text that looks like a number or formula); other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    """A list as one CSV cell: items joined by `;`, lists of lists by ` | `."""
    if not isinstance(value, list):
        return value
    if value and isinstance(value[0], list):
        return " | ".join(";".join(map(str, part)) for part in value)
    return ";".join(map(str, value))


EXCEL_BOM = "\ufeff"  # Excel on Windows reads a CSV as UTF-8 only behind this mark


def write(frame: pd.DataFrame, output_format: str, out: Path | None, excel: bool = False) -> None:
    """`as_text` of `frame` to `out`, or to standard output when None; `excel`: CSV behind a
    UTF-8 byte order mark, so that Excel shows Chinese rather than mojibake."""
    text = as_text(frame, output_format)
    if excel and output_format == "csv":
        text = EXCEL_BOM + text
    if out is None:
        sys.stdout.write(text)
    else:
        write_private_text(out, text)
