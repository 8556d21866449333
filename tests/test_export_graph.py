"""`resolver export-graph --format neo4j-admin`: the files of Neo4j's fast full import hold the
graph the loader makes. With no Neo4j server here, the export is compared with the embedded
graph the loader filled from the same case: every label's and type's count, and the properties
of nodes and relationships, typed as the headers say."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import empty_graph_frames
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from resolver import workflows
from resolver.case import Case
from resolver.case import orders as case_orders
from resolver.cli import app
from resolver.graph import bulk, by_label, export
from resolver.graph.export import ARRAY_DELIMITER
from resolver.graph.model import NODES, RELATIONSHIPS
from resolver.graph.store import KEYS, open_store

runner = CliRunner()
SAMPLED = 25  # rows of each file whose properties are compared


@pytest.fixture(scope="module")
def exported(linked_case: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("export") / "case"
    shutil.copytree(linked_case, folder)
    out = folder.parent / "admin"
    with Case.open(folder) as case:
        workflows.judge(case, *_two_accounts(case), "different", reason="two ID cards",
                        by="wang", graph=False)  # fmt: skip
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(export, "ORDER_ROWS", 997)  # orders read in many batches
            patch.setattr(export, "BATCH_ROWS", 300)  # ... and written in parts
            patch.setattr(case_orders, "PART_ORDERS", 1500)  # ... gathered in parts
            summary = workflows.export_graph(case, out)
        workflows.load_graph(case)
    return folder, out, summary


def _two_accounts(case: Case) -> tuple[str, str]:
    accounts = case.traders.accounts()["account_id"].tolist()
    return accounts[0], accounts[1]


def read(path: Path) -> tuple[list[str], list[dict]]:
    """Header fields, and rows typed as neo4j-admin reads them: a quoted field is text (\"\"
    an empty one), an empty unquoted field no property at all."""
    records = _fields(path.read_text(encoding="utf-8"))
    header = [value for value, _ in records[0]]
    return header, [_typed(header, row) for row in records[1:]]


def _fields(text: str) -> list[list[tuple[str, bool]]]:
    """CSV records as (value, quoted) fields; quotes doubled inside quoted fields."""
    records: list[list[tuple[str, bool]]] = []
    row: list[tuple[str, bool]] = []
    value, quoted, inside, index = "", False, False, 0
    while index < len(text):
        char = text[index]
        if inside:
            if char == '"' and text[index + 1 : index + 2] == '"':
                value, index = value + '"', index + 1
            elif char == '"':
                inside = False
            else:
                value += char
        elif char == '"':
            inside = quoted = True
        elif char in ",\n":
            row.append((value, quoted))
            value, quoted = "", False
            if char == "\n":
                records.append(row)
                row = []
        else:
            value += char
        index += 1
    return records


def _typed(header: list[str], row: list[tuple[str, bool]]) -> dict:
    typed: dict = {}
    for position, (field, (value, quoted)) in enumerate(zip(header, row, strict=True)):
        name, _, kind = field.partition(":")
        if position < 2 and field.startswith((":START_ID", ":END_ID")):
            typed[field[1:].split("(")[0]] = value
        elif value == "" and not quoted:
            continue  # no property
        elif kind == "long":
            typed[name] = int(value)
        elif kind == "double":
            typed[name] = float(value)
        elif kind == "boolean":
            typed[name] = value == "true"
        elif kind == "string[]":
            typed[name] = value.split(ARRAY_DELIMITER) if value else []
        else:
            typed[name] = value
    return typed


def test_export_has_the_loaders_counts(exported) -> None:
    folder, _, summary = exported
    with open_store(folder, None) as graph:
        for spec in NODES:
            _, rows = graph.query(f"MATCH (n:{spec.label}) RETURN count(n)")
            assert summary.nodes[spec.label] == rows[0][0] > 0 or spec.label == "Name", spec
        for kind, count in summary.relationships.items():
            _, rows = graph.query(f"MATCH ()-[r:{kind}]->() RETURN count(r)")
            assert rows[0][0] == count, kind
    assert summary.relationships["JUDGED"] == 1


def test_export_has_the_loaders_properties(exported) -> None:
    folder, out, _ = exported
    with open_store(folder, None) as graph:
        for spec in NODES:
            header, rows = read(out / f"nodes_{spec.label}.csv")
            assert header[0] == f"{spec.key}:ID({spec.label})"
            for row in rows[:SAMPLED] + rows[-SAMPLED:]:
                _, found = graph.query(
                    f"MATCH (n:{spec.label} {{{spec.key}: $key}}) RETURN properties(n)",
                    {"key": row[spec.key]},
                )
                assert _same(found[0][0], row), (spec.label, row)
        for index, rel in enumerate(RELATIONSHIPS):
            path = out / f"relationships_{rel.type}_{index:02d}.csv"
            header, rows = read(path)
            assert header[:2] == [f":START_ID({rel.start[0]})", f":END_ID({rel.end[0]})"]
            start_key, end_key = KEYS[rel.start[0]], KEYS[rel.end[0]]
            for row in rows[:SAMPLED] + rows[-SAMPLED:]:
                _, found = graph.query(
                    f"MATCH (a:{rel.start[0]} {{{start_key}: $a}})-[r:{rel.type}]->"
                    f"(b:{rel.end[0]} {{{end_key}: $b}}) RETURN properties(r)",
                    {"a": row["START_ID"], "b": row["END_ID"]},
                )
                assert found and _same(found[0][0], row), (rel.type, row)


def _same(stored: dict, exported: dict) -> bool:
    """The exported properties are the stored ones (floats to their printed precision)."""
    wanted = {k: v for k, v in exported.items() if k not in ("START_ID", "END_ID")}
    for name, value in wanted.items():
        if isinstance(value, float):
            if stored.get(name) != pytest.approx(value):
                return False
        elif stored.get(name) != value:
            return False
    return set(stored) == set(wanted)


def test_import_script_and_schema(exported) -> None:
    _, out, summary = exported
    script = (out / "import.sh").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in script and "--array-delimiter=U+001F" in script
    for path in summary.files:
        if path.suffix == ".csv":
            assert f"={path.name}" in script
        assert path.stat().st_mode & 0o077 == 0
    assert subprocess.run(["sh", "-n", str(out / "import.sh")], check=False).returncode == 0
    assert "CREATE CONSTRAINT" in (out / "schema.cypher").read_text(encoding="utf-8")


def test_cli_export_graph(linked_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "admin"
    done = runner.invoke(app, ["export-graph", "--out", str(out), "--case", str(linked_case)])
    assert done.exit_code == 0, done.output
    assert "import.sh" in done.output and (out / "nodes_Order.csv").exists()
    again = runner.invoke(app, ["export-graph", "--out", str(out), "--case", str(linked_case)])
    assert again.exit_code == 2 and "not an empty folder" in again.output
    wrong = runner.invoke(app, ["export-graph", "--out", str(tmp_path / "x"), "--format", "csv",
                                "--case", str(linked_case)])  # fmt: skip
    assert wrong.exit_code == 2


def test_a_pair_named_twice_is_one_relationship_in_every_first_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MERGE makes one relationship of a type between two nodes and SET leaves the last row's
    properties: the export, GRAPH.BULK and the load by label write the same when a frame names
    a pair twice (an account on two rows of one disclosure)."""
    frames = empty_graph_frames()
    frames["disclosures"] = pd.DataFrame(
        [{"disclosure_id": "d1", "file_name": "a.csv", "platform": "jd", "ingested_at": None}]
    )
    frames["accounts"] = pd.DataFrame([{"account_id": "jd:1", "platform": "jd"}]).reindex(
        columns=frames["accounts"].columns
    )
    frames["account_sources"] = pd.DataFrame(
        {"account_id": ["jd:1", "jd:1"], "disclosure_id": ["d1", "d1"], "sheet": ["s", "s"],
         "row": [2, 7]}
    )  # fmt: skip
    batches = list(bulk.bulk_batches(frames))
    assert sum(relationships for _, relationships, _, _ in batches) == 1
    steps = {step.name: step for step in by_label.steps(frames)}
    (written,) = [c for chunks in steps["DISCLOSED_IN relationships"].rounds for c in chunks]
    assert written[["from_key", "to_key", "row"]].values.tolist() == [["jd:1", "d1", 7]]
    monkeypatch.setattr(export, "graph_frames", lambda case, only: frames)
    out = tmp_path / "admin"
    with Case.open(tmp_path / "case") as case:
        summary = export.export_neo4j_admin(case, out)
    assert summary.relationships["DISCLOSED_IN"] == 1
    (path,) = out.glob("relationships_DISCLOSED_IN_*.csv")
    _, rows = read(path)
    assert [(r["START_ID"], r["row"]) for r in rows] == [("jd:1", 7)]


ROW = st.tuples(
    st.none() | st.text(max_size=12),
    st.none() | st.integers(-(2**63), 2**63 - 1),
    st.none() | st.floats(allow_infinity=False),
    st.none() | st.booleans(),
    st.none() | st.lists(st.text(max_size=5), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, max_size=8))
def test_export_lines_are_the_values_written_one_by_one(rows: list[tuple]) -> None:
    """Columns made text by Arrow's kernels give the bytes the value-by-value writer gives:
    quotes doubled, commas and newlines inside quotes, a missing value empty, an empty text
    "", arrays joined by the unit separator."""
    frame = pd.DataFrame(rows, columns=["text", "long", "double", "flag", "names"])
    assert export._lines(frame) == export.lines_by_value(frame)
