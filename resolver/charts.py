"""Pictures as inline SVG: nothing to fetch, so a page works offline and in a court's archive.

`weight_chart` draws why two accounts are one trader (a waterfall of match weights);
`network_chart` draws a network: accounts, the identifiers they share, and their links.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import networkx as nx

PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#4e342e",
           "#558b2f", "#283593", "#c62828")  # fmt: skip
MAX_DRAWN_NODES = 300  # beyond this a drawing is a hairball: the tables say it better


def weight_chart(
    prior: float,
    steps: list[tuple[str, float]],
    splink_weight: float,
    control: list[tuple[str, float]],
    match_weight: float,
) -> str:
    """The prior and each comparison, stacked up to Splink's weight; then each kind of control
    evidence; then the link weight (the stronger of the two). Bars in bits."""
    rows, running = [], 0.0
    for label, weight in [("prior (two random accounts)", prior), *steps]:
        rows.append((label, running, running + weight, weight))
        running += weight
    rows.append(("Splink match weight", 0.0, splink_weight, splink_weight))
    rows += [(f"control evidence: {label}", 0.0, weight, weight) for label, weight in control]
    rows.append(("link weight", 0.0, match_weight, match_weight))
    low = min(0.0, *(min(r[1], r[2]) for r in rows))
    high = max(0.0, *(max(r[1], r[2]) for r in rows))
    width, left, bar = 900, 330, 26
    scale = (width - left - 70) / ((high - low) or 1)  # room for the value after each bar

    def x(value: float) -> float:
        return left + (value - low) * scale

    parts = []
    for index, (label, start, end, weight) in enumerate(rows):
        y = 20 + index * (bar + 8)
        colour = "#2e7d32" if weight >= 0 else "#c62828"
        x0, x1 = sorted((x(start), x(end)))
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar}" '
            f'fill="{colour}"><title>{weight:+.2f} bits</title></rect>'
            f'<text x="{max(x0, x1) + 4:.1f}" y="{y + 17}">{weight:+.2f}</text>'
        )
    height = 40 + len(rows) * (bar + 8)
    zero = x(0.0)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="weights" width="{width}" '
        f'height="{height}" font-family="sans-serif" font-size="13">'
        f'<line x1="{zero:.1f}" y1="10" x2="{zero:.1f}" y2="{height - 10}" stroke="#999"/>'
        + "".join(parts) + "</svg>"
    )  # fmt: skip


@dataclass
class Node:
    key: str
    label: str
    group: str  # accounts: their trader (one colour each); identifiers: their kind
    is_account: bool


def network_chart(
    nodes: list[Node], ties: list[tuple[str, str]], links: list[tuple[str, str, float]]
) -> str:
    """Accounts (circles, coloured by trader) and shared identifiers (grey squares): `ties`
    join an account to an identifier it is registered with, `links` (dashed, thicker when more
    probable) join two accounts that linkage scored. The layout is seeded: the same network
    draws the same way every time."""
    if len(nodes) > MAX_DRAWN_NODES:
        return (
            f"<p class='note'>Not drawn: {len(nodes)} accounts and identifiers are too many for "
            "one legible picture; the tables below list them all.</p>"
        )
    graph = nx.Graph()
    graph.add_nodes_from(node.key for node in nodes)
    graph.add_edges_from(ties)
    graph.add_edges_from((a, b) for a, b, _ in links)
    positions = nx.spring_layout(graph, seed=1, k=1.6 / max(len(nodes), 1) ** 0.5)
    width, height, margin = 900, max(320, min(900, 120 * len(nodes) ** 0.5)), 110
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]

    def place(key: str) -> tuple[float, float]:
        px, py = positions[key]
        spread_x, spread_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
        return (
            margin + (px - min(xs)) / spread_x * (width - 2 * margin),
            margin / 2 + (py - min(ys)) / spread_y * (height - margin),
        )

    traders = sorted({n.group for n in nodes if n.is_account})
    colour = {trader: PALETTE[i % len(PALETTE)] for i, trader in enumerate(traders)}
    parts = []
    for a, b in ties:
        (x1, y1), (x2, y2) = place(a), place(b)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     'stroke="#9e9e9e" stroke-width="1.2"/>')  # fmt: skip
    for a, b, probability in links:
        (x1, y1), (x2, y2) = place(a), place(b)
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#1e88e5" '
            f'stroke-width="{1 + 3 * probability:.1f}" stroke-dasharray="6 4">'
            f"<title>link, probability {probability:.4f}</title></line>"
        )
    for node in nodes:
        x, y = place(node.key)
        tip = f"<title>{escape(node.label)} ({escape(node.group)})</title>"
        if node.is_account:
            shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="{colour[node.group]}">'
                     f"{tip}</circle>")  # fmt: skip
        else:
            shape = (f'<rect x="{x - 8:.1f}" y="{y - 8:.1f}" width="16" height="16" rx="3" '
                     f'fill="#757575">{tip}</rect>')  # fmt: skip
        parts.append(
            shape + f'<text x="{x:.1f}" y="{y + 26:.1f}" text-anchor="middle">'
            f"{escape(_short(node.label))}</text>"
        )
    legend = "".join(
        f'<circle cx="{14 + 150 * i}" cy="{height + 14}" r="7" fill="{colour[t]}"/>'
        f'<text x="{26 + 150 * i}" y="{height + 19}">{escape(t)}</text>'
        for i, t in enumerate(traders[:6])
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" width="{width}" '
        f'height="{height + 30:.0f}" font-family="sans-serif" font-size="11">'
        + "".join(parts) + legend + "</svg>"
    )  # fmt: skip


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
