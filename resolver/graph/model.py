"""The graph's model as data: which frame of `load.graph_frames` makes which nodes and
relationships, with which properties. It is what the loader's statements (`load.STATEMENTS`)
write; the neo4j-admin export and the embedded bulk load write the same from it, and the tests
check that each holds what a graph the loader filled holds."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from resolver.vocabulary import VALUE_KINDS

IDENTIFIER_LABELS = sorted(
    {kind.label for kind in VALUE_KINDS.values() if kind.label} | {"IdNumber", "Name"}
)


@dataclass(frozen=True)
class Nodes:
    label: str
    frame: str  # of graph_frames
    key: str  # the column that identifies a node (its property of the same name)
    properties: tuple[str, ...]  # columns stored as properties of the same name

    def rows(self, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """One row per node: a frame may name a node several times (an identifier once per
        account holding it), and MERGE then SET leaves the last."""
        return frames[self.frame].drop_duplicates(subset=[self.key], keep="last")


@dataclass(frozen=True)
class Relationships:
    type: str
    frame: str
    start: tuple[str, str]  # (label, column holding its key)
    end: tuple[str, str]
    properties: dict[str, str]  # property -> column

    def rows(self, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """One row per (start, end) pair: MERGE makes one relationship of a type between two
        nodes, and SET leaves the last row's properties."""
        return frames[self.frame].drop_duplicates(subset=[self.start[1], self.end[1]], keep="last")


IDENTIFIER_PROPERTIES = ("value", "masked", "hub")
ORDER_PROPERTIES = ("platform", "order_id", "product_title", "amount_fen", "quantity",
                    "unit_price_fen", "paid_at", "recipient_name", "recipient_phone",
                    "recipient_address", "self_purchase", "provenance", "trader_id",
                    "network_id")  # fmt: skip

NODES = (
    Nodes("Disclosure", "disclosures", "disclosure_id", ("file_name", "platform", "ingested_at")),
    Nodes("Trader", "traders", "trader_id",
          ("retired", "names", "account_count", "platforms", "network_id")),
    Nodes("Account", "accounts", "account_id",
          ("platform", "account_key", "store_name", "registrant_name", "registrant_kind",
           "trader_id", "probability", "network_id")),
    *(Nodes(label, f"identifiers_{label}", "key", IDENTIFIER_PROPERTIES)
      for label in IDENTIFIER_LABELS),
    Nodes("Order", "orders", "key", ORDER_PROPERTIES),
)  # fmt: skip
RELATIONSHIPS = (
    Relationships("MERGED_INTO", "merged", ("Trader", "retired"), ("Trader", "kept"), {}),
    Relationships("OPERATES", "operates", ("Trader", "trader_id"), ("Account", "account_id"),
                  {"probability": "probability"}),
    Relationships("DISCLOSED_IN", "account_sources", ("Account", "account_id"),
                  ("Disclosure", "disclosure_id"), {"sheet": "sheet", "row": "row"}),
    *(Relationships("REGISTERED_WITH", f"identifiers_{label}", ("Account", "account_id"),
                    (label, "key"), {"sources": "sources"}) for label in IDENTIFIER_LABELS),
    Relationships("LINKED", "links", ("Account", "account_a"), ("Account", "account_b"),
                  {"probability": "probability", "match_weight": "match_weight",
                   "evidence": "evidence"}),
    Relationships("JUDGED", "judged", ("Account", "account_a"), ("Account", "account_b"),
                  {"verdict": "verdict", "by": "author", "at": "judged_at", "reason": "reason",
                   "seq": "seq"}),
    Relationships("SOLD", "orders", ("Account", "account_id"), ("Order", "key"), {}),
    *(Relationships("SHIPS_TO", f"ships_to_{label}", ("Order", "order"), (label, "key"), {})
      for label in ("Phone", "Address")),
)  # fmt: skip


def first_load_counts(frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Rows of each frame a first load wrote, by frame name (as the loader counts them)."""
    names = {spec.frame for spec in NODES} | {rel.frame for rel in RELATIONSHIPS}
    return {name: len(frames[name]) for name in frames if name in names}
