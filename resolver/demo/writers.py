"""Disclosure files in the shapes platforms send, and the truth behind them.

taobao: CSV in GBK, one row per order with the seller's identity on each (two overlapping
exports); jd: an XLSX workbook with a store sheet and an order sheet; douyin: JSON Lines with the
shop nested in each order and its items in a list; pdd (hard demos): CSV in UTF-8 with a BOM,
money in fen and dates as yyyymmdd numbers. Each file carries a few bad rows, listed in
`truth/bad_rows.csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections import defaultdict
from pathlib import Path

from resolver.demo.world import START, Account, Generator

SUPPLEMENT_FROM = dt.datetime(2024, 6, 1)  # the second taobao file overlaps the first by a month
MAIN_UNTIL = dt.datetime(2024, 7, 1)
CHANGED_HANDS = dt.datetime(2024, 1, 1)  # hard: stores that changed hands did so then
TAOBAO_HEADERS = ["订单编号", "店铺ID", "店铺名称", "卖家昵称", "开店人姓名", "主体类型",
                  "证件号码", "法定代表人", "法人证件号", "联系电话", "经营地址", "结算账户",
                  "支付宝账号", "商品标题", "单价", "数量", "优惠金额", "实付金额", "付款时间",
                  "收货人姓名", "收货人手机", "收货地址"]  # fmt: skip
JD_SELLER_HEADERS = ["商家编号", "店铺名称", "主体名称", "主体类型", "证件号码", "法定代表人",
                     "法人证件号", "联系人", "联系电话", "经营地址", "银行账号"]  # fmt: skip
JD_ORDER_HEADERS = ["订单号", "商家编号", "商品名称", "单价", "数量", "应付金额", "下单时间",
                    "收货人", "收货电话", "收货地址"]  # fmt: skip
PDD_HEADERS = ["订单号", "店铺编号", "店铺名称", "主体名称", "主体类型", "证照号码", "法人姓名",
               "法人身份证号", "联系人", "联系电话", "经营地址", "结算银行卡", "支付宝", "商品名称",
               "商品单价(分)", "商品数量", "实付金额(分)", "成交日期", "收件人", "收件人电话",
               "收件地址"]  # fmt: skip
KIND_LABELS = {"person": "个人", "individual_business": "个体工商户", "company": "企业"}
BANK_NAMES = ("中信银行", "工商银行", "建设银行", "农业银行", "招商银行")
_COLUMN = {name: index for index, name in enumerate(TAOBAO_HEADERS)}


def _yuan(fen: int, rng: random.Random) -> str:
    text = f"{fen / 100:,.2f}" if rng.random() < 0.5 else f"{fen // 100}.{fen % 100:02d}"
    return ("￥" + text) if rng.random() < 0.4 else text  # GBK has the full-width sign only


def _mask(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:2]}***@{domain}" if domain else _mask(value, 3, 4)


def registrant_name(gen: Generator, account: Account, pinyin_allowed: bool = False) -> str:
    """The registrant as an export writes it; a hard JD export puts the legal representative's
    name where some companies' names belong."""
    legal = account.legal_representative
    if legal is not None and gen.hard and account.platform == "jd" and gen.rng.random() < 0.3:
        return legal.name
    return gen.person_name(account.registrant_name, pinyin_allowed)


