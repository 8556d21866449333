"""The command line, run in-process through typer's runner: exit codes, output, every option."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from resolver import __version__
from resolver.cli import app

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


def test_config_option(demo_files, demo_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "config"
    (empty / "platforms").mkdir(parents=True)
    result = run("ingest", demo_files[0], "--case", tmp_path / "c", "--config", empty)
    assert result.exit_code == 2
    assert "no platform mappings" in result.stderr


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
    explained = run("explain", a, b, "--case", case, "--html", chart)
    assert explained.exit_code == 0 and "probability" in explained.stdout
    assert "<svg" in chart.read_text(encoding="utf-8")

    out = tmp_path / "traders.json"
    assert run("export", "traders", "--format", "json", "--out", out, "--case", case).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == len(by_trader)
    status = run("status", "--case", case)
    assert f"{len(by_trader)} traders" in " ".join(status.stdout.split())


def test_linkage_commands_fail_cleanly(tmp_path: Path) -> None:
    case = tmp_path / "case"
    missing = runner.invoke(app, ["explain", "taobao:1", "jd:2", "--case", str(case)])
    assert missing.exit_code == 2 and "no trained model" in missing.stderr
    bad = runner.invoke(app, ["export", "orders", "--case", str(case)])
    assert bad.exit_code == 2
    bad_format = runner.invoke(app, ["export", "accounts", "--format", "xml", "--case", str(case)])
    assert bad_format.exit_code == 2
