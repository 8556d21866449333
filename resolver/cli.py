"""The `resolver` command line: parses, calls a use case of `resolver.workflows`, prints."""

from __future__ import annotations

import dataclasses
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from resolver import __version__, workflows
from resolver.case import DEFAULT_CASE, Case
from resolver.config import Config
from resolver.errors import CaseError, ResolverError, StoreUnavailable
from resolver.money import yuan

app = typer.Typer(
    help="Find every account of one counterfeit trader across platform disclosures.",
    no_args_is_help=True,
    add_completion=False,
)
# Data is printed as plain text: a value such as `[/b]` in a disclosure is not rich markup.
console = Console(markup=False, highlight=False)
errors = Console(stderr=True, markup=False, highlight=False)

CaseOption = Annotated[
    Path,
    typer.Option("--case", envvar="RESOLVER_CASE", help="Case folder (created owner-only)."),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="RESOLVER_NEO4J_URI",
        help="Neo4j address (bolt://... or neo4j://...); default: the embedded store in the case.",
    ),
]
GraphFlag = Annotated[
    bool, typer.Option("--graph/--no-graph", help="Update the graph store afterwards.")
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="zh or en (default: config/report.yaml, zh for a Chinese court)."),
]
EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where Splink trains and scores: duckdb, or spark (the spark extra: pyspark and "
        "Java 17); default: matching.yaml's engine.",
    ),
]
SparkOption = Annotated[
    str | None,
    typer.Option(
        "--spark",
        metavar="MASTER",
        help="Spark master for --engine spark: local[*] (default), local[N] or spark://host:7077.",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="RESOLVER_CONFIG",
        help="Configuration folder holding only what it changes (platforms/*.yaml, "
        "matching.yaml, keywords.yaml, damages.yaml); the rest comes from the defaults.",
    ),
]
# Exit codes: 2 = the input, configuration or request cannot be used; 3 = the case or the graph
# store is busy or unavailable (try again, or use another store).
EXIT_CODES: dict[type[ResolverError], int] = {CaseError: 3, StoreUnavailable: 3}
INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C


def exit_code(error: ResolverError) -> int:
    return next((code for kind, code in EXIT_CODES.items() if isinstance(error, kind)), 2)


@contextmanager
def reported_errors() -> Iterator[None]:
    """A ResolverError becomes one line on stderr and its exit code; nothing else is
    swallowed."""
    try:
        yield
    except ResolverError as err:
        errors.print(Text("error: ", style="red") + Text(str(err)), soft_wrap=True)
        raise typer.Exit(exit_code(err)) from None
    except (KeyboardInterrupt, Interrupted):
        say_interrupted()
        raise typer.Exit(INTERRUPTED) from None
    except RuntimeError as err:  # DuckDB takes a Ctrl-C during a query itself
        if str(err) != "Query interrupted":
            raise
        say_interrupted()
        raise typer.Exit(INTERRUPTED) from None


class Interrupted(BaseException):
    """Ctrl-C, raised in place of KeyboardInterrupt: click turns a KeyboardInterrupt outside a
    command's body (while it starts) into a bare "Aborted." and exit 1."""


def _interrupt(*_: object) -> None:
    raise Interrupted


def say_interrupted() -> None:
    errors.print(
        Text("error: ", style="red")
        + Text("interrupted; what this command had not finished is undone"),
        soft_wrap=True,
    )


def run() -> None:
    """The `resolver` command: Ctrl-C at any moment is one line and exit 130."""
    signal.signal(signal.SIGINT, _interrupt)
    try:
        app(prog_name="resolver")
    except Interrupted:
        say_interrupted()
        sys.exit(INTERRUPTED)


