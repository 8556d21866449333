"""Investigators' judgements: the ledger, its chain, and every run obeying it."""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

import resolver
from resolver.case import Case
from resolver.case.judgements import Judgement
from resolver.cli import app
from resolver.errors import NotFound, ResolverError
from resolver.graph.store import embedded_available
from resolver.linkage.clustering import cluster
from resolver.linkage.judged import Judged

runner = CliRunner()
SHIPPED = Path(resolver.__file__).parent / "defaults" / "config"


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def case_path(linked_case: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    return folder


def traders_of(case: Case) -> dict[str, list[str]]:
    by_trader: dict[str, list[str]] = {}
    for account, trader in sorted(case.traders.assignment().items()):
        by_trader.setdefault(trader, []).append(account)
    return by_trader


def two_traders(case: Case) -> tuple[str, str]:
    """One account of each of two traders of several accounts."""
    several = [accounts for accounts in traders_of(case).values() if len(accounts) >= 2]
    return several[0][0], several[1][0]


def one_trader(case: Case, at_least: int = 2) -> list[str]:
    return next(a for a in traders_of(case).values() if len(a) >= at_least)


# -- the ledger ----------------------------------------------------------------------------------


def test_a_later_judgement_supersedes_and_nothing_is_deleted(case_path: Path) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        resolver.judge(case, a, b, "same", reason="one bank statement", by="wang", graph=False)
        resolver.judge(case, b, a, "different", reason="IDs differ", by="li", graph=False)
        [current] = case.judgements.current()
        assert (current.verdict, current.author, current.seq) == ("different", "li", 2)
        resolver.judge(case, a, b, "retracted", by="li", graph=False)
        assert case.judgements.current() == []
        ledger = case.judgements.ledger()
        assert [j.verdict for j in ledger] == ["same", "different", "retracted"]
        assert ledger[0].probability is None or 0 <= ledger[0].probability <= 1
        assert ledger[0].rules_sha256 == case.model.load().rules_sha256
        assert json.loads(ledger[0].disclosed_by)  # the disclosures it rested on
        assert case.judgements.verify() == []


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE judgements SET reason = 'a better reason' WHERE seq = 1",
        "UPDATE judgements SET verdict = 'same' WHERE seq = 2",
        "DELETE FROM judgements WHERE seq = 1",
    ],
)
def test_a_ledger_edited_outside_the_tool_fails_verify(case_path: Path, edit: str) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        resolver.judge(case, a, b, "unsure", by="wang", graph=False)
        resolver.judge(case, a, b, "different", reason="IDs differ", by="wang", graph=False)
        resolver.judge(case, a, b, "unsure", by="wang", graph=False)
        assert case.judgements.verify() == []
        case.db.execute(edit)
        assert case.judgements.verify()
    failed = run("judge", "verify", "--case", case_path)
    assert failed.exit_code == 2 and "changed outside resolver" in failed.stderr


def test_judgements_are_checked(case_path: Path) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        with pytest.raises(ResolverError, match="needs a reason"):
            resolver.judge(case, a, b, "same", graph=False)
        with pytest.raises(NotFound, match="no such account"):
            resolver.judge(case, a, "taobao:nope", "unsure", graph=False)
        with pytest.raises(ResolverError, match="two different accounts"):
            resolver.judge(case, a, a, "unsure", graph=False)
        assert case.judgements.ledger() == []
    missing = run("judge", "different", a, b, "--case", case_path)
    assert missing.exit_code == 2 and missing.stderr.startswith("error: a 'different' judgement")


# -- every run obeys them --------------------------------------------------------------------------


def test_same_different_and_unsure_move_traders_at_once(case_path: Path) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        result = resolver.judge(case, a, b, "same", reason="one bank", graph=False)
        assert result.link is not None and result.link.mode == "judgements"
        trader = case.traders.assignment()
        assert trader[a] == trader[b]
        first, second = one_trader(case)[:2]
        resolver.judge(case, first, second, "different", reason="IDs differ", graph=False)
        trader = case.traders.assignment()
        assert trader[first] != trader[second]


def _judgement(seq: int, a: str, b: str, verdict: str) -> Judgement:
    return Judgement(seq, a, b, verdict, "tester", "2026-12-01T00:00:00+00:00", "why", None,
                     None, None, "[]", "", "")  # fmt: skip


