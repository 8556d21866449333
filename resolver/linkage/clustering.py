"""Links -> groups of accounts that resist chaining through agencies and families.

Connected components alone let one weak link glue two traders together, and through them
dozens more. Here links at or above the `link` threshold join accounts, under two rules, applied
until nothing changes:

1. Two groups of two or more accounts joined only through one shared value (an agency's phone,
   a family's bank account), by however many links, are kept apart: a cluster that holds
   several people must be held together by ties that do not all run through one value. A
   single account joined to a group through one value (a front registered with the trader's
   phone, beside its own or not) stays, unless it is a phone that looks lent: both list it,
   only one store of the group does, in full or masked so that it fits (an owner gives his
   phone on the stores he gives one for; an agency's is on the one store it runs), and beside
   it stands a phone of their own on one side (another store of the group lists one and not
   this, or the single account lists another). An account tied to the value by orders alone
   (see `evidence`) lists nothing: it stays with the group.
2. A link that alone holds two groups of two or more accounts together (a bridge) must clear the
   higher `bridge` threshold.

A link rests on one value when its control evidence is one shared value (or self-purchase
orders that all went to one phone) and the model alone would not link the pair; such a link
joins its accounts through a node for that value, so that rule 1 sees every link that value
carries at once. What was kept apart is reported for review.

Then an account left alone joins a group when its ties too weak to link (a masked key, an
address, a store name) run to accounts of that one group in two or more facets
(`join_on_weak_ties`): the two weak ties that link a pair, split over two accounts of a trader.

Investigators' judgements come first (see `judged`): a `same` pair is joined by a confirmed
link, which neither rule cuts; the model's own link of a `different` or `unsure` pair does not
count; and a `different` pair still joined through others is separated by a minimum cut of the
links between them, weighed in bits, confirmed links never cut.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from resolver.linkage.judged import Judged
from resolver.linkage.model import probability as model_probability
from resolver.normalize.phones import normalize_phone
from resolver.vocabulary import SUPPLIER_KIND, TIE_KINDS, VALUE_KINDS, WEAK_JOIN

Value = tuple[str, str, str]  # ("v", kind, value): a node standing for a shared value
Listed = Mapping[tuple[str, str], frozenset[str]]


@dataclass
class Clusters:
    members: list[list[str]]  # each group's accounts, sorted
    probability: dict[str, float]  # account -> its strongest kept link (1.0 when alone)
    kept_apart: list[dict] = field(default_factory=list)  # what a person should review
    held_together: list[dict] = field(default_factory=list)  # kept, by one tie alone: review

    def alone(self) -> list[str]:
        """The accounts that are a group of their own."""
        return [group[0] for group in self.members if len(group) == 1]

    def without_weak_joins(self) -> Clusters:
        """These clusters with every account `join_on_weak_ties` joined alone again, and its
        review rows gone, so that the joins can be decided anew over the whole case."""
        joined = weak_joined(self.held_together).keys()
        members = [[a for a in group if a not in joined] for group in self.members]
        return Clusters(
            sorted([*(group for group in members if group), *([a] for a in sorted(joined))]),
            self.probability | dict.fromkeys(joined, 1.0),
            [row for row in self.kept_apart if row["kind"] != WEAK_JOIN],
            [row for row in self.held_together if row["kind"] != WEAK_JOIN],
        )

    def around(self, fresh: Clusters) -> Clusters:
        """These clusters, with the accounts `fresh` clustered again (see `reach`) taken out
        and `fresh`'s groups and review rows put in their place."""
        again = fresh.probability.keys()

        def elsewhere(rows: list[dict]) -> list[dict]:
            return [row for row in rows if not any(a in again for g in row["groups"] for a in g)]

        left = [[a for a in members if a not in again] for members in self.members]
        return Clusters(
            sorted([*(members for members in left if members), *fresh.members]),
            {a: p for a, p in self.probability.items() if a not in again} | fresh.probability,
            elsewhere(self.kept_apart) + fresh.kept_apart,
            elsewhere(self.held_together) + fresh.held_together,
        )


