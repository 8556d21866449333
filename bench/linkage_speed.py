"""Linkage speed and memory (issue targets: a full link of ~43,000 accounts in at most 3
minutes and 4 GB on 2 cores; an incremental match of a new disclosure of 1,000 accounts in at
most 20 seconds; near-linear growth from 2,000 to 20,000 and 60,000 traders).

    python bench/linkage_speed.py [--traders 20000] [--seed 7] [--hard] [--new 1000]

Uses a demo (generated once under bench/out/). The accounts of the Douyin disclosure are split:
all but `--new` of them are ingested with the other disclosures by a separate process, so that
the figures below are the link's alone; then the full link (hubs, training, blocking analysis,
scoring, clustering) runs in a process of its own, and a disclosure holding the remaining
accounts is matched incrementally in another. Peak memory is each step's process's own (VmHWM,
Linux: unlike ru_maxrss it is not inherited from the process that started it).
"""

from __future__ import annotations

import csv
import multiprocessing as mp
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
    """Write the lines of the last `new_accounts` shops (in order of appearance) to `new`, the
    others to `keep` (a line at a time: the file may be larger than memory)."""
    with source.open(encoding="utf-8") as handle:
        shops = list(dict.fromkeys(shop for shop in map(shop_of, handle) if shop))
    chosen = set(shops[-new_accounts:])
    with source.open(encoding="utf-8") as lines, keep.open("w", encoding="utf-8") as kept, \
            new.open("w", encoding="utf-8") as fresh:  # fmt: skip
        for line in lines:
            (fresh if shop_of(line) in chosen else kept).write(line)
    return len(chosen)


def peak_gb() -> float:
    """This process's own peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    process that started it)."""
    status = Path("/proc/self/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return kb / 1024**2


def _ingest(folder: Path, files: list[Path]) -> None:
    with Case.open(folder) as case:
        ingest(case, files)


def _link(folder: Path, out: mp.Queue) -> None:
    with Case.open(folder) as case:
        started = time.perf_counter()
        summary = link(case, Config().matching)
        seconds = time.perf_counter() - started
    out.put((summary, seconds, peak_gb()))


def _match(folder: Path, new: Path, out: mp.Queue) -> None:
    with Case.open(folder) as case:
        started = time.perf_counter()
        result = match(case, [new], graph=False)
        seconds = time.perf_counter() - started
    out.put((seconds, result.link.scored_accounts, len(result.link.joined), peak_gb()))


def in_process(spawn, target, *args):
    """Run `target(*args, queue)` in a fresh process; what it put on the queue."""
    answers = spawn.Queue()
    process = spawn.Process(target=target, args=(*args, answers))
    process.start()
    answer = answers.get()
    process.join()
    return answer


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
        full, full_seconds, full_peak = in_process(spawn, _link, work / "case")
        seconds, scored, joined, peak = in_process(spawn, _match, work / "case", new)
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
