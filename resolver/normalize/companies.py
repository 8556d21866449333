"""Company and store names reduced to the stem that ties a company to its stores.

`义乌市晨光日用品有限公司`, `晨光日用品旗舰店` and `晨光日用品（个体工商户）` share
the stem `晨光日用品`. A registered company name is region + trade name + trade + legal form;
its region and a trade that only companies name (`商贸`, `电子商务`, `科技`) go with the legal
form, so `汕头美嘉百货商贸有限公司` meets its store `美嘉百货专卖店` at `美嘉百货`; a store's
number among a trader's stores (`美嘉百货2店`, `二店`, `3号店`, `分店`, `旗舰店2`) goes too.
Written here with a suffix table because no maintained library strips Chinese legal forms and
store suffixes together (cleanco knows only Latin legal forms).
"""

from __future__ import annotations

import re

from resolver.normalize.addresses import (
    is_division_name,
    strip_leading_city,
    strip_leading_divisions,
)
from resolver.normalize.text import compact

LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "个体工商户",
    "合伙企业",
    "个人独资企业",
    "经营部",
    "门市部",
    "商行",
    "工作室",
    "厂",
)
STORE_SUFFIXES = (
    "官方旗舰店",
    "旗舰店",
    "专营店",
    "专卖店",
    "企业店",
    "官方店",
    "直营店",
    "工厂店",
    "折扣店",
    "优选",
    "严选",
    "精选",
    "小铺",
    "好物",
    "铺子",
    "生活馆",
    "商城",
    "官方",
    "的小店",
    "小店",
    "的店",
    "店铺",
    "网店",
    "店",
    "flagshipstore",
    "officialstore",
    "store",
    "shop",
)
# Trades that a company's registered name gives and its stores do not: what sells goes on
# (`服饰`, `日用品`), how it trades goes with the legal form.
COMPANY_TRADES = (
    "供应链管理",
    "电子商务",
    "网络技术",
    "信息技术",
    "技术服务",
    "科技发展",
    "品牌管理",
    "企业管理",
    "文化传媒",
    "文化传播",
    "网络科技",
    "电子科技",
    "信息科技",
    "国际贸易",
    "供应链",
    "进出口",
    "商贸",
    "贸易",
    "电商",
    "科技",
    "实业",
    "商务",
    "集团",
)
_SUFFIXES = tuple(sorted(LEGAL_FORMS + STORE_SUFFIXES, key=len, reverse=True))
# A note in brackets in a name: its legal form (`晨光日用品（个体工商户）`), its region, as a
# registered name may give it after the trade name (`美嘉（杭州）科技有限公司`, `…（中国）…`),
# or the platform a store is on (`美嘉百货专卖店（天猫）`, or after a dash: `…旗舰店-淘宝`)
_BRACKETED = re.compile(r"[(（【\[]([^()（）【】\[\]]{1,12})[)）】\]]")
_BRACKETED_FORMS = frozenset(("个体工商户", "个体", "普通合伙", "有限合伙", "中国"))
PLATFORM_NAMES = (
    "天猫",
    "淘宝",
    "京东",
    "拼多多",
    "抖音",
    "快手",
    "小红书",
    "唯品会",
    "苏宁",
    "1688",
)
_PLATFORM_AFTER_DASH = re.compile(rf"\s*[-—–_－]\s*(?:{'|'.join(PLATFORM_NAMES)})店?\s*$")
# ... or the place a store is a branch in, after a dash (`美嘉百货-北京店`, `…—义乌分店`)
_PLACE_AFTER_DASH = re.compile(r"\s*[-—–_－]\s*([\u4e00-\u9fff]{2,8}?)分?店?\s*$")
# A store's number among its trader's stores, before the final 店 (`2店`, `二店`, `3号店`,
# `分店`) or after it (`旗舰店2`)
_BRANCH = re.compile(
    r"(?:(?:(?<![0-9])[0-9]{1,2}|(?<![一二三四五六七八九十])[一二三四五六七八九十]{1,2})号?分?|分)"
    r"(?=店$)"  # before the final 店, a number of its own (not the end of `1688`)
    r"|(?<=店)[0-9]{1,2}$"  # after it
)
SHORTEST_STEM = 2  # characters a stem keeps when a store's number, a trade or a region goes
# ... and when a city's short name goes: a trade name and what it sells (`美嘉百货`) are four or
# more, and a brand that opens like a city (`阿里巴巴`, `大理石材`) keeps it
AFTER_CITY = 4


def company_stem(raw: str) -> str:
    """Strip the region prefix, legal form and store suffixes (and, of a company, the trade it
    names as companies do; of a store, its number); keep what names the business."""
    bare = _PLACE_AFTER_DASH.sub(_unless_a_place, _PLATFORM_AFTER_DASH.sub("", raw))
    named = compact(_BRACKETED.sub(_unless_a_name, bare))
    text = strip_leading_divisions(named) or named
    text = _unless_too_short(text, _BRANCH.sub("", text), "店")
    text, lost = _strip(text, _SUFFIXES)
    if lost & set(LEGAL_FORMS):
        text = _unless_too_short(text, _strip(text, COMPANY_TRADES)[0])
        if named.startswith(text):  # its region, when no full name or province gave one
            text = _unless_too_short(text, strip_leading_city(text), shortest=AFTER_CITY)
    return text


def _unless_a_name(bracketed: re.Match[str]) -> str:
    """A note in brackets left out where it gives a legal form, a region or a platform; what
    else it says stays (without its brackets)."""
    note = compact(bracketed.group(1))
    if note in _BRACKETED_FORMS or note in PLATFORM_NAMES or is_division_name(note):
        return ""
    return bracketed.group(1)


def _unless_a_place(branch: re.Match[str]) -> str:
    """A branch's place after a dash left out where it names a division (a city, a district);
    what else it says stays."""
    return "" if is_division_name(branch.group(1)) else branch.group()


def _unless_too_short(text: str, shorter: str, suffix: str = "", shortest: int = 0) -> str:
    """`shorter`, unless less than SHORTEST_STEM (or `shortest`) is left of it without
    `suffix`."""
    return shorter if len(shorter.removesuffix(suffix)) >= max(shortest, SHORTEST_STEM) else text


def _strip(text: str, suffixes: tuple[str, ...]) -> tuple[str, set[str]]:
    """`text` without any of `suffixes` at its end, again and again (never to nothing), and
    the suffixes it lost."""
    lost: set[str] = set()
    stripped = True
    while stripped:
        stripped = False
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                lost.add(suffix)
                stripped = True
                break
    return text, lost


_ENTITY_WORDS = ("公司", "企业", "商行", "经营部", "门市部", "工作室", "中心", "店", "厂", "个体")


def looks_like_entity(name: str) -> bool:
    """Whether a name names a business rather than a person: it carries a legal form or a
    business word, or is longer than a person's name. Exports put a legal representative's
    name where the company's belongs; such a name is no company stem."""
    text = compact(name)
    if not text:
        return False
    return any(word in text for word in _ENTITY_WORDS) or len(text) > 5


def infer_kind(name: str, id_kind: str | None = None, uscc: str | None = None) -> str:
    """person | individual_business | company, from the identifier first, then the name."""
    if id_kind == "uscc" and uscc:
        # USCC position 2 is the registration type: 2 (under authority 9) is an individual business.
        return "individual_business" if uscc[:2] == "92" else "company"
    if id_kind == "id_card":
        return "person"
    text = compact(name)
    if "个体" in text or text.endswith(("经营部", "商行", "门市部", "工作室")):
        return "individual_business"
    if text.endswith(("公司", "企业", "厂")):
        return "company"
    return "person"
