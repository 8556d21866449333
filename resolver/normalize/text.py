"""Width, script and spacing: the first step of every normal form."""

from __future__ import annotations

import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s.json")
_SPACE = re.compile(r"\s+")
# Punctuation that carries no identity: separators people type inconsistently in names and streets.
_NOISE = re.compile(r"[\s·•・.,，。、;；:：\"'“”‘’()（）\[\]【】{}<>《》#＃\-—_/\\|]+")
MASK = "*"
# Other characters exports hide digits with (`138xxxx5678`, `138●●●●5678`): a run of them before
# a digit is a mask. In ID numbers and USCCs a letter X is a character of the number (the check
# character, a USCC's code), so there only a run of three or more is a mask.
_OTHER_MASKS = re.compile(r"[xX●○•]+(?=\d)")
_OTHER_MASKS_BESIDE_LETTERS = re.compile(r"(?:[●○•]+|[xX]{3,})(?=\d)")
# A note after a value, in brackets (`13812345678（微信同号）`, `1101…（法人）`) or in words
# (`13812345678 王先生`): it says something about the value, not what it is. A bracket that
# holds a digit may be part of it (`(0579)`), and stays.
_BRACKET_NOTE = re.compile(r"\s*[(（\[【][^()（）\[\]【】0-9]*[)）\]】]\s*$")
_WORD_NOTE = re.compile(r"(?<=[0-9*xX])\s*[\u4e00-\u9fff]+\s*$")
# A label before a value: words in Chinese (`身份证：`, `证件号码 `), or in letters with a colon
# (`ID:`); a value opens with a digit (or a USCC's letter), a label never does.
_LABEL = re.compile(r"^(?:[\u4e00-\u9fff]+\s*[:：]?|[A-Za-z][A-Za-z .]*[:：])\s*")


def clean_text(value: str) -> str:
    """NFKC (full width -> half width, ① -> 1), traditional -> simplified, spaces collapsed."""
    text = unicodedata.normalize("NFKC", value)
    text = _T2S.convert(text)
    return _SPACE.sub(" ", text).strip()


def without_note(text: str, words: bool = False) -> str:
    """`text` without a note in brackets at its end; with `words`, nor a note in Chinese words
    after its last digit (for values that are numbers)."""
    text = _BRACKET_NOTE.sub("", text)
    return _WORD_NOTE.sub("", text) if words else text


def without_label(text: str) -> str:
    """`text` without a label before it."""
    return _LABEL.sub("", text)


def unify_masks(text: str, letters: bool = False) -> str:
    """Other mask characters as `*`, one for one; `letters`: the value may hold a letter X of
    its own (an ID number, a USCC)."""
    masks = _OTHER_MASKS_BESIDE_LETTERS if letters else _OTHER_MASKS
    return masks.sub(lambda run: MASK * len(run.group()), text)


def compact(value: str) -> str:
    """`clean_text` without any punctuation or spacing, lower-cased: a key for equality tests."""
    return squeeze(clean_text(value))


def squeeze(text: str) -> str:
    """`compact` of a text already cleaned (`clean_text`)."""
    return _NOISE.sub("", text).lower()


def partial_key(value: str, head: int, tail: int) -> str | None:
    """Key that a masked value (`138****5678`) shares with its unmasked original.

    The visible head and tail are kept and the hidden middle becomes one `*`, so a full value and
    any mask of it that shows at least `head` leading and `tail` trailing characters get the same
    key. A mask that hides more than that gives no key: it would match too many values.
    """
    if MASK in value:
        first, last = value.index(MASK), value.rindex(MASK)
        prefix, suffix = value[:first], value[last + 1 :]
    else:
        prefix = suffix = value
        if len(value) < head + tail:
            return None
    if len(prefix) < head or len(suffix) < tail:
        return None
    return f"{prefix[:head]}{MASK}{suffix[len(suffix) - tail :]}"
