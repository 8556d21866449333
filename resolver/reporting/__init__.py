"""Evidence reports: a network's accounts, links, sales counted once, damages and the sources
of every figure, as one offline HTML file, a PDF printed from it, or a workbook
(`resolver report`), in Chinese or English."""

from __future__ import annotations

from pathlib import Path

from resolver.case import Case
from resolver.config import Config
from resolver.errors import ResolverError
from resolver.files import write_private
from resolver.progress import Progress, silent
from resolver.reporting import html, pdf, xlsx
from resolver.reporting.content import NetworkReport, Report, build

WRITERS = {".html": html.write, ".pdf": pdf.write, ".xlsx": xlsx.write}

__all__ = ["NetworkReport", "Report", "build", "write_report"]


def write_report(
    case: Case,
    trader_id: str | None,
    out: Path,
    include_self_purchases: bool = False,
    config: Config | None = None,
    progress: Progress | None = None,
    lang: str | None = None,
) -> Report:
    """Build the report of `trader_id`'s network (None: every network) in `lang` (None:
    `report.yaml`'s) and write it to `out`, whose suffix (.html, .pdf or .xlsx) picks the
    format. The file holds personal data: it is created readable by its owner only, and appears
    whole or not at all. `progress` hears each stage, and each network or row written."""
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise ResolverError(f"{out}: a report is written as .html, .pdf or .xlsx")
    if writer is pdf.write:
        pdf.find_browser()  # before the work: say at once that none can print it
    progress = progress or silent
    progress("gathering the networks, their orders and totals")
    report = build(case, trader_id, include_self_purchases, config, lang)
    write_private(out, lambda partial: writer(report, partial, progress))
    return report
