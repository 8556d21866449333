"""The ids a query is about (accounts, disclosures), as a table its SQL joins."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa


def id_table(ids: Iterable[str], column: str = "account_id") -> pa.Table:
    """`ids` as one VARCHAR column, even when there are none (an empty pandas column reads as
    DOUBLE, which a VARCHAR cannot be compared with)."""
    return pa.table({column: pa.array(list(ids), type=pa.string())})
