"""Every defect an adversarial run found (issue 11), reproduced as a test: digits, rows and
graphs are never lost, every error is one line, and every spreadsheet-bound output is inert."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from resolver import demo
from resolver.case import Case
from resolver.cli import app
from resolver.config.platforms import FileSpec
from resolver.errors import ResolverError
from resolver.exports import as_text
from resolver.files import write_private_text
from resolver.graph.store import embedded_available
from resolver.ingestion import ingest
from resolver.ingestion.readers import read_csv, read_jsonl
from resolver.reporting.content import _check_summable

runner = CliRunner()
needs_graph = pytest.mark.skipif(
    not embedded_available(), reason="the embedded graph store runs on Linux and macOS only"
)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(result, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.startswith("error: ") and result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.output
    return result.stderr


def our_processes(case: Path) -> list[str]:
    """Processes still running that belong to a case: its graph server, its readers."""
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if str(case.resolve()) in line]


# 2. digits


def test_json_numbers_too_long_for_a_double_are_read_as_their_text(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(
        '{"id": 12345678901234567890, "bank": 1234567890123456789012, "price": 12.5}\n'
        '{"id": 9223372036854775808, "bank": 2, "price": 3}\n'
        '{"id": 9223372036854775809, "bank": 3, "price": 0.1}\n',
        encoding="utf-8",
    )
    table = read_jsonl(path, FileSpec(kind="jsonl"), ["bank", "id", "price"]).tables[None]
    columns = dict(zip(table.headers, (list(c) for c in table.columns), strict=True))
    assert columns["id"] == ["12345678901234567890", "9223372036854775808", "9223372036854775809"]
    assert columns["bank"] == ["1234567890123456789012", "2", "3"]
    assert columns["price"] == ["12.5", "3", "0.1"]


def test_douyin_order_ids_past_int64_stay_distinct(demo_dir: Path, tmp_path: Path) -> None:
    lines = (demo_dir / "douyin_orders.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    big = [
        line.replace(f'"order_id": "{json.loads(line)["order_id"]}"', f'"order_id": {n}')
        for n, line in zip(range(2**64 - 5, 2**64), lines, strict=True)
    ]
    path = tmp_path / "douyin.jsonl"
    path.write_text("\n".join(big) + "\n", encoding="utf-8")
    with Case.open(tmp_path / "case") as case:
        ingest(case, [path])
        ids = [r[0] for r in case.db.execute("SELECT order_id FROM orders").fetchall()]
    assert sorted(ids) == [str(n) for n in range(2**64 - 5, 2**64)]


def test_order_and_store_ids_that_lost_digits_in_a_workbook_are_quarantined(
    tmp_path: Path,
) -> None:
    import xlsxwriter

    path = tmp_path / "jd.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sellers = book.add_worksheet("店铺信息")
    sellers.write_row(0, 0, demo.JD_SELLER_HEADERS)
    sellers.write_row(1, 0, ["JD1", "晨光旗舰店", "张三", "个人"])
    sellers.write_row(2, 0, [301216767168039412, "无名店", "李四", "个人"])  # a float in Excel
    orders = book.add_worksheet("订单明细")
    orders.write_row(0, 0, demo.JD_ORDER_HEADERS)
    for row, order_id in enumerate((301216767168039412, 301216767168039413, "301216767168039414")):
        orders.write_row(row + 1, 0, [order_id, "JD1", "鞋", 10, 1, 10, 20230501, "王五"])
    book.close()
    with Case.open(tmp_path / "case") as case:
        ingest(case, [path])
        stored = [r[0] for r in case.db.execute("SELECT order_id FROM orders").fetchall()]
        quarantined = case.disclosures.quarantine()
    assert stored == ["301216767168039414"]  # the one written as text
    lost = quarantined[quarantined["reason"].str.contains("lost digits")]
    assert sorted(zip(lost.source_sheet, lost.source_row, strict=True)) == [
        ("店铺信息", 3), ("订单明细", 2), ("订单明细", 3),
    ]  # fmt: skip


# 3. the graph server


def _kill_while(command: list[str], marker: Path, case: Path, seconds: float = 60) -> None:
    """Start `resolver COMMAND`, kill -9 it once `marker` exists (its server is up)."""
    process = subprocess.Popen([sys.executable, "-m", "resolver", *command])
    deadline = time.monotonic() + seconds
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.kill()
    process.wait()


@needs_graph
def test_a_killed_command_leaves_no_server_and_the_graph_as_it_was(
    linked_case: Path, tmp_path: Path
) -> None:
    case = tmp_path / "case"
    shutil.copytree(linked_case, case)
    assert run("load-graph", "--case", case).exit_code == 0
    saved = (case / "graph" / "graph.rdb").read_bytes()
    before = run("query", "top_networks", "--format", "json", "--case", case)
    (case / "graph" / "falkordb.sock").unlink(missing_ok=True)
    _kill_while(["load-graph", "--case", str(case)], case / "graph" / "falkordb.sock", case)
    time.sleep(0.5)  # the kernel delivers the server's SIGKILL
    assert our_processes(case) == []
    assert (case / "graph" / "graph.rdb").read_bytes() == saved
    after = run("query", "top_networks", "--format", "json", "--case", case)
    assert after.exit_code == 0 and json.loads(after.stdout) == json.loads(before.stdout)


@needs_graph
def test_a_damaged_graph_file_is_named_and_load_graph_rebuilds_it(
    linked_case: Path, tmp_path: Path
) -> None:
    case = tmp_path / "case"
    shutil.copytree(linked_case, case)
    assert run("load-graph", "--case", case).exit_code == 0
    rdb = case / "graph" / "graph.rdb"
    rdb.write_bytes(rdb.read_bytes()[: rdb.stat().st_size // 2])
    damaged = one_line_error(run("query", "top_networks", "--case", case), 3)
    assert "load-graph" in damaged
    assert run("load-graph", "--case", case).exit_code == 0
    rebuilt = run("query", "top_networks", "--format", "json", "--case", case)
    assert rebuilt.exit_code == 0 and len(json.loads(rebuilt.stdout)) > 0
    assert our_processes(case) == []


# 4 and 5. cases that do not exist, graphs that are out of date


@pytest.mark.parametrize(
    "command",
    [["status"], ["quarantine"], ["export", "accounts"], ["query", "top_networks"],
     ["load-graph"], ["report", "--all", "--out", "r.html"], ["train"]],
)  # fmt: skip
def test_reading_commands_never_create_a_case(command: list[str], tmp_path: Path) -> None:
    result = run(*command, "--case", tmp_path / "nope")
    assert "no case at" in one_line_error(result)
    assert not (tmp_path / "nope").exists()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    assert "no case at" in one_line_error(run(*command, "--case", tmp_path / "other"))
    assert sorted(p.name for p in (tmp_path / "other").iterdir()) == ["notes.txt"]


@needs_graph
def test_a_query_on_a_graph_older_than_the_case_says_so(demo_files, tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run("match", *demo_files[:2], "--case", case, "--no-graph").exit_code == 0
    never = one_line_error(run("query", "top_networks", "--case", case), 3)
    assert "holds nothing loaded from this case" in never and "resolver load-graph" in never
    assert run("load-graph", "--case", case).exit_code == 0
    assert run("query", "top_networks", "--case", case).exit_code == 0
    assert run("match", *demo_files[2:], "--case", case, "--no-graph").exit_code == 0
    stale = one_line_error(run("query", "top_networks", "--case", case), 3)
    assert "out of date" in stale and "resolver load-graph" in stale
    assert run("load-graph", "--case", case).exit_code == 0
    assert run("query", "top_networks", "--case", case).exit_code == 0


# 6. one line, never a traceback


def _taobao_text(taobao_file, tmp_path: Path) -> str:
    path = taobao_file(tmp_path / "base.csv", [
        {"order_id": "A1", "account_key": "S1", "registrant_name": "张三"},
        {"order_id": "A2", "account_key": "S1"},
    ])  # fmt: skip
    return path.read_bytes().decode("gbk")


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.replace("\r\n", "\r").encode("utf-8"),  # CR-only lines (old Mac exports)
        lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
        lambda t: t.encode("utf-16-le"),  # Excel's "Unicode text", no BOM
    ],
    ids=["cr-only", "utf-16-le", "utf-16-be", "utf-16-no-bom"],
)
def test_csv_in_other_encodings_and_line_ends_is_read(encode, taobao_file, tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(encode(_taobao_text(taobao_file, tmp_path)))
    with Case.open(tmp_path / "case") as case:
        [result] = ingest(case, [path])
        names = case.db.execute("SELECT registrant_name FROM seller_records").fetchall()
    assert (result.orders, result.sellers, names) == (2, 1, [("张三",)])


def test_utf16_json_lines_are_read(demo_dir: Path, tmp_path: Path) -> None:
    lines = (demo_dir / "douyin_orders.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"\xff\xfe" + ("\n".join(lines) + "\n").encode("utf-16-le"))
    with Case.open(tmp_path / "case") as case:
        [result] = ingest(case, [path])
    assert result.orders == 3


def test_bad_output_paths_are_one_line(linked_case: Path, tmp_path: Path) -> None:
    assert "is a folder" in one_line_error(
        run("export", "accounts", "--out", tmp_path, "--case", linked_case)
    )
    with Case.open(linked_case) as case:
        a, b = case.db.execute("SELECT account_a, account_b FROM links LIMIT 1").fetchone()
    missing = tmp_path / "no" / "why.html"
    assert "no such folder" in one_line_error(
        run("explain", a, b, "--html", missing, "--case", linked_case)
    )
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert "not a folder" in one_line_error(run("demo", "--out", a_file, "--traders", 2))
    assert "no case at" in one_line_error(run("status", "--case", a_file))
    assert "not a folder" in one_line_error(run("ingest", a_file, "--case", a_file), 3)


def test_a_store_address_with_a_password_is_refused_without_showing_it(tmp_path: Path) -> None:
    with Case.open(tmp_path / "case"):
        pass
    result = run("query", "top_networks", "--store", "bolt://neo4j:s3cret@db:7687",
                 "--case", tmp_path / "case")  # fmt: skip
    message = one_line_error(result)
    assert "RESOLVER_NEO4J_PASSWORD" in message and "s3cret" not in result.output


def test_markup_in_values_is_printed_as_text(taobao_file, tmp_path: Path) -> None:
    path = taobao_file(tmp_path / "t.csv", [
        {"order_id": "A1", "account_key": "S1", "amount": "[/b][red]x"},
    ])  # fmt: skip
    case = tmp_path / "case"
    assert run("ingest", path, "--case", case).exit_code == 0
    listed = run("quarantine", "--case", case)
    assert listed.exit_code == 0 and "[/b][red]x" in listed.stdout
    bad = run("ingest", tmp_path / "[/b]missing.csv", "--case", case)
    assert "[/b]missing.csv" in one_line_error(bad)


def test_export_traders_with_no_registrant_name(taobao_file, tmp_path: Path) -> None:
    path = taobao_file(tmp_path / "t.csv", [
        {"order_id": "A1", "account_key": "S1"},
        {"order_id": "A2", "account_key": "S2", "registrant_name": "张三"},
    ])  # fmt: skip
    case = tmp_path / "case"
    assert run("match", path, "--case", case, "--no-graph").exit_code == 0
    exported = run("export", "traders", "--case", case)
    assert exported.exit_code == 0
    rows = {r["accounts"]: r for r in csv.DictReader(io.StringIO(exported.stdout))}
    assert rows["taobao:S1"]["names"] == "" and rows["taobao:S2"]["names"] == "张三"


def test_ctrl_c_is_one_line_exit_130_and_leaves_the_case_as_it_was(
    demo_files, hard_demo_dir: Path, tmp_path: Path
) -> None:
    case = tmp_path / "case"
    assert run("ingest", demo_files[0], "--case", case).exit_code == 0
    before = run("status", "--case", case).stdout
    files = [*demo_files[1:], *demo.disclosure_files(hard_demo_dir)]
    process = subprocess.Popen(
        [sys.executable, "-m", "resolver", "match", *map(str, files), "--case", str(case)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wal = case / "case.duckdb.wal"  # the match has begun writing: its transaction is open
    deadline = time.monotonic() + 60
    while not wal.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the match ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert stderr.strip().splitlines() == [
        "error: interrupted; what this command had not finished is undone"
    ]
    with Case.open(case) as opened:  # all or nothing: as before, or the whole match committed
        disclosures = opened.status()["counts"]["disclosures"]
    assert run("status", "--case", case).stdout == before or disclosures == 1 + len(files)
    assert our_processes(case) == []


# 7. silent loss


def test_a_duplicate_header_is_an_error_naming_the_columns(taobao_file, tmp_path: Path) -> None:
    text = _taobao_text(taobao_file, tmp_path).splitlines()
    headers = text[0].split(",")
    headers[5] = "店铺ID"  # a second column of the mapped header
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([",".join(headers), *text[1:]]) + "\n", encoding="gbk")
    message = one_line_error(run("ingest", path, "--case", tmp_path / "case"))
    assert "'店铺ID'" in message and "more than once" in message and "columns 2, 6" in message


@needs_graph
def test_a_nul_character_quarantines_its_row_and_the_graph_still_loads(
    taobao_file, tmp_path: Path
) -> None:
    path = taobao_file(tmp_path / "t.csv", [
        {"order_id": "A1", "account_key": "S1", "registrant_name": "张\x00三"},
        {"order_id": "A2", "account_key": "S1", "registrant_name": "张三"},
        {"order_id": "A3", "account_key": "S2", "registrant_name": "李四"},
    ])  # fmt: skip
    case = tmp_path / "case"
    assert run("match", path, "--case", case).exit_code == 0
    with Case.open(case) as opened:
        entries = opened.disclosures.quarantine()
        stored = opened.db.execute("SELECT order_id FROM orders ORDER BY 1").fetchall()
    assert entries.reason.tolist() == ["a NUL character in column '开店人姓名'"]
    assert entries.source_row.tolist() == [2] and stored == [("A2",), ("A3",)]
    assert run("load-graph", "--case", case).exit_code == 0


# 8. formula injection


FORMULAS = ["=1+1", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
            "\t=1", "\r=1"]  # fmt: skip


def test_csv_outputs_are_inert_in_a_spreadsheet() -> None:
    frame = pd.DataFrame({"value": [*FORMULAS, "plain", "a=b"], "n": range(9)})
    frame["listed"] = [["=x", "y"]] * 9
    rows = list(csv.DictReader(io.StringIO(as_text(frame, "csv"))))
    assert [r["value"] for r in rows] == ["'" + f for f in FORMULAS] + ["plain", "a=b"]
    assert {r["listed"] for r in rows} == {"'=x;y"} and rows[0]["n"] == "0"
    exact = json.loads(as_text(frame, "json"))
    assert [r["value"] for r in exact][:7] == FORMULAS  # JSON keeps values exact


def test_quarantine_csv_is_inert(taobao_file, tmp_path: Path) -> None:
    path = taobao_file(tmp_path / "t.csv", [
        {"order_id": "A1", "account_key": "S1", "amount": "=HYPERLINK(\"http://x\")"},
    ])  # fmt: skip
    case = tmp_path / "case"
    assert run("ingest", path, "--case", case).exit_code == 0
    listed = run("quarantine", "--format", "csv", "--case", case)
    [row] = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert row["raw_value"] == '\'=HYPERLINK("http://x")'
    assert not any(v.startswith(("=", "+", "@")) for v in row.values() if v)


# 9. files


def test_outputs_are_owner_only_and_replace_a_link_without_following_it(tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    write_private_text(link, "new")
    assert target.read_text() == "keep me" and not link.is_symlink()
    assert stat.S_IMODE(link.stat().st_mode) == 0o600 and link.read_text() == "new"


def test_partial_files_of_a_killed_command_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    left = tmp_path / f".report.html.{dead}.abcd1234.html"
    left.write_text("half a report")
    mine = tmp_path / f".report.html.{os.getpid()}.zzzz9999.html"  # a write in progress
    mine.write_text("busy")
    write_private_text(tmp_path / "report.html", "<p>whole</p>")
    assert not left.exists() and mine.exists()


def test_scratch_and_spill_files_stay_in_the_case_and_go_on_the_next_open(tmp_path: Path) -> None:
    with Case.open(tmp_path / "case") as case:
        spill = case.spill_folder()
        (spill / ".read-ahead-x").mkdir()
        (spill / ".read-ahead-x" / "0.pickle").write_bytes(b"rows")
        assert spill.parent == case.folder
        assert stat.S_IMODE(spill.stat().st_mode) == 0o700
    with Case.open(tmp_path / "case") as case:
        assert list(case.spill_folder().iterdir()) == []


# 10. money and query parameters


def test_amounts_of_ten_billion_yuan_or_more_are_quarantined(taobao_file, tmp_path) -> None:
    path = taobao_file(tmp_path / "t.csv", [
        {"order_id": f"A{n}", "account_key": "S1", "amount": "999999999999999"} for n in range(100)
    ])  # fmt: skip
    with Case.open(tmp_path / "case") as case:
        [result] = ingest(case, [path])
        reasons = set(case.disclosures.quarantine().reason)
    assert result.orders == 0
    assert reasons == {"an amount of ten billion yuan or more is no order"}


def test_totals_that_int64_cannot_hold_are_refused() -> None:
    _check_summable(2**62 + (2**62 - 1))  # just fits
    with pytest.raises(ResolverError, match="more than a report can sum exactly"):
        _check_summable(2**62 + 2**62)


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ("account_network", ["account_id={account}", "k=4"], "'k' must be from 0 to 3, got 4"),
        ("account_network", ["account_id={account}", "k=-1"], "'k' must be from 0 to 3"),
        ("account_network", ["account_id=taobao:nope"], "no such account in the case"),
        ("sales_per_trader", ["from=2024-13-45"], "expects a local date or time"),
        ("sales_per_trader", ["platform=amazon"], "no platform 'amazon'"),
        ("self_purchase_orders", ["trader_id=TR999999"], "no such trader in the case"),
    ],
)
def test_query_parameters_are_checked(linked_case, query, params, message) -> None:
    with Case.open(linked_case) as case:
        account = case.db.execute("SELECT min(account_id) FROM seller_records").fetchone()[0]
    args = [a for p in params for a in ("-p", p.format(account=account))]
    assert message in one_line_error(run("query", query, *args, "--case", linked_case))


def test_a_file_of_blank_lines_costs_about_its_size(taobao_file, tmp_path: Path) -> None:
    base = taobao_file(tmp_path / "base.csv", [{"order_id": "A1", "account_key": "S1"}])
    path = tmp_path / "blank.csv"
    path.write_bytes(base.read_bytes() + b"\r\n" * 1_000_000)
    table = read_csv(path, FileSpec(kind="csv")).tables[None]
    assert len(table) == 1 and table.row_numbers.tolist() == [2]
