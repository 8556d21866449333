"""A first load by GRAPH.BULK, and one by label in parallel-safe chunks (Neo4j's, run here on
the embedded store), make the graph the loader's MERGE statements make: the same nodes with the
same properties (types included: a "001" stays text), the same relationships between the same
nodes with the same properties, and queries that answer the same. The three graphs are filled
from one linked demo case and compared whole."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import empty_graph_frames

from resolver import workflows
from resolver.case import Case
from resolver.case import orders as case_orders
from resolver.graph import bulk
from resolver.graph import load as graph_load
from resolver.graph.load import READ_MEMORY, graph_frames, load
from resolver.graph.model import NODES, RELATIONSHIPS
from resolver.graph.store import KEYS, open_store


@pytest.fixture(scope="module")
def graphs(linked_case: Path, tmp_path_factory: pytest.TempPathFactory):
    """{first-load way: (case folder, load summary)}, each a copy of the linked demo case with
    one judgement, so that every relationship type is there."""
    root = tmp_path_factory.mktemp("bulk")
    judged = root / "judged"
    shutil.copytree(linked_case, judged)
    with Case.open(judged) as case:
        a, b = case.traders.accounts()["account_id"].tolist()[:2]
        workflows.judge(case, a, b, "different", reason="two ID cards", by="wang", graph=False)
    made = {}
    for way in ("fastest", "by_label", "merge"):
        folder = root / way
        shutil.copytree(judged, folder)
        with pytest.MonkeyPatch.context() as patch:
            # orders in many batches, and batches cut into many tokens
            patch.setattr(bulk, "CHUNK_ROWS", 997)
            patch.setattr(graph_load, "ORDER_ROWS", 997)
            patch.setattr(bulk, "CHUNK_BYTES", 64 * 1024)
            patch.setattr(case_orders, "PART_ORDERS", 1500)  # orders gathered in parts
            with Case.open(folder) as case, open_store(folder, None, fresh=True) as graph:
                made[way] = folder, load(case, graph, batch_size=997, first_load=way)
    return made


def _shapes() -> list[tuple[str, str, str]]:
    """(type, start label, end label) of every kind of relationship the model has."""
    return list(dict.fromkeys((rel.type, rel.start[0], rel.end[0]) for rel in RELATIONSHIPS))


def _contents(folder: Path) -> tuple[dict, dict]:
    """The graph of a case, read with one server: {label: {key: properties}} and
    {shape: sorted [(start key, end key, properties)]}."""
    nodes, relationships = {}, {}
    with open_store(folder, None, read_only=True) as graph:
        for spec in NODES:
            key = KEYS.get(spec.label, "key")
            _, rows = graph.query(f"MATCH (n:{spec.label}) RETURN n.{key}, properties(n)")
            nodes[spec.label] = {k: p for k, p in rows}
            assert len(nodes[spec.label]) == len(rows), f"{spec.label}: a key held by two nodes"
        for kind, start, end in _shapes():
            _, rows = graph.query(f"MATCH (a:{start})-[r:{kind}]->(b:{end}) "
                                  f"RETURN a.{KEYS[start]}, b.{KEYS[end]}, properties(r)")  # fmt: skip
            relationships[(kind, start, end)] = sorted((a, b, sorted(p.items()))
                                                       for a, b, p in rows)  # fmt: skip
    return nodes, relationships


@pytest.mark.parametrize("way", ["fastest", "by_label"])
def test_a_first_load_makes_the_statements_graph(graphs, way: str) -> None:
    (made_by, summary), (by_statements, _) = graphs[way], graphs["merge"]
    (nodes, relationships), expected = _contents(made_by), _contents(by_statements)
    for spec in NODES:
        assert nodes[spec.label] == expected[0][spec.label], spec.label
        assert nodes[spec.label] or spec.label == "Name", f"{spec.label}: the demo makes none"
    for shape in _shapes():
        assert relationships[shape] == expected[1][shape], shape
        assert relationships[shape] or shape[0] == "MERGED_INTO", f"{shape}: the demo makes none"
    assert summary.counts["orders"] > 1000


@pytest.mark.parametrize("way", ["fastest", "by_label"])
def test_a_first_loaded_graph_answers_queries_as_the_other(graphs, way: str) -> None:
    answers = []
    for folder, _ in (graphs[way], graphs["merge"]):
        with Case.open(folder) as case:
            frame = workflows.query(case, "sales_per_trader")
        answers.append(frame.sort_values(frame.columns[0]).reset_index(drop=True))
    pd.testing.assert_frame_equal(*answers)
    assert len(answers[0]) > 10


def test_bulk_keeps_every_digit_and_type() -> None:
    frames = empty_graph_frames()
    frames["disclosures"] = pd.DataFrame(
        [{"disclosure_id": "001", "file_name": "零零一.csv", "platform": "jd",
          "ingested_at": None}]
    )  # fmt: skip
    (nodes, relationships, token, is_node), *_ = bulk.bulk_batches(frames)
    assert (nodes, relationships, is_node) == (1, 0, True)
    header = b"Disclosure\x00" + (4).to_bytes(4, "little") + b"disclosure_id\x00file_name\x00"
    assert token.startswith(header)
    # "001" as text (type 3), not the number 1; the missing time as no property (type 0)
    assert token.endswith(b"\x03001\x00\x03" + "零零一.csv".encode() + b"\x00\x03jd\x00\x00")


def test_bulk_encodes_each_type_as_the_server_reads_it() -> None:
    """Lists (empty, missing, with a missing item), longs, doubles (NaN: no property) and
    booleans, each as GRAPH.BULK's tag and then the value, native byte order."""
    frame = pd.DataFrame(
        {"names": [["李", None], [], None], "count": [7, -1, 2**40],
         "probability": [0.5, float("nan"), None], "retired": [True, False, None]}
    )  # fmt: skip
    table = pa.Table.from_pandas(frame, preserve_index=False)
    rows = bulk._rows([bulk._encoded(column) for column in table.columns]).to_pylist()
    long, double = struct.Struct("=Bq"), struct.Struct("=Bd")
    assert rows == [
        long.pack(5, 2) + "\x03李\x00".encode() + b"\x00"
        + long.pack(4, 7) + double.pack(2, 0.5) + b"\x01\x01",
        long.pack(5, 0) + long.pack(4, -1) + b"\x00" + b"\x01\x00",
        b"\x00" + long.pack(4, 2**40) + b"\x00" + b"\x00",
    ]  # fmt: skip
    with pytest.raises(bulk.NotBulkable, match="NUL"):
        bulk._encoded(pa.array(["a\x00b"]))
    with pytest.raises(bulk.NotBulkable, match="type"):
        bulk._encoded(pa.array([dt.date(2024, 1, 1)]))


