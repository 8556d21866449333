"""Traders: stable ids for groups of accounts, their history, and the networks they form.

A network is wider than a trader: traders whose accounts share a phone, bank account, address
or ID number (full values, never masked keys or hubs) belong to one network, named by its
smallest trader id. Reports and sales queries work per network, so an investigator sees the
suppliers, relatives and partners a trader deals with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd

from resolver.errors import NotFound

if TYPE_CHECKING:
    from resolver.case import Case

ACCOUNTS_SQL = """
SELECT a.platform, a.account_key, t.account_id, t.trader_id, round(t.probability, 6) AS probability,
    a.registrant_name, a.store_name, a.registrant_kind
FROM trader_accounts t
JOIN (SELECT account_id, any_value(platform) AS platform, any_value(account_key) AS account_key,
        mode(registrant_name ORDER BY registrant_name) AS registrant_name,
        mode(store_name ORDER BY store_name) AS store_name,
        mode(registrant_kind ORDER BY registrant_kind) AS registrant_kind
      FROM seller_records GROUP BY account_id) a USING (account_id)
ORDER BY t.trader_id, t.account_id
"""

SUMMARY_SQL = """
SELECT t.trader_id,
    coalesce(list(DISTINCT r.registrant_norm ORDER BY r.registrant_norm)
             FILTER (r.registrant_norm <> ''), []) AS names,
    count(DISTINCT t.account_id) AS account_count,
    list(DISTINCT r.platform ORDER BY r.platform) AS platforms,
    list(DISTINCT t.account_id ORDER BY t.account_id) AS accounts
