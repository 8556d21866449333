"""Scored links between accounts, and the hubs left out when they were scored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from resolver.case import Case

LINK_COLUMNS = ["account_a", "account_b", "splink_weight", "control_weight", "control_evidence",
                "match_weight", "probability", "comparisons", "self_purchase_orders"]  # fmt: skip


class Links:
    def __init__(self, case: Case) -> None:
        self.case = case

    def count(self) -> int:
        return int(self.case.scalar("SELECT count(*) FROM links"))

    def store(self, scored: pd.DataFrame, replacing: set[str] | None = None) -> None:
        """Store scored links (LINK_COLUMNS), replacing every link (None) or only the links
        that involve one of the `replacing` accounts (an incremental run)."""
        frames: dict = {"scored_links": scored[LINK_COLUMNS]}
        if replacing is not None:
            frames["changed_accounts"] = pd.DataFrame({"account_id": sorted(replacing)})
        with self.case.registered(**frames) as db:
            if replacing is None:
                db.execute("DELETE FROM links")
            elif replacing:
                db.execute(
                    "DELETE FROM links "
                    "WHERE account_a IN (SELECT account_id FROM changed_accounts) "
                    "OR account_b IN (SELECT account_id FROM changed_accounts)"
                )
            db.execute("INSERT INTO links BY NAME SELECT * FROM scored_links")

    def probabilities(self) -> pd.DataFrame:
        """(account_a, account_b, probability) of every stored link: what clustering reads."""
        return self.case.db.execute(
            "SELECT account_a, account_b, probability FROM links ORDER BY account_a, account_b"
        ).fetchdf()

    def for_graph(self) -> pd.DataFrame:
        return self.case.db.execute(
            "SELECT account_a, account_b, probability, match_weight, "
            "coalesce(from_json(control_evidence, '[\"VARCHAR\"]'), []) AS evidence "
            "FROM links ORDER BY account_a, account_b"
        ).fetchdf()

    def within(self, accounts: pd.DataFrame) -> pd.DataFrame:
        """Every stored link whose accounts are both in `accounts` (account_id, trader_id,
        network_id) and in one network, with whether they are in one trader."""
        wanted = accounts[["account_id", "trader_id", "network_id"]]
        with self.case.registered(wanted_accounts=wanted) as db:
            return db.execute(
                """
                SELECT l.*, a.trader_id = b.trader_id AS same_trader
                FROM links l
                JOIN wanted_accounts a ON a.account_id = l.account_a
                JOIN wanted_accounts b ON b.account_id = l.account_b
                WHERE a.network_id = b.network_id
                ORDER BY l.account_a, l.account_b
                """
            ).fetchdf()

    def replace_hubs(self, hubs: pd.DataFrame) -> None:
        """The hubs of this run (kind, value, accounts, registrants): from now on the views
        leave them out."""
        with self.case.registered(hub_rows=hubs) as db:
            db.execute("DELETE FROM hubs")
            db.execute("INSERT INTO hubs BY NAME SELECT * FROM hub_rows")

    def hubs(self) -> pd.DataFrame:
        return self.case.db.execute("SELECT * FROM hubs ORDER BY kind, value").fetchdf()


@dataclass(frozen=True)
class Step:
    """One comparison's part of a link's Splink weight, as stored with the link: the level
    that held and its bits."""

    comparison: str
    level: str
    weight: float
