"""Ingest speed and peak memory on demo data (issue target: >= 50,000 order rows/s, < 3 GB).

    python bench/ingest_speed.py [--traders 20000] [--seed 7] [--data bench/out/demo-20000]

Generates the demo disclosures once (kept under bench/out/), then ingests them into a fresh case
in this process and prints rows/s for read + normalise + store and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from resolver.case import Case
from resolver.demo import demo_folder, disclosure_files
from resolver.ingest import ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traders", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    data = args.data or demo_folder(Path(__file__).parent / "out", args.traders, args.seed)
    files = disclosure_files(data)
    folder = Path(tempfile.mkdtemp(prefix="resolver-bench-"))
    try:
        with Case.open(folder / "case") as case:
            started = time.perf_counter()
            results = ingest(case, files)
            seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(folder)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
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
    print(f"peak memory: {peak_gb:.2f} GB")
    sys.exit(0)


if __name__ == "__main__":
    main()
