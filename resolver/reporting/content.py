"""What an evidence report says, gathered from the case: the library behind `resolver report`.

A report covers networks (see `resolver.networks`): the network of one trader, or all of them.
For each: its accounts and how each was linked, the links with their weights, the identifiers
its accounts share, every order once with the rows it came from, totals (overall, by trader,
platform, month and product) over the orders counted, self-purchase orders apart, quarantined
rows that name its accounts, the investigators' judgements on its accounts (a network whose
judgements contradict each other is refused), and the damages scenarios. The HTML and XLSX
writers only lay this out; every figure is computed here (the orders' sums by the case's
SQL), in integer fen.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from resolver import __version__
from resolver.case import Case
from resolver.case.links import Step, Tie, ties_of
from resolver.case.order_sets import OrderSet
from resolver.config import Config, DamagesConfig
from resolver.errors import NotLinked, ResolverError
from resolver.i18n import Words, probability_text, words
from resolver.reasons import (
    Disclosed,
    Reason,
    hubs_of,
    one_tie_words,
    reasons,
    step_words,
    tie_words,
    worded_purchases,
)
from resolver.reporting.damages import Assessment, assess
from resolver.vocabulary import IDENTIFIER_WORDS

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIGURES = ("orders", "amount_fen", "infringing_fen", "self_purchase_orders", "self_purchase_fen",
           "orders_disclosed_twice", "copies_disagree")  # fmt: skip
FINGERPRINT_ROWS = 65_536  # the orders are hashed in batches of this many rows


@dataclass
class Link:
    """A scored pair of accounts, with the parts of its weight (as stored by the last run)."""

    account_a: str
    account_b: str
    probability: float
    match_weight: float
    splink_weight: float
    prior: float  # bits: Splink's weight before any comparison
    steps: list[Step]
    control: list[tuple[str, float]]  # (tie in words, bits) of each tie counted
    self_purchase_orders: int
    strongest: str  # the strongest evidence, in words
    same_trader: bool
    ties: list[Tie] = field(default_factory=list)  # every tie, counted or not
    reasons: list[Reason] = field(default_factory=list)  # for and against, in plain words


class NetworkReport:
    """One network's part of a report: slices of the report's tables, cut on first use (a
    report of every network of a large case holds tens of thousands of them)."""

    def __init__(self, report: Report, network_id: str, rank: int, links: list[Link]) -> None:
        self.report = report
        self.network_id = network_id
        self.rank = rank  # its position in the report: tables are sorted by it
        self.links = links
        self.damages: list[Assessment] = []

    def _table(self, name: str) -> pd.DataFrame:
        start, stop = self.report.bounds(name, self.rank)
        return self.report.tables[name].iloc[start:stop].reset_index(drop=True)

    @cached_property
    def accounts(self) -> pd.DataFrame:  # with `linked_by` and `evidence`: how each was linked
        return self._table("accounts")

    @cached_property
    def orders(self) -> pd.DataFrame:  # every order once; `counted`: whether totals include it
        return self.report.orders.of_rank(self.rank)

    @cached_property
    def totals(self) -> pd.DataFrame:  # dimension, value, orders, amount_fen, infringing_fen
        return self._table("totals")

    @cached_property
    def shared(self) -> pd.DataFrame:  # identifiers held by two or more of its accounts
        return self._table("shared")

    @cached_property
    def self_purchases(self) -> pd.DataFrame:  # orders shipped to its own accounts' people
        return self._table("self_purchases")

    @cached_property
    def quarantined(self) -> pd.DataFrame:  # rows set aside at ingest naming one of its accounts
        return self._table("quarantined")

    @cached_property
    def one_tie(self) -> pd.DataFrame:  # parts of a trader held to the rest by one tie alone
        return self._table("one_tie")

    @cached_property
    def leads(self) -> pd.DataFrame:  # accounts not counted that weak ties point to its traders
        return self._table("leads")

    @cached_property
    def judgements(self) -> pd.DataFrame:  # in force on pairs of its accounts, with author
        return self._table("judgements")

    @cached_property
    def sources(self) -> pd.DataFrame:  # disclosures its facts come from, with the rows used
        return self._table("sources")

    @property
    def traders(self) -> list[str]:
        return self.report.traders_of[self.network_id]

    @property
    def platforms(self) -> list[str]:
        return self.report.platforms_of[self.network_id]

    def total(self, figure: str) -> int:
        """One of `FIGURES`: of the orders counted (orders, amount_fen, infringing_fen), or
        beside them (self-purchases, orders disclosed twice, orders whose copies disagree)."""
        return self.report.figures.get(self.network_id, {}).get(figure, 0)


@dataclass
class Report:
    subject: str  # what was asked for: a trader id, or "all networks"
    notes: list[str]  # what the reader must know about the subject (a retired id followed, ...)
    lang: str  # the language it is written in (see resolver.i18n)
    generated_at: str
    tool_version: str
    config_sha256: str  # every configuration file in force
    model_config_sha256: str | None  # the matching rules the model was trained with
    case_folder: str
    include_self_purchases: bool
    keywords: list[str]
    damages: DamagesConfig
    disclosures: pd.DataFrame
    tables: dict[str, pd.DataFrame]  # every network's rows, sorted in the order of `networks`
    orders: OrderSet  # every network's orders, on disk (a large case has millions), the same way
    link_threshold: float  # links at or above it may join accounts (matching.yaml)
    scenarios: list[Assessment] = field(default_factory=list)  # the damages scenarios (names)
    ranks: dict[str, np.ndarray] = field(default_factory=dict)  # each table's network ranks
    figures: dict[str, dict[str, int]] = field(default_factory=dict)  # network -> FIGURES
    traders_of: dict[str, list[str]] = field(default_factory=dict)
    platforms_of: dict[str, list[str]] = field(default_factory=dict)
    networks: list[NetworkReport] = field(default_factory=list)  # largest sales first
    content_sha256: str = ""  # of everything the report states but the moment it was made

    @property
    def report_id(self) -> str:
        """A name for this report, printed on every page: when it was made and what it says."""
        moment = self.generated_at[:19].replace("-", "").replace(":", "").replace("T", "-")
        return f"RPT-{moment}-{self.content_sha256[:8]}"

    def bounds(self, table: str, rank: int) -> tuple[int, int]:
        """Where the rows of the network of this rank are in a table."""
        return bounds(self.ranks[table], rank)


def bounds(ranks: np.ndarray, rank: int) -> tuple[int, int]:
    """Where the rows of rank `rank` are among rows sorted by rank (`ranks`)."""
    start, stop = np.searchsorted(ranks, [rank, rank + 1])
    return int(start), int(stop)


def build(
    case: Case,
    trader_id: str | None,
    include_self_purchases: bool = False,
    config: Config | None = None,
    lang: str | None = None,
) -> Report:
    """The report of `trader_id`'s network, or (None) of every network of the case, in `lang`
    (None: `report.yaml`'s)."""
    with _without_cycle_collection():
        return _build(case, trader_id, include_self_purchases, config, lang)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector scans every live object each time it runs; a report of a large
    case makes millions (links, their comparisons and reasons), none of them in cycles. With it
    off while they are made, links and their reasons took 78.0 s at 200,000 hard traders instead
    of 124.9 s (9.6 s instead of 13.3 s at 20,000)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(
    case: Case,
    trader_id: str | None,
    include_self_purchases: bool,
    config: Config | None,
    lang: str | None,
) -> Report:
    config = config or Config()
    lang = config.lang(lang)
    t = words(lang)
    _check_linked(case)
    network_of = case.traders.networks()
    notes: list[str] = []
    accounts = case.traders.accounts()
    accounts["network_id"] = accounts["trader_id"].map(network_of)
    if trader_id is not None:
        chain = case.traders.current(trader_id)
        if len(chain) > 1:
            notes.append(t.say("retired_note", asked=trader_id, kept=chain[-1],
                           chain=" → ".join(chain)))  # fmt: skip
        accounts = accounts[accounts["network_id"] == network_of[chain[-1]]]
    accounts = accounts.reset_index(drop=True)
    _refuse_contested(case, accounts)
    judged = _judgements(case, accounts)
    links = _links(case.links.within(accounts), t)
    _say_why(case, links, t)
    totals, figures, rank, orders = case.read_within(  # spilled past the case's limit
        config.matching.resources.memory_limit,
        lambda: _orders(case, accounts, config.keywords, include_self_purchases),
    )
    tables = {
        "accounts": _how_linked(accounts, links, judged, t),
        "judgements": judged,
        "one_tie": _one_tie(case, accounts, links, judged, t),
        "leads": _leads(case, accounts, t),
        "totals": totals,
        "shared": _shared(case, accounts),
        "self_purchases": worded_purchases(case.orders.self_purchases_of(accounts), t),
        "quarantined": _quarantined(case, accounts),
        "sources": case.orders.rows_used(accounts),
    }
    saved = case.model.load()
    report = Report(
        subject=trader_id or t.all_networks,
        notes=notes,
        lang=lang,
        generated_at=dt.datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        tool_version=__version__,
        config_sha256=config.sha256,
        model_config_sha256=saved.rules_sha256 if saved else None,
        case_folder=str(case.folder.resolve()),
        include_self_purchases=include_self_purchases,
        keywords=config.keywords,
        damages=config.damages,
        disclosures=case.disclosures.sources(),
        tables=tables,
        orders=orders,
        figures=figures,
        link_threshold=config.matching.thresholds.link,
        scenarios=assess(config.damages, 0, 0, lang),
    )
    _arrange(report, links, rank)
    for network in report.networks:
        network.damages = assess(
            config.damages, network.total("amount_fen"), network.total("infringing_fen"), lang
        )
    report.content_sha256 = _fingerprint(report)
    return report


def _say_why(case: Case, links: list[Link], t: Words) -> None:
    """Each link's reasons in plain words, with the values as disclosed and where."""
    accounts = sorted({a for link in links for a in (link.account_a, link.account_b)})
    disclosed = Disclosed(case.records.disclosed_values(accounts))
    hubs = hubs_of(case.links.hubs())
    for link in links:
        link.reasons = reasons(link.account_a, link.account_b, link.ties, link.steps, disclosed, t,
                               hubs)  # fmt: skip


def _table_bytes(frame: pd.DataFrame) -> bytes:
    """A table as Arrow's stream format: every value and type, lists as lists, in order (fast
    and exact, where text would print floats and abridge long arrays)."""
    return _arrow_bytes(pa.Table.from_pandas(frame, preserve_index=False))


def _arrow_bytes(table: pa.Table) -> bytes:
    table = table.replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _fingerprint(report: Report) -> str:
    """sha256 of what the report states: its facts but the moment it was made, every table in
    the report's order, each network's figures, links (with their reasons) and damages. The
    same case, asked the same, gives the same fingerprint; a printed page and a workbook are
    tied by it."""
    digest = hashlib.sha256()
    facts = [report.subject, report.lang, report.tool_version, report.config_sha256,
             report.model_config_sha256 or "", str(report.include_self_purchases),
             *report.keywords, *report.notes]  # fmt: skip
    digest.update("\0".join(facts).encode())
    for name in sorted(report.tables):
        digest.update(name.encode())
        digest.update(_table_bytes(report.tables[name]))
    digest.update(b"orders")
    for batch in report.orders.batches(FINGERPRINT_ROWS):  # fixed batches: the same bytes
        digest.update(_arrow_bytes(batch))
    digest.update(_table_bytes(report.disclosures))
    for network in report.networks:
        parts = [network.network_id, json.dumps(network.report.figures.get(network.network_id))]
        parts += [f"{d.scenario}|{d.amount_fen}|{d.formula}" for d in network.damages]
        parts += [f"{k.account_a}|{k.account_b}|{k.probability!r}|{k.same_trader}|"
                  + "|".join(f"{r.side}:{r.text}" for r in k.reasons)
                  for k in network.links]  # fmt: skip
        digest.update("\0".join(parts).encode())
    return digest.hexdigest()


def _ranks(accounts: pd.DataFrame, figures: dict[str, dict[str, int]]) -> dict[str, int]:
    """Each network's place in the report: largest sales first, then by id."""
    names = sorted(set(accounts["network_id"]),
                   key=lambda n: (-figures.get(n, {}).get("amount_fen", 0), n))  # fmt: skip
    return {network: index for index, network in enumerate(names)}


def _arrange(report: Report, links: list[Link], rank: dict[str, int]) -> None:
    """Sort every table in the order of the networks' ranks, so that a network's rows are one
    slice of each (the orders were written so)."""
    accounts = report.tables["accounts"]
    names = sorted(rank, key=rank.__getitem__)
    for name, frame in report.tables.items():
        ranks = frame["network_id"].map(rank).to_numpy(dtype="int64")
        order = np.argsort(ranks, kind="stable")
        report.tables[name] = frame.iloc[order].reset_index(drop=True)
        report.ranks[name] = ranks[order]
    grouped = report.tables["accounts"].groupby("network_id")
    report.traders_of = grouped["trader_id"].agg(lambda t: sorted(set(t))).to_dict()
    report.platforms_of = grouped["platform"].agg(lambda p: sorted(set(p))).to_dict()
    network_of_account = dict(zip(accounts["account_id"], accounts["network_id"], strict=True))
    links_of: dict[str, list[Link]] = {}
    for link in links:
        links_of.setdefault(network_of_account[link.account_a], []).append(link)
    report.networks = [
        NetworkReport(report, network, rank[network], links_of.get(network, []))
        for network in names
    ]


def _figures(totals: pd.DataFrame, beside: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Each network's FIGURES, from its overall totals and the figures `beside` them."""
    overall = totals[totals["dimension"] == "all"].set_index("network_id")
    columns = {name: overall[name] for name in ("orders", "amount_fen", "infringing_fen")}
    by_network = beside.set_index("network_id")
    columns |= {name: by_network[name] for name in FIGURES if name in by_network}
    frame = pd.DataFrame(columns).fillna(0).astype("int64")
    return {network: dict(row) for network, row in zip(
        frame.index, frame.to_dict(orient="records"), strict=True)}  # fmt: skip


def _check_linked(case: Case) -> None:
    case.links.require_current()
    if not case.traders.count():
        raise NotLinked("the case has no traders yet: run `resolver match` first")
    unlinked = case.traders.unlinked_count()
    if unlinked:
        raise NotLinked(
            f"{unlinked} accounts were ingested after the last linkage and belong to no trader: "
            "run `resolver match` first, so that the report counts their orders"
        )


def _links(rows: pd.DataFrame, t: Words) -> list[Link]:
    links = []
    for row in rows.to_dict(orient="records"):
        steps = [Step(**part) for part in json.loads(row["comparisons"] or "[]")]
        every_tie = ties_of(row["control_evidence"])
        ties = [tie for tie in every_tie if tie.counted]
        control = [(tie.words, tie.bits) for tie in ties]
        splink_weight = float(row["splink_weight"] or 0.0)
        control_weight = row["control_weight"]
        decided_by_ties = not pd.isna(control_weight) and control_weight >= splink_weight
        links.append(Link(
            account_a=row["account_a"], account_b=row["account_b"],
            probability=float(row["probability"]), match_weight=float(row["match_weight"]),
            splink_weight=splink_weight,
            prior=splink_weight - sum(s.weight for s in steps),
            steps=steps, control=control,
            self_purchase_orders=int(row["self_purchase_orders"]),
            strongest=_strongest(steps, ties if decided_by_ties else [], t),
            same_trader=bool(row["same_trader"]), ties=every_tie,
        ))  # fmt: skip
    return links


def _strongest(steps: list[Step], ties: list[Tie], t: Words) -> str:
    """The evidence that weighs most: the strongest tie when the ties decided the link, else
    the model's strongest comparisons."""
    if ties:
        return tie_words(max(ties, key=lambda tie: tie.bits), t)
    best = sorted((s for s in steps if s.weight > 0), key=lambda s: -s.weight)[:2]
    return t.say("strongest_model", levels=t.list_sep.join(step_words(s, t) for s in best)
                 or t.no_strong_comparison)  # fmt: skip


def _refuse_contested(case: Case, accounts: pd.DataFrame) -> None:
    """A network whose judgements cannot all hold is no evidence until a person resolves them."""
    contested = case.judgements.contested()
    held = sorted({contested[a] for a in accounts["account_id"] if a in contested})
    if held:
        raise ResolverError(
            "contested: judgements on this report's accounts cannot all hold; change or retract "
            f"one (`resolver judge ...`) and report again: {' | '.join(held)}"
        )


ONE_TIE_COLUMNS = ["network_id", "trader_id", "accounts", "held_to", "tie"]


def _one_tie(
    case: Case,
    accounts: pd.DataFrame,
    links: list[Link],
    judged: pd.DataFrame,
    t: Words,
) -> pd.DataFrame:
    """Each part of a trader that one tie alone holds to the rest (as the last run's clustering
    found it: `Links.held_together`), under its network: the part's accounts, those it is held
    to, and the tie in words. Two sides that one link alone holds are said as the clustering
    held them (see `linkage.judged`): by a `same` judgement between them if there is one, else
    by the strongest link between them that no judgement overrules, with its probability."""
    network_of = dict(zip(accounts["account_id"], accounts["network_id"], strict=True))
    trader_of = dict(zip(accounts["account_id"], accounts["trader_id"], strict=True))
    pairs = zip(judged["account_a"], judged["account_b"], judged["verdict"], strict=True)
    verdict = {frozenset((a, b)): v for a, b, v in pairs}
    links_of: dict[str, list[Link]] = {}
    for link in links:
        for account in (link.account_a, link.account_b):
            links_of.setdefault(account, []).append(link)
    rows = []
    for held in case.links.held_together().itertuples(index=False):
        rest, *parts = sorted(held.groups, key=lambda side: (-len(side), side))
        if rest[0] not in network_of:  # another trader than the one reported
            continue
        if held.kind is not None:
            tie = one_tie_words(held.kind, held.value, t)
        else:  # a bridge: two sides
            other = set(rest)
            if any(verdict.get(frozenset((a, b))) == "same" for a in parts[0] for b in other):
                tie = t.one_tie_judged
            else:
                strongest = max((link.probability for account in parts[0]
                                 for link in links_of.get(account, [])
                                 if {link.account_a, link.account_b} & other
                                 and frozenset((link.account_a, link.account_b)) not in verdict),
                                default=0.0)  # fmt: skip
                tie = t.say("one_tie_link", probability=probability_text(strongest))
        rows += [{"network_id": network_of[rest[0]], "trader_id": trader_of[rest[0]],
                  "accounts": part, "held_to": rest, "tie": tie} for part in parts]  # fmt: skip
    frame = pd.DataFrame(rows, columns=ONE_TIE_COLUMNS)
    order = frame.assign(first=frame["accounts"].str[0])
    return frame.loc[order.sort_values(["trader_id", "first", "tie"]).index]


LEAD_COLUMNS = ["network_id", "trader_id", "account_id", "tied_to", "weak_ties"]


def _leads(case: Case, accounts: pd.DataFrame, t: Words) -> pd.DataFrame:
    """Each account that clustering left alone and that weak ties of one kind point to a
    trader of the report (`Links.leads`), under that trader's network: the account, the
    trader's accounts it is tied to, and the ties in words. Its sales are not counted; a
    further disclosure or a judgement settles it. Best first, as `Links.leads` orders them."""
    network_of = dict(zip(accounts["trader_id"], accounts["network_id"], strict=True))
    leads = case.links.leads()
    leads = leads[leads["trader_id"].isin(network_of)]
    rows = [{"network_id": network_of[lead.trader_id], "trader_id": lead.trader_id,
             "account_id": lead.account_id, "tied_to": list(lead.tied_to),
             "weak_ties": t.list_sep.join(tie_words(Tie(kind, value, 0.0, True), t)
                                          for kind, value in zip(lead.kinds, lead.values,
                                                                 strict=True))}
            for lead in leads.itertuples(index=False)]  # fmt: skip
    return pd.DataFrame(rows, columns=LEAD_COLUMNS)


JUDGEMENT_COLUMNS = ["network_id", "seq", "account_a", "account_b", "verdict", "author",
                     "judged_at", "reason", "evidence", "probability"]  # fmt: skip


def _judgements(case: Case, accounts: pd.DataFrame) -> pd.DataFrame:
    """The judgements in force on pairs of the report's accounts, under the network of their
    first account (times in Asia/Shanghai; `probability`: the model's when judged)."""
    network_of = dict(zip(accounts["account_id"], accounts["network_id"], strict=True))
    rows = [
        {**asdict(j), "network_id": network_of[j.account_a],
         "judged_at": pd.Timestamp(j.judged_at).tz_convert(SHANGHAI).isoformat(timespec="seconds")}
        for j in case.judgements.current()
        if j.account_a in network_of and j.account_b in network_of
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=JUDGEMENT_COLUMNS)


def _how_linked(
    accounts: pd.DataFrame, links: list[Link], judged: pd.DataFrame, t: Words
) -> pd.DataFrame:
    """Each account's strongest link to another account of its own trader, and why: a person's
    `same` judgement first, then the strongest scored link."""
    best: dict[str, tuple[float, str, str]] = {}
    for j in judged[judged["verdict"] == "same"].itertuples(index=False):
        for this, other in ((j.account_a, j.account_b), (j.account_b, j.account_a)):
            best[this] = (math.inf, other, t.say("judged_same_by", author=j.author, seq=j.seq,
                                                 reason=j.reason))  # fmt: skip
    for link in links:
        if not link.same_trader:
            continue
        for this, other in ((link.account_a, link.account_b), (link.account_b, link.account_a)):
            if this not in best or link.match_weight > best[this][0]:
                best[this] = (link.match_weight, other, link.strongest)
    accounts = accounts.copy()
    accounts["linked_by"] = accounts["account_id"].map(lambda a: best.get(a, (0, "", ""))[1])
    accounts["evidence"] = accounts["account_id"].map(
        lambda a: best[a][2] if a in best else t.only_account
    )
    return accounts


def _orders(
    case: Case, accounts: pd.DataFrame, keywords: list[str], include_self_purchases: bool
) -> tuple[pd.DataFrame, dict[str, dict[str, int]], dict[str, int], OrderSet]:
    """The report's orders, on disk in the order of the networks, and what is summed of them:
    totals, each network's figures, and the networks' ranks (largest sales first)."""
    gathered = case.orders.gather(accounts, keywords, include_self_purchases)
    try:
        _check_summable(gathered.total_fen())
        totals = gathered.totals()
        figures = _figures(totals, gathered.figures())
        rank = _ranks(accounts, figures)
        return totals, figures, rank, gathered.arrange(rank)
    finally:
        gathered.drop()


def _check_summable(total_fen: int) -> None:
    """Refuse totals that int64 fen cannot hold (they would wrap around where they are read):
    every sum is a part of `total_fen`, the sum of all orders, so that one fitting makes them
    all fit."""
    if total_fen >= 2**63:
        raise ResolverError(
            f"the orders total {total_fen} fen, more than a report can sum exactly (2^63 fen); "
            "check the amounts with `resolver query sales_per_trader`"
        )


def _shared(case: Case, accounts: pd.DataFrame) -> pd.DataFrame:
    """Identifiers that two or more accounts of a network hold (the ties drawn in its picture),
    with a raw form a reader recognises beside the normal form that was compared."""
    held = case.records.tying().merge(accounts[["account_id", "network_id"]], on="account_id")
    grouped = held.groupby(["network_id", "kind", "value"])["account_id"].agg(list).reset_index()
    shared = grouped[grouped["account_id"].map(len) >= 2].rename(columns={"account_id": "accounts"})
    shared = shared.merge(case.records.raw_forms(), on=["kind", "value"], how="left")
    shared["raw"] = shared["raw"].fillna(shared["value"])
    shared["what"] = shared["kind"].map(IDENTIFIER_WORDS)
    return shared.sort_values(["network_id", "kind", "value"]).reset_index(drop=True)


def _quarantined(case: Case, accounts: pd.DataFrame) -> pd.DataFrame:
    """Rows (and values) set aside at ingest whose raw row names one of the report's accounts
    by its key on the same platform: nothing a network's figures left out goes unmentioned."""
    rows = case.disclosures.quarantine_with_platform()
    network_of = {
        (platform, key): network
        for platform, key, network in zip(
            accounts["platform"], accounts["account_key"], accounts["network_id"], strict=True
        )
    }
    found = []
    for row in rows.to_dict(orient="records"):
        named = {
            network_of[(row["platform"], value)]
            for value in _scalars(row["raw_row"])
            if (row["platform"], value) in network_of
        }
        found += [{**row, "network_id": network} for network in sorted(named)]
    columns = [*rows.columns, "network_id"]
    return pd.DataFrame(found, columns=columns).drop(columns=["raw_row"])


def _scalars(raw_row: str | None) -> set[str]:
    """Every scalar of a raw row (JSON, possibly nested), as text."""
    if not raw_row:
        return set()
    try:
        stack, found = [orjson.loads(raw_row)], set()
    except orjson.JSONDecodeError:
        return set()
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += item.values()
        elif isinstance(item, list):
            stack += item
        elif item is not None:
            found.add(str(item).strip())
    return found
