"""Linkage quality on a second synthetic world, written apart from `resolver demo`.

    python bench/second_world.py [--traders 2000] [--seed 5] [--messy] [--supply] [--why]

The demo is ours, and the linkage was tuned on it. This world was written afterwards, without
its code, from what disclosures hold: other shares of fronts, relatives and companies, traders
with up to twelve accounts, other masks (bank accounts as first 6 + last 4, ID numbers as first
6 + last 4, recipients' names as `王*`), professional nominees who are the legal representative
of several traders' companies, bookkeeping agents and cloud warehouses whose address many
unrelated stores give, families who trade apart at one home with one landline, house numbers in
several writings, and three export shapes that no shipped mapping reads (a CSV, an XLSX with a
store sheet and an order sheet, nested JSON Lines), each read through a mapping written from the
README into the data's own `config/`. It prints what `bench/linkage_quality.py` prints.

`--messy` writes the same world (same accounts, orders and truth) with the cells people type by
hand now and then: a label before an ID number (`身份证：`, `统一社会信用代码：`), a note after a
phone, a payment account or a registrant (`（微信同号）`, `（店主）`), a delivery note after a
recipient's address (`（张三收）`, `（放快递柜）`), and some registrants of the JSON platform in
pinyin, given name first (`Xiuying Wang`). Its figures against the plain world's say what such
writings cost.

`--supply` adds wholesalers: 2% of traders each supply 2 to 12 others of the case, a store of
theirs shipping one to five orders to the retailer's owner by name, at his phone and his
business address — orders to another trader's people that are no self-purchase (the accounts
and the other orders are the plain world's).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import pandas as pd
from common import OUT, arguments, report_quality
from pypinyin import lazy_pinyin

from resolver.config import Config
from resolver.normalize.identifiers import id_card_check_digit, uscc_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞辉建国志海燕亮林波"
    "宁斌浩宇轩涵欣怡晨阳博文思雨佳琪梓萱俊凯鑫淑珍凤梅春德福贵荣"
)
COMMON_NAMES = ("张伟", "王伟", "王芳", "李伟", "李娜", "张敏", "李静", "王静", "刘伟", "王秀英")
# (province, city, district, region code of ID numbers, landline area code)
DIVISIONS = (
    ("福建省", "泉州市", "晋江市", "350582", "0595"),
    ("浙江省", "杭州市", "余杭区", "330110", "0571"),
    ("浙江省", "宁波市", "鄞州区", "330212", "0574"),
    ("浙江省", "温州市", "瑞安市", "330381", "0577"),
    ("浙江省", "金华市", "义乌市", "330782", "0579"),
    ("广东省", "广州市", "白云区", "440111", "020"),
    ("广东省", "汕头市", "潮阳区", "440513", "0754"),
    ("广东省", "揭阳市", "普宁市", "445281", "0663"),
    ("广东省", "深圳市", "龙华区", "440309", "0755"),
    ("福建省", "莆田市", "荔城区", "350304", "0594"),
    ("江苏省", "苏州市", "吴中区", "320506", "0512"),
    ("山东省", "临沂市", "兰山区", "371302", "0539"),
    ("河南省", "郑州市", "金水区", "410105", "0371"),
    ("四川省", "成都市", "武侯区", "510107", "028"),
    ("湖南省", "长沙市", "岳麓区", "430104", "0731"),
    ("上海市", "上海市", "闵行区", "310112", "021"),
    ("北京市", "北京市", "朝阳区", "110105", "010"),
    ("安徽省", "合肥市", "蜀山区", "340104", "0551"),
    ("河北省", "石家庄市", "裕华区", "130108", "0311"),
    ("湖北省", "武汉市", "江汉区", "420103", "027"),
)
ROADS = (
    "世纪大道 青阳路 梅岭路 安海路 陈埭路 泉安路 五里路 阳光路 佳源路 和谐路 兴业路 创业路 新华街 "
    "人民东路 解放西路 长江路 黄河路 学府路 科技路 工业大道 湖滨路 滨江路 文化路 建设路 光明街 "
    "迎宾大道 金山路 银河路 东风路 胜利街"
).split()
MARKETS = ("鞋都商城", "服装城", "小商品市场", "电子城", "国际商贸城", "皮具城")
BRAND_CHARS = "鑫源隆盛泰恒丰达顺兴嘉瑞祥宏昌佳美优尚品锦华星辰悦雅致远诚信德福润康乐"
TRADES = ("鞋业", "服饰", "箱包", "美妆", "家纺", "电子", "母婴", "运动", "饰品", "百货")
SUFFIXES = ("旗舰店", "专营店", "专卖店", "小店", "优选", "的店", "工厂店")
BANK_PREFIXES = ("622202", "622848", "621700", "621483", "623052", "622588", "621226")
BANK_NAMES = ("工商银行", "农业银行", "建设银行", "招商银行", "中国银行", "邮储银行")
MOBILE_PREFIXES = (
    "130 131 132 135 136 137 138 139 150 151 152 155 157 158 159 166 176 177 180 183 186 187 188 "
    "189 191 198 199"
).split()
PLATFORMS = ("alpha", "beta", "gamma")

ALPHA_COLUMNS = [
    "单号", "商户号", "店名", "经营者", "经营者类型", "证件号", "法定代表人", "法定代表人证件",
    "电话", "地址", "收款账号", "支付宝", "品名", "金额", "下单时间", "买家姓名", "买家电话",
    "买家地址",
]  # fmt: skip
MAPPINGS = {
    "alpha": """platform: alpha
