"""The workbook's cells as a spreadsheet reads them back: the rows resolver makes a column at a
time, against XlsxWriter writing the same values a cell at a time (the oracle), for any text."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import xlsxwriter
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from resolver.i18n import words
from resolver.reporting import xlsx


def ours(values: list, path: Path) -> list:
    """`values` as a one-column table of a report's workbook, read back."""
    packed(pd.DataFrame({"value": values}), path)
    return read(path, len(values))


def packed(frame: pd.DataFrame, path: Path) -> None:
    """`frame` as sheet `t` of a workbook laid out and packed as a report's are."""
    layout = io.BytesIO()
    workbook = xlsxwriter.Workbook(layout, {"in_memory": True})
    formats = {name: workbook.add_format({"text_wrap": name == "wrap"})
               for name in ("header", "yuan", "moment", "wrap")}  # fmt: skip
    rows = xlsx.Rows.of_frame(frame)
    sheets = xlsx._table(workbook, "t", rows, formats, _NoReport(), words("en"))
    workbook.close()
    xlsx._pack(layout, sheets, path, ("yes", "no"), lambda *_: None)


def theirs(values: list, path: Path) -> list:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("t")
    sheet.write_string(0, 0, "value")
    for row, value in enumerate(values, start=1):
        sheet.write_string(row, 0, value)
    workbook.close()
    return read(path, len(values))


def read(path: Path, count: int) -> list:
    sheet = load_workbook(path)["t"]
    return [sheet.cell(row=row, column=1).value for row in range(2, count + 2)]


class _NoReport:
    report_id = "RPT-test"
    content_sha256 = "0" * 64


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(texts, min_size=1, max_size=12))
def test_any_text_reads_back_as_xlsxwriter_writes_it(values: list[str], tmp_path: Path) -> None:
    assume(not any(v.startswith("<r>") and v.endswith("</r>") for v in values))  # its rich text
    assert ours(values, tmp_path / "ours.xlsx") == theirs(values, tmp_path / "theirs.xlsx")


def test_the_hard_cases_of_text(tmp_path: Path) -> None:
    values = ["_x0041_ stays", "tab\there", "a\r\nb", "\x01\x1f", " 前后空格 ", "\u3000全角",
              "<b>&amp;</b>", "\ufffe", "emoji 🦊", "普通"]  # fmt: skip
    assert ours(values, tmp_path / "ours.xlsx") == theirs(values, tmp_path / "theirs.xlsx")
    # a reader that undoes Excel's _xHHHH_ escapes, as Excel does, gets every text back
    cells = CalamineWorkbook.from_path(str(tmp_path / "ours.xlsx")).get_sheet_by_name("t")
    assert [row[0] for row in cells.to_python()[1:]] == [*values[:7], "_xFFFE_", *values[8:]]


def test_numbers_and_flags_keep_their_values(tmp_path: Path) -> None:
    frame = pd.DataFrame({"p": [0.1 + 0.2, 1e-9, None], "n": [2**53, -1, 0],
                          "flag": [True, False, True], "list": [["a", "b"], [], ["c"]]})  # fmt: skip
    packed(frame, tmp_path / "n.xlsx")
    rows = list(load_workbook(tmp_path / "n.xlsx", read_only=True)["t"].iter_rows(
        min_row=2, values_only=True))  # fmt: skip
    assert rows == [(0.30000000000000004, 2**53, "yes", "a; b"), (1e-9, -1, "no", ""),
                    (None, 0, "yes", "c")]  # fmt: skip


def test_a_text_longer_than_a_cell_holds_is_cut_and_says_so(tmp_path: Path) -> None:
    long, wide = "长" * 40_000, "🦊" * 20_000  # a fox is two UTF-16 units
    cut = ours([long, wide, "short"], tmp_path / "long.xlsx")
    assert cut[0] == "长" * 32_766 + "…"
    assert cut[1] == "🦊" * 16_383 + "…"
    assert cut[2] == "short"
