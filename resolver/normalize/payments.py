"""Payment accounts (Alipay, WeChat Pay, ...): a phone number, an e-mail or an account id.

Platforms pay traders out to them as they do to bank accounts, so two stores paid to one Alipay
account are run by whoever holds it. A payment account that is a phone number is that phone: the
case compares it with the phones sellers list too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from resolver.normalize.phones import normalize_phone
from resolver.normalize.text import MASK, clean_text, without_note

_PROVIDER = re.compile(
    r"^(?:支付宝|alipay|微信支付|微信|wechat\s*pay|wechat|财付通|tenpay|云闪付)\s*"
    r"(?:账号|账户|帐号|帐户|id|号)?\s*[:：]?\s*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"^([^@\s]+)@([a-z0-9.-]+\.[a-z]{2,})$")
# A note in Chinese words after an e-mail (`wang@qq.com 本人`, `wang@qq.com张三`): an e-mail ends
# in letters, where a number's note comes after a digit (see `text.without_note`)
_AFTER_EMAIL = re.compile(r"(?<=@)([a-z0-9.-]+\.[a-z]{2,})\s*[\u4e00-\u9fff]+\s*$", re.IGNORECASE)
# An account written in brackets after its provider's name (`支付宝（2088123456789012）`)
_IN_BRACKETS = re.compile(r"^[(（\[【]\s*([^()（）\[\]【】]+?)\s*[)）\]】]$")
_ACCOUNT_ID = re.compile(r"^[0-9a-z_.-]{6,40}$")


@dataclass(frozen=True, slots=True)
class PaymentValue:
    raw: str
    norm: str | None  # +86 phone, lower-case e-mail or account id; None when masked or unusable
    partial: str | None  # key shared by a value and its masks
    kind: str  # phone | email | id | masked | invalid
    issue: str | None = None


def is_payment_account(raw: str) -> bool:
    """Whether a value given as a bank account is a payment account (an e-mail, a phone, or
    named as Alipay / WeChat): such values are kept as payment accounts, not set aside."""
    text = without_note(clean_text(raw), words=True)
    if _PROVIDER.match(text) or "@" in text:
        return True
    return normalize_phone(text).kind == "mobile"


@lru_cache(maxsize=1 << 16)
def normalize_payment_account(raw: str) -> PaymentValue:
    """A provider's name before it (`支付宝：`, `支付宝（…）`) and a note after it (`（张三）`,
    `本人`) are no part of it."""
    text = _PROVIDER.sub("", without_note(clean_text(raw), words=True))
    text = _IN_BRACKETS.sub(r"\1", _AFTER_EMAIL.sub(r"\1", text)).replace(" ", "").lower()
    if not text:
        return PaymentValue(raw, None, None, "invalid", "empty payment account")
    email = _EMAIL.match(text)
    if email:
        local, domain = email.groups()
        if MASK in local:
            head = local.split(MASK)[0]
            key = f"{head}{MASK}@{domain}" if len(head) >= 2 else None
            return PaymentValue(raw, None, key, "masked", None if key else "mask hides too much")
        return PaymentValue(raw, text, f"{local[:2]}{MASK}@{domain}", "email")
    phone = normalize_phone(text)
    if phone.kind in ("mobile", "landline"):
        return PaymentValue(raw, phone.e164, phone.partial, "phone")
    if phone.kind == "masked":
        return PaymentValue(raw, None, phone.partial, "masked", phone.issue)
    if MASK not in text and _ACCOUNT_ID.match(text):
        return PaymentValue(raw, text, None, "id")
    return PaymentValue(raw, None, None, "invalid", "not a payment account")
