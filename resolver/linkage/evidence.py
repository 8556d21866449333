"""What orders say about accounts: self-purchases, as ties between two accounts.

A trader who buys from his own store (to fake sales volume) ships the order to himself: to the
phone or payment account another of his accounts is registered with, or to one of its people
by name at its address or at a phone whose masked key fits. The case finds such orders
(`Case.orders.self_purchase_candidates`); here they become ties of pairs of accounts: strong
when an order went to a registered phone, or when two or more orders went to one of its people
by a name few people carry; weak otherwise (one order to a name, or to a common name, proves
little).
"""

from __future__ import annotations

import pandas as pd

PAIR_COLUMNS = ["account_a", "account_b", "orders", "strong_orders", "weak_ties", "evidence"]
NAMED_ORDERS = 2  # orders to one of its people, by an uncommon name, that make a strong tie


def self_purchase_pairs(orders: pd.DataFrame) -> pd.DataFrame:
    """Pairs of accounts tied by self-purchase orders (account_a < account_b): how many
    orders, how many of them strong, and the kinds of evidence in words."""
    if orders.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    pairs = orders.assign(
        account_a=orders[["seller", "registrant"]].min(axis=1),
        account_b=orders[["seller", "registrant"]].max(axis=1),
        order=orders["platform"] + ":" + orders["order_id"],
    )
    ends = ["account_a", "account_b"]
    grouped = pairs.groupby(ends)
    named = pairs[~pairs["strong"] & ~pairs["common_name"]].groupby(ends)["order"].nunique()
    strong = pairs[pairs["strong"]].groupby(ends)["order"].nunique()
    strong = strong.add(named.where(named >= NAMED_ORDERS, 0), fill_value=0)
    frame = pd.DataFrame(
        {
            "orders": grouped["order"].nunique(),
            "strong_orders": strong,
            "weak_ties": pairs[~pairs["strong"]].groupby(ends)["tie"].agg(lambda t: sorted(set(t))),
            "evidence": grouped["evidence"].agg(lambda e: sorted(set(e))),
        }
    )
    frame["weak_ties"] = frame["weak_ties"].map(lambda t: t if isinstance(t, list) else [])
    return frame.fillna({"strong_orders": 0}).astype({"strong_orders": int}).reset_index()


def order_ties(pairs: pd.DataFrame) -> pd.DataFrame:
    """(account_a, account_b, kind, value): `self_purchase` for a pair with strong orders,
    else one weak tie per kind of place its orders went to (`self_purchase_phone`,
    `self_purchase_home`); the value says how many orders."""
    kinds = [
        ["self_purchase"] if strong else weak
        for strong, weak in zip(pairs["strong_orders"] > 0, pairs["weak_ties"], strict=True)
    ]
    ties = pairs[["account_a", "account_b", "orders"]].assign(kind=kinds).explode("kind")
    ties["value"] = ties.pop("orders").map(lambda n: f"{n} order{'s' if n != 1 else ''}")
    return ties.dropna(subset=["kind"]).reset_index(drop=True)


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
