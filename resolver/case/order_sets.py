"""A report's orders, counted once, held on disk rather than in memory.

A report of every network of a large case covers every order (10.2 M at 200,000 hard demo
traders): as pandas they took more memory than the rest of the pipeline (11.36 GB at 60,000).
Here they are gathered by DuckDB (a temporary table, which spills), summed there, then written
once, sorted in the report's order, to a Parquet file in the case's spill folder (owner-only),
which is read a batch or a network at a time, after the query that made it has ended. The file
is removed when its `OrderSet` is collected (or by the case's next opening: the set keeps it
open and can still read it).
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from resolver.case import Case

ROW_GROUP = 100_000  # rows per Parquet row group: a network's orders are read by group
DIMENSIONS = {  # totals are given overall and along each of these order columns, in this order
    "trader": "trader_id",
    "platform": "platform",
    "month": "month",
    "product": "product_title",
}

# Every order of the wanted accounts once (ORDERS_ONCE_SQL), with what a report adds: the
# trader and network of its seller, its month, whether its title names a brand keyword (a
# case-sensitive substring, as the Cypher queries decide it), and whether totals count it.
GATHER_SQL = """
CREATE TEMP TABLE {table} AS
SELECT o.*, a.trader_id, a.network_id, substr(o.paid_at, 1, 7) AS month,
    len(list_filter($keywords::VARCHAR[],
                    lambda k: contains(coalesce(o.product_title, ''), k))) > 0 AS infringing,
    $include_self_purchases OR NOT o.self_purchase AS counted,
    len(o.provenance) AS copies
FROM ({orders}) o JOIN report_accounts a USING (account_id)
"""


class GatheredOrders:
    """The orders of a report in a temporary table of the case's database, while the report
    sums them and decides the order of its networks; `arrange` writes them out, `drop` ends
    the table."""

    def __init__(self, case: Case, table: str) -> None:
        self.case = case
        self.table = table

    def total_fen(self) -> int:
        """The sum of every order's amount, exactly (DuckDB sums BIGINT as a 128-bit integer)."""
        return int(self.case.scalar(f"SELECT coalesce(sum(amount_fen), 0) FROM {self.table}"))

    def totals(self) -> pd.DataFrame:
        """Counted orders, sales and infringing sales per network: overall, then along each of
        `DIMENSIONS` (an empty value where the order has none), sorted by network, dimension and
        value."""
        parts = [("all", "''", 0)] + [
            (dimension, f"coalesce({column}, '')", position)
            for position, (dimension, column) in enumerate(DIMENSIONS.items(), start=1)
        ]
        selects = " UNION ALL ".join(
            f"""SELECT network_id, '{dimension}' AS dimension, {value} AS value, {position} AS p,
                count(*) AS orders, sum(amount_fen)::BIGINT AS amount_fen,
                sum(CASE WHEN infringing THEN amount_fen ELSE 0 END)::BIGINT AS infringing_fen
            FROM {self.table} WHERE counted GROUP BY network_id, {value}"""
            for dimension, value, position in parts
        )
        return self.case.db.execute(
            f"""SELECT network_id, dimension, value, orders, amount_fen, infringing_fen
            FROM ({selects}) ORDER BY network_id, p, value"""
        ).fetchdf()

    def figures(self) -> pd.DataFrame:
        """Per network, beside the totals: self-purchase orders and their sum, orders disclosed
        more than once, orders whose copies disagree."""
        return self.case.db.execute(
            f"""
            SELECT network_id,
                count(*) FILTER (self_purchase) AS self_purchase_orders,
                coalesce(sum(amount_fen) FILTER (self_purchase), 0)::BIGINT AS self_purchase_fen,
                count(*) FILTER (copies > 1) AS orders_disclosed_twice,
                count(*) FILTER (copies_disagree) AS copies_disagree
            FROM {self.table} GROUP BY network_id
            """
        ).fetchdf()

    def arrange(self, rank_of: dict[str, int]) -> OrderSet:
        """Write the orders to their file, sorted by the rank of their network (`rank_of`:
        network id -> rank) then by key, with the rank as a column."""
        path = self.case.spill_folder() / f"{self.table}.parquet"
        quoted = str(path).replace("'", "''")
        ranks = pd.DataFrame({"network_id": list(rank_of), "rank": list(rank_of.values())})
        with self.case.registered(report_ranks=ranks) as db:
            db.execute(
                f"""COPY (SELECT r.rank, o.* FROM {self.table} o JOIN report_ranks r
                        USING (network_id) ORDER BY r.rank, o.key)
                TO '{quoted}' (FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP})"""
            )
        path.chmod(0o600)
        return OrderSet(path)

    def drop(self) -> None:
        self.case.db.execute(f"DROP TABLE IF EXISTS {self.table}")


