"""The use cases, each composed once here: the CLI and Python callers run the same code.

Stages (ingestion, linkage, graph, reporting) know the case layer and the configuration but not
each other; what a user asks for — match new disclosures, retrain, reload the graph, explain a
pair, report a network, run a query — is put together here. Heavy stages (Splink) are imported
only by the use cases that need them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from resolver.case import Case
from resolver.config import Config
from resolver.errors import ResolverError, StoreHung, StoreUnavailable
from resolver.progress import Progress, silent

if TYPE_CHECKING:
    from resolver.case.judgements import Judgement
    from resolver.graph.embedded import EmbeddedFalkor
    from resolver.graph.export import ExportSummary
    from resolver.graph.load import LoadSummary
    from resolver.graph.store import GraphStore
    from resolver.ingestion import FileResult
    from resolver.judging import Evaluation
    from resolver.linkage.explain import Explanation
    from resolver.linkage.pipeline import LinkSummary
    from resolver.reporting import Report

ConfigLike = Config | Path | str | None
FileProgress = Callable[[str, Path], None]  # (stage, file) as ingest moves on
Done = TypeVar("Done")


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
    steps: Progress | None = None,
) -> MatchResult:
    """Ingest new disclosures and link their accounts to the case's traders, in one
    transaction (a failure anywhere leaves the case as it was); then bring the graph up to date
    (`store`: a Neo4j address; None: the embedded store). `progress` hears each file's stages,
    `steps` each step of linking and of the graph's load, with its counts."""
    from resolver.graph.store import started_early
    from resolver.linkage.pipeline import link

    config = Config.of(config)
    # an incremental match is short beside reading a large graph: the server reads it meanwhile
    with started_early(case.folder, store) if graph and not full else nullcontext() as early:
        with case.transaction():
            files = ingest(case, paths, platform, config, progress)
            new = [f.disclosure_id for f in files if f.status == "ingested"]
            changed = None if full else case.disclosures.accounts_of(new)
            summary = link(case, config.matching, changed=changed, progress=steps)
        update = _update_graph(case, store, new, steps, early) if graph else None
    return MatchResult(files, summary, update)


def train(
    case: Case,
    config: ConfigLike = None,
    store: str | None = None,
    graph: bool = True,
    steps: Progress | None = None,
) -> tuple[LinkSummary, GraphUpdate | None]:
    """Retrain the model on the case's accounts, score and cluster every pair, and bring the
    graph up to date. `steps` hears each step of linking and loading, with its counts."""
    from resolver.linkage.pipeline import link

    summary = link(case, Config.of(config).matching, retrain=True, progress=steps)
    return summary, (_update_graph(case, store, orders_of=[], progress=steps) if graph else None)


def load_graph(
    case: Case, store: str | None = None, batch_size: int = 10_000, steps: Progress | None = None
) -> LoadSummary:
    """Load the whole case into the graph store again (idempotent); `steps` hears each
    batch."""
    from resolver.graph.load import load

    return _on_graph(
        case,
        store,
        lambda graph: load(case, graph, batch_size=batch_size, progress=steps),
        fresh=True,
        progress=steps,
    )


def export_graph(case: Case, out: Path | str, progress: Progress | None = None) -> ExportSummary:
    """The case's graph as the files of `neo4j-admin database import full` (node and
    relationship CSVs, import.sh, schema.cypher) in a new folder `out`: a first load of a big
    case into Neo4j."""
    from resolver.graph.export import export_neo4j_admin

    return export_neo4j_admin(case, Path(out), progress or silent)


def update_graph(case: Case, store: str | None = None) -> GraphUpdate:
    """Bring the graph up to date with the case's traders, links and judgements (its orders
    are already there): after judgements recorded without the graph (the review page)."""
    return _update_graph(case, store, orders_of=[])


def _update_graph(
    case: Case,
    store: str | None,
    orders_of: list[str],
    progress: Progress | None = None,
    early: EmbeddedFalkor | None = None,
) -> GraphUpdate:
    from resolver.graph.load import load

    def update(graph: GraphStore) -> GraphUpdate:
        return GraphUpdate(load(case, graph, orders_of=orders_of, progress=progress), graph.dialect)

    try:
        return _on_graph(case, store, update, progress=progress, early=early)
    except StoreUnavailable as err:
        return GraphUpdate(None, None, str(err))


def _on_graph(
    case: Case,
    store: str | None,
    work: Callable[[GraphStore], Done],
    fresh: bool = False,
    read_only: bool = False,
    progress: Progress | None = None,
    early: EmbeddedFalkor | None = None,
) -> Done:
    """`work` on the case's graph store (`early`: its server, already started); once more, on
    a new server, when the embedded one hung (it saved nothing, so the second run starts from
    the graph the first one found)."""
    from resolver.graph.store import open_store

    def attempt(early: EmbeddedFalkor | None) -> Done:
        with open_store(case.folder, store, fresh, read_only, early) as graph:
            return work(graph)

    try:
        return attempt(early)
    except StoreHung as err:
        (progress or silent)(f"{err}; starting it again")
    return attempt(None)


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

    chosen = query_named(name)
    values = bind(chosen, params or {}, Config.of(config), case)

    def run(graph: GraphStore) -> pd.DataFrame:
        check_current(case, graph)
        header, rows = graph.query(chosen.text, values)
        return pd.DataFrame(rows, columns=header)

    return _on_graph(case, store, run, read_only=True)


def explain(
    case: Case, account_a: str, account_b: str, config: ConfigLike = None, lang: str | None = None
) -> Explanation:
    """Why two accounts are (or are not) one trader: every comparison's weight, the control
    evidence and the probability, and the same in plain words, in `lang` (zh or en; None:
    `report.yaml`'s)."""
    from resolver.linkage.explain import explain as run_explain

    config = Config.of(config)
    return run_explain(case, account_a, account_b, config.matching, config.lang(lang))


