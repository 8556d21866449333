"""The canonical model every disclosure is mapped to, whatever its platform's shape.

Disclosure -> SellerRecord (one per account per disclosure, multi-valued identifiers kept in a
long table beside it) and Order. Each kind of field names the parser a mapping gets by default.
The DuckDB tables that hold them are declared in `resolver.case`.
"""

from __future__ import annotations

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
# Accounts are named `platform:key` everywhere (CLI, exports, graph); see ingest._store.
