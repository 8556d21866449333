"""Scored links between accounts, the ties they rest on, the hubs left out when they were
scored, and what clustering kept apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from resolver.case.wanted import id_table
from resolver.errors import NotLinked
from resolver.vocabulary import EVIDENCE_WORDS, SUPPLIER_KIND

if TYPE_CHECKING:
    from resolver.case import Case

LINK_COLUMNS = ["account_a", "account_b", "splink_weight", "control_weight", "control_evidence",
                "match_weight", "probability", "comparisons", "self_purchase_orders"]  # fmt: skip
WEAK_TIE_COLUMNS = ["account_a", "account_b", "kind", "value", "bits", "splink_weight"]


@dataclass(frozen=True)
class Step:
    """One comparison's part of a link's Splink weight, as stored with the link: the level
    that held and its bits."""

    comparison: str
    level: str
    weight: float


@dataclass(frozen=True)
class Tie:
    """A value (or evidence) two accounts share, as stored with their link: its kind, the
    value, its bits, and whether it counted (within a facet only the strongest does)."""

    kind: str
    value: str | None
    bits: float
    counted: bool
    through: str | None = None  # the one phone a strong tie's self-purchase orders went to
    store: str | None = None  # the one store that shipped all of an order tie's orders

    @property
    def words(self) -> str:
        """The tie as a reader is told it: `a bank account in common: 6222...`."""
        said = EVIDENCE_WORDS.get(self.kind, self.kind.replace("_", " "))
        return f"{said}: {self.value}" if self.value else said


def ties_of(control_evidence: str | None) -> list[Tie]:
    """The ties of a stored link."""
    return [Tie(**tie) for tie in json.loads(control_evidence or "[]")]


class Links:
    def __init__(self, case: Case) -> None:
        self.case = case

    def count(self) -> int:
        return int(self.case.scalar("SELECT count(*) FROM links"))

    def store(
        self, scored: pd.DataFrame, weak: pd.DataFrame, replacing: set[str] | None = None
    ) -> None:
        """Store scored links (LINK_COLUMNS) and the weak ties of pairs that do not link
        (WEAK_TIE_COLUMNS), replacing all of both (None) or only those that involve one of the
        `replacing` accounts (an incremental run)."""
        frames: dict = {"scored_links": scored[LINK_COLUMNS], "weak_rows": weak[WEAK_TIE_COLUMNS]}
        if replacing is not None:
            frames["changed_accounts"] = id_table(replacing)
        with self.case.registered(**frames) as db:
            for table, rows in (("links", "scored_links"), ("weak_ties", "weak_rows")):
                if replacing is None:
                    db.execute(f"DELETE FROM {table}")
                elif replacing:
                    db.execute(f"DELETE FROM {table} WHERE {_involving('changed_accounts')}")
                db.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {rows}")
            db.execute("DELETE FROM meta WHERE key = 'links_stale'")

    def weak_ties(self, of: list[str] | None = None) -> pd.DataFrame:
        """(account_a, account_b, kind, value, bits): the ties of pairs that do not link (each
        pair's strongest of each facet), of every account or of those `of`."""
        among = "" if of is None else f"WHERE {_involving('wanted')}"
        with self.case.registered(wanted=id_table(of or ())) as db:
            return db.execute(
                f"SELECT * FROM weak_ties {among} ORDER BY account_a, account_b, kind, value"
            ).fetchdf()

    def leads(self) -> pd.DataFrame:
        """Each account that clustering holds alone and that weak ties point to another trader:
        (account_id, trader_id, tied_to: the trader's accounts it has ties with, the kinds and
        the values of the ties, splink_weight: the model's highest for a pair of them, best: that
        pair's account of the trader, traders: how many traders the account points to,
        lead_bits). One weak tie never links; a person may, and what the case holds no more of
        (a masked phone that fits, a shared address) is often what a further disclosure
        settles. A judgement on the account and an account of the trader ends the lead. Best
        first, by `lead_bits`: the model's weight, plus log2 of the trader's accounts it is tied
        to (a value many of them hold is the trader's own, which his fronts share), less log2
        of the traders it points to (one of them at most is its own); NULL (pairs scored before
        version 12) last. On four cases of `bench/second_world.py` the first 100 held 58-68
        of one trader, against 39-58 by the weight alone."""
        return self.case.db.execute(
            """
            WITH alone AS (
                SELECT account_id FROM trader_accounts WHERE trader_id IN (
                    SELECT trader_id FROM trader_accounts GROUP BY trader_id HAVING count(*) = 1)
            ),
            ties AS (
                SELECT account_a AS account_id, account_b AS other, kind, value, splink_weight
                FROM weak_ties
                UNION ALL
                SELECT account_b, account_a, kind, value, splink_weight FROM weak_ties
            ),
            judged AS (
                SELECT account_a, account_b FROM judgements
                QUALIFY row_number() OVER (PARTITION BY account_a, account_b ORDER BY seq DESC) = 1
                    AND verdict <> 'retracted'
            ),
            pointing AS (
                SELECT t.account_id, o.trader_id, t.other, t.kind, t.value, t.splink_weight
                FROM ties t
                JOIN alone USING (account_id)
                JOIN trader_accounts o ON o.account_id = t.other
                -- two accounts alone: one lead, from the first
                WHERE NOT (t.other IN (SELECT account_id FROM alone) AND t.other < t.account_id)
                  AND NOT EXISTS (
                      SELECT 1 FROM judged j JOIN trader_accounts x
                          ON x.account_id IN (j.account_a, j.account_b)
                      WHERE x.trader_id = o.trader_id AND x.account_id <> t.account_id
                        AND t.account_id IN (j.account_a, j.account_b))
            )
            SELECT account_id, trader_id, tied_to,
                list_transform(ties, lambda tie: tie.kind) AS kinds,
                list_transform(ties, lambda tie: tie.value) AS "values",
                splink_weight, best, traders,
                splink_weight + log2(len(tied_to)) - log2(traders) AS lead_bits
            FROM (
                SELECT account_id, trader_id,
                    list(DISTINCT other ORDER BY other) AS tied_to,
                    list_sort(list_distinct(list({'kind': kind, 'value': value}))) AS ties,
                    max(splink_weight) AS splink_weight,
                    -- of equal weights, the first account: the same lead on every run
                    list(other ORDER BY splink_weight DESC NULLS LAST, other)[1] AS best,
                    count(*) OVER (PARTITION BY account_id) AS traders
                FROM pointing
                GROUP BY account_id, trader_id
            )
            ORDER BY lead_bits DESC NULLS LAST, account_id, trader_id
            """
        ).fetchdf()

    def for_clustering(self, of: set[str] | None = None) -> pd.DataFrame:
        """(account_a, account_b, probability, splink_weight, only_kind, only_value) of every
        stored link, or of those of the accounts `of`: what clustering reads; `only_*` is the
        one value all its ties are, when they are one (a shared value; self-purchase orders
        that all went to that phone; or else orders that one store shipped, as
        (SUPPLIER_KIND, store): see `linkage.evidence`)."""
        among = "" if of is None else f"WHERE {_involving('wanted')}"
        with self.case.registered(wanted=id_table(of or ())) as db:
            return db.execute(
                f"""
                WITH carried AS (
                    SELECT account_a, account_b, probability, splink_weight,
                        list_distinct(list_transform(
                            json_transform(control_evidence,
                                           '[{{"kind": "VARCHAR", "value": "VARCHAR",
                                               "through": "VARCHAR", "store": "VARCHAR"}}]'),
                            lambda tie: CASE
                                WHEN tie.through IS NOT NULL THEN ['phones', tie.through]
                                WHEN tie.store IS NOT NULL THEN ['{SUPPLIER_KIND}', tie.store]
                                ELSE [tie.kind, tie.value] END
                        )) AS values
                    FROM links {among}
                )
                SELECT account_a, account_b, probability, splink_weight,
                    CASE WHEN len(values) = 1 THEN values[1][1] END AS only_kind,
                    CASE WHEN len(values) = 1 THEN values[1][2] END AS only_value
                FROM carried ORDER BY account_a, account_b
                """
            ).fetchdf()

    def pair(self, account_a: str, account_b: str) -> dict | None:
        """The stored link of two accounts (in either order), or None."""
        a, b = sorted((account_a, account_b))
        frame = self.case.db.execute(
            "SELECT * FROM links WHERE account_a = ? AND account_b = ?", [a, b]
        ).fetchdf()
        return frame.to_dict(orient="records")[0] if len(frame) else None

    def near(self, lowest: float, below: float) -> pd.DataFrame:
        """(account_a, account_b, probability) of links with `lowest` <= probability < `below`."""
        return self.case.db.execute(
            "SELECT account_a, account_b, probability FROM links "
            "WHERE probability >= ? AND probability < ? ORDER BY account_a, account_b",
            [lowest, below],
        ).fetchdf()

    def for_graph(self) -> pd.DataFrame:
        """Every link, with the kinds of the ties it rests on as `evidence` (sorted, once)."""
        return self.case.db.execute(
            """
            SELECT account_a, account_b, probability, match_weight,
                list_sort(list_distinct(list_transform(
                    list_filter(json_transform(control_evidence,
                                               '[{"kind": "VARCHAR", "counted": "BOOLEAN"}]'),
                                lambda tie: tie.counted),
                    lambda tie: tie.kind))) AS evidence
            FROM links ORDER BY account_a, account_b
            """
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

    def require_current(self) -> None:
        """Refuse to read links that an upgrade left to be scored again."""
        why = self.case.scalar("SELECT value FROM meta WHERE key = 'links_stale'")
        if why is not None:
            raise NotLinked(f"{self.case.folder}: {why}; run `resolver train` to score it again")

    def replace_hubs(self, hubs: pd.DataFrame) -> None:
        """The hubs of this run (kind, value, accounts, groups, reason, weak): from now on the
        views leave them out, or keep a weak one as a weak tie."""
        with self.case.registered(hub_rows=hubs) as db:
            db.execute("DELETE FROM hubs")
            db.execute("INSERT INTO hubs BY NAME SELECT * FROM hub_rows")

    def hubs(self) -> pd.DataFrame:
        return self.case.db.execute("SELECT * FROM hubs ORDER BY kind, value").fetchdf()

    def hub_count(self, weak: bool) -> int:
        """Hub values left out, or (`weak`) kept as weak ties."""
        return int(
            self.case.scalar(
                "SELECT count(*) FROM hubs WHERE weak = ? AND kind <> ?", [weak, SUPPLIER_KIND]
            )
        )

    def supplier_count(self) -> int:
        """Stores whose orders reach unrelated groups' people: they tie no accounts."""
        return int(self.case.scalar("SELECT count(*) FROM hubs WHERE kind = ?", [SUPPLIER_KIND]))

    def replace_kept_apart(self, kept_apart: list[dict]) -> None:
        """What this run's clustering kept apart (reason, kind, value, groups)."""
        self._replace_groups("kept_apart", kept_apart)

    def kept_apart(self) -> pd.DataFrame:
        return self._groups("kept_apart")

    def replace_held_together(self, held: list[dict]) -> None:
        """What this run's clustering kept together by one tie alone (reason, kind, value,
        groups)."""
        self._replace_groups("held_together", held)

    def held_together(self) -> pd.DataFrame:
        return self._groups("held_together")

    def _replace_groups(self, table: str, rows: list[dict]) -> None:
        frame = pd.DataFrame(
            [{**row, "groups": json.dumps(row["groups"])} for row in rows],
            columns=["reason", "kind", "value", "groups"],
        )
        with self.case.registered(group_rows=frame) as db:
            db.execute(f"DELETE FROM {table}")
            db.execute(f"INSERT INTO {table} BY NAME SELECT * FROM group_rows")

    def _groups(self, table: str) -> pd.DataFrame:
        frame = self.case.db.execute(f"SELECT * FROM {table}").fetchdf().astype(object)
        frame = frame.where(frame.notna(), None)  # a column of NULLs reads as NaN
        frame["groups"] = frame["groups"].map(json.loads)
        return frame


def _involving(accounts: str) -> str:
    """A condition on a pair of accounts: either is in the table `accounts` (account_id)."""
    return (
        f"account_a IN (SELECT account_id FROM {accounts}) "
        f"OR account_b IN (SELECT account_id FROM {accounts})"
    )
