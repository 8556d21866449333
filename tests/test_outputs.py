"""What a Chinese court, a lawyer and Excel receive: the report in Chinese and English in a real
headless Chromium at desktop and phone widths, printed to PDF, the workbook as Excel reads it,
CSV for Excel, explanations in plain words, progress and JSON summaries, and the Neo4j Browser
side of the query library."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from resolver import report, workflows
from resolver.case import Case
from resolver.case.orders import PURCHASE_WAYS
from resolver.charts import Edge, Node, network_chart
from resolver.cli import app
from resolver.config import DEFAULTS, Config
from resolver.graph.guide import guide_html, serve
from resolver.graph.library import load_queries
from resolver.i18n import LOCALES, display_width, probability_text, words
from resolver.reasons import purchase_words
from resolver.reporting.html import render

runner = CliRunner()
SCREENSHOTS = os.environ.get("RESOLVER_SCREENSHOTS")  # keep the screenshots here, if set


# -- words --------------------------------------------------------------------------------------------
def test_every_text_is_in_both_languages() -> None:
    """English and Chinese say the same things; only Chinese needs words for the English names
    of levels, columns and sheets (English shows the names themselves) and for kinds of ties
    and identifiers (English takes them from resolver.vocabulary)."""
    en = yaml.safe_load((LOCALES / "en.yaml").read_text(encoding="utf-8"))
    zh = yaml.safe_load((LOCALES / "zh.yaml").read_text(encoding="utf-8"))
    chinese_only = {k for k in zh if k.startswith(("level_", "col_", "sheet_", "tie_", "noun_"))}
    assert set(en) - set(zh) == set()
    assert set(zh) - set(en) <= chinese_only
    for key, text in en.items():  # the same placeholders to fill
        assert sorted(_placeholders(text)) == sorted(_placeholders(zh[key])), key


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_way_a_self_purchase_is_found_is_said_in_each_language(lang) -> None:
    t = words(lang)
    assert all(t["purchase_" + way] for way in PURCHASE_WAYS)
    assert purchase_words(["registered_phone", "masked_fit"], t).count(t.ways_sep) == 1


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(str(text)) if name]


@pytest.mark.parametrize(
    ("probability", "shown"),
    [(1.0, "> 0.9999"), (0.9999996, "> 0.9999"), (0.99995, "> 0.9999"), (0.99989, "0.9999"),
     (0.8888889, "0.8889"), (0.00001, "< 0.0001"), (0.0, "0.0000")],
)  # fmt: skip
def test_a_probability_never_rounds_up_to_certainty(probability, shown) -> None:
    assert probability_text(probability) == shown


def test_an_unknown_language_is_refused(linked_case) -> None:
    with Case.open(linked_case) as case, pytest.raises(Exception, match="zh or en"):
        report(case, None, lang="fr")


# -- one network's report in every form ------------------------------------------------------------------
@pytest.fixture(scope="module")
def reported(linked_case: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The network with the most links: its report as HTML (zh, en), PDF (zh, en) and XLSX
    (zh), written by `resolver report`."""
    folder = tmp_path_factory.mktemp("reports")
    with Case.open(linked_case) as case:
        everything = report(case, None)
        network = max(everything.networks, key=lambda n: (len(n.links), n.network_id))
        trader = network.traders[0]
        written = {lang: report(case, trader, lang=lang) for lang in ("zh", "en")}
    files = {}
    for lang, suffix in (("zh", "html"), ("en", "html"), ("zh", "xlsx")):
        files[(lang, suffix)] = folder / f"{lang}.{suffix}"
        done = runner.invoke(app, ["report", trader, "--out", str(files[(lang, suffix)]),
                                   "--lang", lang, "--case", str(linked_case)])  # fmt: skip
        assert done.exit_code == 0, done.output
    return {"trader": trader, "report": written, "files": files, "folder": folder,
            "case": linked_case}  # fmt: skip


def _pdf(reported: dict, lang: str) -> Path:
    """The report printed to PDF by `resolver report --out X.pdf` (needs Chromium)."""
    from conftest import browser_paths

    browser_paths()
    out = reported["folder"] / f"{lang}.pdf"
    if not out.exists():
        done = runner.invoke(app, ["report", reported["trader"], "--out", str(out), "--lang",
                                   lang, "--case", str(reported["case"])])  # fmt: skip
        assert done.exit_code == 0, done.output
    return out


