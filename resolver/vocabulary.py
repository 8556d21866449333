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

# Courtesy titles a person is named by (Mr, Ms, Miss): after a surname alone, a name that hides
# the given name (`张先生`, see `resolver.case.orders`); after a full name, no part of it
COURTESY_TITLES = ("先生", "女士", "小姐")


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
    "registrant_name": FieldKind.TEXT,  # the person or entity the store is registered to
    "registrant_kind": FieldKind.KIND,
    "id_number": FieldKind.TEXT,  # the registrant's ID card number or USCC
    "legal_representative": FieldKind.TEXT,  # the person behind an entity (法定代表人, 经营者)
    "legal_representative_id": FieldKind.TEXT,  # that person's ID card number
    "contact": FieldKind.TEXT,  # the contact person's name
    "phones": FieldKind.LIST,
    "addresses": FieldKind.LIST,
    "bank_accounts": FieldKind.LIST,
    "payment_accounts": FieldKind.LIST,  # Alipay, WeChat Pay, ...: phone, e-mail or account id
}
# The people and entities behind a store, by role: (name field, kind field, ID field). A store
# that changed hands lists several registrants, each kept with the rows that disclose it.
PARTY_FIELDS: dict[str, tuple[str, str | None, str | None]] = {
    "registrant": ("registrant_name", "registrant_kind", "id_number"),
    "legal_representative": ("legal_representative", None, "legal_representative_id"),
    "contact": ("contact", None, None),
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
IDENTIFIER_KINDS = {
    "phones": "phone",
    "addresses": "address",
    "bank_accounts": "bank_account",
    "payment_accounts": "payment_account",
}

REGISTRANT_KINDS = ("person", "individual_business", "company")
# Accounts are named `platform:key` everywhere (CLI, exports, graph); see case.disclosures.


@dataclass(frozen=True)
class ValueKind:
    """A kind of identifying value an account holds (a `kind` of the case's `account_values`,
    a list column of the account records), or of evidence two accounts share, and how the
    stages treat and name it.

    A tie is a value two accounts share (or evidence they share, such as self-purchase orders).
    Ties fall into facets: within a facet only the strongest counts (an address and a landline
    of one home say one thing); across facets they add up. A strong tie links two accounts on
    its own; a weak one never does, but two weak ties of different facets can.
    """

    name: str
    noun: str  # what a reader is told the value is
    in_common: str  # what a reader is told when two accounts share one
    label: str | None = None  # the graph's node label for it
    facet: str | None = None  # what a shared value says: None for values that are no tie
    strong: bool = False
    keys: str | None = None  # a masked kind: the kind holding every key it is compared with
    hub_checked: bool = True  # whether many unrelated holders make a value a hub
    ties_networks: bool = False  # full values that tie traders into one network
    # a value an agency lends the stores it runs (its contact phone): listed beside a store's
    # own, it is an add-on; a bank or payment account or an ID number is the registrant's own
    lent: bool = False
    # the kind a value of this one is disclosed under (a phone lent as an add-on is a phone)
    disclosed_as: str | None = None

    @property
    def masked(self) -> bool:
        return self.keys is not None

    @property
    def owned(self) -> bool:
        """A strong value no one lends (a bank or payment account, an ID number): two
        accounts that share one share their registrant's money or identity."""
        return self.strong and not self.lent


def _kinds(*kinds: ValueKind) -> dict[str, ValueKind]:
    return {kind.name: kind for kind in kinds}


VALUE_KINDS = _kinds(
    ValueKind("id_numbers", "ID number", "same ID number", "IdNumber", "identity", strong=True,
              ties_networks=True),
    ValueKind("lent_id_numbers", "ID number of a legal representative of several companies",
              "a legal representative's ID number in common", facet="identity",
              hub_checked=False, disclosed_as="id_numbers"),
    ValueKind("id_keys", "ID number key", "same ID number key"),
    ValueKind("masked_id_keys", "masked ID number", "a masked ID number that fits", "IdNumber",
              "identity", keys="id_keys"),
    ValueKind("bank_accounts", "bank account", "a bank account in common", "BankAccount", "money",
              strong=True, ties_networks=True),
    ValueKind("bank_keys", "bank account key", "same bank account key"),
    ValueKind("masked_bank_keys", "masked bank account", "a masked bank account that fits",
              "BankAccount", "money", keys="bank_keys"),
    ValueKind("payment_accounts", "payment account", "a payment account in common",
              "PaymentAccount", "money", strong=True, ties_networks=True),
    ValueKind("payment_keys", "payment account key", "same payment account key"),
    ValueKind("masked_payment_keys", "masked payment account", "a masked payment account that fits",
              "PaymentAccount", "money", keys="payment_keys"),
    ValueKind("phones", "mobile phone", "a mobile phone in common", "Phone", "phone", strong=True,
              ties_networks=True, lent=True),
    ValueKind("phone_keys", "phone key", "same phone key"),
    ValueKind("masked_phone_keys", "masked phone", "a masked phone that fits", "Phone", "phone",
              keys="phone_keys"),
    ValueKind("lent_phones", "mobile phone listed as an add-on", "an add-on mobile phone in common",
              facet="phone", hub_checked=False, disclosed_as="phones"),
    ValueKind("landlines", "landline", "a landline in common", "Phone", "household",
              ties_networks=True),
    ValueKind("addresses", "address", "same address", "Address", "household", ties_networks=True),
    ValueKind("districts", "district", "same district", hub_checked=False),
    ValueKind("store_stems", "store or company name", "same store or company name", facet="brand"),
    ValueKind("names", "name", "same name", "Name", hub_checked=False),
    ValueKind("name_pinyins", "name in pinyin", "same name in pinyin", hub_checked=False),
)  # fmt: skip
# Evidence that is not a value: orders of one account shipped to another's registrant.
ORDER_TIES = _kinds(
    ValueKind("self_purchase", "self-purchase order", "self-purchase orders", facet="orders",
              strong=True, hub_checked=False),
    # orders to one of its people by name that prove too little to be self-purchases (one at a
    # masked phone that fits; any to a name that says little: common, shown in part, the same
    # in sound only, or two accounts' people's at that place), weighed with what they rest on:
    # at a masked phone that fits (as a masked phone is), at its address or landline (as a home)
    ValueKind("self_purchase_phone", "self-purchase order", "an order to a name its person "
              "may bear, at a masked phone that fits", facet="phone", hub_checked=False),
    ValueKind("self_purchase_home", "self-purchase order", "an order to a name its person "
              "may bear, at its address", facet="household", hub_checked=False),
)  # fmt: skip
TIE_KINDS = {n: k for n, k in (VALUE_KINDS | ORDER_TIES).items() if k.facet is not None}
# The `kind` of a store among the hubs whose orders reach unrelated groups' people, and tie none
# of them (it sells to them: see `linkage.evidence.suppliers`); its `value` is the account.
SUPPLIER_KIND = "stores"
# The `kind` of what clustering lists for review about an account joined to a trader on weak
# ties of several kinds (see `linkage.clustering.join_on_weak_ties`).
WEAK_JOIN = "weak_ties"
# The list columns of an account record: every kind but the names of its people.
LISTED = tuple(name for name in VALUE_KINDS if name not in ("names", "name_pinyins"))
# Masked keys are hubs when their key is (see the case's `kept_values`).
HUB_CHECKED = tuple(n for n, k in VALUE_KINDS.items() if k.hub_checked and not k.masked)
EVIDENCE_WORDS = {name: kind.in_common for name, kind in (VALUE_KINDS | ORDER_TIES).items()}
IDENTIFIER_WORDS = {name: kind.noun for name, kind in VALUE_KINDS.items()}
