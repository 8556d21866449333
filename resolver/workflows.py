"""The use cases, each composed once here: the CLI and Python callers run the same code.

Stages (ingestion, linkage, graph, reporting) know the case layer and the configuration but not
each other; what a user asks for — match new disclosures, retrain, reload the graph, explain a
pair, report a network, run a query — is put together here. Heavy stages (Splink) are imported
only by the use cases that need them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from resolver.case import Case
from resolver.config import Config
from resolver.errors import ResolverError, StoreUnavailable

if TYPE_CHECKING:
    from resolver.graph.load import LoadSummary
    from resolver.ingestion import FileResult
    from resolver.linkage.explain import Explanation
    from resolver.linkage.pipeline import LinkSummary
    from resolver.reporting import Report

ConfigLike = Config | Path | str | None
FileProgress = Callable[[str, Path], None]  # (stage, file) as ingest moves on


@dataclass
class GraphUpdate:
    """What became of the graph after the case changed: loaded, or why not (the case is the
    source of truth and stays committed; `resolver load-graph` catches the graph up later)."""

    summary: LoadSummary | None
    dialect: str | None
    unavailable: str | None = None


@dataclass
class MatchResult:
    files: list[FileResult]
    link: LinkSummary
    graph: GraphUpdate | None  # None when the graph was not asked for


def ingest(
    case: Case,
    paths: Iterable[Path | str],
    platform: str | None = None,
    config: ConfigLike = None,
    progress: FileProgress | None = None,
) -> list[FileResult]:
    """Read disclosures into the case, all or nothing (see `resolver.ingestion`)."""
    from resolver.ingestion import ingest as run_ingest

    return run_ingest(case, paths, platform=platform, config=Config.of(config), progress=progress)


def match(
    case: Case,
    paths: Iterable[Path | str] = (),
    platform: str | None = None,
    config: ConfigLike = None,
    full: bool = False,
    store: str | None = None,
    graph: bool = True,
    progress: FileProgress | None = None,
    steps: Callable[[str], None] | None = None,
) -> MatchResult:
    """Ingest new disclosures and link their accounts to the case's traders, in one
    transaction (a failure anywhere leaves the case as it was); then bring the graph up to date
    (`store`: a Neo4j address; None: the embedded store). `progress` hears each file's stages,
    `steps` each step of linking with its counts."""
    from resolver.linkage.pipeline import link

    config = Config.of(config)
    with case.transaction():
        files = ingest(case, paths, platform, config, progress)
        new = [f.disclosure_id for f in files if f.status == "ingested"]
        changed = None if full else case.disclosures.accounts_of(new)
        summary = link(case, config.matching, changed=changed, progress=steps)
    update = _update_graph(case, store, orders_of=new) if graph else None
    return MatchResult(files, summary, update)


def train(
    case: Case,
    config: ConfigLike = None,
    store: str | None = None,
    graph: bool = True,
    steps: Callable[[str], None] | None = None,
) -> tuple[LinkSummary, GraphUpdate | None]:
    """Retrain the model on the case's accounts, score and cluster every pair, and bring the
    graph up to date. `steps` hears each step of linking, with its counts."""
    from resolver.linkage.pipeline import link

    summary = link(case, Config.of(config).matching, retrain=True, progress=steps)
    return summary, (_update_graph(case, store, orders_of=[]) if graph else None)


def load_graph(case: Case, store: str | None = None, batch_size: int = 10_000) -> LoadSummary:
    """Load the whole case into the graph store again (idempotent)."""
    from resolver.graph.load import load
    from resolver.graph.store import open_store

    with open_store(case.folder, store, fresh=True) as graph:
        return load(case, graph, batch_size=batch_size)


def _update_graph(case: Case, store: str | None, orders_of: list[str]) -> GraphUpdate:
    from resolver.graph.load import load
    from resolver.graph.store import open_store

    try:
        with open_store(case.folder, store) as graph:
            return GraphUpdate(load(case, graph, orders_of=orders_of), graph.dialect)
    except StoreUnavailable as err:
        return GraphUpdate(None, None, str(err))


def query(
    case: Case,
    name: str,
    params: dict[str, str] | None = None,
    store: str | None = None,
    config: ConfigLike = None,
) -> pd.DataFrame:
    """Run a query of the Cypher library on the case's graph, parameters given as text."""
    from resolver.graph.library import bind, query_named
    from resolver.graph.load import check_current
    from resolver.graph.store import open_store

    chosen = query_named(name)
    values = bind(chosen, params or {}, Config.of(config), case)
    with open_store(case.folder, store, read_only=True) as graph:
        check_current(case, graph)
        header, rows = graph.query(chosen.text, values)
    return pd.DataFrame(rows, columns=header)


def explain(case: Case, account_a: str, account_b: str, config: ConfigLike = None) -> Explanation:
    """Why two accounts are (or are not) one trader: every comparison's weight, the control
    evidence and the probability."""
    from resolver.linkage.explain import explain as run_explain

    return run_explain(case, account_a, account_b, Config.of(config).matching)


def report(
    case: Case,
    trader_id: str | None,
    out: Path | str | None = None,
    include_self_purchases: bool = False,
    config: ConfigLike = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The evidence report of `trader_id`'s network (None: every network); written to `out`
    (.html or .xlsx) when given."""
    from resolver.reporting import build, write_report

    config = Config.of(config)
    if out is None:
        return build(case, trader_id, include_self_purchases, config)
    return write_report(case, trader_id, Path(out), include_self_purchases, config, progress)


def export(case: Case, what: str) -> pd.DataFrame:
    """`accounts`, `traders`, `hubs` or `kept-apart` of the case, as a table."""
    from resolver.exports import EXPORTS

    if what not in EXPORTS:
        raise ResolverError(f"{what}: expected {', '.join(EXPORTS)}")
    return EXPORTS[what](case)


__all__ = [
    "GraphUpdate",
    "MatchResult",
    "explain",
    "export",
    "ingest",
    "load_graph",
    "match",
    "query",
    "report",
    "train",
]
