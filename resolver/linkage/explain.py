"""Why two accounts are (or are not) one trader: the model's comparisons, the ties they share,
and the probability; as text, or as one self-contained HTML page.

For a pair the last run stored, everything shown is what that run used (its weights, its ties,
its probability: the one the clustering saw). Any other pair is scored now, by the same code,
with the case's model, and the explanation says so.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import pandas as pd

from resolver.case import Case
from resolver.case.judgements import Judgement
from resolver.case.links import Step, Tie, ties_of
from resolver.charts import weight_chart
from resolver.config.matching import MatchingConfig
from resolver.errors import NotFound, NotLinked
from resolver.linkage.model import Model
from resolver.linkage.pipeline import prepare, score


@dataclass
class Explanation:
    account_a: str
    account_b: str
    prior: float  # bits: how likely two random accounts are one trader
    steps: list[Step]  # one per comparison
    splink_weight: float
    ties: list[Tie]  # what the two accounts share, strongest first
    control_weight: float | None  # None: no tie at all (not zero bits)
    match_weight: float
    probability: float
    self_purchase_orders: int
    same_trader: tuple[str | None, str | None]
    stored: bool  # a link the last run stored (and the clustering used)
    judgement: Judgement | None = None  # a person's decision, which every run obeys


def explain(case: Case, account_a: str, account_b: str, current: MatchingConfig) -> Explanation:
    """Why two accounts are (or are not) one trader, under the rules the case's model was
    trained with (`current` serves only a case that kept their hash alone)."""
    saved = case.model.load()
    if saved is None:
        raise NotLinked(f"{case.folder}: no trained model yet; run `resolver match` first")
    case.links.require_current()
    config = case.model.rules(current)
    a, b = sorted((account_a, account_b))
    row = case.links.pair(a, b)
    prepared = prepare(case, config)
    known = set(prepared.accounts["unique_id"])
    for account in (account_a, account_b):
        if account not in known:
            raise NotFound(f"{account}: no such account in the case (use platform:key)")
    if row is None:
        model = Model.load(prepared.accounts, saved.settings, config, case.spill_folder())
        records = prepared.accounts.set_index("unique_id")
        pairs = model.explain(_record(records, a), _record(records, b))
        row = score(case, prepared, pairs).to_dict(orient="records")[0]
    steps = [Step(**step) for step in json.loads(row["comparisons"] or "[]")]
    splink_weight = float(row["splink_weight"])
    control = row["control_weight"]
    traders = case.traders.of([account_a, account_b])
    return Explanation(
        account_a, account_b, splink_weight - sum(s.weight for s in steps), steps,
        splink_weight, ties_of(row["control_evidence"] if isinstance(row["control_evidence"], str)
                               else None),
        None if control is None or pd.isna(control) else float(control),
        float(row["match_weight"]), float(row["probability"]), int(row["self_purchase_orders"]),
        (traders.get(account_a), traders.get(account_b)), case.links.pair(a, b) is not None,
        case.judgements.of_pair(a, b),
    )  # fmt: skip


def _record(records: pd.DataFrame, account: str) -> dict:
    row = records.loc[account]
    record: dict = {"unique_id": account}
    for column, value in row.items():
        if isinstance(value, list | tuple) or hasattr(value, "tolist"):
            record[column] = list(value)
        else:
            record[column] = None if pd.isna(value) else value
    return record


JUDGED_WORDS = {
    "same": "every run keeps them in one trader, whatever the weights below",
    "different": "every run keeps them in different traders, whatever the weights below",
    "unsure": "the model's link of this pair does not count, whatever the weights below",
}


def as_text(e: Explanation) -> str:
    lines = [f"{e.account_a}  vs  {e.account_b}", ""]
    if e.judgement is not None:
        j = e.judgement
        lines += [f"  judged {j.verdict} by {j.author} at {j.judged_at} (#{j.seq}): "
                  f"{JUDGED_WORDS[j.verdict]}", f"  reason: {j.reason or '-'}", ""]  # fmt: skip
    if not e.stored:
        lines += ["  not a link the last run stored: scored now with the case's model", ""]
    lines.append(f"  {'prior (two random accounts)':62} {e.prior:+8.2f} bits")
    for step in e.steps:
        lines.append(f"  {step.comparison:18} {step.level[:43]:43} {step.weight:+8.2f}")
    lines.append(f"  {'Splink match weight':62} {e.splink_weight:+8.2f}")
    if e.ties:
        for tie in e.ties:
            counted = "" if tie.counted else " (not counted: same facet)"
            text = f"tie: {tie.words}{counted}"
            lines.append(f"  {text[:62]:62} {tie.bits:+8.2f}")
        lines.append(f"  {'control evidence':62} {e.control_weight:+8.2f}")
    else:
        lines.append(f"  {'control evidence: nothing shared (no weight, not zero)':62} {'':>8}")
    lines.append(f"  {'link weight (the stronger of the two)':62} {e.match_weight:+8.2f}")
    lines.append(f"  {'probability':62} {e.probability:8.4f}")
    a, b = e.same_trader
    verdict = f"same trader {a}" if a and a == b else f"traders {a or '-'} and {b or '-'}"
    lines.append(f"  {'now':62} {verdict}")
    return "\n".join(lines)


def chart(e: Explanation) -> str:
    """The weights as an SVG waterfall: the prior and each comparison, the ties, the link."""
    return weight_chart(
        e.prior,
        [(f"{s.comparison}: {s.level}", s.weight) for s in e.steps],
        e.splink_weight,
        [(t.words, t.bits) for t in e.ties if t.counted],
        e.match_weight,
    )


def as_html(e: Explanation) -> str:
    """One page, no scripts or fonts from elsewhere: an SVG waterfall of the weights."""
    svg = chart(e)
    title = f"{e.account_a} vs {e.account_b}"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}pre{background:#f5f5f5;padding:1em}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{_judged_html(e.judgement)}"
        f"<p>Probability that both accounts are one trader: <b>{e.probability:.4f}</b> "
        f"(link weight {e.match_weight:+.2f} bits). Green bars raise the weight, red bars "
        "lower it; each comparison is one bar.</p>"
        f"{svg}<h2>As text</h2><pre>{html.escape(as_text(e))}</pre></body></html>"
    )


def _judged_html(judgement: Judgement | None) -> str:
    if judgement is None:
        return ""
    j = judgement
    return (
        f"<p><b>Judged {html.escape(j.verdict)}</b> by {html.escape(j.author)} at "
        f"{html.escape(j.judged_at)} (#{j.seq}): {html.escape(JUDGED_WORDS[j.verdict])}. "
        f"Reason: {html.escape(j.reason or '-')}</p>"
    )
