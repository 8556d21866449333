"""Link the case's accounts into traders: the library behind `resolver match` and `train`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from resolver.case import Case
from resolver.errors import ResolverError
from resolver.linkage.accounts import build_accounts, collect_values, hub_values
from resolver.linkage.clustering import cluster
from resolver.linkage.evidence import evidence_tokens, self_purchase_orders, self_purchases
from resolver.linkage.model import MODEL_FILE, Model, comparison_steps, probability
from resolver.linkage.settings import MatchingConfig, load_matching
from resolver.linkage.traders import assign_ids, id_number

CONFIG_HASH_FILE = "model.config.sha256"  # the matching rules the saved model was trained with
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


def prepare(db: duckdb.DuckDBPyConnection, config: MatchingConfig) -> Prepared:
    collect_values(db)
    hubs = hub_values(db, config.hubs.max_registrants)
    accounts = build_accounts(db, hubs)
    purchases = self_purchase_orders(db, hubs)
    pairs = self_purchases(purchases)
    accounts = accounts.merge(evidence_tokens(pairs), on="unique_id", how="left")
    accounts["evidence_tokens"] = accounts["evidence_tokens"].map(
        lambda tokens: tokens if isinstance(tokens, list) else []
    )
    return Prepared(config, accounts, hubs, pairs, purchases)


def model_for(case: Case, prepared: Prepared, retrain: bool) -> tuple[Model, bool]:
    """The case's saved model, or a newly trained one: on the first run, when asked, or when
    `matching.yaml` changed since the model was trained (its rules are part of the model)."""
    trained_for = case.folder / CONFIG_HASH_FILE
    current = prepared.config.sha256
    saved = trained_for.read_text().strip() if trained_for.exists() else None
    if not retrain and (case.folder / MODEL_FILE).exists() and saved == current:
        return Model.load(prepared.accounts, case.folder, prepared.config), False
    model = Model.untrained(prepared.accounts, prepared.config)
    model.train(prepared.config)
    model.save(case.folder)
    trained_for.write_text(current + "\n")
    trained_for.chmod(0o600)
    return model, True


def score(model: Model, prepared: Prepared, changed: set[str] | None) -> pd.DataFrame:
    """Scored links: the stronger of Splink's weight and the control evidence, as probability."""
    weights = prepared.config.control_evidence
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
        found = [
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
    config_dir: Path | None = None,
    changed: set[str] | None = None,
    retrain: bool = False,
) -> LinkSummary:
    """Score, cluster and name the traders of the case, in one transaction.

    `changed`: accounts whose records are new since the last run; only pairs involving them are
    scored (`predict_within` / `predict_between`), the other links are kept. None (or a first
    run, or `retrain`) scores every pair.
    """
    started = time.perf_counter()
    config = load_matching(config_dir)
    with case.transaction() as db:
        prepared = prepare(db, config)
        if len(prepared.accounts) < 2:
            raise ResolverError(
                f"{case.folder}: nothing to link: the case holds {len(prepared.accounts)} seller "
                "accounts; ingest disclosures first"
            )
        model, trained = model_for(case, prepared, retrain)
        has_links = case.scalar("SELECT count(*) FROM links") > 0
        full = trained or changed is None or not has_links
        scored = score(model, prepared, None if full else changed)
        db.register("scored_links", scored)
        if full:
            db.execute("DELETE FROM links")
        elif changed:
            db.register("changed_accounts", pd.DataFrame({"account_id": sorted(changed)}))
            db.execute(
                "DELETE FROM links WHERE account_a IN (SELECT account_id FROM changed_accounts) "
                "OR account_b IN (SELECT account_id FROM changed_accounts)"
            )
        db.execute("INSERT INTO links BY NAME SELECT * FROM scored_links")
        db.execute("DELETE FROM self_purchase_orders")
        db.register("purchase_rows", prepared.self_purchase_orders)
        db.execute("INSERT INTO self_purchase_orders BY NAME SELECT * FROM purchase_rows")
        db.execute("DELETE FROM hubs")
        db.register("hub_rows", prepared.hubs)
        db.execute("INSERT INTO hubs BY NAME SELECT * FROM hub_rows")
        summary = _name_traders(db, prepared, config)
    summary.mode = "full" if full else "incremental"
    summary.trained = trained
    summary.scored_accounts = len(prepared.accounts) if full else len(changed or ())
    summary.seconds = time.perf_counter() - started
    return summary


def _name_traders(
    db: duckdb.DuckDBPyConnection, prepared: Prepared, config: MatchingConfig
) -> LinkSummary:
    links = db.execute("SELECT account_a, account_b, probability FROM links").fetchdf()
    accounts = prepared.accounts["unique_id"].tolist()
    groups = cluster(accounts, links, config.thresholds.link, config.thresholds.bridge)
    previous = dict(db.execute("SELECT account_id, trader_id FROM trader_accounts").fetchall())
    last = db.execute("SELECT max(trader_id) FROM traders").fetchall()[0][0]
    assignment = assign_ids(groups.members, previous, id_number(last) + 1 if last else 1)
    now = "now()"
    if assignment.created:
        db.executemany(
            f"INSERT INTO traders VALUES (?, {now}, NULL, NULL)",
            [[t] for t in assignment.created],
        )
        db.executemany(
            f"INSERT INTO trader_events VALUES ({now}, 'created', ?, NULL)",
            [[t] for t in assignment.created],
        )
    for retired, kept in assignment.merged:
        db.execute(
            f"UPDATE traders SET retired_into = ?, retired_at = {now} WHERE trader_id = ?",
            [kept, retired],
        )
        db.execute(f"INSERT INTO trader_events VALUES ({now}, 'merged', ?, ?)", [retired, kept])
    for old, new in assignment.split:
        db.execute(f"INSERT INTO trader_events VALUES ({now}, 'split', ?, ?)", [new, old])
    members = pd.DataFrame(
        {
            "account_id": list(assignment.trader_of),
            "trader_id": list(assignment.trader_of.values()),
            "probability": [groups.probability[a] for a in assignment.trader_of],
        }
    )
    db.execute("DELETE FROM trader_accounts")
    db.register("members", members)
    db.execute("INSERT INTO trader_accounts BY NAME SELECT * FROM members")
    sizes = members["trader_id"].value_counts()
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


def accounts_of_disclosures(db: duckdb.DuckDBPyConnection, disclosure_ids: list[str]) -> set[str]:
    if not disclosure_ids:
        return set()
    marks = ", ".join("?" for _ in disclosure_ids)
    rows = db.execute(
        f"SELECT DISTINCT account_id FROM seller_records WHERE disclosure_id IN ({marks})",
        disclosure_ids,
    ).fetchall()
    return {row[0] for row in rows}


@dataclass
class MatchResult:
    files: list  # ingest.FileResult per file
    link: LinkSummary


def match(
    case: Case,
    paths: list[Path],
    platform: str | None = None,
    config_dir: Path | None = None,
    full: bool = False,
    progress=None,
) -> MatchResult:
    """Ingest new disclosures and link their accounts against what the case holds, all in one
    transaction: a failure anywhere leaves the case as it was."""
    from resolver.ingest import ingest

    with case.transaction():
        files = ingest(case, paths, platform=platform, config_dir=config_dir, progress=progress)
        new = [f.disclosure_id for f in files if f.status == "ingested"]
        changed = None if full else accounts_of_disclosures(case.db, new)
        summary = link(case, config_dir=config_dir, changed=changed)
    return MatchResult(files, summary)
