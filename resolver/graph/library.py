"""The investigators' query library: `cypher/*.cypher`, one question per file.

Each file starts with a header of `//` lines: `purpose:`, one `param NAME: TYPE [= DEFAULT] --
description` per parameter, and `example:`; then one `:param NAME => VALUE;` line per parameter
with the example's values, so that the whole file pastes into Neo4j Browser and runs; then plain
Cypher that both FalkorDB and Neo4j run unchanged (`resolver query` runs it without the `:param`
lines, with the values it is given).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resolver.case import Case
from resolver.config import Config
from resolver.errors import NotFound, ResolverError

LIBRARY = Path(__file__).resolve().parent.parent / "defaults" / "cypher"
_PARAM = re.compile(
    r"^//\s*param\s+(\w+)\s*:\s*([\w|]+)(?:\[(-?\d+)\.\.(-?\d+)\])?\s*(?:=\s*(.*?))?\s*--\s*(.*)$"
)
# Cypher sees every kind as a string but integer, float, boolean and list; `datetime` is a local
# moment (`2024-01-31` or `2024-01-31T08:00:00`), and account, trader and platform must name
# one the case holds. An integer may carry its range: `integer[0..3]`.
TYPES = ("string", "integer", "boolean", "list", "float", "datetime", "account", "trader",
         "platform")  # fmt: skip


@dataclass(frozen=True)
class Parameter:
    name: str
    kinds: tuple[str, ...]  # e.g. ("string", "null")
    bounds: tuple[int, int] | None  # an integer's least and greatest value
    default: str | None  # JSON text, `config` (taken from config/keywords.yaml), or None: required
    description: str


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    purpose: str
    parameters: tuple[Parameter, ...]
    example: str
    text: str  # the header and the query, without the `:param` lines: what the engines run
    browser_text: str  # the whole file: `:param` lines with example values, then the query
    browser_params: tuple[str, ...]  # the `:param` lines


def parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    purpose = example = ""
    parameters = []
    lines = text.splitlines()
    browser = tuple(line for line in lines if line.startswith(":param "))
    engine_text = "\n".join(line for line in lines if not line.startswith(":param ")) + "\n"
    for line in lines:
        if not line.startswith("//"):
            break
        if line.startswith("// purpose:"):
            purpose = line.removeprefix("// purpose:").strip()
        elif line.startswith("// example:"):
            example = line.removeprefix("// example:").strip()
        elif match := _PARAM.match(line):
            name, kinds, least, most, default, description = match.groups()
            kinds = tuple(kinds.split("|"))
            if any(k not in (*TYPES, "null") for k in kinds):
                raise ResolverError(f"{path}: param {name}: unknown type {'|'.join(kinds)}")
            bounds = (int(least), int(most)) if least is not None else None
            parameters.append(Parameter(name, kinds, bounds, default, description))
        else:
            raise ResolverError(f"{path}: cannot read header line {line!r}")
    if not purpose:
        raise ResolverError(f"{path}: the header has no `// purpose:` line")
    return Query(path.stem, path, purpose, tuple(parameters), example, engine_text, text, browser)


def load_queries(folder: Path | None = None) -> dict[str, Query]:
    return {path.stem: parse(path) for path in sorted((folder or LIBRARY).glob("*.cypher"))}


def example_values(query: Query, config: Config | None = None) -> dict[str, Any]:
    """The parameters of the query's `// example:` line, the others at their defaults: the
    values its `:param` lines carry for Neo4j Browser."""
    given = dict(re.findall(r"-p\s+(\w+)=(\S+)", query.example))
    return bind(query, given, config)


def param_lines(query: Query, config: Config | None = None) -> list[str]:
    """`:param NAME => VALUE;` for each parameter, with its example value as a Cypher literal."""
    return [
        f":param {name} => {json.dumps(value, ensure_ascii=False)};"
        for name, value in example_values(query, config).items()
    ]


def query_named(name: str) -> Query:
    queries = load_queries()
    if name not in queries:
        raise NotFound(f"{name}: no such query; `resolver query --list` shows them")
    return queries[name]


def bind(
    query: Query, given: dict[str, str], config: Config | None = None, case: Case | None = None
) -> dict[str, Any]:
    """Parameter values from `-p name=value` text, typed and checked as the header declares
    (accounts, traders and platforms against `case`, when given), with defaults."""
    unknown = set(given) - {p.name for p in query.parameters}
    if unknown:
        names = ", ".join(p.name for p in query.parameters) or "none"
        first = sorted(unknown)[0]
        raise ResolverError(f"{query.name}: unknown parameter {first!r}; it takes {names}")
    values: dict[str, Any] = {}
    for parameter in query.parameters:
        if parameter.name in given:
            values[parameter.name] = convert(query, parameter, given[parameter.name])
            if case is not None and values[parameter.name] is not None:
                _check_known(query, parameter, values[parameter.name], case, config or Config())
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
            number = int(text)
            if parameter.bounds and not parameter.bounds[0] <= number <= parameter.bounds[1]:
                least, most = parameter.bounds
                raise ResolverError(
                    f"{query.name}: parameter {parameter.name!r} must be from {least} to "
                    f"{most}, got {number}"
                )
            return number
        if kind == "datetime":  # as orders keep them: local time, to the second
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                raise ValueError(text)
            return moment.isoformat(timespec="seconds")
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
        expected = (
            "a local date or time such as 2024-01-31T08:00:00" if kind == "datetime" else kind
        )
        raise ResolverError(
            f"{query.name}: parameter {parameter.name!r} expects {expected}, got {text!r}"
        ) from None
    return text


def _check_known(
    query: Query, parameter: Parameter, value: Any, case: Case, config: Config
) -> None:
    kind = parameter.kinds[0]
    if kind == "platform":
        known = set(config.platforms) | set(case.disclosures.platforms().values())
        if value not in known:
            raise NotFound(
                f"{query.name}: parameter {parameter.name!r}: no platform {value!r}; "
                f"known: {', '.join(sorted(known))}"
            )
    elif kind == "account" and not case.records.holds(value):
        raise NotFound(
            f"{query.name}: parameter {parameter.name!r}: {value}: no such account in the case "
            "(use platform:key, as `resolver export accounts` lists them)"
        )
    elif kind == "trader":
        case.traders.current(value)  # NotFound names it
