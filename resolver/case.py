"""A case workspace: one litigation matter's state in a folder readable by its owner only.

`case.duckdb` holds the disclosures, seller records, their identifiers, orders and quarantine.
Later stages (linkage, graph, reports) add their own tables and files beside these.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

DEFAULT_CASE = Path("resolver-case")
DATABASE = "case.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS disclosures (
    disclosure_id VARCHAR PRIMARY KEY,  -- sha256 of the file's bytes
    path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    config_sha256 VARCHAR NOT NULL,
    ingested_at TIMESTAMPTZ NOT NULL,
    source_rows INTEGER NOT NULL,
    sellers INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    quarantined_rows INTEGER NOT NULL,
    quarantined_values INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seller_records (
    record_id VARCHAR PRIMARY KEY,  -- disclosure_id prefix + account_id
    disclosure_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,  -- platform:account_key
    store_name VARCHAR, store_name_norm VARCHAR, store_stem VARCHAR,
    alias VARCHAR, alias_norm VARCHAR,
    registrant_name VARCHAR, registrant_norm VARCHAR, registrant_pinyin VARCHAR,
    registrant_surname VARCHAR, registrant_stem VARCHAR,
    registrant_kind VARCHAR, registrant_kind_raw VARCHAR,
    id_number VARCHAR, id_norm VARCHAR, id_partial VARCHAR, id_kind VARCHAR, id_valid BOOLEAN,
    contact VARCHAR, contact_norm VARCHAR,
    source_file VARCHAR NOT NULL, source_sheet VARCHAR,
    source_row INTEGER NOT NULL  -- the first row that discloses this account
);
CREATE TABLE IF NOT EXISTS seller_identifiers (
    record_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,  -- phone | address | bank_account
    raw VARCHAR NOT NULL,
    norm VARCHAR,  -- E.164 phone, compact address, digits-only account; NULL when masked
    partial VARCHAR,  -- key shared by a value and its masks
    subtype VARCHAR,  -- mobile | landline | masked | invalid (phones)
    province_code VARCHAR, city_code VARCHAR, district_code VARCHAR, street VARCHAR,
    issue VARCHAR,
    source_column VARCHAR, source_row INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    disclosure_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    order_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    product_title VARCHAR,
    unit_price_fen BIGINT, quantity INTEGER, discount_fen BIGINT, amount_fen BIGINT NOT NULL,
    paid_at VARCHAR NOT NULL,  -- YYYY-MM-DDTHH:MM:SS, Asia/Shanghai
    recipient_name VARCHAR, recipient_name_norm VARCHAR, recipient_pinyin VARCHAR,
    recipient_phone VARCHAR, recipient_phone_e164 VARCHAR, recipient_phone_partial VARCHAR,
    recipient_address VARCHAR, recipient_address_norm VARCHAR,
    recipient_province_code VARCHAR, recipient_city_code VARCHAR,
    recipient_district_code VARCHAR, recipient_street VARCHAR,
    source_file VARCHAR NOT NULL, source_sheet VARCHAR, source_row INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
    account_a VARCHAR NOT NULL,  -- platform:key, account_a < account_b
    account_b VARCHAR NOT NULL,
    splink_weight DOUBLE,  -- the Splink model's match weight (bits)
    control_weight DOUBLE NOT NULL,  -- the control evidence's weight (bits)
    control_evidence VARCHAR,  -- JSON: the kinds shared (bank_accounts, self_purchase, ...)
    match_weight DOUBLE NOT NULL,  -- the stronger of the two
    probability DOUBLE NOT NULL,
    comparisons VARCHAR,  -- JSON: [{comparison, level, weight}], the parts of splink_weight
    self_purchase_orders INTEGER NOT NULL,
    PRIMARY KEY (account_a, account_b)
);
CREATE TABLE IF NOT EXISTS self_purchase_orders (
    platform VARCHAR NOT NULL, order_id VARCHAR NOT NULL,
    seller VARCHAR NOT NULL,  -- the account that sold it
    registrant VARCHAR NOT NULL,  -- the account whose registrant received it
    evidence VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS hubs (
    kind VARCHAR NOT NULL, value VARCHAR NOT NULL, accounts INTEGER, registrants INTEGER
);
CREATE TABLE IF NOT EXISTS traders (
    trader_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    retired_into VARCHAR,  -- set when merged into an older trader
    retired_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS trader_accounts (
    account_id VARCHAR PRIMARY KEY,
    trader_id VARCHAR NOT NULL,
    probability DOUBLE NOT NULL  -- of belonging: the account's strongest kept link
);
CREATE TABLE IF NOT EXISTS trader_events (
    happened_at TIMESTAMPTZ NOT NULL,
    event VARCHAR NOT NULL,  -- created | merged | split
    trader_id VARCHAR NOT NULL,
    other_trader_id VARCHAR  -- merged: the id kept; split: the id it split from
);
CREATE TABLE IF NOT EXISTS quarantine (
    disclosure_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,  -- sellers | orders
    level VARCHAR NOT NULL,  -- row: the row was set aside; value: only this value was
    source_sheet VARCHAR, source_row INTEGER, source_column VARCHAR,
    reason VARCHAR NOT NULL,
    raw_value VARCHAR,
    raw_row VARCHAR  -- the whole source row as JSON, so nothing is lost
);
"""