def gather(
    case: Case, accounts: pd.DataFrame, orders_sql: str, keywords: list[str],
    include_self_purchases: bool,
) -> GatheredOrders:  # fmt: skip
    """The orders `orders_sql` selects (every order once, see `resolver.case.orders`) of
    `accounts` (account_id, trader_id, network_id), gathered for a report."""
    table = f"report_orders_{uuid.uuid4().hex[:12]}"
    frame = accounts[["account_id", "trader_id", "network_id"]]
    with case.registered(report_accounts=frame) as db:
        db.execute(
            GATHER_SQL.format(table=table, orders=orders_sql),
            {"keywords": [k for k in keywords if k],
             "include_self_purchases": include_self_purchases},
        )  # fmt: skip
    return GatheredOrders(case, table)


class OrderSet:
    """A report's orders on disk, sorted by network rank then key; `rank` is its first column.
    The file is read through one handle opened at once, so that it can still be read when the
    case has been closed and opened again (which empties the spill folder)."""

    def __init__(self, path: Path) -> None:
        self._source = pa.OSFile(str(path), "r")
        self._finalizer = weakref.finalize(self, _remove, path, self._source)
        opened = pq.ParquetFile(self._source)
        metadata = opened.metadata
        self._length = metadata.num_rows
        self._spans = [  # (first rank, last rank) of each row group (rank is the first column)
            _span(metadata.row_group(i).column(0).statistics)
            for i in range(metadata.num_row_groups)
        ]
        schema = opened.schema_arrow
        self._schema = schema.remove(schema.get_field_index("rank"))
        self.columns = self._schema.names

    def __len__(self) -> int:
        return self._length

    def batches(self, rows: int, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """The orders in the report's order, `rows` at a time (the last batch fewer)."""
        reader = pq.ParquetFile(self._source)  # a reader of its own: batches may interleave
        batches = reader.iter_batches(batch_size=rows, columns=columns or self.columns)
        pending: list[pa.RecordBatch] = []
        held = 0
        for batch in batches:
            pending.append(batch)
            held += batch.num_rows
            while held >= rows:
                table = pa.Table.from_batches(pending).combine_chunks()
                yield table.slice(0, rows)
                rest = table.slice(rows)
                pending, held = rest.to_batches(), rest.num_rows
        if held:
            yield pa.Table.from_batches(pending).combine_chunks()

    def ranks(self) -> np.ndarray:
        """The network rank of every order, in order."""
        return pq.ParquetFile(self._source).read(columns=["rank"]).column("rank").to_numpy()

    def of_rank(self, rank: int) -> pd.DataFrame:
        """The orders of the network of this rank (only the row groups that may hold it are
        read)."""
        groups = [i for i, (low, high) in enumerate(self._spans) if low <= rank <= high]
        if not groups:
            return self._schema.empty_table().to_pandas()
        table = pq.ParquetFile(self._source).read_row_groups(
            groups, columns=["rank", *self.columns]
        )
        mine = table.filter(pc.equal(table.column("rank"), rank))
        return mine.drop(["rank"]).to_pandas()


def _span(statistics: pq.Statistics | None) -> tuple[float, float]:
    """The ranks a row group holds, by its statistics (without them: any)."""
    if statistics is None or not statistics.has_min_max:
        return (float("-inf"), float("inf"))
    return (statistics.min, statistics.max)


def _remove(path: Path, source: pa.NativeFile) -> None:
    source.close()
    path.unlink(missing_ok=True)
