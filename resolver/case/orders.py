"""Orders: each counted once, and what their recipients say about the sellers.

An order disclosed in two files is stored twice (each copy keeps its provenance). Counted once,
it is one row: the values of its first copy (by file name, then row), the provenance of every
copy, and whether the copies disagree (account, amount or payment time), which a report shows.
This is the one definition of a sale that the graph, the queries and the reports share.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from resolver.case.order_sets import GatheredOrders, gather
from resolver.case.wanted import id_table
from resolver.vocabulary import COURTESY_TITLES

if TYPE_CHECKING:
    from resolver.case import Case

ORDERS_ONCE_SQL = """
WITH copies AS (
    SELECT platform, order_id,
        arg_min(rowid, (source_file, source_row)) AS first_copy,
        list(source_file || '!' || coalesce(source_sheet, '') || '!' || source_row
             ORDER BY source_file, source_row) AS provenance{copies}
    FROM orders WHERE {where}
    GROUP BY platform, order_id
)
SELECT f.platform || ':' || f.order_id AS key, f.platform, f.order_id, f.account_id,
    f.product_title, f.amount_fen, f.quantity, f.unit_price_fen, f.paid_at,
    f.recipient_name, f.recipient_phone, f.recipient_address,
    EXISTS (SELECT 1 FROM self_purchases s
            WHERE s.platform = f.platform AND s.order_id = f.order_id) AS self_purchase,
    c.* EXCLUDE (platform, order_id, first_copy)