def test_the_page_declares_its_language_and_names_its_fonts(reported) -> None:
    zh = reported["files"][("zh", "html")].read_text(encoding="utf-8")
    en = reported["files"][("en", "html")].read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    for page in (zh, en):
        assert '"Noto Sans CJK SC"' in page and '"Microsoft YaHei"' in page
        assert "@media print" in page and "details::details-content" in page
    for heading in ("证据报告", "赔偿计算方案", "法律依据", "销售情况", "关联网络图",
                    "账户及其关联依据", "关联说明与匹配权重", "披露文件"):  # fmt: skip
        assert heading in zh, heading
    assert "Evidence report" in en and "证据报告" not in en


def test_how_each_self_purchase_was_found_is_said_in_the_reports_language(reported) -> None:
    """Stored as ways (`PURCHASE_WAYS`), said in words: a Chinese report says them in Chinese,
    on the page and in the workbook."""
    said = {lang: reported["report"][lang].networks[0].self_purchases["evidence"].tolist()
            for lang in ("zh", "en")}  # fmt: skip
    assert said["zh"] and len(said["zh"]) == len(said["en"])
    for lang, texts in said.items():
        t = words(lang)
        worded = {t["purchase_" + way] for way in PURCHASE_WAYS}
        assert all(set(text.split(t.ways_sep)) <= worded for text in texts), texts
    assert not any(re.search("[A-Za-z]", text) for text in said["zh"])
    page = reported["files"][("zh", "html")].read_text(encoding="utf-8")
    assert all(text in page for text in said["zh"])
    book = load_workbook(reported["files"][("zh", "xlsx")], read_only=True)
    sheet = next(name for name in book.sheetnames if "自买" in name)
    rows = list(book[sheet].iter_rows(values_only=True))
    assert {row[-1] for row in rows[1:]} == set(said["zh"])


def test_placeholder_margins_are_marked_to_be_proven_everywhere(reported) -> None:
    scenarios = Config().damages.scenarios
    unproven = sum(s.to_be_proven for s in scenarios)
    assert unproven == 2
    zh = reported["files"][("zh", "html")].read_text(encoding="utf-8")
    en = reported["files"][("en", "html")].read_text(encoding="utf-8")
    # once in the list of scenarios, once beside each unproven figure of the one network
    assert zh.count('<span class="proof">待证明</span>') == 2 * unproven
    assert en.count('<span class="proof">to be proven</span>') == 2 * unproven
    book = load_workbook(reported["files"][("zh", "xlsx")], read_only=True)
    rows = list(book["赔偿数额"].iter_rows(values_only=True))
    statuses = [row[rows[0].index("状态")] for row in rows[1:]]
    assert (
        statuses.count("待证明") == unproven and statuses.count(None) == len(scenarios) - unproven
    )
    network = reported["report"]["zh"].networks[0]
    assert [d.to_be_proven for d in network.damages] == [s.to_be_proven for s in scenarios]
    assert "人民币" in network.damages[0].formula and "利润率 30%" in network.damages[0].formula


def test_report_in_chromium_at_desktop_and_phone_widths(reported, chrome) -> None:
    """No console message; the page never scrolls sideways and the network picture fits the
    window (it scales); no two labels of a network picture overlap; Chinese text is drawn with
    a Simplified Chinese font (not boxes, not a Japanese font), in either language."""
    for lang in ("zh", "en"):
        page = reported["files"][(lang, "html")]
        for width in (1400, 390):
            chrome.set_window_size(width, 1000)
            chrome.get("about:blank")  # a file page opened from itself is a security message
            chrome.get_log("browser")
            chrome.get(page.resolve().as_uri())
            assert chrome.get_log("browser") == []
            view = chrome.execute_script("return document.documentElement.clientWidth")
            assert chrome.execute_script("return document.documentElement.scrollWidth") <= view
            pictures = chrome.execute_script(
                "return [...document.querySelectorAll('svg.network')]"
                ".map(s => s.getBoundingClientRect().width)"
            )
            assert pictures and max(pictures) <= view
            shot = reported["folder"] / f"report-{lang}-{width}.png"
            chrome.save_screenshot(str(shot))
            assert shot.stat().st_size > 10_000
            if SCREENSHOTS:
                shutil.copy(shot, Path(SCREENSHOTS) / shot.name)
        assert _overlapping_labels(chrome) == []
        assert _fonts_of(chrome, "td") <= CHINESE_FONTS


