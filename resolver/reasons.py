"""Why two accounts are (or are not) one trader, in plain words: what they share, as each
disclosure wrote it and where (file, sheet, row), and what speaks against. `resolver explain`
and the evidence reports say the same sentences, in the report's language.

The sentences are built from the link as the last run stored it (its ties and its comparisons'
levels and weights): they say what the code weighed, nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from resolver.case.links import Step, Tie
from resolver.i18n import Words
from resolver.vocabulary import EVIDENCE_WORDS, SUPPLIER_KIND, VALUE_KINDS, WEAK_JOIN

# The value kinds each comparison of matching.yaml looks at: what a reader is shown of two
# accounts that differ, and the ties that already say what the comparison found.
COMPARED_KINDS = {
    "registrant_name": ("names",),
    "id_number": ("id_numbers", "lent_id_numbers", "masked_id_keys"),
    "phones": ("phones", "lent_phones", "landlines", "masked_phone_keys"),
    "bank_accounts": ("bank_accounts", "masked_bank_keys"),
    "payment_accounts": ("payment_accounts", "masked_payment_keys"),
    "addresses": ("addresses", "districts"),
    "store_names": ("store_stems",),
}
SHOWN_VALUES = 3  # values of one account named when two accounts differ
Hubs = dict[tuple[str, str], str]  # (kind, value) -> why it is a hub


@dataclass(frozen=True)
class Source:
    raw: str
    file: str
    sheet: str | None
    row: int


@dataclass(frozen=True)
class Reason:
    side: str  # "for" or "against"
    text: str


class Disclosed:
    """Accounts' values as disclosed, with the rows that disclosed them: read once for every
    account a report or an explanation speaks of (`Case.records.disclosed_values`)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._where: dict[tuple[str, str, str], list[Source]] = defaultdict(list)
        self._raw: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._held: dict[str, set[tuple[str, str]]] = defaultdict(set)  # account -> (kind, value)
        columns = ("account_id", "kind", "value", "raw", "source_file", "source_sheet",
                   "source_row")  # fmt: skip
        for account, kind, value, raw, file, sheet, row in zip(
            *(frame[c].tolist() for c in columns), strict=True
        ):
            sheet = None if sheet is None or pd.isna(sheet) else sheet
            self._where[(account, kind, value)].append(Source(raw, file, sheet, int(row)))
            self._held[account].add((kind, value))
            if raw not in self._raw[(account, kind)]:
                self._raw[(account, kind)].append(raw)

    def where(self, account: str, kind: str, value: str) -> list[Source]:
        """Where `account` disclosed `value` of `kind`; a masked key is found under the full
        kind's key too (the side that disclosed the whole number), a lent phone as a phone."""
        found = self._where.get((account, kind, value))
        known = VALUE_KINDS.get(kind)
        for other in (known.keys, known.disclosed_as) if known else ():
            if not found and other:
                found = self._where.get((account, other, value))
        return found or []

    def values(self, account: str, kind: str) -> list[str]:
        return self._raw.get((account, kind), [])

    def hubs_shared(self, account_a: str, account_b: str, hubs: Hubs) -> list[tuple[str, str]]:
        """(kind, value) of the hubs both accounts disclosed, of the kinds that tie, in order."""
        both = self._held.get(account_a, set()) & self._held.get(account_b, set())
        return sorted(held for held in both if held in hubs and VALUE_KINDS[held[0]].facet)


def hubs_of(frame: pd.DataFrame) -> Hubs:
    """The case's hubs left out of comparisons (`Case.links.hubs`; a weak one is a tie, and
    said as one): (kind, value) -> why it is a hub."""
    left_out = frame[~frame["weak"].astype(bool)]
    return dict(zip(zip(left_out["kind"], left_out["value"], strict=True),
                    left_out["reason"].tolist(), strict=True))  # fmt: skip


def reasons(
    account_a: str, account_b: str, ties: list[Tie], steps: list[Step], disclosed: Disclosed,
    t: Words, hubs: Hubs | None = None,
) -> list[Reason]:  # fmt: skip
    """What speaks for the two accounts being one trader (each tie, as disclosed and where;
    each comparison of the model that raised the weight), what both list and no comparison
    weighed (hubs: `hubs_of`), then what speaks against (each comparison that lowered it, with
    both sides' values: a hub among them is no tie)."""
    found = [Reason("for", _tie(account_a, account_b, tie, disclosed, t)) for tie in ties]
    hubs = hubs or {}
    for kind, value in disclosed.hubs_shared(account_a, account_b, hubs):
        tie = _tie(account_a, account_b, Tie(kind, value, 0.0, True), disclosed, t)
        why = t.say("hub_left_out", reason=hubs[kind, value])
        found.append(Reason("left_out", tie + why))
    tied = {tie.kind for tie in ties}
    for step in steps:
        kinds = COMPARED_KINDS.get(step.comparison, ())
        if step.weight > 0 and not tied & set(kinds):
            found.append(Reason("for", t.say("model_for", what=_compared(step, t),
                                             level=_level(step.level, t))))  # fmt: skip
        elif step.weight < 0:
            sides = ""
            if kinds:
                shown = [", ".join(_shown(disclosed, a, kinds)) or t.none_disclosed
                         for a in (account_a, account_b)]  # fmt: skip
                sides = t.say("both_sides", a=account_a, a_values=shown[0], b=account_b,
                              b_values=shown[1])  # fmt: skip
            found.append(
                Reason(
                    "against",
                    t.say(
                        "model_against",
                        what=_compared(step, t),
                        level=_level(step.level, t),
                        sides=sides,
                    ),
                )
            )
    return found


