"""Evidence reports: a network's accounts, links, sales counted once, damages and the sources
of every figure, as one offline HTML file or a workbook (`resolver report`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from resolver.case import Case
from resolver.config import Config
from resolver.errors import ResolverError
from resolver.files import write_private
from resolver.reporting import html, xlsx
from resolver.reporting.content import NetworkReport, Report, build

WRITERS = {".html": html.write, ".xlsx": xlsx.write}

__all__ = ["NetworkReport", "Report", "build", "write_report"]


def write_report(
    case: Case,
    trader_id: str | None,
    out: Path,
    include_self_purchases: bool = False,
    config: Config | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Build the report of `trader_id`'s network (None: every network) and write it to `out`,
    whose suffix (.html or .xlsx) picks the format. The file holds personal data: it is
    created readable by its owner only, and appears whole or not at all. `progress` hears
    each stage as it starts."""
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise ResolverError(f"{out}: a report is written as .html or .xlsx")
    if progress:
        progress("gathering the networks, their orders and totals")
    report = build(case, trader_id, include_self_purchases, config)
    if progress:
        progress(f"writing {len(report.networks):,} network(s) to {out.name}")
    write_private(out, lambda partial: writer(report, partial))
    return report