def version_callback(value: bool) -> None:
    if value:
        console.print(f"resolver {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True)
    ] = False,
) -> None:
    """resolver: entity resolution for IP-litigation investigators."""


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the disclosures into.")],
    traders: Annotated[int, typer.Option("--traders", min=1, help="Number of traders.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 7,
    hard: Annotated[
        bool,
        typer.Option(
            "--hard",
            help="As hard as held-out disclosures: payment accounts, agencies, families, many "
            "fronts on one phone, stores that changed hands, a Pinduoduo CSV (see README).",
        ),
    ] = False,
) -> None:
    """Write synthetic disclosures (taobao CSV, jd XLSX, douyin JSONL; with --hard a pdd CSV
    too) and their ground truth."""
    from resolver.demo import generate

    with reported_errors(), console.status(f"Generating {traders} traders..."):
        summary = generate(out, traders=traders, seed=seed, hard=hard)
    console.print(
        f"Wrote {len(summary.files)} disclosures to {summary.folder}: {summary.traders} traders, "
        f"{summary.accounts} accounts, {summary.orders} orders; ground truth in "
        f"{summary.folder / 'truth'}"
    )
    for path in summary.files:
        console.print(f"  {path}")


PlatformOption = Annotated[
    str | None,
    typer.Option("--platform", help="Platform mapping to use instead of recognising headers."),
]


class Shown:
    """Progress on stderr while a person watches it (a terminal, and no --quiet): a line per
    step of the library's work, with a bar and its counts where the step can count them, and a
    bar over the files of an ingest. It leaves nothing behind on the screen."""

    def __init__(self, quiet: bool) -> None:
        self.display = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
            disable=quiet or not sys.stderr.isatty(),
        )
        self.task: TaskID | None = None
        self.current: str | None = None

    def __enter__(self) -> Shown:
        self.display.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.display.__exit__(None, None, None)

    def step(self, step: str, done: int | None = None, total: int | None = None) -> None:
        """A `resolver.progress.Progress`: a new step gets a line of its own."""
        if step != self.current or self.task is None:
            if self.task is not None:  # the step before is done: a full bar, a stopped clock
                finished = next(t.total for t in self.display.tasks if t.id == self.task) or 1
                self.display.update(self.task, total=finished, completed=finished)
                self.display.stop_task(self.task)
            self.task = self.display.add_task(step, total=total)
            self.current = step
        self.display.update(self.task, completed=done or 0, total=total)

    def files(self, total: int):
        """(stage, file) -> the bar over the files of an ingest."""
        task = self.display.add_task("working", total=total)

        def advance(stage: str, path: Path) -> None:
            self.display.update(task, description=f"{stage} {path.name}")
            if stage == "done":
                self.display.advance(task)

        return advance


QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress display (none is shown off a terminal).")
]
ExcelFlag = Annotated[
    bool,
    typer.Option("--excel", help="CSV for Excel: UTF-8 with a byte order mark (and CRLF)."),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print the summary as one JSON object, for scripts.")
]


def print_json(value: object) -> None:
    """A summary for scripts: dataclasses as objects, paths and moments as text."""
    sys.stdout.write(json.dumps(as_plain(value), ensure_ascii=False, indent=1) + "\n")


def as_plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_plain(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return json.loads(value.to_json(orient="records", date_format="iso", force_ascii=False))
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def print_ingest_summary(results) -> None:
    summary = pd.DataFrame(
        {
            "file": [r.path.name for r in results],
            "platform": [r.platform for r in results],
            "status": [r.status for r in results],
            "rows": [r.source_rows for r in results],
            "sellers": [r.sellers for r in results],
            "orders": [r.orders for r in results],
            "quarantined": [
                f"{r.quarantined_rows} rows, {r.quarantined_values} values" for r in results
            ],
            "seconds": [f"{r.seconds:.1f}" for r in results],
        }
    )
    print_frame("Ingest summary", summary)
    for result in results:
        if result.unread_sheets:
            console.print(
                f"[yellow]{result.path.name}: no table of its mapping reads the sheets "
                f"{', '.join(result.unread_sheets)}, which hold a table's headers: name them in "
                "the mapping's `sheet` (a pattern such as 订单明细* reads several)[/yellow]"
            )
    if sum(r.quarantined_rows + r.quarantined_values for r in results):
        console.print("Quarantined entries are listed by `resolver quarantine`.")


@app.command("ingest")
def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="Disclosure files (.csv, .xlsx, .jsonl).")],
    case: CaseOption = DEFAULT_CASE,
    platform: PlatformOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
    as_json: JsonFlag = False,
) -> None:
    """Read disclosures into the case: all files, or none if one cannot be read."""
    with reported_errors(), Case.open(case) as opened, Shown(quiet) as shown:
        results = workflows.ingest(
            opened, files, platform, Config.of(config), shown.files(len(files))
        )
    if as_json:
        print_json({"files": results})
        return
    print_ingest_summary(results)


