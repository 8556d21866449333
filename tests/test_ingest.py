"""Each demo shape end to end, every quarantine reason, fatal errors, idempotent re-ingest."""

from __future__ import annotations

import csv
import json
import shutil
import stat
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from resolver import demo, ingest
from resolver.case import DATABASE, Case
from resolver.cli import app
from resolver.config import Config
from resolver.errors import InputError
from resolver.ingestion import ingest as ingest_files
from resolver.ingestion import readers
from resolver.ingestion.ingest import ReadAhead, read_file


def truth(demo_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(demo_dir / "truth" / name, dtype=str, keep_default_na=False)


def query(case_dir: Path, sql: str) -> pd.DataFrame:
    with Case.open(case_dir) as case:
        return case.db.execute(sql).fetchdf()


@pytest.mark.parametrize("platform", ["taobao", "jd", "douyin"])
def test_each_shape_yields_every_true_order_once(demo_dir, ingested_case, platform) -> None:
    expected = truth(demo_dir, "orders.csv")
    expected = expected[expected["platform"] == platform]
    stored = query(
        ingested_case,
        "SELECT DISTINCT order_id, account_key, amount_fen, paid_at FROM orders "
        f"WHERE platform = '{platform}'",
    )
    assert len(stored) == len(expected) > 0
    merged = expected.merge(stored, on="order_id", suffixes=("_true", "_stored"))
    assert len(merged) == len(expected)
    assert (merged["amount_fen_true"].astype(int) == merged["amount_fen_stored"]).all()
    assert (merged["account_key_true"] == merged["account_key_stored"]).all()
    assert (merged["paid_at_true"] == merged["paid_at_stored"]).all()


def test_every_true_account_has_a_seller_record(demo_dir, ingested_case) -> None:
    accounts = truth(demo_dir, "accounts.csv")
    stored = query(ingested_case, "SELECT DISTINCT platform, account_key FROM seller_records")
    assert set(zip(accounts.platform, accounts.account_key, strict=True)) == set(
        zip(stored.platform, stored.account_key, strict=True)
    )


def test_orders_disclosed_twice_are_kept_with_both_provenances(ingested_case) -> None:
    twice = query(
        ingested_case,
        "SELECT order_id, list(source_file ORDER BY source_file) AS files FROM orders "
        "GROUP BY platform, order_id HAVING count(*) > 1",
    )
    assert len(twice) > 0
    assert all(list(f) == ["taobao_orders_2023.csv", "taobao_orders_2024.csv"] for f in twice.files)


def test_every_bad_row_is_quarantined_with_its_reason(demo_dir, ingested_case) -> None:
    expected = truth(demo_dir, "bad_rows.csv")
    stored = query(
        ingested_case,
        "SELECT source_file, coalesce(source_sheet || '!', '') || source_row AS row, reason, "
        "level, source_column FROM quarantine",
    )
    keyword = {  # the demo's label -> words our reason must contain
        "empty order id": "empty order id",
        "not an amount": "not an amount of money",
        "negative amount": "negative amount",
        "unparseable date": "unparseable date",
        "wrong column count": "wrong column count",
        "malformed JSON": "malformed JSON",
        "order of an unknown store": "order of an unknown store",
        "lost digits": "lost digits",
    }
    for item in expected.itertuples():
        found = stored[(stored.source_file == item.file) & (stored.row == item.row)]
        assert len(found) == 1, f"{item.file} row {item.row} ({item.reason}) not quarantined once"
        assert keyword[item.reason] in found.reason.iloc[0]
    assert len(stored) == len(expected)  # nothing else was set aside
    assert set(expected.reason) == set(keyword)  # every reason is exercised


def test_quarantined_rows_name_their_column_and_keep_the_raw_row(ingested_case) -> None:
    rows = query(ingested_case, "SELECT * FROM quarantine WHERE reason = 'negative amount'")
    assert set(rows.source_column) == {"实付金额", "pay_amount_fen"}
    for raw in rows.raw_row:
        assert json.loads(raw)  # the whole source row survives as JSON


def test_normal_forms_sit_beside_raw_values(ingested_case) -> None:
    phones = query(
        ingested_case,
        "SELECT raw, norm, partial, subtype FROM seller_identifiers WHERE kind = 'phone'",
    )
    masked = phones[phones.subtype == "masked"]
    assert len(masked) > 0 and masked.norm.isna().all() and masked.partial.notna().all()
    full = phones[phones.subtype == "mobile"]
    assert full.norm.str.match(r"^\+861\d{10}$").all()
    ids = query(ingested_case, "SELECT id_kind, id_valid, id_norm FROM seller_records")
    assert set(ids.id_kind) == {"id_card", "uscc", "masked"}
    assert ids[ids.id_kind != "masked"].id_valid.all()  # generated numbers carry valid checksums
    addresses = query(
        ingested_case,
        "SELECT raw, district_code, street FROM seller_identifiers WHERE kind = 'address'",
    )
    assert addresses.district_code.notna().mean() > 0.9


def test_seller_kinds_follow_the_platform_labels(demo_dir, ingested_case) -> None:
    kinds = query(ingested_case, "SELECT DISTINCT registrant_kind FROM seller_records")
    assert set(kinds.registrant_kind) == {"person", "individual_business", "company"}


def test_reingest_is_a_noop(demo_files, demo_dir, tmp_path) -> None:
    files = demo_files
    with Case.open(tmp_path / "case") as case:
        first = ingest(case, files[:1])
        before = case.status()["counts"]
        again = ingest(case, files[:1])
        assert first[0].status == "ingested"
        assert again[0].status == "already ingested"
        assert case.status()["counts"] == before


def test_same_file_twice_in_one_call_is_ingested_once(demo_files, demo_dir, tmp_path) -> None:
    path = demo_files[0]
    copy = tmp_path / ("copy" + path.suffix)
    shutil.copy(path, copy)
    with Case.open(tmp_path / "case") as case:
        results = ingest(case, [path, copy])
        assert [r.status for r in results] == ["ingested", "already ingested"]


def test_case_folder_is_private(ingested_case) -> None:
    assert stat.S_IMODE(ingested_case.stat().st_mode) == 0o700
    assert stat.S_IMODE((ingested_case / DATABASE).stat().st_mode) == 0o600


# -- fatal errors: one-line message, nothing stored ----------------------------------------------
def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def fatal_cases(tmp_path: Path, demo_dir: Path) -> dict[str, tuple[Path, str]]:
    taobao = (demo_dir / "taobao_orders_2023.csv").read_bytes().decode("gb18030")
    header, *rows = taobao.splitlines()
    missing = ",".join(h if h != "实付金额" else "金额" for h in header.split(","))
    # a taobao file whose amount column was renamed, named with --platform
    return {
        "unknown shape": (write(tmp_path / "other.csv", "a,b\n1,2\n"), "unknown shape"),
        "unknown kind": (write(tmp_path / "notes.txt.doc", "x"), "unknown file kind"),
        "missing column": (
            write(tmp_path / "renamed.csv", "\n".join([missing, *rows[:3]]), "gb18030"),
            "missing column '实付金额' (mapped to orders.amount)",
        ),
        "undecodable": (
            write(tmp_path / "binary.csv", "订单编号,店铺ID,开店人姓名,实付金额\n", "gbk"),
            "not UTF-8 nor GB18030",
        ),
        "corrupt xlsx": (write(tmp_path / "broken.xlsx", "not a zip"), "not a readable XLSX"),
        "empty jsonl": (write(tmp_path / "empty.jsonl", ""), "unknown shape"),
        "no such file": (tmp_path / "absent.csv", "no such file"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "unknown shape",
        "unknown kind",
        "missing column",
        "undecodable",
        "corrupt xlsx",
        "empty jsonl",
        "no such file",
    ],
)
def test_unreadable_file_fails_and_leaves_the_case_as_it_was(
    demo_files, demo_dir, tmp_path, name
) -> None:
    path, message = fatal_cases(tmp_path, demo_dir)[name]
    if name == "undecodable":  # valid header, then bytes that are neither UTF-8 nor GB18030
        path.write_bytes(path.read_bytes() + b"\x81\x20\xff\xfe,1,2,3\n")
    platform = "taobao" if name == "missing column" else None
    good = demo_files[0]
    with Case.open(tmp_path / "case") as case:
        ingest(case, [good])
        before = case.status()["counts"]
        with pytest.raises(InputError) as caught:
            ingest(case, [demo_files[-1], path], platform=platform)
        assert message in str(caught.value)
        assert "\n" not in str(caught.value)
        assert case.status()["counts"] == before  # the good file of the failed call is not kept


def test_platform_option_settles_an_ambiguous_shape(demo_dir, tmp_path) -> None:
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).parent.parent / "config", config)
    text = (config / "platforms" / "taobao.yaml").read_text(encoding="utf-8")
    (config / "platforms" / "tmall.yaml").write_text(
        text.replace("platform: taobao", "platform: tmall"), encoding="utf-8"
    )
    source = demo_dir / "taobao_orders_2024.csv"
    with Case.open(tmp_path / "case") as case:
        with pytest.raises(InputError, match=r"ambiguous shape: .* name one with --platform"):
            ingest(case, [source], config=config)
        result = ingest(case, [source], platform="tmall", config=config)
    assert result[0].platform == "tmall" and result[0].orders > 0


