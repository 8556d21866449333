"""Link the case's accounts into traders: the library behind `resolver match` and `train`.

One run, in one transaction: find the hubs; build one record per account (hubs left out) and
the self-purchase ties; train the Splink model or reuse the case's; score every blocked pair
(or, incrementally, the pairs of the accounts that changed) as the stronger of the model's
weight and the control evidence; cluster the links (incrementally, only the parts of the link
graph that a replaced link touches: clustering works part by part); keep trader ids stable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from resolver.case import Case
from resolver.case.links import WEAK_TIE_COLUMNS
from resolver.config.matching import MatchingConfig
from resolver.errors import ResolverError
from resolver.linkage import control
from resolver.linkage.clustering import Clusters, cluster, join_on_weak_ties, reach
from resolver.linkage.evidence import (
    evidence_tokens,
    held_in_common,
    order_ties,
    self_purchase_pairs,
    suppliers,
    without_ties_of,
)
from resolver.linkage.hubs import detect_hubs
from resolver.linkage.judged import Judged, contradictions
from resolver.linkage.model import Model, comparison_parts, probability
from resolver.linkage.traders import assign_ids, id_number
from resolver.progress import Progress, silent
from resolver.vocabulary import SUPPLIER_KIND

STORE_FLOOR = 0.5  # links kept in the case (for explain, the graph and reports)


@dataclass
class LinkSummary:
    mode: str  # full | incremental
    trained: bool
    accounts: int
    scored_accounts: int
    clustered: int  # accounts clustered (on an incremental run, those whose trader may change)
    pairs: int  # candidate pairs scored
    links: int
    traders: int
    multi_account_traders: int
    hubs: int  # hub values left out
    weak_hubs: int  # hub values kept as weak ties (an agency's phone, a nominee's ID)
    suppliers: int  # stores whose orders reach unrelated groups: they tie none of them
    kept_apart: int  # groups clustering kept apart, for review
    self_purchase_orders: int  # orders found shipped to an account of the seller's own trader
    new_accounts: int = 0
    new_traders: int = 0
    joined: list[tuple[str, str]] = field(default_factory=list)  # (new account, existing trader)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (retired, kept)
    split: list[tuple[str, str]] = field(default_factory=list)  # (old, new)
    warnings: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # judgements that cannot all hold
    seconds: float = 0.0


@dataclass
class Prepared:
    """What one run knows about the case's accounts before scoring."""

    config: MatchingConfig
    accounts: pd.DataFrame
    self_purchases: pd.DataFrame  # pairs of accounts (see evidence.self_purchase_pairs)
    self_purchase_orders: pd.DataFrame  # the orders behind them
    suppliers: pd.DataFrame  # stores that sell to others, as hub rows (see evidence.suppliers)


def prepare(
    case: Case, config: MatchingConfig, found: tuple[pd.DataFrame, pd.DataFrame] | None = None
) -> Prepared:
    """The account records and order evidence, with the hubs the case holds left out, and the
    orders of the stores that sell to others tying no accounts. `found`: this run's hub
    candidates and hubs (`Records.hub_candidates`, `detect_hubs`), where already read."""
    accounts = case.records.for_linkage()
    orders = case.orders.self_purchase_candidates()
    candidates, hubs = found or (case.records.hub_candidates(), case.links.hubs())
    held = held_in_common(candidates, hubs) + case.records.people_in_common()
    selling = suppliers(orders, held, config.hubs.max_groups_supplied)
    pairs = self_purchase_pairs(without_ties_of(orders, selling["value"].tolist()))
    tokens = evidence_tokens(pairs)
    accounts["evidence_tokens"] = [tokens.get(a, []) for a in accounts["unique_id"].tolist()]
    return Prepared(config, accounts, pairs, orders, selling)


def model_for(case: Case, prepared: Prepared, retrain: bool) -> tuple[Model, bool]:
    """The case's saved model, or an untrained one (True) to train: on the first run, when
    asked, or when `matching.yaml` changed since the model was trained (its rules are part of
    the model)."""
    saved = case.model.load()
    spill = case.spill_folder()
    if not retrain and saved is not None and saved.rules_sha256 == prepared.config.sha256:
        return Model.load(prepared.accounts, saved.settings, prepared.config, spill), False
    return Model.untrained(prepared.accounts, prepared.config, spill), True


@dataclass
class Scored:
    links: pd.DataFrame  # the pairs kept as links (LINK_COLUMNS), their parts described
    weak: pd.DataFrame  # the counted ties of the pairs that do not link (WEAK_TIE_COLUMNS)


