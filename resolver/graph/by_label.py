"""A first load by label: every node of one label, then every relationship of one type, created
rather than merged (a graph that holds nothing has nothing to merge with), in chunks that run
side by side without touching the same node.

It is the first load of a Neo4j server that is running (`neo4j-admin database import`, the
fastest, needs it stopped and a new database: `export-graph --format neo4j-admin`), and of the
embedded store where GRAPH.BULK cannot carry a value. Later loads MERGE (`load.STATEMENTS`).

Parallel-safe chunks: a relationship locks both its nodes, so two transactions that touch one
node wait on each other, and may deadlock. Rows go to a k x k grid by (hash of the start node,
hash of the end node) modulo k; round r writes the k cells (i, i + r mod k) side by side, and
no two of them share a start node or an end node. A type whose two ends have one label
(Account -LINKED-> Account) could meet one node at both ends: it is written by one worker.
Nodes of one label have distinct keys and are split evenly. The orders come from the case a
batch at a time: each batch's nodes, then its SOLD relationships, so memory holds one batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np
import pandas as pd

from resolver.graph.model import NODES, RELATIONSHIPS, Nodes, Relationships
from resolver.graph.store import KEYS, GraphStore, write_frame
from resolver.progress import Progress

WORKERS = 4  # transactions side by side: Neo4j's own guidance for UNWIND loads is a few


@dataclass(frozen=True)
class Step:
    """One label's nodes or one relationship type's rows from one frame: its statement and the
    rounds of chunks that it writes (the chunks of a round side by side)."""

    name: str
    statement: str
    rounds: list[list[pd.DataFrame]]
    total: int | None = None  # rows of all the steps of this name, where it comes in parts

    @property
    def rows(self) -> int:
        return sum(len(chunk) for chunks in self.rounds for chunk in chunks)


def node_statement(spec: Nodes) -> str:
    sets = ", ".join(f"n.{p} = r.{p}" for p in spec.properties)
    return f"UNWIND $rows AS r\nCREATE (n:{spec.label} {{{spec.key}: r.{spec.key}}})\nSET {sets}"


def relationship_statement(rel: Relationships) -> str:
    (start, _), (end, _) = rel.start, rel.end
    text = (
        f"UNWIND $rows AS r\n"
        f"MATCH (a:{start} {{{KEYS[start]}: r.from_key}})\n"
        f"MATCH (b:{end} {{{KEYS[end]}: r.to_key}})\n"
        f"CREATE (a)-[x:{rel.type}]->(b)"
    )
    if rel.properties:
        text += "\nSET " + ", ".join(f"x.{p} = r.{p}" for p in rel.properties)
    return text


def statements() -> dict[str, str]:
    """Every statement of the first load by label, by name (the lint test reads them)."""
    named = {f"first_nodes_{spec.label}": node_statement(spec) for spec in NODES}
    for rel in RELATIONSHIPS:
        named[f"first_{rel.type}_{rel.frame}"] = relationship_statement(rel)
    return named


def steps(
    frames: dict[str, pd.DataFrame],
    workers: int = WORKERS,
    orders: Iterable[pd.DataFrame] | None = None,
    order_count: int | None = None,
) -> Iterator[Step]:
    """The whole graph of `frames`, nodes first, as the steps of a first load by label.
    `orders`: the orders frame a part at a time (`order_count` in all), in place of
    `frames["orders"]`: each part's nodes, then its relationships to accounts."""
    for spec in NODES:
        if spec.frame != "orders":
            yield _node_step(spec, frames, workers)
    for part in [frames["orders"]] if orders is None else orders:
        with_part = frames | {"orders": part}
        for spec in NODES:
            if spec.frame == "orders":
                yield _node_step(spec, with_part, workers, order_count)
        for rel in RELATIONSHIPS:
            if rel.frame == "orders":
                yield _relationship_step(rel, with_part, workers, order_count)
    for rel in RELATIONSHIPS:
        if rel.frame != "orders":
            yield _relationship_step(rel, frames, workers)


def _node_step(
    spec: Nodes, frames: dict[str, pd.DataFrame], workers: int, total: int | None = None
) -> Step:
    nodes = spec.rows(frames)[[spec.key, *spec.properties]]
    chunks = [c for c in np.array_split(np.arange(len(nodes)), workers) if len(c)]
    rounds = [[nodes.iloc[c] for c in chunks]]
    return Step(f"{spec.label} nodes", node_statement(spec), rounds, total)


def _relationship_step(
    rel: Relationships, frames: dict[str, pd.DataFrame], workers: int, total: int | None = None
) -> Step:
    frame = rel.rows(frames)
    rows = pd.DataFrame(
        {"from_key": frame[rel.start[1]], "to_key": frame[rel.end[1]]}
        | {p: frame[column] for p, column in rel.properties.items()}
    )
    one_worker = rel.start[0] == rel.end[0]
    return Step(
        f"{rel.type} relationships",
        relationship_statement(rel),
        grid(rows, 1 if one_worker else workers),
        total,
    )


def grid(rows: pd.DataFrame, workers: int) -> list[list[pd.DataFrame]]:
    """`rows` (from_key, to_key, ...) in rounds of chunks that share no start node and no end
    node within a round (see the module's note)."""
    if workers == 1 or len(rows) == 0:
        return [[rows]]
    start = _bucket(rows["from_key"], workers)
    end = _bucket(rows["to_key"], workers)
    round_of = (end - start) % workers
    rounds = []
    for r in range(workers):
        chunks = [rows[(round_of == r) & (start == i)] for i in range(workers)]
        rounds.append([chunk for chunk in chunks if len(chunk)])
    return [chunks for chunks in rounds if chunks]


def _bucket(keys: pd.Series, workers: int) -> np.ndarray:
    hashed = pd.util.hash_pandas_object(keys.astype(str), index=False).to_numpy()
    return (hashed % np.uint64(workers)).astype(np.int64)


def write(
    store: GraphStore,
    frames: dict[str, pd.DataFrame],
    batch_size: int,
    progress: Progress,
    workers: int = WORKERS,
    orders: Iterable[pd.DataFrame] | None = None,
    order_count: int | None = None,
) -> None:
    """Write every step of `frames` (and `orders`, see `steps`) into `store`, the chunks of a
    round side by side (each in its own transactions of `batch_size` rows); a failure stops the
    load at the end of its round and is raised (the graph then holds no case state: the next
    load merges)."""

    def write_chunk(statement: str, chunk: pd.DataFrame) -> int:
        return sum(write_frame(store, statement, chunk, batch_size))

    with ThreadPoolExecutor(workers, thread_name_prefix="graph-load") as pool:
        done: dict[str, int] = {}  # rows written by step name (a step may come in parts)
        for step in steps(frames, workers, orders, order_count):
            total = step.rows if step.total is None else step.total
            for chunks in step.rounds:
                futures = [pool.submit(write_chunk, step.statement, c) for c in chunks]
                wait(futures)  # the whole round, even where a chunk failed
                for future in futures:
                    done[step.name] = done.get(step.name, 0) + future.result()  # raises
                progress(f"graph: {step.name}", done[step.name], total)