description: a CSV with the store on every order row, two phones in one cell
file: {kind: csv}
signature: [单号, 商户号, 经营者, 金额]
sellers:
  fields:
    account_key: 商户号
    store_name: 店名
    registrant_name: 经营者
    registrant_kind:
      column: 经营者类型
      values: {个人: person, 个体: individual_business, 公司: company}
    id_number: 证件号
    legal_representative: 法定代表人
    legal_representative_id: 法定代表人证件
    phones: {column: 电话, split: "/"}
    addresses: 地址
    bank_accounts: 收款账号
    payment_accounts: 支付宝
orders:
  fields:
    order_id: 单号
    account_key: 商户号
    product_title: 品名
    amount: 金额
    paid_at: 下单时间
    recipient_name: 买家姓名
    recipient_phone: 买家电话
    recipient_address: 买家地址
""",
    "beta": """platform: beta
description: an XLSX with a store sheet and an order sheet; identifiers masked
file: {kind: xlsx}
signature: [店铺编码, 注册人, 订单编码]
sellers:
  sheet: 店铺
  fields:
    account_key: 店铺编码
    store_name: 店铺名
    registrant_name: 注册人
    registrant_kind:
      column: 注册类型
      values: {自然人: person, 个体户: individual_business, 企业: company}
    id_number: 注册证件
    legal_representative: 法人
    legal_representative_id: 法人证件
    contact: 联系人
    phones: {columns: [电话1, 电话2]}
    addresses: 经营地址
    bank_accounts: 结算卡号
    payment_accounts: 支付账号
orders:
  sheet: 订单
  fields:
    order_id: 订单编码
    account_key: 店铺编码
    product_title: 商品
    amount: 实付
    paid_at: 支付时间
    recipient_name: 收货人
    recipient_phone: 收货电话
    recipient_address: 收货地址
""",
    "gamma": """platform: gamma
description: nested JSON Lines, money in fen, epoch seconds
file: {kind: jsonl}
signature: [oid, store.sid]
sellers:
  fields:
    account_key: store.sid
    store_name: store.title
    registrant_name: store.owner.name
    registrant_kind:
      column: store.owner.type
      values: {person: person, ib: individual_business, corp: company}
    id_number: store.owner.cert
    legal_representative: store.legal.name
    legal_representative_id: store.legal.cert
    phones: store.tels
    addresses: {columns: [store.addr.region, store.addr.line], join: ""}
    bank_accounts: store.pay.bank
    payment_accounts: store.pay.alipay
orders:
  fields:
    order_id: oid
    account_key: store.sid
    product_title: goods.0.name
    amount: {column: total_fen, unit: fen}
    paid_at: {column: ts, parser: epoch_s}
    recipient_name: to.name
    recipient_phone: to.tel
    recipient_address: to.addr