def test_bulk_tokens_stay_under_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are cut into tokens of at most CHUNK_BYTES with the header, in order, none lost;
    a row longer than that goes alone."""
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 100)
    values = [b"a" * 30, b"b" * 30, b"c" * 30, b"d" * 250, b"e" * 10]
    rows = pa.array(values, bulk.BYTES).slice(0)
    tokens = list(bulk._tokens(rows, b"h" * 10))
    assert [count for count, _ in tokens] == [3, 1, 1]
    assert b"".join(body for _, body in tokens) == b"".join(values)
    assert list(bulk._tokens(pa.array(values, bulk.BYTES).slice(2, 2), b"")) == [
        (1, b"c" * 30), (1, b"d" * 250)
    ]  # fmt: skip


@pytest.mark.parametrize("where", ["first disclosure", "last order"])
def test_a_value_bulk_cannot_carry_falls_back_to_a_load_by_label(
    where: str, linked_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value GRAPH.BULK cannot carry, in the first batch or after every other node was
    sent: the graph is dropped and filled by label, whole."""
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    with Case.open(folder) as case, open_store(folder, None, fresh=True) as graph:
        if where == "last order":
            bad = case.orders.once()["key"].iloc[-1]
        else:
            bad = case.disclosures.sources()["sha256"].iloc[0]

        met: list[str] = []
        encode_text = bulk._text

        def text(values: pa.Array) -> pa.Array:
            if bad in values.to_pylist():
                met.append(bad)
                values = pc.if_else(pc.equal(values, bad), bad + "\x00", values)
            return encode_text(values)

        monkeypatch.setattr(bulk, "_text", text)
        summary = load(case, graph)
        _, orders = graph.query("MATCH (o:Order) RETURN count(o)")
        _, accounts = graph.query("MATCH (a:Account) RETURN count(a)")
    assert met == [bad]  # bulk met it (and a load by label does not encode)
    assert orders[0][0] == summary.counts["orders"] > 1000
    assert accounts[0][0] == summary.counts["accounts"]


@pytest.mark.parametrize("one_disclosure", [False, True])
def test_orders_read_in_parts_are_every_order_once(
    linked_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_disclosure: bool
) -> None:
    """The orders a load reads a part at a time (by a hash of the order), of every disclosure
    or (after a match) of one, are the orders of `once`: each once, with the same values, and
    with its seller's trader and network."""
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    monkeypatch.setattr(case_orders, "PART_ORDERS", 700)
    with Case.open(folder) as case:
        owners = graph_frames(case, None)["accounts"]
        whole = case.orders.once(copies=False)
        only = None
        if one_disclosure:
            only = [case.disclosures.sources()["sha256"].iloc[0]]
            keys = case.db.execute(
                "SELECT DISTINCT platform || ':' || order_id FROM orders WHERE disclosure_id = ?",
                only,
            ).fetchall()
            whole = whole[whole["key"].isin([key for (key,) in keys])]
        with case.orders.in_batches(owners, 500, READ_MEMORY, only) as orders:
            batches = list(orders.batches)
            count, schema = orders.count, orders.schema
    owner = owners.set_index("account_id")
    whole["trader_id"] = whole["account_id"].map(owner["trader_id"])
    whole["network_id"] = whole["account_id"].map(owner["network_id"])
    parts = pa.Table.from_batches(batches, schema).to_pandas()
    assert count == len(parts) == len(whole) > 700
    assert parts["key"].is_unique

    def plain(frame: pd.DataFrame) -> list[tuple]:
        frame = frame.sort_values("key").astype(object).where(frame.notna(), None)
        frame["provenance"] = frame["provenance"].map(tuple)
        return list(frame[list(whole.columns)].itertuples(index=False))

    assert plain(parts) == plain(whole)