def test_headers_below_a_title_are_found_where_the_mapping_says(demo_dir, tmp_path) -> None:
    """A workbook with a title above each table: the mapping that says nothing of it is told in
    which row its headers are; one that sets `header_row` recognises the file and reads it, each
    row numbered as a person opening the file sees it."""
    sheets = pd.read_excel(
        demo_dir / "jd_disclosure.xlsx", sheet_name=None, dtype=str, engine="calamine"
    )
    titled = tmp_path / "titled.xlsx"
    with pd.ExcelWriter(titled, engine="xlsxwriter") as workbook:
        for name, frame in sheets.items():
            pd.DataFrame([["京东平台调证数据"]]).to_excel(
                workbook, sheet_name=name, index=False, header=False
            )
            frame.to_excel(workbook, sheet_name=name, index=False, startrow=2)
    with Case.open(tmp_path / "case") as case, pytest.raises(InputError) as caught:
        ingest(case, [titled])
    assert "jd mapping's headers are in row 3, below a title: set header_row: 3" in str(
        caught.value
    )
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).parent.parent / "config", config)
    mapping = config / "platforms" / "jd.yaml"
    text = mapping.read_text(encoding="utf-8")
    for table in ("sellers", "orders"):
        text = text.replace(f"{table}:\n", f"{table}:\n  header_row: 3\n", 1)
    mapping.write_text(text, encoding="utf-8")
    with Case.open(tmp_path / "titled-case") as case:
        (result,) = ingest(case, [titled], config=config)
        first = case.scalar("SELECT min(source_row) FROM orders")
    with Case.open(tmp_path / "plain-case") as case:
        (plain,) = ingest(case, [demo_dir / "jd_disclosure.xlsx"])
        plain_first = case.scalar("SELECT min(source_row) FROM orders")
    assert result.platform == "jd" and (result.sellers, result.orders) == (
        plain.sellers,
        plain.orders,
    )
    assert first == plain_first + 2


