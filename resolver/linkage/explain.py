"""Why two accounts are (or are not) one trader: the model's comparisons, the ties they share,
and the probability; as text, or as one self-contained HTML page.

For a pair the last run stored, everything shown is what that run used (its weights, its ties,
its probability: the one the clustering saw). Any other pair is scored now, by the same code,
with the case's model, and the explanation says so. It speaks the report's language
(`report.yaml`, `--lang`) and says in plain words what the two accounts share, as disclosed and
where, and what speaks against (`resolver.reasons`).
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
from resolver.i18n import FONTS, Words, is_wide, local_time, probability_text, words
from resolver.linkage.clustering import weak_joined, weak_ties_towards
from resolver.linkage.judged import Judged
from resolver.linkage.model import Model
from resolver.linkage.pipeline import prepare, score
from resolver.reasons import Disclosed, Reason, hubs_of, reasons, step_words, tie_words


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
    lang: str = "en"
    reasons: list[Reason] | None = None  # for and against, in plain words (in `lang`)
    weak_joins: list[WeakJoin] | None = None  # either account, joined to its trader on weak ties


@dataclass
class WeakJoin:
    """An account joined to a trader on weak ties to several of its accounts (see
    `clustering.join_on_weak_ties`): the ties that counted, and the probability it was given."""

    account: str
    trader: str | None
    ties: list[tuple[str, Tie]]  # (the trader's account, the tie), strongest first
    probability: float


def explain(
    case: Case, account_a: str, account_b: str, current: MatchingConfig, lang: str = "en"
) -> Explanation:
    """Why two accounts are (or are not) one trader, under the rules the case's model was
    trained with (`current` serves only a case that kept their hash alone), in `lang`."""
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
        model = Model.for_one_pair(prepared.accounts, saved.settings, config,
                                   case.spill_folder())  # fmt: skip
        records = prepared.accounts.set_index("unique_id")
        pairs = model.explain(_record(records, a), _record(records, b))
        row = score(case, prepared, pairs, everything=True).links.to_dict(orient="records")[0]
    steps = [Step(**step) for step in json.loads(row["comparisons"] or "[]")]
    splink_weight = float(row["splink_weight"])
    control = row["control_weight"]
    traders = case.traders.of([account_a, account_b])
    ties = ties_of(row["control_evidence"] if isinstance(row["control_evidence"], str) else None)
    disclosed = Disclosed(case.records.disclosed_values([account_a, account_b]))
    return Explanation(
        account_a, account_b, splink_weight - sum(s.weight for s in steps), steps,
        splink_weight, ties, None if control is None or pd.isna(control) else float(control),
        float(row["match_weight"]), float(row["probability"]), int(row["self_purchase_orders"]),
        (traders.get(account_a), traders.get(account_b)), case.links.pair(a, b) is not None,
        case.judgements.of_pair(a, b), lang,
        reasons(account_a, account_b, ties, steps, disclosed, words(lang),
                hubs_of(case.links.hubs())),
        _weak_joins(case, [account_a, account_b], traders),
    )  # fmt: skip


def _weak_joins(case: Case, accounts: list[str], traders: dict) -> list[WeakJoin]:
    """Of `accounts`, those the last run joined to their trader on weak ties, with the ties
    that counted (as the clustering chose them) and the probability it gave."""
    joined = weak_joined(case.links.held_together().to_dict(orient="records"))
    if not joined.keys() & set(accounts):
        return []  # the common case: nothing of the whole case to read
    # the groups as the clustering saw them: each joined account alone
    group_of = case.traders.assignment() | {account: account for account in joined}
    probabilities = case.traders.probabilities()
    judged = Judged.of(case.judgements.current())
    joins = []
    for account in [a for a in accounts if a in joined]:
        towards = weak_ties_towards(case.links.weak_ties([account]), [account], group_of, judged)
        towards = towards[towards["other"].isin(joined[account])]
        ties = [(other, Tie(kind, value, bits, True)) for other, kind, value, bits in
                towards[["other", "kind", "value", "bits"]].itertuples(index=False)]  # fmt: skip
        joins.append(WeakJoin(account, traders.get(account), ties, probabilities[account]))
    return joins


def _record(records: pd.DataFrame, account: str) -> dict:
    row = records.loc[account]
    record: dict = {"unique_id": account}
    for column, value in row.items():
        if isinstance(value, list | tuple) or hasattr(value, "tolist"):
            record[column] = list(value)
        else:
            record[column] = None if pd.isna(value) else value
    return record


def as_text(e: Explanation) -> str:
    t = words(e.lang)
    lines = [f"{e.account_a}  vs  {e.account_b}", ""]
    if e.judgement is not None:
        j = e.judgement
        lines += [f"  {_judged(j, t)}", "  " + t.say("explain_reason", reason=j.reason or "-"), ""]
    if not e.stored:
        lines += [f"  {t.explain_not_stored}", ""]
    lines.append(f"  {t.explain_plain}:")
    lines += [f"  - {t['reason_' + r.side]}{r.text}" for r in e.reasons or []]
    lines += ["", f"  {t.explain_weights}:"]
    lines.append(_row(t.chart_prior, e.prior))
    lines += [_row(step_words(step, t), step.weight) for step in e.steps]
    lines.append(_row(t.chart_splink, e.splink_weight))
    if e.ties:
        for tie in e.ties:
            counted = "" if tie.counted else t.not_counted
            lines.append(_row(f"{tie_words(tie, t)}{counted}", tie.bits))
        lines.append(_row(t.explain_control, e.control_weight or 0.0))
    else:
        lines.append(f"  {t.explain_nothing_shared}")
    lines.append(_row(t.chart_link, e.match_weight))
    lines.append(f"  {_fit(t.explain_probability, 62)} {probability_text(e.probability):>8}")
    a, b = e.same_trader
    now = (t.say("explain_same_trader", trader=a) if a and a == b
           else t.say("explain_traders", a=a or "-", b=b or "-"))  # fmt: skip
    lines.append(f"  {_fit(t.explain_now, 62)} {now}")
    for join in e.weak_joins or []:
        bits = sum(tie.bits for _, tie in join.ties)
        lines += ["", "  " + t.say("explain_weak_join", account=join.account, trader=join.trader,
                                   kinds=len(join.ties), bits=f"{bits:.2f}",
                                   probability=probability_text(join.probability))]  # fmt: skip
        lines += [_row(f"{tie_words(tie, t)} ({other})", tie.bits) for other, tie in join.ties]
    return "\n".join(lines)


def _judged(j: Judgement, t: Words) -> str:
    """A person's judgement on the pair, and what every run makes of it."""
    return t.say(
        "explain_judged",
        verdict=t["verdict_" + j.verdict],
        author=j.author,
        at=local_time(j.judged_at),
        seq=j.seq,
        effect=t["explain_judged_" + j.verdict],
    )