@app.command()
def match(
    files: Annotated[
        list[Path] | None, typer.Argument(help="New disclosures; none: link what the case holds.")
    ] = None,
    case: CaseOption = DEFAULT_CASE,
    platform: PlatformOption = None,
    config: ConfigOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="Score every pair again, not only the new accounts'.")
    ] = False,
    store: StoreOption = None,
    graph: GraphFlag = True,
    engine: EngineOption = None,
    spark: SparkOption = None,
    quiet: QuietOption = False,
    as_json: JsonFlag = False,
) -> None:
    """Ingest new disclosures, link their accounts to the case's traders, and report."""
    files, engine = files or [], _engine(engine)
    with reported_errors(), Case.open(case) as opened, Shown(quiet) as shown:
        rules = Config.of(config).running_on(engine, spark)
        result = workflows.match(
            opened, files, platform, rules, full, store, graph, shown.files(len(files)),
            shown.step,
        )  # fmt: skip
        leads = len(opened.links.leads())
    if as_json:
        print_json(result)
        return
    if files:
        print_ingest_summary(result.files)
    print_link_summary(result.link, leads)
    print_graph_update(result.graph)


@app.command()
def train(
    case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None,
    store: StoreOption = None,
    graph: GraphFlag = True,
    engine: EngineOption = None,
    spark: SparkOption = None,
    quiet: QuietOption = False,
) -> None:
    """Retrain the match model on the case's accounts, then score and cluster every pair."""
    engine = _engine(engine)
    with reported_errors(), Case.open(case, create=False) as opened, Shown(quiet) as shown:
        rules = Config.of(config).running_on(engine, spark)
        summary, update = workflows.train(opened, rules, store, graph, shown.step)
        leads = len(opened.links.leads())
    print_link_summary(summary, leads)
    print_graph_update(update)


def _engine(engine: str | None) -> str | None:
    if engine not in (None, "duckdb", "spark"):
        raise typer.BadParameter(f"{engine!r}: expected duckdb or spark", param_hint="--engine")
    return engine


def print_link_summary(summary, leads: int) -> None:
    trained = "model trained; " if summary.trained else ""
    clustered = f", {summary.clustered} clustered" if summary.mode == "incremental" else ""
    console.print(
        f"Linked ({summary.mode}; {trained}{summary.scored_accounts} accounts scored, "
        f"{summary.pairs} candidate pairs{clustered}) in {summary.seconds:.1f} s: "
        f"{summary.accounts} accounts -> {summary.traders} traders "
        f"({summary.multi_account_traders} with several accounts); {summary.links} links; "
        f"{summary.hubs} hub values left out, {summary.weak_hubs} kept as weak ties, "
        f"{summary.suppliers} stores selling to others (`resolver export hubs`); "
        f"{summary.self_purchase_orders} self-purchase orders.",
        soft_wrap=True,  # the terminal wraps it: a command in it stays whole
    )
    if summary.kept_apart:
        console.print(
            f"{summary.kept_apart} groups of accounts were kept apart, each held together by one "
            "value or one weak link only, or tied weakly to two traders: review them with "
            "`resolver export kept-apart`."
        )
    if leads:
        console.print(
            f"{leads} leads: accounts alone that weak ties of one kind point to a trader, which "
            "never link alone; a person may judge them: `resolver review --only leads`."
        )
    for warning in summary.warnings:
        console.print(f"warning: {warning}", highlight=False, markup=False)
    print_conflicts(summary.conflicts)
    console.print(
        f"{summary.new_accounts} new accounts: {len(summary.joined)} joined existing traders; "
        f"{summary.new_traders} new traders."
    )
    if summary.joined:
        joined = pd.DataFrame(summary.joined, columns=["new account", "joined trader"])
        print_frame("New accounts that joined existing traders", joined)
    print_trader_changes(summary)


