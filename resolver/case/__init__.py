"""The case layer: one litigation matter's state, and the only code that knows its tables.

A case is a folder readable by its owner only, holding `case.duckdb`. Stages (ingestion,
linkage, graph, reporting) read and write it through the accessors of `Case`, one per concept:
`disclosures` (files, quarantine), `records` (sellers and their identifiers), `orders`,
`links` (scored pairs, self-purchases, hubs), `traders` (trader ids, networks), `model` and
`judgements` (investigators' decisions on pairs, a hash-chained ledger).
The schema lives in `schema.sql`, its version in `migrations`.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from resolver.case import migrations
from resolver.case.disclosures import Disclosures
from resolver.case.judgements import Judgements
from resolver.case.links import Links
from resolver.case.model import ModelStore
from resolver.case.orders import Orders
from resolver.case.records import Records
from resolver.case.traders import Traders
from resolver.errors import CaseError, NotFound

DEFAULT_CASE = Path("resolver-case")
DATABASE = "case.duckdb"
SPILL = "tmp"  # where DuckDB writes what does not fit in memory: inside the case, owner-only
T = TypeVar("T")

__all__ = ["DATABASE", "DEFAULT_CASE", "Case", "private_folder", "quiet"]


def private_folder(path: Path) -> Path:
    """Create (or tighten) a folder that only its owner can enter: it holds personal data."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


