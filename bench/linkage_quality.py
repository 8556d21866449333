"""Linkage quality on demo data against its ground truth (target on 2,000 traders:
precision >= 0.98 and recall >= 0.95).

    python bench/linkage_quality.py [--traders 2000] [--seed 5]

Generates the demo (kept under bench/out/), ingests it into a fresh case, links it, and prints
pairwise and B-cubed precision, recall and F1 of the account -> trader clustering.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from resolver.case import Case
from resolver.demo import demo_folder, disclosure_files
from resolver.ingest import ingest
from resolver.linkage.pipeline import link
from resolver.linkage.quality import bcubed, pairwise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    data = demo_folder(Path(__file__).parent / "out", args.traders, args.seed)
    files = disclosure_files(data)
    folder = Path(tempfile.mkdtemp(prefix="resolver-bench-"))
    try:
        with Case.open(folder / "case") as case:
            ingest(case, files)
            started = time.perf_counter()
            summary = link(case)
            seconds = time.perf_counter() - started
            found = case.db.execute("SELECT account_id, trader_id FROM trader_accounts").fetchdf()
    finally:
        shutil.rmtree(folder)
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
