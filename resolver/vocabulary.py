"""The vocabulary every stage shares: the canonical model and the kinds of identifying values.

Disclosure -> SellerRecord (one per account per disclosure, multi-valued identifiers kept in a
long table beside it) and Order. Each kind of field names the parser a mapping gets by default.
The tables that hold them are declared in `resolver/case/schema.sql`.

Value kinds are what linkage compares, the graph draws and a report names: one table here, so
that a new kind is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    TEXT = "text"
    LIST = "list"  # several values: one per mapped column, JSON list items or split cell parts
    MONEY = "money"
    INTEGER = "integer"
    DATETIME = "datetime"
    KIND = "kind"  # person | individual_business | company


SELLER_FIELDS: dict[str, FieldKind] = {
    "account_key": FieldKind.TEXT,
    "store_name": FieldKind.TEXT,
    "alias": FieldKind.TEXT,
    "registrant_name": FieldKind.TEXT,
    "registrant_kind": FieldKind.KIND,
    "id_number": FieldKind.TEXT,
    "contact": FieldKind.TEXT,
    "phones": FieldKind.LIST,
    "addresses": FieldKind.LIST,
    "bank_accounts": FieldKind.LIST,
}
SELLER_REQUIRED = ("account_key",)

ORDER_FIELDS: dict[str, FieldKind] = {
    "order_id": FieldKind.TEXT,
    "account_key": FieldKind.TEXT,
    "product_title": FieldKind.TEXT,
    "unit_price": FieldKind.MONEY,
    "quantity": FieldKind.INTEGER,
    "discount": FieldKind.MONEY,
    "amount": FieldKind.MONEY,
    "paid_at": FieldKind.DATETIME,
    "recipient_name": FieldKind.TEXT,
    "recipient_phone": FieldKind.TEXT,
    "recipient_address": FieldKind.TEXT,
}
ORDER_REQUIRED = ("order_id", "account_key", "amount", "paid_at")

# Seller list fields and the identifier kind their values are stored under.
IDENTIFIER_KINDS = {"phones": "phone", "addresses": "address", "bank_accounts": "bank_account"}

REGISTRANT_KINDS = ("person", "individual_business", "company")
# Accounts are named `platform:key` everywhere (CLI, exports, graph); see case.disclosures.


@dataclass(frozen=True)
class ValueKind:
    """A kind of value an account holds (a column of the account records, a `kind` of the
    case's `account_values`), and how the other stages treat and name it."""

    name: str
    noun: str  # what a reader is told the value is
    in_common: str  # what a reader is told when two accounts share one
    label: str | None = None  # the graph's node label for it
    masked: bool = False  # a partial key, shared by a value and its masks
    hub_checked: bool = True  # whether too many unrelated holders make a value a hub


VALUE_KINDS = {
    kind.name: kind
    for kind in (
        ValueKind("phones", "phone", "a phone in common", "Phone"),
        ValueKind("phone_keys", "masked phone", "a masked phone in common", "Phone", masked=True),
        ValueKind("bank_accounts", "bank account", "a bank account in common", "BankAccount"),
        ValueKind(
            "bank_keys",
            "masked bank account",
            "a masked bank account in common",
            "BankAccount",
            masked=True,
        ),
        ValueKind("addresses", "address", "same address", "Address"),
        ValueKind("districts", "district", "same district", hub_checked=False),
        ValueKind("store_stems", "store or company name", "same store or company name"),
    )
}
LISTED = tuple(VALUE_KINDS)  # the list columns of an account record
HUB_CHECKED = tuple(name for name, kind in VALUE_KINDS.items() if kind.hub_checked)
# What ties two accounts besides their listed values: control evidence a link may rest on.
EVIDENCE_WORDS = {
    "id_number": "same ID number",
    "self_purchase": "self-purchase orders",
    **{name: kind.in_common for name, kind in VALUE_KINDS.items()},
}
IDENTIFIER_WORDS = {"id_number": "ID number", **{n: k.noun for n, k in VALUE_KINDS.items()}}