def test_orders_split_over_sheets_are_read_from_each_or_named_as_unread(demo_dir, tmp_path) -> None:
    """A workbook whose orders stand on two sheets (as platforms split them past a sheet's
    rows): a mapping that names one sheet reads it and names the other as unread (its orders
    are not dropped silently); one whose `sheet` is a pattern reads both, each row with its
    own sheet and row."""
    sheets = pd.read_excel(
        demo_dir / "jd_disclosure.xlsx", sheet_name=None, dtype=str, engine="calamine"
    )
    orders = sheets["订单明细"]
    half = len(orders) // 2
    split = tmp_path / "split.xlsx"
    with pd.ExcelWriter(split, engine="xlsxwriter") as workbook:
        sheets["店铺信息"].to_excel(workbook, sheet_name="店铺信息", index=False)
        orders.iloc[:half].to_excel(workbook, sheet_name="订单明细", index=False)
        orders.iloc[half:].to_excel(workbook, sheet_name="订单明细2", index=False)
    with Case.open(tmp_path / "one") as case:
        (one,) = ingest(case, [split])
    assert one.unread_sheets == ["订单明细2"]
    said = CliRunner().invoke(app, ["ingest", str(split), "--case", str(tmp_path / "cli")])
    assert said.exit_code == 0
    assert "no table of its mapping reads the sheets 订单明细2" in " ".join(said.output.split())
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).parent.parent / "config", config)
    mapping = config / "platforms" / "jd.yaml"
    text = mapping.read_text(encoding="utf-8").replace("sheet: 订单明细", "sheet: 订单明细*")
    mapping.write_text(text, encoding="utf-8")
    with Case.open(tmp_path / "both") as case:
        (both,) = ingest(case, [split], config=config)
        where = case.db.sql(
            "SELECT source_sheet, min(source_row), count(*) FROM orders GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    with Case.open(tmp_path / "whole") as case:
        (whole,) = ingest(case, [demo_dir / "jd_disclosure.xlsx"])
    assert both.unread_sheets == [] and both.orders == whole.orders > one.orders
    assert [(sheet, first) for sheet, first, _ in where] == [("订单明细", 2), ("订单明细2", 2)]
    assert sum(count for *_, count in where) == whole.orders


def test_a_workbook_with_sellers_on_every_order_row_may_split_them_by_month(
    demo_dir, tmp_path
) -> None:
    """The taobao shape (the seller on every order row) as a workbook of a sheet per half year:
    a mapping whose sheet is a pattern reads both, and an account on both sheets is one record,
    with its first sheet's row; the orders are those of the CSV."""
    source = demo_dir / "taobao_orders_2023.csv"
    rows = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="gb18030")
    workbook = tmp_path / "taobao.xlsx"
    with pd.ExcelWriter(workbook, engine="xlsxwriter") as excel:
        half = len(rows) // 2
        rows.iloc[:half].to_excel(excel, sheet_name="2023年上半年", index=False)
        rows.iloc[half:].to_excel(excel, sheet_name="2023年下半年", index=False)
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).parent.parent / "config", config)
    mapping = config / "platforms" / "taobao.yaml"
    text = mapping.read_text(encoding="utf-8").replace(
        "file:\n  kind: csv\n  encoding: auto          # BOM, then strict UTF-8, then GB18030 "
        '(a superset of GBK)\n  delimiter: ","\n',
        "file:\n  kind: xlsx\n",
    )
    text = text.replace("sellers:\n", "sellers:\n  sheet: 2023年*\n").replace(
        "orders:\n", "orders:\n  sheet: 2023年*\n"
    )
    mapping.write_text(text, encoding="utf-8")
    with Case.open(tmp_path / "csv") as case:
        (plain,) = ingest(case, [source])
        accounts = case.scalar("SELECT count(DISTINCT account_id) FROM seller_records")
    with Case.open(tmp_path / "xlsx") as case:
        (split,) = ingest(case, [workbook], config=config)
        (records,) = case.db.sql(
            "SELECT count(*), count(DISTINCT account_id), count(DISTINCT source_sheet) "
            "FROM seller_records"
        ).fetchall()
        sheets = case.scalar("SELECT count(DISTINCT source_sheet) FROM orders")
    assert split.platform == "taobao" and split.orders == plain.orders
    assert records == (accounts, accounts, 2) and sheets == 2