def _links(*rows: tuple[str, str, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["account_a", "account_b", "probability"])
    frame["carrier"] = None
    return frame


def test_a_pair_judged_different_is_cut_at_its_weakest_links_never_a_confirmed_one() -> None:
    links = _links(("a", "b", 0.999999), ("b", "c", 0.96), ("a", "c", 0.97), ("c", "d", 0.999999))
    apart = Judged.of([_judgement(1, "a", "d", "different")])
    groups = cluster(["a", "b", "c", "d"], links, 0.95, 0.9, apart)
    assert groups.members == [["a", "b"], ["c", "d"]]  # b-c and a-c were the weakest
    assert "judged different (#1 by tester)" in groups.kept_apart[0]["reason"]
    confirmed = Judged.of([_judgement(1, "a", "d", "different"), _judgement(2, "b", "c", "same")])
    groups = cluster(["a", "b", "c", "d"], links, 0.95, 0.9, confirmed)
    assert sorted(map(len, groups.members)) == [1, 3]  # cut elsewhere, b-c kept
    assert any({"b", "c"} <= set(m) for m in groups.members)
    assert not any({"a", "d"} <= set(m) for m in groups.members)


def test_what_one_tie_alone_holds_together_is_listed_for_review() -> None:
    links = _links(("a", "b", 0.999999), ("c", "d", 0.999999), ("b", "c", 0.9999),
                   ("d", "e", 0.999999))  # fmt: skip
    links["carrier"] = [None, None, None, ("phones", "+8613800000000")]
    groups = cluster(list("abcde"), links, 0.95, 0.999)
    assert groups.members == [list("abcde")]
    reasons = {(h["reason"], h["kind"]): h["groups"] for h in groups.held_together}
    assert reasons[("one link of probability 0.9999 holds two groups together", None)] == [
        ["a", "b"],
        ["c", "d", "e"],
    ]
    assert reasons[("one shared value holds the trader together", "phones")] == [
        ["a", "b", "c", "d"],
        ["e"],
    ]


def test_an_unsure_pair_is_not_linked_by_its_own_link(case_path: Path) -> None:
    with Case.open(case_path) as case:
        pair = next(accounts for accounts in traders_of(case).values() if len(accounts) == 2)
        assert case.links.pair(*pair) is not None
        resolver.judge(case, *pair, "unsure", by="wang", graph=False)
        trader = case.traders.assignment()
        assert trader[pair[0]] != trader[pair[1]]
        resolver.judge(case, *pair, "retracted", by="wang", graph=False)
        trader = case.traders.assignment()
        assert trader[pair[0]] == trader[pair[1]]


def test_contradictions_are_named_and_the_report_refuses_until_resolved(
    case_path: Path, tmp_path: Path
) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        c = one_trader(case)[-1] if one_trader(case)[-1] not in (a, b) else one_trader(case)[0]
        resolver.judge(case, a, b, "same", reason="r1", graph=False)
        resolver.judge(case, b, c, "same", reason="r2", graph=False)
        trader_id = case.traders.assignment()[a]
    said = run("judge", "different", a, c, "--reason", "r3", "--case", case_path, "--no-graph")
    assert said.exit_code == 0 and "contested" in said.stderr
    assert "#1 same" in said.stderr and "#2 same" in said.stderr and "#3 different" in said.stderr
    with Case.open(case_path) as case:
        assert {a, b, c} <= set(case.judgements.contested())
    refused = run("report", trader_id, "--out", tmp_path / "r.html", "--case", case_path)
    assert refused.exit_code == 2 and "contested" in refused.stderr
    assert not (tmp_path / "r.html").exists()
    assert run("judge", "retract", a, c, "--case", case_path, "--no-graph").exit_code == 0
    report = run("report", trader_id, "--out", tmp_path / "r.html", "--case", case_path)
    assert report.exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "调查人员的判定" in page and "判定为同一" in page  # the report's language: Chinese


def _violations(case: Case, threshold: float) -> list[str]:
    """Judgements in force that the traders do not obey (contested accounts aside)."""
    trader = case.traders.assignment()
    contested = case.judgements.contested()
    current = case.judgements.current()
    links = case.links.for_clustering()
    kept = links[links["probability"] >= threshold]
    overruled = {(j.account_a, j.account_b) for j in current if j.verdict != "same"}
    graph = nx.Graph()
    graph.add_edges_from(
        (a, b) for a, b in zip(kept.account_a, kept.account_b, strict=True)
        if (a, b) not in overruled
    )  # fmt: skip
    graph.add_edges_from((j.account_a, j.account_b) for j in current if j.verdict == "same")
    found = []
    for j in current:
        if j.account_a in contested or j.account_b in contested:
            continue
        together = trader[j.account_a] == trader[j.account_b]
        if (j.verdict == "same" and not together) or (j.verdict == "different" and together):
            found.append(j.words)
        elif (
            j.verdict == "unsure" and together and not nx.has_path(graph, j.account_a, j.account_b)
        ):
            found.append(j.words)  # joined by nothing but its own link  # fmt: skip
    return found


def _expected_contested(case: Case) -> set[str]:
    same = nx.Graph()
    current = case.judgements.current()
    same.add_edges_from((j.account_a, j.account_b) for j in current if j.verdict == "same")
    expected: set[str] = set()
    for j in current:
        joined = j.account_a in same and j.account_b in same
        if j.verdict == "different" and joined and nx.has_path(same, j.account_a, j.account_b):
            expected |= nx.node_connected_component(same, j.account_a)
    return expected


def test_200_random_judgements_survive_every_kind_of_run(demo_dir: Path, tmp_path: Path) -> None:
    files = sorted(demo_dir.glob("*.*"))
    douyin = next(f for f in files if f.suffix == ".jsonl")
    lines = douyin.read_text(encoding="utf-8").splitlines()

    def shop(line: str) -> str:  # the demo's bad lines too
        found = re.search(r'"shop_id": "([^"]+)"', line)
        return found.group(1) if found else ""

    shops = list(dict.fromkeys(map(shop, lines)))
    parts = []
    for number in range(5):  # the douyin disclosure in five, matched one after the other
        chosen = set(shops[number::5])
        part = tmp_path / f"douyin_part{number}.jsonl"
        part.write_text("".join(f"{x}\n" for x in lines if shop(x) in chosen), encoding="utf-8")
        parts.append(part)
    others = [f for f in files if f.suffix in (".csv", ".xlsx")]
    config = tmp_path / "config"
    config.mkdir()
    shipped = (SHIPPED / "matching.yaml").read_text(encoding="utf-8")
    (config / "matching.yaml").write_text(
        shipped.replace("bridge: 0.999 ", "bridge: 0.9995"), encoding="utf-8"
    )
    chance = random.Random(12)
    with Case.open(tmp_path / "case") as case:
        resolver.match(case, others, graph=False)
        accounts = sorted(case.traders.assignment())
        pairs = set()
        while len(pairs) < 200:
            pairs.add(tuple(sorted(chance.sample(accounts, 2))))
        table = tmp_path / "judgements.csv"
        with table.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["account_a", "account_b", "verdict", "author", "judged_at",
                             "reason", "evidence"])  # fmt: skip
            for n, (a, b) in enumerate(sorted(pairs)):
                verdict = chance.choices(["same", "different", "unsure"], [1, 3, 1])[0]
                writer.writerow([a, b, verdict, "tester", f"2026-12-01T08:{n // 60:02d}:"
                                 f"{n % 60:02d}+08:00", f"reason {n}", ""])  # fmt: skip
        resolver.import_judgements(case, table, graph=False)
        assert len(case.judgements.current()) == 200
        runs = [lambda p=p: resolver.match(case, [p], graph=False) for p in parts]
        runs += [
            lambda: resolver.match(case, [], full=True, graph=False),
            lambda: resolver.train(case, graph=False),
            lambda: resolver.match(case, [], config=config, graph=False),
        ]
        for number, step in enumerate(runs):
            step()
            assert _violations(case, 0.95) == [], f"run {number}"
            assert set(case.judgements.contested()) == _expected_contested(case), f"run {number}"
        assert case.judgements.verify() == []
        assert case.model.load().rules_sha256 == resolver.Config(config).matching.sha256


