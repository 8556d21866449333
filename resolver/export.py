"""Exports of what the case concluded: accounts with their trader, and traders."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from resolver.case import Case

ACCOUNTS_SQL = """
SELECT a.platform, a.account_key, t.account_id, t.trader_id, round(t.probability, 6) AS probability,
    a.registrant_name, a.store_name, a.registrant_kind
FROM trader_accounts t
JOIN (SELECT account_id, any_value(platform) AS platform, any_value(account_key) AS account_key,
        mode(registrant_name) AS registrant_name, mode(store_name) AS store_name,
        mode(registrant_kind) AS registrant_kind
      FROM seller_records GROUP BY account_id) a USING (account_id)
ORDER BY t.trader_id, t.account_id
"""

TRADERS_SQL = """
SELECT t.trader_id,
    list(DISTINCT r.registrant_norm ORDER BY r.registrant_norm)
        FILTER (r.registrant_norm <> '') AS names,
    count(DISTINCT t.account_id) AS account_count,
    list(DISTINCT r.platform ORDER BY r.platform) AS platforms,
    list(DISTINCT t.account_id ORDER BY t.account_id) AS accounts
FROM trader_accounts t JOIN seller_records r USING (account_id)
GROUP BY t.trader_id
ORDER BY account_count DESC, t.trader_id
"""


def accounts_frame(case: Case) -> pd.DataFrame:
    return case.db.execute(ACCOUNTS_SQL).fetchdf()


def traders_frame(case: Case) -> pd.DataFrame:
    frame = case.db.execute(TRADERS_SQL).fetchdf()
    for column in ("names", "platforms", "accounts"):
        frame[column] = frame[column].map(list)
    return frame


def write(frame: pd.DataFrame, output_format: str, out: Path | None) -> None:
    """CSV (lists joined by `;`) or JSON (an array of objects), to a file or stdout."""
    if output_format == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    else:
        flat = frame.copy()
        for column in flat.columns:
            if flat[column].map(lambda v: isinstance(v, list)).any():
                flat[column] = flat[column].map(
                    lambda v: ";".join(map(str, v)) if isinstance(v, list) else v
                )
        text = flat.to_csv(index=False)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