@pytest.mark.parametrize("shape", ["list", "object"])
def test_a_json_file_of_records_reads_as_its_json_lines(demo_dir, tmp_path, shape) -> None:
    """An API's dump, a list of records (or an object holding one), reads as the same records
    in JSON Lines: the same orders to the fen, the n-th record as row n; long order ids keep
    every digit (written as numbers, beyond a double's 15)."""
    lines = (demo_dir / "douyin_orders.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    records = [json.loads(line) for line in lines]
    for record in records[:3]:
        record["order_id"] = 3432094062063890721  # a number of 19 digits, not a string
    as_lines = tmp_path / "orders.jsonl"
    as_lines.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    dump = tmp_path / "orders.json"
    document = records if shape == "list" else {"code": 0, "data": records}
    dump.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    read = "SELECT order_id, amount_fen, source_row FROM orders ORDER BY ALL"
    with Case.open(tmp_path / "lines") as case:
        ingest(case, [as_lines])
        expected = case.db.sql(read).fetchall()
    with Case.open(tmp_path / "dump") as case:
        (result,) = ingest(case, [dump])
        found = case.db.sql(read).fetchall()
    assert result.platform == "douyin" and found == expected
    assert ("3432094062063890721",) in {(order_id,) for order_id, *_ in found}
    broken = tmp_path / "broken.json"
    broken.write_text('{"data": [1, 2', encoding="utf-8")
    with Case.open(tmp_path / "broken") as case, pytest.raises(InputError, match="malformed JSON"):
        ingest(case, [broken], platform="douyin")


def test_unknown_platform_name_is_an_error(demo_files, demo_dir, tmp_path) -> None:
    with Case.open(tmp_path / "case") as case, pytest.raises(InputError, match="known: "):
        ingest(case, demo_files[:1], platform="amazon")


def test_a_new_export_is_mapped_by_copying_a_yaml(demo_dir, tmp_path) -> None:
    """A user maps a new platform's export without Python: copy a YAML, edit headers."""
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).parent.parent / "config", config)
    text = (config / "platforms" / "taobao.yaml").read_text(encoding="utf-8")
    text = text.replace("platform: taobao", "platform: pinduoduo").replace("实付金额", "成交金额")
    (config / "platforms" / "pinduoduo.yaml").write_text(text, encoding="utf-8")
    source = (demo_dir / "taobao_orders_2024.csv").read_bytes().decode("gb18030")
    export = tmp_path / "pdd.csv"
    export.write_text(source.replace("实付金额", "成交金额", 1), encoding="utf-8-sig")
    with Case.open(tmp_path / "case") as case:
        result = ingest(case, [export], config=config)
    assert result[0].platform == "pinduoduo" and result[0].orders > 0


