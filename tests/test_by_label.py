"""The first load by label (Neo4j's, when its server is running) writes relationships in rounds
of chunks side by side: within a round no two chunks touch one node (no lock waits, no
deadlocks), every row is written once, and a chunk that fails stops the load with its error and
no case state in the graph. What the load makes is compared whole with the MERGE statements'
graph in test_bulk_load.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import empty_graph_frames
from hypothesis import given
from hypothesis import strategies as st

from resolver.case import Case
from resolver.graph import by_label
from resolver.graph.load import CASE_STATE, load
from resolver.graph.store import open_store

pairs = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 300)), max_size=400)


@given(pairs=pairs, workers=st.integers(1, 6))
def test_chunks_of_a_round_share_no_node(pairs: list[tuple[int, int]], workers: int) -> None:
    rows = pd.DataFrame(
        {"from_key": [f"a{a}" for a, _ in pairs], "to_key": [f"o{b}" for _, b in pairs]}
    )
    rounds = by_label.grid(rows, workers)
    written = pd.concat([chunk for chunks in rounds for chunk in chunks])
    assert sorted(written.index) == list(rows.index)  # each row once
    assert len(rounds) <= workers
    for chunks in rounds:
        assert len(chunks) <= workers
        for column in ("from_key", "to_key"):
            seen: set[str] = set()
            for chunk in chunks:
                keys = set(chunk[column])
                assert not keys & seen, f"two chunks of a round hold one {column}"
                seen |= keys


def test_a_type_with_one_label_at_both_ends_is_written_by_one_worker() -> None:
    frames = empty_graph_frames()
    frames["links"] = pd.DataFrame(
        {"account_a": ["a", "b", "c", "d"], "account_b": ["b", "c", "a", "a"],
         "probability": 0.9, "match_weight": 9.0, "evidence": "[]"}
    )  # fmt: skip
    frames["operates"] = frames["links"].set_axis(
        ["trader_id", "account_id", "probability", "w", "e"], axis=1
    )
    steps = {step.name: step for step in by_label.steps(frames, workers=4)}
    linked, operates = steps["LINKED relationships"], steps["OPERATES relationships"]
    assert [len(chunks) for chunks in linked.rounds] == [1] and linked.rows == 4
    assert sum(len(chunks) for chunks in operates.rounds) > 1 and operates.rows == 4


def test_a_failed_chunk_stops_the_load_with_its_error(
    linked_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "case"
    shutil.copytree(linked_case, folder)
    with Case.open(folder) as case, open_store(folder, None) as graph:
        written = []
        write = graph.write

        def failing(text: str, rows: list[dict], batch_size: int) -> None:
            if "SOLD" in text and written:
                raise RuntimeError("the server went away")
            if "SOLD" in text:
                written.append(len(rows))
            write(text, rows, batch_size)

        monkeypatch.setattr(graph, "write", failing)
        with pytest.raises(RuntimeError, match="went away"):
            load(case, graph, batch_size=500, first_load="by_label")
        assert graph.query(CASE_STATE)[1] == []  # refused until loaded again
        monkeypatch.undo()
        load(case, graph)  # merges over what the cut load left
        _, orders = graph.query("MATCH (:Account)-[s:SOLD]->(o:Order) RETURN count(o), count(s)")
        assert orders[0][0] == orders[0][1] == len(case.orders.once(copies=False))
        assert graph.query(CASE_STATE)[1][0][0] == case.revision
