"""Linkage speed and memory (issue targets: a full link of ~43,000 accounts in at most 3
minutes and 4 GB on 2 cores; an incremental match of a new disclosure of 1,000 accounts in at
most 20 seconds; near-linear growth from 2,000 to 20,000 and 60,000 traders).

    python bench/linkage_speed.py [--traders 20000] [--seed 7] [--hard] [--new 1000]

Uses a demo (generated once under bench/out/). The accounts of the Douyin disclosure are split:
all but `--new` of them are ingested with the other disclosures by a separate process, so that
the figures below are the link's alone; then the full link (hubs, training, blocking analysis,
scoring, clustering) runs here, and a disclosure holding the remaining accounts is matched
incrementally in a fresh process. Peak memory is each step's process's.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
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


def _ingest(folder: Path, files: list[Path]) -> None:
    with Case.open(folder) as case:
        ingest(case, files)


def _match(folder: Path, new: Path, out: mp.Queue) -> None:
    with Case.open(folder) as case:
        started = time.perf_counter()
        result = match(case, [new], graph=False)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    out.put((seconds, result.link.scored_accounts, len(result.link.joined), peak))


def main() -> None:
    parser = arguments(__doc__, traders=20_000, seed=7)
    parser.add_argument("--new", type=int, default=1000)
    args = parser.parse_args()
    data = demo_data(args)
    spawn = mp.get_context("spawn")
    with scratch() as work:
        keep, new = work / "douyin_orders_a.jsonl", work / "douyin_orders_b.jsonl"
        added = split_jsonl(data / "douyin_orders.jsonl", keep, new, args.new)
        others = sorted(p for p in data.iterdir() if p.suffix in (".csv", ".xlsx"))
        reader = spawn.Process(target=_ingest, args=(work / "case", [*others, keep]))
        reader.start()
        reader.join()
        with Case.open(work / "case") as case:
            started = time.perf_counter()
            full = link(case, Config().matching)
            full_seconds = time.perf_counter() - started
        full_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        answers = spawn.Queue()
        matcher = spawn.Process(target=_match, args=(work / "case", new, answers))
        matcher.start()
        seconds, scored, joined, peak = answers.get()
        matcher.join()
    with (data / "truth" / "accounts.csv").open(encoding="utf-8") as handle:
        accounts = sum(1 for _ in csv.DictReader(handle))
    kind = "hard " if args.hard else ""
    print(f"{kind}demo of {args.traders:,} traders, {accounts:,} accounts")
    print(
        f"full link: {full.accounts:,} accounts, {full.pairs:,} candidate pairs -> "
        f"{full.traders:,} traders, {full.links:,} links, in {full_seconds:.1f} s; "
        f"peak memory {full_peak:.2f} GB"
    )
    print(
        f"incremental match of {added:,} new accounts ({scored:,} scored): {seconds:.1f} s "
        f"including ingest; {joined:,} joined existing traders; peak memory {peak:.2f} GB"
    )


if __name__ == "__main__":
    main()
