"""Shared fixtures: one small demo world, generated once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

from resolver.case import Case
from resolver.config import Config
from resolver.demo import disclosure_files, generate
from resolver.graph.model import NODES, RELATIONSHIPS
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link

# CI runs the property tests on a fixed sequence of examples, so that a landing never fails on
# an example no earlier run could have tried; runs elsewhere explore anew each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, traders=60, seed=11)
    return folder


@pytest.fixture(scope="session")
def hard_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo as hard as held-out disclosures (`resolver demo --hard`)."""
    folder = tmp_path_factory.mktemp("hard-demo")
    generate(folder, traders=150, seed=21, hard=True)
    return folder


@pytest.fixture(scope="session")
def demo_files(demo_dir: Path) -> list[Path]:
    """The demo disclosures in name order: douyin, jd, taobao 2023, taobao 2024."""
    return disclosure_files(demo_dir)


@pytest.fixture(scope="session")
def ingested_case(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("case") / "matter"
    with Case.open(folder) as case:
        ingest(case, disclosure_files(demo_dir))
    return folder


@pytest.fixture(scope="session")
def linked_case(ingested_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo case, linked into traders (tests only read it: copy it to change it)."""
    folder = tmp_path_factory.mktemp("linked") / "case"
    shutil.copytree(ingested_case, folder)
    with Case.open(folder) as case:
        link(case, Config().matching)
    return folder


TAOBAO_COLUMNS = {  # canonical field -> taobao header, with a default value
    "order_id": ("订单编号", None), "account_key": ("店铺ID", None),
    "store_name": ("店铺名称", "某某小店"), "alias": ("卖家昵称", ""),
    "registrant_name": ("开店人姓名", ""), "kind": ("主体类型", "个人"),
    "id_number": ("证件号码", ""), "legal_representative": ("法定代表人", ""),
    "legal_representative_id": ("法人证件号", ""), "phones": ("联系电话", ""),
    "address": ("经营地址", ""), "bank": ("结算账户", ""), "alipay": ("支付宝账号", ""), "title": ("商品标题", "运动鞋"), "price": ("单价", "10.00"),
    "quantity": ("数量", "1"), "discount": ("优惠金额", "0"), "amount": ("实付金额", "10.00"),
    "paid_at": ("付款时间", "2023-05-01 10:00:00"), "recipient_name": ("收货人姓名", "王五"),
    "recipient_phone": ("收货人手机", "13900000000"),
    "recipient_address": ("收货地址", "北京市朝阳区建国路1号"),
}  # fmt: skip


@pytest.fixture
def taobao_file():
    """Write a taobao-shaped disclosure from a few rows: `taobao_file(path, rows)`."""
    return write_taobao


@pytest.fixture(scope="session")
def taobao_writer():
    """`taobao_file` for fixtures of wider scope."""
    return write_taobao


def write_taobao(path: Path, rows: list[dict]) -> Path:
    """A taobao-shaped disclosure (GBK CSV) from a few rows of canonical values."""
    import csv

    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _ in TAOBAO_COLUMNS.values()])
        for number, row in enumerate(rows, start=1):
            values = {"order_id": f"{path.stem}-{number}", **row}
            writer.writerow(
                [values.get(field, default) for field, (_, default) in TAOBAO_COLUMNS.items()]
            )
    return path


def browser_paths() -> tuple[str, str]:
    """Debian's Chromium and its driver: required where RESOLVER_REQUIRE_BROWSER is set (CI),
    else a test that needs them is skipped with the reason."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    if os.environ.get("RESOLVER_REQUIRE_BROWSER"):
        pytest.fail("RESOLVER_REQUIRE_BROWSER is set but chromium or chromedriver is missing")
    pytest.skip("needs Debian's `chromium` and `chromium-driver` (CI installs both)")


@pytest.fixture
def chrome():
    """Headless Chromium driven through Selenium, its console messages kept."""
    browser, driver_path = browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--force-device-scale-factor=1", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def empty_graph_frames() -> dict[str, pd.DataFrame]:
    """Every frame the graph model reads, with its columns and no row."""
    columns: dict[str, list[str]] = {}
    for spec in NODES:
        columns.setdefault(spec.frame, []).extend([spec.key, *spec.properties])
    for rel in RELATIONSHIPS:
        columns.setdefault(rel.frame, []).extend([rel.start[1], rel.end[1],
                                                  *rel.properties.values()])  # fmt: skip
    return {name: pd.DataFrame(columns=list(dict.fromkeys(c))) for name, c in columns.items()}