def private_folder(path: Path) -> Path:
    """Create (or tighten) a folder that only its owner can enter: it holds personal data."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


class Case:
    """The state of one matter. Open it with `Case.open(folder)`; close it when done."""

    def __init__(self, folder: Path, connection: duckdb.DuckDBPyConnection) -> None:
        self.folder = folder
        self.db = connection
        self._depth = 0

    @classmethod
    def open(cls, folder: Path | str = DEFAULT_CASE) -> Case:
        folder = private_folder(Path(folder))
        old_umask = os.umask(0o077)  # the database and its WAL are created owner-only
        try:
            connection = duckdb.connect(str(folder / DATABASE))
            connection.execute(SCHEMA)
        finally:
            os.umask(old_umask)
        (folder / DATABASE).chmod(0o600)
        return cls(folder, connection)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: a failure midway leaves the case as it was. Nested uses join the
        outer transaction (`resolver match` ingests and links in one)."""
        if self._depth:
            self._depth += 1
            try:
                yield self.db
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
        self.db.execute("COMMIT")

    def status(self) -> dict:
        """What the case holds: counts per table and per disclosure."""
        counts = {
            table: self.scalar(f"SELECT count(*) FROM {table}")
            for table in ("disclosures", "seller_records", "orders")
        }
        counts["accounts"] = self.scalar("SELECT count(DISTINCT account_id) FROM seller_records")
        counts["distinct_orders"] = self.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT platform, order_id FROM orders)"
        )
        counts["quarantined_rows"], counts["quarantined_values"] = self.db.execute(
            "SELECT count(*) FILTER (level = 'row'), count(*) FILTER (level = 'value') "
            "FROM (SELECT DISTINCT disclosure_id, table_name, level, source_sheet, source_row "
            "FROM quarantine)"
        ).fetchall()[0]
        counts["traders"] = self.scalar("SELECT count(DISTINCT trader_id) FROM trader_accounts")
        disclosures = self.db.execute(
            "SELECT file_name, platform, source_rows, sellers, orders, quarantined_rows, "
            "quarantined_values, ingested_at FROM disclosures ORDER BY ingested_at, file_name"
        ).fetchdf()
        return {"folder": str(self.folder), "counts": counts, "disclosures": disclosures}

    def scalar(self, sql: str, parameters: list | None = None):
        """The single value a query returns (the result is read to its end, as DuckDB asks
        before the connection does other work)."""
        rows = self.db.execute(sql, parameters or []).fetchall()
        return rows[0][0] if rows else None

    def quarantine(self) -> pd.DataFrame:
        """Every quarantine entry, in file and row order."""
        return self.db.execute(
            "SELECT source_file, source_sheet, source_row, source_column, table_name, level, "
            "reason, raw_value, raw_row FROM quarantine "
            "ORDER BY source_file, source_sheet NULLS FIRST, source_row, source_column"
        ).fetchdf()
