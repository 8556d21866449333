"""The bytes of an Arrow array of strings or binaries, read from its buffers rather than value
by value: the graph's bulk batches and the workbook's rows are cut from them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def offsets_and_data(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Buffer]:
    """Where each value starts in the data buffer (one more offset than values: the last is
    where the last value ends), and that buffer."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    large = pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if large else np.int32)
    return offsets[array.offset : array.offset + len(array) + 1], array.buffers()[2]


def joined(array: pa.Array | pa.ChunkedArray) -> bytes:
    """Every value's bytes, one after another (only those of the array, when it is a slice)."""
    offsets, data = offsets_and_data(array)
    return data[offsets[0] : offsets[-1]].to_pybytes()
