"""Control evidence: what ties two accounts to one controller, whatever names they are
registered under (fronts and relatives differ in name, ID and address by design).

Each tie (a value the two accounts share, or self-purchase orders) weighs the bits
`matching.yaml` gives its kind. Ties of one facet say one thing (an address and a landline of
one home): only the strongest counts. Facets add up. A strong tie links on its own; a weak one
never does, but two weak ties of different facets can. A pair with no tie has no control
evidence at all (not zero bits): its link weight is the model's.
"""

from __future__ import annotations

import json

import pandas as pd

from resolver.vocabulary import SUPPLIER_KIND, TIE_KINDS, VALUE_KINDS

WEIGHT_COLUMNS = ["account_a", "account_b", "control_weight"]


def weigh(ties: pd.DataFrame, bits: dict[str, float]) -> pd.DataFrame:
    """`ties` (account_a, account_b, kind, value) with `bits` and `counted` (the strongest
    tie of its facet in its pair), in the order a reader sees them: strongest first."""
    ties = ties[ties["kind"].isin(bits)].copy()
    ties["bits"] = ties["kind"].map(bits).astype(float)
    ties["facet"] = ties["kind"].map(lambda kind: TIE_KINDS[kind].facet)
    ties = ties.sort_values(["account_a", "account_b", "bits", "kind", "value"],
                            ascending=[True, True, False, True, True])  # fmt: skip
    ties["counted"] = ~ties.duplicated(["account_a", "account_b", "facet"])
    return ties.reset_index(drop=True)


def control_weights(weighed: pd.DataFrame) -> pd.DataFrame:
    """(account_a, account_b, control_weight) of every pair with a tie."""
    counted = weighed[weighed["counted"]]
    return (
        counted.groupby(["account_a", "account_b"], as_index=False)["bits"]
        .sum()
        .rename(columns={"bits": "control_weight"})
    )


def as_json(weighed: pd.DataFrame) -> pd.DataFrame:
    """(account_a, account_b, control_evidence): each pair's ties as the JSON a link keeps."""
    if weighed.empty:
        return pd.DataFrame(columns=["account_a", "account_b", "control_evidence"])
    records = weighed[["kind", "value", "bits", "counted"]].to_dict(orient="records")
    for record, through, store in zip(
        records, weighed.get("through", ()), weighed.get("store", ()), strict=False
    ):
        if isinstance(through, str):  # the phone a strong self-purchase tie rests on
            record["through"] = through
        if isinstance(store, str):  # the one store that shipped an order tie's orders
            record["store"] = store
    weighed = weighed[["account_a", "account_b"]].assign(tie=records)
    grouped = weighed.groupby(["account_a", "account_b"], sort=False)["tie"].agg(list)
    return (
        grouped.map(lambda ties: json.dumps(ties, ensure_ascii=False))
        .rename("control_evidence")
        .reset_index()
    )


def carriers(links: pd.DataFrame, link_bits: float) -> list[tuple[str, str] | None]:
    """For each link (`only_kind`, `only_value`: the one value all its ties are, if they are
    one, see `Links.for_clustering`; and `splink_weight`), the one shared value it rests on, if
    it rests on one: its ties are that value and the model alone would not link the pair (see
    `clustering`)."""
    kinds = [*VALUE_KINDS, SUPPLIER_KIND]  # a value, or the orders of one store
    one_value = links["only_kind"].isin(kinds) & links["only_value"].notna()
    model_alone = links["splink_weight"].fillna(float("-inf")) >= link_bits
    rests = (one_value & ~model_alone).tolist()
    return [
        (kind, value) if rest else None
        for kind, value, rest in zip(
            links["only_kind"].tolist(), links["only_value"].tolist(), rests, strict=True
        )
    ]
