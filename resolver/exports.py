"""Exports of what the case concluded — accounts with their trader, traders, hubs with their
reason, groups clustering kept apart — as CSV (lists joined by `;`) or JSON, to a file
(owner-only, whole or not at all) or standard output."""

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


EXPORTS = {
    "accounts": export_accounts,
    "traders": export_traders,
    "hubs": export_hubs,
    "kept-apart": export_kept_apart,
}


def as_text(frame: pd.DataFrame, output_format: str) -> str:
    """CSV (lists joined by `;`) or JSON (an array of objects)."""
    if output_format == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: isinstance(v, list)).any():
            flat[column] = flat[column].map(_cell)
    return flat.to_csv(index=False)


def _cell(value: object) -> object:
    """A list as one CSV cell: items joined by `;`, lists of lists by ` | `."""
    if not isinstance(value, list):
        return value
    if value and isinstance(value[0], list):
        return " | ".join(";".join(map(str, part)) for part in value)
    return ";".join(map(str, value))


def write(frame: pd.DataFrame, output_format: str, out: Path | None) -> None:
    """`as_text` of `frame` to `out`, or to standard output when None."""
    text = as_text(frame, output_format)
    if out is None:
        sys.stdout.write(text)
    else:
        write_private_text(out, text)
