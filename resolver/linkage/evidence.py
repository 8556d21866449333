"""What orders say about accounts: self-purchases, as ties between two accounts.

A trader who buys from his own store (to fake sales volume) ships the order to himself: to the
phone or payment account another of his accounts is registered with, or to one of its people
by name at its address or at a phone whose masked key fits. The case finds such orders
(`Case.orders.self_purchase_candidates`); here they become ties of pairs of accounts: strong
when an order went to a registered phone, or to one of its people by a name few people carry:
one order at its home is enough (a recipient with a registrant's name at his address or
landline is that person), two at a phone that fits its masked one (a key fits many phones: at
60,000 traders a buyer whose name and phone fit a registrant's had bought from eight traders'
stores). Weak otherwise: one order at a masked phone, and any orders to a name that proves
little: a common one, one shown in part (`欧*锋`, `欧阳先生`), one that only sounds the same,
or one that the people of two accounts not otherwise tied carry at that place (relatives at
one home). A strong tie whose orders all went to one phone that several accounts list, none of
them to the other account's people by name, rests on that phone (`through`): the order says
who shipped there, not which holder it reached, so clustering weighs it with the accounts that
list the phone (an agency's phone that unrelated stores list and a brushing order went to is
one value, however many links it makes).

The stores of a group of accounts whose orders reach the people of more than
`hubs.max_groups_supplied` other groups, groups that no shared value ties to them or to one
another, sell to them (a wholesaler whose retailers the case holds too): a trader brushes his
own stores, which his values mostly tie together. Their orders tie nothing (`suppliers`,
`without_ties_of`), and count as self-purchases only where the two accounts are one trader on
other evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import numpy as np
import pandas as pd
from networkx.utils import UnionFind

from resolver.linkage.hubs import HUB_COLUMNS
from resolver.vocabulary import SUPPLIER_KIND

PAIR_COLUMNS = [
    "account_a", "account_b", "orders", "strong_orders", "weak_ties", "through", "store"
]  # fmt: skip
# orders to one of its people, by a name few carry, at a masked phone that fits (a key fits many
# phones), that make a strong tie; one at its home (address, landline) is enough
NAMED_ORDERS = 2


# What ties accounts into groups when stores that sell to others are sought: the full values
# (no masked key) that are no hub. Not store names: at 20,000 traders unrelated stores share one
# by chance (a store name alone was a trader's in 3% of cases), which glued a wholesaler's
# retailers into one group.
GROUPING_KINDS = ("id_numbers", "bank_accounts", "payment_accounts", "phones", "landlines",
                  "addresses")  # fmt: skip


def held_in_common(candidates: pd.DataFrame, hubs: pd.DataFrame) -> list[list[str]]:
    """The accounts holding each value of `candidates` (account_id, kind, value: values two or
    more accounts hold, sorted by kind and value, as `Records.hub_candidates` gives them) of
    GROUPING_KINDS that is no hub of `hubs` (kind, value), weak or not: a phone lent as an add-on
    is one that otherwise unrelated groups list, and ties none of them to another (kept, it
    glued the groups a store ships to into one: on the second world at 2,000 s5 recall went
    0.8836 -> 0.8879 once it no longer did)."""
    rows = candidates[candidates["kind"].isin(GROUPING_KINDS)]
    values = rows["kind"] + "\x00" + rows["value"]
    kept = ~values.isin(set(hubs["kind"] + "\x00" + hubs["value"]))
    values, accounts = values[kept].to_numpy(), rows.loc[kept, "account_id"].to_numpy()
    if not len(values):
        return []
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return [part.tolist() for part in np.split(accounts, starts[1:])]


def suppliers(orders: pd.DataFrame, held: list[list[str]], max_groups: int) -> pd.DataFrame:
    """The stores that sell to others, as rows of the hubs (`SUPPLIER_KIND`): the stores of a
    group whose orders (`Orders.self_purchase_candidates`) reach the people of more than
    `max_groups` groups of accounts besides their own, groups that nothing `held` (the accounts
    holding each value two or more hold, `held_in_common`, and naming each person,
    `Records.people_in_common`) ties to them or to one another. Counted by group, not by
    store: a wholesaler ships from any of his stores (on the second world with wholesalers,
    `bench/second_world.py --supply`, by store 34 clusters were over-merged at 6,000 traders,
    by group 19, and recall where there are none fell less: 0.8712 -> 0.8662 by store and
    more than 1 group, 0.8687 by group and more than 2)."""
    group_of = _groups(held)
    tying = _tying(orders)[["seller", "registrant"]]
    ours = tying["seller"].map(group_of).fillna(tying["seller"])
    theirs = tying["registrant"].map(group_of).fillna(tying["registrant"])
    outside = tying.assign(ours=ours, theirs=theirs)[ours != theirs]
    reached = outside.groupby("ours")["theirs"].nunique()
    stores = outside[outside["ours"].isin(reached.index[reached > max_groups])]
    stores = stores.groupby("ours")["seller"].unique()
    rows = [
        {"kind": SUPPLIER_KIND, "value": store, "accounts": len(sellers),
         "groups": int(reached[group]), "weak": False,
         "reason": f"its orders, with those of the stores tied to it, reach the people of "
                   f"{reached[group]} groups of accounts that nothing else ties to it or to one "
                   "another: they sell to them, and their orders tie no accounts"}
        for group, sellers in stores.items() for store in sorted(sellers)
    ]  # fmt: skip
    rows.sort(key=lambda row: row["value"])
    return pd.DataFrame(rows, columns=HUB_COLUMNS)


def _groups(held: list[list[str]]) -> dict[str, str]:
    """account -> its group (an account of it), for the accounts that share a value (`held`:
    the accounts holding each)."""
    groups = UnionFind()
    for accounts in held:
        groups.union(*accounts)
    return {account: groups[account] for account in groups}


def _tying(orders: pd.DataFrame) -> pd.DataFrame:
    """The orders that tie two accounts: shipped to another account's people (not the seller's
    own), to a value that is no hub (`tie` set)."""
    return orders[(orders["seller"] != orders["registrant"]) & orders["tie"].notna()]


def without_ties_of(orders: pd.DataFrame, stores: Collection[str]) -> pd.DataFrame:
    """`orders` with no `tie` on the orders of `stores` (stores that sell to others): they
    count as self-purchases only where the two accounts are one trader on other evidence."""
    return orders.assign(tie=orders["tie"].mask(orders["seller"].isin(list(stores))))


def self_purchase_pairs(orders: pd.DataFrame) -> pd.DataFrame:
    """Pairs of accounts tied by self-purchase orders (`Orders.self_purchase_candidates`;
    account_a < account_b): how many orders, how many count as strong, the kinds of weak tie
    the others make, `through`: the one phone its strong
    orders went to, when several accounts list it (`phone_holders`) and none of the orders
    reached one of the other account's people by name too (else None), and `store`: the one
    store that shipped them all (else None: both shipped to the other's people)."""
    shared = set(orders.loc[orders["phone_holders"].fillna(0) > 1, "phone_reached"])
    kinds = ("orders", "strong", "by_name", "named", "at_home", "weak", "phones", "stores")
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: {kind: set() for kind in kinds}
    )
    columns = ("seller", "registrant", "platform", "order_id", "tie", "strong", "common_name",
               "phone_reached")  # fmt: skip
    # an order a store shipped to itself is a self-purchase, but no tie to another account; nor
    # is one to a value unrelated stores give too (no `tie`: counted only within a trader)
    others = _tying(orders)
    for seller, registrant, platform, order_id, tie, strong, common, phone in zip(
        *(others[c].tolist() for c in columns), strict=True
    ):
        pair = found[(min(seller, registrant), max(seller, registrant))]
        order = f"{platform}:{order_id}"
        pair["orders"].add(order)
        pair["stores"].add(seller)
        if strong:
            pair["strong"].add(order)
            pair["phones"].add(phone)
        else:
            pair["weak"].add(tie)
            pair["by_name"].add(order)
            if not common:
                pair["named"].add(order)
                if tie == "self_purchase_home":
                    pair["at_home"].add(order)
    rows = []
    for (a, b), p in sorted(found.items()):
        named = p["named"] if p["at_home"] or len(p["named"]) >= NAMED_ORDERS else set()
        one_phone = p["phones"] <= shared and len(p["phones"]) == 1
        one_phone = one_phone and not named and not p["strong"] & p["by_name"]
        through = next(iter(p["phones"])) if one_phone else None
        strong_orders = len(p["strong"] | named)
        store = next(iter(p["stores"])) if len(p["stores"]) == 1 else None
        rows.append((a, b, len(p["orders"]), strong_orders, sorted(p["weak"]), through, store))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def order_ties(pairs: pd.DataFrame) -> pd.DataFrame:
    """(account_a, account_b, kind, value): `self_purchase` for a pair with strong orders,
    else one weak tie per kind of place its orders went to (`self_purchase_phone`,
    `self_purchase_home`); the value says how many orders, `through` the one phone a strong
    tie rests on, and `store` the one store that shipped them (see `self_purchase_pairs`)."""
    strong = pairs["strong_orders"] > 0
    kinds = [["self_purchase"] if s else weak
             for s, weak in zip(strong, pairs["weak_ties"], strict=True)]  # fmt: skip
    ties = pairs[["account_a", "account_b", "orders"]].assign(
        kind=kinds, through=pairs["through"].where(strong), store=pairs["store"]
    )
    ties = ties.explode("kind")
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
