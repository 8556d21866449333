"""Stable trader ids across runs.

Each group of accounts keeps the id its accounts already had. When groups merge, the oldest id
stays and the others are retired, pointing to it; when a group splits, the part holding most of
its accounts keeps the id and the others get new ones. Every change is an event in the case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ID_PREFIX = "TR"


def format_id(number: int) -> str:
    return f"{ID_PREFIX}{number:06d}"


def id_number(trader_id: str) -> int:
    return int(trader_id.removeprefix(ID_PREFIX))


@dataclass
class Assignment:
    trader_of: dict[str, str]  # account -> trader id
    created: list[str] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (retired id, kept id)
    split: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id split off)
    joined: list[tuple[str, str]] = field(default_factory=list)  # (new account, existing trader)


def assign_ids(groups: list[list[str]], previous: dict[str, str], next_number: int) -> Assignment:
    """Give each group an id, keeping `previous` ids (account -> id) wherever they still fit."""
    holders: dict[str, Counter] = {}  # old id -> how many of its accounts each group holds
    for index, group in enumerate(groups):
        for account in group:
            if account in previous:
                holders.setdefault(previous[account], Counter())[index] += 1
    # An old id goes to the group holding most of its accounts (ties: the earliest group).
    owner = {
        old: max(counts.items(), key=lambda item: (item[1], -item[0]))[0]
        for old, counts in holders.items()
    }
    owned: dict[int, list[str]] = {}
    for old, index in owner.items():
        owned.setdefault(index, []).append(old)
    result = Assignment({})
    for index, group in enumerate(groups):
        ids = sorted(owned.get(index, []), key=id_number)
        if ids:
            trader, retired = ids[0], ids[1:]
            result.merged += [(old, trader) for old in retired]
        else:
            trader = format_id(next_number)
            next_number += 1
            result.created.append(trader)
            origins = {previous[a] for a in group if a in previous}
            result.split += [(old, trader) for old in sorted(origins)]
        existing = bool(ids)
        for account in group:
            result.trader_of[account] = trader
            if account not in previous and existing:
                result.joined.append((account, trader))
    return result
