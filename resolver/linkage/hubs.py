"""Hubs: values whose holders are otherwise unrelated, left out of every comparison.

A phone, bank account or address ties accounts together only while one controller is behind
it. It is a hub when the accounts holding it fall into groups that nothing else ties together
(by the rest of the strong evidence: ID numbers, bank and payment accounts, phones), and
- a strong value (phone, bank or payment account, ID number) is held by more than
  `max_groups` such groups (found first, then the groups are counted again without them until
  no more are found: such a value relates no one, and is no one's own phone), or a phone
  (what an agency lends) is treated as an add-on by more than `max_add_on_groups` of them:
  listed beside a phone of their own, or by only some of their accounts (an agency's phone next
  to the store's own). Such a phone is a *weak* hub: kept as a weak tie (`lent_phones`), which
  links only beside a tie of another facet, for a trader's phone that fronts list beside their
  own looks the same (on a second synthetic world, `bench/second_world.py`, 71 of 98 such
  hubs lay inside one true trader). A phone that is one group's own is not lent, however many
  add it on: two or more of the group's accounts list it, one of them as its only phone (an
  owner gives his phone on the stores he gives one for; an agency's stands on the one store it
  runs, or beside the store's own). On that world 46 of the 71 and none of the 27 agencies'
  phones were such; on the hard demo at 20,000 traders 18 of 74 and 1 of 367. It stays a
  strong tie, and the clustering keeps apart groups that nothing else holds together. An ID
  number that more than `max_add_on_groups` groups list only as their legal representative's
  is a weak hub too (`lent_id_numbers`: a nominee lends his name to companies others run);
- a weak value (address, landline, store name, masked key) is held by more than
  `max_groups_weak` such groups (a market building, a cloud warehouse, a generic name);
- or orders reach the phone or address under more than `max_recipient_names` names (a
  collection point that buyers and sellers alike use).
How many registrants hold a value does not matter: fronts are different registrants by design,
so a trader with eight fronts on one phone stays linked.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pandas as pd

from resolver.config.matching import Hubs
from resolver.vocabulary import VALUE_KINDS

HUB_COLUMNS = ["kind", "value", "accounts", "groups", "reason", "weak"]
KEY_KINDS = {kind.keys for kind in VALUE_KINDS.values() if kind.keys}


def detect_hubs(
    values: pd.DataFrame,
    own: pd.DataFrame,
    recipients: pd.DataFrame,
    represented: pd.DataFrame,
    rules: Hubs,
) -> pd.DataFrame:
    """Hubs among `values` (account_id, kind, value, holders: values held by two or more
    accounts, of the kinds that can be hubs), given `own`
    (account_id, kind, values: how many of a kind each account lists as its own),
    `recipients` (kind, value, names: how many names orders to a seller's phone or address
    go to) and `represented` (account_id, value: ID numbers an account lists only as its legal
    representative's)."""
    is_strong = values["kind"].isin([name for name, kind in VALUE_KINDS.items() if kind.strong])
    held = dict(zip(_rows(own, "account_id", "kind"), own["values"].tolist(), strict=True))
    found: list[dict] = []
    names = dict(zip(_rows(recipients, "kind", "value"), recipients["names"].tolist(), strict=True))
    nominated = set(_rows(represented, "account_id", "value"))
    graph = nx.Graph()
    graph.add_edges_from(
        (account, ("v", kind, value))
        for account, kind, value in _rows(values[is_strong], "account_id", "kind", "value")
    )
    accounts = dict(zip(_rows(values, "kind", "value"), values["holders"].tolist(), strict=True))
    crowded: dict[tuple, int] = {}
    blocks = _groups(graph)
    while True:  # a value many groups hold ties none of them: it does not relate them to others
        more = {node: len(groups) for node, groups in blocks.items()
                if len(groups) > rules.max_groups}  # fmt: skip
        if not more:
            break
        touched = set()
        for node in more:  # nor is it anyone's own phone beside the one that ties
            for account in graph.neighbors(node):
                held[(account, node[1])] = held.get((account, node[1]), 1) - 1
                touched.add(account)
        graph.remove_nodes_from(more)
        crowded |= more
        # only the parts that held them change: the groups elsewhere stay as they were
        changed = set().union(*(nx.node_connected_component(graph, a) for a in touched))
        blocks = {node: groups for node, groups in blocks.items()
                  if node not in more and node not in changed}  # fmt: skip
        blocks |= _groups(graph.subgraph(changed))
    for (_, kind, value), count in crowded.items():
        reason = f"held by {count} otherwise unrelated groups of accounts"
        found.append(_hub(kind, value, accounts[(kind, value)], count, reason))
    for node, holders in blocks.items():
        _, kind, value = node
        noun = VALUE_KINDS[kind].noun
        count = len(holders)
        lent = VALUE_KINDS[kind].lent and count > 1 and not _owned(holders, held, kind)
        add_on = _add_on_groups(graph, node, holders, held) if lent else 0
        if names.get((kind, value), 0) > rules.max_recipient_names:
            reason, weak = f"orders reach it under {names[(kind, value)]} different names", False
        elif add_on > rules.max_add_on_groups:
            weak = True
            reason = (
                f"an add-on of {add_on} otherwise unrelated groups of accounts (listed beside a "
                f"{noun} of their own, or by only some of their accounts): kept as a weak tie"
            )
        elif (
            kind == "id_numbers"
            and count > rules.max_add_on_groups
            and all((account, value) in nominated for group in holders for account in group)
        ):
            weak = True
            reason = (
                f"the legal representative of {count} otherwise unrelated groups of accounts "
                "(the registrant of none: a nominee lends his name): kept as a weak tie"
            )
        else:
            continue
        found.append(_hub(kind, value, accounts[(kind, value)], count, reason, weak))
    graph.remove_nodes_from([("v", h["kind"], h["value"]) for h in found])
    component: dict[str, int] = {}
    for number, part in enumerate(nx.connected_components(graph)):
        for node in part:
            if isinstance(node, str):
                component[node] = number
    unrelated: dict[tuple[str, str], set] = defaultdict(set)
    for account, kind, value in _rows(values[~is_strong], "account_id", "kind", "value"):
        unrelated[(kind, value)].add(component.get(account, account))
    for (kind, value), parts in unrelated.items():
        # the key of a phone or account may tie as many groups as the value itself
        limit = rules.max_groups if kind in KEY_KINDS else rules.max_groups_weak
        if len(parts) > limit:
            reason = f"held by {len(parts)} otherwise unrelated groups of accounts"
        elif names.get((kind, value), 0) > rules.max_recipient_names:
            reason = f"orders reach it under {names[(kind, value)]} different names"
        else:
            continue
        found.append(_hub(kind, value, accounts[(kind, value)], len(parts), reason))
    return pd.DataFrame(found, columns=HUB_COLUMNS)


def _groups(graph: nx.Graph) -> dict[tuple, list[list[str]]]:
    """Value node -> its holders, by the groups that nothing but this value ties together."""
    groups: dict[tuple, list[list[str]]] = defaultdict(list)
    for block in nx.biconnected_components(graph):
        for node in block:
            if isinstance(node, tuple):
                groups[node].append([a for a in graph.neighbors(node) if a in block])
    return groups


def _owned(groups: list[list[str]], held: dict, kind: str) -> bool:
    """Whether one of the groups lists the value on two or more of its accounts, on one of
    them as its only value of the kind: an owner gives his phone on the stores he gives one for;
    an agency's stands on the one store it runs, or beside the store's own."""
    return any(
        len(group) > 1 and any(held.get((account, kind), 0) == 1 for account in group)
        for group in groups
    )


def _add_on_groups(graph: nx.Graph, node: tuple, groups: list[list[str]], held: dict) -> int:
    """How many of the groups `node` holds together (given by their holders) treat it as an
    add-on: one of their accounts lists it beside a value of the same kind of its own, or lists
    others and not this one. Each group is searched from its holders, never through `node`,
    until such an account is found."""
    kind, holders = node[1], set(graph.neighbors(node))
    add_on = 0
    for group in groups:
        seen, stack = {node, *group}, list(group)
        while stack:
            current = stack.pop()
            if isinstance(current, str) and held.get((current, kind), 0) > (current in holders):
                add_on += 1
                break
            for neighbour in graph.neighbors(current):
                if neighbour not in seen:
                    seen.add(neighbour)
                    stack.append(neighbour)
    return add_on


def _rows(frame: pd.DataFrame, *columns: str) -> zip:
    """The columns of a frame as plain Python values, row by row (fast: no pandas scalars)."""
    return zip(*(frame[c].tolist() for c in columns), strict=True)


def _hub(
    kind: str, value: str, accounts: int, groups: int, reason: str, weak: bool = False
) -> dict:
    return {"kind": kind, "value": value, "accounts": int(accounts), "groups": groups,
            "reason": reason, "weak": weak}  # fmt: skip