@pytest.mark.parametrize("skipped", [None, 1], ids=["each", "one-without-the-graph"])
def test_a_graph_kept_up_to_date_by_matches_is_the_graph_a_first_load_makes(
    demo_files, tmp_path: Path, skipped: int | None
) -> None:
    """Disclosures matched one after another, each bringing the graph up to date (or all but
    one: its orders come with the next match), then a judgement that parts a trader's two
    accounts, leave the graph a first load of the final case makes: the same nodes, properties
    and relationships. Among them: old orders that a later disclosure makes self-purchases (or
    the judgement makes sales again), and old orders shipped to a phone or address only a
    later disclosure registers."""
    kept = tmp_path / "kept"
    with Case.open(kept) as case:
        updates = [
            workflows.match(case, files, graph=n != skipped).graph
            for n, files in enumerate((demo_files[2:], demo_files[1:2], demo_files[:1]))
        ]
        updates = [update.summary for update in updates if update is not None]  # fmt: skip
        seller, registrant = case.db.execute(
            "SELECT seller, registrant FROM self_purchases ORDER BY ALL LIMIT 1"
        ).fetchone()
        judged = workflows.judge(case, seller, registrant, "different", "two people")
        assert case.orders.self_purchase_count() > 0
    assert all(updates) and judged.graph is not None and judged.graph.summary is not None
    assert updates[-1].counts["self_purchase_flags"] > 0  # old orders flagged by a later match
    assert judged.graph.summary.counts["self_purchase_flags"] > 0  # and unflagged by a judgement
    fresh = tmp_path / "fresh"
    shutil.copytree(kept, fresh, ignore=shutil.ignore_patterns("graph"))
    with Case.open(fresh) as case:
        workflows.load_graph(case)
    (nodes, relationships), expected = _contents(kept), _contents(fresh)
    for spec in NODES:
        assert nodes[spec.label] == expected[0][spec.label], spec.label
    for shape in _shapes():
        assert relationships[shape] == expected[1][shape], shape


def test_a_later_load_writes_the_rows_that_changed_while_the_graph_holds_what_its_ledger_says(
    demo_files, tmp_path: Path
) -> None:
    """After a match, the graph gets only the rows its ledger does not hold (a graph saved with
    the ledger's revision); nothing changed, nothing is written; a link the case no longer
    holds leaves the graph; a graph of another revision
    than the ledger's (saved before it), or one with a damaged ledger or none, gets every row
    again."""
    with Case.open(tmp_path / "case") as case:
        workflows.match(case, demo_files[1:])
        ledger = graph_load.Ledger.path(case)
        assert ledger.is_file() and ledger.stat().st_mode & 0o077 == 0
        before = ledger.read_bytes()
        again = workflows.update_graph(case).summary
        assert again is not None and again.counts["accounts"] == 0
        assert again.counts["identifiers_Phone"] == again.counts["links"] == 0
        a, b = case.db.execute("SELECT account_a, account_b FROM links LIMIT 1").fetchone()
        case.db.execute("DELETE FROM links WHERE account_a = ? AND account_b = ?", [a, b])
        unlinked = workflows.update_graph(case).summary
        assert unlinked is not None and unlinked.counts["links_gone"] == 1
        assert unlinked.counts["links"] == 0
        with open_store(case.folder, read_only=True) as graph:
            _, held = graph.query(
                "MATCH (:Account {account_id: $a})-[l:LINKED]->"
                "(:Account {account_id: $b}) RETURN count(l)",
                {"a": a, "b": b},
            )
        assert held == [[0]]
        later = workflows.match(case, demo_files[:1]).graph
        everyone = len(graph_frames(case, None)["accounts"])
        assert later is not None and later.summary is not None
        assert 0 < later.summary.counts["accounts"] < everyone
        ledger.write_bytes(before)  # a ledger of a revision the graph no longer carries
        stale = workflows.update_graph(case).summary
        ledger.write_bytes(b"PAR1 cut short")  # a damaged ledger
        damaged = workflows.update_graph(case).summary
        ledger.unlink()
        unknown = workflows.update_graph(case).summary
    for summary in (stale, damaged, unknown):
        assert summary is not None and summary.counts["accounts"] == everyone
