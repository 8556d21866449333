"""Investigators' judgements: an append-only ledger of decisions on pairs of accounts.

Decisions are kept apart from scores (as nomenklatura and Splink's labels do): a judgement names
two accounts, a verdict, who decided, when and why, and what the model said at the time. A later
entry on the same pair supersedes the earlier one; `retracted` withdraws it; nothing is deleted
or changed. Each entry carries the sha256 of the one before, so editing the table outside the
tool breaks the chain that `verify` checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from resolver.errors import NotFound, ResolverError

if TYPE_CHECKING:
    from resolver.case import Case

VERDICTS = ("same", "different", "unsure")
RETRACTED = "retracted"
GENESIS = "0" * 64  # the previous hash of the first entry
# What is hashed, in this order: every column but the entry's own hash.
HASHED = ("seq", "account_a", "account_b", "verdict", "author", "judged_at", "reason",
          "evidence", "probability", "rules_sha256", "disclosed_by", "previous_hash")  # fmt: skip


@dataclass(frozen=True)
class Judgement:
    seq: int
    account_a: str
    account_b: str
    verdict: str
    author: str
    judged_at: str  # UTC, ISO 8601
    reason: str | None
    evidence: str | None
    probability: float | None
    rules_sha256: str | None
    disclosed_by: str  # JSON list of disclosure ids
    previous_hash: str
    entry_hash: str

    @property
    def words(self) -> str:
        """`#3 same (A = B) by wang: reason`, as conflicts and listings name it."""
        sign = {"same": "=", "different": "≠", "unsure": "?", RETRACTED: "retracted"}
        pair = f"{self.account_a} {sign[self.verdict]} {self.account_b}"
        said = f"#{self.seq} {self.verdict} ({pair}) by {self.author}"
        return f"{said}: {self.reason}" if self.reason else said


def entry_hash(fields: dict[str, Any]) -> str:
    text = json.dumps([fields[name] for name in HASHED], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Judgements:
    def __init__(self, case: Case) -> None:
        self.case = case

    def record(
        self,
        account_a: str,
        account_b: str,
        verdict: str,
        author: str,
        reason: str | None = None,
        evidence: str | None = None,
        judged_at: str | None = None,
    ) -> Judgement:
        """Append one judgement (checked: both accounts in the case, a known verdict, a reason
        for same and different); the caller holds the transaction."""
        check_entry(self.case, account_a, account_b, verdict, author, reason)
        a, b = sorted((account_a, account_b))
        link = self.case.links.pair(a, b)
        saved = self.case.model.load()
        last = self.case.db.execute(
            "SELECT seq, entry_hash FROM judgements ORDER BY seq DESC LIMIT 1"
        ).fetchall()
        seq, previous = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
        fields: dict[str, Any] = {
            "seq": seq, "account_a": a, "account_b": b, "verdict": verdict,
            "author": author, "judged_at": judged_at or utc_now(), "reason": reason or None,
            "evidence": evidence or None,
            "probability": None if link is None else float(link["probability"]),
            "rules_sha256": None if saved is None else saved.rules_sha256,
            "disclosed_by": json.dumps(self.disclosures_of([a, b])),
            "previous_hash": previous,
        }  # fmt: skip
        fields["entry_hash"] = entry_hash(fields)
        self.case.db.execute(
            f"INSERT INTO judgements VALUES ({', '.join('?' * len(fields))})",
            list(fields.values()),
        )
        return Judgement(**fields)

    def disclosures_of(self, accounts: list[str]) -> list[str]:
        """The disclosures that name any of `accounts`, sorted: what a judgement rested on."""
        rows = self.case.db.execute(
            "SELECT DISTINCT disclosure_id FROM seller_records WHERE list_contains(?, account_id) "
            "ORDER BY 1",
            [accounts],
        ).fetchall()
        return [d for (d,) in rows]

    def ledger(self) -> list[Judgement]:
        """Every entry, in order."""
        cursor = self.case.db.execute("SELECT * FROM judgements ORDER BY seq")
        names = [column[0] for column in cursor.description]
        return [Judgement(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def current(self) -> list[Judgement]:
        """The judgement in force on each pair: its latest entry, unless that retracts it."""
        latest: dict[tuple[str, str], Judgement] = {}
        for entry in self.ledger():
            latest[(entry.account_a, entry.account_b)] = entry
        return [j for j in latest.values() if j.verdict != RETRACTED]

    def of_pair(self, account_a: str, account_b: str) -> Judgement | None:
        a, b = sorted((account_a, account_b))
        found = [j for j in self.current() if (j.account_a, j.account_b) == (a, b)]
        return found[0] if found else None

    def verify(self) -> list[str]:
        """What is wrong with the chain (nothing: the ledger is as the tool wrote it)."""
        problems, previous = [], GENESIS
        for number, entry in enumerate(self.ledger(), start=1):
            fields = asdict(entry)
            if entry.seq != number:
                problems.append(f"entry {number}: numbered {entry.seq} (one removed or inserted)")
            if entry.previous_hash != previous:
                problems.append(f"entry #{entry.seq}: does not follow the entry before it")
            if entry_hash(fields) != entry.entry_hash:
                problems.append(f"entry #{entry.seq}: changed after it was recorded")
            previous = entry.entry_hash
        return problems

    def replace_contested(self, conflicts: dict[str, str]) -> None:
        """account -> the judgements in conflict on its trader, in words."""
        rows = pd.DataFrame(list(conflicts.items()), columns=["account_id", "conflict"])
        with self.case.registered(contested_rows=rows) as db:
            db.execute("DELETE FROM contested")
            db.execute("INSERT INTO contested BY NAME SELECT * FROM contested_rows")

    def contested(self) -> dict[str, str]:
        rows = self.case.db.execute("SELECT account_id, conflict FROM contested").fetchall()
        return dict(rows)


def check_entry(
    case: Case, account_a: str, account_b: str, verdict: str, author: str, reason: str | None
) -> None:
    if verdict not in (*VERDICTS, RETRACTED):
        raise ResolverError(
            f"{verdict!r}: a verdict is one of {', '.join(VERDICTS)} (or {RETRACTED})"
        )
    if account_a == account_b:
        raise ResolverError(f"{account_a}: a judgement is about two different accounts")
    for account in (account_a, account_b):
        if not case.records.holds(account):
            raise NotFound(
                f"{account}: no such account in the case (use platform:key, as `resolver export "
                "accounts` lists them)"
            )
    if verdict in ("same", "different") and not (reason or "").strip():
        raise ResolverError(f"a {verdict!r} judgement needs a reason (--reason)")
    if not author.strip():
        raise ResolverError("a judgement needs an author (--by)")