def cluster(
    accounts: list[str],
    links: pd.DataFrame,
    link_threshold: float,
    bridge_threshold: float,
    judged: Judged | None = None,
    listed: Listed | None = None,
) -> Clusters:
    """`links`: account_a, account_b, probability, and `carrier` (kind, value) when the link
    rests on one value, else None. `judged`: the investigators' judgements to obey. `listed`:
    (account, kind) -> the values of that kind the account lists (of the kinds that matter)."""
    judged = judged or Judged({}, {}, {})
    listed = listed or {}
    graph = _link_graph(accounts, links, link_threshold, judged)
    kept_apart: list[dict] = []
    # Only a part with a value node that holds it together, or with a weak direct bridge, can
    # hold two groups of two together through one thing: the others are left as they are.
    suspects = {n for n in nx.articulation_points(graph) if isinstance(n, tuple)}
    suspects |= {
        a
        for a, b in nx.bridges(graph)
        if isinstance(b, str) and graph.edges[a, b]["probability"] < bridge_threshold
    }
    for part in list(nx.connected_components(graph)):
        if part & suspects and len(_accounts(part)) >= 3:
            _resist(graph, part, bridge_threshold, listed, kept_apart)
    _separate(graph, judged, kept_apart)
    members = sorted(
        (sorted(n for n in part if isinstance(n, str)) for part in nx.connected_components(graph)),
        key=lambda group: group[0] if group else "",
    )
    strongest: dict[str, float] = defaultdict(float)
    for a, b, data in graph.edges(data=True):
        for node in (a, b):
            if isinstance(node, str):
                strongest[node] = max(strongest[node], data["probability"])
    probability = {account: strongest.get(account, 1.0) for account in accounts}
    held = _held_by_one_tie(graph)
    return Clusters([m for m in members if m], probability, kept_apart, held)


def join_on_weak_ties(
    clusters: Clusters, weak: pd.DataFrame, judged: Judged, link_bits: float
) -> Clusters:
    """Each account alone whose weak ties (`weak`: account_a, account_b, kind, value, bits;
    each too weak to link: a masked key, an address, a store name...; those of the accounts
    alone are enough) run to accounts of one
    group in two or more facets joins that group, when the strongest tie of each facet adds up
    to the link threshold: two weak ties of different facets link a pair, and say as much when
    they lie with two accounts of one trader (a relative who gives the trader's address, and
    whose store bears the name of another of his). An account with such ties to two groups
    joins neither (kept apart for review), nor one judged different from an account of the
    group, nor a group of several accounts (one trader held to another by weak ties: on the
    second world at 6,000 traders, precision 0.9985 -> 0.9969). Each join is kept for review."""
    group_of = {a: n for n, group in enumerate(clusters.members) for a in group}
    strongest = weak_ties_towards(weak, clusters.alone(), group_of, judged)
    strongest = strongest[strongest["other"].map(lambda a: len(clusters.members[group_of[a]]) > 1)]
    if strongest.empty:
        return clusters
    totals = strongest.groupby(["account", "group"])["bits"].agg(["size", "sum"])
    found = totals[(totals["size"] >= 2) & (totals["sum"] >= link_bits)].reset_index()
    probability = dict(clusters.probability)
    kept_apart, held = list(clusters.kept_apart), list(clusters.held_together)
    joining: dict[int, list[str]] = defaultdict(list)  # group -> the accounts that join it
    for account, targets in found.groupby("account", sort=True):
        groups = [clusters.members[n] for n in targets["group"]]
        if len(groups) > 1:
            kept_apart.append({"reason": "an account with weak ties of several kinds to more "
                               "than one trader joins none", "kind": WEAK_JOIN, "value": None,
                               "groups": [[account], *groups]})  # fmt: skip
            continue
        (group,), (n,), (bits,) = groups, targets["group"].tolist(), targets["sum"].tolist()
        if any((min(account, a), max(account, a)) in judged.different for a in group):
            continue
        used = strongest[(strongest["account"] == account) & (strongest["group"] == n)]
        joining[n].append(account)
        probability[account] = float(model_probability(bits))
        held.append({
            "reason": f"joined on weak ties of {len(used)} kinds to "
                      f"{used['other'].nunique()} of its accounts",
            "kind": WEAK_JOIN, "value": "+".join(sorted(used["kind"])),
            "groups": [[account], group],
        })  # fmt: skip
    joined = {account for accounts in joining.values() for account in accounts}
    members = [
        sorted(group + joining.get(n, []))
        for n, group in enumerate(clusters.members)
        if not (len(group) == 1 and group[0] in joined)
    ]
    return Clusters(sorted(members), probability, kept_apart, held)


def weak_joined(held_together: Iterable[Mapping]) -> dict[str, list[str]]:
    """Of review rows of groups held together, each account `join_on_weak_ties` joined, with
    the accounts of the group it joined (the row's groups: [[account], group])."""
    return {row["groups"][0][0]: list(row["groups"][1])
            for row in held_together if row["kind"] == WEAK_JOIN}  # fmt: skip


