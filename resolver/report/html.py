"""The report as one HTML file: inline CSS and SVG, no script, nothing fetched (its Content
Security Policy forbids it), so it opens the same offline, on any machine, years later."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pandas as pd

from resolver.charts import Node, network_chart, weight_chart
from resolver.money import yuan
from resolver.report.content import Link, NetworkReport, Report

TEMPLATES = Path(__file__).parent / "templates"


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
    template = environment.get_template("report.html.j2")
    charts = {n.network_id: picture(n) for n in report.networks}
    return template.render(report=report, charts=charts, weight_chart=link_chart)


def write(report: Report, out: Path) -> None:
    out.write_text(render(report), encoding="utf-8")


def picture(network: NetworkReport) -> str:
    """The network: its accounts, the identifiers two or more of them share, its links."""
    nodes = [
        Node(a.account_id, f"{a.account_id} {a.registrant_name or ''}".strip(), a.trader_id, True)
        for a in network.accounts.itertuples()
    ]
    ties = []
    for shared in network.shared.itertuples():
        key = f"{shared.kind}:{shared.value}"
        nodes.append(Node(key, f"{shared.what}: {shared.raw}", shared.what, False))
        ties += [(account, key) for account in shared.accounts]
    links = [(link.account_a, link.account_b, link.probability) for link in network.links]
    return network_chart(nodes, ties, links)


def link_chart(link: Link) -> str:
    return weight_chart(
        link.prior,
        [(f"{s.comparison}: {s.level}", s.weight) for s in link.steps],
        link.splink_weight,
        [(kind.replace("_", " "), weight) for kind, weight in link.control],
        link.match_weight,
    )


def _blank(value: object) -> object:
    """None, NaN and NA print as nothing."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    return value
