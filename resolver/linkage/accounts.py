"""One record per seller account, gathered from every disclosure that names it.

An account (`platform:key`) disclosed twice is one record: its phones, bank accounts, addresses
and names are the union of what each disclosure says. Hub values (see `evidence.hub_values`)
are left out here, so no comparison and no blocking rule can use them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# Identifier values per account, as (kind, value) rows: the input of hub detection and the
# lists of the account records. Exact values and partial keys are kinds of their own.
IDENTIFIER_VALUES_SQL = """
CREATE OR REPLACE TEMP TABLE account_values AS
SELECT DISTINCT r.account_id, v.kind, v.value, r.registrant_norm
FROM seller_records r
JOIN (
    SELECT record_id, 'phones' AS kind, norm AS value FROM seller_identifiers
        WHERE kind = 'phone' AND norm IS NOT NULL
    UNION ALL SELECT record_id, 'phone_keys', partial FROM seller_identifiers
        WHERE kind = 'phone' AND partial IS NOT NULL
    UNION ALL SELECT record_id, 'bank_accounts', norm FROM seller_identifiers
        WHERE kind = 'bank_account' AND norm IS NOT NULL
    UNION ALL SELECT record_id, 'bank_keys', partial FROM seller_identifiers
        WHERE kind = 'bank_account' AND partial IS NOT NULL
    UNION ALL SELECT record_id, 'addresses', district_code || '|' || street FROM seller_identifiers
        WHERE kind = 'address' AND district_code IS NOT NULL AND street <> ''
    UNION ALL SELECT record_id, 'districts', district_code FROM seller_identifiers
        WHERE kind = 'address' AND district_code IS NOT NULL
    UNION ALL SELECT record_id, 'store_stems', store_stem FROM seller_records
        WHERE store_stem <> ''
    UNION ALL SELECT record_id, 'store_stems', registrant_stem FROM seller_records
        WHERE registrant_stem <> ''
) v USING (record_id)
"""

LISTED = ("phones", "phone_keys", "bank_accounts", "bank_keys", "addresses", "districts",
          "store_stems")  # fmt: skip
# Districts are meant to be shared (a weak level); every other kind is checked for hubs.
HUB_CHECKED = ("phones", "phone_keys", "bank_accounts", "bank_keys", "addresses", "store_stems")


def collect_values(db: duckdb.DuckDBPyConnection) -> None:
    db.execute(IDENTIFIER_VALUES_SQL)


def hub_values(db: duckdb.DuckDBPyConnection, max_registrants: int) -> pd.DataFrame:
    """(kind, value, accounts, registrants) of values held by too many different registrants:
    an agency's phone, a market building's address, a common store stem."""
    kinds = ", ".join(f"'{k}'" for k in HUB_CHECKED)
    return db.execute(
        f"""
        SELECT kind, value, count(DISTINCT account_id) AS accounts,
               count(DISTINCT registrant_norm) AS registrants
        FROM account_values WHERE kind IN ({kinds})
        GROUP BY kind, value HAVING count(DISTINCT registrant_norm) > ?
        ORDER BY registrants DESC
        """,
        [max_registrants],
    ).fetchdf()


def build_accounts(db: duckdb.DuckDBPyConnection, hubs: pd.DataFrame) -> pd.DataFrame:
    """The records Splink compares: scalars by their most frequent value, lists without hubs."""
    db.register("hub_values_in", hubs[["kind", "value"]])
    lists = ",\n".join(
        f"list(DISTINCT value ORDER BY value) FILTER (kind = '{kind}') AS {kind}" for kind in LISTED
    )
    frame = db.execute(
        f"""
        WITH kept AS (
            SELECT * FROM account_values v
            WHERE NOT EXISTS (SELECT 1 FROM hub_values_in h
                              WHERE h.kind = v.kind AND h.value = v.value)
        ),
        listed AS (SELECT account_id, {lists} FROM kept GROUP BY account_id),
        scalars AS (
            SELECT account_id,
                any_value(platform) AS platform,
                mode(nullif(registrant_norm, '')) AS registrant_name,
                mode(nullif(registrant_pinyin, '')) AS registrant_pinyin,
                mode(nullif(registrant_surname, '')) AS registrant_surname,
                mode(id_norm) AS id_number,
                mode(id_partial) AS id_partial,
                min(source_file) AS first_file
            FROM seller_records GROUP BY account_id
        )
        SELECT s.account_id AS unique_id, s.* EXCLUDE (account_id, first_file),
            coalesce(l.phones, []) AS phones, coalesce(l.phone_keys, []) AS phone_keys,
            coalesce(l.bank_accounts, []) AS bank_accounts,
            coalesce(l.bank_keys, []) AS bank_keys,
            coalesce(l.addresses, []) AS addresses, coalesce(l.districts, []) AS districts,
            l.districts[1] AS district,
            coalesce(l.store_stems, []) AS store_stems
        FROM scalars s LEFT JOIN listed l USING (account_id)
        ORDER BY s.account_id
        """
    ).fetchdf()
    db.unregister("hub_values_in")
    return frame
