"""Link the case's accounts into traders: the library behind `resolver match` and `train`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import pandas as pd

from resolver.case import Case
from resolver.config.matching import MatchingConfig
from resolver.errors import ResolverError
from resolver.linkage.clustering import cluster
from resolver.linkage.evidence import evidence_tokens, self_purchases
from resolver.linkage.model import Model, comparison_steps, probability
from resolver.linkage.traders import assign_ids, id_number

STORE_FLOOR = 0.5  # links kept in the case (for explain, the graph and reports)


@dataclass
class LinkSummary:
    mode: str  # full | incremental
    trained: bool
    accounts: int
    scored_accounts: int
    links: int
    traders: int
    multi_account_traders: int
    hubs: int
    new_accounts: int = 0
    new_traders: int = 0
    joined: list[tuple[str, str]] = field(default_factory=list)  # (new account, existing trader)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (retired, kept)
    split: list[tuple[str, str]] = field(default_factory=list)  # (old, new)
    seconds: float = 0.0


@dataclass
class Prepared:
    """What one run knows about the case's accounts before scoring."""

    config: MatchingConfig
    accounts: pd.DataFrame
    hubs: pd.DataFrame
    self_purchases: pd.DataFrame  # pairs of accounts
    self_purchase_orders: pd.DataFrame  # the orders behind them


def prepare(case: Case, config: MatchingConfig) -> Prepared:
    """The account records and order evidence, with the hubs the case holds left out."""
    hubs = case.links.hubs()
    accounts = case.records.for_linkage()
    purchases = case.orders.self_purchase_candidates()
    pairs = self_purchases(purchases)
    accounts = accounts.merge(evidence_tokens(pairs), on="unique_id", how="left")
    accounts["evidence_tokens"] = accounts["evidence_tokens"].map(
        lambda tokens: tokens if isinstance(tokens, list) else []
    )
    return Prepared(config, accounts, hubs, pairs, purchases)


def model_for(case: Case, prepared: Prepared, retrain: bool) -> tuple[Model, bool]:
    """The case's saved model, or a newly trained one: on the first run, when asked, or when
    `matching.yaml` changed since the model was trained (its rules are part of the model)."""
    saved = case.model.load()
    if not retrain and saved is not None and saved.rules_sha256 == prepared.config.sha256:
        return Model.load(prepared.accounts, saved.settings, prepared.config), False
    model = Model.untrained(prepared.accounts, prepared.config)
    model.train(prepared.config)
    case.model.save(model.settings(), prepared.config)
    return model, True


def score(model: Model, prepared: Prepared, changed: set[str] | None) -> pd.DataFrame:
    """Scored links: the stronger of Splink's weight and the control evidence, as probability."""
    weights = prepared.config.control_bits
    pairs = model.predict(changed)  # every blocked pair: control evidence may lift any of them
    pairs = pairs.merge(
        prepared.self_purchases[["account_a", "account_b", "orders"]],
        on=["account_a", "account_b"], how="left",
    )  # fmt: skip
    pairs["self_purchase_orders"] = pairs["orders"].fillna(0).astype(int)
    shared = shared_kinds(pairs, prepared.accounts, set(weights))
    pairs["control_evidence"] = [json.dumps(kinds) for kinds in shared]
    pairs["control_weight"] = [sum(weights.get(k, 0.0) for k in kinds) for kinds in shared]
    pairs["splink_weight"] = pairs["match_weight"]
    pairs["match_weight"] = pairs[["splink_weight", "control_weight"]].max(axis=1)
    pairs["probability"] = probability(pairs["match_weight"])
    kept = pairs[pairs["probability"] >= STORE_FLOOR].copy()
    kept["comparisons"] = [
        json.dumps([
            {"comparison": s.comparison, "level": s.level, "weight": round(s.weight, 3)}
            for s in comparison_steps(prepared.config, row)
        ], ensure_ascii=False)
        for row in kept.to_dict(orient="records")
    ]  # fmt: skip
    return kept[["account_a", "account_b", "splink_weight", "control_weight",
                 "control_evidence", "match_weight", "probability", "comparisons",
                 "self_purchase_orders"]]  # fmt: skip


def shared_kinds(pairs: pd.DataFrame, accounts: pd.DataFrame, kinds: set[str]) -> list[list[str]]:
    """For each pair, which of `kinds` (control evidence) its two accounts share; hub values
    were left out of the accounts already."""
    by_id = accounts.set_index("unique_id")
    result = []
    for a, b, orders in zip(
        pairs["account_a"], pairs["account_b"], pairs["self_purchase_orders"], strict=True
    ):
        left, right = by_id.loc[a], by_id.loc[b]
        found: list[str] = [
            kind
            for kind in ("bank_accounts", "phones", "store_stems", "addresses")
            if kind in kinds and set(left[kind]) & set(right[kind])
        ]
        same_id = left["id_number"] is not None and left["id_number"] == right["id_number"]
        if "id_number" in kinds and same_id:
            found.insert(0, "id_number")
        if "self_purchase" in kinds and orders:
            found.append("self_purchase")
        result.append(found)
    return result


def link(
    case: Case,
    config: MatchingConfig,
    changed: set[str] | None = None,
    retrain: bool = False,
) -> LinkSummary:
    """Score, cluster and name the traders of the case, in one transaction.

    `changed`: accounts whose records are new since the last run; only pairs involving them are
    scored (`predict_within` / `predict_between`), the other links are kept. None (or a first
    run, or `retrain`) scores every pair.
    """
    started = time.perf_counter()
    with case.transaction():
        case.links.replace_hubs(case.records.hub_candidates(config.hubs.max_registrants))
        prepared = prepare(case, config)
        if len(prepared.accounts) < 2:
            raise ResolverError(
                f"{case.folder}: nothing to link: the case holds {len(prepared.accounts)} seller "
                "accounts; ingest disclosures first"
            )
        model, trained = model_for(case, prepared, retrain)
        full = trained or changed is None or case.links.count() == 0
        scored = score(model, prepared, None if full else changed)
        case.links.store(scored, replacing=None if full else changed)
        case.orders.replace_self_purchases(prepared.self_purchase_orders)
        summary = _name_traders(case, prepared, config)
    summary.mode = "full" if full else "incremental"
    summary.trained = trained
    summary.scored_accounts = len(prepared.accounts) if full else len(changed or ())
    summary.seconds = time.perf_counter() - started
    return summary


def _name_traders(case: Case, prepared: Prepared, config: MatchingConfig) -> LinkSummary:
    links = case.links.probabilities()
    accounts = prepared.accounts["unique_id"].tolist()
    groups = cluster(accounts, links, config.thresholds.link, config.thresholds.bridge)
    previous = case.traders.assignment()
    last = case.traders.last_id()
    assignment = assign_ids(groups.members, previous, id_number(last) + 1 if last else 1)
    case.traders.record(
        assignment.trader_of,
        groups.probability,
        assignment.created,
        assignment.merged,
        assignment.split,
    )
    sizes = pd.Series(assignment.trader_of).value_counts()
    return LinkSummary(
        mode="",
        trained=False,
        accounts=len(accounts),
        scored_accounts=0,
        links=len(links),
        traders=len(sizes),
        multi_account_traders=int((sizes > 1).sum()),
        hubs=len(prepared.hubs),
        new_accounts=sum(1 for account in assignment.trader_of if account not in previous),
        new_traders=len(assignment.created),
        joined=assignment.joined,
        merged=assignment.merged,
        split=assignment.split,
    )
