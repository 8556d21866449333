"""The graph and the query library, on the embedded FalkorDB always and on Neo4j when
RESOLVER_NEO4J_URI points to a server. The fixture's linkage outcome is written directly, so
every query's answer is known exactly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from resolver import workflows
from resolver.case import Case
from resolver.case.links import LINK_COLUMNS, WEAK_TIE_COLUMNS
from resolver.errors import ResolverError, StoreHung, StoreUnavailable
from resolver.graph import embedded
from resolver.graph.embedded import EmbeddedFalkor
from resolver.graph.library import bind, load_queries
from resolver.graph.load import load
from resolver.graph.store import open_store
from resolver.processes import alive

YIWU, CHAOYANG = "浙江省金华市义乌市人民路1号", "北京市朝阳区建国路9号"
AGENCY = "13800138000"
BUYER = {
    "recipient_name": "赵大",
    "recipient_phone": "13800000001",
    "recipient_address": "北京市朝阳区建国路100号",
}
A = {
    "account_key": "A1",
    "store_name": "晨光甲店",
    "registrant_name": "张三",
    "id_number": "11010519491231002X",
    "phones": "13911110001",
    "address": YIWU,
    "bank": "6222000000000000011",
    **BUYER,
}
A2 = {**A, "account_key": "A2", "store_name": "晨光乙店"}
B = {
    "account_key": "B1",
    "store_name": "锦绣店",
    "registrant_name": "李四",
    "id_number": "110105194912310100",
    "phones": f"13922220002;{AGENCY}",
    "address": YIWU,
    "bank": "6222000000000000022",
    **BUYER,
}
C = {
    "account_key": "C1",
    "store_name": "青松店",
    "registrant_name": "王五",
    "id_number": "110105194912310118",
    "phones": "13933330003",
    "address": CHAOYANG,
    "bank": "6222000000000000022",
    **BUYER,
}
D = {
    "account_key": "D1",
    "store_name": "蓝海店",
    "registrant_name": "赵六",
    "id_number": "110105194912310126",
    "phones": f"13944440004;{AGENCY}",
    "address": "上海市浦东新区张江路1号",
    "bank": "6222000000000000044",
    **BUYER,
}


def order(seller: dict, order_id: str, yuan: str, title: str, paid: str, **more) -> dict:
    return {
        **seller,
        "order_id": order_id,
        "amount": yuan,
        "title": title,
        "paid_at": paid + " 10:00:00",
        **more,
    }


ORDERS = [
    order(A, "O1", "100.00", "飞羚 运动鞋", "2023-05-01"),
    order(A, "O2", "50.00", "纯棉毛巾", "2024-02-01"),
    order(A2, "O3", "30.00", "飞羚 T恤", "2023-06-01"),
    order(
        A2,
        "O4",
        "20.00",
        "飞羚 袜子",
        "2023-06-02",
        recipient_name="张三",
        recipient_phone="13911110001",
        recipient_address=YIWU,
    ),  # a self-purchase
    order(B, "O5", "200.00", "飞羚 背包", "2023-07-01"),
    order({**B, "address": CHAOYANG}, "O6", "10.00", "手机壳", "2023-07-02"),
    order(C, "O7", "70.00", "运动水壶", "2023-08-01"),
    order(D, "O8", "5.00", "钥匙扣", "2023-09-01"),
]


def assign(case: Case, moved: dict[str, str], first: bool = True) -> None:
    """The fixture's linkage outcome: A1 and A2 one trader (TR000005 retired into it), B1, C1
    and D1 one each; `moved` puts accounts elsewhere."""
    trader_of = {
        "taobao:A1": "TR000001",
        "taobao:A2": "TR000001",
        "taobao:B1": "TR000002",
        "taobao:C1": "TR000003",
        "taobao:D1": "TR000004",
    } | moved
    probability = {account: 1.0 for account in trader_of} | {"taobao:A2": 0.999}
    created = [f"TR00000{n}" for n in range(1, 6)] if first else []
    merged = [("TR000005", "TR000001")] if first else []
    case.traders.record(trader_of, probability, created, merged, [])


def neo4j_or_skip() -> str:
    uri = os.environ.get("RESOLVER_NEO4J_URI")
    if not uri:
        pytest.skip(
            "RESOLVER_NEO4J_URI is not set: start Neo4j with `docker compose up -d` "
            "and set it (the tests empty that database) to run these against Neo4j"
        )
    return uri


@pytest.fixture(scope="module", params=["falkordb", "neo4j"])
def graph(request, tmp_path_factory, taobao_writer):
    """(case folder, store address or None) of the fixture, loaded into one store."""
    store_uri = neo4j_or_skip() if request.param == "neo4j" else None
    folder = tmp_path_factory.mktemp("graph")
    first = taobao_writer(folder / "first.csv", ORDERS)
    second = taobao_writer(folder / "second.csv", [ORDERS[0]])  # O1 disclosed again
    case_folder = folder / "case"
    with Case.open(case_folder) as case:
        from resolver import ingest

        ingest(case, [first, second])
        assign(case, {"taobao:C1": "TR000003"})
        tie = json.dumps(
            [  # a facet's weaker tie did not count: the link rests on an ID number and a phone
                {"kind": "phones", "value": "+8613911110001", "bits": 9.0, "counted": True},
                {"kind": "id_numbers", "value": "11010519491231002X", "bits": 16.0,
                 "counted": True},
                {"kind": "masked_phone_keys", "value": "139*0001", "bits": 4.0, "counted": False},
            ]
        )  # fmt: skip
        case.links.store(
            pd.DataFrame(
                [["taobao:A1", "taobao:A2", 30.0, 16.0, tie, 30.0, 0.999, "[]", 1]],
                columns=LINK_COLUMNS,
            ),
            pd.DataFrame(columns=WEAK_TIE_COLUMNS),
        )
        purchase = ["taobao", "O4", "taobao:A2", "taobao:A1", True, "registered_phone"]
        case.orders.replace_self_purchases(
            pd.DataFrame(
                [purchase],
                columns=["platform", "order_id", "seller", "registrant", "strong", "evidence"],
            )
        )
        hub = ["phones", f"+86{AGENCY}", 2, 2, "listed beside a phone of their own by 2 groups"]
        case.links.replace_hubs(
            pd.DataFrame([hub], columns=["kind", "value", "accounts", "groups", "reason"])
        )
        with open_store(case_folder, store_uri) as store:
            if store.dialect == "neo4j":
                store.query("MATCH (n) DETACH DELETE n")
            load(case, store, batch_size=3)  # small batches: batching is exercised too
    return case_folder, store_uri


def run(graph, name: str, **params) -> list[dict]:
    case_folder, store_uri = graph
    query = load_queries()[name]
    with open_store(case_folder, store_uri) as store:
        header, rows = store.query(query.text, bind(query, {k: str(v) for k, v in params.items()}))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_sales_per_trader_counts_each_order_once(graph) -> None:
    rows = run(graph, "sales_per_trader")
    assert [
        (r["trader"], r["orders"], r["amount_fen"], r["infringing_amount_fen"]) for r in rows
    ] == [
        ("TR000002", 2, 21000, 20000),
        ("TR000001", 3, 18000, 13000),
        ("TR000003", 1, 7000, 0),
        ("TR000004", 1, 500, 0),
    ]


def test_sales_filters(graph) -> None:
    with_brushing = run(graph, "sales_per_trader", include_self_purchases="true")
    assert [r["amount_fen"] for r in with_brushing if r["trader"] == "TR000001"] == [20000]
    since = run(graph, "sales_per_trader", **{"from": "2024-01-01T00:00:00"})
    assert [(r["trader"], r["amount_fen"]) for r in since] == [("TR000001", 5000)]
    infringing = run(graph, "sales_per_trader", infringing_only="true")
    assert [(r["trader"], r["orders"], r["amount_fen"]) for r in infringing] == [
        ("TR000002", 1, 20000),
        ("TR000001", 2, 13000),
    ]
    assert run(graph, "sales_per_trader", platform="jd") == []
    keywords = run(graph, "sales_per_trader", keywords="毛巾", infringing_only="true")
    assert [(r["trader"], r["amount_fen"]) for r in keywords] == [("TR000001", 5000)]


def test_sales_per_network_and_top_networks(graph) -> None:
    rows = run(graph, "sales_per_network")
    assert [
        (
            r["network"],
            sorted(r["traders"]),
            r["orders"],
            r["amount_fen"],
            r["infringing_amount_fen"],
        )
        for r in rows
    ] == [
        ("TR000001", ["TR000001", "TR000002", "TR000003"], 6, 46000, 33000),
        ("TR000004", ["TR000004"], 1, 500, 0),
    ]
    one = run(graph, "sales_per_network", network_id="TR000004")
    assert [r["amount_fen"] for r in one] == [500]
    top = run(graph, "top_networks", limit=1)
    assert [(r["network"], r["traders"], r["accounts"], r["amount_fen"]) for r in top] == [
        ("TR000001", 3, 4, 46000)
    ]


def test_account_network_names_what_is_shared(graph) -> None:
    rows = run(graph, "account_network", account_id="taobao:A1", k=2)
    found = {(r["hops"], r["trader"], r["via_trader"]): r for r in rows}
    assert set(found) == {
        (0, "TR000001", None),
        (1, "TR000002", "TR000001"),
        (2, "TR000003", "TR000002"),
    }
    assert sorted(found[(0, "TR000001", None)]["accounts"]) == ["taobao:A1", "taobao:A2"]
    assert found[(1, "TR000002", "TR000001")]["shared_identifiers"] == ["Address:330782|人民路1"]
    assert sorted(found[(2, "TR000003", "TR000002")]["shared_identifiers"]) == [
        "Address:110105|建国路9",
        "BankAccount:6222000000000000022",
    ]
    near = run(graph, "account_network", account_id="taobao:A1", k=1)
    assert {r["hops"] for r in near} == {0, 1}
    # the agency phone is a hub: D1 is not in B1's network
    assert {r["trader"] for r in run(graph, "account_network", account_id="taobao:D1", k=3)} == {
        "TR000004"
    }


def test_a_link_carries_the_kinds_of_the_ties_that_counted(graph) -> None:
    case_folder, store_uri = graph
    with open_store(case_folder, store_uri) as store:
        _, rows = store.query(
            "MATCH (:Account {account_id: 'taobao:A1'})-[l:LINKED]-(:Account) "
            "RETURN l.evidence, l.probability"
        )
    assert rows == [[["id_numbers", "phones"], 0.999]]


def test_shared_identifiers_between_two_traders(graph) -> None:
    rows = run(graph, "shared_identifiers", trader_a="TR000002", trader_b="TR000004")
    assert [(r["kind"], r["value"], r["hub"]) for r in rows] == [("Phone", "+8613800138000", True)]
    rows = run(graph, "shared_identifiers", trader_a="TR000001", trader_b="TR000002")
    assert [(r["kind"], r["value"], sorted(r["accounts_a"]), r["accounts_b"]) for r in rows] == [
        ("Address", "330782|人民路1", ["taobao:A1", "taobao:A2"], ["taobao:B1"])
    ]


def test_shortest_connection(graph) -> None:
    rows = run(graph, "shortest_connection", account_a="taobao:A1", account_b="taobao:C1")
    assert len(rows) == 1 and rows[0]["hops"] == 4
    path = rows[0]["path"]
    assert path[0] == "Account:taobao:A1" and path[2] == "Account:taobao:B1"
    assert path[-1] == "Account:taobao:C1"
    assert run(graph, "shortest_connection", account_a="taobao:A1", account_b="taobao:D1") == []


def test_cross_platform_self_purchase_and_bank_accounts(graph) -> None:
    assert run(graph, "cross_platform_traders") == []  # the fixture is one platform
    assert len(run(graph, "cross_platform_traders", min_platforms=1)) == 4
    rows = run(graph, "self_purchase_orders")
    assert [(r["trader"], r["seller"], r["order_id"], r["shipped_to_accounts"]) for r in rows] == [
        ("TR000001", "taobao:A2", "O4", ["taobao:A1"])
    ]
    banks = run(graph, "shared_bank_accounts")
    assert [(r["bank_account"], r["account_a"], r["account_b"]) for r in banks] == [
        ("6222000000000000011", "taobao:A1", "taobao:A2"),
        ("6222000000000000022", "taobao:B1", "taobao:C1"),
    ]
    different = run(graph, "shared_bank_accounts", different_traders_only="true")
    assert [r["account_a"] for r in different] == ["taobao:B1"]


def test_provenance_and_retired_traders(graph) -> None:
    case_folder, store_uri = graph
    with open_store(case_folder, store_uri) as store:
        _, rows = store.query("MATCH (o:Order {key: 'taobao:O1'}) RETURN o.provenance")
        assert sorted(rows[0][0]) == ["first.csv!!2", "second.csv!!2"]
        _, rows = store.query(
            "MATCH (old:Trader)-[:MERGED_INTO]->(kept:Trader) RETURN old.trader_id, kept.trader_id"
        )
        assert rows == [["TR000005", "TR000001"]]
        _, rows = store.query("MATCH (:Account)-[s:DISCLOSED_IN]->(d:Disclosure) RETURN count(s)")
        assert rows == [[6]]  # A1 twice (two files), A2, B1, C1, D1


def test_loading_twice_changes_nothing_and_moves_are_repointed(graph) -> None:
    case_folder, store_uri = graph
    counting = (
        "MATCH (n) WITH labels(n)[0] AS label, count(n) AS nodes RETURN label, nodes ORDER BY label"
    )
    edges = "MATCH ()-[r]->() WITH type(r) AS kind, count(r) AS n RETURN kind, n ORDER BY kind"
    with Case.open(case_folder) as case, open_store(case_folder, store_uri) as store:
        before = (store.query(counting), store.query(edges))
        load(case, store)
        assert (store.query(counting), store.query(edges)) == before
        assign(case, {"taobao:C1": "TR000004"}, first=False)
        load(case, store)
        _, rows = store.query(
            "MATCH (t:Trader)-[:OPERATES]->(a:Account {account_id: 'taobao:C1'}) RETURN t.trader_id"
        )
        assert rows == [["TR000004"]]
    moved = {r["trader"]: r["amount_fen"] for r in run(graph, "sales_per_trader")}
    assert moved["TR000004"] == 7500 and "TR000003" not in moved  # its orders moved too
    with Case.open(case_folder) as case, open_store(case_folder, store_uri) as store:
        assign(case, {}, first=False)
        load(case, store)


def test_required_and_unknown_parameters_are_errors() -> None:
    query = load_queries()["account_network"]
    with pytest.raises(ResolverError, match="'account_id' is required"):
        bind(query, {})
    with pytest.raises(ResolverError, match="unknown parameter 'nope'"):
        bind(query, {"account_id": "x", "nope": "1"})
    with pytest.raises(ResolverError, match="expects integer"):
        bind(query, {"account_id": "x", "k": "two"})


def test_every_library_file_has_a_header() -> None:
    queries = load_queries()
    assert len(queries) >= 9
    for query in queries.values():
        assert query.purpose and query.example.startswith(f"resolver query {query.name}")


# -- the embedded server itself ----------------------------------------------------------------
def test_embedded_store_is_private_and_persistent(tmp_path: Path) -> None:
    with EmbeddedFalkor(tmp_path / "case") as server:
        assert stat.S_IMODE(server.socket.stat().st_mode) & 0o077 == 0
        server.graph("resolver").query("CREATE (:Probe {n: 1})")
        with pytest.raises(ResolverError, match="in use by another resolver command"):
            EmbeddedFalkor(tmp_path / "case").start()
    folder = tmp_path / "case" / "graph"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "graph.rdb").stat().st_mode) & 0o077 == 0
    with EmbeddedFalkor(tmp_path / "case") as server:
        rows = server.graph("resolver").query("MATCH (p:Probe) RETURN p.n")
        assert rows.result_set == [[1]]


def test_embedded_server_stops_on_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), EmbeddedFalkor(tmp_path / "case") as server:
        process = server.process
        raise RuntimeError("midway")
    assert process.poll() is not None  # the server is gone


@pytest.fixture
def quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watch of the embedded server gives up on a server silent for 3 s (not less: a
    server of a busy test machine may take a second to answer)."""
    monkeypatch.setattr(embedded, "ANSWER_SECONDS", 3.0)
    monkeypatch.setattr(embedded, "PROBE_SECONDS", 0.05)


