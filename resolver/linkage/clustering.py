"""Links -> groups of accounts, resisting chaining.

Connected components alone let one weak link glue two traders together, and through them
dozens more. Here a link that is the only connection between two groups of two or more accounts
(a bridge) must clear the higher `bridge` threshold; weaker bridges are cut, and the test is
repeated until every remaining bridge is strong. A bridge to a single account needs only the
`link` threshold: a trader's second account often shares just one identifier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd


@dataclass
class Clusters:
    members: list[list[str]]  # each group's accounts, sorted
    probability: dict[str, float]  # account -> its strongest kept link (1.0 when alone)
    cut: pd.DataFrame  # the weak bridges that were cut (account_a, account_b, probability)


def cluster(
    accounts: list[str], links: pd.DataFrame, link_threshold: float, bridge_threshold: float
) -> Clusters:
    kept = links[links["probability"] >= link_threshold]
    edges = {
        (a, b): p
        for a, b, p in zip(kept["account_a"], kept["account_b"], kept["probability"], strict=True)
    }
    cut: list[tuple[str, str, float]] = []
    while True:
        weak = [
            (a, b)
            for a, b, smaller_side in bridges(edges)
            if smaller_side >= 2 and edges[(a, b)] < bridge_threshold
        ]
        if not weak:
            break
        for edge in weak:
            cut.append((*edge, edges.pop(edge)))
    groups = components(accounts, edges)
    strongest: dict[str, float] = defaultdict(float)
    for (a, b), p in edges.items():
        strongest[a] = max(strongest[a], p)
        strongest[b] = max(strongest[b], p)
    probability = {account: strongest.get(account, 1.0) for account in accounts}
    return Clusters(
        groups, probability, pd.DataFrame(cut, columns=["account_a", "account_b", "probability"])
    )


def components(nodes: list[str], edges) -> list[list[str]]:
    parent = {node: node for node in nodes}

    def find(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    groups: dict[str, list[str]] = defaultdict(list)
    for node in parent:
        groups[find(node)].append(node)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def bridges(edges) -> list[tuple[str, str, int]]:
    """Every bridge (a, b), oriented as in `edges`, with the size of the smaller side that
    cutting it would leave. Tarjan's algorithm, iterative: components of thousands of accounts
    would overflow Python's recursion limit."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    below: dict[str, int] = {}  # accounts in the DFS subtree of a node, itself included
    found: list[tuple[str, str, int]] = []
    for root in neighbours:
        if root in order:
            continue
        first = len(order)
        in_component: list[tuple[str, str, int]] = []  # (child, parent, subtree size)
        order[root] = low[root] = first
        below[root] = 1
        stack: list[tuple[str, str | None, Iterator[str]]] = [(root, None, iter(neighbours[root]))]
        while stack:
            node, parent, children = stack[-1]
            child = next((c for c in children if c != parent), None)
            if child is not None:
                if child in order:
                    low[node] = min(low[node], order[child])
                else:
                    order[child] = low[child] = len(order)
                    below[child] = 1
                    stack.append((child, node, iter(neighbours[child])))
                continue
            stack.pop()
            if parent is not None:
                low[parent] = min(low[parent], low[node])
                below[parent] += below[node]
                if low[node] > order[parent]:
                    in_component.append((node, parent, below[node]))
        total = len(order) - first
        for child, parent, side in in_component:
            edge = (child, parent) if (child, parent) in edges else (parent, child)
            found.append((*edge, min(side, total - side)))
    return found
