"""The bytes the graph's bulk batches and the workbook's rows are cut from: read from an Arrow
array's buffers, they are its values' bytes, whatever its offsets' width and wherever a slice
starts (Hypothesis)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from resolver.arrow_bytes import joined, offsets_and_data

TYPES = [pa.string(), pa.large_string(), pa.binary(), pa.large_binary()]


@given(
    values=st.lists(st.text(max_size=12) | st.none(), min_size=1, max_size=30),
    kind=st.sampled_from(TYPES),
    cut=st.tuples(st.integers(0, 30), st.integers(0, 30)),
)
def test_the_bytes_of_a_slice_are_its_values_bytes(values, kind, cut) -> None:
    encoded = [None if v is None else v.encode() for v in values]
    array = pa.array(
        encoded if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) else values, kind
    )
    start = min(cut[0], len(values))
    length = min(cut[1], len(values) - start)
    part = array.slice(start, length)
    expected = [b"" if e is None else e for e in encoded[start : start + length]]
    offsets, data = offsets_and_data(part)
    assert len(offsets) == length + 1
    assert [data[offsets[i] : offsets[i + 1]].to_pybytes() for i in range(length)] == expected
    assert joined(part) == b"".join(expected)
    assert joined(pa.chunked_array([part], kind)) == b"".join(expected)