# -- sharing, splitting, measuring, reviewing ------------------------------------------------------


def test_export_and_import_share_judgements_once(
    case_path: Path, linked_case: Path, tmp_path: Path
) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        first, second = one_trader(case)[:2]
        resolver.judge(case, a, b, "same", reason="bank, 支付宝", by="王", graph=False)
        resolver.judge(case, first, second, "unsure", by="li", evidence="call note 7", graph=False)
    out = tmp_path / "shared.csv"
    assert run("judge", "export", out, "--case", case_path).exit_code == 0
    other = tmp_path / "other"
    shutil.copytree(linked_case, other)  # the same case, before anyone judged
    for _ in range(2):  # a second import adds nothing
        assert run("judge", "import", out, "--case", other, "--no-graph").exit_code == 0
    with Case.open(case_path) as mine, Case.open(other) as theirs:
        keep = ["account_a", "account_b", "verdict", "author", "judged_at", "reason", "evidence"]
        assert [[getattr(j, k) for k in keep] for j in theirs.judgements.ledger()] == [
            [getattr(j, k) for k in keep] for j in mine.judgements.ledger()
        ]
        assert theirs.judgements.verify() == []


def test_import_is_all_or_nothing_naming_each_bad_row(case_path: Path, tmp_path: Path) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "account_a,account_b,verdict,author,judged_at,reason,evidence\n"
        f"{a},{b},same,wang,2026-12-01T08:00:00+08:00,one bank,\n"
        f"{a},{b},maybe,wang,2026-12-01T08:00:00+08:00,x,\n"
        f"{a},taobao:nope,different,wang,2026-12-01T08:00:00+08:00,x,\n"
        f"{a},{b},different,wang,2026-12-01T08:00:00,x,\n",
        encoding="utf-8",
    )
    failed = run("judge", "import", bad, "--case", case_path)
    assert failed.exit_code == 2
    lines = failed.stderr.strip().splitlines()
    assert "row 3: column 'verdict'" in lines[0] and "row 4: column 'account_b'" in lines[1]
    assert "row 5: column 'judged_at'" in lines[2] and "names no time zone" in lines[2]
    with Case.open(case_path) as case:
        assert case.judgements.ledger() == []


