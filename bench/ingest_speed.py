"""Ingest speed and peak memory on demo data (issue target: >= 50,000 order rows/s, < 3 GB).

    python bench/ingest_speed.py [--traders 20000] [--seed 7] [--data bench/out/demo-20000]

Generates the demo disclosures once (kept under bench/out/), then ingests them into a fresh case
and prints rows/s for read + normalise + store and the peak resident memory of this process and
of the read-ahead process (per-file seconds are this process's: files read ahead were read
beside the file before).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from pathlib import Path

from common import arguments, demo_data, scratch

from resolver.case import Case
from resolver.demo import disclosure_files
from resolver.ingestion import ingest


class MemorySampler(threading.Thread):
    """The largest resident memory of this process and its children together, sampled every
    20 ms from /proc (the read-ahead process peaks while this one maps another file)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    @staticmethod
    def resident(pid: int) -> int:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return 0
        return int(status.split("VmRSS:")[1].split()[0]) * 1024 if "VmRSS:" in status else 0

    def run(self) -> None:
        me = os.getpid()
        while self.running:
            total = self.resident(me)
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    except (OSError, IndexError, ValueError):
                        continue
                    if parent == me:
                        total += self.resident(int(entry.name))
            self.peak = max(self.peak, total)
            time.sleep(0.02)


def main() -> None:
    parser = arguments(__doc__, traders=20_000, seed=7)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument(
        "--no-read-ahead", action="store_true", help="Read every file in this process."
    )
    args = parser.parse_args()
    files = disclosure_files(args.data or demo_data(args))
    sampler = MemorySampler()
    sampler.start()
    with scratch() as work, Case.open(work / "case") as case:
        started = time.perf_counter()
        results = ingest(case, files, read_ahead=False if args.no_read_ahead else None)
        seconds = time.perf_counter() - started
    sampler.running = False
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    reader_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    rows = sum(r.source_rows for r in results)
    orders = sum(r.orders for r in results)
    for r in results:
        print(
            f"  {r.path.name:28} {r.source_rows:>10,} rows {r.seconds:7.1f} s "
            f"{r.source_rows / r.seconds:>10,.0f} rows/s"
        )
    print(
        f"ingest: {rows:,} source rows ({orders:,} orders stored) in {seconds:.1f} s "
        f"= {rows / seconds:,.0f} rows/s"
    )
    print(
        f"peak memory: {peak_gb:.2f} GB (this process), {reader_gb:.2f} GB (the read-ahead "
        f"process), {sampler.peak / 1024**3:.2f} GB both together (sampled)"
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