def score(case: Case, prepared: Prepared, pairs: pd.DataFrame, everything: bool = False) -> Scored:
    """`pairs` (the model's) scored: the stronger of the model's weight and the control
    evidence, as a probability, with the parts of each (as links store them). Only the pairs the
    case keeps (see `kept`), unless `everything`: the parts are described (as JSON) for those
    alone, as most candidate pairs are dropped (at 200,000 hard demo traders, 2.4 M of 2.8 M).
    Beside them, the ties of every pair below the link threshold: together, ties too weak to
    link alone can join an account to a trader (see `clustering.join_on_weak_ties`)."""
    config = prepared.config
    purchases = prepared.self_purchases[
        ["account_a", "account_b", "orders", "strong_orders", "weak_ties", "through", "store"]
    ]
    pairs = pairs.merge(purchases.drop(columns=["weak_ties", "through", "store"]),
                        on=["account_a", "account_b"], how="left")  # fmt: skip
    pairs["self_purchase_orders"] = pairs["orders"].fillna(0).astype(int)
    on_pairs = purchases.merge(pairs[["account_a", "account_b"]], on=["account_a", "account_b"])
    ties = pd.concat([case.records.shared(pairs), order_ties(on_pairs)], ignore_index=True)
    weighed = control.weigh(ties, config.control_evidence)
    pairs = pairs.merge(control.control_weights(weighed), on=["account_a", "account_b"], how="left")
    pairs["splink_weight"] = pairs["match_weight"]
    pairs["match_weight"] = np.fmax(pairs["splink_weight"], pairs["control_weight"])
    pairs["probability"] = probability(pairs["match_weight"])
    below = pairs.loc[pairs["match_weight"] < config.link_bits,
                      ["account_a", "account_b", "splink_weight"]]  # fmt: skip
    weak = weighed[weighed["counted"]].merge(below, on=["account_a", "account_b"])
    if not everything:
        pairs = pairs[kept(pairs, config)]
        weighed = weighed.merge(pairs[["account_a", "account_b"]], on=["account_a", "account_b"])
    described = pairs.merge(control.as_json(weighed), on=["account_a", "account_b"], how="left")
    described["comparisons"] = comparison_parts(config, described)
    return Scored(described, weak[WEAK_TIE_COLUMNS])


def kept(scored: pd.DataFrame, config: MatchingConfig) -> pd.Series:
    """Which scored pairs the case keeps as links: those the model alone puts at STORE_FLOOR or
    above, and those whose control evidence could link them on its own. One weak tie (a masked
    key, an address, a store name: 3 bits, p 0.889) never links and keeps nothing: such pairs
    are mostly chance (at 20,000 hard demo traders 47,593 of 50,358 were; at 60,000, 301,536
    of 311,161) and their number grows as the square of the case. `explain` still scores any
    pair."""
    return (probability(scored["splink_weight"]) >= STORE_FLOOR) | (
        scored["control_weight"].fillna(0.0) >= config.link_bits
    )


def link(
    case: Case,
    config: MatchingConfig,
    changed: set[str] | None = None,
    retrain: bool = False,
    progress: Progress | None = None,
) -> LinkSummary:
    """Score, cluster and name the traders of the case, in one transaction.

    `changed`: accounts whose records are new since the last run; only pairs involving them, or
    an account holding a value that became a hub or is one no longer, are scored
    (`predict_within` / `predict_between`), the other links are kept. None (or a first run, or
    `retrain`) scores every pair.
    """
    started = time.perf_counter()
    say = progress or silent
    case.limit_memory(config.resources.memory_limit)
    with case.transaction():
        say("finding hubs")
        before = case.links.hubs()
        candidates = case.records.hub_candidates()
        hubs = detect_hubs(
            candidates,
            case.records.own_counts(),
            case.orders.recipient_names(),
            case.records.represented_ids(),
            config.hubs,
        )
        case.links.replace_hubs(hubs)
        prepared = prepare(case, config, (candidates, hubs))
        hubs = pd.concat([hubs, prepared.suppliers], ignore_index=True)
        if changed is not None:  # whose pairs the hubs (or suppliers) made or unmade change
            moved = _moved(before, hubs)
            stores = {value for kind, value in moved if kind == SUPPLIER_KIND}
            changed = changed | _holders(candidates, moved) | stores
        case.links.replace_hubs(hubs)
        if len(prepared.accounts) < 2:
            raise ResolverError(
                f"{case.folder}: nothing to link: the case holds {len(prepared.accounts)} seller "
                "accounts; ingest disclosures first"
            )
        weak, selling = int(hubs["weak"].sum()), len(prepared.suppliers)
        say(f"{len(prepared.accounts):,} accounts ({len(hubs) - weak - selling:,} hub values "
            f"left out, {weak:,} kept as weak ties, {selling:,} stores selling to others): "
            "model")  # fmt: skip
        model, trained = model_for(case, prepared, retrain)
        full = trained or changed is None or case.links.count() == 0 or _stale(case)
        # counted before any training or scoring: a rule that blows up stops the run first
        warnings = model.check_budget(prepared.config, say) if full else []
        if trained:
            say("training the model")
            model.train(prepared.config)
            case.model.save(model.settings(), prepared.config)
        pairs = model.predict(None if full else changed)
        say(f"scoring {len(pairs):,} candidate pairs")
        scored = score(case, prepared, pairs[pairs["match_weight"].notna()])
        # an incremental run clusters again only around the links it replaces
        replaced = None if full else case.links.for_clustering(of=changed)
        case.links.store(scored.links, scored.weak, replacing=None if full else changed)
        case.orders.replace_self_purchases(prepared.self_purchase_orders)
        say(f"clustering {len(scored.links):,} links")
        accounts = prepared.accounts["unique_id"].tolist()
        summary = _name_traders(case, accounts, config, changed, replaced)
    summary.mode = "full" if full else "incremental"
    summary.trained = trained
    summary.scored_accounts = len(prepared.accounts) if full else len(changed or ())
    summary.pairs = len(pairs)
    summary.warnings = warnings
    summary.seconds = time.perf_counter() - started
    return summary


