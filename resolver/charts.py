"""Pictures as inline SVG: nothing to fetch, so a page works offline and in a court's archive.
Each scales to its container (a `viewBox`), from a wide screen down to a phone.

`weight_chart` draws why two accounts are one trader (a waterfall of match weights);
`network_chart` draws a network: accounts, the identifiers they share, and their links, with
every label placed where it overlaps no other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import networkx as nx

from resolver.i18n import Words, is_wide

PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#4e342e",
           "#558b2f", "#283593", "#c62828")  # fmt: skip
MAX_DRAWN_NODES = 300  # beyond this a drawing is a hairball: the tables say it better
FONT = 11  # px, the labels of a network picture
LINE = 13  # px between the lines of one label
# How each kind of link is drawn: kept links solid, links clustering kept apart dashed red,
# links too weak to join anything dotted grey.
EDGE_STYLES = {
    "kept": ("#1e88e5", ""),
    "apart": ("#c62828", ' stroke-dasharray="7 4"'),
    "weak": ("#9e9e9e", ' stroke-dasharray="2 3"'),
}


def weight_chart(
    prior: float,
    steps: list[tuple[str, float]],
    splink_weight: float,
    control: list[tuple[str, float]],
    match_weight: float,
    t: Words,
) -> str:
    """The prior and each comparison, stacked up to Splink's weight; then each kind of control
    evidence; then the link weight (the stronger of the two). Bars in bits."""
    rows, running = [], 0.0
    for label, weight in [(t.chart_prior, prior), *steps]:
        rows.append((label, running, running + weight, weight))
        running += weight
    rows.append((t.chart_splink, 0.0, splink_weight, splink_weight))
    rows += [(t.say("chart_control", tie=label), 0.0, weight, weight) for label, weight in control]
    rows.append((t.chart_link, 0.0, match_weight, match_weight))
    low = min(0.0, *(min(r[1], r[2]) for r in rows))
    high = max(0.0, *(max(r[1], r[2]) for r in rows))
    left = min(520, max(200, 12 + max(text_width(r[0], 13) for r in rows)))
    width, bar = left + 640, 26
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
        f'<svg xmlns="http://www.w3.org/2000/svg" class="weights" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-size="13">'
        f'<line x1="{zero:.1f}" y1="10" x2="{zero:.1f}" y2="{height - 10}" stroke="#999"/>'
        + "".join(parts) + "</svg>"
    )  # fmt: skip


@dataclass
class Node:
    key: str
    lines: list[str]  # its label, a line each (empty lines are left out)
    group: str  # accounts: their trader (one colour each); identifiers: their kind
    is_account: bool


@dataclass
class Edge:
    a: str
    b: str
    label: str  # the probability, as printed
    kind: str  # kept | apart | weak (EDGE_STYLES)


Box = tuple[float, float, float, float]  # left, top, right, bottom


def text_width(text: str, size: float = FONT) -> float:
    """A safe estimate of the width text takes: Chinese characters are one em wide, others at
    most about two thirds of one (the widest Latin fonts' digits)."""
    return sum(size if is_wide(c) else 0.68 * size for c in text)


class Labels:
    """Places labels one by one where they overlap nothing placed before (nodes included),
    trying spots ever further around their anchor, inside the drawing."""

    def __init__(self, width: float, height: float, taken: list[Box]) -> None:
        self.width, self.height, self.taken = width, height, list(taken)

    def place(self, x: float, y: float, w: float, h: float, gap: float) -> Box | None:
        for ring in range(10):
            distance = gap + ring * 9
            for dx, dy in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)):
                cx, cy = x + dx * (distance + w / 2), y + dy * (distance + h / 2)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if self._free(box):
                    self.taken.append(box)
                    return box
        return None

    def _free(self, box: Box) -> bool:
        left, top, right, bottom = box
        if left < 2 or top < 2 or right > self.width - 2 or bottom > self.height - 2:
            return False
        return all(right <= o[0] or left >= o[2] or bottom <= o[1] or top >= o[3]
                   for o in self.taken)  # fmt: skip