CHINESE_FONTS = {"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "PingFang SC",
                 "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei",
                 "WenQuanYi Zen Hei"}  # fmt: skip


def _overlapping_labels(chrome) -> list:
    """Pairs of text boxes of one network picture that overlap (measured by the browser)."""
    return chrome.execute_script(
        """
        const found = [];
        for (const svg of document.querySelectorAll('svg.network')) {
          const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()]);
          for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [a, p] = boxes[i], [b, q] = boxes[j];
            if (p.x < q.x + q.width - 0.5 && q.x < p.x + p.width - 0.5 &&
                p.y < q.y + q.height - 0.5 && q.y < p.y + p.height - 0.5) found.push([a, b]);
          }
        }
        return found;
        """
    )


def _fonts_of(chrome, tag: str) -> set[str]:
    """The fonts Chromium drew the first `tag` of only Chinese text with (DevTools' platform
    fonts: what really drew the glyphs)."""
    from selenium.common.exceptions import WebDriverException

    found = chrome.execute_script(
        "const e = [...document.querySelectorAll(arguments[0])]"
        ".find(e => /^[\u4e00-\u9fff]+$/.test(e.textContent.trim()));"
        "if (e) e.setAttribute('data-font-probe', ''); return Boolean(e);",
        tag,
    )
    assert found, f"no {tag} holds only Chinese text"
    chrome.execute_cdp_cmd("DOM.enable", {})
    chrome.execute_cdp_cmd("CSS.enable", {})
    for attempt in range(3):  # node ids last until the inspector renews the document
        try:
            root = chrome.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
            node = chrome.execute_cdp_cmd(
                "DOM.querySelector", {"nodeId": root, "selector": "[data-font-probe]"}
            )["nodeId"]
            fonts = chrome.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})
            break
        except WebDriverException:
            if attempt == 2:
                raise
    assert fonts["fonts"]
    return {font["familyName"] for font in fonts["fonts"] if font["glyphCount"]}


def require_fonts(wanted: set[str], package: str) -> None:
    """One of the `wanted` font families installed, or (CI) a failure, or a skip saying which
    package brings one."""
    listing = shutil.which("fc-list")
    found = subprocess.run([listing, ":lang=zh", "family"], capture_output=True, text=True,
                           check=False).stdout if listing else ""  # fmt: skip
    if not any(name in found for name in wanted):
        if os.environ.get("RESOLVER_REQUIRE_BROWSER"):
            pytest.fail(f"no such Chinese font installed: apt-get install {package}")
        pytest.skip(f"no such Chinese font installed (apt-get install {package})")


def test_chinese_fonts_are_installed_where_required() -> None:
    """The glyph check above needs a Chinese font on the machine (CI installs
    fonts-noto-cjk); say so plainly where one is missing."""
    require_fonts(CHINESE_FONTS, "fonts-noto-cjk")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printed_pdf_has_every_section_and_marks_every_page(reported, lang) -> None:
    """Read back as any reader (and a search) reads it: Chinese as written, needing a
    TrueType-outline Chinese font for print (CI installs WenQuanYi)."""
    require_fonts(
        {"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei"}, "fonts-wqy-microhei"
    )
    out = _pdf(reported, lang)
    written = reported["report"][lang]
    network = written.networks[0]
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(pages) > 2
    text = "\n".join(pages)
    flat = "".join(text.split())
    t = words(lang)
    ids = set()
    for number, page in enumerate(pages, start=1):  # id, sha256 and the page on every page
        compact = "".join(page.split())
        ids |= set(re.findall(r"RPT-\d{8}-\d{6}-" + written.content_sha256[:8], compact))
        assert written.content_sha256 in compact
        marker = f"{t.page_before}{number}{t.page_of}{len(pages)}{t.page_after}"
        assert "".join(marker.split()) in compact
    assert len(ids) == 1  # the one id of the printed report, on every page
    for heading in ("damages_scenarios", "sales_heading", "the_network", "accounts_heading",
                    "links_heading", "by_dimension_heading", "network_sources_heading",
                    "disclosures"):  # fmt: skip
        assert "".join(t[heading].split()) in flat, heading
    for key in network.orders["key"]:  # the order list, collapsed on screen, is all there
        assert key in flat
    assert flat.count("".join(t.chart_link.split())) >= len(network.links) > 0  # every chart
    assert "".join(t.to_be_proven.split()) in flat
    if lang == "zh":  # searchable Chinese: ideographs, not radicals that look alike
        assert "中华人民共和国商标法" in flat and "⼈" not in flat
    assert out.stat().st_mode & 0o077 == 0


