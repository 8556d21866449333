"""What orders say about accounts: self-purchases.

A trader who buys from his own store (to fake sales volume) ships the order to himself: to the
phone, or the name and address, that another of his accounts is registered with. Such an order
ties the two accounts. Hub values (an agency phone, a logistics hub) are never used as evidence.
"""

from __future__ import annotations

import duckdb
import pandas as pd

SELF_PURCHASE_ORDERS_SQL = """
WITH registrants AS (
    SELECT account_id, mode(nullif(registrant_norm, '')) AS name
    FROM seller_records GROUP BY account_id
),
kept AS (
    SELECT v.* FROM account_values v
    WHERE NOT EXISTS (SELECT 1 FROM hub_values_in h WHERE h.kind = v.kind AND h.value = v.value)
),
orders_once AS (
    SELECT DISTINCT platform, order_id, account_id, recipient_name_norm, recipient_phone_e164,
        recipient_phone_partial, recipient_district_code || '|' || recipient_street AS address
    FROM orders
),
matches AS (
    SELECT o.account_id AS seller, k.account_id AS registrant, o.platform, o.order_id,
        'recipient phone is a registered phone' AS evidence
    FROM orders_once o JOIN kept k ON k.kind = 'phones' AND k.value = o.recipient_phone_e164
    UNION ALL
    SELECT o.account_id, k.account_id, o.platform, o.order_id,
        'recipient is the registrant, masked phone matches'
    FROM orders_once o
    JOIN kept k ON k.kind = 'phone_keys' AND k.value = o.recipient_phone_partial
    JOIN registrants r ON r.account_id = k.account_id AND r.name = o.recipient_name_norm
    UNION ALL
    SELECT o.account_id, k.account_id, o.platform, o.order_id,
        'recipient is the registrant, at a registered address'
    FROM orders_once o
    JOIN kept k ON k.kind = 'addresses' AND k.value = o.address
    JOIN registrants r ON r.account_id = k.account_id AND r.name = o.recipient_name_norm
)
SELECT DISTINCT seller, registrant, platform, order_id, evidence
FROM matches WHERE seller <> registrant
"""


def self_purchase_orders(db: duckdb.DuckDBPyConnection, hubs: pd.DataFrame) -> pd.DataFrame:
    """Orders shipped to another account's registrant: (seller, registrant, platform, order_id,
    evidence), one row per way found. Needs `accounts.collect_values` first."""
    db.register("hub_values_in", hubs[["kind", "value"]])
    try:
        return db.execute(SELF_PURCHASE_ORDERS_SQL).fetchdf()
    finally:
        db.unregister("hub_values_in")


def self_purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Pairs of accounts tied by self-purchase orders: (account_a, account_b, orders, evidence),
    account_a < account_b, from the rows of `self_purchase_orders`."""
    if orders.empty:
        return pd.DataFrame(columns=["account_a", "account_b", "orders", "evidence"])
    pairs = orders.assign(
        account_a=orders[["seller", "registrant"]].min(axis=1),
        account_b=orders[["seller", "registrant"]].max(axis=1),
        order=orders["platform"] + ":" + orders["order_id"],
    )
    grouped = pairs.groupby(["account_a", "account_b"])
    return pd.DataFrame(
        {
            "orders": grouped["order"].nunique(),
            "evidence": grouped["evidence"].agg(lambda e: sorted(set(e))),
        }
    ).reset_index()


def evidence_tokens(pairs: pd.DataFrame) -> pd.DataFrame:
    """(unique_id, evidence_tokens): one token per pair, held by both of its accounts, so that a
    blocking rule on the tokens brings exactly these pairs before the model."""
    tokens = pairs["account_a"] + "~" + pairs["account_b"]
    long = pd.concat(
        [
            pd.DataFrame({"unique_id": pairs["account_a"], "token": tokens}),
            pd.DataFrame({"unique_id": pairs["account_b"], "token": tokens}),
        ]
    )
    return long.groupby("unique_id")["token"].agg(list).rename("evidence_tokens").reset_index()