def print_trader_changes(summary) -> None:
    if summary.merged:
        print_frame("Traders merged", pd.DataFrame(summary.merged, columns=["retired", "into"]))
    if summary.split:
        print_frame("Traders split", pd.DataFrame(summary.split, columns=["from", "new trader"]))


def print_conflicts(conflicts: list[str]) -> None:
    for conflict in conflicts:
        errors.print(
            f"contested: these judgements cannot all hold, and reports refuse the trader's "
            f"network until one is changed or retracted: {conflict}",
            soft_wrap=True,
        )


def print_graph_update(update: workflows.GraphUpdate | None) -> None:
    if update is None:
        return
    if update.summary is None:
        console.print(
            f"The graph was not updated: {update.unavailable}. The case is up to date; "
            "`resolver load-graph` brings the graph up to date later.",
            highlight=False,
            markup=False,
        )
        return
    print_load_summary(update.summary, update.dialect or "")


def print_load_summary(summary, dialect: str) -> None:
    counts = summary.counts
    console.print(
        f"Graph ({dialect}) updated in {summary.seconds:.1f} s: {counts['traders']} traders, "
        f"{counts['accounts']} accounts, {counts['orders']} orders, {counts['links']} links."
    )


@app.command("load-graph")
def load_graph(
    case: CaseOption = DEFAULT_CASE,
    store: StoreOption = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Rows per UNWIND batch.")
    ] = 10_000,
    quiet: QuietOption = False,
) -> None:
    """Load the whole case into the graph store again (idempotent: MERGE on keys)."""
    from resolver.graph.store import neo4j_uri

    with reported_errors(), Case.open(case, create=False) as opened, Shown(quiet) as shown:
        summary = workflows.load_graph(opened, store, batch_size, shown.step)
        dialect = "neo4j" if neo4j_uri(store) else "falkordb"
    print_load_summary(summary, dialect)


