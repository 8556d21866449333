"""The report as one HTML file: inline CSS and SVG, no script, nothing fetched (its Content
Security Policy forbids it), so it opens the same offline, on any machine, years later. Its
print styles make the same file a paper exhibit: every section expanded, tables that repeat
their header and keep rows whole, charts kept whole, the report's id, sha256 and page number
on every page (`resolver report --out X.pdf` prints it through a browser)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from resolver.case.order_sets import DIMENSIONS
from resolver.charts import Edge, Node, network_chart, weight_chart
from resolver.i18n import FONTS, Words, local_time, probability_text, words
from resolver.money import yuan
from resolver.progress import Progress, silent
from resolver.reasons import Reason, step_words, tie_words
from resolver.reporting.content import Link, NetworkReport, Report, bounds

TEMPLATES = Path(__file__).parent / "templates"
ORDER_BATCH = 50_000  # orders read from the report's file at a time


@dataclass
class NetworkView:
    """A network's rows as plain tuples, and its pictures: what the template lays out."""

    network: NetworkReport
    accounts: list
    shared: list
    orders: list
    totals: dict[str, list]  # dimension -> rows
    self_purchases: list
    quarantined: list
    judgements: list
    one_tie: list
    leads: list
    sources: list
    links: list[tuple[Link, list[Reason], str]]  # each link, its reasons, its weight chart
    picture: str
    counted_fen: int  # the sum of the orders listed as counted


def render(report: Report, progress: Progress = silent) -> str:
    """The page whole (a PDF prints it; the tests read it)."""
    return "".join(pieces(report, progress))


def write(report: Report, out: Path, progress: Progress = silent) -> None:
    with out.open("w", encoding="utf-8") as page:
        page.writelines(pieces(report, progress))


def pieces(report: Report, progress: Progress = silent) -> Iterator[str]:
    """The page a piece at a time, each network laid out as the page reaches it: a report of
    every network of a large case holds the rows of one network's orders at a time, read in
    order from the report's file of orders."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        yuan=yuan, blank=_blank, sha=_sha, moment=local_time, count=_count,
        probability=probability_text,
    )  # fmt: skip
    t = words(report.lang)
    # Tuples of whole tables, cut per network: pandas per network costs more than the page.
    rows = {name: _tuples(frame, name) for name, frame in report.tables.items()}
    summary = [(n, _row_count(report, "accounts", n.rank)) for n in report.networks]
    return environment.get_template("report.html.j2").generate(
        report=report, summary=summary, networks=_views(report, rows, t, progress), t=t,
        fonts=FONTS[report.lang],
    )  # fmt: skip


def _views(report: Report, rows: dict[str, list], t: Words, progress: Progress
           ) -> Iterator[NetworkView]:  # fmt: skip
    """Each network's view, in the report's order, its orders taken from the report's file as
    the networks come (it is sorted by network rank, as the networks are)."""
    order_ranks = report.orders.ranks()
    orders = _Rows(
        _tuples(batch.to_pandas(), "orders") for batch in report.orders.batches(ORDER_BATCH)
    )
    for done, network in enumerate(report.networks, start=1):
        yield _view(network, rows, orders.between(*bounds(order_ranks, network.rank)), t)
        progress("laying out the networks", done, len(report.networks))


class _Rows:
    """Rows that come in batches, taken in order by position (start, stop), never going back."""

    def __init__(self, batches: Iterator[list]) -> None:
        self._batches = batches
        self._held: list = []
        self._first = 0  # the position of the first row held

    def between(self, start: int, stop: int) -> list:
        while self._first + len(self._held) < stop:  # keep only what is still to be taken
            kept = min(start, self._first + len(self._held))
            self._held = self._held[kept - self._first :] + next(self._batches)
            self._first = kept
        return self._held[start - self._first : stop - self._first]


def _row_count(report: Report, table: str, rank: int) -> int:
    start, stop = report.bounds(table, rank)
    return stop - start


def _tuples(frame: pd.DataFrame, name: str) -> list:
    return list(frame.itertuples(index=False, name=name.title().replace("_", "")))


def _view(network: NetworkReport, rows: dict[str, list], orders: list, t: Words
          ) -> NetworkView:  # fmt: skip
    part = {name: table[slice(*network.report.bounds(name, network.rank))]
            for name, table in rows.items()}  # fmt: skip
    totals: dict[str, list] = {dimension: [] for dimension in DIMENSIONS}
    for total in part["totals"]:
        if total.dimension in totals:
            totals[total.dimension].append(total)
    return NetworkView(
        network=network,
        accounts=part["accounts"],
        shared=part["shared"],
        orders=orders,
        totals=totals,
        self_purchases=part["self_purchases"],
        quarantined=part["quarantined"],
        judgements=part["judgements"],
        one_tie=part["one_tie"],
        leads=part["leads"],
        sources=part["sources"],
        links=[(link, link.reasons, link_chart(link, t)) for link in network.links],
        picture=picture(
            part["accounts"], part["shared"], network.links, network.report.link_threshold, t
        ),
        counted_fen=sum(o.amount_fen for o in orders if o.counted),
    )


def picture(accounts: list, shared: list, links: list[Link], threshold: float, t: Words) -> str:
    """The network: its accounts, the identifiers two or more of them share, its links (kept,
    kept apart, or too weak to join), each with its probability."""
    nodes = [
        Node(a.account_id, [a.account_id, a.registrant_name or ""], a.trader_id, True)
        for a in accounts
    ]
    ties = []
    for value in shared:
        key = f"{value.kind}:{value.value}"
        nodes.append(Node(key, [t.get("noun_" + value.kind, value.what), value.raw],
                          value.what, False))  # fmt: skip
        ties += [(account, key) for account in value.accounts]
    edges = [
        Edge(link.account_a, link.account_b, probability_text(link.probability),
             "weak" if link.probability < threshold
             else "kept" if link.same_trader else "apart")
        for link in links
    ]  # fmt: skip
    legend = {"kept": t.link_kept, "apart": t.link_apart, "weak": t.link_weak}
    return network_chart(nodes, ties, edges, legend, t.not_drawn)


def link_chart(link: Link, t: Words) -> str:
    return weight_chart(
        link.prior,
        [(step_words(s, t), s.weight) for s in link.steps],
        link.splink_weight,
        [(tie_words(tie, t), tie.bits) for tie in link.ties if tie.counted],
        link.match_weight,
        t,
    )


def _blank(value: object) -> object:
    """None, NaN and NA print as nothing."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    return value


def _sha(value: str) -> Markup:
    """A long hash that may wrap only between groups of 16 hex digits."""
    text = str(value)
    return Markup("<wbr>").join(escape(text[i : i + 16]) for i in range(0, len(text), 16))


def _count(value: object) -> str:
    return "" if _blank(value) == "" else f"{int(value):,}"  # type: ignore[call-overload]
