"""A first load of the embedded store through FalkorDB's `GRAPH.BULK`: the graph the loader's
`UNWIND ... MERGE` batches would make (`model.NODES`, `model.RELATIONSHIPS` over the same
frames), sent as binary batches that the server turns into nodes and relationships without
parsing or planning a query per batch.

Only for a graph that holds nothing yet (the server refuses `BEGIN` on an existing one, and
relationships name their nodes by the ids the server gives in order of creation, 0, 1, 2, ...).
Values are encoded by their Python type, never guessed from text: "001" stays a string, as
the loader writes it (FalkorDB's own bulk loader reads CSV and would store 1). A missing value
is no property, as the loader's SET of a null leaves none.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from resolver.graph.model import NODES, RELATIONSHIPS
from resolver.progress import Progress, silent

CHUNK_BYTES = 32 * 1024**2  # a batch the server reads at once (Redis takes up to 512 MB)
CHUNK_ROWS = 50_000  # rows encoded at a time: memory stays flat whatever the case's size
NULL = b"\x00"
TRUE, FALSE = b"\x01\x01", b"\x01\x00"
DOUBLE = struct.Struct("=Bd")
LONG = struct.Struct("=Bq")
ARRAY = struct.Struct("=Bq")
ENDS = struct.Struct("=QQ")
BI_DOUBLE, BI_STRING, BI_LONG, BI_ARRAY = 2, 3, 4, 5
STRING = bytes([BI_STRING])  # then the text's UTF-8 and a NUL


class NotBulkable(ValueError):
    """A value GRAPH.BULK cannot carry (a NUL inside a text): the loader's MERGE path can."""


def bulk_batches(
    frames: dict[str, pd.DataFrame], progress: Progress = silent
) -> Iterator[tuple[int, int, bytes, bool]]:
    """(nodes, relationships, token, is_node_token) for every batch of the graph of `frames`:
    all nodes first, then the relationships between them."""
    ids: dict[str, pd.Series] = {}  # label -> node id by key
    next_id = 0
    for spec in NODES:
        frame = spec.rows(frames)
        ids[spec.label] = pd.Series(
            np.arange(next_id, next_id + len(frame), dtype=np.int64), index=frame[spec.key]
        )
        next_id += len(frame)
        header = _header(spec.label, (spec.key, *spec.properties))
        columns = [spec.key, *spec.properties]
        done = 0
        for count, body in _chunks(frame[columns], header):
            yield count, 0, header + body, True
            done += count
            progress(f"graph: {spec.frame.replace('_', ' ')}", done, len(frame))
    for rel in RELATIONSHIPS:
        frame = rel.rows(frames)
        start = frame[rel.start[1]].map(ids[rel.start[0]])
        end = frame[rel.end[1]].map(ids[rel.end[0]])
        found = start.notna() & end.notna()  # as the loader's MATCH finds both ends or skips
        frame = frame.loc[found, list(rel.properties.values())].set_axis(
            list(rel.properties), axis=1
        )
        frame.insert(0, "__ends", _ends(start[found], end[found]))
        header = _header(rel.type, tuple(rel.properties))
        done = 0
        for count, body in _chunks(frame, header, leading=1):
            yield 0, count, header + body, False
            done += count
            progress(f"graph: {rel.type} relationships", done, len(frame))


def _header(name: str, properties: tuple[str, ...]) -> bytes:
    parts = [name.encode() + NULL, struct.pack("=I", len(properties))]
    parts += [p.encode() + NULL for p in properties]
    return b"".join(parts)


def _ends(start: pd.Series, end: pd.Series) -> list[bytes]:
    pairs = zip(start.astype(np.int64).tolist(), end.astype(np.int64).tolist(), strict=True)
    return [ENDS.pack(a, b) for a, b in pairs]


def _chunks(frame: pd.DataFrame, header: bytes, leading: int = 0) -> Iterator[tuple[int, bytes]]:
    """(rows, body) of at most CHUNK_BYTES each; the first `leading` columns are bytes already
    (a relationship's two node ids)."""
    rows: list[bytes] = []
    size = len(header)
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        columns = [part.iloc[:, i].tolist() for i in range(leading)]
        columns += [_column(part.iloc[:, i]) for i in range(leading, part.shape[1])]
        for row in map(b"".join, zip(*columns, strict=True)):
            if rows and size + len(row) > CHUNK_BYTES:
                yield len(rows), b"".join(rows)
                rows, size = [], len(header)
            rows.append(row)
            size += len(row)
    if rows:
        yield len(rows), b"".join(rows)


def _column(values: pd.Series) -> list[bytes]:
    """Every value of a column encoded as GRAPH.BULK reads a property."""
    if pd.api.types.is_bool_dtype(values):
        return [_bool(v) for v in values.tolist()]
    if pd.api.types.is_integer_dtype(values):
        return [_long(v) for v in values.tolist()]
    plain = values.astype(object).where(values.notna(), None).tolist()
    return [_value(v) for v in plain]


def _value(value: Any) -> bytes:
    kind = type(value)
    encode = ENCODERS.get(kind)
    if encode is not None:
        return encode(value)
    if value is None:
        return NULL
    if isinstance(value, np.generic):
        return _value(value.item())
    if isinstance(value, list | tuple | np.ndarray):
        items = list(value)
        return ARRAY.pack(BI_ARRAY, len(items)) + b"".join(_value(v) for v in items)
    raise NotBulkable(f"a value of type {kind.__name__} has no GRAPH.BULK form")


def _text(value: str) -> bytes:
    if "\x00" in value:
        raise NotBulkable("a text holds a NUL character, which ends a GRAPH.BULK string")
    return STRING + value.encode() + NULL


def _bool(value: bool) -> bytes:
    return TRUE if value else FALSE


def _long(value: int) -> bytes:
    return LONG.pack(BI_LONG, value)


def _double(value: float) -> bytes:
    return NULL if value != value else DOUBLE.pack(BI_DOUBLE, value)  # NaN: missing


ENCODERS: dict[type, Callable[[Any], bytes]] = {
    str: _text,
    bool: _bool,
    int: _long,
    float: _double,
}
