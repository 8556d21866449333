"""The command line, run in-process through typer's runner: exit codes, output, every option."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resolver import Case, __version__
from resolver.cli import app
from resolver.graph.store import open_store

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_demo_writes_three_shapes_and_truth(tmp_path: Path) -> None:
    result = run("demo", "--out", tmp_path / "d", "--traders", "15", "--seed", "3")
    assert result.exit_code == 0, result.output
    names = {p.suffix for p in (tmp_path / "d").iterdir() if p.is_file()}
    assert names == {".csv", ".xlsx", ".jsonl"}
    for name in ("accounts.csv", "orders.csv", "sales.csv", "bad_rows.csv"):
        assert (tmp_path / "d" / "truth" / name).stat().st_size > 0
    again = run("demo", "--out", tmp_path / "e", "--traders", "15", "--seed", "3")
    assert again.exit_code == 0
    same = (tmp_path / "d" / "douyin_orders.jsonl").read_bytes()
    assert same == (tmp_path / "e" / "douyin_orders.jsonl").read_bytes()  # a seed is a dataset


def test_ingest_status_quarantine(demo_files, demo_dir: Path, tmp_path: Path) -> None:
    case = tmp_path / "case"
    result = run("ingest", *demo_files, "--case", case)
    assert result.exit_code == 0, result.output
    assert "Ingest summary" in result.stdout and "taobao" in result.stdout
    assert "resolver quarantine" in result.stdout

    again = run("ingest", demo_files[0], "--case", case)
    assert "already" in again.stdout

    status = run("status", "--case", case)
    assert status.exit_code == 0
    assert "4 disclosures" in " ".join(status.stdout.split())

    listing = run("quarantine", "--case", case, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(listing.stdout)))
    truth = list(csv.DictReader((demo_dir / "truth" / "bad_rows.csv").open(encoding="utf-8")))
    assert len(rows) == len(truth)
    assert {"source_file", "source_row", "source_column", "reason", "raw_row"} <= set(rows[0])
    table = run("quarantine", "--case", case)
    assert table.exit_code == 0 and "negative amount" in table.stdout
    bad_format = runner.invoke(app, ["quarantine", "--case", str(case), "--format", "xml"])
    assert bad_format.exit_code == 2


def test_platform_option(demo_dir: Path, tmp_path: Path) -> None:
    result = run("ingest", demo_dir / "jd_disclosure.xlsx", "--platform", "jd", "--case", tmp_path)
    assert result.exit_code == 0 and "jd" in result.stdout


def test_case_from_environment(demo_files, demo_dir: Path, tmp_path: Path) -> None:
    case = tmp_path / "env-case"
    result = runner.invoke(app, ["ingest", str(demo_files[0])], env={"RESOLVER_CASE": str(case)})
    assert result.exit_code == 0 and (case / "case.duckdb").exists()


def test_config_option_overlays_the_defaults(demo_files, demo_dir: Path, tmp_path: Path) -> None:
    """A config folder holds only what it changes: without mappings of its own, the shipped
    ones read the file; a broken mapping of its own is an error naming that file."""
    own = tmp_path / "config"
    (own / "platforms").mkdir(parents=True)
    result = run("ingest", demo_files[0], "--case", tmp_path / "c", "--config", own)
    assert result.exit_code == 0, result.output
    (own / "platforms" / "mine.yaml").write_text("platform: [1\n", encoding="utf-8")
    broken = run("ingest", demo_files[1], "--case", tmp_path / "c", "--config", own)
    assert broken.exit_code == 2
    assert "mine.yaml: cannot read YAML" in broken.stderr
    missing = run("ingest", demo_files[1], "--case", tmp_path / "c", "--config", tmp_path / "no")
    assert missing.exit_code == 2 and "no such configuration folder" in missing.stderr


def test_fatal_error_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("ingest", bad, "--case", tmp_path / "case")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ") and "x.csv" in result.stderr
    assert "unknown shape" in result.stderr


def test_match_train_explain_export(demo_files, tmp_path: Path) -> None:
    case = tmp_path / "case"
    first = run("match", *demo_files[2:], "--case", case)
    assert first.exit_code == 0, first.output
    assert "Ingest summary" in first.stdout and "model trained" in first.stdout
    second = run("match", *demo_files[:2], "--case", case)
    assert "incremental" in second.stdout and "joined existing traders" in second.stdout
    assert re.search(r"candidate pairs, \d+ clustered\)", " ".join(second.stdout.split()))
    again = run("match", "--case", case, "--full")
    assert again.exit_code == 0 and "full" in again.stdout
    trained = run("train", "--case", case)
    assert trained.exit_code == 0 and "model trained" in trained.stdout

    listing = run("export", "accounts", "--case", case)
    rows = list(csv.DictReader(io.StringIO(listing.stdout)))
    by_trader: dict[str, list[str]] = {}
    for row in rows:
        by_trader.setdefault(row["trader_id"], []).append(row["account_id"])
    a, b = next(accounts for accounts in by_trader.values() if len(accounts) > 1)[:2]
    chart = tmp_path / "why.html"
    explained = run("explain", a, b, "--case", case, "--html", chart, "--lang", "en")
    assert explained.exit_code == 0 and "probability" in explained.stdout
    assert "<svg" in chart.read_text(encoding="utf-8")

    out = tmp_path / "traders.json"
    assert run("export", "traders", "--format", "json", "--out", out, "--case", case).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == len(by_trader)
    status = run("status", "--case", case)
    assert f"{len(by_trader)} traders" in " ".join(status.stdout.split())


def test_linkage_commands_fail_cleanly(tmp_path: Path) -> None:
    case = tmp_path / "case"
    Case.open(case).close()  # an empty case: nothing ingested, nothing trained
    missing = runner.invoke(app, ["explain", "taobao:1", "jd:2", "--case", str(case)])
    assert missing.exit_code == 2 and "no trained model" in missing.stderr
    bad = runner.invoke(app, ["export", "orders", "--case", str(case)])
    assert bad.exit_code == 2
    bad_format = runner.invoke(app, ["export", "accounts", "--format", "xml", "--case", str(case)])
    assert bad_format.exit_code == 2


def test_query_commands_on_the_embedded_graph(demo_files, tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run("match", *demo_files, "--case", case).exit_code == 0
    listing = run("query", "--list")
    assert listing.exit_code == 0 and "sales_per_trader" in listing.stdout
    rows = run("query", "sales_per_trader", "-p", "limit=5", "--format", "json", "--case", case)
    sales = json.loads(rows.stdout)
    assert len(sales) == 5 and all(r["amount_fen"] > 0 for r in sales)
    table = run("query", "cross_platform_traders", "--case", case)
    assert table.exit_code == 0 and "cross_platform_traders" in table.stdout
    csv_rows = run("query", "top_networks", "-p", "limit=2", "--format", "csv", "--case", case)
    assert len(list(csv.DictReader(io.StringIO(csv_rows.stdout)))) == 2
    again = run("load-graph", "--case", case, "--batch-size", "500")
    assert again.exit_code == 0 and "Graph (falkordb) updated" in again.stdout
    missing = runner.invoke(app, ["query", "account_network", "--case", str(case)])
    assert missing.exit_code == 2 and "'account_id' is required" in missing.stderr
    unknown = runner.invoke(app, ["query", "nope", "--case", str(case)])
    assert unknown.exit_code == 2 and "no such query" in unknown.stderr
    bad_store = runner.invoke(
        app, ["query", "top_networks", "--store", "http://x", "--case", str(case)]
    )
    assert bad_store.exit_code == 2 and "expected bolt://" in bad_store.stderr


@pytest.mark.parametrize("matches", [1, 2])
def test_sales_in_the_graph_match_the_case(demo_files, tmp_path: Path, matches: int) -> None:
    """The library's totals equal those computed from the case's tables, orders once: after
    one match, and after a second match whose disclosure (taobao 2024) discloses again orders
    the graph holds (the load after a match reads only its orders, a batch at a time)."""
    import duckdb

    case = tmp_path / "case"
    for files in [demo_files] if matches == 1 else [demo_files[:-1], demo_files[-1:]]:
        assert run("match", *files, "--case", case).exit_code == 0
    rows = json.loads(
        run(
            "query",
            "sales_per_trader",
            "-p",
            "limit=100000",
            "-p",
            "include_self_purchases=true",
            "--format",
            "json",
            "--case",
            case,
        ).stdout
    )
    db = duckdb.connect(str(case / "case.duckdb"), read_only=True)
    expected = dict(
        db.execute(
            "SELECT t.trader_id, sum(o.amount_fen) FROM (SELECT DISTINCT platform, order_id, "
            "account_id, amount_fen FROM orders) o JOIN trader_accounts t USING (account_id) "
            "GROUP BY t.trader_id"
        ).fetchall()
    )
    orders, copies = db.execute(
        "SELECT count(DISTINCT (platform, order_id)), count(*) FROM orders"
    ).fetchone()
    db.close()
    assert {r["trader"]: r["amount_fen"] for r in rows} == expected
    with open_store(case, None) as store:
        _, found = store.query("MATCH (o:Order) RETURN count(o), sum(size(o.provenance))")
    assert list(found[0]) == [orders, copies] and copies > orders  # some disclosed twice


def test_without_the_embedded_store_everything_but_the_graph_works(
    demo_files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Windows, where FalkorDB's server does not run: match says the graph was not
    updated and points to Neo4j; ingest, explain, export and report work; a query says why not."""
    from resolver.graph import store

    monkeypatch.setattr(store, "embedded_available", lambda: False)
    case = tmp_path / "case"
    matched = run("match", *demo_files, "--case", case)
    assert matched.exit_code == 0, matched.output
    said = " ".join(matched.stdout.split())
    assert "The graph was not updated" in said and "--store bolt://" in said
    listing = run("export", "accounts", "--case", case)
    a, b = [row["account_id"] for row in csv.DictReader(io.StringIO(listing.stdout))][:2]
    assert run("explain", a, b, "--case", case).exit_code == 0
    assert run("report", "--all", "--out", tmp_path / "r.xlsx", "--case", case).exit_code == 0
    query = runner.invoke(app, ["query", "top_networks", "--case", str(case)])
    assert query.exit_code == 3 and "Neo4j" in query.stderr


def test_demo_hard_adds_a_pinduoduo_export_and_match_lists_hubs(tmp_path: Path) -> None:
    result = run("demo", "--out", tmp_path / "d", "--traders", "40", "--seed", "4", "--hard")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "d").iterdir() if p.is_file())
    assert "pdd_orders.csv" in files and len(files) == 5
    matched = run("match", *[tmp_path / "d" / f for f in files], "--case", tmp_path / "c",
                  "--no-graph")  # fmt: skip
    assert matched.exit_code == 0, matched.output
    assert "pdd" in matched.stdout and "resolver export hubs" in matched.stdout
    hubs = list(csv.DictReader(io.StringIO(run("export", "hubs", "--case", tmp_path / "c").stdout)))
    assert hubs and all(row["reason"] for row in hubs)
    apart = run("export", "kept-apart", "--format", "json", "--case", tmp_path / "c")
    assert apart.exit_code == 0 and isinstance(json.loads(apart.stdout), list)