def _server_pid(case_folder: Path) -> int:
    return int((case_folder / "graph" / "server.pid").read_text().split()[0])


def test_a_hung_server_is_stopped_and_the_graph_kept(tmp_path: Path, quick_watch) -> None:
    """A server whose main thread stops (as a FalkorDB deadlock stops it) fails the command
    with one clear error instead of hanging it; what it held unsaved is lost, nothing else."""
    case_folder = tmp_path / "case"
    with open_store(case_folder) as store:
        store.query("CREATE (:Probe {n: 1})")
    with (
        pytest.raises(StoreHung, match="answered nothing for 3 s"),
        open_store(case_folder) as store,
    ):
        store.query("CREATE (:Probe {n: 2})")
        hung = _server_pid(case_folder)
        os.kill(hung, signal.SIGSTOP)
        store.query("MATCH (p:Probe) RETURN count(p)")
    with pytest.raises(ProcessLookupError):
        os.kill(hung, 0)  # killed, and reaped
    with open_store(case_folder) as store:  # the lock was released
        assert store.query("MATCH (p:Probe) RETURN p.n")[1] == [[1]]


HANGS_AS_IT_STARTS = """#!{python}
import os, socket, sys
starts = {starts!r}
with open(starts, "a+") as counted:
    counted.seek(0)
    started = len(counted.read().split())
    counted.write(f"{{os.getpid()}}\\n")
if started >= {hangs}:
    os.execv({real!r}, [{real!r}, *sys.argv[1:]])
server = socket.socket(socket.AF_UNIX)  # a server that takes every connection, answers nothing
server.bind(sys.argv[sys.argv.index("--unixsocket") + 1])
server.listen()
held = []
while True:
    held.append(server.accept()[0])
"""