@app.command("export-graph")
def export_graph(
    out: Annotated[Path, typer.Option("--out", help="A new (or empty) folder to write.")],
    output_format: Annotated[
        str, typer.Option("--format", help="neo4j-admin: the files of its full import.")
    ] = "neo4j-admin",
    case: CaseOption = DEFAULT_CASE,
    quiet: QuietOption = False,
) -> None:
    """The case's graph as node and relationship CSVs for `neo4j-admin database import full`,
    with the import command (import.sh) and the schema (schema.cypher): a first load of a big
    case into Neo4j."""
    if output_format != "neo4j-admin":
        raise typer.BadParameter("expected neo4j-admin", param_hint="--format")
    with reported_errors(), Case.open(case, create=False) as opened, Shown(quiet) as shown:
        summary = workflows.export_graph(opened, out, shown.step)
    nodes, relationships = sum(summary.nodes.values()), sum(summary.relationships.values())
    console.print(
        f"Wrote {nodes} nodes and {relationships} relationships in {len(summary.files)} files "
        f"to {summary.folder}; run {summary.folder / 'import.sh'} where neo4j-admin runs (the "
        "database stopped), then schema.cypher with cypher-shell."
    )


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="A query of the library (see --list).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("-p", "--param", help="A parameter as name=value.")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    list_queries: Annotated[bool, typer.Option("--list", help="List the library.")] = False,
    case: CaseOption = DEFAULT_CASE,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Run a query of the Cypher library (cypher/*.cypher) on the case's graph."""
    from resolver.exports import write
    from resolver.graph.library import load_queries

    with reported_errors():
        if list_queries or name is None:
            queries = load_queries()
            listing = pd.DataFrame(
                {
                    "query": list(queries),
                    "parameters": [
                        ", ".join(
                            p.name + ("" if p.default is not None else " (required)")
                            for p in q.parameters
                        )
                        for q in queries.values()
                    ],
                    "purpose": [q.purpose for q in queries.values()],
                }
            )
            print_frame("Query library (cypher/)", listing)
            return
        if output_format not in ("table", "csv", "json"):
            raise typer.BadParameter("expected table, csv or json", param_hint="--format")
        given = {}
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep:
                raise typer.BadParameter(f"{item!r}: expected name=value", param_hint="-p")
            given[key] = value
        with Case.open(case, create=False) as opened:
            frame = workflows.query(opened, name, given, store, Config.of(config))
    if output_format == "table":
        print_frame(f"{name} ({len(frame)} rows)", frame)
    else:
        write(frame, output_format, None)


def serve_until_stopped(server) -> None:
    """Keep a local page (the review page, the Browser guide) up until Ctrl-C or SIGTERM, then
    stop it."""
    import time

    def stop(*_: object) -> None:
        raise Interrupted  # SIGTERM ends the page as Ctrl-C does

    signal.signal(signal.SIGTERM, stop)
    try:
        while server.thread.is_alive():
            time.sleep(0.5)
    except (KeyboardInterrupt, Interrupted):
        pass
    finally:
        server.stop()


@app.command()
def guide(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the Neo4j Browser guide (HTML) here.")
    ] = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Serve it on 127.0.0.1 for `:guide` until Ctrl-C."),
    ] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to serve on.")] = (
        8765
    ),
) -> None:
    """A Neo4j Browser guide to the query library: a slide per query, each runnable with its
    `:param` lines."""

    from resolver.files import write_private_text
    from resolver.graph import guide as guides

    if out is None and not serve:
        raise typer.BadParameter("give --out FILE, --serve, or both", param_hint="--out")
    with reported_errors():
        if out is not None:
            write_private_text(out, guides.guide_html())
            console.print(f"Guide written to {out}")
        if not serve:
            return
        try:
            server = guides.serve(port)
        except OSError as err:
            raise ResolverError(f"cannot serve the guide on 127.0.0.1:{port}: {err}") from None
        console.print(f"In Neo4j Browser, run: {server.command}   (Ctrl-C stops serving)")
        serve_until_stopped(server)


@app.command()
def explain(
    account_a: Annotated[str, typer.Argument(help="An account as platform:key.")],
    account_b: Annotated[str, typer.Argument(help="Another account as platform:key.")],
    case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML chart here.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """The match weight of every comparison between two accounts, and the final probability."""
    from resolver.files import write_private_text
    from resolver.linkage.explain import as_html, as_text

    with reported_errors(), Case.open(case, create=False) as opened:
        explanation = workflows.explain(opened, account_a, account_b, Config.of(config), lang)
        console.print(as_text(explanation), highlight=False, markup=False)
        if html_out:
            write_private_text(html_out, as_html(explanation))
            console.print(f"Chart written to {html_out}", highlight=False, markup=False)


@app.command()
def report(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="File to write: .html (offline page), .pdf (printed by Chromium) or .xlsx.",
        ),
    ],
    trader_id: Annotated[
        str | None, typer.Argument(help="A trader id (TR...): the report covers its network.")
    ] = None,
    all_networks: Annotated[
        bool, typer.Option("--all", help="Report every network of the case instead.")
    ] = False,
    include_self_purchases: Annotated[
        bool,
        typer.Option(
            "--include-self-purchases",
            help="Count self-purchase (brushing) orders in the totals; by default they are "
            "listed apart and not counted.",
        ),
    ] = False,
    case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None,
    lang: LangOption = None,
    quiet: QuietOption = False,
) -> None:
    """An evidence report: accounts and how each was linked, sales counted once, damages
    scenarios, and the disclosure rows behind every figure."""
    if (trader_id is None) == (not all_networks):
        raise typer.BadParameter("give a TRADER_ID or --all (not both)", param_hint="TRADER_ID")
    with reported_errors(), Case.open(case, create=False) as opened, Shown(quiet) as shown:
        written = workflows.report(
            opened, trader_id, out, include_self_purchases, Config.of(config), shown.step, lang
        )
    orders = sum(n.total("orders") for n in written.networks)
    amount = sum(n.total("amount_fen") for n in written.networks)
    infringing = sum(n.total("infringing_fen") for n in written.networks)
    for note in written.notes:
        console.print(note, highlight=False)
    console.print(
        f"{len(written.networks)} network(s), {orders} orders counted: sales {yuan(amount)}, "
        f"infringing {yuan(infringing)}. Report written to {out}",
        highlight=False,
    )


@app.command()
def export(
    what: Annotated[
        str, typer.Argument(help="accounts, traders, hubs, kept-apart, held-together or leads.")
    ],
    case: CaseOption = DEFAULT_CASE,
    output_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default stdout).")] = (
        None
    ),
    excel: ExcelFlag = False,
) -> None:
    """Accounts with their trader and probability; traders with names and platforms; hubs with
    the reason each is one; groups clustering kept apart or held by one tie, and accounts alone
    that one weak tie points to a trader (leads), for review."""
    from resolver.exports import EXPORTS, write

    if what not in EXPORTS:
        raise typer.BadParameter(f"expected {', '.join(EXPORTS)}", param_hint="WHAT")
    if output_format not in ("csv", "json"):
        raise typer.BadParameter("expected csv or json", param_hint="--format")
    with reported_errors(), Case.open(case, create=False) as opened:
        write(workflows.export(opened, what), output_format, out, excel)


@app.command()
def status(case: CaseOption = DEFAULT_CASE, as_json: JsonFlag = False) -> None:
    """What the case holds: disclosures, accounts, orders, quarantine."""
    with reported_errors(), Case.open(case, create=False) as opened:
        state = opened.status()
    if as_json:
        print_json(state)
        return
    counts = state["counts"]
    console.print(f"Case {state['folder']}")
    console.print(
        f"  {counts['disclosures']} disclosures, {counts['accounts']} accounts "
        f"({counts['seller_records']} seller records), {counts['distinct_orders']} distinct orders "
        f"({counts['orders']} disclosed), {counts['quarantined_rows']} quarantined rows, "
        f"{counts['quarantined_values']} quarantined values, {counts['traders']} traders"
    )
    frame = state["disclosures"]
    if len(frame):
        frame["quarantined"] = [
            f"{r} rows, {v} values"
            for r, v in zip(
                frame.pop("quarantined_rows"), frame.pop("quarantined_values"), strict=True
            )
        ]
        frame["ingested_at"] = frame["ingested_at"].dt.strftime("%Y-%m-%d %H:%M")
        print_frame("Disclosures", frame)


@app.command()
def quarantine(
    case: CaseOption = DEFAULT_CASE,
    output_format: Annotated[
        str, typer.Option("--format", help="table or csv.", case_sensitive=False)
    ] = "table",
) -> None:
    """Rows and values set aside at ingest, with file, row, column and reason."""
    if output_format not in ("table", "csv"):
        raise typer.BadParameter("expected table or csv", param_hint="--format")
    from resolver.exports import write

    with reported_errors(), Case.open(case, create=False) as opened:
        frame = opened.disclosures.quarantine()
    if output_format == "csv":
        write(frame, "csv", None)
        return
    shown = frame[["source_file", "source_sheet", "source_row", "source_column", "level", "reason"]]
    print_frame(f"Quarantine ({len(frame)} entries)", shown)


def print_frame(title: str, frame: pd.DataFrame) -> None:
    """Any result as a rich table; missing values print as blanks."""
    table = Table(title=Text(title))
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        header = Text(str(column).removeprefix("source_"))
        table.add_column(header, justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(Text(cell_text(value)) for value in row))
    console.print(table)


def cell_text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return str(value)


# -- investigators' judgements -------------------------------------------------------------------
judge_app = typer.Typer(
    help="Record, list, verify and share investigators' judgements on pairs of accounts.",
    no_args_is_help=True,
)
app.add_typer(judge_app, name="judge")

AccountArgument = Annotated[str, typer.Argument(help="An account as platform:key.")]
ReasonOption = Annotated[
    str | None, typer.Option("--reason", help="Why (required for same and different).")
]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides (default: the operating system's user).")
]
EvidenceOption = Annotated[
    str | None, typer.Option("--evidence", help="What the decision rests on (a reference).")
]


def _judge(case: Path, a: str, b: str, verdict: str, reason, by, evidence, config, store, graph):
    with reported_errors(), Case.open(case, create=False) as opened:
        result = workflows.judge(
            opened, a, b, verdict, reason, by, evidence, Config.of(config), store, graph
        )
    print_judged(result)


def print_judged(result: workflows.JudgeResult) -> None:
    for judgement in result.judgements:
        console.print(f"Recorded {judgement.words}")
    if not result.judgements:
        console.print("Nothing new to record: the ledger holds every entry already.")
    if result.link is None:
        console.print("The case is not linked yet: the next `resolver match` obeys it.")
        return
    console.print(
        f"Traders clustered again: {result.link.accounts} accounts -> {result.link.traders} "
        f"traders."
    )
    print_conflicts(result.link.conflicts)
    print_trader_changes(result.link)
    print_graph_update(result.graph)


@judge_app.command("same")
def judge_same(
    account_a: AccountArgument, account_b: AccountArgument, reason: ReasonOption = None,
    by: ByOption = None, evidence: EvidenceOption = None, case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None, store: StoreOption = None, graph: GraphFlag = True,
) -> None:  # fmt: skip
    """The two accounts belong to one trader: every run keeps them together."""
    _judge(case, account_a, account_b, "same", reason, by, evidence, config, store, graph)


@judge_app.command("different")
def judge_different(
    account_a: AccountArgument, account_b: AccountArgument, reason: ReasonOption = None,
    by: ByOption = None, evidence: EvidenceOption = None, case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None, store: StoreOption = None, graph: GraphFlag = True,
) -> None:  # fmt: skip
    """The two accounts belong to different traders: every run keeps them apart."""
    _judge(case, account_a, account_b, "different", reason, by, evidence, config, store, graph)


@judge_app.command("unsure")
def judge_unsure(
    account_a: AccountArgument, account_b: AccountArgument, reason: ReasonOption = None,
    by: ByOption = None, evidence: EvidenceOption = None, case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None, store: StoreOption = None, graph: GraphFlag = True,
) -> None:  # fmt: skip
    """Doubt: the model's own link of the two accounts no longer counts."""
    _judge(case, account_a, account_b, "unsure", reason, by, evidence, config, store, graph)


@judge_app.command("retract")
def judge_retract(
    account_a: AccountArgument, account_b: AccountArgument, reason: ReasonOption = None,
    by: ByOption = None, case: CaseOption = DEFAULT_CASE, config: ConfigOption = None,
    store: StoreOption = None, graph: GraphFlag = True,
) -> None:  # fmt: skip
    """Withdraw the judgement on two accounts (the ledger keeps it, marked retracted)."""
    _judge(case, account_a, account_b, "retracted", reason, by, None, config, store, graph)


@judge_app.command("list")
def judge_list(
    case: CaseOption = DEFAULT_CASE,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Every entry of the ledger, oldest first (times in Asia/Shanghai)."""
    from resolver.exports import write

    if output_format not in ("table", "csv", "json"):
        raise typer.BadParameter("expected table, csv or json", param_hint="--format")
    with reported_errors(), Case.open(case, create=False) as opened:
        frame = workflows.judgements(opened)
    if output_format == "table":
        shown = frame[["seq", "account_a", "account_b", "verdict", "author", "judged_at", "reason"]]
        print_frame(f"Judgements ({len(frame)} entries)", shown)
    else:
        write(frame, output_format, None)


@judge_app.command("verify")
def judge_verify(case: CaseOption = DEFAULT_CASE) -> None:
    """Prove that the ledger is as resolver wrote it: every entry's hash and its chain."""
    with reported_errors(), Case.open(case, create=False) as opened:
        problems = opened.judgements.verify()
        entries = len(opened.judgements.ledger())
        if problems:
            raise ResolverError(f"the ledger was changed outside resolver: {'; '.join(problems)}")
    console.print(f"The ledger is intact: {entries} entries, each chained to the one before.")


@judge_app.command("export")
def judge_export(
    out: Annotated[Path, typer.Argument(help="CSV file to write.")],
    case: CaseOption = DEFAULT_CASE,
) -> None:
    """Write the ledger as CSV (times in UTC) for another case to import."""
    with reported_errors(), Case.open(case, create=False) as opened:
        count = workflows.export_judgements(opened, out)
    console.print(f"Wrote {count} judgements to {out}")


@judge_app.command("import")
def judge_import(
    file: Annotated[Path, typer.Argument(help="CSV file written by `resolver judge export`.")],
    case: CaseOption = DEFAULT_CASE, config: ConfigOption = None, store: StoreOption = None,
    graph: GraphFlag = True,
) -> None:  # fmt: skip
    """Record the judgements of a shared file: all or none (each bad row named)."""
    with reported_errors(), Case.open(case, create=False) as opened:
        result = workflows.import_judgements(opened, file, Config.of(config), store, graph)
    print_judged(result)


@app.command()
def split(
    trader_id: Annotated[str, typer.Argument(help="The trader to split.")],
    keep: Annotated[str, typer.Option("--keep", help="Accounts to split off: A,B,...")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    by: ByOption = None, case: CaseOption = DEFAULT_CASE, config: ConfigOption = None,
    store: StoreOption = None, graph: GraphFlag = True,
) -> None:  # fmt: skip
    """Split accounts off a trader, recorded as the `different` judgements it implies."""
    accounts = [a.strip() for a in keep.split(",") if a.strip()]
    with reported_errors(), Case.open(case, create=False) as opened:
        result = workflows.split(
            opened, trader_id, accounts, reason, by, Config.of(config), store, graph
        )
    print_judged(result)


@app.command()
def review(
    case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None,
    limit: Annotated[int, typer.Option("--limit", help="How many items at most.")] = 50,
    only: Annotated[
        str | None,
        typer.Option(
            "--only", help="One part: changed, kept-apart, one-tie, near, registrants or leads."
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    web: Annotated[
        bool, typer.Option("--web", help="Serve a review page on 127.0.0.1 until Ctrl-C.")
    ] = False,
    store: StoreOption = None,
    graph: GraphFlag = True,
) -> None:
    """What most needs a person, best first: judged pairs whose disclosures changed, groups
    kept apart, traders held by one tie, links near the threshold, traders with many
    registrants, and accounts alone that one weak tie points to a trader (leads). `--web`: a
    local page to judge them."""
    from resolver.exports import write
    from resolver.judging import REVIEW_PARTS

    if output_format not in ("table", "csv", "json"):
        raise typer.BadParameter("expected table, csv or json", param_hint="--format")
    if only is not None and only not in REVIEW_PARTS:
        raise typer.BadParameter(f"expected one of {', '.join(REVIEW_PARTS)}", param_hint="--only")
    with reported_errors(), Case.open(case, create=False) as opened:
        if web:
            serve_review(opened, Config.of(config), limit, store, graph, only)
            return
        frame = workflows.review(opened, Config.of(config), limit, only)
    if output_format == "table":
        print_frame(f"To review ({len(frame)} items)", frame.drop(columns="priority"))
    else:
        write(frame, output_format, None)


def serve_review(
    opened: Case, config: Config, limit: int, store, graph: bool, only: str | None = None
) -> None:
    """The review page until Ctrl-C; then the graph catches up with what was judged."""

    from resolver.web import start

    workflows.review(opened, config, limit, only)  # a case that cannot be reviewed fails here
    server = start(opened, config, limit, only)
    console.print(f"Review page (127.0.0.1 only; Ctrl-C stops it): {server.url}")
    serve_until_stopped(server)
    console.print(f"{len(server.judged)} judgements recorded through the page.")
    if server.judged and graph:
        print_graph_update(workflows.update_graph(opened, store))


@app.command()
def evaluate(
    case: CaseOption = DEFAULT_CASE,
    config: ConfigOption = None,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="Also write the labels (Splink's format).")
    ] = None,
) -> None:
    """Precision and recall of the model's links against the judgements."""
    with reported_errors(), Case.open(case, create=False) as opened:
        result = workflows.evaluate(opened, Config.of(config), labels)

    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.4f}"

    console.print(
        f"Against {len(result.pairs)} judged pairs (same or different), links at or above "
        f"{result.threshold}: precision {share(result.precision)}, recall "
        f"{share(result.recall)} ({result.true_positives} true, {result.false_positives} "
        f"false links; {result.false_negatives} missed, {result.true_negatives} rightly apart)."
    )
