"""Linkage speed and memory (issue targets: a full link of ~43,000 accounts in at most 3
minutes and 4 GB on 2 cores; an incremental match of a new disclosure of 1,000 accounts in at
most 20 seconds; near-linear growth from 2,000 to 20,000 and 60,000 traders).

    python bench/linkage_speed.py [--traders 20000] [--seed 7] [--hard] [--new 1000] [--graph]
                                  [--engine duckdb|spark] [--spark MASTER] [--against-duckdb]

Uses a demo (generated once under bench/out/). The accounts of the Douyin disclosure are split:
all but `--new` of them are ingested with the other disclosures by a separate process, so that
the figures below are the link's alone; then the full link (hubs, training, blocking analysis,
scoring, clustering) runs in a process of its own, and a disclosure holding the remaining
accounts is matched incrementally in another (`--graph`: the embedded graph is loaded after
the full link, and the incremental match brings it up to date, as `resolver match` does by
default; the figure is then the whole command's, the graph's part printed apart). Peak memory
is each step's process's own (VmHWM, Linux: unlike ru_maxrss it is not inherited from the
process that started it; nor is the embedded graph server's). With `--engine spark` both run on
Splink's Spark backend (`--spark`, default `local[*]`); the peak is then the Python process's
alone (the Spark JVM's heap is bounded by `spark.driver_memory`, 4g by default,
and not measured); `--against-duckdb` links a copy of the case on DuckDB too and prints the
pairwise F1 between the two engines' traders.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import shutil
import time
from pathlib import Path

import pandas as pd
from common import arguments, demo_data, scratch

from resolver import load_graph, match
from resolver.case import Case
from resolver.config import Config
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link
from resolver.linkage.quality import pairwise


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


def _link(folder: Path, config: Config, out: mp.Queue) -> None:
    with Case.open(folder) as case:
        started = time.perf_counter()
        summary = link(case, config.matching)
        seconds = time.perf_counter() - started
    with Case.open(folder) as case:
        traders = case.traders.assignment()
    out.put((summary, seconds, peak_gb(), traders))


def _load_graph(folder: Path, out: mp.Queue) -> None:
    with Case.open(folder) as case:
        started = time.perf_counter()
        load_graph(case)
    out.put(time.perf_counter() - started)


def _match(folder: Path, new: Path, config: Config, graph: bool, out: mp.Queue) -> None:
    with Case.open(folder) as case:
        started = time.perf_counter()
        result = match(case, [new], config=config, graph=graph)
        seconds = time.perf_counter() - started
    out.put((seconds, result.link, result.graph, peak_gb()))


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
    parser.add_argument("--graph", action="store_true", help="the embedded graph too")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--spark", default=None, help="Spark master (default local[*])")
    parser.add_argument("--against-duckdb", action="store_true", help="compare with DuckDB's")
    args = parser.parse_args()
    config = Config().running_on(args.engine, args.spark)
    data = demo_data(args)
    spawn = mp.get_context("spawn")
    with scratch() as work:
        keep, new = work / "douyin_orders_a.jsonl", work / "douyin_orders_b.jsonl"
        added = split_jsonl(data / "douyin_orders.jsonl", keep, new, args.new)
        others = sorted(p for p in data.iterdir() if p.suffix in (".csv", ".xlsx"))
        reader = spawn.Process(target=_ingest, args=(work / "case", [*others, keep]))
        reader.start()
        reader.join()
        if args.against_duckdb:
            shutil.copytree(work / "case", work / "duckdb")
        linked = in_process(spawn, _link, work / "case", config)
        full, full_seconds, full_peak, traders = linked
        loaded = in_process(spawn, _load_graph, work / "case") if args.graph else None
        seconds, then, graph, peak = in_process(
            spawn, _match, work / "case", new, config, args.graph
        )
        if args.against_duckdb:
            *_, on_duckdb = in_process(spawn, _link, work / "duckdb", Config())
    with (data / "truth" / "accounts.csv").open(encoding="utf-8") as handle:
        accounts = sum(1 for _ in csv.DictReader(handle))
    kind = "hard " if args.hard else ""
    print(f"{kind}demo of {args.traders:,} traders, {accounts:,} accounts; engine {args.engine}")
    print(
        f"full link: {full.accounts:,} accounts, {full.pairs:,} candidate pairs -> "
        f"{full.traders:,} traders, {full.links:,} links, in {full_seconds:.1f} s; "
        f"peak memory {full_peak:.2f} GB"
    )
    print(
        f"incremental match of {added:,} new accounts ({then.scored_accounts:,} scored, "
        f"{then.clustered:,} clustered again): {seconds:.1f} s including ingest (linking "
        f"{then.seconds:.1f} s); {len(then.joined):,} joined existing traders; peak memory "
        f"{peak:.2f} GB"
    )
    if graph is not None:
        print(
            f"of which the graph: first loaded in {loaded:.1f} s; brought up to date after the "
            f"incremental match in {graph.summary.seconds:.1f} s of writing (besides: reading "
            "its rows from the case, the embedded server's start and its save)"
            if graph.summary
            else f"graph not updated: {graph.unavailable}"
        )
    if args.against_duckdb:
        ids = sorted(on_duckdb)
        agreement = pairwise(pd.Series(on_duckdb)[ids], pd.Series(traders).reindex(ids))
        print(f"the same case linked on DuckDB: pairwise F1 between the two engines' traders "
              f"{agreement.f1:.4f} (precision {agreement.precision:.4f}, recall "
              f"{agreement.recall:.4f}, DuckDB's as truth)")  # fmt: skip


if __name__ == "__main__":
    main()
