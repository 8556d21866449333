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


def clean_text(value: str) -> str:
    """NFKC (full width -> half width, ① -> 1), traditional -> simplified, spaces collapsed."""
    text = unicodedata.normalize("NFKC", value)
    text = _T2S.convert(text)
    return _SPACE.sub(" ", text).strip()


def unify_masks(text: str, letters: bool = False) -> str:
    """Other mask characters as `*`, one for one; `letters`: the value may hold a letter X of
    its own (an ID number, a USCC)."""
    masks = _OTHER_MASKS_BESIDE_LETTERS if letters else _OTHER_MASKS
    return masks.sub(lambda run: MASK * len(run.group()), text)


def compact(value: str) -> str:
    """`clean_text` without any punctuation or spacing, lower-cased: a key for equality tests."""
    return _NOISE.sub("", clean_text(value)).lower()


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