def test_pdf_without_a_browser_says_how_to_get_one(linked_case, tmp_path, monkeypatch) -> None:
    out = tmp_path / "r.pdf"
    arguments = ["report", "--all", "--out", str(out), "--case", str(linked_case)]
    monkeypatch.setenv("RESOLVER_BROWSER", "no-such-browser-here")
    named = runner.invoke(app, arguments)
    assert named.exit_code == 2 and "RESOLVER_BROWSER=no-such-browser-here" in named.output
    monkeypatch.delenv("RESOLVER_BROWSER")
    monkeypatch.setenv("PATH", str(tmp_path))
    none = runner.invoke(app, arguments)
    assert none.exit_code == 2 and "apt-get install chromium" in none.output
    assert not out.exists() and not list(tmp_path.glob(".*"))


def test_workbook_as_excel_reads_it(reported) -> None:
    path = reported["files"][("zh", "xlsx")]
    written = reported["report"]["zh"]
    book = load_workbook(path)
    assert (
        book.sheetnames[:4] == ["封面", "关联网络", "赔偿数额", "合计"]
        and "订单" in book.sheetnames
    )
    facts = {row[0]: row[1] for row in book["封面"].iter_rows(values_only=True) if row[0]}
    assert facts["报告 sha256（报告全部内容的哈希值）"] == written.content_sha256  # same contents
    assert facts["报告编号"].endswith(written.content_sha256[:8])
    orders = book["订单"]
    header = [cell.value for cell in orders[1]]
    paid = header.index("付款时间（北京时间）") + 1
    cells = [row[paid - 1] for row in orders.iter_rows(min_row=2)]
    assert cells and all(c.is_date and c.number_format == "yyyy-mm-dd hh:mm:ss" for c in cells)
    first = written.networks[0].orders.sort_values("key")
    shown = {row[header.index("订单号")]: row[paid - 1]
             for row in orders.iter_rows(min_row=2, values_only=True)}  # fmt: skip
    for key, paid_at in zip(first["order_id"], first["paid_at"], strict=True):
        assert shown[key].isoformat() == paid_at  # Beijing time, as disclosed
    disclosures = book["披露文件"]
    ingested = [c.value for c in disclosures[1]].index("导入时间（北京时间）")
    assert all(row[ingested].is_date for row in disclosures.iter_rows(min_row=2))
    for sheet in book.worksheets:  # landscape A4, fitted to the width, header on every page
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default)
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        assert facts["报告编号"] in sheet.oddFooter.left.text
        if sheet.title != "封面":
            assert sheet.print_title_rows.replace("$", "") == "1:1"
    widths = {c: orders.column_dimensions[c].width for c in orders.column_dimensions}
    products = header.index("商品")
    letter = orders.cell(row=1, column=products + 1).column_letter
    longest = max(display_width(str(row[products] or ""))
                  for row in orders.iter_rows(min_row=2, values_only=True))  # fmt: skip
    assert widths[letter] >= min(60, longest + 2)  # a Chinese character counts twice
    account = orders.cell(row=1, column=header.index("账户") + 1).column_letter
    assert widths[account] >= max(len(a) for a in first["account_id"])


def test_csv_for_excel_carries_a_byte_order_mark(linked_case, tmp_path) -> None:
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    base = ["export", "traders", "--format", "csv", "--case", str(linked_case)]
    assert runner.invoke(app, [*base, "--out", str(plain)]).exit_code == 0
    assert runner.invoke(app, [*base, "--excel", "--out", str(excel)]).exit_code == 0
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert raw[3:] == plain.read_bytes() and b"\r\n" in raw
    assert any("\u4e00" <= c <= "\u9fff" for c in raw.decode("utf-8-sig"))


