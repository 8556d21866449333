"""Networks: traders tied by an identifier they share, beyond what linkage merged.

Linkage decides which accounts are one trader. A network is wider: traders whose accounts share
a phone, bank account, address or ID number (full values, never masked keys or hubs) belong to
one network, named by its smallest trader id. Reports and sales queries work per network, so an
investigator sees the suppliers, relatives and partners a trader deals with.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from resolver.linkage.clustering import components

# Full identifier values per account that can tie traders: no masked keys, no hubs (the hubs
# of the case's last linkage run).
TYING_VALUES_SQL = """
WITH v AS (
    SELECT account_id, kind, value FROM account_values
    WHERE kind IN ('phones', 'bank_accounts', 'addresses')
    UNION ALL
    SELECT account_id, 'id_number', id_norm FROM seller_records WHERE id_norm IS NOT NULL
)
SELECT DISTINCT kind, value, account_id FROM v
WHERE NOT EXISTS (SELECT 1 FROM hubs h WHERE h.kind = v.kind AND h.value = v.value)
ORDER BY kind, value, account_id
"""


def tying_values(db: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """(kind, value, account_id) of every value that can tie accounts into a network. Reads
    `account_values`: run `collect_values` first."""
    return db.execute(TYING_VALUES_SQL).fetchdf()


def network_ids(db: duckdb.DuckDBPyConnection, values: pd.DataFrame) -> dict[str, str]:
    """Trader -> network id (the smallest trader id of its network), from `tying_values`.
    Retired traders take the network of the trader they were merged into."""
    db.register("tying_values_in", values)
    try:
        groups = db.execute(
            """
            SELECT list(DISTINCT t.trader_id ORDER BY t.trader_id)
            FROM tying_values_in v JOIN trader_accounts t USING (account_id)
            GROUP BY v.kind, v.value HAVING count(DISTINCT t.trader_id) > 1
            """
        ).fetchall()
        traders = db.execute(
            "SELECT DISTINCT trader_id FROM trader_accounts ORDER BY trader_id"
        ).fetchall()
    finally:
        db.unregister("tying_values_in")
    edges = [(members[0], other) for (members,) in groups for other in members[1:]]
    network: dict[str, str] = {}
    for members in components([t for (t,) in traders], edges):
        for trader in members:
            network[trader] = members[0]
    retired = "SELECT trader_id, retired_into FROM traders WHERE retired_into IS NOT NULL"
    for trader, kept in db.execute(retired).fetchall():
        network.setdefault(trader, network.get(kept, kept))
    return network