@pytest.mark.parametrize("hangs", [1, 2])
def test_a_server_that_hangs_as_it_starts_is_started_again(
    tmp_path: Path, quick_watch, monkeypatch: pytest.MonkeyPatch, hangs: int
) -> None:
    """A server that loads the graph, then answers nothing, not even the first ping (as one
    did in a test run), is killed and started anew; a second that hangs is one clear error.
    Either way no server is left and the case's graph is as it was."""
    case_folder = tmp_path / "case"
    with open_store(case_folder) as store:
        store.query("CREATE (:Probe {n: 1})")
    starts, server = tmp_path / "starts", tmp_path / "server"
    server.write_text(HANGS_AS_IT_STARTS.format(python=sys.executable, starts=str(starts),
                                                hangs=hangs, real=embedded.get_redis_server()))  # fmt: skip
    server.chmod(0o700)
    monkeypatch.setattr(embedded, "get_redis_server", lambda: str(server))
    if hangs == 1:
        with open_store(case_folder) as store:
            store.query("CREATE (:Probe {n: 2})")
    else:
        with pytest.raises(StoreHung, match="as it started, twice"), open_store(case_folder):
            pass
    servers = [int(pid) for pid in starts.read_text().split()]
    assert len(servers) == 2 and not any(alive(pid) for pid in servers)
    monkeypatch.undo()  # the real server, and the lock free again
    with open_store(case_folder, read_only=True) as store:
        found = sorted(n for (n,) in store.query("MATCH (p:Probe) RETURN p.n")[1])
    assert found == ([1, 2] if hangs == 1 else [1])


