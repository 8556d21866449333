"""Linkage quality on demo data against its ground truth (issue targets: on 20,000 traders
`--hard`, pairwise precision >= 0.99, recall >= 0.95, fronts and relatives linked >= 0.90, at
most 25 over-merged clusters; on 2,000 traders precision >= 0.995 and recall >= 0.97;
self-purchases found with recall >= 0.90 at precision >= 0.99).

    python bench/linkage_quality.py [--traders 2000] [--seed 5] [--hard] [--why]

Generates the demo (kept under bench/out/), ingests it into a fresh case, links it, and prints
pairwise and B-cubed precision, recall and F1 of the account -> trader clustering, the clusters
that merge several true traders, the share of fronts and relatives linked to their trader, the
self-purchase orders found against the true ones, the link time and the peak memory. `--why`
lists, per kind of account, those not linked to their trader and the wrong merges.
"""

from __future__ import annotations

import resource
import time
from collections import Counter

import pandas as pd
from common import arguments, demo_data, scratch

from resolver.case import Case
from resolver.config import Config
from resolver.demo import disclosure_files
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link
from resolver.linkage.quality import bcubed, pairwise

CHILDREN = resource.RUSAGE_CHILDREN  # the processes that read files ahead


def main() -> None:
    parser = arguments(__doc__, traders=2000, seed=5)
    parser.add_argument("--why", action="store_true", help="list what was missed or merged")
    args = parser.parse_args()
    data = demo_data(args)
    with scratch() as work, Case.open(work / "case") as case:
        ingest(case, disclosure_files(data))
        started = time.perf_counter()
        summary = link(case, Config().matching, progress=_timed(started))
        seconds = time.perf_counter() - started
        found = pd.Series(case.traders.assignment())
        flagged = case.orders.once()
        flagged = set(flagged.loc[flagged["self_purchase"], "key"])
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, CHILDREN))
    truth = pd.read_csv(data / "truth" / "accounts.csv", dtype=str, keep_default_na=False)
    truth.index = truth["platform"] + ":" + truth["account_key"]
    predicted = found.reindex(truth.index)
    kind = "hard " if args.hard else ""
    print(
        f"{kind}demo of {args.traders:,} traders, seed {args.seed}: {len(truth):,} accounts -> "
        f"{summary.traders:,} traders ({summary.multi_account_traders:,} with several), "
        f"{summary.pairs:,} candidate pairs, {summary.links:,} links, {summary.hubs:,} hubs, "
        f"{summary.kept_apart:,} groups kept apart; linked in {seconds:.1f} s, peak memory "
        f"{peak / 1024**2:.2f} GB"
    )
    for name, scores in (
        ("pairwise", pairwise(truth["trader_id"], predicted)),
        ("B-cubed", bcubed(truth["trader_id"], predicted)),
    ):
        print(f"{name:9} precision {scores.precision:.4f}  recall {scores.recall:.4f}  "
              f"F1 {scores.f1:.4f}")  # fmt: skip
    true_of = truth["trader_id"]
    merged = predicted.groupby(predicted).apply(lambda a: true_of[a.index].nunique())
    print(f"over-merged clusters (several true traders): {int((merged > 1).sum())}")
    linked, complete = _linked(predicted, true_of)
    with_siblings = truth[true_of.map(true_of.value_counts()) > 1]
    for role in ("front", "relative"):
        accounts = with_siblings.index[with_siblings["role"] == role]
        share, whole = linked[accounts].mean(), complete[accounts].mean()
        print(
            f"{role}s linked to their trader: {share:.3f} ({int(linked[accounts].sum())} of "
            f"{len(accounts)}; with all siblings {whole:.3f})"
        )
    orders = pd.read_csv(data / "truth" / "orders.csv", dtype=str)
    true_self = set((orders["platform"] + ":" + orders["order_id"])[orders["self_purchase"] == "1"])
    hit = len(flagged & true_self)
    print(f"self-purchase orders: precision {hit / max(len(flagged), 1):.4f}  recall "
          f"{hit / max(len(true_self), 1):.4f}  ({hit} of {len(true_self)} true; "
          f"{len(flagged)} flagged)")  # fmt: skip
    if args.why:
        _why(truth, predicted)


def _timed(started: float):
    """Progress as lines: each step once, when it starts."""
    said: list[str] = []

    def say(step: str, done: int | None = None, total: int | None = None) -> None:
        if not said or said[-1] != step:
            said.append(step)
            print(f"  [{time.perf_counter() - started:7.1f} s] {step}", flush=True)

    return say


def _linked(predicted: pd.Series, true_of: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per account: whether it is in a cluster with another account of its true trader, and
    whether its cluster holds every account of its true trader."""
    pairs = pd.DataFrame({"true": true_of, "found": predicted})
    together = pairs.groupby(["true", "found"])["true"].transform("size")
    whole = pairs.groupby("true")["found"].transform("nunique").eq(1)
    whole &= pairs["found"].notna()
    return together.gt(1), whole


def _why(truth: pd.DataFrame, predicted: pd.Series) -> None:
    true_of = truth["trader_id"]
    linked, _ = _linked(predicted, true_of)
    alone = truth[(true_of.map(true_of.value_counts()) > 1) & ~linked]
    missed = Counter(zip(alone["role"], alone["tie"], alone["patterns"], strict=True))
    print("not linked to any sibling (role, tie, patterns): count")
    for key, count in missed.most_common(25):
        print(f"  {key}: {count}")
    merged = Counter()
    for _cluster, accounts in predicted.groupby(predicted):
        traders = true_of[accounts.index]
        if traders.nunique() > 1:
            merged[
                tuple(sorted(set(";".join(truth.loc[accounts.index, "patterns"]).split(";"))))
            ] += 1
    print("over-merged clusters by the patterns of their accounts: count")
    for key, count in merged.most_common(15):
        print(f"  {key}: {count}")


if __name__ == "__main__":
    main()
