"""Platform mappings (`config/platforms/*.yaml`): validated, with errors that name file and key.

A mapping says how one platform's export maps to the canonical model: the file kind and encoding,
the sheets and the join between them, which column (or JSON path) feeds which field, how its
values are parsed, and the header signature that recognises the shape without `--platform`.
"""

from __future__ import annotations

import codecs
import hashlib
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from resolver.config.base import Strict
from resolver.vocabulary import (
    ORDER_FIELDS,
    ORDER_REQUIRED,
    REGISTRANT_KINDS,
    SELLER_FIELDS,
    SELLER_REQUIRED,
    FieldKind,
)

Parser = Literal["text", "money", "integer", "datetime", "excel_datetime", "epoch_ms", "epoch_s"]
DEFAULT_PARSERS: dict[FieldKind, Parser] = {
    FieldKind.TEXT: "text",
    FieldKind.LIST: "text",
    FieldKind.KIND: "text",
    FieldKind.MONEY: "money",
    FieldKind.INTEGER: "integer",
    FieldKind.DATETIME: "datetime",
}
PARSERS_BY_KIND: dict[FieldKind, set[str]] = {
    FieldKind.MONEY: {"money"},
    FieldKind.INTEGER: {"integer"},
    FieldKind.DATETIME: {"datetime", "excel_datetime", "epoch_ms", "epoch_s"},
}


class FieldSpec(Strict):
    """Where a canonical field comes from and how its text is read."""

    columns: list[str] = Field(min_length=1)  # header names, or dotted paths into JSON objects
    join: str | None = None  # several columns into one text (address parts); else a list field
    first_non_empty: bool = False  # several columns, the first that holds a value (one value)
    split: str | None = None  # one cell holding several values ("138...;139...")
    parser: Parser | None = None
    formats: list[str] = []  # strptime formats for `datetime`; common ones are tried after
    unit: Literal["yuan", "fen"] = "yuan"  # for `money`
    values: dict[str, str] = {}  # value map, e.g. 个人 -> person for registrant_kind

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        if isinstance(data, str):
            return {"columns": [data]}
        if isinstance(data, list):
            return {"columns": data}
        if isinstance(data, dict) and "column" in data:
            data = dict(data)
            data["columns"] = [data.pop("column")]
        return data


class TableSpec(Strict):
    sheet: str | None = None  # XLSX only: the sheet that holds this table
    header_row: int = Field(default=1, ge=1)  # XLSX/CSV: the row that holds the headers
    fields: dict[str, FieldSpec]


class FileSpec(Strict):
    kind: Literal["csv", "xlsx", "jsonl"]
    encoding: str = "auto"  # auto: BOM or UTF-16, then strict UTF-8, then GB18030
    delimiter: str = ","

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, encoding: str) -> str:
        if encoding != "auto":
            try:
                codecs.lookup(encoding)
            except LookupError as err:
                raise ValueError(f"unknown encoding {encoding!r}") from err
        return encoding


class PlatformConfig(Strict):
    platform: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    file: FileSpec
    signature: list[str] = Field(min_length=1)
    timezone: str = "Asia/Shanghai"  # of naive date strings in the file
    sellers: TableSpec
    orders: TableSpec
    source: Path = Path("<memory>")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {zone!r}") from err
        return zone

    @model_validator(mode="after")
    def _check_tables(self) -> PlatformConfig:
        for table, allowed, required in (
            ("sellers", SELLER_FIELDS, SELLER_REQUIRED),
            ("orders", ORDER_FIELDS, ORDER_REQUIRED),
        ):
            spec: TableSpec = getattr(self, table)
            for name, field in spec.fields.items():
                if name not in allowed:
                    raise ValueError(
                        f"{table}.fields.{name}: unknown field; expected one of "
                        + ", ".join(allowed)
                    )
                kind = allowed[name]
                combined = field.join is not None or field.first_non_empty
                if len(field.columns) > 1 and kind is not FieldKind.LIST and not combined:
                    raise ValueError(
                        f"{table}.fields.{name}: {len(field.columns)} columns for one value: "
                        'say how to combine them (`join: " "` or `first_non_empty: true`)'
                    )
                if field.first_non_empty and (kind is FieldKind.LIST or field.join is not None):
                    raise ValueError(
                        f"{table}.fields.{name}.first_non_empty: only for one value of several "
                        "columns, without `join`"
                    )
                parser = field.parser or DEFAULT_PARSERS[kind]
                if kind in PARSERS_BY_KIND and parser not in PARSERS_BY_KIND[kind]:
                    raise ValueError(f"{table}.fields.{name}.parser: {parser!r} cannot read {kind}")
                if kind is FieldKind.KIND:
                    bad = set(field.values.values()) - set(REGISTRANT_KINDS)
                    if bad:
                        raise ValueError(
                            f"{table}.fields.{name}.values: {sorted(bad)} are not among "
                            + ", ".join(REGISTRANT_KINDS)
                        )
            for name in required:
                if name not in spec.fields:
                    raise ValueError(f"{table}.fields.{name}: required field is not mapped")
            if self.file.kind == "xlsx" and not spec.sheet:
                raise ValueError(f"{table}.sheet: an xlsx mapping names the sheet of each table")
            if self.file.kind != "xlsx" and spec.sheet:
                raise ValueError(f"{table}.sheet: only xlsx files have sheets")
        return self

    def parser_of(self, table: str, name: str) -> str:
        kind = (SELLER_FIELDS if table == "sellers" else ORDER_FIELDS)[name]
        return self.table(table).fields[name].parser or DEFAULT_PARSERS[kind]

    def table(self, name: str) -> TableSpec:
        return self.sellers if name == "sellers" else self.orders

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.model_dump_json(exclude={"source"}).encode()).hexdigest()