def test_a_server_that_ends_midway_is_one_clear_error(tmp_path: Path) -> None:
    case_folder = tmp_path / "case"
    with open_store(case_folder) as store:
        store.query("CREATE (:Probe {n: 1})")
    with (
        pytest.raises(StoreUnavailable, match=r"ended unexpectedly \(status -9") as raised,
        open_store(case_folder) as store,
    ):
        store.query("CREATE (:Probe {n: 2})")
        os.kill(_server_pid(case_folder), signal.SIGKILL)
        store.query("MATCH (p:Probe) RETURN count(p)")
    assert not isinstance(raised.value, StoreHung)  # not run again: it did not hang
    with (
        pytest.raises(StoreUnavailable, match=r"not saved \(the graph store had ended"),
        open_store(case_folder) as store,
    ):
        store.query("CREATE (:Probe {n: 3})")
        os.kill(_server_pid(case_folder), signal.SIGKILL)  # gone before the command ends
        time.sleep(0.5)  # and ended, before the command would save
    with open_store(case_folder) as store:
        assert store.query("MATCH (p:Probe) RETURN p.n")[1] == [[1]]


def test_a_match_that_fails_stops_the_server_it_started_early(
    demo_files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental match starts the graph's server before it links (the server reads the
    graph meanwhile); a link that fails leaves no server running, the graph as it was, and the
    next match uses a server of its own."""
    from resolver.linkage import pipeline

    case_folder = tmp_path / "case"
    with Case.open(case_folder) as case:
        workflows.match(case, demo_files[:1])
    saved = (case_folder / "graph" / "graph.rdb").read_bytes()
    seen: list[int] = []

    def failing(*_args, **_kwargs):
        pid = _server_pid(case_folder)
        if alive(pid):  # started before linking
            seen.append(pid)
        raise RuntimeError("linkage failed")

    with monkeypatch.context() as patch, Case.open(case_folder) as case:
        patch.setattr(pipeline, "link", failing)
        with pytest.raises(RuntimeError, match="linkage failed"):
            workflows.match(case, demo_files[1:2])
    (pid,) = seen
    assert not alive(pid)
    assert (case_folder / "graph" / "graph.rdb").read_bytes() == saved
    with Case.open(case_folder) as case:
        done = workflows.match(case, demo_files[1:2])
    assert done.graph is not None and done.graph.summary is not None
    assert done.graph.summary.counts["orders"] > 0


def test_a_match_stops_before_linking_while_another_command_holds_the_graph(
    demo_files, tmp_path: Path
) -> None:
    case_folder = tmp_path / "case"
    with Case.open(case_folder) as case:
        workflows.match(case, demo_files[:1])
        before = case.status()["counts"]
    with EmbeddedFalkor(case_folder, read_only=True), Case.open(case_folder) as case:
        with pytest.raises(ResolverError, match="in use by another resolver command"):
            workflows.match(case, demo_files[1:2])
        assert case.status()["counts"] == before


def test_a_graph_command_runs_again_when_its_server_hangs(
    linked_case: Path, tmp_path: Path, quick_watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server that hung once in CI answered its start-up ping, then nothing: a load and a
    query run again on a new server and give what an undisturbed run gives."""
    case_folder = tmp_path / "case"
    shutil.copytree(linked_case, case_folder)
    with Case.open(case_folder) as case:
        expected = workflows.load_graph(case)
        answer = workflows.query(case, "top_networks")
    started: list[int] = []
    start = EmbeddedFalkor.start

    def start_then_hang(server: EmbeddedFalkor) -> None:
        start(server)
        assert server.process is not None
        started.append(server.process.pid)
        if len(started) % 2:  # every first try of a command hangs
            os.kill(server.process.pid, signal.SIGSTOP)

    monkeypatch.setattr(EmbeddedFalkor, "start", start_then_hang)
    heard: list[str] = []
    with Case.open(case_folder) as case:
        summary = workflows.load_graph(case, steps=lambda step, *_counts: heard.append(step))
        assert summary.counts == expected.counts
        assert any("answered nothing" in line and "starting it again" in line for line in heard)
        pd.testing.assert_frame_equal(workflows.query(case, "top_networks"), answer)
    assert len(started) == 4
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def _listening_inodes() -> set[str]:
    """Inodes of every TCP socket on this machine that listens (state 0A), IPv4 and IPv6."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == "0A":
                    inodes.add(fields[9])
    return inodes


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc")
def test_embedded_server_listens_on_no_network_port(tmp_path: Path) -> None:
    with EmbeddedFalkor(tmp_path / "case") as server:
        assert server.process is not None
        fds = Path(f"/proc/{server.process.pid}/fd")
        sockets = {
            target[len("socket:[") : -1]
            for target in (os.readlink(fd) for fd in fds.iterdir())
            if target.startswith("socket:[")
        }
        assert sockets  # it holds its unix socket, so the check sees its sockets
        assert not sockets & _listening_inodes()