def _shown(disclosed: Disclosed, account: str, kinds: tuple[str, ...]) -> list[str]:
    """Up to SHOWN_VALUES values of these kinds an account disclosed, as written."""
    shown: list[str] = []
    for kind in kinds:
        shown += [v for v in disclosed.values(account, kind) if v not in shown]
    return shown[:SHOWN_VALUES]


def _tie(account_a: str, account_b: str, tie: Tie, disclosed: Disclosed, t: Words) -> str:
    said = _tie_kind(tie, t)
    if tie.kind not in VALUE_KINDS:  # evidence of orders: the value says how many
        count = (tie.value or "").split(" ")[0]
        value = t.say("orders_count", count=count) if count.isdigit() else tie.value or ""
        value += _carried(tie, t)
        text = t.say("tie_orders", tie=said, value=value)
    else:
        found = [
            (account, sources[0])
            for account in (account_a, account_b)
            if (sources := disclosed.where(account, tie.kind, tie.value or ""))
        ]
        if VALUE_KINDS[tie.kind].masked and len(found) == 2:  # a mask, and what it fits
            sides = [t.say("disclosed_as", raw=source.raw, where=_place(source, t),
                           account=account) for account, source in found]  # fmt: skip
            text = t.say("tie_sides", tie=said, sides=t.and_.join(sides))
        else:
            raw = found[0][1].raw if found else tie.value or ""
            text = t.say("tie_value", tie=said, value=raw)
            if found:
                places = [t.say("disclosed_at", where=_place(source, t), account=account)
                          for account, source in found]  # fmt: skip
                text += t.say("disclosed_by", places=t.and_.join(places))
    if not tie.counted:
        text += t.not_counted
    return text


def step_words(step: Step, t: Words) -> str:
    """A comparison and the level that held, as a chart labels it."""
    return f"{_compared(step, t)}: {_level(step.level, t)}"


def tie_words(tie: Tie, t: Words) -> str:
    """A tie and its value as stored, as a chart labels it."""
    said = _tie_kind(tie, t)
    return (f"{said}: {tie.value}" if tie.value else said) + _carried(tie, t)


def one_tie_words(kind: str, value: str | None, t: Words) -> str:
    """What alone holds part of a trader to the rest, as clustering found it (a row of
    `Links.held_together` that has a kind): one shared value, the orders of one store, or weak
    ties of several kinds (`value`: the kinds, joined by `+`)."""
    if kind == SUPPLIER_KIND:
        return t.say("one_tie_store", store=value)
    if kind == WEAK_JOIN:
        kinds = [_tie_kind(Tie(k, None, 0.0, True), t) for k in (value or "").split("+") if k]
        return t.say("one_tie_weak", kinds=t.list_sep.join(kinds))
    return tie_words(Tie(kind, value, 0.0, True), t)


def _carried(tie: Tie, t: Words) -> str:
    """What an order tie rests on, as clustering weighs it: the one phone its orders went to,
    else the one store that shipped them (see `clustering`)."""
    if tie.through:
        return t.say("orders_to_phone", phone=tie.through)
    return t.say("orders_from_store", store=tie.store) if tie.store else ""


def purchase_words(ways: Iterable[str], t: Words) -> str:
    """How an order was found to be a self-purchase (`Orders.self_purchases_of`), in words."""
    return t.ways_sep.join(t["purchase_" + way] for way in ways)


def worded_purchases(bought: pd.DataFrame, t: Words) -> pd.DataFrame:
    """Self-purchase orders (`Orders.self_purchases_of`) with their `ways` said in words, as
    `evidence`."""
    bought = bought.copy()
    bought["evidence"] = [purchase_words(ways, t) for ways in bought.pop("ways")]
    return bought


def _tie_kind(tie: Tie, t: Words) -> str:
    """What a kind of tie is called: the language's word, else the vocabulary's (English)."""
    return t.get("tie_" + tie.kind) or EVIDENCE_WORDS.get(tie.kind, tie.kind.replace("_", " "))


def _place(source: Source, t: Words) -> str:
    sheet = f" {source.sheet}" if source.sheet else ""
    return t.say("file_row", file=source.file, sheet=sheet, row=f"{source.row:,}")


def _compared(step: Step, t: Words) -> str:
    return t.get("comparison_" + step.comparison, step.comparison.replace("_", " "))


def _level(label: str, t: Words) -> str:
    return t.get("level_" + label, label)
