"""What orders say about accounts: self-purchases.

A trader who buys from his own store (to fake sales volume) ships the order to himself: to the
phone, or the name and address, that another of his accounts is registered with. Such an order
ties the two accounts. Hub values (an agency phone, a logistics hub) are never used as evidence.
"""

from __future__ import annotations

import pandas as pd


def self_purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Pairs of accounts tied by self-purchase orders: (account_a, account_b, orders, evidence),
    account_a < account_b, from the case's self-purchase candidates."""
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
