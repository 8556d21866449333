"""The whole graph as the files `neo4j-admin database import full` reads: the fast first load of
a big case into an empty Neo4j database, where the loader's batched `UNWIND ... MERGE` is the
slow path for millions of rows (Neo4j's own documentation says so).

It is the graph the loader makes — built from the same frames (`load.graph_frames`), one node
file per label and one relationship file per type, properties typed in the headers (`:long`,
`:double`, `:boolean`, `string[]`) — plus `import.sh` with the exact import command and
`schema.cypher` with the constraints and indexes the loader would create (the import makes
none), and the case's revision, so that `resolver query --store` accepts the imported graph.
Later changes go on through `resolver match --store ...` (MERGE), as after any load.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from resolver.case import Case
from resolver.errors import ResolverError
from resolver.graph.load import IDENTIFIER_LABELS, graph_frames, plain_rows
from resolver.graph.store import schema_statements
from resolver.progress import Progress, silent

ARRAY_DELIMITER = "\x1f"  # unit separator: no disclosed value holds it (a ';' or '|' may)
ADMIN_ARRAY_DELIMITER = "U+001F"
BATCH_ROWS = 50_000


@dataclass(frozen=True)
class Nodes:
    label: str
    frame: str  # of graph_frames
    key: str  # the column that identifies a node (its property of the same name)
    properties: tuple[str, ...]  # columns stored as properties of the same name


@dataclass(frozen=True)
class Relationships:
    type: str
    frame: str
    start: tuple[str, str]  # (label, column holding its key)
    end: tuple[str, str]
    properties: dict[str, str]  # property -> column


IDENTIFIER_PROPERTIES = ("value", "masked", "hub")
ORDER_PROPERTIES = ("platform", "order_id", "product_title", "amount_fen", "quantity",
                    "unit_price_fen", "paid_at", "recipient_name", "recipient_phone",
                    "recipient_address", "self_purchase", "provenance", "trader_id",
                    "network_id")  # fmt: skip

# What the loader's statements (load.STATEMENTS) write, as data: the tests check that an export
# holds the same nodes, relationships and properties as a graph the loader filled.
NODES = (
    Nodes("Disclosure", "disclosures", "disclosure_id", ("file_name", "platform", "ingested_at")),
    Nodes("Trader", "traders", "trader_id",
          ("retired", "names", "account_count", "platforms", "network_id")),
    Nodes("Account", "accounts", "account_id",
          ("platform", "account_key", "store_name", "registrant_name", "registrant_kind",
           "trader_id", "probability", "network_id")),
    *(Nodes(label, f"identifiers_{label}", "key", IDENTIFIER_PROPERTIES)
      for label in IDENTIFIER_LABELS),
    Nodes("Order", "orders", "key", ORDER_PROPERTIES),
)  # fmt: skip
RELATIONSHIPS = (
    Relationships("MERGED_INTO", "merged", ("Trader", "retired"), ("Trader", "kept"), {}),
    Relationships("OPERATES", "operates", ("Trader", "trader_id"), ("Account", "account_id"),
                  {"probability": "probability"}),
    Relationships("DISCLOSED_IN", "account_sources", ("Account", "account_id"),
                  ("Disclosure", "disclosure_id"), {"sheet": "sheet", "row": "row"}),
    *(Relationships("REGISTERED_WITH", f"identifiers_{label}", ("Account", "account_id"),
                    (label, "key"), {"sources": "sources"}) for label in IDENTIFIER_LABELS),
    Relationships("LINKED", "links", ("Account", "account_a"), ("Account", "account_b"),
                  {"probability": "probability", "match_weight": "match_weight",
                   "evidence": "evidence"}),
    Relationships("JUDGED", "judged", ("Account", "account_a"), ("Account", "account_b"),
                  {"verdict": "verdict", "by": "author", "at": "judged_at", "reason": "reason",
                   "seq": "seq"}),
    Relationships("SOLD", "orders", ("Account", "account_id"), ("Order", "key"), {}),
    *(Relationships("SHIPS_TO", f"ships_to_{label}", ("Order", "order"), (label, "key"), {})
      for label in ("Phone", "Address")),
)  # fmt: skip


@dataclass
class ExportSummary:
    folder: Path
    nodes: dict[str, int]  # label -> nodes
    relationships: dict[str, int]  # type -> relationships
    files: list[Path]


def export_neo4j_admin(case: Case, out: Path, progress: Progress = silent) -> ExportSummary:
    """Write the graph of the case into `out` (a new or empty folder, made owner-only) for
    `neo4j-admin database import full`, with `import.sh` and `schema.cypher` beside it."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ResolverError(f"{out}: not an empty folder; the export writes a new one")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    frames = graph_frames(case, None)
    frames["case_state"] = pd.DataFrame(
        [{"key": "case", "revision": case.revision,
          "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}]
    )  # fmt: skip
    nodes: dict[str, int] = {}
    relationships: dict[str, int] = {}
    node_files: list[tuple[str, Path]] = []
    relationship_files: list[tuple[str, Path]] = []
    every = (*NODES, Nodes("CaseState", "case_state", "key", ("revision", "loaded_at")))
    for spec in every:  # an identifier's frame has a row per account holding it: one node
        frame = frames[spec.frame].drop_duplicates(subset=[spec.key], keep="last")
        path = out / f"nodes_{spec.label}.csv"
        header = [f"{spec.key}:ID({spec.label})"] + [
            _typed(name, frame[name]) for name in spec.properties
        ]
        columns = [spec.key, *spec.properties]
        _write(path, header, frame[columns])
        nodes[spec.label] = nodes.get(spec.label, 0) + len(frame)
        node_files.append((spec.label, path))
        progress("export: nodes", len(node_files), len(every))
    for index, rel in enumerate(RELATIONSHIPS):  # frames hold each pair once, as MERGE leaves it
        frame = frames[rel.frame]
        path = out / f"relationships_{rel.type}_{index:02d}.csv"
        header = [f":START_ID({rel.start[0]})", f":END_ID({rel.end[0]})"] + [
            _typed(name, frame[column]) for name, column in rel.properties.items()
        ]
        columns = [rel.start[1], rel.end[1], *rel.properties.values()]
        _write(path, header, frame[columns])
        relationships[rel.type] = relationships.get(rel.type, 0) + len(frame)
        relationship_files.append((rel.type, path))
        progress("export: relationships", index + 1, len(RELATIONSHIPS))
    script = out / "import.sh"
    _private_text(script, _script(node_files, relationship_files))
    script.chmod(0o700)
    schema = out / "schema.cypher"
    _private_text(schema, "".join(f"{s};\n" for s in schema_statements("neo4j")))
    files = [p for _, p in node_files + relationship_files] + [script, schema]
    return ExportSummary(out, nodes, relationships, files)


def _typed(name: str, values: pd.Series) -> str:
    """A header field: the property's name and the type neo4j-admin is to read it as."""
    if pd.api.types.is_bool_dtype(values):
        return f"{name}:boolean"
    if pd.api.types.is_integer_dtype(values):
        return f"{name}:long"
    if pd.api.types.is_float_dtype(values):
        return f"{name}:double"
    sample = next((v for v in values if v is not None and not _missing(v)), None)
    if isinstance(sample, bool):
        return f"{name}:boolean"
    if isinstance(sample, int):
        return f"{name}:long"
    if isinstance(sample, float):
        return f"{name}:double"
    if sample is not None and not isinstance(sample, str) and hasattr(sample, "__len__"):
        return f"{name}:string[]"
    return name  # a string


def _missing(value: object) -> bool:
    return isinstance(value, float) and value != value  # NaN


def _write(path: Path, header: list[str], frame: pd.DataFrame) -> None:
    """One CSV file, owner-only: a missing value is an empty field (no property, as the loader
    leaves it), a text is quoted (an empty one is "", a property that is empty), arrays are
    joined by the unit separator. Rows become Python values a batch at a time."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(handle, "w", encoding="utf-8", newline="") as file:
        file.write(",".join(header) + "\n")
        for start in range(0, len(frame), BATCH_ROWS):
            for row in plain_rows(frame.iloc[start : start + BATCH_ROWS]):
                file.write(",".join(_field(value) for value in row.values()) + "\n")


def _field(value: object) -> str:
    if value is None or _missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        value = ARRAY_DELIMITER.join(str(v) for v in value)
    return '"' + str(value).replace('"', '""') + '"'


def _private_text(path: Path, text: str) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(handle, "w", encoding="utf-8") as file:
        file.write(text)


def _script(node_files: list[tuple[str, Path]], relationship_files: list[tuple[str, Path]]) -> str:
    arguments = [f"--nodes={label}={path.name}" for label, path in node_files]
    arguments += [f"--relationships={kind}={path.name}" for kind, path in relationship_files]
    lines = " \\\n  ".join(shlex.quote(a) for a in arguments)
    return f"""#!/bin/sh
# A first load of a resolver case into an EMPTY, STOPPED Neo4j 5 database (it replaces the
# database named below). Run it where neo4j-admin runs, with this folder as the current one
# (docker: mount it at /import and run the command in the container, the database stopped).
# Then start the database and create the constraints and indexes the import does not make:
#   cypher-shell -u neo4j -p "$NEO4J_PASSWORD" -f schema.cypher
set -eu
cd "$(dirname "$0")"
DATABASE="${{1:-neo4j}}"
neo4j-admin database import full "$DATABASE" --overwrite-destination \\
  --array-delimiter={ADMIN_ARRAY_DELIMITER} --multiline-fields=true --quote='"' \\
  {lines}
"""
