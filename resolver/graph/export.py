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
import pyarrow as pa
import pyarrow.compute as pc

from resolver.case import Case
from resolver.errors import ResolverError
from resolver.graph.load import ORDER_ROWS, READ_MEMORY, graph_frames
from resolver.graph.model import NODES, RELATIONSHIPS, Nodes, Relationships
from resolver.graph.store import plain_rows, schema_statements
from resolver.progress import Progress, silent

TEXT = pa.large_string()  # the type of every field made
QUOTE = pa.scalar('"', TEXT)
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
    every = (*NODES, Nodes("CaseState", "case_state", "key", ("revision", "loaded_at")))
    files: list[_CsvFile] = []
    try:
        with case.orders.in_batches(frames["accounts"], ORDER_ROWS, READ_MEMORY) as orders:
            # the orders a batch at a time, into their nodes' file and their SOLD file
            batches = orders.frames()  # typed alike: the first batch types the headers
            frames["orders"] = next(batches, orders.no_rows())
            specs: list[Nodes | Relationships] = [*every, *RELATIONSHIPS]
            for index, spec in enumerate(specs):
                files.append(_CsvFile(out, spec, index - len(every), frames))
                progress("export: files", index + 1, len(specs))
            for batch in batches:
                frames["orders"] = batch
                for file in files:
                    if file.spec.frame == "orders":
                        file.write(frames)
    finally:
        for file in files:
            file.handle.close()
    nodes: dict[str, int] = {}
    relationships: dict[str, int] = {}
    node_files: list[tuple[str, Path]] = []
    relationship_files: list[tuple[str, Path]] = []
    for file in files:
        if isinstance(file.spec, Nodes):
            nodes[file.spec.label] = nodes.get(file.spec.label, 0) + file.rows
            node_files.append((file.spec.label, file.path))
        else:
            relationships[file.spec.type] = relationships.get(file.spec.type, 0) + file.rows
            relationship_files.append((file.spec.type, file.path))
    script = out / "import.sh"
    _private_text(script, _script(node_files, relationship_files))
    script.chmod(0o700)
    schema = out / "schema.cypher"
    _private_text(schema, "".join(f"{s};\n" for s in schema_statements("neo4j")))
    paths = [p for _, p in node_files + relationship_files] + [script, schema]
    return ExportSummary(out, nodes, relationships, paths)


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


class _CsvFile:
    """The file of one label's nodes or one relationship type's rows of one frame, owner-only,
    typed by the first frame it is given and written a frame at a time: a missing value is an
    empty field (no property, as the loader leaves it), a text is quoted (an empty one is "",
    a property that is empty), arrays are joined by the unit separator."""

    def __init__(
        self, out: Path, spec: Nodes | Relationships, index: int, frames: dict[str, pd.DataFrame]
    ) -> None:
        self.spec, self.rows = spec, 0
        frame = spec.rows(frames)
        if isinstance(spec, Nodes):
            self.path = out / f"nodes_{spec.label}.csv"
            self.columns = [spec.key, *spec.properties]
            header = [f"{spec.key}:ID({spec.label})"]
            header += [_typed(name, frame[name]) for name in spec.properties]
        else:
            self.path = out / f"relationships_{spec.type}_{index:02d}.csv"
            self.columns = [spec.start[1], spec.end[1], *spec.properties.values()]
            header = [f":START_ID({spec.start[0]})", f":END_ID({spec.end[0]})"]
            header += [_typed(name, frame[column]) for name, column in spec.properties.items()]
        handle = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.handle = open(handle, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by the export)
        self.handle.write(",".join(header) + "\n")
        self.write(frames)

    def write(self, frames: dict[str, pd.DataFrame]) -> None:
        """The spec's rows of `frames`, written a batch at a time."""
        frame = self.spec.rows(frames)[self.columns]
        for start in range(0, len(frame), BATCH_ROWS):
            self.handle.write(_lines(frame.iloc[start : start + BATCH_ROWS]))
        self.rows += len(frame)


def _lines(frame: pd.DataFrame) -> str:
    """The CSV lines of `frame`: each column made text by Arrow's kernels (floats, and any
    other kind of column, value by value by `_field`, which keeps Python's `repr` of a float)."""
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column of mixed types: value by value
        return lines_by_value(frame)
    if not len(frame):
        return ""
    fields = [_fields(column.combine_chunks()) for column in table.columns]
    lines = pc.binary_join_element_wise(*fields, pa.scalar(",", TEXT))
    return "\n".join(lines.to_pylist()) + "\n"


def lines_by_value(frame: pd.DataFrame) -> str:
    """The CSV lines of `frame`, value by value in Python."""
    return "".join(",".join(map(_field, row.values())) + "\n" for row in plain_rows(frame))


def _fields(values: pa.Array) -> pa.Array:
    """Every value of a column as its CSV field (see `_field`), never null."""
    kind = values.type
    if (
        pa.types.is_list(kind)
        and kind.value_type in (pa.string(), pa.large_string())
        and not (values.flatten().null_count)
    ):
        values, kind = pc.binary_join(values, ARRAY_DELIMITER), pa.string()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        escaped = pc.replace_substring(values.cast(pa.large_string()), '"', '""')
        quoted = pc.binary_join_element_wise(QUOTE, escaped, QUOTE, pa.scalar("", TEXT))
    elif pa.types.is_boolean(kind):
        quoted = pc.if_else(values, pa.scalar("true", TEXT), pa.scalar("false", TEXT))
    elif pa.types.is_integer(kind):
        quoted = pc.cast(values, TEXT)
    else:
        quoted = pa.array([_field(value) for value in values.to_pylist()], TEXT)
    return quoted.fill_null("")


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
