"""Graph speed (issue targets: loading demo data of 20,000 traders, over 1M orders, into the
embedded store in under 2 minutes; sales per network over it in under 2 seconds).

    python bench/graph_speed.py [--traders 20000] [--store bolt://...]
                                [--first-load fastest|by_label|merge]

Ingests and links the demo of bench/ingest_speed.py into a fresh case, then loads the graph and
times the library's sales queries. With --store (or RESOLVER_NEO4J_URI) it measures Neo4j.
--first-load picks the way a graph that holds nothing is filled (GRAPH.BULK on the embedded
store and by label on Neo4j; by label in parallel-safe chunks; the MERGE statements).
"""

from __future__ import annotations

import time
from typing import get_args

from common import arguments, demo_data, scratch

from resolver.case import Case
from resolver.config import Config
from resolver.demo import disclosure_files
from resolver.graph.library import bind, load_queries
from resolver.graph.load import FirstLoad, load
from resolver.graph.store import open_store
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link


def measure(case: Case, store, batch_size: int, first_load: FirstLoad) -> None:
    if store.dialect == "neo4j":
        store.query("MATCH (n) DETACH DELETE n")
    started = time.perf_counter()
    summary = load(case, store, batch_size=batch_size, first_load=first_load)
    seconds = time.perf_counter() - started
    items = sum(summary.counts.values())
    print(
        f"load into {store.dialect} ({first_load}): {summary.counts['orders']:,} orders, "
        f"{summary.counts['accounts']:,} accounts, {items:,} rows in all, "
        f"in {seconds:.1f} s ({items / seconds:,.0f} rows/s)"
    )
    queries = load_queries()
    for name in ("sales_per_network", "top_networks", "sales_per_trader"):
        started = time.perf_counter()
        _, rows = store.query(queries[name].text, bind(queries[name], {}))
        print(f"{name}: {len(rows):,} rows in {time.perf_counter() - started:.2f} s")
    network = store.query(queries["top_networks"].text, bind(queries["top_networks"], {}))[1][0][0]
    started = time.perf_counter()
    one = queries["sales_per_network"]
    store.query(one.text, bind(one, {"network_id": network}))
    print(
        f"sales_per_network of the largest network ({network}): "
        f"{time.perf_counter() - started:.3f} s"
    )
    query = queries["account_network"]
    _, first = store.query("MATCH (a:Account) RETURN a.account_id LIMIT 1")
    started = time.perf_counter()
    store.query(query.text, bind(query, {"account_id": first[0][0], "k": "2"}))
    print(f"account_network (k=2): {time.perf_counter() - started:.3f} s")


def main() -> None:
    parser = arguments(__doc__, traders=20_000, seed=7)
    parser.add_argument("--store", default=None)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--first-load", choices=get_args(FirstLoad), default="fastest")
    args = parser.parse_args()
    files = disclosure_files(demo_data(args))
    with scratch() as work, Case.open(work / "case") as case:
        ingest(case, files)
        link(case, Config().matching)
        opened = open_store(case.folder, args.store)
        started = time.perf_counter()
        store = opened.__enter__()
        print(f"start of the store: {time.perf_counter() - started:.1f} s")
        try:
            measure(case, store, args.batch_size, args.first_load)
        finally:
            started = time.perf_counter()
            opened.__exit__(None, None, None)
            print(f"stop (and save) of the store: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