def write_taobao(gen: Generator, accounts: list[Account], folder: Path, bad: list) -> list[Path]:
    rng = gen.rng
    files_rows: dict[str, list[list[str]]] = {
        "taobao_orders_2023.csv": [],
        "taobao_orders_2024.csv": [],
    }
    for account in accounts:
        legal = account.legal_representative
        identity = [
            account.key,
            account.store_name,
            account.alias,
            gen.person_name(account.registrant_name),
            KIND_LABELS[account.kind],
            account.id_number,
            legal.name if legal else "",
            legal.id_number if legal else "",
            ";".join(account.phones),
            gen.address(account.address),
            account.bank_accounts[0],
            account.alipay or "",
        ]
        if rng.random() < 0.3:
            identity[5] = "\t" + identity[5]  # the tab some exports put before long numbers
        before = list(identity)
        if account.previous is not None:  # the store's earlier registrant, on earlier orders
            before[3:6] = [
                gen.person_name(account.previous.name),
                "个人",
                account.previous.id_number,
            ]
        for order in account.orders:
            when = order["paid"]
            paid = f"{when:%Y-%m-%d %H:%M:%S}" if rng.random() < 0.7 else f"{when:%Y/%-m/%-d %H:%M}"
            if paid.count(":") == 1:  # a format without seconds: the truth loses them too
                order["paid"] = when.replace(second=0)
            recipient = order["recipient"]
            order_id = order["order_id"] if rng.random() < 0.5 else f'="{order["order_id"]}"'
            seller = before if when < CHANGED_HANDS else identity
            row = [
                order_id,
                *seller,
                order["title"],
                _yuan(order["price"], rng),
                str(order["quantity"]),
                _yuan(order["discount"], rng),
                _yuan(order["amount"], rng),
                paid,
                recipient.name,
                recipient.phone,
                recipient.address,
            ]
            if order["paid"] < MAIN_UNTIL:
                files_rows["taobao_orders_2023.csv"].append(row)
            if order["paid"] >= SUPPLEMENT_FROM:
                files_rows["taobao_orders_2024.csv"].append(row)
    paths = []
    paid_at, amount = _COLUMN["付款时间"], _COLUMN["实付金额"]
    for name, rows in files_rows.items():
        rows.sort(key=lambda r: r[paid_at])
        if rows:
            template = rows[len(rows) // 2]
            tag = "BAD" + name[-8:-4]
            injected = [
                (["", *template[1:]], "empty order id"),
                ([tag + "1", *template[1:amount], "abc", *template[amount + 1 :]], "not an amount"),
                (
                    [tag + "2", *template[1:amount], "-12.00", *template[amount + 1 :]],
                    "negative amount",
                ),
                (
                    [tag + "3", *template[1:paid_at], "2023-13-45 10:00", *template[paid_at + 1 :]],
                    "unparseable date",
                ),
                ([tag + "4", *template[1:10]], "wrong column count"),
            ]
            for row, _ in injected:
                rows.insert(rng.randrange(len(rows)), row)
            for number, row in enumerate(rows, start=2):
                for bad_row, reason in injected:
                    if row is bad_row:
                        bad.append((name, number, reason))
        path = folder / name
        with path.open("w", encoding="gbk", errors="strict", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(TAOBAO_HEADERS)
            writer.writerows(rows)
        paths.append(path)
    return paths


def write_jd(gen: Generator, accounts: list[Account], folder: Path, bad: list) -> Path:
    import xlsxwriter  # a dependency of the reports too

    rng = gen.rng
    path = folder / "jd_disclosure.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sellers = book.add_worksheet("店铺信息")
    sellers.write_row(0, 0, JD_SELLER_HEADERS)
    for row, account in enumerate(accounts, start=1):
        bank = account.bank_accounts[0]
        legal = account.legal_representative
        sellers.write_row(
            row,
            0,
            [
                account.key,
                account.store_name,
                registrant_name(gen, account),
                KIND_LABELS[account.kind],
                account.id_number,
                legal.name if legal else "",
                legal.id_number if legal else "",
                account.registrant.name,
                ";".join(_mask(p, 3, 4) for p in account.phones),
                gen.address(account.address),
            ],
        )
        if rng.random() < 0.1:  # typed into Excel as a number: digits past the 15th are lost
            sellers.write_number(row, 10, float(bank))
            bad.append((path.name, f"店铺信息!{row + 1}", "lost digits"))
        else:
            sellers.write_string(row, 10, bank)
    orders = book.add_worksheet("订单明细")
    orders.write_row(0, 0, JD_ORDER_HEADERS)
    rows = [(a, o) for a in accounts for o in a.orders]
    rows.sort(key=lambda pair: pair[1]["paid"])
    injected_at = (
        {
            rng.randrange(len(rows) + 1): reason
            for reason in (
                "order of an unknown store",
                "empty order id",
                "not an amount",
                "unparseable date",
            )
        }
        if rows
        else {}
    )
    number = 1
    for index in range(len(rows) + 1):
        if index in injected_at:
            reason = injected_at[index]
            store = "JD00000000" if "unknown" in reason else rows[0][0].key
            base = [
                "JDBAD" + str(index),
                store,
                "测试商品",
                10.0,
                1,
                10.0,
                START,
                "某某",
                "138****0000",
                "北京市朝阳区建国路1号",
            ]
            if reason == "empty order id":
                base[0] = ""
            elif reason == "not an amount":
                base[5] = "面议"
            elif reason == "unparseable date":
                base[6] = "not a date"
            _write_jd_order(orders, number, base, date_format)
            bad.append((path.name, f"订单明细!{number + 1}", reason))
            number += 1
        if index == len(rows):
            break
        account, order = rows[index]
        recipient = order["recipient"]
        paid = order["paid"]
        when: object = paid
        if rng.random() < 0.1:  # some rows carry the day only, as a yyyymmdd number
            when = int(f"{paid:%Y%m%d}")
            order["paid"] = paid.replace(hour=0, minute=0, second=0)
        _write_jd_order(
            orders,
            number,
            [
                int(order["order_id"]),
                account.key,
                order["title"],
                order["price"] / 100,
                order["quantity"],
                order["amount"] / 100,
                when,
                recipient.name,
                _mask(recipient.phone, 3, 4),
                recipient.address,
            ],
            date_format,
        )
        number += 1
    book.close()
    return path


def _write_jd_order(sheet, row: int, values: list, date_format) -> None:
    for column, value in enumerate(values):
        if isinstance(value, dt.datetime):
            sheet.write_datetime(row, column, value, date_format)
        elif isinstance(value, int | float):
            sheet.write_number(row, column, value)
        else:
            sheet.write_string(row, column, value)


def write_douyin(gen: Generator, accounts: list[Account], folder: Path, bad: list) -> Path:
    rng = gen.rng
    path = folder / "douyin_orders.jsonl"
    lines = []
    for account in accounts:
        province, city, county = gen.divisions[account.address[0]]
        legal = account.legal_representative
        shop = {
            "shop_id": account.key,
            "shop_name": account.store_name,
            "nick": account.alias,
            "subject": {
                "type": KIND_LABELS[account.kind],
                "name": gen.person_name(account.registrant_name, account.kind == "person"),
                "cert_no": _mask(account.id_number, 4, 4),
                "legal_person": {
                    "name": legal.name if legal else None,
                    "cert_no": _mask(legal.id_number, 4, 4) if legal else None,
                },
            },
            "contact": {"phones": list(account.phones)},
            "address": {
                "province": "" if rng.random() < 0.2 else province,
                "city": city,
                "district": county,
                "detail": gen.street(account.address[1]),
            },
            "settlement": {
                "bank_accounts": [_mask(b, 4, 4) for b in account.bank_accounts],
                "alipay": _mask_email(account.alipay) if account.alipay else None,
            },
        }
        for order in account.orders:
            recipient = order["recipient"]
            stamp = order["paid"].replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
            item = {
                "title": order["title"],
                "price_fen": order["price"],
                "count": order["quantity"],
            }
            lines.append(
                {
                    "order_id": order["order_id"],
                    "create_time": int(stamp.timestamp() * 1000),
                    "shop": shop,
                    "items": [item],
                    "pay_amount_fen": order["amount"],
                    "receiver": {
                        "name": recipient.name,
                        "phone": recipient.phone,
                        "address": recipient.address,
                    },
                }
            )
    lines.sort(key=lambda o: o["create_time"])
    texts = [json.dumps(line, ensure_ascii=False) for line in lines]
    if lines:
        broken = json.dumps({**lines[0], "order_id": "DYBAD1"}, ensure_ascii=False)[:-25]
        negative = json.dumps(
            {**lines[0], "order_id": "DYBAD2", "pay_amount_fen": -500}, ensure_ascii=False
        )
        no_id = json.dumps(
            {k: v for k, v in lines[0].items() if k != "order_id"}, ensure_ascii=False
        )
        reasons = {broken: "malformed JSON", negative: "negative amount", no_id: "empty order id"}
        for text in reasons:
            texts.insert(rng.randrange(len(texts)), text)
        for number, text in enumerate(texts, start=1):
            if text in reasons:
                bad.append((path.name, number, reasons[text]))
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    return path


def write_pdd(gen: Generator, accounts: list[Account], folder: Path, bad: list) -> Path:
    """One row per order with the store's identity, UTF-8 with a BOM, money in fen, the day
    of the order as a yyyymmdd number; bank cells carry the bank's name."""
    rng = gen.rng
    path = folder / "pdd_orders.csv"
    rows = []
    for account in accounts:
        legal = account.legal_representative
        bank = account.bank_accounts[0]
        identity = [
            account.key,
            account.store_name,
            gen.person_name(account.registrant_name, account.kind == "person"),
            KIND_LABELS[account.kind],
            account.id_number,
            legal.name if legal else "",
            legal.id_number if legal else "",
            account.registrant.name,
            ";".join(account.phones),
            gen.address(account.address),
            f"{rng.choice(BANK_NAMES)} {bank}" if rng.random() < 0.3 else bank,
            account.alipay or "",
        ]
        for order in account.orders:
            recipient = order["recipient"]
            order["paid"] = order["paid"].replace(hour=0, minute=0, second=0)  # the day only
            rows.append([
                order["order_id"], *identity, order["title"], str(order["price"]),
                str(order["quantity"]), str(order["amount"]), f"{order['paid']:%Y%m%d}",
                recipient.name, recipient.phone, recipient.address,
            ])  # fmt: skip
    rows.sort(key=lambda r: r[17])
    if rows:
        template = rows[len(rows) // 2]
        injected = [
            (["", *template[1:]], "empty order id"),
            (["PDDBAD1", *template[1:16], "十元", *template[17:]], "not an amount"),
            (["PDDBAD2", *template[1:17], "20231345", *template[18:]], "unparseable date"),
        ]
        for row, _ in injected:
            rows.insert(rng.randrange(len(rows)), row)
        for number, row in enumerate(rows, start=2):
            for bad_row, reason in injected:
                if row is bad_row:
                    bad.append((path.name, number, reason))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PDD_HEADERS)
        writer.writerows(rows)
    return path


def write_truth(folder: Path, accounts: list[Account], bad: list) -> None:
    truth = folder / "truth"
    truth.mkdir(exist_ok=True)
    with (truth / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["platform", "account_key", "trader_id", "role", "registrant_name",
                         "tie", "patterns"])  # fmt: skip
        for a in accounts:
            writer.writerow([a.platform, a.key, f"T{a.trader:06d}", a.role, a.registrant_name,
                             a.tie, ";".join(a.patterns)])  # fmt: skip
    sales: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    with (truth / "orders.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["platform", "order_id", "account_key", "trader_id", "amount_fen",
                         "paid_at", "infringing", "self_purchase"])  # fmt: skip
        for a in accounts:
            for o in a.orders:
                writer.writerow([a.platform, o["order_id"], a.key, f"T{a.trader:06d}",
                                 o["amount"], f"{o['paid']:%Y-%m-%dT%H:%M:%S}",
                                 int(o["infringing"]), int(o["self_purchase"])])  # fmt: skip
                totals = sales[a.trader]
                totals[0] += 1
                totals[1] += o["amount"]
                if o["infringing"]:
                    totals[2] += o["amount"]
                if o["self_purchase"]:
                    totals[3] += 1
    with (truth / "sales.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["trader_id", "orders", "amount_fen", "infringing_amount_fen", "self_purchase_orders"]
        )
        for trader, totals in sorted(sales.items()):
            writer.writerow([f"T{trader:06d}", *totals])
    with (truth / "bad_rows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "reason"])
        writer.writerows(bad)
