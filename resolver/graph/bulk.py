"""A first load of the embedded store through FalkorDB's `GRAPH.BULK`: the graph the loader's
`UNWIND ... MERGE` batches would make (`model.NODES`, `model.RELATIONSHIPS` over the same
frames), sent as binary batches that the server turns into nodes and relationships without
parsing or planning a query per batch.

Only for a graph that holds nothing yet (the server refuses `BEGIN` on an existing one, and
relationships name their nodes by the ids the server gives in order of creation, 0, 1, 2, ...).
Values are encoded by their Arrow type, never guessed from text: "001" stays a string, as
the loader writes it (FalkorDB's own bulk loader reads CSV and would store 1). A missing value
(or a NaN) is no property, as the loader's SET of a null leaves none.

Columns are encoded whole by Arrow's kernels, not value by value in Python (a value's bytes are
its type's tag, then the value), and the orders, by far the most rows, can come a batch at a
time from the case: memory then holds one batch of them, not all of them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from resolver.arrow_bytes import offsets_and_data
from resolver.graph.model import NODES, RELATIONSHIPS, Nodes
from resolver.progress import Progress, silent

CHUNK_BYTES = 32 * 1024**2  # a batch the server reads at once (Redis takes up to 512 MB)
CHUNK_ROWS = 50_000  # rows encoded at a time: memory stays flat whatever the case's size
BI_NULL, BI_BOOL, BI_DOUBLE, BI_STRING, BI_LONG, BI_ARRAY = 0, 1, 2, 3, 4, 5
BYTES = pa.large_binary()
NULL = pa.scalar(bytes([BI_NULL]), BYTES)
TRUE, FALSE = pa.scalar(bytes([BI_BOOL, 1]), BYTES), pa.scalar(bytes([BI_BOOL, 0]), BYTES)
STRING, END = pa.scalar(bytes([BI_STRING]), BYTES), pa.scalar(b"\x00", BYTES)
JOINED = pa.scalar(b"", BYTES)  # the separator of bytes joined into one value


class NotBulkable(ValueError):
    """A value GRAPH.BULK cannot carry (a NUL inside a text): the loader's MERGE path can."""


Token = tuple[int, int, bytes, bool]  # (nodes, relationships, token, is_node_token)


def bulk_batches(
    frames: dict[str, pd.DataFrame],
    orders: Iterable[pa.RecordBatch] | None = None,
    progress: Progress = silent,
    order_count: int | None = None,
) -> Iterator[Token]:
    """Every batch of the graph of `frames`: all nodes first, then the relationships between
    them. `orders`: the orders frame a batch at a time (`order_count` of them), read once, in
    place of `frames["orders"]`; what they start or end is kept as node ids on the way."""
    ids = _NodeIds()
    next_id = 0
    order_spec = next(spec for spec in NODES if spec.label == "Order")
    for spec in NODES:
        if spec is order_spec:
            continue
        frame = spec.rows(frames)
        ids.add(spec.label, pd.Index(frame[spec.key]), np.arange(next_id, next_id + len(frame)))
        next_id += len(frame)
        yield from _node_tokens(spec, _tables(frame), len(frame), progress)
    if orders is None:
        frame = order_spec.rows(frames)
        orders, order_count = _tables(frame), len(frame)
    sold = _Orders(ids, frames, next_id)
    yield from _node_tokens(order_spec, sold.seen(orders), order_count or 0, progress)
    for rel in RELATIONSHIPS:
        if rel.frame == order_spec.frame:  # SOLD, kept as the orders went by (no properties)
            start, end = sold.ends()
            frame = pd.DataFrame(index=pd.RangeIndex(len(start)))
        else:
            frame = rel.rows(frames)
            start = ids.of(rel.start[0], frame[rel.start[1]])
            end = ids.of(rel.end[0], frame[rel.end[1]])
            found = (start >= 0) & (end >= 0)  # as the loader's MATCH finds both ends or skips
            frame = frame.loc[found, list(rel.properties.values())]
            start, end = start[found], end[found]
        header = _header(rel.type, tuple(rel.properties))
        done = 0
        for part in range(0, len(frame), CHUNK_ROWS):
            rows = slice(part, part + CHUNK_ROWS)
            table = pa.Table.from_pandas(frame.iloc[rows], preserve_index=False)
            columns = [_ends(start[rows], end[rows]), *(_encoded(c) for c in table.columns)]
            for count, body in _tokens(_rows(columns), header):
                yield 0, count, header + body, False
                done += count
                progress(f"graph: {rel.type} relationships", done, len(frame))


class _NodeIds:
    """The node id of each key, by label, as given in order of creation."""

    def __init__(self) -> None:
        self._keys: dict[str, pd.Index] = {}
        self._ids: dict[str, np.ndarray] = {}

    def add(self, label: str, keys: pd.Index, ids: np.ndarray) -> None:
        self._keys[label], self._ids[label] = keys, ids.astype(np.int64)

    def of(self, label: str, keys: pd.Series | pd.Index) -> np.ndarray:
        """The node id of each key; -1 where the label has no node of that key."""
        found = self._keys[label].get_indexer(keys)
        return np.where(found >= 0, self._ids[label][found], -1)


