"""Seller records and their identifiers, seen per account.

An account (`platform:key`) disclosed by several files is one account: its values are the union
of what each disclosure says (the `account_values` view). Hubs — values the last linkage run
found shared by unrelated accounts — are left out wherever values tie accounts together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from resolver.vocabulary import HUB_CHECKED, LISTED

if TYPE_CHECKING:
    from resolver.case import Case


class Records:
    def __init__(self, case: Case) -> None:
        self.case = case

    def hub_candidates(self, max_registrants: int) -> pd.DataFrame:
        """(kind, value, accounts, registrants) of values held by more than `max_registrants`
        different registrants: an agency's phone, a market building's address, a common stem."""
        kinds = ", ".join(f"'{k}'" for k in HUB_CHECKED)
        return self.case.db.execute(
            f"""
            SELECT kind, value, count(DISTINCT account_id) AS accounts,
                   count(DISTINCT registrant_norm) AS registrants
            FROM account_values WHERE kind IN ({kinds})
            GROUP BY kind, value HAVING count(DISTINCT registrant_norm) > ?
            ORDER BY registrants DESC, kind, value
            """,
            [max_registrants],
        ).fetchdf()

    def for_linkage(self) -> pd.DataFrame:
        """One record per account for the model: scalars by their most frequent value, lists of
        the values that are not hubs."""
        lists = ",\n".join(
            f"list(DISTINCT value ORDER BY value) FILTER (kind = '{kind}') AS {kind}"
            for kind in LISTED
        )
        coalesced = ", ".join(f"coalesce(l.{kind}, []) AS {kind}" for kind in LISTED)
        return self.case.db.execute(
            f"""
            WITH listed AS (SELECT account_id, {lists} FROM kept_values GROUP BY account_id),
            scalars AS (
                SELECT account_id,
                    any_value(platform) AS platform,
                    mode(nullif(registrant_norm, '')) AS registrant_name,
                    mode(nullif(registrant_pinyin, '')) AS registrant_pinyin,
                    mode(nullif(registrant_surname, '')) AS registrant_surname,
                    mode(id_norm) AS id_number,
                    mode(id_partial) AS id_partial
                FROM seller_records GROUP BY account_id
            )
            SELECT s.account_id AS unique_id, s.* EXCLUDE (account_id), {coalesced},
                l.districts[1] AS district
            FROM scalars s LEFT JOIN listed l USING (account_id)
            ORDER BY s.account_id
            """
        ).fetchdf()

    def tying(self) -> pd.DataFrame:
        """(kind, value, account_id) of every full value that can tie accounts into a network:
        phones, bank accounts, addresses and ID numbers; no masked keys, no hubs."""
        return self.case.db.execute(
            """
            WITH v AS (
                SELECT account_id, kind, value FROM account_values
                WHERE kind IN ('phones', 'bank_accounts', 'addresses')
                UNION ALL
                SELECT account_id, 'id_number', id_norm FROM seller_records
                WHERE id_norm IS NOT NULL
            )
            SELECT DISTINCT kind, value, account_id FROM v
            WHERE NOT EXISTS (SELECT 1 FROM hubs h WHERE h.kind = v.kind AND h.value = v.value)
            ORDER BY kind, value, account_id
            """
        ).fetchdf()

    def registered(self) -> pd.DataFrame:
        """(label, key, value, masked, hub, account_id, sources) for every identifier an
        account is registered with: the identifier nodes of the graph."""
        return self.case.db.execute(
            """
            WITH v AS (
                SELECT account_id, kind, value FROM account_values
                WHERE kind IN ('phones', 'phone_keys', 'bank_accounts', 'bank_keys', 'addresses')
                UNION ALL
                SELECT account_id, 'id_number', coalesce(id_norm, 'masked:' || id_partial)
                FROM seller_records WHERE coalesce(id_norm, id_partial) IS NOT NULL
                UNION ALL
                SELECT account_id, 'name', registrant_norm FROM seller_records
                WHERE registrant_norm <> ''
            ),
            sources AS (
                SELECT account_id, list(DISTINCT source_file || '!' || coalesce(source_sheet, '')
                    || '!' || source_row) AS sources
                FROM seller_records GROUP BY account_id
            )
            SELECT DISTINCT
                CASE WHEN kind IN ('phones', 'phone_keys') THEN 'Phone'
                     WHEN kind IN ('bank_accounts', 'bank_keys') THEN 'BankAccount'
                     WHEN kind = 'addresses' THEN 'Address'
                     WHEN kind = 'id_number' THEN 'IdNumber' ELSE 'Name' END AS label,
                CASE WHEN kind IN ('phone_keys', 'bank_keys') THEN 'masked:' || value
                     ELSE value END AS key,
                value,
                kind IN ('phone_keys', 'bank_keys') OR value LIKE 'masked:%' AS masked,
                EXISTS (SELECT 1 FROM hubs h WHERE h.kind = v.kind AND h.value = v.value) AS hub,
                v.account_id, s.sources
            FROM v JOIN sources s USING (account_id)
            WHERE NOT (kind IN ('phone_keys', 'bank_keys') AND EXISTS (
                -- a masked key is a node only where no full value of the account has that key
                SELECT 1 FROM seller_identifiers i JOIN seller_records r USING (record_id)
                WHERE r.account_id = v.account_id AND i.partial = v.value AND i.norm IS NOT NULL))
            ORDER BY label, key, account_id
            """
        ).fetchdf()

    def raw_forms(self) -> pd.DataFrame:
        """(kind, value, raw): a form of each compared value as some disclosure wrote it."""
        return self.case.db.execute(
            """
            SELECT 'addresses' AS kind, district_code || '|' || street AS value, min(raw) AS raw
            FROM seller_identifiers WHERE kind = 'address' AND district_code IS NOT NULL
            GROUP BY ALL
            UNION ALL
            SELECT kind || 's', norm, min(raw) FROM seller_identifiers
            WHERE kind IN ('phone', 'bank_account') AND norm IS NOT NULL GROUP BY ALL
            UNION ALL
            SELECT 'id_number', id_norm, min(id_number) FROM seller_records
            WHERE id_norm IS NOT NULL GROUP BY ALL
            """
        ).fetchdf()

    def sources(self) -> pd.DataFrame:
        """(account_id, disclosure_id, sheet, row): where each account is disclosed."""
        return self.case.db.execute(
            "SELECT account_id, disclosure_id, source_sheet AS sheet, source_row AS row "
            "FROM seller_records ORDER BY account_id, disclosure_id"
        ).fetchdf()

    def account_ids(self) -> list[str]:
        return [
            a
            for (a,) in self.case.db.execute(
                "SELECT DISTINCT account_id FROM seller_records ORDER BY account_id"
            ).fetchall()
        ]
