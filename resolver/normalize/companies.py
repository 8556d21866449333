"""Company and store names reduced to the stem that ties a company to its stores.

`义乌市晨光日用品有限公司`, `晨光日用品旗舰店` and `晨光日用品（个体工商户）` share
the stem `晨光日用品`.
Written here with a suffix table because no maintained library strips Chinese legal forms and
store suffixes together (cleanco knows only Latin legal forms).
"""

from __future__ import annotations

import re

from resolver.normalize.addresses import strip_leading_divisions
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
)
_SUFFIXES = tuple(sorted(LEGAL_FORMS + STORE_SUFFIXES, key=len, reverse=True))
_BRACKETED_FORM = re.compile(r"[(（](?:个体工商户|个体|普通合伙|有限合伙)[)）]")


def company_stem(raw: str) -> str:
    """Strip the region prefix, legal form and store suffixes; keep what names the business."""
    text = compact(_BRACKETED_FORM.sub("", raw))
    text = strip_leading_divisions(text) or text
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                stripped = True
                break
    return text


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
