"""Person names: Han characters, toneless pinyin (with surname readings), surname and given name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin

from resolver.normalize.text import clean_text, squeeze, without_note
from resolver.vocabulary import COURTESY_TITLES

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
# The commoner surnames (some 96% of people): a word in letters that reads as none of them is no
# surname, so a name in letters whose last word alone reads as one is written given name first.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳"
    "甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解"
    "牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗"
    "燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索"
    "宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危"
    "玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由洪"
)
_LETTERS = re.compile(r"[a-z]+", re.IGNORECASE)
_TITLE = re.compile(f"(?:{'|'.join(COURTESY_TITLES)})$")


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
    """A note in brackets after a person's name (`张三（店主）`) is no part of it, nor a courtesy
    title after a full name (`张三先生`); after a surname alone (`张先生`) the title stays, and
    the name is a surname's (see `resolver.case.orders`)."""
    text = clean_text(raw)
    bare = without_note(text)
    if bare != text and _person_like(squeeze(bare)):
        text = bare
    norm = squeeze(text)
    if not _HAN.match(norm):  # Latin or mixed names: the compact form, surname first
        return NameValue(raw, norm, surname_first(text) or norm, "", "")
    untitled = _TITLE.sub("", norm)
    if untitled != norm and untitled not in COMPOUND_SURNAMES and split_surname(untitled)[1]:
        norm = untitled
    surname, given = split_surname(norm)
    surname_pinyin = SURNAME_READINGS.get(surname) or "".join(map(char_pinyin, surname))
    return NameValue(raw, norm, surname_pinyin + "".join(map(char_pinyin, given)), surname, given)


def _person_like(name: str) -> bool:
    """Whether a compact name may be a person's: a few Han characters, or letters."""
    return (bool(_HAN.match(name)) and len(name) <= 4) or (name.isascii() and name.isalpha())


def surname_first(name: str) -> str | None:
    """A name in letters as one word, surname first (`zhangsan`): the one word in capitals
    among others that are not (`San ZHANG`, as passports write a surname), else the last word
    where only it reads as a common surname (`Xiuying Wang`), else the first. None for a name
    of fewer than two words."""
    words = _LETTERS.findall(name)
    if len(words) < 2:
        return None
    capitals = [w for w in words if w.isupper() and len(w) > 1]
    sounds = surname_sounds()
    if len(capitals) == 1 and len(capitals) < len(words):
        first = words.index(capitals[0])
    elif words[-1].lower() in sounds and words[0].lower() not in sounds:
        first = len(words) - 1
    else:
        first = 0
    return "".join([words[first], *words[:first], *words[first + 1 :]]).lower()


@cache
def surname_sounds() -> frozenset[str]:
    """How the common surnames read in toneless pinyin."""
    singles = (SURNAME_READINGS.get(c) or char_pinyin(c) for c in COMMON_SURNAMES)
    doubles = (SURNAME_READINGS.get(s) or "".join(map(char_pinyin, s)) for s in COMPOUND_SURNAMES)
    return frozenset((*singles, *doubles))


@cache
def char_pinyin(char: str) -> str:
    """A character's own reading. Names are read character by character, not as phrases, so
    the same character always gives the same key (and a few thousand characters cover names)."""
    return lazy_pinyin(char, style=Style.NORMAL)[0]