# -- explanations in plain words ---------------------------------------------------------------------
def test_explain_says_what_two_accounts_share_as_disclosed_and_where(linked_case) -> None:
    with Case.open(linked_case) as case:
        pair = case.db.execute(
            "SELECT account_a, account_b FROM links WHERE control_evidence LIKE '%\"phones\"%' "
            "OR control_evidence LIKE '%\"bank_accounts\"%' ORDER BY account_a LIMIT 1"
        ).fetchone()
        explained = {lang: workflows.explain(case, *pair, lang=lang) for lang in ("zh", "en")}
        disclosed = case.records.disclosed_values(list(pair))
    tie = next(t for t in explained["en"].ties if t.kind in ("phones", "bank_accounts"))
    held = disclosed[(disclosed["kind"] == tie.kind) & (disclosed["value"] == tie.value)]
    raw, file, row = held.iloc[0][["raw", "source_file", "source_row"]]
    from resolver.linkage.explain import as_html, as_text

    for lang, said in (("en", "in common"), ("zh", "相同")):
        text = as_text(explained[lang])
        line = next(r.text for r in explained[lang].reasons if r.side == "for" and raw in r.text)
        assert said in line and file in line and f"{int(row):,}" in line
        for account in pair:
            assert f"{account}" in line
        assert probability_text(explained[lang].probability) in text
        page = as_html(explained[lang])
        assert raw in page and "<script" not in page
    assert "In plain words" in as_text(explained["en"]) and "文字说明" in as_text(explained["zh"])


def test_explain_says_what_speaks_against(linked_case) -> None:
    with Case.open(linked_case) as case:
        a, b = (row[0] for row in case.db.execute(  # the first accounts of two traders
            "SELECT min(account_id) FROM trader_accounts GROUP BY trader_id ORDER BY 1 LIMIT 2"
        ).fetchall())  # fmt: skip
        why = workflows.explain(case, a, b, lang="en")
        names = case.records.disclosed_values([a, b])
    against = [r.text for r in why.reasons if r.side == "against"]
    assert against and any(step.weight < 0 for step in why.steps)
    named = names[names["kind"] == "names"]
    if "registrant's name: different" in " ".join(against):
        assert all(name in " ".join(against) for name in named["raw"].head(1))


# -- the network picture ----------------------------------------------------------------------------
def test_network_picture_scales_and_draws_each_kind_of_link_apart() -> None:
    nodes = [Node(f"a{i}", [f"taobao:{1000 + i}", "王伟"], "TR000001" if i < 3 else "TR000002",
                  True) for i in range(6)]  # fmt: skip
    nodes.append(Node("phones:1", ["手机号码", "13800000000"], "phone", False))
    edges = [Edge("a0", "a1", "> 0.9999", "kept"), Edge("a2", "a3", "0.9600", "apart"),
             Edge("a4", "a5", "0.4000", "weak")]  # fmt: skip
    ties = [("a0", "phones:1"), ("a3", "phones:1")]
    legend = {"kept": "kept", "apart": "kept apart", "weak": "too weak"}
    svg = network_chart(nodes, ties, edges, legend, "{count}")
    assert 'viewBox="0 0 960 ' in svg
    for kind, label in (("kept", "&gt; 0.9999"), ("apart", "0.9600"), ("weak", "0.4000")):
        assert f'class="link {kind}"' in svg and label in svg
    assert 'stroke-dasharray="7 4"' in svg and "…" not in svg  # no label cut short
    assert "taobao:1005" in svg and "13800000000" in svg