def test_split_records_the_different_pairs_it_implies(case_path: Path) -> None:
    with Case.open(case_path) as case:
        accounts = one_trader(case, 3)
        trader_id = case.traders.assignment()[accounts[0]]
    done = run("split", trader_id, "--keep", accounts[0], "--reason", "a stranger's shop",
               "--by", "wang", "--case", case_path, "--no-graph")  # fmt: skip
    assert done.exit_code == 0, done.output
    with Case.open(case_path) as case:
        pairs = {(j.account_a, j.account_b) for j in case.judgements.current()}
        assert pairs == {tuple(sorted((accounts[0], other))) for other in accounts[1:]}
        trader = case.traders.assignment()
        assert all(trader[accounts[0]] != trader[other] for other in accounts[1:])
        assert len({trader[other] for other in accounts[1:]}) == 1


def test_evaluate_measures_the_model_against_the_judgements(case_path: Path, tmp_path) -> None:
    with Case.open(case_path) as case:
        first, second = one_trader(case)[:2]  # linked by the model
        a, b = two_traders(case)  # not linked
        resolver.judge(case, first, second, "different", reason="x", graph=False)
        resolver.judge(case, a, b, "same", reason="y", graph=False)
        result = resolver.evaluate(case, labels=tmp_path / "labels.csv")
    linked = result.pairs.set_index("unique_id_l")["model_says_same"]
    assert result.true_positives + result.false_positives == int(linked.sum())
    assert result.false_negatives + result.true_positives == 1
    labels = list(csv.DictReader((tmp_path / "labels.csv").open(encoding="utf-8")))
    assert {r["clerical_match_score"] for r in labels} == {"1.0", "0.0"}
    printed = run("evaluate", "--case", case_path)
    assert printed.exit_code == 0 and "precision" in printed.stdout


def test_review_lists_changed_kept_apart_and_near_threshold_first(
    case_path: Path, tmp_path: Path, taobao_file
) -> None:
    with Case.open(case_path) as case:
        taobao = sorted(a for a in case.traders.assignment() if a.startswith("taobao:"))
        a, b = taobao[0], taobao[1]
        resolver.judge(case, a, b, "unsure", by="wang", graph=False)
    again = taobao_file(tmp_path / "again.csv", [{"account_key": a.partition(":")[2]}])
    assert run("match", again, "--case", case_path, "--no-graph").exit_code == 0
    with Case.open(case_path) as case:
        queue = resolver.review(case)
    assert queue.iloc[0]["kind"] == "changed since judged"
    assert (queue.iloc[0]["account_a"], queue.iloc[0]["account_b"]) == (a, b)
    assert list(queue["priority"]) == sorted(queue["priority"])
    shown = run("review", "--case", case_path, "--format", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)[0]["kind"] == "changed since judged"


