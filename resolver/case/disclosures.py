"""Disclosure files in the case: what each one held, and what was set aside at ingest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from resolver.case import Case


@dataclass(frozen=True)
class Disclosure:
    """One file as ingested: its sha256 is its id."""

    disclosure_id: str
    path: str
    file_name: str
    platform: str
    config_sha256: str  # of the platform mapping used
    source_rows: int


class Disclosures:
    def __init__(self, case: Case) -> None:
        self.case = case

    def platforms(self) -> dict[str, str]:
        """sha256 -> platform of every disclosure ingested."""
        return dict(
            self.case.db.execute("SELECT disclosure_id, platform FROM disclosures").fetchall()
        )

    def add(
        self,
        disclosure: Disclosure,
        sellers: pd.DataFrame,
        parties: pd.DataFrame,
        identifiers: pd.DataFrame,
        orders: pd.DataFrame,
        quarantine: pd.DataFrame,
    ) -> tuple[int, int]:
        """Store one mapped file (frames in the canonical model, `account_key` on each row);
        returns (rows set aside, values set aside)."""
        db, prefix, platform = self.case.db, disclosure.disclosure_id[:16], disclosure.platform
        constants = {
            "disclosure_id": disclosure.disclosure_id,
            "platform": platform,
            "source_file": disclosure.file_name,
        }
        sellers = sellers.assign(**constants)
        sellers["account_id"] = platform + ":" + sellers["account_key"]
        sellers["record_id"] = prefix + ":" + sellers["account_id"]
        identifiers, parties = (
            frame.assign(record_id=prefix + ":" + platform + ":" + frame["account_key"]).drop(
                columns="account_key"
            )
            for frame in (identifiers, parties)
        )
        orders = orders.assign(**constants)
        orders["account_id"] = platform + ":" + orders["account_key"]
        quarantine = quarantine.assign(
            disclosure_id=disclosure.disclosure_id, source_file=disclosure.file_name
        )
        for table, frame in (
            ("seller_records", sellers),
            ("seller_parties", parties),
            ("seller_identifiers", identifiers),
            ("orders", orders),
            ("quarantine", quarantine),
        ):
            if len(frame):  # as Arrow: DuckDB scans it without touching each Python object
                with self.case.registered(
                    incoming=pa.Table.from_pandas(frame, preserve_index=False)
                ):
                    db.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
        counts = quarantine_counts(quarantine)
        db.execute(
            "INSERT INTO disclosures VALUES (?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?)",
            [
                disclosure.disclosure_id,
                disclosure.path,
                disclosure.file_name,
                platform,
                disclosure.config_sha256,
                disclosure.source_rows,
                len(sellers),
                len(orders),
                *counts,
            ],
        )
        return counts

    def listing(self) -> pd.DataFrame:
        """One row per disclosure, in the order they were ingested."""
        return self.case.db.execute(
            "SELECT file_name, platform, source_rows, sellers, orders, quarantined_rows, "
            "quarantined_values, ingested_at FROM disclosures ORDER BY ingested_at, file_name"
        ).fetchdf()

    def sources(self) -> pd.DataFrame:
        """Every disclosure with its sha256 and counts, for a report's list of sources."""
        return self.case.db.execute(
            "SELECT file_name, disclosure_id AS sha256, platform, path, ingested_at::VARCHAR "
            "AS ingested_at, source_rows, orders, quarantined_rows, quarantined_values "
            "FROM disclosures ORDER BY file_name, disclosure_id"
        ).fetchdf()

    def counts(self) -> dict[str, int]:
        db = self.case.db
        counts = {
            table: self.case.scalar(f"SELECT count(*) FROM {table}")
            for table in ("disclosures", "seller_records", "orders")
        }
        counts["accounts"] = self.case.scalar(
            "SELECT count(DISTINCT account_id) FROM seller_records"
        )
        counts["distinct_orders"] = self.case.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT platform, order_id FROM orders)"
        )
        counts["quarantined_rows"], counts["quarantined_values"] = db.execute(
            "SELECT count(*) FILTER (level = 'row'), count(*) FILTER (level = 'value') "
            "FROM (SELECT DISTINCT disclosure_id, table_name, level, source_sheet, source_row "
            "FROM quarantine)"
        ).fetchall()[0]
        return counts

    def accounts_of(self, disclosure_ids: list[str]) -> set[str]:
        """The accounts these disclosures name."""
        if not disclosure_ids:
            return set()
        marks = ", ".join("?" for _ in disclosure_ids)
        rows = self.case.db.execute(
            f"SELECT DISTINCT account_id FROM seller_records WHERE disclosure_id IN ({marks})",
            disclosure_ids,
        ).fetchall()
        return {row[0] for row in rows}

    def quarantine(self) -> pd.DataFrame:
        """Every quarantine entry, in file and row order."""
        return self.case.db.execute(
            "SELECT source_file, source_sheet, source_row, source_column, table_name, level, "
            "reason, raw_value, raw_row FROM quarantine "
            "ORDER BY source_file, source_sheet NULLS FIRST, source_row, source_column"
        ).fetchdf()

    def quarantine_with_platform(self) -> pd.DataFrame:
        """Every quarantine entry with the platform of its file (a raw row names accounts by
        their key on that platform)."""
        return self.case.db.execute(
            """
            SELECT d.platform, q.source_file, q.source_sheet, q.source_row, q.source_column,
                q.level, q.reason, q.raw_value, q.raw_row
            FROM quarantine q JOIN disclosures d USING (disclosure_id)
            ORDER BY q.source_file, q.source_sheet, q.source_row
            """
        ).fetchdf()


def quarantine_counts(quarantine: pd.DataFrame) -> tuple[int, int]:
    """(rows set aside, values set aside): a row failing on two columns counts once."""
    rows = quarantine[quarantine["level"] == "row"]
    distinct = rows.drop_duplicates(["table_name", "source_sheet", "source_row"])
    return len(distinct), int((quarantine["level"] == "value").sum())