def test_wide_numbers_from_spreadsheets_are_never_stored_as_identifiers(ingested_case) -> None:
    stored = query(
        ingested_case,
        "SELECT raw, norm, partial, issue FROM seller_identifiers WHERE raw LIKE '%e+%'",
    )
    assert len(stored) > 0
    assert stored.norm.isna().all() and stored.partial.isna().all()
    assert stored.issue.str.contains("lost digits").all()


def test_orders_of_stores_with_empty_key_in_a_seller_sheet(tmp_path) -> None:
    import xlsxwriter

    path = tmp_path / "jd.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sellers = book.add_worksheet("店铺信息")
    sellers.write_row(0, 0, demo.JD_SELLER_HEADERS)
    seller = {"商家编号": "JD1", "店铺名称": "晨光旗舰店", "主体名称": "张三", "主体类型": "个人",
              "证件号码": "11010519491231002X", "联系人": "张三", "联系电话": "138****5678",
              "经营地址": "北京市朝阳区建国路1号", "银行账号": "6222021234567890123"}  # fmt: skip
    sellers.write_row(1, 0, [seller.get(h, "") for h in demo.JD_SELLER_HEADERS])
    sellers.write_row(2, 0, ["", "无名店", "李四"])
    orders = book.add_worksheet("订单明细")
    orders.write_row(0, 0, demo.JD_ORDER_HEADERS)
    orders.write_row(1, 0, ["1001", "JD1", "鞋", 10.5, 2, 21, 20230501, "王五", "", ""])
    book.close()
    with Case.open(tmp_path / "case") as case:
        result = ingest(case, [path])
        entries = case.disclosures.quarantine()
    assert (result[0].sellers, result[0].orders, result[0].quarantined_rows) == (1, 1, 1)
    assert entries.reason.tolist() == ["empty account key"]
    assert entries.source_sheet.tolist() == ["店铺信息"] and entries.source_row.tolist() == [3]


def test_seller_identity_is_gathered_across_order_rows(tmp_path) -> None:
    header = (
        "订单编号,店铺ID,店铺名称,卖家昵称,开店人姓名,主体类型,证件号码,联系电话,经营地址,结算账户,"
    )
    header += "商品标题,单价,数量,优惠金额,实付金额,付款时间,收货人姓名,收货人手机,收货地址"
    header += ",法定代表人,法人证件号,支付宝账号"  # empty on every row
    rows = [
        "1,S1,晨光旗舰店,cg,张三,个人,11010519491231002X,13812345678,浙江省义乌市人民路1号,"
        "6222021234567890123,鞋,10,1,0,10,2023-05-01 10:00:00,王五,13900000000,北京市朝阳区建国路1号,,,",
        "2,S1,晨光旗舰店,cg,张三,个人,11010519491231002X,13912345678;13812345678,"
        "浙江省义乌市人民路1号,6222021234567890123,鞋,10,1,0,10,2023-05-02 10:00:00,王五,,,,,",
    ]
    path = write(tmp_path / "t.csv", "\n".join([header, *rows]) + "\n", "gbk")
    with Case.open(tmp_path / "case") as case:
        ingest(case, [path])
        phones = case.db.execute(
            "SELECT raw, source_row FROM seller_identifiers WHERE kind = 'phone' ORDER BY raw"
        ).fetchall()
        records = case.db.execute("SELECT source_row FROM seller_records").fetchall()
    assert phones == [("13812345678", 2), ("13912345678", 3)]
    assert records == [(2,)]


def test_truth_sales_reconcile_with_stored_orders(demo_dir, ingested_case) -> None:
    sales = truth(demo_dir, "sales.csv")
    accounts = truth(demo_dir, "accounts.csv")
    stored = query(
        ingested_case, "SELECT DISTINCT platform, order_id, account_key, amount_fen FROM orders"
    ).merge(accounts, on=["platform", "account_key"])
    per_trader = stored.groupby("trader_id").amount_fen.sum()
    expected = sales.set_index("trader_id").amount_fen.astype(int)
    assert per_trader.sort_index().tolist() == expected.sort_index().tolist()