def _row(label: str, bits: float) -> str:
    return f"  {_fit(label, 62)} {bits:+8.2f}"


def _fit(text: str, width: int) -> str:
    """Text padded or cut to `width` columns, a Chinese character taking two."""
    out, used = "", 0
    for char in text:
        wide = 2 if is_wide(char) else 1
        if used + wide > width:
            break
        out, used = out + char, used + wide
    return out + " " * (width - used)


def chart(e: Explanation) -> str:
    """The weights as an SVG waterfall: the prior and each comparison, the ties, the link."""
    t = words(e.lang)
    return weight_chart(
        e.prior,
        [(step_words(s, t), s.weight) for s in e.steps],
        e.splink_weight,
        [(tie_words(tie, t), tie.bits) for tie in e.ties if tie.counted],
        e.match_weight,
        t,
    )


def as_html(e: Explanation) -> str:
    """One page, no scripts or fonts from elsewhere: the reasons in words, an SVG waterfall of
    the weights, and the same as text."""
    t = words(e.lang)
    title = f"{e.account_a} vs {e.account_b}"
    judged = f"<p><b>{html.escape(_judged(e.judgement, t))}</b></p>" if e.judgement else ""
    items = "".join(
        f"<li class='{r.side}'>{html.escape(t['reason_' + r.side] + r.text)}</li>"
        for r in e.reasons or []
    )
    intro = t.say("explain_page_intro", probability=probability_text(e.probability),
                  weight=f"{e.match_weight:+.2f}")  # fmt: skip
    return (
        f"<!doctype html><html lang='{t.html_lang}'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title>"
        f"<style>body{{font-family:{FONTS[e.lang].screen};margin:2em}}"
        "pre{background:#f5f5f5;padding:1em}li.against{color:#b71c1c}"
        "svg{max-width:100%;height:auto}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{judged}<p>{html.escape(intro)}</p>"
        f"<h2>{html.escape(t.explain_plain)}</h2><ul>{items}</ul>{chart(e)}"
        f"<h2>{html.escape(t.explain_as_text)}</h2><pre>{html.escape(as_text(e))}</pre>"
        "</body></html>"
    )
