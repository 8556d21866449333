"""Normal forms for Chinese seller data, one module per kind of value.

Every normaliser takes one raw string and returns a small frozen dataclass that keeps the raw
value beside its normal form, so nothing an investigator was given is ever overwritten.
"""

from resolver.normalize.addresses import AddressValue, normalize_address
from resolver.normalize.companies import company_stem, infer_kind, looks_like_entity
from resolver.normalize.identifiers import (
    BankAccountValue,
    IdValue,
    normalize_bank_account,
    normalize_id_number,
)
from resolver.normalize.names import NameValue, normalize_name
from resolver.normalize.payments import PaymentValue, is_payment_account, normalize_payment_account
from resolver.normalize.phones import PhoneValue, normalize_phone
from resolver.normalize.text import clean_text

__all__ = [
    "AddressValue",
    "BankAccountValue",
    "IdValue",
    "NameValue",
    "PaymentValue",
    "PhoneValue",
    "clean_text",
    "company_stem",
    "infer_kind",
    "is_payment_account",
    "looks_like_entity",
    "normalize_address",
    "normalize_bank_account",
    "normalize_id_number",
    "normalize_name",
    "normalize_payment_account",
    "normalize_phone",
]
