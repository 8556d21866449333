"""Seller records, the people behind them and their identifying values, seen per account.

An account (`platform:key`) disclosed by several files is one account: its values are the union
of what each disclosure says (the `account_values` view). Hubs — values the last linkage run
found shared by unrelated accounts — are left out wherever values tie accounts together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from resolver.case.wanted import id_table
from resolver.vocabulary import HUB_CHECKED, LISTED, TIE_KINDS, VALUE_KINDS

if TYPE_CHECKING:
    from resolver.case import Case


def _quoted(names) -> str:
    return ", ".join(f"'{name}'" for name in names)


FULL_TIES = [n for n, k in TIE_KINDS.items() if n in VALUE_KINDS and not k.masked]
MASKED_TIES = [n for n, k in TIE_KINDS.items() if n in VALUE_KINDS and k.masked]

# The people who bear each ID number key (its first 3 and last 4 characters) on each account.
ID_BEARERS = """
    SELECT DISTINCT r.account_id, p.id_partial AS value, nullif(p.pinyin, '') AS pinyin,
        nullif(p.stem, '') AS stem, contains(p.name_norm, '*') AS name_masked, p.surname
    FROM seller_parties p JOIN seller_records r USING (record_id)
    WHERE p.id_partial IS NOT NULL"""


def one_bearer(tie: str) -> str:
    """A condition on `tie` (account_a, account_b, value: an ID number key), given the table
    `bearers` (ID_BEARERS): a person of the same name (an entity of the same stem; of the same
    surname where a name is shown in part) bears it on both accounts. An ID number is one
    person's, so a masked one that fits under another name is another person's number (at
    6,000 traders of the second world, 952 such fits tied two accounts, none one trader's)."""
    return f"""EXISTS (
        SELECT 1 FROM bearers x JOIN bearers y ON y.value = x.value
            AND (x.pinyin = y.pinyin OR x.stem = y.stem
                 OR ((x.name_masked OR y.name_masked) AND x.surname = y.surname))
        WHERE x.account_id = {tie}.account_a AND y.account_id = {tie}.account_b
            AND x.value = {tie}.value)"""


# Every value two accounts of a pair share: equal full values, and masked keys that fit a key of
# the other account (one side masked at least; a masked ID number under one name: `one_bearer`).
SHARED_SQL = f"""
WITH v AS (SELECT * FROM kept_values WHERE account_id IN (
        SELECT account_a FROM pairs_in UNION SELECT account_b FROM pairs_in)),
bearers AS ({ID_BEARERS} AND r.account_id IN (SELECT account_id FROM v)),
full_ties AS (
    SELECT p.account_a, p.account_b, a.kind, a.value
    FROM pairs_in p
    JOIN v a ON a.account_id = p.account_a AND a.kind IN ({_quoted(FULL_TIES)})
    JOIN v b ON b.account_id = p.account_b AND b.kind = a.kind AND b.value = a.value
),
masked_a AS (
    SELECT p.account_a, p.account_b, m.kind, m.value
    FROM pairs_in p
    JOIN v m ON m.account_id = p.account_a AND m.kind IN ({_quoted(MASKED_TIES)})
    JOIN v k ON k.account_id = p.account_b AND 'masked_' || k.kind = m.kind AND k.value = m.value
),
masked_b AS (
    SELECT p.account_a, p.account_b, m.kind, m.value
    FROM pairs_in p
    JOIN v m ON m.account_id = p.account_b AND m.kind IN ({_quoted(MASKED_TIES)})
    JOIN v k ON k.account_id = p.account_a AND 'masked_' || k.kind = m.kind AND k.value = m.value
)
SELECT * FROM full_ties
UNION SELECT * FROM (SELECT * FROM masked_a UNION SELECT * FROM masked_b) m
    WHERE m.kind <> 'masked_id_keys' OR {one_bearer("m")}
ORDER BY account_a, account_b, kind, value
"""


class Records:
    def __init__(self, case: Case) -> None:
        self.case = case

    def holds(self, account_id: str) -> bool:
        """Whether the case has a seller account of this id (platform:key)."""
        return bool(
            self.case.db.execute(
                "SELECT count(*) FROM seller_records WHERE account_id = ?", [account_id]
            ).fetchone()[0]  # type: ignore[index]
        )

    def disclosed(self, accounts: list[str]) -> pd.DataFrame:
        """(account_id, what, value, source_file, source_row) of everything disclosed about
        `accounts`, as disclosed: store names, the people behind them, their identifiers."""
        return (
            self.case.db.execute(
                """
            SELECT account_id, 'store name' AS what, store_name AS value, source_file,
                source_row
            FROM seller_records WHERE list_contains($1, account_id) AND store_name <> ''
            UNION ALL
            SELECT r.account_id, replace(p.role, '_', ' '), concat_ws(' ', p.name, p.id_number),
                r.source_file,
                p.source_row
            FROM seller_parties p JOIN seller_records r USING (record_id)
            WHERE list_contains($1, r.account_id)
            UNION ALL
            SELECT r.account_id, replace(i.kind, '_', ' '), i.raw, r.source_file, i.source_row
            FROM seller_identifiers i JOIN seller_records r USING (record_id)
            WHERE list_contains($1, r.account_id)
            ORDER BY account_id, what, value, source_file, source_row
            """,
                [accounts],
            )
            .fetchdf()
            .drop_duplicates(["account_id", "what", "value"])
        )

    def account_ids(self) -> list[str]:
        """Every seller account of the case (platform:key), sorted."""
        rows = self.case.db.execute(
            "SELECT DISTINCT account_id FROM seller_records ORDER BY 1"
        ).fetchall()
        return [account for (account,) in rows]

    def hub_candidates(self) -> pd.DataFrame:
        """(account_id, kind, value, holders) of every value two or more accounts hold: the
        values that could be hubs."""
        return (
            self.case.db.sql(
                f"""
            SELECT * FROM (
                SELECT account_id, kind, value,
                    count(*) OVER (PARTITION BY kind, value) AS holders
                FROM account_values WHERE kind IN ({_quoted(HUB_CHECKED)})
            ) WHERE holders >= 2 ORDER BY kind, value, account_id
            """
            )
            .to_arrow_table()
            .to_pandas()
        )

    def people_in_common(self) -> list[list[str]]:
        """The accounts that name one person or entity, by name and ID key (a platform that masks
        ID numbers shows the same person's so), for each that two or more accounts name."""
        rows = self.case.db.execute(
            """
            SELECT list(DISTINCT r.account_id ORDER BY r.account_id)
            FROM seller_parties p JOIN seller_records r USING (record_id)
            WHERE coalesce(p.name_norm, '') <> '' AND NOT contains(p.name_norm, '*')
              AND p.id_partial IS NOT NULL
            GROUP BY p.name_norm, p.id_partial HAVING count(DISTINCT r.account_id) >= 2
            ORDER BY p.name_norm, p.id_partial
            """
        ).fetchall()
        return [accounts for (accounts,) in rows]

    def represented_ids(self) -> pd.DataFrame:
        """(account_id, value): the ID numbers an account lists only as its legal
        representative's, never as its registrant's (whom a nominee lends his name to)."""
        return self.case.db.execute(
            """
            SELECT r.account_id, p.id_norm AS value
            FROM seller_parties p JOIN seller_records r USING (record_id)
            WHERE p.id_norm IS NOT NULL
            GROUP BY ALL HAVING bool_and(p.role = 'legal_representative')
            ORDER BY ALL
            """
        ).fetchdf()

    def own_counts(self) -> pd.DataFrame:
        """(account_id, kind, values): how many values of a kind each account lists as its
        own; phones count the contact phones only (not a payment account that is a phone)."""
        return self.case.db.execute(
            """
            SELECT r.account_id, 'phones' AS kind, count(DISTINCT i.norm) AS "values"
            FROM seller_identifiers i JOIN seller_records r USING (record_id)
            WHERE i.kind = 'phone' AND i.subtype = 'mobile' GROUP BY ALL
            UNION ALL
            SELECT account_id, kind, count(DISTINCT value) FROM account_values
            WHERE kind IN ('bank_accounts', 'payment_accounts', 'id_numbers') GROUP BY ALL
            """
        ).fetchdf()

    def strong_values(self, of: list[str] | None = None) -> dict[tuple[str, str], frozenset[str]]:
        """(account_id, kind) -> the values of a strong kind (phones, bank and payment
        accounts, ID numbers) the account lists, hubs left out (a service everyone lists is
        no one's own): whether a value stands alone or beside others of its kind; and the keys
        of the phones it lists masked (`masked_phone_keys`), which list the phones they fit.
        Of every account, or of those `of`."""
        kinds = [name for name, kind in VALUE_KINDS.items() if kind.strong]
        kinds.append("masked_phone_keys")
        among = "" if of is None else "AND account_id IN (SELECT account_id FROM wanted)"
        with self.case.registered(wanted=id_table(of or [])) as db:
            rows = db.execute(
                f"SELECT account_id, kind, list(value) FROM kept_values "
                f"WHERE kind IN ({_quoted(kinds)}) {among} GROUP BY ALL"
            ).fetchall()
        return {(account, kind): frozenset(values) for account, kind, values in rows}

    def for_linkage(self) -> pd.DataFrame:
        """One record per account for the model: its registrant (the one most often disclosed;
        on a tie, the first by name: the same on every run) with that person's pinyin and
        surname, its ID (the most frequent; on a tie, the first), and lists of every value that
        is not a hub."""
        lists = ",\n".join(  # kept_values holds each value once: sorting is all that is left
            f"list_sort(list(value) FILTER (kind = '{kind}')) AS {kind}" for kind in LISTED
        )
        coalesced = ", ".join(f"coalesce(l.{kind}, []) AS {kind}" for kind in LISTED)
        return self.case.db.execute(
            f"""
            WITH listed AS (SELECT account_id, {lists} FROM kept_values GROUP BY account_id),
            disclosed AS (
                SELECT account_id, registrant_norm AS registrant_name,
                    nullif(registrant_pinyin, '') AS registrant_pinyin,
                    nullif(registrant_surname, '') AS registrant_surname, count(*) AS times
                FROM seller_records
                WHERE coalesce(registrant_norm, '') <> '' AND NOT contains(registrant_norm, '*')
                GROUP BY ALL
            ),
            registrants AS (
                SELECT * EXCLUDE (times) FROM disclosed
                QUALIFY row_number() OVER (
                    PARTITION BY account_id
                    ORDER BY times DESC, registrant_name, registrant_pinyin, registrant_surname
                ) = 1
            ),
            scalars AS (  -- DuckDB's mode breaks a tie by the order it is given
                SELECT account_id, any_value(platform) AS platform,
                    mode(id_norm ORDER BY id_norm) AS id_number,
                    mode(id_partial ORDER BY id_partial) AS id_partial
                FROM seller_records GROUP BY account_id
            )
            SELECT s.account_id AS unique_id, s.platform, r.registrant_name, r.registrant_pinyin,
                r.registrant_surname, s.id_number, s.id_partial, {coalesced},
                l.districts[1] AS district
            FROM scalars s LEFT JOIN registrants r USING (account_id)
                LEFT JOIN listed l USING (account_id)
            ORDER BY s.account_id
            """
        ).fetchdf()

    def shared(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """(account_a, account_b, kind, value) of every tie of `pairs` (account_a, account_b)
        through a value they share (see SHARED_SQL)."""
        with self.case.registered(pairs_in=pairs[["account_a", "account_b"]]) as db:
            return db.execute(SHARED_SQL).fetchdf()

    def tying(self) -> pd.DataFrame:
        """(kind, value, account_id) of every full value that can tie accounts into a network
        (phones, landlines, bank and payment accounts, addresses, ID numbers), no hubs."""
        kinds = [name for name, kind in VALUE_KINDS.items() if kind.ties_networks]
        return self.case.db.execute(
            f"SELECT DISTINCT kind, value, account_id FROM kept_values "
            f"WHERE kind IN ({_quoted(kinds)}) ORDER BY kind, value, account_id"
        ).fetchdf()

    def registered(self) -> pd.DataFrame:
        """(label, key, value, masked, hub, account_id, sources) for every identifier an
        account is registered with: the identifier nodes of the graph. A masked value's node
        is its key (`masked:138*5678`)."""
        labels = {name: kind.label for name, kind in VALUE_KINDS.items() if kind.label}
        cases = " ".join(f"WHEN '{name}' THEN '{label}'" for name, label in labels.items())
        masked = [name for name in labels if VALUE_KINDS[name].masked]
        return self.case.db.execute(
            f"""
            WITH sources AS (
                SELECT account_id, list(DISTINCT source_file || '!' || coalesce(source_sheet, '')
                    || '!' || source_row ORDER BY source_file || '!' || coalesce(source_sheet, '')
                    || '!' || source_row) AS sources
                FROM seller_records GROUP BY account_id
            )
            SELECT DISTINCT CASE v.kind {cases} END AS label,
                CASE WHEN v.kind IN ({_quoted(masked)}) THEN 'masked:' || v.value
                     ELSE v.value END AS key,
                v.value, v.kind IN ({_quoted(masked)}) AS masked,
                EXISTS (SELECT 1 FROM hubs h
                        WHERE h.value = v.value AND h.kind = replace(v.kind, 'masked_', ''))
                    AS hub,
                v.account_id, s.sources
            FROM account_values v JOIN sources s USING (account_id)
            WHERE v.kind IN ({_quoted(labels)})
            ORDER BY label, key, v.account_id
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
            SELECT CASE WHEN kind = 'phone' AND subtype = 'landline' THEN 'landlines'
                        ELSE kind || 's' END, norm, min(raw)
            FROM seller_identifiers
            WHERE kind IN ('phone', 'bank_account', 'payment_account') AND norm IS NOT NULL
            GROUP BY ALL
            UNION ALL
            SELECT 'id_numbers', id_norm, min(id_number) FROM seller_parties
            WHERE id_norm IS NOT NULL GROUP BY ALL
            """
        ).fetchdf()

    def sources(self) -> pd.DataFrame:
        """(account_id, disclosure_id, sheet, row): where each account is disclosed."""
        return self.case.db.execute(
            "SELECT account_id, disclosure_id, source_sheet AS sheet, source_row AS row "
            "FROM seller_records ORDER BY account_id, disclosure_id"
        ).fetchdf()

    def parties(self) -> pd.DataFrame:
        """Every person and entity behind each account, by role, with the rows naming them."""
        return self.case.db.execute(
            """
            SELECT DISTINCT r.account_id, p.role, p.name, p.kind, p.id_number,
                r.source_file, p.source_row
            FROM seller_parties p JOIN seller_records r USING (record_id)
            ORDER BY r.account_id, p.role, p.source_row
            """
        ).fetchdf()

    def disclosed_values(self, accounts: list[str]) -> pd.DataFrame:
        """(account_id, kind, value, raw, source_file, source_sheet, source_row): every value
        of these accounts as a disclosure wrote it, and where (what a reader is shown)."""
        with self.case.registered(wanted=id_table(accounts)) as db:
            return db.execute(
                """
                SELECT DISTINCT v.* EXCLUDE (disclosure_id) FROM value_sources v
                SEMI JOIN wanted USING (account_id)
                ORDER BY account_id, kind, value, source_file, source_sheet, source_row, raw
                """
            ).fetchdf()
