"""Every Neo4j-dialect statement — the query library and the loader's own — checked offline by
Neo4j's own Cypher front end (@neo4j-cypher/language-support, run with Node)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from resolver.graph import by_label
from resolver.graph.library import load_queries, param_lines
from resolver.graph.load import statements
from resolver.graph.store import schema_statements

LINTER = Path(__file__).resolve().parent.parent / "tools" / "cypher-lint"
INSTALL = "npm ci --prefix tools/cypher-lint"


def lint(items: list[dict]) -> dict[str, list[dict]]:
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed to lint Cypher: install Node 20+")
    if not (LINTER / "node_modules" / "@neo4j-cypher" / "language-support").exists():
        pytest.fail(f"the Cypher linter is not installed: run `{INSTALL}`")
    done = subprocess.run(
        ["node", str(LINTER / "lint.mjs")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return {r["name"]: r["diagnostics"] for r in json.loads(done.stdout)}


def parameters_of(text: str) -> list[str]:
    return sorted(set(re.findall(r"\$(\w+)", text)))


def test_linter_catches_errors() -> None:
    found = lint([{"name": "broken", "text": "MATCH (n RETURN n", "parameters": []}])
    assert found["broken"] and found["broken"][0]["severity"] == "error"


def test_every_statement_passes_neo4j_lint() -> None:
    items = [
        {  # the whole file, `:param` lines included: what is pasted into Neo4j Browser
            "name": f"cypher/{q.name}.cypher",
            "text": q.browser_text,
            "parameters": [p.name for p in q.parameters],
        }
        for q in load_queries().values()
    ]
    items += [
        {"name": f"loader:{name}", "text": text, "parameters": parameters_of(text)}
        for name, text in (statements() | by_label.statements()).items()
    ]
    items += [
        {"name": f"schema:{i}", "text": text, "parameters": []}
        for i, text in enumerate(schema_statements("neo4j"))
    ]
    problems = {name: found for name, found in lint(items).items() if found}
    assert problems == {}


def test_library_parameters_match_their_headers() -> None:
    for query in load_queries().values():
        body = "\n".join(line for line in query.text.splitlines() if not line.startswith("//"))
        assert set(parameters_of(body)) == {p.name for p in query.parameters}, query.name


def test_every_query_starts_with_paste_ready_param_lines() -> None:
    """Each file carries a `:param` line per parameter, holding its example value (as the
    header's example and defaults give it), right after the header; the engines never see
    them."""
    for query in load_queries().values():
        assert list(query.browser_params) == param_lines(query), query.name
        assert ":param" not in query.text
        lines = query.browser_text.splitlines()
        after_header = [line for line in lines if not line.startswith("//")]
        assert after_header[: len(query.parameters)] == list(query.browser_params), query.name


def test_a_param_line_that_does_not_parse_is_caught() -> None:
    found = lint([{"name": "bad", "text": ":param k => ;\nRETURN $k", "parameters": ["k"]}])
    assert found["bad"]