class Case:
    """The state of one matter. Open it with `Case.open(folder)`; close it when done."""

    def __init__(self, folder: Path, connection: duckdb.DuckDBPyConnection) -> None:
        self.folder = folder
        self.db = connection
        self._depth = 0
        self._memory_limit: str | None = None  # as last given to limit_memory
        self.disclosures = Disclosures(self)
        self.records = Records(self)
        self.orders = Orders(self)
        self.links = Links(self)
        self.traders = Traders(self)
        self.model = ModelStore(self)
        self.judgements = Judgements(self)

    @classmethod
    def open(cls, folder: Path | str = DEFAULT_CASE, create: bool = True) -> Case:
        """Open the case in `folder`, upgrading an older one; with `create`, a folder without a
        case gets a new one, else `NotFound`."""
        folder = Path(folder)
        if not (folder / DATABASE).is_file():
            if not create:
                raise NotFound(f"no case at {folder} (`resolver ingest` or `match` makes one)")
            if folder.exists() and not folder.is_dir():
                raise CaseError(f"{folder}: not a folder")
            if folder.is_dir() and any(folder.iterdir()):
                raise CaseError(
                    f"{folder}: a folder that holds other files and no case; name a new or an "
                    "empty folder for a case"
                )
        folder = private_folder(folder)
        old_umask = os.umask(0o077)  # the database and its WAL are created owner-only
        try:
            connection = _connect(folder / DATABASE)
        finally:
            os.umask(old_umask)
        (folder / DATABASE).chmod(0o600)
        try:
            leftovers = _prepare(connection, folder)
        except BaseException:
            connection.close()
            raise
        for path in leftovers:
            path.unlink(missing_ok=True)
        return cls(folder, connection)

    def close(self) -> None:
        self.db.close()

    def spill_folder(self) -> Path:
        """The case's own folder for work that does not fit in memory (owner-only)."""
        return private_folder(self.folder / SPILL)

    def limit_memory(self, limit: str | None) -> None:
        """Hold the case's DuckDB to `limit` (e.g. `3GB`; None: DuckDB's default); beyond it,
        it spills."""
        if limit is None:
            self.db.execute("RESET memory_limit")
        else:
            self.db.execute(f"SET memory_limit = '{limit}'")
        self._memory_limit = limit

    def read_within(self, limit: str, read: Callable[[], T]) -> T:
        """`read()` with DuckDB held to `limit` (it spills past it); where the work cannot
        finish inside it (what DuckDB cannot spill grows with the case), `read()` again under
        the limit the case had."""
        try:
            with self.memory_held_to(limit):
                return read()
        except duckdb.OutOfMemoryException:
            return read()

    @contextmanager
    def streamed_within(self, limit: str, sql: str, rows: int) -> Iterator[pa.RecordBatchReader]:
        """The rows of `sql`, `rows` at a time, read inside the block with DuckDB held to
        `limit`, as `read_within` reads (where its sorts and aggregates cannot run inside it, the
        query runs again under the case's usual limit). The connection takes no other query
        until the block ends."""
        usual = self._memory_limit
        for held in (limit, usual):
            with self.memory_held_to(held):
                try:  # DuckDB runs the query's sorts and aggregates before the first batch
                    reader = self.db.sql(sql).to_arrow_reader(rows)
                except duckdb.OutOfMemoryException:
                    if held == usual:
                        raise
                    continue
                try:
                    yield reader
                finally:
                    reader.close()  # before the limit is set back: DuckDB asks it
                return

    @contextmanager
    def memory_held_to(self, limit: str | None) -> Iterator[None]:
        """`limit_memory` for the work inside the block, then the limit it had before (as
        given: DuckDB reports it rounded)."""
        before = self._memory_limit
        self.limit_memory(limit)
        try:
            yield
        finally:
            self.limit_memory(before)

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: a failure midway leaves the case as it was. Nested uses join the
        outer transaction (`resolver match` ingests and links in one)."""
        if self._depth:
            self._depth += 1
            try:
                yield self.db
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self.db
            # every change gets a new revision, which a graph loaded from it carries
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('revision', ?)", [uuid.uuid4().hex]
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
        self.db.execute("COMMIT")

    @property
    def revision(self) -> str | None:
        """Changes with every committed change to the case (None: never changed)."""
        return self.scalar("SELECT value FROM meta WHERE key = 'revision'")

    @contextmanager
    def registered(self, **frames: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        """Frames (pandas or Arrow) visible to SQL under the given names while inside."""
        for name, frame in frames.items():
            self.db.register(name, frame)
        try:
            yield self.db
        finally:
            for name in frames:  # after an error that aborted the transaction, unregistering
                with suppress(duckdb.TransactionException):  # fails too: that error goes on
                    self.db.unregister(name)

    def scalar(self, sql: str, parameters: list | None = None) -> Any:
        """The single value a query returns (the result is read to its end, as DuckDB asks
        before the connection does other work)."""
        rows = self.db.execute(sql, parameters or []).fetchall()
        return rows[0][0] if rows else None

    def status(self) -> dict:
        """What the case holds: counts per concept and the disclosures."""
        counts = self.disclosures.counts() | {"traders": self.traders.count()}
        return {
            "folder": str(self.folder),
            "counts": counts,
            "disclosures": self.disclosures.listing(),
        }


def quiet(db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`db` without the progress bar DuckDB draws on the terminal past 2 s of a query: our
    commands show their own progress, or none with --quiet."""
    db.execute("SET enable_progress_bar = false")
    return db


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return quiet(duckdb.connect(str(path)))
    except duckdb.IOException as err:
        held = re.search(r"PID (\d+)", str(err))
        by = f" by process {held.group(1)}" if held else ""
        raise CaseError(
            f"{path.parent}: the case is in use{by}; wait for that command to finish"
        ) from None


def _prepare(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Create or upgrade the schema, then make the views; returns files to remove. Spilled
    work left by a command that was killed is removed (the database lock says none runs)."""
    from resolver import __version__

    spill = folder / SPILL
    shutil.rmtree(spill, ignore_errors=True)
    db.execute("SET temp_directory = ?", [str(private_folder(spill))])
    version = migrations.version_of(db, folder)
    leftovers: list[Path] = []
    if version != migrations.SCHEMA_VERSION:
        db.execute("BEGIN TRANSACTION")
        try:
            if version is None:
                migrations.create(db, __version__)
            else:
                leftovers = migrations.upgrade(db, folder, version)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    db.execute(migrations.VIEWS_SQL.read_text(encoding="utf-8"))
    return leftovers
