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

from collections import defaultdict

import pandas as pd

PAIR_COLUMNS = ["account_a", "account_b", "orders", "strong_orders", "weak_ties", "evidence"]
NAMED_ORDERS = 2  # orders to one of its people, by an uncommon name, that make a strong tie


def self_purchase_pairs(orders: pd.DataFrame) -> pd.DataFrame:
    """Pairs of accounts tied by self-purchase orders (account_a < account_b): how many
    orders, how many count as strong, the kinds of weak tie the others make, and the kinds of
    evidence in words."""
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: {"orders": set(), "strong": set(), "named": set(), "weak": set(), "said": set()}
    )
    columns = ("seller", "registrant", "platform", "order_id", "tie", "strong", "common_name",
               "evidence")  # fmt: skip
    for seller, registrant, platform, order_id, tie, strong, common, said in zip(
        *(orders[c].tolist() for c in columns), strict=True
    ):
        pair = found[(min(seller, registrant), max(seller, registrant))]
        order = f"{platform}:{order_id}"
        pair["orders"].add(order)
        pair["said"].add(said)
        if strong:
            pair["strong"].add(order)
        else:
            pair["weak"].add(tie)
            if not common:
                pair["named"].add(order)
    rows = [
        (a, b, len(p["orders"]),
         len(p["strong"] | (p["named"] if len(p["named"]) >= NAMED_ORDERS else set())),
         sorted(p["weak"]), sorted(p["said"]))
        for (a, b), p in sorted(found.items())
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


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


def evidence_tokens(pairs: pd.DataFrame) -> dict[str, list[str]]:
    """account -> its evidence tokens: one token per pair, held by both of its accounts, so that
    a blocking rule on the tokens brings exactly these pairs before the model."""
    tokens: dict[str, list[str]] = defaultdict(list)
    for a, b in zip(pairs["account_a"].tolist(), pairs["account_b"].tolist(), strict=True):
        tokens[a].append(f"{a}~{b}")
        tokens[b].append(f"{a}~{b}")
    return tokens