def test_truth_files_are_consistent(demo_dir) -> None:
    with (demo_dir / "truth" / "accounts.csv").open(encoding="utf-8") as handle:
        roles = {row["role"] for row in csv.DictReader(handle)}
    assert roles == {"self", "relative", "front", "company"}


def test_a_bad_value_names_the_column_it_came_from(taobao_file, tmp_path) -> None:
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).parent.parent / "config", config)
    mapping = config / "platforms" / "taobao.yaml"
    text = mapping.read_text(encoding="utf-8").replace(
        'phones: {column: 联系电话, split: ";"}', "phones: [联系电话, 卖家昵称]"
    )  # the alias column stands in for a second phone column
    mapping.write_text(text, encoding="utf-8")
    path = taobao_file(
        tmp_path / "t.csv",
        [
            {"account_key": "S1", "phones": "13912345678", "alias": "12345"},
            {"account_key": "S2", "phones": "0000", "alias": "13812345678"},
        ],
    )
    with Case.open(tmp_path / "case") as case:
        ingest(case, [path], config=config)
        found = case.disclosures.quarantine()[["source_row", "source_column", "raw_value"]]
    assert found.values.tolist() == [[2, "卖家昵称", "12345"], [3, "联系电话", "0000"]]


def test_identifier_cells_holding_several_values_are_split_without_being_told(
    taobao_file, tmp_path
) -> None:
    """A mapping written without `split` still reads two phones or bank accounts typed into one
    cell apart (`/`, `，`, `;`, `、`); an address with a comma stays one address."""
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).parent.parent / "config", config)
    mapping = config / "platforms" / "taobao.yaml"
    text = mapping.read_text(encoding="utf-8").replace(
        'phones: {column: 联系电话, split: ";"}', "phones: 联系电话"
    )
    mapping.write_text(text, encoding="utf-8")
    path = taobao_file(
        tmp_path / "t.csv",
        [
            {"account_key": "S1", "phones": "13912345678/13812345678",
             "bank": "6222000000000000001；6228000000000000002",
             "address": "上海市浦东新区张江路99号,3栋201室"},
            {"account_key": "S2", "phones": "13912345679，13812345670、 0579-85551234"},
        ],
    )  # fmt: skip
    with Case.open(tmp_path / "case") as case:
        ingest(case, [path], config=config)
        stored = case.db.execute(
            "SELECT r.account_id, i.kind, coalesce(i.norm, '') || ' ' || i.raw FROM seller_identifiers i "
            "JOIN seller_records r USING (record_id) ORDER BY ALL"
        ).fetchall()
        quarantined = len(case.disclosures.quarantine())
    assert quarantined == 0
    assert [(a, k, n.split(" ")[0]) for a, k, n in stored if k != "address"] == [
        ("taobao:S1", "bank_account", "6222000000000000001"),
        ("taobao:S1", "bank_account", "6228000000000000002"),
        ("taobao:S1", "phone", "+8613812345678"),
        ("taobao:S1", "phone", "+8613912345678"),
        ("taobao:S2", "phone", "+8613812345670"),
        ("taobao:S2", "phone", "+8613912345679"),
        ("taobao:S2", "phone", "+8657985551234"),
    ]
    (address,) = [n for _, k, n in stored if k == "address"]  # one, as written
    assert address.endswith(" 上海市浦东新区张江路99号,3栋201室")


# -- reading in slices and in a second process: the same outcome -----------------------------------
def stored_tables(folder: Path) -> dict[str, pd.DataFrame]:
    with Case.open(folder) as case:
        return {
            table: case.db.execute(f"SELECT * EXCLUDE ({skip}) FROM {table} ORDER BY ALL").fetchdf()
            for table, skip in (
                ("disclosures", "ingested_at, path"),
                ("seller_records", "record_id"),
                ("seller_identifiers", "record_id"),
                ("orders", "disclosure_id"),
                ("quarantine", "disclosure_id"),
            )
        }


def test_reading_ahead_in_a_second_process_stores_the_same(demo_files, tmp_path) -> None:
    for read_ahead in (False, True):
        with Case.open(tmp_path / f"case-{read_ahead}") as case:
            results = ingest_files(case, demo_files, read_ahead=read_ahead)
        assert [r.path for r in results] == list(demo_files)  # in the order given
        assert all(r.status == "ingested" for r in results)
        assert not list((tmp_path / f"case-{read_ahead}").glob(".read-ahead-*"))  # cleaned up
    alone, ahead = stored_tables(tmp_path / "case-False"), stored_tables(tmp_path / "case-True")
    for table, frame in alone.items():
        pd.testing.assert_frame_equal(frame, ahead[table], obj=table)
    assert len(alone["orders"]) > 1000 and len(alone["quarantine"]) > 0