FROM copies c JOIN orders f ON f.rowid = c.first_copy
"""
COPIES_SQL = """,
        list(DISTINCT disclosure_id ORDER BY disclosure_id) AS disclosure_ids,
        count(DISTINCT account_id) > 1 OR count(DISTINCT amount_fen) > 1
            OR count(DISTINCT paid_at) > 1 AS copies_disagree"""

# Orders shipped to an account's people (another account's, or the seller's own): to a phone (or
# payment account) it is registered with (strong), or to one of its people by name at one of its
# addresses, or at a phone whose key fits with one side masked (a name: weak; a masked name,
# `王*`, fits a name of as many characters that shows the same ones, a surname with a courtesy
# title, `王先生`, `欧阳女士`, a name of one or two characters more, and both count as common).
# Hubs make no tie. Two kinds of order make none, and are found only to be counted when both
# accounts are one trader's (`tie` NULL): to a phone it lists that unrelated stores list too (a
# weak hub: a trader's phone his fronts give beside their own, or an agency's), and to one of
# its people by name at its address when unrelated stores give that address too (a warehouse).
# How an order was found shipped to an account's people, as `self_purchase_orders.evidence`
# stores it; each language says it (`purchase_<way>` in resolver/defaults/locale).
PURCHASE_WAYS = (
    "registered_phone",  # to a phone it is registered with
    "name_at_masked_phone",  # to one of its people by name, at a masked phone that fits
    "name_at_landline",
    "name_at_address",
    "masked_name_at_masked_phone",  # the recipient's masked name (`欧*锋`) fits one of its people
    "masked_name_at_landline",
    "masked_name_at_address",
    "titled_name_at_masked_phone",  # the recipient's surname with a courtesy title (`欧阳先生`)
    "titled_name_at_landline",
    "titled_name_at_address",
    "lent_phone",  # to a phone it lists that unrelated stores list too (no tie)
    "name_at_shared_address",  # to one of its people, at its address that is a hub (no tie)
    "masked_fit",  # to a masked phone that fits a phone of its trader's (no tie)
)

# An order to a masked phone (`139****0001`) whose key fits a phone an account of the seller's
# own trader lists in full (one side masked) is his self-purchase too, and ties nothing: a key
# fits about one phone in seven at 20,000 traders, so these are found within each trader once
# the traders are named, not between every pair of accounts (which grows as the square).
MASKED_WITHIN_TRADERS_SQL = """
INSERT INTO self_purchase_orders (platform, order_id, seller, registrant, strong, evidence)
WITH keys AS (  -- keys of the phones each account lists in full, by trader
    SELECT t.trader_id, k.account_id, k.value AS phone_key
    FROM kept_values k JOIN trader_accounts t USING (account_id)
    WHERE k.kind = 'phone_keys' AND NOT EXISTS (
        SELECT 1 FROM kept_values m WHERE m.account_id = k.account_id
        AND m.kind = 'masked_phone_keys' AND m.value = k.value)
)
SELECT DISTINCT o.platform, o.order_id, o.seller, k.account_id, false, 'masked_fit'
FROM order_recipients o
JOIN trader_accounts s ON s.account_id = o.seller
JOIN keys k ON k.trader_id = s.trader_id AND k.phone_key = o.phone_key
WHERE o.phone_masked
"""

# A surname (one or two characters) and a courtesy title: `$titled` of the SQL below
TITLED_NAME = rf"^[^*]{{1,2}}(?:{'|'.join(COURTESY_TITLES)})$"
SELF_PURCHASE_CANDIDATES_SQL = """
-- a name orders reach at five or more different phones is several people's
WITH common_names AS (
    SELECT name FROM order_recipients WHERE name <> ''
    GROUP BY name HAVING count(DISTINCT coalesce(phone, phone_key)) >= 5
),
recipients AS (
    SELECT DISTINCT platform, order_id, seller, name, pinyin, phone, phone_key, phone_masked,
        address,
        -- a name that shows a person's only in part: masked (`欧*锋`), or a surname and a
        -- courtesy title (`欧阳先生`: its given name one or two characters); `fits`: the names
        -- it may be, as a LIKE pattern no longer than it
        CASE WHEN contains(name, '*') THEN 'masked'
             WHEN regexp_matches(name, $titled) THEN 'titled' END AS partly,
        CASE partly WHEN 'masked' THEN replace(name, '*', '_')
                    WHEN 'titled' THEN left(name, length(name) - 2) || '_%' END AS fits
    FROM order_recipients
    -- only an order to a place some seller gives can reach an account's people (at 20,000
    -- hard demo traders 0.49 M of 1.22 M orders): the others are not made distinct
    WHERE phone IN (SELECT value FROM account_values WHERE kind IN ('phones', 'landlines'))
       OR phone_key IN (SELECT value FROM account_values
                        WHERE kind IN ('phone_keys', 'masked_phone_keys'))
       OR address IN (SELECT value FROM account_values WHERE kind = 'addresses')
),
o AS (
    SELECT *, name IN (SELECT name FROM common_names) OR partly IS NOT NULL AS common_name
    FROM recipients
),
people AS (
    SELECT account_id, kind, value FROM kept_values WHERE kind IN ('names', 'name_pinyins')
),
-- the place first (selective), then whether the recipient is one of its people by name
at_place AS (
    SELECT o.*, k.account_id AS registrant, 'self_purchase_phone' AS tie,
        'masked_phone' AS evidence
    FROM o JOIN kept_values k ON k.value = o.phone_key
    WHERE (o.phone_masked AND k.kind = 'phone_keys') OR k.kind = 'masked_phone_keys'
    UNION ALL
    SELECT o.*, k.account_id, 'self_purchase_home', 'landline'
    FROM o JOIN kept_values k ON k.kind = 'landlines' AND k.value = o.phone
    UNION ALL
    SELECT o.*, k.account_id, 'self_purchase_home', 'address'
    FROM o JOIN kept_values k ON k.kind = 'addresses' AND k.value = o.address
),
-- how many accounts list a phone orders went to, in full or masked so that its key fits
reached AS (SELECT DISTINCT phone, phone_key FROM o WHERE NOT phone_masked),
holders AS (  -- equi-joins, one per form
    SELECT phone, count(DISTINCT account_id) AS holders FROM (
        SELECT r.phone, k.account_id FROM reached r
        JOIN kept_values k ON k.kind = 'phones' AND k.value = r.phone
        UNION ALL
        SELECT r.phone, k.account_id FROM reached r
        JOIN kept_values k ON k.kind = 'masked_phone_keys' AND k.value = r.phone_key
    ) GROUP BY phone
),
matches AS (
    SELECT o.seller, k.account_id AS registrant, o.platform, o.order_id, o.common_name,
        'self_purchase' AS tie, 'registered_phone' AS evidence,
        k.value AS phone_reached, h.holders AS phone_holders
    FROM o JOIN kept_values k ON k.kind = 'phones' AND k.value = o.phone
    JOIN holders h ON h.phone = o.phone
    UNION ALL
    -- a name that only sounds the same (吴荣, 武荣: wurong) is as weak as a common one
    SELECT seller, registrant, platform, order_id, common_name OR NOT in_characters, tie,
        'name_at_' || evidence, NULL, NULL
    FROM (
        SELECT a.*,
            EXISTS (SELECT 1 FROM people p WHERE p.account_id = a.registrant
                    AND p.kind = 'names' AND p.value = a.name) AS in_characters,
            EXISTS (SELECT 1 FROM people p WHERE p.account_id = a.registrant
                    AND p.kind = 'name_pinyins' AND p.value = a.pinyin) AS in_sound
        FROM at_place a
    )
    WHERE in_characters OR in_sound
    UNION ALL
    SELECT a.seller, a.registrant, a.platform, a.order_id, a.common_name, a.tie,
        a.partly || '_name_at_' || a.evidence, NULL, NULL
    FROM at_place a
    WHERE a.partly IS NOT NULL
      AND EXISTS (SELECT 1 FROM people p WHERE p.account_id = a.registrant AND p.kind = 'names'
                  AND p.value LIKE a.fits AND length(p.value) <= length(a.name))
    UNION ALL  -- no tie: counted only within one trader (see above)
    SELECT o.seller, k.account_id, o.platform, o.order_id, o.common_name, NULL, 'lent_phone',
        k.value, NULL
    FROM o JOIN kept_values k ON k.kind = 'lent_phones' AND k.value = o.phone
    UNION ALL
    SELECT o.seller, v.account_id, o.platform, o.order_id, o.common_name, NULL,
        'name_at_shared_address', NULL, NULL
    FROM o JOIN hubs h ON h.kind = 'addresses' AND h.value = o.address  -- joins: 0.4 s less
    JOIN value_sources v ON v.kind = 'addresses' AND v.value = o.address  -- than EXISTS
    JOIN people p ON p.account_id = v.account_id AND p.kind = 'names' AND p.value = o.name
),
-- an order to a name at a place where it reaches the people of two accounts that share no ID
-- number, phone, bank or payment account (relatives at one home, one name) says not whose it is
by_name AS (
    SELECT DISTINCT platform, order_id, registrant FROM matches
    WHERE evidence IN ('name_at_address', 'name_at_landline', 'name_at_masked_phone')
      AND registrant <> seller
),
owned AS (
    SELECT account_id, kind, value FROM kept_values
    WHERE kind IN ('id_numbers', 'phones', 'bank_accounts', 'payment_accounts')
),
ambiguous AS (
    SELECT DISTINCT x.platform, x.order_id FROM by_name x JOIN by_name y
        ON x.platform = y.platform AND x.order_id = y.order_id AND x.registrant < y.registrant
    WHERE NOT EXISTS (SELECT 1 FROM owned a JOIN owned b USING (kind, value)
                      WHERE a.account_id = x.registrant AND b.account_id = y.registrant)
)
SELECT DISTINCT m.seller, m.registrant, m.platform, m.order_id, m.tie,
    coalesce(m.tie = 'self_purchase', false) AS strong,
    coalesce(m.common_name, false) OR (m.platform, m.order_id) IN (SELECT (platform, order_id)
                                                                    FROM ambiguous)
        AS common_name,
    m.evidence, m.phone_reached, m.phone_holders
