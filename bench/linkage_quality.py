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

from common import arguments, demo_data, report_quality

from resolver.config import Config
from resolver.demo import disclosure_files


def main() -> None:
    parser = arguments(__doc__, traders=2000, seed=5)
    parser.add_argument("--why", action="store_true", help="list what was missed or merged")
    args = parser.parse_args()
    data = demo_data(args)
    label = f"{'hard ' if args.hard else ''}demo of {args.traders:,} traders, seed {args.seed}"
    report_quality(label, data, disclosure_files(data), Config(), why=args.why)


if __name__ == "__main__":
    main()
