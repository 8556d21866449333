"""Phones to E.164, with mobile / landline told apart and masked numbers kept as partial keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from resolver.normalize.text import MASK, clean_text, partial_key

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_MASKED = re.compile(r"^(?:\+?86)?([\d*]{7,14})$")


@dataclass(frozen=True, slots=True)
class PhoneValue:
    raw: str
    e164: str | None  # None when masked or invalid: a mask is never an exact identifier
    partial: str | None  # first 3 + last 4 national digits, shared by a number and its masks
    kind: str  # mobile | landline | masked | invalid
    issue: str | None = None


def normalize_phone(raw: str) -> PhoneValue:
    text = _SEPARATORS.sub("", clean_text(raw))
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
