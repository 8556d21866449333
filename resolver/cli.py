"""The `resolver` command line: a thin layer over the library (`ingest`, `case`, ...)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from resolver import __version__
from resolver.case import DEFAULT_CASE, Case
from resolver.errors import ResolverError

app = typer.Typer(
    help="Find every account of one counterfeit trader across platform disclosures.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

CaseOption = Annotated[
    Path,
    typer.Option("--case", envvar="RESOLVER_CASE", help="Case folder (created owner-only)."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="RESOLVER_CONFIG",
        help="Configuration folder holding platforms/*.yaml (default: the shipped config/).",
    ),
]


@contextmanager
def reported_errors() -> Iterator[None]:
    """A ResolverError becomes one line on stderr and exit code 2; nothing else is swallowed."""
    try:
        yield
    except ResolverError as err:
        errors.print(f"[red]error:[/red] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(err.exit_code) from None


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
) -> None:
    """Write synthetic disclosures (taobao CSV, jd XLSX, douyin JSONL) and their ground truth."""
    from resolver.demo import generate

    with console.status(f"Generating {traders} traders..."):
        summary = generate(out, traders=traders, seed=seed)
    console.print(
        f"Wrote {len(summary.files)} disclosures to {summary.folder}: {summary.traders} traders, "
        f"{summary.accounts} accounts, {summary.orders} orders; ground truth in "
        f"{summary.folder / 'truth'}"
    )
    for path in summary.files:
        console.print(f"  {path}")


@app.command("ingest")
def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="Disclosure files (.csv, .xlsx, .jsonl).")],
    case: CaseOption = DEFAULT_CASE,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="Platform mapping to use instead of recognising headers."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Read disclosures into the case: all files, or none if one cannot be read."""
    from resolver.ingest import ingest

    with reported_errors(), Case.open(case) as opened:
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        with progress:
            task = progress.add_task("ingesting", total=len(files))

            def advance(stage: str, path: Path) -> None:
                progress.update(task, description=f"{stage} {path.name}")
                if stage == "done":
                    progress.advance(task)

            results = ingest(opened, files, platform=platform, config_dir=config, progress=advance)
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
    quarantined = sum(r.quarantined_rows + r.quarantined_values for r in results)
    if quarantined:
        console.print("Quarantined entries are listed by `resolver quarantine`.")


@app.command()
def status(case: CaseOption = DEFAULT_CASE) -> None:
    """What the case holds: disclosures, accounts, orders, quarantine."""
    with reported_errors(), Case.open(case) as opened:
        state = opened.status()
    counts = state["counts"]
    console.print(f"Case {state['folder']}")
    console.print(
        f"  {counts['disclosures']} disclosures, {counts['accounts']} accounts "
        f"({counts['seller_records']} seller records), {counts['distinct_orders']} distinct orders "
        f"({counts['orders']} disclosed), {counts['quarantined_rows']} quarantined rows, "
        f"{counts['quarantined_values']} quarantined values"
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
    with reported_errors(), Case.open(case) as opened:
        frame = opened.quarantine()
    if output_format == "csv":
        frame.to_csv(sys.stdout, index=False)
        return
    shown = frame[["source_file", "source_sheet", "source_row", "source_column", "level", "reason"]]
    print_frame(f"Quarantine ({len(frame)} entries)", shown)


def print_frame(title: str, frame: pd.DataFrame) -> None:
    """Any result as a rich table; missing values print as blanks."""
    table = Table(title=title)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(column.removeprefix("source_"), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*("" if pd.isna(value) else str(value) for value in row))
    console.print(table)
