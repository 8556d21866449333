"""Why two accounts are (or are not) one trader: every comparison's weight, the control
evidence, and the final probability; as text, or as one self-contained HTML page."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from resolver.case import Case
from resolver.case.links import Step
from resolver.charts import weight_chart
from resolver.config.matching import MatchingConfig
from resolver.errors import NotFound, NotLinked
from resolver.linkage.model import Model, comparison_steps, probability
from resolver.linkage.pipeline import prepare, shared_kinds


@dataclass
class Explanation:
    account_a: str
    account_b: str
    prior: float  # bits: how likely two random accounts are one trader
    steps: list[Step]  # one per comparison
    splink_weight: float
    control: list[tuple[str, float]]  # (kind shared, weight)
    match_weight: float
    self_purchase_orders: int
    same_trader: tuple[str | None, str | None]

    @property
    def probability(self) -> float:
        return float(probability(self.match_weight))


def explain(case: Case, account_a: str, account_b: str, current: MatchingConfig) -> Explanation:
    """Why two accounts are (or are not) one trader, under the rules the case's model was
    trained with (`current` serves only a case that kept their hash alone)."""
    saved = case.model.load()
    if saved is None:
        raise NotLinked(f"{case.folder}: no trained model yet; run `resolver match` first")
    config = case.model.rules(current)
    prepared = prepare(case, config)
    records = prepared.accounts.set_index("unique_id")
    for account in (account_a, account_b):
        if account not in records.index:
            raise NotFound(f"{account}: no such account in the case (use platform:key)")
    model = Model.load(prepared.accounts, saved.settings, config)
    left, right = (_record(records, a) for a in (account_a, account_b))
    row = model.explain(left, right).iloc[0]
    settings = model.linker._settings_obj
    prior = math.log2(settings._probability_two_random_records_match
                      / (1 - settings._probability_two_random_records_match))  # fmt: skip
    steps = comparison_steps(config, row)
    a, b = sorted((account_a, account_b))
    evidence = prepared.self_purchases
    pair = evidence[(evidence["account_a"] == a) & (evidence["account_b"] == b)]
    orders = int(pair["orders"].iloc[0]) if len(pair) else 0
    kinds = shared_kinds(
        pd.DataFrame({"account_a": [a], "account_b": [b], "self_purchase_orders": [orders]}),
        prepared.accounts,
        set(config.control_evidence),
    )[0]
    control = [(kind, config.control_bits.get(kind, 0.0)) for kind in kinds]
    splink_weight = float(row["match_weight"])
    traders = case.traders.of([account_a, account_b])
    return Explanation(
        account_a, account_b, prior, steps, splink_weight, control,
        max(splink_weight, sum(w for _, w in control)), orders,
        (traders.get(account_a), traders.get(account_b)),
    )  # fmt: skip


def _record(records: pd.DataFrame, account: str) -> dict[str, Any]:
    row = records.loc[account]
    record: dict[str, Any] = {"unique_id": account}
    for column, value in row.items():
        if isinstance(value, list | tuple) or hasattr(value, "tolist"):
            record[column] = list(value)
        else:
            record[column] = None if pd.isna(value) else value
    return record


def as_text(e: Explanation) -> str:
    lines = [f"{e.account_a}  vs  {e.account_b}", ""]
    lines.append(f"  {'prior (two random accounts)':55} {e.prior:+8.2f} bits")
    for step in e.steps:
        lines.append(f"  {step.comparison:16} {step.level[:38]:38} {step.weight:+8.2f}")
    lines.append(f"  {'Splink match weight':55} {e.splink_weight:+8.2f}")
    if e.control:
        for kind, weight in e.control:
            label = kind.replace("_", " ")
            if kind == "self_purchase":
                label += f" ({e.self_purchase_orders} orders)"
            lines.append(f"  control evidence: {label:37} {weight:+8.2f}")
    else:
        lines.append(f"  {'control evidence: none shared':55} {0:+8.2f}")
    lines.append(f"  {'link weight (the stronger of the two)':55} {e.match_weight:+8.2f}")
    lines.append(f"  {'probability':55} {e.probability:8.4f}")
    a, b = e.same_trader
    verdict = f"same trader {a}" if a and a == b else f"traders {a or '-'} and {b or '-'}"
    lines.append(f"  {'now':55} {verdict}")
    return "\n".join(lines)


def as_html(e: Explanation) -> str:
    """One page, no scripts or fonts from elsewhere: an SVG waterfall of the weights."""
    svg = weight_chart(
        e.prior,
        [(f"{s.comparison}: {s.level}", s.weight) for s in e.steps],
        e.splink_weight,
        [(kind.replace("_", " "), weight) for kind, weight in e.control],
        e.match_weight,
    )
    title = f"{e.account_a} vs {e.account_b}"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}pre{background:#f5f5f5;padding:1em}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Probability that both accounts are one trader: <b>{e.probability:.4f}</b> "
        f"(link weight {e.match_weight:+.2f} bits). Green bars raise the weight, red bars "
        "lower it; each comparison is one bar.</p>"
        f"{svg}<h2>As text</h2><pre>{html.escape(as_text(e))}</pre></body></html>"
    )