FROM trader_accounts t JOIN seller_records r USING (account_id)
GROUP BY t.trader_id
ORDER BY account_count DESC, t.trader_id
"""


class Traders:
    def __init__(self, case: Case) -> None:
        self.case = case

    def count(self) -> int:
        return int(self.case.scalar("SELECT count(DISTINCT trader_id) FROM trader_accounts"))

    def assignment(self) -> dict[str, str]:
        """account -> trader id, as the last linkage run left it."""
        table = self.case.db.sql(
            "SELECT account_id, trader_id FROM trader_accounts"
        ).to_arrow_table()
        return dict(
            zip(table["account_id"].to_pylist(), table["trader_id"].to_pylist(), strict=True)
        )

    def probabilities(self) -> dict[str, float]:
        """account -> its probability of belonging to its trader, as the last run left it."""
        rows = self.case.db.execute("SELECT account_id, probability FROM trader_accounts")
        return dict(rows.fetchall())

    def last_id(self) -> str | None:
        return self.case.scalar("SELECT max(trader_id) FROM traders")

    def record(
        self,
        trader_of: dict[str, str],
        probability: dict[str, float],
        created: list[str],
        merged: list[tuple[str, str]],
        split: list[tuple[str, str]],
    ) -> None:
        """Store a linkage run's outcome: every account's trader and its probability of
        belonging, the traders created, retired into an older one (retired, kept), and split
        off (old, new), each as an event."""
        events = pd.DataFrame(
            [("created", t, None) for t in created]
            + [("merged", retired, kept) for retired, kept in merged]
            + [("split", new, old) for old, new in split],
            columns=["event", "trader_id", "other"],
            dtype=object,
        )
        retired = pd.DataFrame(merged, columns=["retired", "kept"], dtype=object)
        db = self.case.db
        with self.case.registered(events=events, retired=retired):  # a set each, not row by row
            db.execute(
                "INSERT INTO traders SELECT trader_id, now(), NULL, NULL FROM events "
                "WHERE event = 'created'"
            )
            db.execute(
                "UPDATE traders SET retired_into = r.kept, retired_at = now() FROM retired r "
                "WHERE traders.trader_id = r.retired"
            )
            db.execute(
                "INSERT INTO trader_events SELECT now(), event, trader_id, other FROM events"
            )
        members = pd.DataFrame(
            {
                "account_id": list(trader_of),
                "trader_id": list(trader_of.values()),
                "probability": [probability[a] for a in trader_of],
            }
        )
        with self.case.registered(members=members):  # what changed: rewriting all 44,158
            # accounts' rows (20,000 hard demo traders) made committing a match 0.9 s longer
            db.execute(
                "DELETE FROM trader_accounts "
                "WHERE account_id NOT IN (SELECT account_id FROM members)"
            )
            db.execute(
                """
                INSERT INTO trader_accounts BY NAME SELECT * FROM members m
                WHERE NOT EXISTS (SELECT 1 FROM trader_accounts t
                                  WHERE t.account_id = m.account_id
                                    AND t.trader_id = m.trader_id
                                    AND t.probability = m.probability)
                ON CONFLICT (account_id) DO UPDATE
                SET trader_id = excluded.trader_id, probability = excluded.probability
                """
            )

    def current(self, trader_id: str) -> list[str]:
        """The chain from `trader_id` to the trader that holds its accounts now: a retired id
        (merged into an older trader) leads on; the last id is the current one."""
        chain = [trader_id]
        while True:
            rows = self.case.db.execute(
                "SELECT retired_into FROM traders WHERE trader_id = ?", [chain[-1]]
            ).fetchall()
            if not rows:
                raise NotFound(
                    f"{trader_id}: no such trader in the case (see `resolver export traders`)"
                )
            if rows[0][0] is None:
                return chain
            chain.append(rows[0][0])

    def of(self, accounts: list[str]) -> dict[str, str]:
        """account -> trader id for those of `accounts` that have one."""
        marks = ", ".join("?" for _ in accounts)
        return dict(
            self.case.db.execute(
                f"SELECT account_id, trader_id FROM trader_accounts WHERE account_id IN ({marks})",
                accounts,
            ).fetchall()
        )

    def accounts_of(self, trader_id: str) -> list[str]:
        """The accounts of a trader now (a retired id leads to the trader it was merged into)."""
        current = self.current(trader_id)[-1]
        rows = self.case.db.execute(
            "SELECT account_id FROM trader_accounts WHERE trader_id = ? ORDER BY 1", [current]
        ).fetchall()
        return [account for (account,) in rows]

    def many_registrants(self, at_least: int) -> pd.DataFrame:
        """(trader_id, registrants, accounts, first_account) of traders whose accounts are
        registered to `at_least` different names or more, most first."""
        return self.case.db.execute(
            """
            SELECT t.trader_id, count(DISTINCT r.registrant_norm) AS registrants,
                count(DISTINCT t.account_id) AS accounts, min(t.account_id) AS first_account
            FROM trader_accounts t JOIN seller_records r USING (account_id)
            WHERE coalesce(r.registrant_norm, '') <> ''
            GROUP BY t.trader_id HAVING count(DISTINCT r.registrant_norm) >= ?
            ORDER BY registrants DESC, t.trader_id
            """,
            [at_least],
        ).fetchdf()

    def unlinked_count(self) -> int:
        """Accounts ingested since the last linkage run: they belong to no trader yet."""
        return int(
            self.case.scalar(
                "SELECT count(DISTINCT account_id) FROM seller_records "
                "WHERE account_id NOT IN (SELECT account_id FROM trader_accounts)"
            )
        )

    def accounts(self) -> pd.DataFrame:
        """Every account with its trader, probability, registrant and store (one row each)."""
        return self.case.db.execute(ACCOUNTS_SQL).fetchdf()

    def summary(self) -> pd.DataFrame:
        """Every trader with its names, account count, platforms and accounts."""
        frame = self.case.db.execute(SUMMARY_SQL).fetchdf()
        for column in ("names", "platforms", "accounts"):
            frame[column] = frame[column].map(list)
        return frame

    def for_graph(self) -> pd.DataFrame:
        """Every trader id ever given, retired ones too, with names, account count, platforms."""
        return self.case.db.execute(
            """
            SELECT t.trader_id, t.retired_into IS NOT NULL AS retired,
                coalesce(list(DISTINCT r.registrant_norm ORDER BY r.registrant_norm)
                         FILTER (r.registrant_norm <> ''), []) AS names,
                count(DISTINCT a.account_id) AS account_count,
                coalesce(list(DISTINCT r.platform ORDER BY r.platform)
                         FILTER (r.platform IS NOT NULL), []) AS platforms
            FROM traders t
            LEFT JOIN trader_accounts a USING (trader_id)
            LEFT JOIN seller_records r ON r.account_id = a.account_id
            GROUP BY t.trader_id, t.retired_into ORDER BY t.trader_id
            """
        ).fetchdf()

    def merged(self) -> pd.DataFrame:
        """(retired, kept) of every trader merged into another."""
        return self.case.db.execute(
            "SELECT trader_id AS retired, retired_into AS kept FROM traders "
            "WHERE retired_into IS NOT NULL ORDER BY trader_id"
        ).fetchdf()

    def networks(self) -> dict[str, str]:
        """Trader -> network id (the smallest trader id of its network); retired traders take
        the network of the trader they were merged into."""
        values = self.case.records.tying()
        with self.case.registered(tying_values_in=values) as db:
            groups = db.execute(
                """
                SELECT list(DISTINCT t.trader_id ORDER BY t.trader_id)
                FROM tying_values_in v JOIN trader_accounts t USING (account_id)
                GROUP BY v.kind, v.value HAVING count(DISTINCT t.trader_id) > 1
                """
            ).fetchall()
            traders = db.execute("SELECT DISTINCT trader_id FROM trader_accounts").fetchall()
        graph = nx.Graph()
        graph.add_nodes_from(t for (t,) in traders)
        graph.add_edges_from((members[0], other) for (members,) in groups for other in members[1:])
        network = {
            trader: min(members) for members in nx.connected_components(graph) for trader in members
        }
        for retired, kept in self.merged().itertuples(index=False):
            network.setdefault(retired, network.get(kept, kept))
        return network
