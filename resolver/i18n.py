"""The languages reports and explanations are written in: one catalogue of words per language,
shipped as data (`resolver/defaults/locale/*.yaml`), and the few forms that differ by language
(money in prose, moments). A Chinese court reads Chinese: `zh` is the shipped default
(`config/report.yaml`); `en` is for the rest of the team.

Probabilities print the same in every language, and never round up to certainty.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from resolver.errors import ResolverError
from resolver.money import yuan

LANGUAGES = ("zh", "en")
LOCALES = Path(__file__).resolve().parent / "defaults" / "locale"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Fonts by name, Simplified Chinese first (a Chinese name in a page marked English otherwise gets
# a Japanese font's forms), then each system's own: Noto / Source Han (Linux: fonts-noto-cjk),
# PingFang and Hiragino (macOS), Microsoft YaHei (Windows), WenQuanYi (Linux: fonts-wqy-*).
# Print puts fonts with TrueType outlines first: Chromium embeds them in a PDF as CID fonts
# whose text every reader extracts as written; OpenType-CFF fonts (Noto CJK) become Type 3
# fonts, whose text some readers give as radicals (⼈ for 人), which a search does not find.
SCREEN_CJK = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)
PRINT_CJK = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Hiragino Sans GB",
)
LATIN = ("Noto Sans", "Segoe UI", "Arial")


@dataclass(frozen=True)
class Fonts:
    screen: str  # CSS font-family lists
    print: str


def _family(*names: str) -> str:
    return ", ".join(f'"{name}"' for name in names) + ", sans-serif"


FONTS = {
    "zh": Fonts(_family(*SCREEN_CJK), _family(*PRINT_CJK)),
    "en": Fonts(_family(*LATIN, *SCREEN_CJK), _family(*LATIN, *PRINT_CJK)),
}


class Words(dict[str, str]):
    """A catalogue: key -> text. A key it lacks is a bug worth a loud error, not a blank."""

    def __init__(self, lang: str, entries: dict[str, str]) -> None:
        super().__init__(entries)
        self.lang = lang

    def __missing__(self, key: str) -> str:
        raise KeyError(f"locale {self.lang}: no text for {key!r}")

    def __getattr__(self, key: str) -> str:  # templates write t.key
        try:
            return self[key]
        except KeyError as err:
            raise AttributeError(str(err)) from None

    def say(self, key: str, **values: object) -> str:
        """The text of `key` with its `{placeholders}` filled."""
        return self[key].format(**values)


@cache
def words(lang: str) -> Words:
    """The catalogue of a language of LANGUAGES."""
    if lang not in LANGUAGES:
        raise ResolverError(f"{lang!r}: reports are written in {' or '.join(LANGUAGES)}")
    entries = yaml.safe_load((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8"))
    return Words(lang, {str(k): str(v) for k, v in entries.items()})


def is_wide(char: str) -> bool:
    """A character that takes two columns of a terminal or a spreadsheet, and a full em of a
    line: Chinese, and full-width forms."""
    return unicodedata.east_asian_width(char) in "WF"


def display_width(text: str) -> int:
    """Columns a text needs: a wide character takes two."""
    return sum(2 if is_wide(c) else 1 for c in text)


def probability_text(probability: float) -> str:
    """Four decimals, but never a certainty the model cannot give: 0.99999 (or a float
    that rounded to 1) is `> 0.9999`, not `1.0000`; 0.00001 is `< 0.0001`, not `0.0000`."""
    if probability >= 0.9999:
        return "> 0.9999"
    if 0 < probability < 0.0001:
        return "< 0.0001"
    return f"{probability:.4f}"


def money_words(fen: int, lang: str) -> str:
    """An amount in prose: `人民币1,234.56元` or `CNY 1,234.56` (exact: integer fen)."""
    figure = yuan(fen, symbol="")
    return f"人民币{figure}元" if lang == "zh" else f"CNY {figure}"


def local_time(moment: dt.datetime | str) -> str:
    """A moment as `YYYY-MM-DD HH:MM:SS` in Asia/Shanghai (naive moments are taken as UTC,
    as the case stores them)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