""",
}


@dataclass
class Person:
    name: str
    id_number: str
    phones: list[str]
    banks: list[str]
    alipay: str
    home: tuple[int, str]  # (division, street)


@dataclass
class Account:
    platform: str
    key: str
    trader: str
    role: str
    tie: str
    kind: str  # person | individual_business | company
    registrant: str
    registrant_id: str
    legal_name: str = ""
    legal_id: str = ""
    phones: list[str] = field(default_factory=list)
    banks: list[str] = field(default_factory=list)
    alipay: str = ""
    address: tuple[int, str] = (0, "")
    store: str = ""
    patterns: list[str] = field(default_factory=list)


class World:
    """People, traders and their accounts, drawn with one seeded generator."""

    def __init__(self, traders: int, seed: int, messy: bool = False, supply: bool = False) -> None:
        self.rng = random.Random(seed)
        # the hand-typed cells draw from their own generator: the world is the same either way
        self.messy = Messy(seed) if messy else None
        # so do the supply orders (`--supply`): its accounts are the plain world's
        self.supply = random.Random(seed + 7_919) if supply else None
        self.used: set[str] = set()
        self.accounts: list[Account] = []
        self.owners: dict[str, Person] = {}
        self.buyers = [self.person() for _ in range(max(200, traders * 2))]
        self.warehouses = [self.street(self.division(), unit=False) for _ in range(12)]
        self.bookkeepers = [(self.street(self.division(), unit=True), self.landline(0))
                            for _ in range(max(2, traders // 200))]  # fmt: skip
        agencies = [self.mobile() for _ in range(max(3, traders // 60))]
        nominees = [self.person() for _ in range(max(2, traders // 400))]
        for n in range(traders):
            self.trader(f"W{n:06d}")
        self.families(traders)
        self.share(agencies, nominees)

    # -- values -------------------------------------------------------------------------
    def fresh(self, make) -> str:
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

    def mobile(self) -> str:
        rng = self.rng
        return self.fresh(lambda: rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")

    def landline(self, division: int) -> str:
        area = DIVISIONS[division][4]
        return self.fresh(lambda: f"{area}{self.rng.randrange(2 * 10**7, 9 * 10**7):08d}")

    def bank(self) -> str:
        rng = self.rng
        return self.fresh(
            lambda: (
                rng.choice(BANK_PREFIXES)
                + "".join(str(rng.randrange(10)) for _ in range(rng.choice((10, 13))))
            )
        )

    def id_card(self, division: int) -> str:
        rng = self.rng
        region = DIVISIONS[division][3]

        def make() -> str:
            first = f"{region}{rng.randrange(1960, 2002)}{rng.randrange(1, 13):02d}"
            first += f"{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
            return first + id_card_check_digit(first)

        return self.fresh(make)

    def uscc(self, division: int) -> str:
        rng = self.rng
        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

        def make() -> str:
            first = "9" + rng.choice("12") + DIVISIONS[division][3]
            first += "".join(rng.choice(chars) for _ in range(9))
            return first + uscc_check_char(first)

        return self.fresh(make)

    def name(self, surname: str | None = None) -> str:
        rng = self.rng
        if surname is None and rng.random() < 0.08:
            return rng.choice(COMMON_NAMES)
        weights = [1 / (i + 1) ** 0.8 for i in range(len(SURNAMES))]
        surname = surname or rng.choices(SURNAMES, weights)[0]
        return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def division(self) -> int:
        return 0 if self.rng.random() < 0.3 else self.rng.randrange(1, len(DIVISIONS))

    def street(self, division: int, unit: bool) -> tuple[int, str]:
        rng = self.rng
        street = f"{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
        if unit:  # building and room: written several ways when shown (`written_address`)
            street += f"|{rng.randrange(1, 30)}|{rng.randrange(1, 30)}{rng.randrange(1, 20):02d}"
        return division, street

    def person(self, surname: str | None = None) -> Person:
        division = self.division()
        phones = [self.mobile() for _ in range(self.rng.choice((1, 1, 2)))]
        rng = self.rng
        email = "".join(rng.choices("abcdefghjkmnpqrstwxyz", k=5)) + str(rng.randrange(999))
        alipay = rng.choice((phones[0], f"{email}@{rng.choice(('qq.com', '163.com'))}"))
        return Person(
            self.name(surname),
            self.id_card(division),
            phones,
            [self.bank() for _ in range(self.rng.choice((1, 2)))],
            alipay,
            self.street(division, unit=True),
        )

    def stem(self) -> str:
        return "".join(self.rng.sample(BRAND_CHARS, 2)) + self.rng.choice(TRADES)

    # -- traders --------------------------------------------------------------------------
    def trader(self, trader: str) -> None:
        rng = self.rng
        owner = self.person()
        base = rng.random()
        stall = f"{rng.choice(MARKETS)}{rng.randrange(1, 6)}楼{rng.randrange(400)}号"
        business = (
            rng.choice(self.warehouses) if base < 0.15
            else (owner.home[0], stall) if base < 0.35
            else self.street(self.division(), unit=True)
        )  # fmt: skip
        count = rng.choices((1, 2, 3, 4, 5, 6, 8, 12), (40, 25, 14, 8, 5, 4, 3, 1))[0]
        stem = self.stem()
        self.owners[trader] = owner
        for n in range(count):
            role = "self" if n == 0 else rng.choices(
                ("self", "front", "relative", "company"), (30, 35, 15, 20)
            )[0]  # fmt: skip
            account = self.account(trader, role, owner, business, stem, first=n == 0)
            if base < 0.15:
                account.patterns.append("warehouse")
            self.accounts.append(account)

    def account(
        self, trader: str, role: str, owner: Person, business, stem: str, first: bool
    ) -> Account:
        """One account; a trader's first lists the owner's first phone, bank and payment account
        and the brand, the values fronts and relatives are tied by."""
        rng = self.rng
        platform = rng.choices(PLATFORMS, (45, 30, 25))[0]
        key = self.fresh(lambda: f"{platform[0].upper()}{rng.randrange(10**9):09d}")
        store = (stem if first or rng.random() < 0.7 else self.stem()) + rng.choice(SUFFIXES)
        account = Account(platform, key, trader, role, "", "person", owner.name, owner.id_number)
        account.store, account.address = store, business
        account.phones = owner.phones[:1] if first else [rng.choice(owner.phones)]
        account.banks = owner.banks[:1] if first else [rng.choice(owner.banks)]
        account.alipay = owner.alipay if first or rng.random() < 0.6 else ""
        if role == "self":
            if rng.random() < 0.3:
                account.kind = "individual_business"
        elif role == "company":
            account.kind = "company"
            division = business[0]
            account.registrant = f"{DIVISIONS[division][1][:-1]}{stem}商贸有限公司"
            if rng.random() < 0.4:
                account.registrant = f"{DIVISIONS[division][1][:-1]}{self.stem()}有限公司"
            account.registrant_id = self.uscc(division)
            account.legal_name, account.legal_id = owner.name, owner.id_number
            account.banks = [self.bank()]  # a company's own settlement account
        elif role == "relative":
            relative = self.person(surname=owner.name[0])
            account.registrant, account.registrant_id = relative.name, relative.id_number
            chances = {"home": 0.5, "phone": 0.45, "bank": 0.25}
            ties = [tie for tie, chance in chances.items() if rng.random() < chance] or ["home"]
            account.tie = "+".join(ties)
            account.address = owner.home if "home" in ties else business
            account.phones = [owner.phones[0]] if "phone" in ties else []
            account.phones += relative.phones[:1]
            account.banks = [owner.banks[0]] if "bank" in ties else relative.banks[:1]
            account.alipay = relative.alipay
        else:  # a front: someone else's name, tied to the trader by one to three values
            front = self.person()
            account.registrant, account.registrant_id = front.name, front.id_number
            kinds = ("phone", "bank", "alipay", "address", "store")
            count = rng.choices((1, 2, 3), (35, 45, 20))[0]
            shared: set[str] = set()
            while len(shared) < count:
                shared.add(rng.choices(kinds, (30, 20, 15, 20, 15))[0])
            account.tie = "+".join(sorted(shared))
            account.phones = [owner.phones[0]] if "phone" in shared else []
            if "phone" not in shared or rng.random() < 0.4:
                account.phones.append(front.phones[0])
            account.banks = [owner.banks[0]] if "bank" in shared else front.banks[:1]
            account.alipay = owner.alipay if "alipay" in shared else front.alipay
            if "address" not in shared:
                account.address = front.home
            if "store" in shared:
                account.store = stem + rng.choice(SUFFIXES)
            elif account.store.startswith(stem):
                account.store = self.stem() + rng.choice(SUFFIXES)
        return account

    def families(self, traders: int) -> None:
        """Relatives who trade apart: one home, one landline, different traders."""
        rng = self.rng
        firsts: dict[str, Account] = {}
        for account in self.accounts:
            firsts.setdefault(account.trader, account)
        for n, first in enumerate(rng.sample(sorted(firsts), traders // 20)):
            owner = self.owners[first]
            landline = self.landline(owner.home[0])
            other = self.person(surname=owner.name[0])
            trader = f"F{n:06d}"
            family = [
                self.account(trader, "self", other, owner.home, self.stem(), first=True)
                for _ in range(rng.choice((1, 2)))
            ]
            for account in [*family, firsts[first]]:
                account.phones.append(landline)
                account.patterns.append("family")
            self.accounts.extend(family)

    def share(self, agencies: list[str], nominees: list[Person]) -> None:
        """Agency phones, bookkeepers' addresses and nominee legal representatives: values that
        unrelated traders' stores give."""
        rng = self.rng
        for phone in agencies:
            for account in rng.sample(self.accounts, rng.randrange(2, 7)):
                account.phones = ([] if rng.random() < 0.4 else account.phones) + [phone]
                account.patterns.append("agency")
        companies = [a for a in self.accounts if a.kind == "company"]
        for address, landline in self.bookkeepers:
            for account in rng.sample(companies, min(len(companies), rng.randrange(3, 9))):
                account.address, account.phones = address, [*account.phones, landline]
                account.patterns.append("bookkeeper")
        for nominee in nominees:
            for account in rng.sample(companies, min(len(companies), rng.randrange(2, 5))):
                account.legal_name, account.legal_id = nominee.name, nominee.id_number
                account.patterns.append("nominee")