def test_a_reading_process_that_fails_leaves_its_file_to_the_ingest(
    demo_files, tmp_path, monkeypatch
) -> None:
    # A spawned process re-runs the main script first: one that is gone (a script piped in on
    # stdin) makes every reading process end with an error before it reads anything.
    monkeypatch.setattr(
        sys.modules["__main__"], "__file__", str(tmp_path / "gone.py"), raising=False
    )
    with Case.open(tmp_path / "case") as case:
        results = ingest_files(case, demo_files, read_ahead=True)
    assert [r.status for r in results] == ["ingested"] * len(demo_files)
    assert not list((tmp_path / "case").glob(".read-ahead-*"))
    with Case.open(tmp_path / "alone") as case:
        ingest_files(case, demo_files, read_ahead=False)
    alone, recovered = stored_tables(tmp_path / "alone"), stored_tables(tmp_path / "case")
    for table, frame in alone.items():
        pd.testing.assert_frame_equal(frame, recovered[table], obj=table)


def test_a_damaged_scratch_file_leaves_its_file_to_the_ingest(tmp_path) -> None:
    # A reading process that ended mid-write (full disk, killed) leaves a truncated pickle:
    # its EOFError once ended an ingest with click's bare "Aborted.".
    readers = ReadAhead([], None, None, tmp_path)
    try:
        damaged = tmp_path / "0.pickle"
        damaged.write_bytes(b"\x80\x05\x95")
        disclosure = tmp_path / "orders.csv"
        assert readers._take((disclosure, damaged)) == (disclosure, None, None)
        assert not damaged.exists()
    finally:
        readers.close()


@pytest.mark.parametrize("name", ["missing column", "unknown shape", "corrupt xlsx"])
def test_an_error_in_a_file_read_ahead_fails_the_call(demo_files, demo_dir, tmp_path, name) -> None:
    path, message = fatal_cases(tmp_path, demo_dir)[name]
    platform = "taobao" if name == "missing column" else None
    files = [demo_files[-1], path] if platform else [*demo_files, path]
    with Case.open(tmp_path / "case") as case:
        with pytest.raises(InputError) as caught:
            ingest_files(case, files, platform=platform, read_ahead=True)
        assert message in str(caught.value) and str(path) in str(caught.value)
        assert case.status()["counts"]["disclosures"] == 0


def test_json_lines_read_in_slices_equal_one_read(demo_dir, monkeypatch) -> None:
    config = Config().platforms["douyin"]
    path = demo_dir / "douyin_orders.jsonl"
    whole = read_file(path, config)
    monkeypatch.setattr(readers, "JSON_SLICE", 3000)  # a few lines a slice: bad lines in some
    sliced = read_file(path, config)
    assert path.stat().st_size > 50 * 3000
    assert [(b.row, b.reason) for b in sliced.bad_rows] == [
        (b.row, b.reason) for b in whole.bad_rows
    ]
    assert len(whole.bad_rows) > 0
    one, other = whole.tables[None], sliced.tables[None]
    assert one.row_numbers.tolist() == other.row_numbers.tolist()
    for a, b in zip(one.columns, other.columns, strict=True):
        assert a.tolist() == b.tolist()


# -- what a seller record holds, and how mappings reach it ------------------------------------------
JSONL_MAPPING = """
platform: shop
file: {kind: jsonl}
signature: [oid, shop.id]
sellers:
  fields:
    account_key: shop.id
    registrant_name: {columns: [shop.company, shop.person], first_non_empty: true}
    bank_accounts: shop.banks
orders:
  fields:
    order_id: oid
    account_key: shop.id
    product_title: items.0.title
    amount: {column: total, unit: fen}
    paid_at: {column: at, parser: epoch_s}
"""