def _moved(before: pd.DataFrame, now: pd.DataFrame) -> set[tuple[str, str]]:
    """(kind, value) of the values that became hubs (or weak ones), or are so no longer."""
    columns = ["kind", "value", "weak"]
    changed = set(before[columns].itertuples(index=False, name=None)) ^ set(
        now[columns].itertuples(index=False, name=None)
    )
    return {(kind, value) for kind, value, _ in changed}


def _holders(candidates: pd.DataFrame, values: set[tuple[str, str]]) -> set[str]:
    """The accounts holding any of `values`: an incremental run scores their pairs again, as
    the hub a new disclosure made (or unmade) changes what they share with the others."""
    held = pd.MultiIndex.from_frame(candidates[["kind", "value"]]).isin(list(values))
    return set(candidates.loc[held, "account_id"])


def _stale(case: Case) -> bool:
    try:
        case.links.require_current()
    except ResolverError:
        return True
    return False


def recluster(case: Case, config: MatchingConfig) -> LinkSummary:
    """Cluster the stored links again, obeying the judgements as they are now (after a
    judgement), without scoring anything; in one transaction. `config`: the rules the links
    were scored with."""
    started = time.perf_counter()
    with case.transaction():
        case.links.require_current()
        summary = _name_traders(case, case.records.account_ids(), config)
    summary.mode = "judgements"
    summary.seconds = time.perf_counter() - started
    return summary


def _name_traders(
    case: Case,
    accounts: list[str],
    config: MatchingConfig,
    changed: set[str] | None = None,
    replaced: pd.DataFrame | None = None,
) -> LinkSummary:
    """Cluster the stored links and record the traders: of every account, or, after the
    `changed` accounts' links were `replaced` (the links before), of those whose trader may
    change (see `clustering.reach`), the others kept as the last run left them."""
    links = case.links.for_clustering()
    links["carrier"] = control.carriers(links, config.link_bits)
    stored = len(links)
    judgements = case.judgements.current()
    judged = Judged.of(judgements)
    previous = case.traders.assignment()
    if changed is not None and replaced is not None:
        new = {account for account in accounts if account not in previous}
        replaced = replaced.assign(carrier=control.carriers(replaced, config.link_bits))
        accounts = reach(accounts, links, config.thresholds.link, judged, changed | new, replaced)
        within = set(accounts)
        links = links[links["account_a"].isin(within) & links["account_b"].isin(within)]
    groups = cluster(
        accounts,
        links,
        config.thresholds.link,
        config.thresholds.bridge,
        judged,
        case.records.strong_values(None if replaced is None else accounts),
    )
    if replaced is not None:
        groups = _as_left(case, previous).around(groups)
    groups = groups.without_weak_joins()
    weak = case.links.weak_ties(groups.alone())
    groups = join_on_weak_ties(groups, weak, judged, config.link_bits)
    conflicts = contradictions(judgements)
    case.judgements.replace_contested(conflicts)
    last = case.traders.last_id()
    assignment = assign_ids(groups.members, previous, id_number(last) + 1 if last else 1)
    case.traders.record(
        assignment.trader_of,
        groups.probability,
        assignment.created,
        assignment.merged,
        assignment.split,
    )
    case.links.replace_kept_apart(groups.kept_apart)
    case.links.replace_held_together(groups.held_together)
    case.orders.find_masked_within_traders()
    sizes = pd.Series(assignment.trader_of).value_counts()
    return LinkSummary(
        mode="",
        trained=False,
        accounts=len(assignment.trader_of),
        scored_accounts=0,
        clustered=len(accounts),
        pairs=0,
        links=stored,
        traders=len(sizes),
        multi_account_traders=int((sizes > 1).sum()),
        hubs=case.links.hub_count(weak=False),
        weak_hubs=case.links.hub_count(weak=True),
        suppliers=case.links.supplier_count(),
        kept_apart=len(groups.kept_apart),
        self_purchase_orders=case.orders.self_purchase_count(),
        new_accounts=sum(1 for account in assignment.trader_of if account not in previous),
        new_traders=len(assignment.created),
        joined=assignment.joined,
        merged=assignment.merged,
        split=assignment.split,
        conflicts=sorted(set(conflicts.values())),
    )


def _as_left(case: Case, previous: dict[str, str]) -> Clusters:
    """The clusters the last run left in the case."""
    members: dict[str, list[str]] = {}
    for account, trader in previous.items():
        members.setdefault(trader, []).append(account)
    return Clusters(
        [sorted(accounts) for accounts in members.values()],
        case.traders.probabilities(),
        case.links.kept_apart().to_dict(orient="records"),
        case.links.held_together().to_dict(orient="records"),
    )
