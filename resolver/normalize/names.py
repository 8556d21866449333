"""Person names: Han characters, toneless pinyin (with surname readings), surname and given name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin

from resolver.normalize.text import compact

COMPOUND_SURNAMES = frozenset(
    (
        "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 澹台 "
        "轩辕 独孤 南宫 西门 闻人 呼延 万俟 申屠 太史 钟离 宗政 濮阳 公冶 赫连 百里 东郭"
    ).split()
)
# pypinyin reads these characters by their common word reading; as surnames they read otherwise.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "覃": "qin",
    "乐": "yue",
    "盖": "ge",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "缪": "miao",
    "种": "chong",
    "隗": "wei",
    "秘": "bi",
    "折": "she",
    "员": "yun",
    "繁": "po",
    "黑": "he",
    "翟": "zhai",
    "召": "shao",
    "洗": "xian",
    "沈": "shen",
    "长孙": "zhangsun",
    "重": "chong",
}
_HAN = re.compile(r"^[\u3400-\u9fff]+$")


@dataclass(frozen=True, slots=True)
class NameValue:
    raw: str
    norm: str  # width, script and punctuation normalised ("王 偉" -> "王伟")
    pinyin: str  # toneless, no spaces, surname reading applied ("单雄信" -> "shanxiongxin")
    surname: str
    given: str


def split_surname(name: str) -> tuple[str, str]:
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=1 << 18)  # the same people recur across a case's disclosures
def normalize_name(raw: str) -> NameValue:
    norm = compact(raw)
    if not _HAN.match(norm):  # Latin or mixed names: the compact form is the only key
        return NameValue(raw, norm, norm, "", "")
    surname, given = split_surname(norm)
    surname_pinyin = SURNAME_READINGS.get(surname) or "".join(map(char_pinyin, surname))
    return NameValue(raw, norm, surname_pinyin + "".join(map(char_pinyin, given)), surname, given)


@cache
def char_pinyin(char: str) -> str:
    """A character's own reading. Names are read character by character, not as phrases, so
    the same character always gives the same key (and a few thousand characters cover names)."""
    return lazy_pinyin(char, style=Style.NORMAL)[0]
