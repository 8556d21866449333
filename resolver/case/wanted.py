"""The accounts a query is about, as a table its SQL joins."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa


def account_table(accounts: Iterable[str]) -> pa.Table:
    """`account_id` as VARCHAR, even when there are none (an empty pandas column reads as
    DOUBLE, which a VARCHAR cannot be compared with)."""
    return pa.table({"account_id": pa.array(list(accounts), type=pa.string())})