def network_chart(
    nodes: list[Node],
    ties: list[tuple[str, str]],
    edges: list[Edge],
    legend: Mapping[str, str],
    not_drawn: str,
) -> str:
    """Accounts (circles, coloured by trader) and shared identifiers (grey squares): `ties`
    join an account to an identifier it is registered with, `edges` join two accounts that
    linkage scored, drawn by kind with their probability. The layout is seeded: the same
    network draws the same way every time."""
    if len(nodes) > MAX_DRAWN_NODES:
        return f"<p class='note'>{escape(not_drawn.format(count=len(nodes)))}</p>"
    graph = nx.Graph()
    graph.add_nodes_from(node.key for node in nodes)
    graph.add_edges_from(ties)
    graph.add_edges_from((e.a, e.b) for e in edges)
    positions = nx.spring_layout(graph, seed=1, k=1.8 / max(len(nodes), 1) ** 0.5)
    width, margin = 960, 130
    height = max(340, min(1400, 150 * len(nodes) ** 0.5))
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    spread_x, spread_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    place = {
        key: (margin + (px - min(xs)) / spread_x * (width - 2 * margin),
              margin / 2 + (py - min(ys)) / spread_y * (height - margin))
        for key, (px, py) in positions.items()
    }  # fmt: skip
    traders = sorted({n.group for n in nodes if n.is_account})
    colour = {trader: PALETTE[i % len(PALETTE)] for i, trader in enumerate(traders)}
    lines, shapes, texts = [], [], []
    for a, b in ties:
        (x1, y1), (x2, y2) = place[a], place[b]
        lines.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     'stroke="#bdbdbd" stroke-width="1.2"/>')  # fmt: skip
    for edge in edges:
        (x1, y1), (x2, y2) = place[edge.a], place[edge.b]
        stroke, dashes = EDGE_STYLES[edge.kind]
        lines.append(
            f'<line class="link {edge.kind}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
            f'y2="{y2:.1f}" stroke="{stroke}" stroke-width="2.4"{dashes}>'
            f"<title>{escape(legend[edge.kind])}: {escape(edge.label)}</title></line>"
        )
    labels = Labels(width, height, [(x - 12, y - 12, x + 12, y + 12) for x, y in place.values()])
    for node in sorted(nodes, key=lambda n: not n.is_account):
        x, y = place[node.key]
        tip = f"<title>{escape(' '.join(node.lines))} ({escape(node.group)})</title>"
        if node.is_account:
            shapes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" '
                          f'fill="{colour[node.group]}">{tip}</circle>')  # fmt: skip
        else:
            shapes.append(f'<rect x="{x - 8:.1f}" y="{y - 8:.1f}" width="16" height="16" rx="3" '
                          f'fill="#757575">{tip}</rect>')  # fmt: skip
        texts.append(_label(labels, x, y, [line for line in node.lines if line], gap=14))
    for edge in edges:
        (x1, y1), (x2, y2) = place[edge.a], place[edge.b]
        texts.append(_label(labels, (x1 + x2) / 2, (y1 + y2) / 2, [edge.label], gap=2,
                            fill=EDGE_STYLES[edge.kind][0]))  # fmt: skip
    keys = _legend(legend, traders, colour, height)
    total = height + 30 + 20 * ((len(traders[:6]) > 0) + 1)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 {width} '
        f'{total:.0f}" width="{width}" height="{total:.0f}" font-size="{FONT}">'
        + "".join(lines + shapes + texts) + keys + "</svg>"
    )  # fmt: skip


def _label(labels: Labels, x: float, y: float, lines: Sequence[str], gap: float,
           fill: str = "#212121") -> str:  # fmt: skip
    """A label of one or more lines near (x, y) where it overlaps nothing; none if no spot is
    free (the node's tooltip and the tables still name it)."""
    if not lines:
        return ""
    w = max(text_width(line) for line in lines) + 4
    h = LINE * len(lines) + 2
    box = labels.place(x, y, w, h, gap)
    if box is None:
        return ""
    centre = (box[0] + box[2]) / 2
    spans = "".join(
        f'<tspan x="{centre:.1f}" y="{box[1] + 11 + i * LINE:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    # a white halo: lines that pass under a label do not cross its letters
    return (f'<text text-anchor="middle" fill="{fill}" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{spans}</text>')  # fmt: skip


def _legend(legend: Mapping[str, str], traders: list[str], colour: dict[str, str],
            top: float) -> str:  # fmt: skip
    parts = []
    x = 10.0
    for kind, words in legend.items():
        stroke, dashes = EDGE_STYLES[kind]
        y = top + 18
        parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 34}" y2="{y}" stroke="{stroke}" '
                     f'stroke-width="2.4"{dashes}/><text x="{x + 40}" y="{y + 4}">'
                     f"{escape(words)}</text>")  # fmt: skip
        x += 50 + text_width(words)
    for i, trader in enumerate(traders[:6]):
        y = top + 40
        parts.append(f'<circle cx="{16 + 150 * i}" cy="{y}" r="7" fill="{colour[trader]}"/>'
                     f'<text x="{28 + 150 * i}" y="{y + 4}">{escape(trader)}</text>')  # fmt: skip
    return "".join(parts)
