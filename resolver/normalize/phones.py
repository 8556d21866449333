"""Phones to E.164, with mobile / landline told apart and masked numbers kept as partial keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from resolver.normalize.text import MASK, clean_text, partial_key, unify_masks, without_note

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_MASKED = re.compile(r"^(?:\+?86)?([\d*]{7,14})$")
# An extension after a switchboard's number (`0571-8888 1234 转 802`): the number is the
# switchboard's, which every extension shares.
_EXTENSION = re.compile(r"(?<=\d)\s*(?:转|分机|ext\.?|#)\s*\d{1,6}$", re.IGNORECASE)
# ... or after a dash (`0571-8888 1234-802`): read so only where the whole is no number and what
# precedes the dash is a landline
_DASHED_EXTENSION = re.compile(r"^(.*\d)\s*[-－]\s*\d{1,6}$")


@dataclass(frozen=True, slots=True)
class PhoneValue:
    raw: str
    e164: str | None  # None when masked or invalid: a mask is never an exact identifier
    partial: str | None  # first 3 + last 4 national digits, shared by a number and its masks
    kind: str  # mobile | landline | masked | invalid
    issue: str | None = None


@lru_cache(maxsize=1 << 18)  # the same people recur across a case's disclosures
def normalize_phone(raw: str) -> PhoneValue:
    """A note after the number (`（微信同号）`, `王先生`) and a switchboard's extension are no
    part of it."""
    text = without_note(clean_text(raw), words=True)
    found = _normalize_phone(raw, text)
    if found.kind != "invalid":
        return found
    switchboard = _DASHED_EXTENSION.match(text)
    if switchboard:
        number = _normalize_phone(raw, switchboard.group(1))
        if number.kind == "landline":
            return number
    return found


def _normalize_phone(raw: str, text: str) -> PhoneValue:
    """`raw` read from `text`, what of it may be a number (cleaned, without a note)."""
    text = unify_masks(_SEPARATORS.sub("", _EXTENSION.sub("", text)))
    if not text:
        return PhoneValue(raw, None, None, "invalid", "empty phone")
    mobile = _MOBILE.match(text)
    if mobile:  # fast path: nine numbers in ten are plain mainland mobiles
        national = mobile.group(1)
        return PhoneValue(raw, "+86" + national, partial_key(national, 3, 4), "mobile")
    if MASK in text:
        masked = _MASKED.match(text)
        if not masked:
            return PhoneValue(raw, None, None, "invalid", "unrecognised masked phone")
        # A landline's trunk 0 is not part of its national number: drop it so keys agree.
        key = partial_key(masked.group(1).removeprefix("0"), 3, 4)
        issue = None if key else "mask hides too much to compare"
        return PhoneValue(raw, None, key, "masked", issue)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return PhoneValue(raw, None, None, "invalid", "not a phone number")
    if not phonenumbers.is_valid_number(number):
        return PhoneValue(raw, None, None, "invalid", "not a valid phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    number_type = phonenumbers.number_type(number)
    kind = "mobile" if number_type == phonenumbers.PhoneNumberType.MOBILE else "landline"
    national = phonenumbers.national_significant_number(number)
    return PhoneValue(raw, e164, partial_key(national, 3, 4), kind)


def plain_mobiles(values: pd.Series) -> pd.DataFrame:
    """`normalize_phone` for the bulk of values, in Arrow kernels: plain ASCII mainland mobiles
    (`13812345678`, `+86 138-1234-5678`). Rows it does not handle are missing from the result;
    `normalize_phone` takes those. A test holds the two to the same answers."""
    text = pa.array(values, type=pa.string())
    digits = pc.replace_substring_regex(text, r"[ \-()]", "")
    # struct_field, not .field(): a child array does not carry its parent's nulls
    national = pc.struct_field(pc.extract_regex(digits, r"^(?:\+?86)?(?P<n>1[3-9]\d{9})$"), "n")
    handled = pc.fill_null(pc.is_valid(national), False).to_numpy(zero_copy_only=False)
    national = national.filter(pc.is_valid(national))
    partial = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(national, 0, 3), pc.utf8_slice_codeunits(national, 7, 11), "*"
    )
    frame = pd.DataFrame(
        {
            "raw": values[handled].to_numpy(),
            "e164": pc.binary_join_element_wise("+86", national, "").to_numpy(zero_copy_only=False),
            "partial": partial.to_numpy(zero_copy_only=False),
            "kind": "mobile",
            "issue": None,
        },
        index=values.index[handled],
    )
    return frame
