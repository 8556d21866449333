"""Report speed: the evidence report of one network, and of every network, on demo data.

    python bench/report_speed.py [--traders 20000] [--case DIR]

Ingests and links the demo of bench/ingest_speed.py into a fresh case (or reuses a linked case
given with --case), then times `resolver report` for the largest network (HTML, XLSX, and PDF
where a Chromium-family browser is installed) and for all networks (XLSX, and HTML when
--all-html), printing seconds, file sizes and the peak memory of the process.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from common import arguments, demo_data, scratch

from resolver.case import Case
from resolver.config import Config
from resolver.demo import disclosure_files
from resolver.errors import ResolverError
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link
from resolver.reporting import write_report
from resolver.reporting.pdf import find_browser


def timed(case: Case, trader: str | None, out: Path) -> None:
    started = time.perf_counter()
    report = write_report(case, trader, out)
    seconds = time.perf_counter() - started
    orders = len(report.orders)
    print(
        f"report {trader or '--all'} -> {out.suffix}: {len(report.networks):,} network(s), "
        f"{orders:,} orders, {seconds:.1f} s, {out.stat().st_size / 1e6:.1f} MB"
    )


def main() -> None:
    parser = arguments(__doc__, traders=20_000, seed=7)
    parser.add_argument("--case", type=Path, default=None, help="A linked case to reuse.")
    parser.add_argument("--all-html", action="store_true", help="Also write --all as HTML.")
    args = parser.parse_args()
    with scratch() as work:
        folder = args.case
        if folder is None:
            folder = work / "case"
            with Case.open(folder) as case:
                ingest(case, disclosure_files(demo_data(args)))
                link(case, Config().matching)
        with Case.open(folder) as case:
            largest = case.db.execute(
                "SELECT trader_id FROM trader_accounts GROUP BY trader_id "
                "ORDER BY count(*) DESC, trader_id LIMIT 1"
            ).fetchall()[0][0]
            timed(case, largest, work / "one.html")
            timed(case, largest, work / "one.xlsx")
            try:
                find_browser()
                timed(case, largest, work / "one.pdf")
            except ResolverError as err:
                print(f"report {largest} -> .pdf: not timed ({err})")
            timed(case, None, work / "all.xlsx")
            if args.all_html:
                timed(case, None, work / "all.html")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory of the process (ingest and linkage included): {peak:.2f} GB")


if __name__ == "__main__":
    main()
