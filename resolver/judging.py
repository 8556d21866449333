"""Working with investigators' judgements: sharing them as CSV, the pairs a split implies, the
model measured against them, and the queue of what most needs a person.

The ledger itself lives in the case (`Case.judgements`); obeying it is the clustering's job
(`resolver.linkage.judged`). This module reads the case only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from resolver.case import Case
from resolver.case.judgements import RETRACTED, VERDICTS, Judgement, check_entry
from resolver.errors import InputError, NotFound, ResolverError
from resolver.vocabulary import EVIDENCE_WORDS, SUPPLIER_KIND, VALUE_KINDS, WEAK_JOIN

# What a shared file holds: enough to record each decision again, with who and when.
EXCHANGE_COLUMNS = ["account_a", "account_b", "verdict", "author", "judged_at", "reason",
                    "evidence"]  # fmt: skip
SHANGHAI = ZoneInfo("Asia/Shanghai")
LEDGER_COLUMNS = [*EXCHANGE_COLUMNS, "seq", "probability", "rules_sha256", "entry_hash"]


def as_frame(judgements: list[Judgement], local_time: bool = True) -> pd.DataFrame:
    """The ledger as a table; times in Asia/Shanghai (`local_time`) or as stored (UTC)."""
    frame = pd.DataFrame([asdict(j) for j in judgements], columns=[*LEDGER_COLUMNS])
    if local_time and len(frame):
        frame["judged_at"] = [
            pd.Timestamp(t).tz_convert(SHANGHAI).isoformat(timespec="seconds")
            for t in frame["judged_at"]
        ]
    return frame[["seq", *EXCHANGE_COLUMNS, "probability", "rules_sha256", "entry_hash"]]


def read_exchange(case: Case, path: Path) -> list[dict]:
    """The judgements of a shared CSV file, every row checked before any is recorded: all or
    nothing. Each bad row is named (file, row, column) in one error, a line each."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in EXCHANGE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", row=1)
    rows, problems = [], []
    for number, row in enumerate(reader, start=2):
        entry = {c: (row.get(c) or "").strip() or None for c in EXCHANGE_COLUMNS}
        column, problem = _row_problem(case, entry)
        if problem:
            problems.append(str(InputError(path, problem, row=number, column=column)))
        rows.append(entry)
    if problems:
        raise ResolverError("\n".join(problems))
    return rows


def _row_problem(case: Case, entry: dict) -> tuple[str | None, str | None]:
    if entry["judged_at"] is None:
        return "judged_at", "empty: give the UTC time of the decision"
    try:
        moment = pd.Timestamp(entry["judged_at"])
    except ValueError:
        return "judged_at", f"not a time: {entry['judged_at']!r}"
    if moment.tzinfo is None:
        return "judged_at", f"{entry['judged_at']!r} names no time zone"
    entry["judged_at"] = moment.tz_convert("UTC").isoformat(timespec="microseconds")
    try:
        check_entry(
            case,
            entry["account_a"] or "",
            entry["account_b"] or "",
            entry["verdict"] or "",
            entry["author"] or "",
            entry["reason"],
        )
    except ResolverError as err:
        text = str(err)
        named = [c for c in ("account_b", "account_a") if entry[c] and text.startswith(entry[c])]
        column = next((c for c in ("verdict", "reason", "author") if c in text), None)
        return (named[0] if named else column), text
    return None, None


def record_exchange(case: Case, rows: list[dict]) -> list[Judgement]:
    """Record the rows of a shared file as new ledger entries (their author and time kept),
    skipping those the ledger already holds; the caller holds the transaction."""
    held = {
        (j.account_a, j.account_b, j.verdict, j.author, j.judged_at)
        for j in case.judgements.ledger()
    }
    recorded = []
    for row in rows:
        a, b = sorted((row["account_a"], row["account_b"]))
        if (a, b, row["verdict"], row["author"], row["judged_at"]) in held:
            continue
        recorded.append(
            case.judgements.record(
                a, b, row["verdict"], row["author"], row["reason"], row["evidence"],
                judged_at=row["judged_at"],
            )
        )  # fmt: skip
    return recorded