class _Orders:
    """Order nodes as they go by: the SOLD relationship of each (its account's node id and
    its own), and the node ids of the orders a SHIPS_TO relationship starts from, so that no
    order's key is kept once its batch is sent."""

    def __init__(self, ids: _NodeIds, frames: dict[str, pd.DataFrame], first_id: int) -> None:
        self.ids, self.next_id = ids, first_id
        shipped = [rel.rows(frames)[rel.start[1]] for rel in RELATIONSHIPS
                   if rel.start[0] == "Order"]  # fmt: skip
        self.shipped = pd.Index(pd.unique(pd.concat(shipped))) if shipped else pd.Index([])
        self.shipped_ids = np.full(len(self.shipped), -1, dtype=np.int64)
        self._accounts: list[np.ndarray] = []
        self._orders: list[np.ndarray] = []

    def seen(
        self, tables: Iterable[pa.RecordBatch | pa.Table]
    ) -> Iterator[pa.RecordBatch | pa.Table]:
        for table in tables:
            keys = table.column("key").to_pandas()
            order_ids = np.arange(self.next_id, self.next_id + len(keys), dtype=np.int64)
            self.next_id += len(keys)
            accounts = self.ids.of("Account", table.column("account_id").to_pandas())
            found = accounts >= 0
            self._accounts.append(accounts[found])
            self._orders.append(order_ids[found])
            shipped = self.shipped.get_indexer(keys)
            self.shipped_ids[shipped[shipped >= 0]] = order_ids[shipped >= 0]
            yield table
        self.ids.add("Order", self.shipped, self.shipped_ids)

    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """The node ids of each SOLD relationship's account and order."""
        if not self._orders:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(self._accounts), np.concatenate(self._orders)


def _tables(frame: pd.DataFrame) -> Iterator[pa.Table]:
    for start in range(0, len(frame), CHUNK_ROWS):
        try:
            yield pa.Table.from_pandas(frame.iloc[start : start + CHUNK_ROWS], preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as err:  # a column of mixed types
            raise NotBulkable(str(err)) from err


def _node_tokens(
    spec: Nodes, tables: Iterable[pa.RecordBatch | pa.Table], total: int, progress: Progress
) -> Iterator[Token]:
    names = (spec.key, *spec.properties)
    header = _header(spec.label, names)
    done = 0
    for table in tables:
        for count, body in _tokens(_rows([_encoded(table.column(n)) for n in names]), header):
            yield count, 0, header + body, True
            done += count
            progress(f"graph: {spec.frame.replace('_', ' ')}", done, total)


def _header(name: str, properties: tuple[str, ...]) -> bytes:
    parts = [name.encode() + b"\x00", len(properties).to_bytes(4, sys.byteorder)]
    parts += [p.encode() + b"\x00" for p in properties]
    return b"".join(parts)


def _rows(columns: list[pa.Array]) -> pa.Array:
    """Each row's bytes: its columns' bytes one after the other."""
    return pc.binary_join_element_wise(*columns, JOINED)


def _tokens(rows: pa.Array, header: bytes) -> Iterator[tuple[int, bytes]]:
    """(rows, body) of at most CHUNK_BYTES with the header (a longer row goes alone), cut
    from the rows' one buffer."""
    offsets, data = offsets_and_data(rows)
    start = 0
    while start < len(rows):
        end = int(np.searchsorted(offsets, offsets[start] + CHUNK_BYTES - len(header), "right"))
        end = min(max(end - 1, start + 1), len(rows))
        yield end - start, data[offsets[start] : offsets[end]].to_pybytes()
        start = end


def _ends(start: np.ndarray, end: np.ndarray) -> pa.Array:
    """A relationship's start and end node ids, 8 bytes each."""
    pairs = np.empty(len(start), dtype=np.dtype([("start", "=u8"), ("end", "=u8")]))
    pairs["start"], pairs["end"] = start, end
    return _fixed(pairs)


def _encoded(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Every value of a column as GRAPH.BULK reads a property, as bytes."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    missing = values.is_null()
    if pa.types.is_null(kind):
        return pa.array([NULL.as_py()] * len(values), BYTES)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        encoded = _text(values)
    elif pa.types.is_boolean(kind):
        encoded = pc.if_else(values, TRUE, FALSE)
    elif pa.types.is_integer(kind):
        encoded = _numbers(BI_LONG, values.cast(pa.int64()).fill_null(0), "=i8")
    elif pa.types.is_floating(kind):
        values = values.cast(pa.float64())
        missing = pc.or_(missing, pc.is_nan(values).fill_null(False))
        encoded = _numbers(BI_DOUBLE, values.fill_null(0.0), "=f8")
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        encoded = _array(values.cast(pa.list_(kind.value_type)))
    else:
        raise NotBulkable(f"a value of type {kind} has no GRAPH.BULK form")
    return pc.if_else(missing, NULL, encoded) if pc.any(missing).as_py() else encoded


def _text(values: pa.Array) -> pa.Array:
    if pc.any(pc.match_substring(values, "\x00")).as_py():
        raise NotBulkable("a text holds a NUL character, which ends a GRAPH.BULK string")
    return pc.binary_join_element_wise(STRING, values.cast(BYTES), END, JOINED)


def _numbers(tag: int, values: pa.Array, layout: str) -> pa.Array:
    typed = np.empty(len(values), dtype=np.dtype([("tag", "u1"), ("value", layout)]))
    typed["tag"], typed["value"] = tag, values.to_numpy(zero_copy_only=False)
    return _fixed(typed)


def _array(values: pa.Array) -> pa.Array:
    """A list: its length, then each of its items encoded."""
    offsets = values.offsets
    items = pa.ListArray.from_arrays(pc.subtract(offsets, offsets[0]), _encoded(values.flatten()))
    lengths = pc.list_value_length(values).fill_null(0)
    return pc.binary_join_element_wise(
        _numbers(BI_ARRAY, lengths, "=i8"), pc.binary_join(items, JOINED), JOINED
    )


def _fixed(records: np.ndarray) -> pa.Array:
    """Packed numpy records as one bytes value each."""
    width = pa.binary(records.dtype.itemsize)
    array = pa.FixedSizeBinaryArray.from_buffers(width, len(records), [None, pa.py_buffer(records)])
    return array.cast(BYTES)
