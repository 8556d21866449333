"""Linkage quality on demo data against its ground truth (target on 2,000 traders:
precision >= 0.98 and recall >= 0.95).

    python bench/linkage_quality.py [--traders 2000] [--seed 5]

Generates the demo (kept under bench/out/), ingests it into a fresh case, links it, and prints
pairwise and B-cubed precision, recall and F1 of the account -> trader clustering.
"""

from __future__ import annotations

import time

import pandas as pd
from common import arguments, demo_data, scratch

from resolver.case import Case
from resolver.config import Config
from resolver.demo import disclosure_files
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link
from resolver.linkage.quality import bcubed, pairwise


def main() -> None:
    args = arguments(__doc__, traders=2000, seed=5).parse_args()
    data = demo_data(args)
    with scratch() as work, Case.open(work / "case") as case:
        ingest(case, disclosure_files(data))
        started = time.perf_counter()
        summary = link(case, Config().matching)
        seconds = time.perf_counter() - started
        found = case.db.execute("SELECT account_id, trader_id FROM trader_accounts").fetchdf()
    truth = pd.read_csv(data / "truth" / "accounts.csv", dtype=str)
    truth.index = truth["platform"] + ":" + truth["account_key"]
    predicted = found.set_index("account_id")["trader_id"].reindex(truth.index)
    print(
        f"{len(truth):,} accounts of {truth['trader_id'].nunique():,} traders -> "
        f"{summary.traders:,} traders ({summary.multi_account_traders:,} with several "
        f"accounts), {summary.links:,} links, {summary.hubs:,} hub values; "
        f"linked in {seconds:.1f} s"
    )
    for name, scores in (
        ("pairwise", pairwise(truth["trader_id"], predicted)),
        ("B-cubed", bcubed(truth["trader_id"], predicted)),
    ):
        print(
            f"{name:9} precision {scores.precision:.4f}  recall {scores.recall:.4f}  "
            f"F1 {scores.f1:.4f}"
        )


if __name__ == "__main__":
    main()