def weak_ties_towards(
    weak: pd.DataFrame, accounts: Iterable[str], group_of: Mapping[str, Hashable], judged: Judged
) -> pd.DataFrame:
    """The weak ties (`weak`, see `join_on_weak_ties`) that `accounts` have with the groups of
    `group_of` (account -> group, of every account), as (account, other, group, kind, value,
    bits, facet): the strongest of each facet towards each group, strongest first. Left out:
    the ties of pairs whose link a judgement overrules, and a value an account shares with
    accounts of two or more groups, which says nothing of which it belongs to (a common store
    name, a masked number that fits several people's: at 20,000 traders of the second world,
    both joins of an account to another's trader rested on one) — unless one group holds it on
    two or more of those accounts and on more than the others together (the trader's brand,
    which a stranger's store happens to bear too)."""
    accounts = set(accounts)
    weak = weak[weak["account_a"].isin(accounts) | weak["account_b"].isin(accounts)]
    overruled = [judged.overrules(a, b) for a, b in zip(weak["account_a"], weak["account_b"],
                                                          strict=True)]  # fmt: skip
    weak = weak.loc[~pd.Series(overruled, index=weak.index, dtype=bool)]
    both = pd.concat([
        weak.rename(columns={"account_a": "account", "account_b": "other"}),
        weak.rename(columns={"account_b": "account", "account_a": "other"}),
    ])  # fmt: skip
    both = both[both["account"].isin(accounts) & both["other"].isin(list(group_of))]
    both = both.assign(group=both["other"].map(group_of),
                       facet=both["kind"].map(lambda kind: TIE_KINDS[kind].facet))  # fmt: skip
    value = both.groupby(["account", "kind", "value"], dropna=False)
    spread, holders = value["group"].transform("nunique"), value["other"].transform("size")
    mine = both.groupby(["account", "kind", "value", "group"], dropna=False)["other"]
    most = mine.transform("size")
    owned = (spread == 1) | ((most >= 2) & (2 * most > holders))
    both = both[owned | ~both["kind"].isin(list(VALUE_KINDS))]  # orders: the pair's own
    order = ["account", "bits", "other", "kind"]
    both = both.sort_values(order, ascending=[True, False, True, True])
    return both.drop_duplicates(["account", "group", "facet"]).reset_index(drop=True)


def reach(
    accounts: list[str],
    links: pd.DataFrame,
    link_threshold: float,
    judged: Judged,
    changed: set[str],
    replaced: pd.DataFrame,
) -> list[str]:
    """Of `accounts` (in their order), those whose trader may change once the `changed`
    accounts' links were `replaced` (the links before: account_a, account_b, carrier): every
    account of each part of the link graph that holds a changed account, an account at the
    other end of a replaced link, or the value a replaced link rested on. `cluster` works part
    by part, so on the others it would give what it gave before; an incremental run clusters
    these alone."""
    graph = _link_graph(accounts, links, link_threshold, judged)
    ends = set(replaced["account_a"]) | set(replaced["account_b"])
    values = {("v", *carrier) for carrier in replaced["carrier"] if carrier is not None}
    found: set = set()
    for node in changed | ends | values:
        if node in graph and node not in found:
            found |= nx.node_connected_component(graph, node)
    return [account for account in accounts if account in found]


def _link_graph(
    accounts: list[str], links: pd.DataFrame, link_threshold: float, judged: Judged
) -> nx.Graph:
    """`accounts` joined by the links at or above the threshold (a link resting on one value
    through a node for it), less those judgements overrule, plus the confirmed `same` pairs
    among them."""
    graph = nx.Graph()
    graph.add_nodes_from(accounts)
    kept = links[links["probability"] >= link_threshold]
    columns = ["account_a", "account_b", "probability", "carrier"]
    for a, b, p, carrier in kept[columns].itertuples(index=False):
        if judged.overrules(a, b):
            continue
        if carrier is None:
            graph.add_edge(a, b, probability=p)
            continue
        node: Value = ("v", carrier[0], carrier[1])
        for account in (a, b):
            known = graph.get_edge_data(account, node, {}).get("probability", 0.0)
            graph.add_edge(account, node, probability=max(known, p))
    graph.add_edges_from(
        ((a, b) for a, b in judged.same if a in graph and b in graph),
        probability=1.0,
        confirmed=True,
    )
    return graph