# -- progress and summaries for scripts -------------------------------------------------------------
def test_long_work_reports_its_progress_with_counts(linked_case, tmp_path) -> None:
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    heard: list[tuple] = []

    def record(step: str, done: int | None = None, total: int | None = None) -> None:
        heard.append((step, done, total))

    with Case.open(folder) as case:
        workflows.train(case, steps=record)
        workflows.report(case, None, tmp_path / "all.html", progress=record)
        workflows.report(case, None, tmp_path / "all.xlsx", progress=record)
    last = {step: (done, total) for step, done, total in heard}
    rules = len(Config().matching.blocking)
    assert last["counting candidate pairs per blocking rule"] == (rules, rules)
    assert any(step.startswith("scoring ") for step, _, _ in heard)
    done, total = last["graph: orders"]
    assert done == total > 0
    networks = last["laying out the networks"]
    assert networks[0] == networks[1] > 0
    assert last["sheet 订单"][0] == last["sheet 订单"][1] > 0


def test_json_summaries_and_quiet_runs(demo_files, tmp_path) -> None:
    case = str(tmp_path / "case")
    ingested = runner.invoke(app, ["ingest", *map(str, demo_files[:2]), "--case", case,
                                   "--json", "--quiet"])  # fmt: skip
    assert ingested.exit_code == 0, ingested.output
    files = json.loads(ingested.stdout)["files"]
    assert [f["status"] for f in files] == ["ingested", "ingested"]
    matched = runner.invoke(app, ["match", *map(str, demo_files[2:]), "--case", case, "--json",
                                  "--no-graph"])  # fmt: skip
    assert matched.exit_code == 0, matched.output
    summary = json.loads(matched.stdout)
    assert summary["link"]["traders"] > 0 and len(summary["files"]) == 2
    assert summary["graph"] is None
    status = json.loads(runner.invoke(app, ["status", "--case", case, "--json"]).stdout)
    assert status["counts"]["traders"] == summary["link"]["traders"]
    assert len(status["disclosures"]) == 4


# -- Neo4j Browser ----------------------------------------------------------------------------------
def test_browser_guide_walks_through_the_library() -> None:
    page = guide_html()
    queries = load_queries()
    assert page.count("<slide ") == len(queries) + 2
    assert page.count("class='pre-scrollable code runnable'") == len(queries)
    for query in queries.values():
        assert query.purpose.replace("'", "&#x27;") in page
        for line in query.browser_params:
            assert html.escape(line) in page
    assert "<script" not in page


def test_guide_is_served_on_loopback_to_neo4j_browser() -> None:
    server = serve(0)
    try:
        assert server.server.server_address[0] == "127.0.0.1"
        assert server.command.startswith(":guide http://localhost:")
        port = server.server.server_address[1]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/resolver-guide.html")
        answer = connection.getresponse()
        assert answer.status == 200 and answer.getheader("Access-Control-Allow-Origin") == "*"
        assert b"<carousel" in answer.read()
        connection.request("GET", "/../case.duckdb")
        assert connection.getresponse().status == 404
    finally:
        server.stop()


def test_guide_command_writes_the_guide(tmp_path) -> None:
    out = tmp_path / "guide.html"
    done = runner.invoke(app, ["guide", "--out", str(out)])
    assert done.exit_code == 0 and out.read_text(encoding="utf-8") == guide_html()
    assert runner.invoke(app, ["guide"]).exit_code == 2


def test_shipped_report_config_is_chinese() -> None:
    assert Config().report.lang == "zh" and (DEFAULTS / "report.yaml").is_file()


def test_html_lists_plain_reasons_for_every_link(reported) -> None:
    written = reported["report"]["zh"]
    page = render(written)
    for network in written.networks:
        for link in network.links:
            assert link.reasons, (link.account_a, link.account_b)
            for reason in link.reasons:
                assert reason.text.replace("&", "&amp;") in page or reason.text in page


def test_readme_shows_a_page_of_the_chinese_report() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    image = Path(__file__).resolve().parent.parent / "docs" / "report-zh.png"
    assert "](docs/report-zh.png)" in readme
    assert image.read_bytes().startswith(b"\x89PNG")


def test_the_report_sha256_is_its_contents(linked_case) -> None:
    """Asked the same, the same case gives the same sha256 (whenever it is made); asked
    otherwise, another."""
    with Case.open(linked_case) as case:
        first, again = report(case, None, lang="en"), report(case, None, lang="en")
        counted = report(case, None, lang="en", include_self_purchases=True)
    assert len(first.content_sha256) == 64
    assert first.content_sha256 == again.content_sha256 != counted.content_sha256
    assert first.report_id.endswith(first.content_sha256[:8])
