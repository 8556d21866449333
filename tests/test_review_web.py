"""The review page in a real browser (Debian's Chromium, driven by Selenium): open the queue,
open a pair, judge it, reload, see the judgement; and the page answers no one without its token.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from resolver.case import Case
from resolver.web import start


@pytest.fixture
def served(linked_case: Path, tmp_path: Path):
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    with Case.open(folder) as case:
        server = start(case)
        try:
            yield case, server
        finally:
            server.stop()


def test_judge_a_pair_in_the_browser_and_see_it_after_a_reload(served, chrome) -> None:
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        WebDriverException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def shows(element_id: str, text: str) -> None:
        """Wait for the page a click leads to: until the element holds `text` (an element of
        the page being replaced may be gone, or, in Chromium 156, "not belong to the document")."""
        ignored = (NoSuchElementException, StaleElementReferenceException, WebDriverException)
        WebDriverWait(driver, 20, ignored_exceptions=ignored).until(
            lambda d: text in d.find_element(By.ID, element_id).text
        )

    case, server = served
    driver = chrome
    driver.get(server.url)
    assert driver.find_element(By.TAG_NAME, "h1").text == "What most needs a person"
    pair = driver.find_element(By.CSS_SELECTOR, "#queue a")
    a, b = (side.strip() for side in pair.text.split("—"))
    pair.click()
    shows("judgement", "Not judged yet.")
    sides = driver.find_elements(By.CSS_SELECTOR, ".sides h2")
    assert [s.text for s in sides] == [a, b]
    driver.find_element(By.ID, "reason").send_keys("two ID cards, two bank statements")
    driver.find_element(By.ID, "by").send_keys("王芳")
    driver.find_element(By.ID, "different").click()
    shows("message", "Recorded #1 different")
    driver.refresh()
    shows("judgement", "Judged different")
    shown = driver.find_element(By.ID, "judgement").text
    assert shown.startswith("Judged different by 王芳") and "two ID cards" in shown
    driver.find_element(By.ID, "retract").click()  # a verdict with no reason needs none
    shows("message", "Recorded #2 retracted")
    driver.find_element(By.ID, "same").click()  # same without a reason: refused, said why
    shows("message", "needs a reason")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    [first, second] = case.judgements.ledger()
    assert (first.verdict, first.author, first.reason) == (
        "different",
        "王芳",
        "two ID cards, two bank statements",
    )
    assert {first.account_a, first.account_b} == {a, b} and second.verdict == "retracted"
    assert server.judged == [f"Recorded {first.words}", f"Recorded {second.words}"]


def _status(url: str, host: str | None = None, path: str | None = None) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Host": host} if host else {}
    connection.request("GET", path or f"/?{parts.query}", headers=headers)
    return connection.getresponse().status


def test_the_page_answers_only_with_its_token_at_its_own_address(served) -> None:
    _, server = served
    assert urlsplit(server.url).hostname == "127.0.0.1"
    assert _status(server.url) == 200
    assert _status(server.url, path="/") == 403
    assert _status(server.url, path="/?token=guess") == 403
    assert _status(server.url, host="attacker.example:80") == 403  # a rebinding name


def test_review_web_serves_until_stopped_and_leaves_nothing_running(
    linked_case: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    process = subprocess.Popen(
        [sys.executable, "-m", "resolver", "review", "--web", "--case", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = ""
        while "token=" not in url:
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else ""
            url += line.strip()
        url = url[url.index("http://") :]
        assert _status(url) == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and "0 judgements recorded through the page" in out


def test_the_page_serves_one_part_of_the_queue_when_asked(linked_case: Path, tmp_path) -> None:
    """`resolver review --only leads --web`: the queue page lists the leads alone."""
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    with Case.open(folder) as case:
        leads = case.links.leads()
        server = start(case, limit=1000, only="leads")
        try:
            parts = urlsplit(server.url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            connection.request("GET", f"/?{parts.query}")
            page = connection.getresponse().read().decode()
        finally:
            server.stop()
    kinds = [row.split("</td>")[0] for row in page.split("<tr><td>")[1:]]
    assert len(leads) > 0 and kinds == ["one weak tie"] * len(leads)