def jsonl_case(tmp_path: Path, mapping: str, lines: list[dict]):
    import json

    config = tmp_path / "config"
    (config / "platforms").mkdir(parents=True)
    (config / "platforms" / "shop.yaml").write_text(mapping, encoding="utf-8")
    path = write(tmp_path / "orders.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    case = Case.open(tmp_path / "case")
    return case, lambda: ingest(case, [path], config=config)


def test_a_json_path_reaches_into_a_list_and_several_columns_give_the_first_value(
    tmp_path,
) -> None:
    lines = [
        {"oid": "1", "shop": {"id": "A", "company": "", "person": "张三", "banks": ["wang@qq.com"]},
         "items": [{"title": "鞋"}, {"title": "袜"}], "total": 100, "at": 1700000000},
        {"oid": "2", "shop": {"id": "B", "company": "晨光商行", "person": "李四", "banks": []},
         "items": [], "total": 200, "at": 1700000000},
    ]  # fmt: skip
    case, run = jsonl_case(tmp_path, JSONL_MAPPING, lines)
    with case:
        run()
        titles = dict(case.db.execute("SELECT order_id, product_title FROM orders").fetchall())
        names = dict(
            case.db.execute("SELECT account_key, registrant_name FROM seller_records").fetchall()
        )
        paying = case.db.execute("SELECT kind, norm FROM seller_identifiers").fetchall()
        quarantined = case.disclosures.quarantine()
    assert titles == {"1": "鞋", "2": None}
    assert names == {"A": "张三", "B": "晨光商行"}
    assert paying == [("payment_account", "wang@qq.com")]  # an e-mail given as a bank account
    assert quarantined.empty


def test_a_json_path_no_line_holds_is_an_error_naming_it(tmp_path) -> None:
    mapping = JSONL_MAPPING.replace("items.0.title", "items.0.name")
    shop = {"id": "A", "company": "", "person": "张三", "banks": []}
    lines = [{"oid": "1", "shop": shop, "items": [{"title": "鞋"}], "total": 1, "at": 1700000000}]
    case, run = jsonl_case(tmp_path, mapping, lines)
    expected = r"missing column 'items\.0\.name' \(mapped to orders\.product_title\)"
    with case, pytest.raises(InputError, match=expected):
        run()


def test_several_columns_for_one_value_must_say_how_to_combine(tmp_path) -> None:
    from resolver.errors import ConfigError

    mapping = JSONL_MAPPING.replace(", first_non_empty: true", "")
    case, run = jsonl_case(tmp_path, mapping, [])
    with (
        case,
        pytest.raises(
            ConfigError, match=r"sellers\.fields\.registrant_name: 2 columns for one value"
        ),
    ):
        run()


def test_a_store_that_changed_hands_keeps_both_registrants_with_their_rows(taobao_file, tmp_path):
    rows = [
        {"account_key": "S1", "registrant_name": "张三", "id_number": "11010519491231002X",
         "legal_representative": "王五", "legal_representative_id": "110105194912310118"},
        {"account_key": "S1", "registrant_name": "李四", "id_number": "110105194912310100"},
    ]  # fmt: skip
    path = taobao_file(tmp_path / "changed.csv", rows)
    with Case.open(tmp_path / "case") as case:
        ingest(case, [path])
        parties = case.records.parties()
        record = case.db.execute("SELECT registrant_name, id_norm FROM seller_records").fetchall()
    seen = set(zip(parties["role"], parties["name"], parties["source_row"], strict=True))
    assert seen == {("registrant", "张三", 2), ("registrant", "李四", 3),
                    ("legal_representative", "王五", 2)}  # fmt: skip
    assert record == [("张三", "11010519491231002X")]  # the record shows the first


def test_the_hard_demo_is_read_whole_pinduoduo_included(hard_demo_dir, tmp_path) -> None:
    from resolver.demo import disclosure_files

    files = disclosure_files(hard_demo_dir)
    with Case.open(tmp_path / "case") as case:
        results = ingest(case, files)
        stored = case.db.execute(
            "SELECT count(DISTINCT (platform, order_id)) FROM orders"
        ).fetchall()[0][0]
        quarantined = case.disclosures.quarantine()
        banks = case.db.execute(
            "SELECT count(*) FROM seller_identifiers WHERE raw LIKE '%银行 %' AND norm IS NOT NULL"
        ).fetchall()[0][0]
    assert {r.platform for r in results} == {"taobao", "jd", "douyin", "pdd"}
    assert stored == len(truth(hard_demo_dir, "orders.csv"))
    bad = truth(hard_demo_dir, "bad_rows.csv")
    rows = quarantined[quarantined["level"] == "row"].drop_duplicates(
        ["source_file", "source_sheet", "source_row"]
    )
    assert len(rows) == len(bad[bad["reason"] != "lost digits"])
    assert banks > 0  # bank cells written with the bank's name keep their digits