def _held_by_one_tie(graph: nx.Graph) -> list[dict]:
    """In each cluster of four or more accounts, every link that alone holds two sides of two
    or more accounts together (a bridge that cleared the bridge threshold, or a confirmed one),
    and every shared value that alone holds part of it: kept, but resting on one tie."""
    held: list[dict] = []
    for part in nx.connected_components(graph):
        if len(_accounts(part)) < 4:
            continue
        sub = _part(graph, part)
        for a, b in list(nx.bridges(sub)):
            if not (isinstance(a, str) and isinstance(b, str)):
                continue
            data = sub.edges[a, b]
            sub.remove_edge(a, b)
            sides = [_accounts(nx.node_connected_component(sub, end)) for end in (a, b)]
            sub.add_edge(a, b, **data)
            if min(map(len, sides)) >= 2:
                how = (
                    "judged the same"
                    if data.get("confirmed")
                    else (f"one link of probability {data['probability']:.4f}")
                )
                held.append({"reason": f"{how} holds two groups together", "kind": None,
                             "value": None, "groups": sides})  # fmt: skip
        for node in [n for n in nx.articulation_points(sub) if isinstance(n, tuple)]:
            edges = list(sub.edges(node, data=True))
            sub.remove_node(node)
            sides = [_accounts(c) for c in nx.connected_components(sub)]
            sub.add_edges_from(edges)
            held.append({"reason": "one shared value holds the trader together",
                         "kind": node[1], "value": node[2],
                         "groups": sorted(sides, key=lambda side: (-len(side), side))})  # fmt: skip
    return held


def _part(graph: nx.Graph, nodes: set) -> nx.Graph:
    """A copy of the part of `graph` on `nodes`, built in the same order on every run: a
    subgraph view lists a set's nodes in hash order, which changes from process to process,
    and which value a rule meets first can change what it keeps apart."""
    ordered = sorted(nodes, key=str)
    sub = nx.Graph()
    sub.add_nodes_from(ordered)
    for node in ordered:
        for neighbour, data in graph.adj[node].items():
            if neighbour in nodes and not sub.has_edge(node, neighbour):
                sub.add_edge(node, neighbour, **data)
    return sub


def _accounts(nodes) -> list[str]:
    return sorted(n for n in nodes if isinstance(n, str))


def _resist(
    graph: nx.Graph, part: set, bridge_threshold: float, listed: Listed, kept_apart: list[dict]
) -> None:
    """Apply both rules to one connected part of `graph` until nothing changes."""
    sub = _part(graph, part)
    while True:
        split = _split_at_values(sub, listed, kept_apart)
        if not (_cut_weak_bridges(sub, bridge_threshold, kept_apart) or split):
            break
    graph.remove_edges_from(
        [edge for edge in graph.subgraph(part).edges if not sub.has_edge(*edge)]
    )


def _split_at_values(graph: nx.Graph, listed: Listed, kept_apart: list[dict]) -> bool:
    """Rule 1: a value node that alone holds two or more groups of two or more accounts to the
    rest stays with the largest of them that lists it, and with the single accounts unless it
    looks lent (`_lent`);
    returns whether anything changed."""
    changed = False
    for node in [n for n in nx.articulation_points(graph) if isinstance(n, tuple)]:
        edges = {n: graph.edges[node, n]["probability"] for n in graph.neighbors(node)}
        graph.remove_node(node)
        parts: list[tuple[list[str], list]] = []
        seen: set = set()
        for neighbour in edges:
            if neighbour not in seen:
                part = nx.node_connected_component(graph, neighbour)
                seen |= part
                parts.append((_accounts(part), [n for n in edges if n in part]))
        # the value stays with the largest group that lists it (not one that shipped there)
        big = sorted((p for p in parts if len(p[0]) >= 2),
                     key=lambda p: (not _lists(node, p[0], listed), -len(p[0]), p[0]))  # fmt: skip
        singles = []
        for accounts, attached in parts:
            if big and len(accounts) >= 2 and accounts != big[0][0]:
                continue
            if big and len(accounts) == 1 and _lent(node, big[0][0], accounts[0], listed):
                singles.append(accounts)
                continue
            for neighbour in attached:
                graph.add_edge(node, neighbour, probability=edges[neighbour])
        for reason, apart in (
            ("groups held together by one shared value only", [p[0] for p in big[1:]]),
            ("an account joined to a group by one shared value, a phone that looks lent",
             singles),
        ):  # fmt: skip
            if apart:
                changed = True
                kept_apart.append({"reason": reason, "kind": node[1], "value": node[2],
                                   "groups": [big[0][0], *apart]})  # fmt: skip
    return changed


