"""Hubs: values whose holders are otherwise unrelated, left out of every comparison.

A phone, bank account or address ties accounts together only while one controller is behind
it. It is a hub when the accounts holding it fall into groups that nothing else ties together
(by the rest of the strong evidence: ID numbers, bank and payment accounts, phones), and
- a strong value (phone, bank or payment account, ID number) is held by more than
  `max_groups` such groups, or treated as an add-on by more than `max_add_on_groups` of them:
  listed beside a value of the same kind of their own, or by only some of their accounts (an
  agency's phone next to the store's own);
- a weak value (address, landline, store name, masked key) is held by more than
  `max_groups_weak` such groups (a market building, a cloud warehouse, a generic name);
- or orders reach the phone or address under more than `max_recipient_names` names (a
  collection point that buyers and sellers alike use).
How many registrants hold a value does not matter: fronts are different registrants by design,
so a trader with eight fronts on one phone stays linked.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx
import pandas as pd

from resolver.config.matching import Hubs
from resolver.vocabulary import VALUE_KINDS

HUB_COLUMNS = ["kind", "value", "accounts", "groups", "reason"]
KEY_KINDS = {kind.keys for kind in VALUE_KINDS.values() if kind.keys}


def detect_hubs(
    values: pd.DataFrame, own: pd.DataFrame, recipients: pd.DataFrame, rules: Hubs
) -> pd.DataFrame:
    """Hubs among `values` (account_id, kind, value: the hub-checked kinds), given `own`
    (account_id, kind, values: how many of a kind each account lists as its own) and
    `recipients` (kind, value, names: how many names orders to a seller's phone or address
    go to)."""
    shared = values[values.groupby(["kind", "value"])["account_id"].transform("size") >= 2]
    strong = shared[shared["kind"].map(lambda k: VALUE_KINDS[k].strong)]
    held = {(a, k): n for a, k, n in own[["account_id", "kind", "values"]].itertuples(index=False)}
    found: list[dict] = []
    names = {
        (k, v): n for k, v, n in recipients[["kind", "value", "names"]].itertuples(index=False)
    }
    graph = nx.Graph()
    graph.add_edges_from(
        (account, ("v", kind, value)) for account, kind, value in strong.itertuples(index=False)
    )
    groups: Counter = Counter()  # value node -> the groups (blocks) it holds together
    for block in nx.biconnected_components(graph):
        groups.update(node for node in block if isinstance(node, tuple))
    accounts = shared.groupby(["kind", "value"])["account_id"].nunique()
    for node, count in groups.items():
        _, kind, value = node
        noun = VALUE_KINDS[kind].noun
        add_on = _add_on_groups(graph, node, held) if 1 < count <= rules.max_groups else 0
        if count > rules.max_groups:
            reason = f"held by {count} otherwise unrelated groups of accounts"
        elif add_on > rules.max_add_on_groups:
            reason = (
                f"an add-on of {add_on} otherwise unrelated groups of accounts (listed beside a "
                f"{noun} of their own, or by only some of their accounts)"
            )
        elif names.get((kind, value), 0) > rules.max_recipient_names:
            reason = f"orders reach it under {names[(kind, value)]} different names"
        else:
            continue
        found.append(_hub(kind, value, accounts[(kind, value)], count, reason))
    graph.remove_nodes_from([("v", h["kind"], h["value"]) for h in found])
    component: dict[str, int] = {}
    for number, part in enumerate(nx.connected_components(graph)):
        for node in part:
            if isinstance(node, str):
                component[node] = number
    weak = shared[~shared["kind"].map(lambda k: VALUE_KINDS[k].strong)]
    unrelated: dict[tuple[str, str], set] = defaultdict(set)
    for account, kind, value in weak.itertuples(index=False):
        unrelated[(kind, value)].add(component.get(account, account))
    for (kind, value), holders in unrelated.items():
        # the key of a phone or account may tie as many groups as the value itself
        limit = rules.max_groups if kind in KEY_KINDS else rules.max_groups_weak
        if len(holders) > limit:
            reason = f"held by {len(holders)} otherwise unrelated groups of accounts"
        elif names.get((kind, value), 0) > rules.max_recipient_names:
            reason = f"orders reach it under {names[(kind, value)]} different names"
        else:
            continue
        found.append(_hub(kind, value, accounts[(kind, value)], len(holders), reason))
    return pd.DataFrame(found, columns=HUB_COLUMNS)


def _add_on_groups(graph: nx.Graph, node: tuple, held: dict) -> int:
    """How many of the groups `node` holds together treat it as an add-on: one of them lists
    it beside a value of the same kind of its own, or lists others and not this one."""
    kind = node[1]
    holders = set(graph.neighbors(node))
    graph.remove_node(node)
    seen: set = set()
    add_on = 0
    try:
        for holder in holders:
            if holder in seen:
                continue
            part = nx.node_connected_component(graph, holder)
            seen |= part
            members = [a for a in part if isinstance(a, str)]
            if any(held.get((a, kind), 0) > (a in holders) for a in members):
                add_on += 1
    finally:
        graph.add_edges_from((holder, node) for holder in holders)
    return add_on


def _hub(kind: str, value: str, accounts: int, groups: int, reason: str) -> dict:
    return {"kind": kind, "value": value, "accounts": int(accounts), "groups": groups,
            "reason": reason}  # fmt: skip