def test_a_group_kept_apart_by_no_one_value_is_reviewed_without_one(case_path: Path) -> None:
    """Beside groups kept apart at a value, one kept apart by a weak link names no value: it
    reads back as None, not as a number that is not one (`nan`) the review prints as a value."""
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        case.links.replace_kept_apart([
            {"reason": "groups held together by one shared value only", "kind": "phones",
             "value": "+8613800001111", "groups": [[a], [b]]},
            {"reason": "one link of probability 0.9600 between two groups", "kind": None,
             "value": None, "groups": [[b], [a]]},
        ])  # fmt: skip
        kept = case.links.kept_apart()
        queue = resolver.review(case)
    assert kept["kind"].tolist() == ["phones", None] and kept["value"][1] is None
    said = queue.loc[queue["kind"] == "kept apart", "why"].tolist()
    assert said == [
        "groups held together by one shared value only phones +8613800001111: groups of 1, 1 "
        "accounts",
        "one link of probability 0.9600 between two groups: groups of 1, 1 accounts",
    ]


def test_groups_a_bank_account_holds_together_are_reviewed_first(case_path: Path) -> None:
    """Of the groups kept apart, those that a bank or payment account or an ID number holds
    together (their registrant's own: most often one trader) come before those a phone or a
    weak link holds, the others in the order clustering gave."""
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        apart = [
            ("groups held together by one shared value only", "phones", "+8613800001111"),
            ("one link of probability 0.9600 between two groups", None, None),
            ("groups held together by one shared value only", "bank_accounts", "6222000000001"),
            ("groups held together by one shared value only", "stores", a),
            ("groups held together by one shared value only", "payment_accounts", "pay@x.cn"),
        ]
        case.links.replace_kept_apart(
            [{"reason": r, "kind": k, "value": v, "groups": [[a], [b]]} for r, k, v in apart]
        )
        queue = resolver.review(case)
    kept = queue[queue["kind"] == "kept apart"]
    assert [why.rpartition(": groups of")[0].removeprefix(apart[0][0]).strip() for why in kept["why"]] == [
        "bank_accounts 6222000000001", "payment_accounts pay@x.cn", "phones +8613800001111",
        "one link of probability 0.9600 between two groups", f"stores {a}",
    ]  # fmt: skip
    assert set(kept["priority"]) == {1}


def test_traders_held_by_one_stores_orders_are_reviewed_first(case_path: Path) -> None:
    """Of the traders kept on one tie, those resting on one store's orders (what a purchase
    from a wholesaler looks like) come before those a phone, a bank account or weak ties hold."""
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        held = [
            ("one shared value holds the trader together", "phones", "+8613800001111"),
            ("one shared value holds the trader together", "stores", a),
            (
                "joined on weak ties of 2 kinds to 2 of its accounts",
                "weak_ties",
                "addresses+store_stems",
            ),
        ]
        case.links.replace_held_together(
            [{"reason": r, "kind": k, "value": v, "groups": [[a], [b]]} for r, k, v in held]
        )
        queue = resolver.review(case)
    kinds = queue.loc[queue["priority"] == 2, "why"].str.extract(r"\((\w+) ")[0].tolist()
    assert kinds == ["stores", "phones", "weak_ties"]


def test_explain_shows_the_judgement_above_the_weights(case_path: Path) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        resolver.judge(case, a, b, "same", reason="one bank statement", by="wang", graph=False)
    said = run("explain", a, b, "--case", case_path, "--lang", "en")
    assert said.exit_code == 0
    text = " ".join(said.stdout.split())
    assert "judged same by wang" in text and "reason: one bank statement" in text
    assert text.index("judged same by wang") < text.index("prior (two random accounts)")


@pytest.mark.skipif(not embedded_available(), reason="the embedded graph store runs on Linux")
def test_the_graph_holds_the_judgements_in_force(case_path: Path) -> None:
    with Case.open(case_path) as case:
        a, b = two_traders(case)
        first, second = one_trader(case)[:2]
        resolver.judge(case, a, b, "same", reason="bank", by="wang")
        resolver.judge(case, first, second, "unsure", by="li")
        resolver.judge(case, first, second, "retracted", by="li")
        rows = resolver.query(case, "judgements")
    assert rows[["account_a", "account_b", "verdict", "author"]].values.tolist() == [
        [*sorted((a, b)), "same", "wang"]
    ]
    assert rows.iloc[0]["trader_a"] == rows.iloc[0]["trader_b"]