# -- writing ------------------------------------------------------------------------------
_T2S = opencc.OpenCC("s2t.json")


def written_address(rng: random.Random, address: tuple[int, str]) -> str:
    province, city, district, _, _ = DIVISIONS[address[0]]
    street = address[1]
    if "|" in street:
        road, building, room = street.split("|")
        street = road + rng.choice(
            (f"{building}栋{room}室", f"{building}号楼{room}", f"{building}幢{room}室",
             f"-{building}-{room}")
        )  # fmt: skip
        street = street.replace("号-", "-")  # `1099-3-502`
    head = rng.choice((province + city, city, province + " " + city + " "))
    if province == city:
        head = city
    return f"{head}{district}{street}"


def written_phone(rng: random.Random, phone: str) -> str:
    if phone.startswith("0"):
        area = 3 if phone[:3] in ("010", "020", "021", "027", "028") else 4
        return rng.choice((phone, f"{phone[:area]}-{phone[area:]}"))
    return rng.choice((phone, phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"+86{phone}"))


def masked(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def write(world: World, folder: Path) -> None:
    """The three exports, their mappings in `config/platforms/` and the truth."""
    rng = world.rng
    orders: dict[str, list[dict]] = {p: [] for p in PLATFORMS}
    truth_orders = []
    by_trader: dict[str, list[Account]] = {}
    for account in world.accounts:
        by_trader.setdefault(account.trader, []).append(account)
    for account in world.accounts:
        siblings = [a for a in by_trader[account.trader] if a is not account]
        for _ in range(1 + min(60, int(rng.lognormvariate(1.5, 1.0)))):
            order_id = world.fresh(lambda: str(rng.randrange(10**15, 10**16)))
            to_self = siblings and rng.random() < 0.07
            if to_self:
                other = rng.choice(siblings)
                how = rng.random()  # < 0.4 a phone alone; < 0.7 name, phone, address; name, address
                name = other.registrant if other.kind != "company" else other.legal_name
                phone = rng.choice(other.phones) if other.phones and how < 0.7 else world.mobile()
                address = other.address if how >= 0.4 else rng.choice(world.buyers).home
                if how < 0.4:  # a nickname
                    name = world.name()
            else:
                buyer = rng.choice(world.buyers)
                name, phone, address = buyer.name, buyer.phones[0], buyer.home
                if rng.random() < 0.03:  # a buyer who ships to a cloud warehouse
                    address = rng.choice(world.warehouses)
            price = rng.choice((1990, 2990, 4900, 8800, 12800, 19900, 35900))
            quantity = rng.choices((1, 2, 3, 5), (70, 18, 8, 4))[0]
            day = pd.Timestamp("2023-01-01") + pd.Timedelta(seconds=rng.randrange(730 * 86400))
            orders[account.platform].append(
                {"id": order_id, "account": account, "name": name, "phone": phone,
                 "address": noted_address(world.messy, written_address(rng, address), name),
                 "fen": price * quantity,
                 "time": day, "title": f"{rng.choice(TRADES)} 款{rng.randrange(1, 40)}"}
            )  # fmt: skip
            truth_orders.append((account.platform, order_id, int(bool(to_self))))
    for order in supply_orders(world, by_trader):
        orders[order["account"].platform].append(order)
        truth_orders.append((order["account"].platform, order["id"], 0))
    _write_alpha(rng, world.messy, orders["alpha"], folder / "alpha.csv")
    _write_beta(rng, world, orders["beta"], folder / "beta.xlsx")
    _write_gamma(rng, world.messy, orders["gamma"], folder / "gamma.jsonl")
    platforms = folder / "config" / "platforms"
    platforms.mkdir(parents=True, exist_ok=True)
    for name, text in MAPPINGS.items():
        (platforms / f"{name}.yaml").write_text(text, encoding="utf-8")
    (folder / "truth").mkdir(exist_ok=True)
    pd.DataFrame(
        [
            (a.platform, a.key, a.trader, a.role, a.tie, ";".join(a.patterns))
            for a in world.accounts
        ],
        columns=["platform", "account_key", "trader_id", "role", "tie", "patterns"],
    ).to_csv(folder / "truth" / "accounts.csv", index=False)
    pd.DataFrame(truth_orders, columns=["platform", "order_id", "self_purchase"]).to_csv(
        folder / "truth" / "orders.csv", index=False
    )


def supply_orders(world: World, by_trader: dict[str, list[Account]]) -> list[dict]:
    """`--supply`: traders who buy their stock from other traders of the case. A supplier's
    store ships to the retailer's owner by name, at one of his phones and his business
    address, a few times: orders to another trader's people that are no self-purchase."""
    rng = world.supply
    if rng is None:
        return []
    traders = sorted(by_trader)
    found = []
    for supplier in rng.sample(traders, max(1, len(traders) // 50)):
        for retailer in rng.sample(traders, rng.randrange(2, 13)):
            if retailer == supplier:
                continue
            store = rng.choice(by_trader[supplier])
            owner, shop = world.owners.get(retailer), by_trader[retailer][0]
            name = owner.name if owner else shop.registrant  # a family's trader has no owner
            phones = owner.phones if owner else shop.phones
            for _ in range(rng.choice((1, 1, 2, 3, 5))):
                order_id = world.fresh(lambda: str(rng.randrange(10**15, 10**16)))
                day = pd.Timestamp("2023-01-01") + pd.Timedelta(seconds=rng.randrange(730 * 86400))
                found.append(
                    {"id": order_id, "account": store, "name": name,
                     "phone": rng.choice(phones),
                     "address": written_address(rng, shop.address),
                     "fen": rng.choice((1990, 2990, 4900, 8800)) * rng.choice((10, 20, 50)),
                     "time": day, "title": f"{rng.choice(TRADES)} 批发 款{rng.randrange(1, 40)}"}
                )  # fmt: skip
    return found


# -- cells typed by hand (`--messy`) -------------------------------------------------------
ID_LABELS = ("身份证：", "身份证号:", "证件号码 ", "身份证号码：")
USCC_LABELS = ("统一社会信用代码：", "信用代码:", "统一社会信用代码 ")
PHONE_NOTES = ("（微信同号）", "(同微信)", "（工作时间联系）", "(店主)")
REGISTRANT_NOTES = ("（店主）", "(经营者)", "（本人）")
DELIVERY_NOTES = ("（放快递柜）", "(电话联系)", "（{name}收）", "（代收点）")


class Messy:
    """Whether (and how) a cell is typed by hand. An account's registration is written one way on
    every row that shows it: the draw depends on the account and the value (and the seed), not
    on the row; a recipient's address is typed afresh on each order."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.orders = random.Random(seed + 104_729)

    def draw(self, cell: str, chance: float) -> random.Random | None:
        rng = random.Random(f"{self.seed}:{cell}")
        return rng if rng.random() < chance else None


def labelled_id(messy: Messy | None, account: Account, value: str, company: bool) -> str:
    rng = messy.draw(f"{account.key}:{value}", 0.15) if messy and value else None
    return rng.choice(USCC_LABELS if company else ID_LABELS) + value if rng else value


def noted(
    messy: Messy | None,
    account: Account,
    value: str,
    written: str,
    notes: tuple[str, ...],
    chance: float,
) -> str:
    """`written` (how `value` of `account` is written on this row) with a note after it."""
    rng = messy.draw(f"{account.key}:{value}", chance) if messy and value else None
    return written + rng.choice(notes) if rng else written


def noted_address(messy: Messy | None, address: str, name: str) -> str:
    if messy is None or messy.orders.random() >= 0.05:
        return address
    return address + messy.orders.choice(DELIVERY_NOTES).format(name=name)


def given_name_first(messy: Messy | None, account: Account) -> str:
    """A person's name in pinyin, given name first, as a form in Latin letters asks for it."""
    name = account.registrant
    if messy is None or account.kind == "company" or not messy.draw(account.key, 0.05):
        return name
    return "".join(lazy_pinyin(name[1:])).title() + " " + lazy_pinyin(name[0])[0].title()


def _shown_name(rng: random.Random, name: str) -> str:
    """A registrant as an export writes it now and then: in traditional characters."""
    return _T2S.convert(name) if rng.random() < 0.04 else name


KIND_WORDS = {
    "alpha": {"person": "个人", "individual_business": "个体", "company": "公司"},
    "beta": {"person": "自然人", "individual_business": "个体户", "company": "企业"},
    "gamma": {"person": "person", "individual_business": "ib", "company": "corp"},
}


def _write_alpha(rng: random.Random, messy: Messy | None, orders: list[dict], path: Path) -> None:
    rows = []
    for order in orders:
        a: Account = order["account"]
        bank = rng.choice(a.banks) if a.banks else ""
        registrant = _shown_name(rng, a.registrant)
        if a.kind == "person":
            registrant = noted(messy, a, a.registrant, registrant, REGISTRANT_NOTES, 0.05)
        phones = [noted(messy, a, p, written_phone(rng, p), PHONE_NOTES, 0.08) for p in a.phones]
        rows.append(
            [order["id"], a.key, a.store, registrant, KIND_WORDS["alpha"][a.kind],
             labelled_id(messy, a, a.registrant_id, a.kind == "company"), a.legal_name,
             labelled_id(messy, a, a.legal_id, False), "/".join(phones),
             written_address(rng, a.address),
             rng.choice((bank, f"{rng.choice(BANK_NAMES)} {bank}")) if bank else "",
             noted(messy, a, a.alipay, a.alipay, (f"（{a.registrant}）", "(本人)"), 0.08),
             order["title"], f"{order['fen'] // 100}.{order['fen'] % 100:02d}",
             order["time"].strftime("%Y-%m-%d %H:%M:%S"), order["name"], order["phone"],
             order["address"]]
        )  # fmt: skip
    pd.DataFrame(rows, columns=ALPHA_COLUMNS).to_csv(path, index=False, encoding="utf-8")


def _write_beta(rng: random.Random, world: World, orders: list[dict], path: Path) -> None:
    stores = [a for a in world.accounts if a.platform == "beta"]
    store_rows = []
    for a in stores:
        phones = [masked(p, 3, 4) for p in a.phones] + ["", ""]
        alipay = a.alipay
        if "@" in alipay:
            alipay = alipay[:2] + "***" + alipay[alipay.index("@") :]
        elif alipay:
            alipay = masked(alipay, 3, 4)
        store_rows.append(
            {"店铺编码": a.key, "店铺名": a.store, "注册人": a.registrant,
             "注册类型": KIND_WORDS["beta"][a.kind], "注册证件": masked(a.registrant_id, 6, 4),
             "法人": a.legal_name, "法人证件": masked(a.legal_id, 6, 4) if a.legal_id else "",
             "联系人": (a.legal_name or a.registrant) if rng.random() < 0.5 else "",
             "电话1": phones[0], "电话2": phones[1], "经营地址": written_address(rng, a.address),
             "结算卡号": masked(a.banks[0], 6, 4) if a.banks else "", "支付账号": alipay}
        )  # fmt: skip
    order_rows = [
        {"订单编码": o["id"], "店铺编码": o["account"].key, "商品": o["title"],
         "实付": f"{o['fen'] / 100:.2f}", "支付时间": o["time"].strftime("%Y/%m/%d %H:%M"),
         "收货人": o["name"][0] + "*" * (len(o["name"]) - 1), "收货电话": masked(o["phone"], 3, 4),
         "收货地址": o["address"]}
        for o in orders
    ]  # fmt: skip
    with pd.ExcelWriter(path, engine="xlsxwriter") as excel:
        pd.DataFrame(store_rows).to_excel(excel, sheet_name="店铺", index=False)
        pd.DataFrame(order_rows).to_excel(excel, sheet_name="订单", index=False)


def _write_gamma(rng: random.Random, messy: Messy | None, orders: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for order in orders:
            a: Account = order["account"]
            province, city, district, _, _ = DIVISIONS[a.address[0]]
            line = written_address(rng, a.address)
            region = province + city + district if province != city else city + district
            store = {
                "sid": a.key, "title": a.store,
                "owner": {"name": given_name_first(messy, a),
                          "type": KIND_WORDS["gamma"][a.kind],
                          "cert": labelled_id(messy, a, a.registrant_id, a.kind == "company")},
                "legal": {"name": a.legal_name or None, "cert": a.legal_id or None},
                "tels": [noted(messy, a, p, written_phone(rng, p), PHONE_NOTES, 0.08)
                         for p in a.phones],
                "addr": {"region": region, "line": line[line.index(district) + len(district):]},
                "pay": {"bank": a.banks, "alipay": a.alipay or None},
            }  # fmt: skip
            record = {
                "oid": order["id"], "ts": int(order["time"].timestamp()) - 8 * 3600,
                "store": store, "goods": [{"name": order["title"]}], "total_fen": order["fen"],
                "to": {"name": order["name"], "tel": order["phone"], "addr": order["address"]},
            }  # fmt: skip
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def world_folder(traders: int, seed: int, messy: bool = False, supply: bool = False) -> Path:
    kind = ("-messy" if messy else "") + ("-supply" if supply else "")
    folder = OUT / f"world2{kind}-{traders}-{seed}"
    if not (folder / "truth" / "accounts.csv").exists():
        folder.mkdir(parents=True, exist_ok=True)
        write(World(traders, seed, messy, supply), folder)
    return folder


def main() -> None:
    parser = arguments(__doc__, traders=2000, seed=5)
    parser.add_argument("--messy", action="store_true", help="cells typed by hand now and then")
    parser.add_argument(
        "--supply", action="store_true", help="traders who buy their stock from others"
    )
    parser.add_argument("--why", action="store_true", help="list what was missed or merged")
    args = parser.parse_args()
    data = world_folder(args.traders, args.seed, args.messy, args.supply)
    files = [data / "alpha.csv", data / "beta.xlsx", data / "gamma.jsonl"]
    kind = " (messy)" if args.messy else ""
    kind += " (supply)" if args.supply else ""
    label = f"second world{kind} of {args.traders:,} traders, "
    label += f"seed {args.seed}"
    report_quality(label, data, files, Config(data / "config"), why=args.why)


if __name__ == "__main__":
    main()