def _lists(node: Value, accounts: list[str], listed: Listed) -> bool:
    """Whether any of `accounts` lists the value of `node` (see `_listing`)."""
    return any(_listing(node, account, listed) for account in accounts)


def _listing(node: Value, account: str, listed: Listed) -> bool:
    """Whether `account` lists the value of `node`: in full, or, a phone, masked so that it
    fits (a platform that masks every phone shows its owner's so too); the orders of a store
    are the store's."""
    _, kind, value = node
    if kind == SUPPLIER_KIND:
        return account == value
    if value in listed.get((account, kind), frozenset()):
        return True
    masked = listed.get((account, "masked_phone_keys"), frozenset())
    return bool(masked) and kind == "phones" and normalize_phone(value).partial in masked


def _lent(node: Value, group: list[str], single: str, listed: Listed) -> bool:
    """Whether the value of `node`, of a kind an agency lends (a phone), looks lent where both
    `group` and `single` list it: one store of the group lists it (an owner gives his phone on
    the stores he gives it for), and it stands beside a phone of their own on one side (another
    store of the group lists a phone and not this one, or the single account lists another; in
    full or masked, see `_another`). A bank or payment account or an ID number is its
    registrant's own: shared, it ties, whatever else is listed beside it."""
    _, kind, value = node
    lendable = kind in VALUE_KINDS and VALUE_KINDS[kind].lent
    if not lendable or value not in listed.get((single, kind), frozenset()):
        return False
    giving = [account for account in group if _listing(node, account, listed)]
    if len(giving) != 1:
        return False
    others = [single, *(account for account in group if account not in giving)]
    return any(_another(node, account, listed) for account in others)


def _another(node: Value, account: str, listed: Listed) -> bool:
    """Whether `account` lists a value of `node`'s kind other than it: in full, or, a phone,
    masked so that it does not fit."""
    _, kind, value = node
    if listed.get((account, kind), frozenset()) - {value}:
        return True
    masked = listed.get((account, "masked_phone_keys"), frozenset())
    return kind == "phones" and bool(masked - {normalize_phone(value).partial})


def _cut_weak_bridges(graph: nx.Graph, threshold: float, kept_apart: list[dict]) -> bool:
    """Rule 2: cut every direct link below `threshold` that alone holds two groups of two or
    more accounts together; returns whether anything changed."""
    weak = []
    for a, b in list(nx.bridges(graph)):
        if not (isinstance(a, str) and isinstance(b, str)):
            continue
        probability = graph.edges[a, b]["probability"]
        if probability >= threshold:
            continue
        graph.remove_edge(a, b)
        sides = [_accounts(nx.node_connected_component(graph, end)) for end in (a, b)]
        graph.add_edge(a, b, probability=probability)
        if min(len(side) for side in sides) >= 2:
            weak.append((a, b, probability, sides))
    for a, b, probability, sides in weak:
        graph.remove_edge(a, b)
        kept_apart.append({
            "reason": f"one link of probability {probability:.4f} between two groups",
            "kind": None, "value": None, "groups": sides,
        })  # fmt: skip
    return bool(weak)


def _separate(graph: nx.Graph, judged: Judged, kept_apart: list[dict]) -> None:
    """Cut the weakest links (in bits) between each pair judged different that the rest of
    the links still join; confirmed links have no limit, so a pair joined by confirmed links
    alone (a contradiction) stays joined."""
    for (a, b), judgement in judged.different.items():
        if a not in graph or b not in graph or not nx.has_path(graph, a, b):
            continue
        part = _part(graph, nx.node_connected_component(graph, a))
        flow = nx.Graph()
        for u, v, data in part.edges(data=True):
            if data.get("confirmed"):
                flow.add_edge(u, v)  # no capacity: never cut
            else:
                flow.add_edge(u, v, capacity=_bits(data["probability"]))
        try:
            _, (side_a, _side_b) = nx.minimum_cut(flow, a, b)
        except nx.NetworkXUnbounded:
            continue  # joined by confirmed links only: `judged.contradictions` names it
        graph.remove_edges_from([(u, v) for u, v in part.edges if (u in side_a) != (v in side_a)])
        kept_apart.append({
            "reason": f"judged different (#{judgement.seq} by {judgement.author})",
            "kind": None, "value": None,
            "groups": [_accounts(nx.node_connected_component(graph, end)) for end in (a, b)],
        })  # fmt: skip


def _bits(probability: float) -> float:
    """A link's strength as a capacity: its weight in bits (a certain link counts 60)."""
    return 60.0 if probability >= 1.0 else min(60.0, -math.log2(1.0 - probability))