def split_pairs(case: Case, trader_id: str, keep: list[str]) -> list[tuple[str, str]]:
    """The `different` pairs that splitting `keep` off `trader_id` implies: each kept account
    against each other account of the trader."""
    accounts = case.traders.accounts_of(trader_id)
    strangers = [a for a in keep if a not in accounts]
    if strangers:
        raise NotFound(f"{trader_id}: does not hold {', '.join(strangers)}")
    rest = [a for a in accounts if a not in keep]
    if not keep or not rest:
        raise ResolverError(f"{trader_id}: --keep must name some of its accounts, not all")
    return [(k, r) for k in keep for r in rest]


@dataclass(frozen=True)
class Evaluation:
    """The model's links against the judgements: a pair is predicted the same trader when its
    stored link reaches the link threshold (judgements do not enter this)."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    pairs: pd.DataFrame  # every judged pair with its label and the model's probability

    @property
    def precision(self) -> float | None:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else None

    @property
    def recall(self) -> float | None:
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else None


def evaluate(case: Case, threshold: float) -> Evaluation:
    judged = [j for j in case.judgements.current() if j.verdict in ("same", "different")]
    rows = []
    for j in judged:
        link = case.links.pair(j.account_a, j.account_b)
        probability = None if link is None else float(link["probability"])
        rows.append({
            "source_dataset_l": j.account_a.partition(":")[0], "unique_id_l": j.account_a,
            "source_dataset_r": j.account_b.partition(":")[0], "unique_id_r": j.account_b,
            "clerical_match_score": 1.0 if j.verdict == "same" else 0.0,
            "model_probability": probability,
            "model_says_same": probability is not None and probability >= threshold,
        })  # fmt: skip
    pairs = pd.DataFrame(rows, columns=["source_dataset_l", "unique_id_l", "source_dataset_r",
                                        "unique_id_r", "clerical_match_score",
                                        "model_probability", "model_says_same"])  # fmt: skip
    label = pairs["clerical_match_score"] == 1.0
    said = pairs["model_says_same"].astype(bool)
    return Evaluation(
        threshold,
        int((label & said).sum()),
        int((~label & said).sum()),
        int((label & ~said).sum()),
        int((~label & ~said).sum()),
        pairs,
    )


REVIEW_COLUMNS = ["priority", "kind", "account_a", "account_b", "probability", "why"]


def review_queue(
    case: Case, threshold: float, limit: int = 50, only: str | None = None
) -> pd.DataFrame:
    """What most needs a person, best first: judged pairs whose disclosures changed since, the
    groups clustering kept apart, traders it kept that rest on one tie (a bridge that held, one
    shared value), links near the threshold that nobody judged, traders that hold many
    registrants, and accounts alone that one weak tie points to another trader (leads, best
    first: see `Links.leads`). `only`: one part of it (a key of REVIEW_PARTS), the others not
    looked for."""
    if only is not None and only not in REVIEW_PARTS:
        raise ResolverError(f"{only}: expected one of {', '.join(REVIEW_PARTS)}")
    current = case.judgements.current()
    rows = [
        _item(priority, kind, a, b, p, why)
        for priority, (name, part) in enumerate(REVIEW_PARTS.items())
        if only in (None, name)
        for kind, a, b, p, why in part(case, current, threshold)
    ]
    frame = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    return frame.head(limit).reset_index(drop=True)


Item = tuple[str, str, str | None, float | None, str]  # kind, account_a, account_b, p, why


def _changed(case: Case, current: list[Judgement], _threshold: float) -> Iterator[Item]:
    for j in current:
        now = case.judgements.disclosures_of([j.account_a, j.account_b])
        if now != json.loads(j.disclosed_by):
            yield ("changed since judged", j.account_a, j.account_b, j.probability,
                   f"{j.words}; disclosures then {len(json.loads(j.disclosed_by))}, "
                   f"now {len(now)}")  # fmt: skip


def _kept_apart(case: Case, _current: list[Judgement], _threshold: float) -> Iterator[Item]:
    for apart in sorted(case.links.kept_apart().itertuples(index=False), key=_owned_first):
        groups = apart.groups
        value = f" {apart.kind} {apart.value}" if apart.kind and apart.value else ""
        yield ("kept apart", groups[0][0], groups[1][0] if len(groups) > 1 else None, None,
               f"{apart.reason}{value}: groups of "
               f"{', '.join(str(len(g)) for g in groups)} accounts")  # fmt: skip


def _one_tie(case: Case, _current: list[Judgement], _threshold: float) -> Iterator[Item]:
    for held in sorted(case.links.held_together().itertuples(index=False), key=_stores_first):
        sides = sorted(held.groups, key=len)
        value = f" ({held.kind} {held.value})" if held.kind else ""
        kind = "joined on weak ties" if held.kind == WEAK_JOIN else "held by one tie"
        yield (kind, sides[0][0], sides[-1][0], None,
               f"{held.reason}{value}: sides of "
               f"{', '.join(str(len(g)) for g in held.groups)} accounts")  # fmt: skip


def _near(case: Case, current: list[Judgement], threshold: float) -> Iterator[Item]:
    judged = {(j.account_a, j.account_b) for j in current}
    near = case.links.near(0.5, 0.99)
    unjudged = [(a, b) not in judged for a, b in zip(near.account_a, near.account_b, strict=True)]
    near = near.loc[pd.Series(unjudged, index=near.index, dtype=bool)]  # (a list of none: columns)
    near = near.assign(distance=(near["probability"] - threshold).abs()).sort_values("distance")
    for link in near.itertuples(index=False):
        side = "above" if link.probability >= threshold else "below"
        yield ("near the threshold", link.account_a, link.account_b, link.probability,
               f"{side} the link threshold {threshold}")  # fmt: skip


def _registrants(case: Case, _current: list[Judgement], _threshold: float) -> Iterator[Item]:
    for trader in case.traders.many_registrants(4).itertuples(index=False):
        yield ("many registrants", trader.first_account, None, None,
               f"{trader.trader_id} holds {trader.registrants} registrants in "
               f"{trader.accounts} accounts")  # fmt: skip


def _leads(case: Case, _current: list[Judgement], _threshold: float) -> Iterator[Item]:
    for lead in case.links.leads().itertuples(index=False):
        yield ("one weak tie", lead.account_id, lead.best, None, _lead_words(lead))


# The parts of the queue in its order (each item's priority is its part's place), as
# `resolver review --only` names them.
REVIEW_PARTS: dict[str, Callable[[Case, list[Judgement], float], Iterator[Item]]] = {
    "changed": _changed,
    "kept-apart": _kept_apart,
    "one-tie": _one_tie,
    "near": _near,
    "registrants": _registrants,
    "leads": _leads,
}


def _lead_words(lead: Any) -> str:
    """Why an account alone is a lead (a row of `Links.leads`), in the queue's words."""
    ties = "; ".join(f"{EVIDENCE_WORDS.get(k, k)}: {v}" for k, v in zip(lead.kinds, lead.values,
                                                                       strict=True))  # fmt: skip
    weighed = not pd.isna(lead.splink_weight)
    weight = f"; the model's weight {lead.splink_weight:.1f} bits" if weighed else ""
    others = f"; it points to {lead.traders} traders" if lead.traders > 1 else ""
    tied = f"{lead.trader_id} ({len(lead.tied_to)} of its accounts)"
    return f"alone; weak ties of one kind to {tied}: {ties}{weight}{others}"


def _owned_first(apart: Any) -> bool:
    """Groups kept apart that a value of their registrant's own holds together (a bank or
    payment account, an ID number) come first, in the order clustering gave: a person's
    verdict there most often joins them (on both synthetic worlds and the hard demo, 18 of
    18 such were one trader, against 44 of 156 held by one phone)."""
    kind = VALUE_KINDS.get(apart.kind) if isinstance(apart.kind, str) else None
    return not (kind is not None and kind.owned)


def _stores_first(held: Any) -> bool:
    """Groups kept together on one tie that is one store's orders come first, in the order
    clustering gave: a purchase from a wholesaler looks the same (on both synthetic worlds and
    the hard demo, 12 of 308 such were two traders, against 1 of 623 on other ties)."""
    return held.kind != SUPPLIER_KIND


def _item(priority: int, kind: str, a: str, b: str | None, p: float | None, why: str) -> dict:
    return {"priority": priority, "kind": kind, "account_a": a, "account_b": b,
            "probability": p, "why": why}  # fmt: skip


__all__ = ["RETRACTED", "REVIEW_PARTS", "VERDICTS", "Evaluation", "evaluate", "read_exchange",
           "review_queue"]  # fmt: skip