FROM matches m
ORDER BY m.platform, m.order_id, m.seller, m.registrant, m.evidence
"""


# Arrow's integers and booleans as pandas' nullable ones: every batch has the types of the others
# (a column with a missing value stays integer, not float)
NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int32Dtype(), pa.bool_(): pd.BooleanDtype()}


@dataclass
class OrderBatches:
    """Every order once, a batch at a time (see `Orders.in_batches`)."""

    count: int
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]

    def frames(self) -> Iterator[pd.DataFrame]:
        """The batches as pandas frames, their integers and booleans nullable."""
        for batch in self.batches:
            yield batch.to_pandas(types_mapper=NULLABLE.get)

    def no_rows(self) -> pd.DataFrame:
        """A frame of the batches' columns and types, without rows."""
        return self.schema.empty_table().to_pandas(types_mapper=NULLABLE.get)


# Orders gathered and sorted at a time by a graph's first load: DuckDB cannot spill what it
# gathers of an order (its copies' provenance), and held to 1 GB it gathered 3.65 M orders (the
# hard demo of 60,000 traders) but not 10.2 M (200,000: it failed after 23 s, and again without
# a limit it took 6.2 GB).
PART_ORDERS = 2_500_000


class Orders:
    def __init__(self, case: Case) -> None:
        self.case = case

    def once(self, of_accounts: pd.Series | None = None, copies: bool = True) -> pd.DataFrame:
        """One row per (platform, order_id): every order, or those sold by `of_accounts`; see
        the module's docstring. `copies=False`: without which disclosures hold a copy and
        whether the copies disagree (the graph keeps neither; counting them is what DuckDB
        cannot spill: at 60,000 traders the read fits 1 GB without them, not with them)."""
        frames: dict = {}
        where = "true"
        if of_accounts is not None:
            frames["wanted_accounts"] = id_table(of_accounts)
            where = "account_id IN (SELECT account_id FROM wanted_accounts)"
        with self.case.registered(**frames) as db:
            # Through Arrow: for a million orders, a third of the time and half the memory.
            sql = ORDERS_ONCE_SQL.format(where=where, copies=COPIES_SQL if copies else "")
            return db.sql(sql + " ORDER BY key").to_arrow_table().to_pandas()

    @contextmanager
    def in_batches(
        self, owners: pd.DataFrame, rows: int, memory: str, of_disclosures: list[str] | None = None
    ) -> Iterator[OrderBatches]:
        """Every order once (as `once(copies=False)`), or every copy-group with a copy in
        `of_disclosures` (what a load after a match adds), with its seller's trader_id and
        network_id from `owners`, `rows` at a time, inside the block: a graph's load reads
        millions of orders without holding them. DuckDB gathers and sorts them a part at a time
        (by a hash of the order; by key within a part), held to `memory` (see
        `Case.streamed_within`); the case takes no other query until the block ends."""
        frames = {"order_owners": owners[["account_id", "trader_id", "network_id"]]}
        where = "true"
        if of_disclosures is not None:
            frames["wanted_disclosures"] = id_table(of_disclosures, "disclosure_id")
            where = (
                "(platform, order_id) IN (SELECT platform, order_id FROM orders "
                "WHERE disclosure_id IN (SELECT disclosure_id FROM wanted_disclosures))"
            )
        with self.case.registered(**frames):
            count = int(
                self.case.scalar(
                    f"SELECT count(*) FROM (SELECT DISTINCT platform, order_id FROM orders "
                    f"WHERE {where})"
                )
            )
            parts = max(1, -(-count // PART_ORDERS))
            schema = self.case.db.sql(_owned_orders("false")).to_arrow_table().schema
            batches = self._parts(where, parts, rows, memory)
            try:
                yield OrderBatches(count, schema, batches)
            finally:
                batches.close()  # a part left half read ends its query first

    def _parts(
        self, where: str, parts: int, rows: int, memory: str
    ) -> Generator[pa.RecordBatch, None, None]:
        for part in range(parts):
            within = f"({where}) AND hash(platform, order_id) % {parts} = {part}"
            with self.case.streamed_within(memory, _owned_orders(within), rows) as reader:
                yield from reader

    def gather(
        self, accounts: pd.DataFrame, keywords: list[str], include_self_purchases: bool
    ) -> GatheredOrders:
        """Every order of `accounts` (account_id, trader_id, network_id) once, with its copies,
        gathered for a report (see `resolver.case.order_sets`)."""
        where = "account_id IN (SELECT account_id FROM report_accounts)"
        orders = ORDERS_ONCE_SQL.format(where=where, copies=COPIES_SQL)
        return gather(self.case, accounts, orders, keywords, include_self_purchases)

    def self_purchase_candidates(self) -> pd.DataFrame:
        """(seller, registrant, platform, order_id, tie, strong, common_name, evidence,
        phone_reached, phone_holders), one row per way (`evidence`: of PURCHASE_WAYS) an order
        was found shipped to an account's people: another account's (a tie between the two;
        `tie` is its kind, `self_purchase` when strong, and then `phone_reached` is the
        registered phone it went to and `phone_holders` how many accounts list it, in full or
        masked), or the seller's own (registrant = seller: an order the store shipped to
        itself). `tie` is NULL for an order that ties no two accounts and counts only within
        one trader (to a phone or address that unrelated stores give too). `common_name`: the
        name says little of whose the order is (common, shown in part, only the same in
        sound, or carried at that place by the people of two accounts not otherwise tied)."""
        return self.case.db.execute(SELF_PURCHASE_CANDIDATES_SQL, {"titled": TITLED_NAME}).fetchdf()

    def recipient_names(self) -> pd.DataFrame:
        """(kind, value, names): for each phone, landline or address a seller is registered
        with, how many different names orders were shipped to there under."""
        return self.case.db.execute(
            """
            WITH registered AS (
                SELECT DISTINCT kind, value FROM account_values
                WHERE kind IN ('phones', 'landlines', 'addresses')
            ),
            reached AS (  -- equi-joins, one per kind of place
                SELECT r.kind, r.value, o.name FROM registered r
                JOIN order_recipients o ON r.kind <> 'addresses' AND o.phone = r.value
                UNION ALL
                SELECT r.kind, r.value, o.name FROM registered r
                JOIN order_recipients o ON r.kind = 'addresses' AND o.address = r.value
            )
            SELECT kind, value, count(DISTINCT name) AS names FROM reached
            WHERE name <> '' GROUP BY ALL
            """
        ).fetchdf()

    def replace_self_purchases(self, rows: pd.DataFrame) -> None:
        columns = ["platform", "order_id", "seller", "registrant", "strong", "evidence"]
        with self.case.registered(purchase_rows=rows[columns]) as db:
            db.execute("DELETE FROM self_purchase_orders")
            db.execute("INSERT INTO self_purchase_orders BY NAME SELECT * FROM purchase_rows")

    def find_masked_within_traders(self) -> None:
        """Add the orders to a masked phone that fits a phone of the seller's own trader (see
        `MASKED_WITHIN_TRADERS_SQL`), as the traders are now: made again whenever they are."""
        db = self.case.db
        db.execute("DELETE FROM self_purchase_orders WHERE evidence = 'masked_fit'")
        db.execute(MASKED_WITHIN_TRADERS_SQL)

    def self_purchase_count(self) -> int:
        """Orders (counted once) that a trader shipped to its own accounts (the one that sold
        it included)."""
        return int(
            self.case.scalar("SELECT count(DISTINCT (platform, order_id)) FROM self_purchases")
        )

    def self_purchase_keys(self) -> set[str]:
        """The orders (platform:order_id) that a trader shipped to its own accounts, as the
        traders are now."""
        rows = self.case.db.execute(
            "SELECT DISTINCT platform || ':' || order_id FROM self_purchases"
        ).fetchall()
        return {key for (key,) in rows}

    def self_purchases_of(self, accounts: pd.DataFrame) -> pd.DataFrame:
        """Self-purchase orders sold by `accounts` (account_id, network_id): who received
        them and how we know (`ways`: of PURCHASE_WAYS)."""
        with self.case.registered(wanted_accounts=accounts[["account_id", "network_id"]]) as db:
            return db.execute(
                """
                SELECT a.network_id, s.platform || ':' || s.order_id AS key, s.seller,
                    list(DISTINCT s.registrant ORDER BY s.registrant) AS shipped_to_registrant_of,
                    list(DISTINCT s.evidence ORDER BY s.evidence) AS ways
                FROM self_purchases s JOIN wanted_accounts a ON a.account_id = s.seller
                GROUP BY ALL ORDER BY key
                """
            ).fetchdf()

    def ships_to(self, of_disclosures: list[str] | None) -> dict[str, pd.DataFrame]:
        """Orders shipped to an identifier some account is registered with, by graph label:
        (order key, identifier key). A semi-join: a value many accounts hold (a cloud
        warehouse's address) does not multiply the orders shipped to it. `of_disclosures`: only
        what these disclosures brought: their orders, and the orders of any disclosure shipped
        to a value they are the first to register a store with (a phone an earlier order went
        to becomes an identifier then; a value an earlier disclosure registered had its orders
        then)."""
        frames: dict = {}
        where = ""
        if of_disclosures is not None:
            frames["wanted_disclosures"] = id_table(of_disclosures, "disclosure_id")
            where = """AND (o.disclosure_id IN (SELECT disclosure_id FROM wanted_disclosures)
                OR {column} IN (
                    SELECT value FROM value_sources WHERE kind IN ({kinds})
                    GROUP BY value
                    HAVING bool_and(disclosure_id IN (SELECT disclosure_id
                                                      FROM wanted_disclosures))))"""
        found = {}
        with self.case.registered(**frames) as db:
            for label, kinds, column in (
                ("Phone", "'phones', 'landlines'", "o.phone"),
                ("Address", "'addresses'", "o.address"),
            ):
                found[label] = db.execute(
                    f"""
                    SELECT DISTINCT o.platform || ':' || o.order_id AS "order", {column} AS key
                    FROM order_recipients o
                    WHERE {column} IN (SELECT value FROM account_values WHERE kind IN ({kinds}))
                    {where.format(column=column, kinds=kinds)} ORDER BY 1, 2
                    """
                ).fetchdf()
        return found

    def rows_used(self, accounts: pd.DataFrame) -> pd.DataFrame:
        """Per network and disclosure: the seller rows and order rows that `accounts`
        (account_id, network_id) rest on."""
        with self.case.registered(wanted_accounts=accounts[["account_id", "network_id"]]) as db:
            return db.execute(
                """
                WITH used AS (
                    SELECT a.network_id, r.disclosure_id, 'seller' AS what, r.source_row
                    FROM seller_records r JOIN wanted_accounts a USING (account_id)
                    UNION ALL
                    SELECT a.network_id, o.disclosure_id, 'order', o.source_row
                    FROM orders o JOIN wanted_accounts a USING (account_id)
                )
                SELECT u.network_id, d.file_name, u.disclosure_id AS sha256,
                    count(*) FILTER (what = 'seller') AS seller_rows,
                    count(*) FILTER (what = 'order') AS order_rows,
                    min(u.source_row) AS first_row, max(u.source_row) AS last_row
                FROM used u JOIN disclosures d USING (disclosure_id)
                GROUP BY ALL ORDER BY u.network_id, d.file_name
                """
            ).fetchdf()


def _owned_orders(where: str) -> str:
    """The orders `where` selects, once, with their sellers' `order_owners`, sorted by key."""
    return (
        f"SELECT o.*, w.trader_id, w.network_id "
        f"FROM ({ORDERS_ONCE_SQL.format(where=where, copies='')}) o "
        f"LEFT JOIN order_owners w USING (account_id) ORDER BY o.key"
    )
