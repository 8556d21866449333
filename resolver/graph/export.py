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
from resolver.graph.load import graph_frames
from resolver.graph.model import NODES, RELATIONSHIPS, Nodes
from resolver.graph.store import plain_rows, schema_statements
from resolver.progress import Progress, silent

ARRAY_DELIMITER = "\x1f"  # unit separator: no disclosed value holds it (a ';' or '|' may)
ADMIN_ARRAY_DELIMITER = "U+001F"
BATCH_ROWS = 50_000


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
        frame = spec.rows(frames)
        path = out / f"nodes_{spec.label}.csv"
        header = [f"{spec.key}:ID({spec.label})"] + [
            _typed(name, frame[name]) for name in spec.properties
        ]
        columns = [spec.key, *spec.properties]
        _write(path, header, frame[columns])
        nodes[spec.label] = nodes.get(spec.label, 0) + len(frame)
        node_files.append((spec.label, path))
        progress("export: nodes", len(node_files), len(every))
    for index, rel in enumerate(RELATIONSHIPS):
        frame = rel.rows(frames)
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
