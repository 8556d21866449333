"""Schema versions of the case database, and the steps that upgrade an older case.

A case records the version of its schema in `meta`. Opening a case of an older version runs
each step from its version up, in the same transaction as the rest of the upgrade; a case made
by a newer resolver is refused. Version 0 is the layout before versions were kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import duckdb

from resolver.errors import CaseError

SCHEMA_VERSION = 1
SCHEMA_SQL = files("resolver.case").joinpath("schema.sql")
VIEWS_SQL = files("resolver.case").joinpath("views.sql")
# Files that version 0 kept beside the database; version 1 keeps the model in it.
V0_MODEL_FILE, V0_RULES_FILE = "model.json", "model.config.sha256"


def version_of(db: duckdb.DuckDBPyConnection, folder: Path) -> int | None:
    """The schema version of an open database; None when it is empty (a new case)."""
    tables = {
        name
        for (name,) in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if not tables:
        return None
    if "meta" in tables:
        rows = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        return int(rows[0][0])
    if "disclosures" in tables:
        return 0
    raise CaseError(f"{folder}: this folder's case.duckdb is not a resolver case")


def create(db: duckdb.DuckDBPyConnection, tool_version: str) -> None:
    db.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    db.execute(
        "INSERT INTO meta VALUES ('schema_version', ?), ('created_by', ?)",
        [str(SCHEMA_VERSION), f"resolver {tool_version}"],
    )


def upgrade(db: duckdb.DuckDBPyConnection, folder: Path, version: int) -> list[Path]:
    """Bring the database from `version` to SCHEMA_VERSION; returns files the caller removes
    once the upgrade is committed (their content now lives in the database)."""
    if version > SCHEMA_VERSION:
        raise CaseError(
            f"{folder}: this case was written by a newer resolver (schema {version}; this one "
            f"reads up to {SCHEMA_VERSION}): upgrade resolver to open it"
        )
    leftovers: list[Path] = []
    for step in STEPS[version:]:
        leftovers += step(db, folder)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
    return leftovers


def _v0_to_v1(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 1 keeps its version in `meta` and the trained model inside the database (so a
    match that rolls back also rolls back the model it trained)."""
    db.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('created_by', 'resolver 0.1')")
    db.execute(
        "CREATE TABLE model (trained_at TIMESTAMPTZ NOT NULL, rules_sha256 VARCHAR NOT NULL, "
        "rules VARCHAR, settings VARCHAR NOT NULL)"
    )
    model, rules = folder / V0_MODEL_FILE, folder / V0_RULES_FILE
    if model.exists() and rules.exists():
        settings = json.loads(model.read_text(encoding="utf-8"))
        db.execute(
            "INSERT INTO model VALUES (now(), ?, NULL, ?)",
            [rules.read_text(encoding="utf-8").strip(), json.dumps(settings)],
        )
    return [path for path in (model, rules) if path.exists()]


STEPS: list[Callable[[duckdb.DuckDBPyConnection, Path], list[Path]]] = [_v0_to_v1]
assert len(STEPS) == SCHEMA_VERSION  # one step into each version
