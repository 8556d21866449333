"""Linkage speed and memory (issue targets: full match of 20,000 demo traders, ~40,000
accounts, in under 3 minutes; an incremental match of a new disclosure of 1,000 accounts
against them in under 20 seconds; peak memory under 4 GB).

    python bench/linkage_speed.py [--traders 20000] [--new 1000]

Uses the 20,000-trader demo of bench/ingest_speed.py (generated once under bench/out/). The
accounts of one platform are split: all but `--new` of them are matched with the other
platforms' disclosures first (full match: training, scoring, clustering); a disclosure holding
the remaining accounts is then matched incrementally.
"""

from __future__ import annotations

import csv
import resource
import time
from pathlib import Path

from common import arguments, demo_data, scratch

from resolver import match
from resolver.case import Case
from resolver.config import Config
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link


def shop_of(line: str) -> str | None:
    start = line.find('"shop_id": "')
    return line[start + 12 : line.index('"', start + 12)] if start >= 0 else None


def split_jsonl(source: Path, keep: Path, new: Path, new_accounts: int) -> int:
    """Write the lines of the last `new_accounts` shops (in order of appearance) to `new`."""
    with source.open(encoding="utf-8") as handle:
        lines = handle.readlines()
    shops = list(dict.fromkeys(shop for shop in map(shop_of, lines) if shop))
    chosen = set(shops[-new_accounts:])
    keep.write_text("".join(x for x in lines if shop_of(x) not in chosen), encoding="utf-8")
    new.write_text("".join(x for x in lines if shop_of(x) in chosen), encoding="utf-8")
    return len(chosen)


def main() -> None:
    parser = arguments(__doc__, traders=20_000, seed=7)
    parser.add_argument("--new", type=int, default=1000)
    args = parser.parse_args()
    data = demo_data(args)
    with scratch() as work:
        keep, new = work / "douyin_orders_a.jsonl", work / "douyin_orders_b.jsonl"
        added = split_jsonl(data / "douyin_orders.jsonl", keep, new, args.new)
        others = sorted(p for p in data.iterdir() if p.suffix in (".csv", ".xlsx"))
        with Case.open(work / "case") as case:
            ingest(case, [*others, keep])
            started = time.perf_counter()
            full = link(case, Config().matching)
            full_seconds = time.perf_counter() - started
        with Case.open(work / "case") as case:  # a fresh connection, as a later command has
            started = time.perf_counter()
            result = match(case, [new], graph=False)
            incremental_seconds = time.perf_counter() - started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    with (data / "truth" / "accounts.csv").open(encoding="utf-8") as handle:
        accounts = sum(1 for _ in csv.DictReader(handle))
    print(f"{args.traders:,} traders, {accounts:,} accounts in the demo")
    print(
        f"full match: {full.accounts:,} accounts -> {full.traders:,} traders, "
        f"{full.links:,} links, in {full_seconds:.1f} s (training, scoring, clustering)"
    )
    print(
        f"incremental match of {added:,} new accounts ({result.link.scored_accounts:,} "
        f"scored): {incremental_seconds:.1f} s including ingest; "
        f"{len(result.link.joined):,} joined existing traders"
    )
    print(f"peak memory: {peak_gb:.2f} GB")


if __name__ == "__main__":
    main()
