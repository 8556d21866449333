"""Evidence reports: a network's accounts, links, sales counted once, damages and the sources
of every figure, as one offline HTML file or a workbook (`resolver report`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from resolver.case import Case
from resolver.errors import ResolverError
from resolver.report import html, xlsx
from resolver.report.content import NetworkReport, Report, build

WRITERS = {".html": html.write, ".xlsx": xlsx.write}

__all__ = ["NetworkReport", "Report", "build", "write_report"]


def write_report(
    case: Case,
    trader_id: str | None,
    out: Path,
    include_self_purchases: bool = False,
    config_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Build the report of `trader_id`'s network (None: every network) and write it to `out`,
    whose suffix (.html or .xlsx) picks the format. The file holds personal data: it is
    created readable by its owner only, and appears whole or not at all. `progress` hears
    each stage as it starts."""
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise ResolverError(f"{out}: a report is written as .html or .xlsx")
    if not out.parent.is_dir():
        raise ResolverError(f"{out.parent}: no such folder")
    if progress:
        progress("gathering the networks, their orders and totals")
    report = build(case, trader_id, include_self_purchases, config_dir)
    if progress:
        progress(f"writing {len(report.networks):,} network(s) to {out.name}")
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=out.suffix)
    os.close(handle)  # mkstemp made it 0600
    try:
        writer(report, Path(partial))
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return report
