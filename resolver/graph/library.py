"""The investigators' query library: `cypher/*.cypher`, one question per file.

Each file starts with a header of `//` lines: `purpose:`, one `param NAME: TYPE [= DEFAULT] --
description` per parameter, and `example:`. The text below is plain Cypher that both FalkorDB and
Neo4j run unchanged (Neo4j Browser too, after `:param`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resolver.config import Config
from resolver.errors import NotFound, ResolverError

LIBRARY = Path(__file__).resolve().parent.parent / "defaults" / "cypher"
_PARAM = re.compile(r"^//\s*param\s+(\w+)\s*:\s*([\w|]+)\s*(?:=\s*(.*?))?\s*--\s*(.*)$")
TYPES = ("string", "integer", "boolean", "list", "float")


@dataclass(frozen=True)
class Parameter:
    name: str
    kinds: tuple[str, ...]  # e.g. ("string", "null")
    default: str | None  # JSON text, `config` (taken from config/keywords.yaml), or None: required
    description: str


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    purpose: str
    parameters: tuple[Parameter, ...]
    example: str
    text: str  # the whole file; comments are valid Cypher


def parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    purpose = example = ""
    parameters = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        if line.startswith("// purpose:"):
            purpose = line.removeprefix("// purpose:").strip()
        elif line.startswith("// example:"):
            example = line.removeprefix("// example:").strip()
        elif match := _PARAM.match(line):
            name, kinds, default, description = match.groups()
            kinds = tuple(kinds.split("|"))
            if any(k not in (*TYPES, "null") for k in kinds):
                raise ResolverError(f"{path}: param {name}: unknown type {'|'.join(kinds)}")
            parameters.append(Parameter(name, kinds, default, description))
        else:
            raise ResolverError(f"{path}: cannot read header line {line!r}")
    if not purpose:
        raise ResolverError(f"{path}: the header has no `// purpose:` line")
    return Query(path.stem, path, purpose, tuple(parameters), example, text)


def load_queries(folder: Path | None = None) -> dict[str, Query]:
    return {path.stem: parse(path) for path in sorted((folder or LIBRARY).glob("*.cypher"))}


def query_named(name: str) -> Query:
    queries = load_queries()
    if name not in queries:
        raise NotFound(f"{name}: no such query; `resolver query --list` shows them")
    return queries[name]


def bind(query: Query, given: dict[str, str], config: Config | None = None) -> dict[str, Any]:
    """Parameter values from `-p name=value` text, typed as the header declares, with defaults."""
    unknown = set(given) - {p.name for p in query.parameters}
    if unknown:
        names = ", ".join(p.name for p in query.parameters) or "none"
        first = sorted(unknown)[0]
        raise ResolverError(f"{query.name}: unknown parameter {first!r}; it takes {names}")
    values: dict[str, Any] = {}
    for parameter in query.parameters:
        if parameter.name in given:
            values[parameter.name] = convert(query, parameter, given[parameter.name])
        elif parameter.default == "config":
            values[parameter.name] = (config or Config()).keywords
        elif parameter.default is not None:
            values[parameter.name] = json.loads(parameter.default)
        else:
            raise ResolverError(
                f"{query.name}: parameter {parameter.name!r} is required "
                f"({parameter.description}); e.g. {query.example}"
            )
    return values


def convert(query: Query, parameter: Parameter, text: str) -> Any:
    if "null" in parameter.kinds and text in ("null", ""):
        return None
    kind = parameter.kinds[0]
    try:
        if kind == "integer":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "boolean":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if kind == "list":
            value = json.loads(text) if text.startswith("[") else [w for w in text.split(",") if w]
            if not isinstance(value, list):
                raise ValueError(text)
            return value
    except ValueError:
        raise ResolverError(
            f"{query.name}: parameter {parameter.name!r} expects {kind}, got {text!r}"
        ) from None
    return text
