"""The report as one HTML file: inline CSS and SVG, no script, nothing fetched (its Content
Security Policy forbids it), so it opens the same offline, on any machine, years later."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from resolver.charts import Node, network_chart, weight_chart
from resolver.money import yuan
from resolver.reporting.content import DIMENSIONS, Link, NetworkReport, Report

TEMPLATES = Path(__file__).parent / "templates"


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
    sources: list
    links: list[tuple[Link, str]]  # each link with its match-weight chart
    picture: str
    counted_fen: int  # the sum of the orders listed as counted


def render(report: Report) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["yuan"] = yuan
    environment.filters["blank"] = _blank
    # Tuples of whole tables, cut per network: pandas per network costs more than the page.
    rows = {
        name: list(frame.itertuples(index=False, name=name.title().replace("_", "")))
        for name, frame in report.tables.items()
    }
    views = [_view(report, network, rows) for network in report.networks]
    return environment.get_template("report.html.j2").render(report=report, networks=views)


def write(report: Report, out: Path) -> None:
    out.write_text(render(report), encoding="utf-8")


def _view(report: Report, network: NetworkReport, rows: dict[str, list]) -> NetworkView:
    part = {name: table[slice(*report.bounds(name, network.rank))] for name, table in rows.items()}
    totals: dict[str, list] = {dimension: [] for dimension in DIMENSIONS}
    for total in part["totals"]:
        if total.dimension in totals:
            totals[total.dimension].append(total)
    return NetworkView(
        network=network,
        accounts=part["accounts"],
        shared=part["shared"],
        orders=part["orders"],
        totals=totals,
        self_purchases=part["self_purchases"],
        quarantined=part["quarantined"],
        judgements=part["judgements"],
        sources=part["sources"],
        links=[(link, link_chart(link)) for link in network.links],
        picture=picture(part["accounts"], part["shared"], network.links),
        counted_fen=sum(o.amount_fen for o in part["orders"] if o.counted),
    )


def picture(accounts: list, shared: list, links: list[Link]) -> str:
    """The network: its accounts, the identifiers two or more of them share, its links."""
    nodes = [
        Node(a.account_id, f"{a.account_id} {a.registrant_name or ''}".strip(), a.trader_id, True)
        for a in accounts
    ]
    ties = []
    for value in shared:
        key = f"{value.kind}:{value.value}"
        nodes.append(Node(key, f"{value.what}: {value.raw}", value.what, False))
        ties += [(account, key) for account in value.accounts]
    scored = [(link.account_a, link.account_b, link.probability) for link in links]
    return network_chart(nodes, ties, scored)


def link_chart(link: Link) -> str:
    return weight_chart(
        link.prior,
        [(f"{s.comparison}: {s.level}", s.weight) for s in link.steps],
        link.splink_weight,
        link.control,
        link.match_weight,
    )


def _blank(value: object) -> object:
    """None, NaN and NA print as nothing."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    return value