def report(
    case: Case,
    trader_id: str | None,
    out: Path | str | None = None,
    include_self_purchases: bool = False,
    config: ConfigLike = None,
    progress: Progress | None = None,
    lang: str | None = None,
) -> Report:
    """The evidence report of `trader_id`'s network (None: every network), in `lang` (zh or
    en; None: `report.yaml`'s); written to `out` (.html, .pdf or .xlsx) when given."""
    from resolver.reporting import build, write_report

    config = Config.of(config)
    if out is None:
        return build(case, trader_id, include_self_purchases, config, lang)
    return write_report(case, trader_id, Path(out), include_self_purchases, config, progress, lang)


@dataclass
class JudgeResult:
    """Judgements recorded, and the traders as the case's links give them now."""

    judgements: list[Judgement]
    link: LinkSummary | None  # None: the case is not linked yet (the next match obeys them)
    graph: GraphUpdate | None


def judge(
    case: Case,
    account_a: str,
    account_b: str,
    verdict: str,
    reason: str | None = None,
    by: str | None = None,
    evidence: str | None = None,
    config: ConfigLike = None,
    store: str | None = None,
    graph: bool = True,
) -> JudgeResult:
    """Record an investigator's judgement on two accounts (`same`, `different`, `unsure`, or
    `retracted` to withdraw one), then cluster the traders again to obey it, in one
    transaction; then bring the graph up to date."""
    return _judged(
        case,
        lambda: [case.judgements.record(account_a, account_b, verdict, _author(by), reason,
                                        evidence)],
        config, store, graph,
    )  # fmt: skip


def split(
    case: Case,
    trader_id: str,
    keep: list[str],
    reason: str,
    by: str | None = None,
    config: ConfigLike = None,
    store: str | None = None,
    graph: bool = True,
) -> JudgeResult:
    """Split `keep` off a trader: recorded as the `different` pairs it implies."""
    from resolver.judging import split_pairs

    author = _author(by)
    return _judged(
        case,
        lambda: [case.judgements.record(a, b, "different", author, reason)
                 for a, b in split_pairs(case, trader_id, keep)],
        config, store, graph,
    )  # fmt: skip


def import_judgements(
    case: Case,
    path: Path | str,
    config: ConfigLike = None,
    store: str | None = None,
    graph: bool = True,
) -> JudgeResult:
    """Record the judgements of a shared CSV file (see `export_judgements`), all or nothing;
    entries the ledger already holds are skipped."""
    from resolver.judging import read_exchange, record_exchange

    rows = read_exchange(case, Path(path))
    return _judged(case, lambda: record_exchange(case, rows), config, store, graph)


def _judged(
    case: Case,
    record: Callable[[], list[Judgement]],
    config: ConfigLike,
    store: str | None,
    graph: bool,
) -> JudgeResult:
    from resolver.linkage.pipeline import recluster

    config = Config.of(config)
    with case.transaction():
        recorded = record()
        linked = case.traders.count() > 0
        summary = recluster(case, case.model.rules(config.matching)) if linked else None
    update = _update_graph(case, store, orders_of=[]) if graph and summary else None
    return JudgeResult(recorded, summary, update)


def _author(by: str | None) -> str:
    """`--by`, else the operating system's user."""
    import getpass

    return by or getpass.getuser()


def judgements(case: Case, local_time: bool = True) -> pd.DataFrame:
    """The whole ledger, oldest first (times in Asia/Shanghai, or as stored in UTC)."""
    from resolver.judging import as_frame

    return as_frame(case.judgements.ledger(), local_time)


def export_judgements(case: Case, out: Path | str) -> int:
    """Write the ledger as CSV for another case to import (times in UTC, as stored); returns
    how many entries."""
    from resolver.exports import write

    frame = judgements(case, local_time=False)
    write(frame, "csv", Path(out))
    return len(frame)


def evaluate(case: Case, config: ConfigLike = None, labels: Path | str | None = None) -> Evaluation:
    """Precision and recall of the model's links against the judgements; `labels`: also write
    them in Splink's labels format (with the model's probability beside each)."""
    from resolver.exports import write
    from resolver.judging import evaluate as run_evaluate

    rules = case.model.rules(Config.of(config).matching)
    result = run_evaluate(case, rules.thresholds.link)
    if labels is not None:
        write(result.pairs, "csv", Path(labels))
    return result


def review(
    case: Case, config: ConfigLike = None, limit: int = 50, only: str | None = None
) -> pd.DataFrame:
    """What most needs a person, best first, or one part of it (`only`: changed, kept-apart,
    one-tie, near, registrants or leads; see `resolver.judging.review_queue`)."""
    from resolver.judging import review_queue

    rules = case.model.rules(Config.of(config).matching)
    return review_queue(case, rules.thresholds.link, limit, only)


def export(case: Case, what: str) -> pd.DataFrame:
    """`accounts`, `traders`, `hubs`, `kept-apart`, `held-together` or `leads` of the case, as a
    table."""
    from resolver.exports import EXPORTS

    if what not in EXPORTS:
        raise ResolverError(f"{what}: expected {', '.join(EXPORTS)}")
    return EXPORTS[what](case)


__all__ = [
    "GraphUpdate",
    "JudgeResult",
    "MatchResult",
    "evaluate",
    "explain",
    "export",
    "export_graph",
    "export_judgements",
    "import_judgements",
    "ingest",
    "judge",
    "judgements",
    "load_graph",
    "match",
    "query",
    "report",
    "review",
    "split",
    "train",
    "update_graph",
]
