"""Map the raw tables of one disclosure to canonical frames: sellers, identifiers, orders.

Every value keeps its source row (and sheet); every row or value that cannot be used becomes a
quarantine entry naming row, column and reason, so that nothing is dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import get_type_hints

import numpy as np
import pandas as pd

from resolver.config.platforms import PlatformConfig, TableSpec
from resolver.errors import InputError
from resolver.ingestion.parsers import parse_datetime, parse_integer, parse_money, unguard
from resolver.ingestion.readers import RawFile, RawTable, header_cells, sheets_matching
from resolver.normalize import (
    company_stem,
    infer_kind,
    is_payment_account,
    looks_like_entity,
    normalize_address,
    normalize_bank_account,
    normalize_id_number,
    normalize_name,
    normalize_payment_account,
    normalize_phone,
)
from resolver.normalize.identifiers import LOST_DIGITS, lost_digits
from resolver.normalize.phones import plain_mobiles
from resolver.normalize.text import compact
from resolver.vocabulary import (
    IDENTIFIER_KINDS,
    ORDER_FIELDS,
    PARTY_FIELDS,
    SELLER_FIELDS,
    FieldKind,
)

QUARANTINE_COLUMNS = [
    "table_name",
    "level",
    "source_sheet",
    "source_row",
    "source_column",
    "reason",
    "raw_value",
    "raw_row",
]


@dataclass
class MappedDisclosure:
    sellers: pd.DataFrame
    parties: pd.DataFrame
    identifiers: pd.DataFrame
    orders: pd.DataFrame
    quarantine: pd.DataFrame
    source_rows: int
    unread_sheets: list[str]  # a workbook's sheets that hold a table's headers and that no
    # table reads


class Quarantine:
    """Collects rows and values set aside, each with where it was and why."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []

    def add(
        self,
        table: str,
        level: str,
        sheet: str | None,
        rows: pd.Series,
        column: pd.Series | str | None,
        reasons: pd.Series | str,
        raw_values: pd.Series | str | None,
        raw_rows: list[str] | None = None,
    ) -> None:
        if len(rows) == 0:
            return
        frame = pd.DataFrame(
            {
                "table_name": table,
                "level": level,
                "source_sheet": sheet,
                "source_row": rows.to_numpy(),
                "source_column": column.to_numpy() if isinstance(column, pd.Series) else column,
                "reason": reasons if isinstance(reasons, str) else reasons.to_numpy(),
                "raw_value": (
                    raw_values.to_numpy() if isinstance(raw_values, pd.Series) else raw_values
                ),
                "raw_row": raw_rows,
            }
        )
        self.frames.append(frame)

    def frame(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        return pd.concat(self.frames, ignore_index=True)[QUARANTINE_COLUMNS]


def normalize_unique(
    values: pd.Series,
    normalizer: Callable,
    bulk: Callable[[pd.Series], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Apply a normaliser once per distinct value (values repeat a lot in disclosures).

    `bulk`, where given, answers for most distinct values at once; the normaliser takes the rest.
    """
    codes, uniques = pd.factorize(values)
    names = [f.name for f in fields(get_type_hints(normalizer)["return"])]
    uniques = pd.Series(uniques, dtype=object)
    done = bulk(uniques.astype("str")) if bulk is not None and len(uniques) else None
    rest = uniques if done is None else uniques.drop(done.index)
    results = [normalizer(v) for v in rest]
    table = pd.DataFrame(
        [[getattr(r, n) for n in names] for r in results],
        columns=names,
        index=rest.index,
        dtype=object,
    )
    if done is not None:
        table = pd.concat([table, done.astype(object)]).sort_index()
    table.loc[len(uniques)] = None  # row for missing values (code -1)
    picked = table.iloc[np.where(codes < 0, len(uniques), codes)].reset_index(drop=True)
    picked.index = values.index
    return picked


def _cell_series(table: RawTable, column: str, path: Path, field: str, table_name: str):
    if table.headers.count(column) > 1:
        numbers = ", ".join(str(i + 1) for i, h in enumerate(table.headers) if h == column)
        raise InputError(
            path,
            f"column {column!r} (mapped to {table_name}.{field}) appears more than once in the "
            f"header (columns {numbers}); rename one so that the mapping names one column",
            sheet=table.sheet,
        )
    try:
        index = table.headers.index(column)
    except ValueError:
        raise InputError(
            path,
            f"missing column {column!r} (mapped to {table_name}.{field}); "
            f"the file has {', '.join(h for h in table.headers if h)}",
            sheet=table.sheet,
        ) from None
    return table.columns[index]


def _as_text(cells: pd.Series) -> pd.Series:
    """Scalar cells as text; a JSON list in a scalar field keeps its values joined by `;`."""
    if cells.dtype == object and cells.map(type).eq(tuple).any():
        cells = cells.map(lambda v: ";".join(v) if isinstance(v, tuple) else v)
    return unguard(cells.astype("str"))


def _join(columns: list[pd.Series], separator: str) -> pd.Series:
    texts = [_as_text(c) for c in columns]
    joined = texts[0]
    for more in texts[1:]:
        joined = joined.str.cat(more, sep=separator)
    return joined.str.strip(separator or None)


# Identifier lists whose cells are split, where the mapping gives no `split`, at the separators
# people type between two numbers (`13812345678/13987654321`, `138...，139...`); never at a space,
# which bank account numbers are written with. Addresses are never split: a comma is part of one.
SPLIT_BY_DEFAULT = frozenset({"phones", "bank_accounts", "payment_accounts"})
DEFAULT_SEPARATORS = r"[;；,，/、|\n]+"


def extract_fields(
    table: RawTable, spec: TableSpec, kinds: dict[str, FieldKind], path: Path, table_name: str
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Text per scalar field (one frame) and exploded values per list field (one frame each)."""
    scalars: dict[str, pd.Series] = {}
    lists: dict[str, pd.DataFrame] = {}
    rows = pd.Series(table.row_numbers, dtype="int64")
    for name, field in spec.fields.items():
        columns = [_cell_series(table, c, path, name, table_name) for c in field.columns]
        if kinds[name] is FieldKind.LIST and field.join is not None:  # parts of one value
            texts = _join(columns, field.join)
            frame = pd.DataFrame(
                {"_pos": texts.index, "raw": texts, "source_column": "+".join(field.columns)}
            )
            lists[name] = frame[frame["raw"] != ""]
        elif kinds[name] is FieldKind.LIST:
            parts = []
            for column, cells in zip(field.columns, columns, strict=True):
                values = cells.map(lambda v: v if isinstance(v, tuple) else (v,))
                exploded = values.explode()
                exploded = exploded[exploded.notna()].astype("str")
                if field.split:
                    exploded = exploded.str.split(field.split).explode()
                elif name in SPLIT_BY_DEFAULT:
                    exploded = exploded.str.split(DEFAULT_SEPARATORS, regex=True).explode()
                frame = pd.DataFrame(
                    {"_pos": exploded.index, "raw": unguard(exploded), "source_column": column}
                )
                parts.append(frame[frame["raw"] != ""])
            lists[name] = pd.concat(parts, ignore_index=True)
        elif field.join is not None:
            scalars[name] = _join(columns, field.join)
        else:  # one column, or the first of several that holds a value
            texts = [_as_text(c) for c in columns]
            scalars[name] = texts[0]
            for more in texts[1:]:
                scalars[name] = scalars[name].where(scalars[name] != "", more)
    frame = pd.DataFrame(scalars)
    frame["_row"] = rows
    return frame, lists


def _raw_row(table: RawTable, positions) -> list[str]:
    return [json.dumps(table.row(p), ensure_ascii=False) for p in positions]


def distinct_rows(table: RawTable, columns: list[str]) -> RawTable:
    """The first row of each distinct combination of `columns` (missing ones are ignored here
    and reported by `extract_fields`)."""
    positions = sorted({table.headers.index(c) for c in columns if c in table.headers})
    if not positions or not len(table):
        return table
    frame = pd.DataFrame({i: table.columns[i] for i in positions})
    keep = ~frame.duplicated().to_numpy()
    return RawTable(
        table.sheet,
        table.headers,
        [c[keep].reset_index(drop=True) for c in table.columns],
        table.row_numbers[keep],
    )


def _source_column(spec: TableSpec, field: str) -> str:
    return "+".join(spec.fields[field].columns)


def map_sellers(
    raw: RawFile, config: PlatformConfig, path: Path, quarantine: Quarantine
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(seller records, their parties, their identifiers), one record per account."""
    spec = config.sellers
    table = raw.tables[spec.sheet]
    own_sheet = spec.sheet is not None and spec.sheet != config.orders.sheet
    if not own_sheet:  # identity repeated on every order row: read each distinct version once
        table = distinct_rows(table, [c for f in spec.fields.values() for c in f.columns])
    frame, lists = extract_fields(table, spec, SELLER_FIELDS, path, "sellers")
    empty, lost = frame["account_key"] == "", lost_digits(frame["account_key"])
    if own_sheet:  # in a shared table the order mapping reports the same rows
        for unusable, reason in ((empty, "empty account key"), (lost, LOST_DIGITS)):
            quarantine.add(
                "sellers",
                "row",
                spec.sheet,
                frame.loc[unusable, "_row"],
                _source_column(spec, "account_key"),
                reason,
                frame.loc[unusable, "account_key"],
                _raw_row(table, frame.index[unusable]),
            )
    frame = frame[~(empty | lost)]
    parties = _parties(frame, spec, quarantine)
    # One record per account: the first non-empty store name and alias, the first registrant
    # and contact (every party is kept in `parties`), all distinct list values.
    firsts = frame.replace("", None).groupby("account_key", sort=False)
    store_fields = [n for n in ("store_name", "alias") if n in frame.columns]
    sellers = (
        firsts[store_fields].first() if store_fields else pd.DataFrame(index=firsts.size().index)
    )
    sellers["source_row"] = firsts["_row"].min()
    sellers = sellers.reset_index()
    for name in ("store_name", "alias"):
        if name not in sellers:
            sellers[name] = None
    text = {n: sellers[n].fillna("") for n in ("store_name", "alias")}
    sellers["store_name_norm"] = text["store_name"].map(compact)
    sellers["store_stem"] = text["store_name"].map(company_stem)
    sellers["alias_norm"] = text["alias"].map(compact)
    sellers = sellers.merge(_first_party(parties, "registrant", REGISTRANT_COLUMNS), how="left")
    sellers = sellers.merge(_first_party(parties, "contact", CONTACT_COLUMNS), how="left")
    sellers["id_valid"] = sellers["id_valid"].astype("boolean")
    sellers["source_sheet"] = spec.sheet
    identifiers = _identifiers(frame, lists, spec.sheet, quarantine)
    return sellers, parties, identifiers


# Seller-record columns taken from its first registrant and first contact (party columns).
REGISTRANT_COLUMNS = {
    "name": "registrant_name", "name_norm": "registrant_norm", "pinyin": "registrant_pinyin",
    "surname": "registrant_surname", "stem": "registrant_stem", "kind": "registrant_kind",
    "kind_raw": "registrant_kind_raw", "id_number": "id_number", "id_norm": "id_norm",
    "id_partial": "id_partial", "id_kind": "id_kind", "id_valid": "id_valid",
}  # fmt: skip
CONTACT_COLUMNS = {"name": "contact", "name_norm": "contact_norm"}


def _first_party(parties: pd.DataFrame, role: str, columns: dict[str, str]) -> pd.DataFrame:
    first = parties[parties["role"] == role].drop_duplicates("account_key")
    renamed = first[["account_key", *columns]].rename(columns=columns)
    return renamed if len(renamed) else pd.DataFrame(columns=["account_key", *columns.values()])


def _parties(frame: pd.DataFrame, spec: TableSpec, quarantine: Quarantine) -> pd.DataFrame:
    """Every distinct person or entity of each account, by role, with the first row that
    discloses it: a store that changed hands keeps each registrant."""
    parts = []
    for role, (name_field, kind_field, id_field) in PARTY_FIELDS.items():
        fields = [f for f in (name_field, kind_field, id_field) if f and f in frame.columns]
        if name_field not in frame.columns and (id_field is None or id_field not in frame.columns):
            continue
        empty = pd.Series("", index=frame.index)
        part = pd.DataFrame(
            {
                "account_key": frame["account_key"],
                "role": role,
                "name": frame[name_field] if name_field in fields else empty,
                "kind_raw": frame[kind_field] if kind_field in fields else empty,
                "id_number": frame[id_field] if id_field in fields else empty,
                "source_column": "+".join(c for f in fields for c in spec.fields[f].columns),
                "id_column": _source_column(spec, id_field) if id_field in fields else None,
                "source_row": frame["_row"],
            }
        )
        part = part[(part["name"] != "") | (part["id_number"] != "")]
        parts.append(part.drop_duplicates(["account_key", "name", "kind_raw", "id_number"]))
    columns = ["account_key", "role", "name", "kind_raw", "id_number", "source_column",
               "id_column", "source_row"]  # fmt: skip
    parties = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    names = normalize_unique(parties["name"], normalize_name)
    parties["name_norm"], parties["pinyin"] = names["norm"], names["pinyin"]
    parties["surname"] = names["surname"]
    ids = normalize_unique(
        parties["id_number"].where(parties["id_number"] != ""), normalize_id_number
    )
    parties["id_norm"], parties["id_partial"] = ids["norm"], ids["partial"]
    parties["id_kind"], parties["id_valid"] = ids["kind"], ids["valid"].astype("boolean")
    flagged = ids["issue"].notna()
    quarantine.add(
        "sellers",
        "value",
        spec.sheet,
        parties.loc[flagged, "source_row"],
        parties.loc[flagged, "id_column"],
        ids.loc[flagged, "issue"],
        parties.loc[flagged, "id_number"],
    )
    # The kind as the platform states it when mapped, otherwise as the identifiers imply; only
    # registrants can be entities.
    kind_spec = spec.fields.get("registrant_kind")
    stated = parties["kind_raw"].map(kind_spec.values.get) if kind_spec else parties["kind_raw"]
    stated = stated.where(parties["kind_raw"] != "")
    unknown = stated.isna() & (parties["kind_raw"] != "")
    quarantine.add(
        "sellers",
        "value",
        spec.sheet,
        parties.loc[unknown, "source_row"],
        _source_column(spec, "registrant_kind") if kind_spec else None,
        "unknown registrant kind; inferred instead",
        parties.loc[unknown, "kind_raw"],
    )
    inferred = [
        infer_kind(name, id_kind, id_norm) if role == "registrant" else "person"
        for name, id_kind, id_norm, role in zip(
            parties["name"], parties["id_kind"], parties["id_norm"], parties["role"], strict=True
        )
    ]
    parties["kind"] = stated.fillna(pd.Series(inferred, index=parties.index, dtype=object))
    # A stem ties a company to its stores; a person's name (a legal representative's, written
    # where the company's name belongs) is no company stem.
    parties["stem"] = [
        company_stem(name) if kind != "person" and looks_like_entity(name) else None
        for name, kind in zip(parties["name"], parties["kind"], strict=True)
    ]
    parties["kind_raw"] = parties["kind_raw"].where(parties["kind_raw"] != "")
    return parties.drop(columns="id_column")


def _identifiers(
    frame: pd.DataFrame, lists: dict[str, pd.DataFrame], sheet: str | None, quarantine: Quarantine
) -> pd.DataFrame:
    parts = []
    for name, values in lists.items():
        values = values[values["_pos"].isin(frame.index)]
        part = pd.DataFrame(
            {
                "account_key": frame.loc[values["_pos"], "account_key"].to_numpy(),
                "kind": IDENTIFIER_KINDS[name],
                "raw": values["raw"].to_numpy(),
                "source_column": values["source_column"].to_numpy(),
                "source_row": frame.loc[values["_pos"], "_row"].to_numpy(),
            }
        )
        parts.append(part.drop_duplicates(["account_key", "raw"]))
    columns = ["account_key", "kind", "raw", "source_column", "source_row"]
    ids = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    # An Alipay account (a phone or e-mail) mapped as a bank account is kept as what it is.
    banks = ids.loc[ids["kind"] == "bank_account", "raw"]
    paying = banks.map(is_payment_account).astype(bool)
    ids.loc[paying.index[paying], "kind"] = "payment_account"
    normalized = []
    for kind, group in ids.groupby("kind", sort=False):
        if kind == "phone":
            norm = normalize_unique(group["raw"], normalize_phone, plain_mobiles)
            out = pd.DataFrame(
                {"norm": norm["e164"], "partial": norm["partial"], "subtype": norm["kind"]}
            )
        elif kind == "bank_account":
            norm = normalize_unique(group["raw"], normalize_bank_account)
            out = pd.DataFrame({"norm": norm["norm"], "partial": norm["partial"]})
        elif kind == "payment_account":
            norm = normalize_unique(group["raw"], normalize_payment_account)
            out = pd.DataFrame(
                {"norm": norm["norm"], "partial": norm["partial"], "subtype": norm["kind"]}
            )
        else:
            norm = normalize_unique(group["raw"], normalize_address)
            out = norm[["norm", "province_code", "city_code", "district_code", "street"]]
        issues = norm["issue"] if "issue" in norm else pd.Series(None, index=group.index)
        out = pd.concat([group, out], axis=1)
        out["issue"] = issues
        normalized.append(out)
        flagged = out[out["issue"].notna()]
        quarantine.add(
            "sellers",
            "value",
            sheet,
            flagged["source_row"],
            flagged["source_column"],  # list fields may draw on several columns
            flagged["issue"],
            flagged["raw"],
        )
    result = pd.concat(normalized, ignore_index=True) if normalized else ids
    for column in (
        "norm",
        "partial",
        "subtype",
        "province_code",
        "city_code",
        "district_code",
        "street",
        "issue",
    ):
        if column not in result:
            result[column] = None
    return result


def map_orders(
    raw: RawFile,
    config: PlatformConfig,
    path: Path,
    quarantine: Quarantine,
    known_accounts: set[str] | None,
) -> pd.DataFrame:
    spec = config.orders
    table = raw.tables[spec.sheet]
    frame, _ = extract_fields(table, spec, ORDER_FIELDS, path, "orders")
    errors: dict[str, pd.Series] = {}
    out = pd.DataFrame({"order_id": frame["order_id"], "account_key": frame["account_key"]})
    for name in ("order_id", "account_key"):
        errors[name] = (
            frame[name]
            .where(frame[name] == "")
            .map(lambda _, n=name: f"empty {n.replace('_', ' ')}", na_action="ignore")
            .mask(lost_digits(frame[name]), LOST_DIGITS)
        )
    if known_accounts is not None:
        unknown = (frame["account_key"] != "") & ~frame["account_key"].isin(known_accounts)
        errors["account_key"] = errors["account_key"].mask(unknown, "order of an unknown store")
    for name, kind in ORDER_FIELDS.items():
        if name not in spec.fields:
            out[name if kind is not FieldKind.MONEY else f"{name}_fen"] = None
            continue
        field, text = spec.fields[name], frame[name]
        if kind is FieldKind.MONEY:
            out[f"{name}_fen"], errors[name] = parse_money(text, field.unit)
        elif kind is FieldKind.INTEGER:
            out[name], errors[name] = parse_integer(text)
        elif kind is FieldKind.DATETIME:
            parser = config.parser_of("orders", name)
            out[name], errors[name] = parse_datetime(text, parser, field.formats, config.timezone)
        elif name not in ("order_id", "account_key"):
            out[name] = text.where(text != "")
    for name in ("amount", "paid_at"):
        missing = frame[name] == ""
        errors[name] = errors[name].mask(missing, f"empty {name.replace('_', ' ')}")
    bad = pd.Series(False, index=frame.index)
    for name, reasons in errors.items():
        failed = reasons.notna()
        if failed.any():
            quarantine.add(
                "orders",
                "row",
                spec.sheet,
                frame.loc[failed, "_row"],
                _source_column(spec, name),
                reasons[failed],
                frame.loc[failed, name],
                _raw_row(table, frame.index[failed]),
            )
            bad |= failed
    out["source_row"] = frame["_row"]
    out["source_sheet"] = spec.sheet
    out = out[~bad].reset_index(drop=True)
    return _normalize_recipients(out)


def _normalize_recipients(orders: pd.DataFrame) -> pd.DataFrame:
    names = normalize_unique(orders["recipient_name"], normalize_name)
    orders["recipient_name_norm"] = names["norm"]
    orders["recipient_pinyin"] = names["pinyin"]
    phones = normalize_unique(orders["recipient_phone"], normalize_phone, plain_mobiles)
    orders["recipient_phone_e164"] = phones["e164"]
    orders["recipient_phone_partial"] = phones["partial"]
    addresses = normalize_unique(orders["recipient_address"], normalize_address)
    orders["recipient_address_norm"] = addresses["norm"]
    for part in ("province_code", "city_code", "district_code", "street"):
        orders[f"recipient_{part}"] = addresses[part]
    return orders


def map_disclosure(raw: RawFile, config: PlatformConfig, path: Path) -> MappedDisclosure:
    """The file's sellers and orders. A workbook's tables may stand on several sheets each (the
    mapping's `sheet` a pattern such as `订单明细*`, for a platform that splits them); an
    account that several disclose is one record, with the first sheet's row."""
    quarantine = Quarantine()
    separate = config.sellers.sheet != config.orders.sheet
    seller_sheets = _sheets_of(config.sellers.sheet, raw)
    for bad in raw.bad_rows:
        table = "sellers" if separate and bad.sheet in seller_sheets else "orders"
        quarantine.add(table, "row", bad.sheet, pd.Series([bad.row]), None, bad.reason, bad.raw)
    tables = ("sellers",) if separate else ("sellers", "orders")
    mapped = [map_sellers(raw, _reading(config, sheet, tables), path, quarantine)
              for sheet in seller_sheets]  # fmt: skip
    sellers, parties, identifiers = (
        mapped[0]
        if len(mapped) == 1
        else (
            pd.concat(frames, ignore_index=True).drop_duplicates(keys)
            for frames, keys in zip(zip(*mapped, strict=True), ONE_PER_ACCOUNT, strict=True)
        )
    )
    known = set(sellers["account_key"]) if separate else None
    tables = ("orders",) if separate else ("sellers", "orders")
    orders = pd.concat(
        [
            map_orders(raw, _reading(config, sheet, tables), path, quarantine, known)
            for sheet in _sheets_of(config.orders.sheet, raw)
        ],
        ignore_index=True,
    )
    source_rows = sum(len(t) for t in raw.tables.values()) + len(raw.bad_rows)
    unread = _unread_tables(raw, config)
    return MappedDisclosure(
        sellers, parties, identifiers, orders, quarantine.frame(), source_rows, unread
    )


# What makes a seller record, a party and an identifier one, where sheets disclose them again:
# the first sheet's is kept
ONE_PER_ACCOUNT = (
    ["account_key"],
    ["account_key", "role", "name", "kind_raw", "id_number"],
    ["account_key", "kind", "raw"],
)


def _sheets_of(sheet: str | None, raw: RawFile) -> list[str | None]:
    """The sheets a table's `sheet` names (a CSV's or JSON file's one table: None)."""
    return [sheet] if sheet is None else list(sheets_matching(sheet, raw.tables))


def _reading(config: PlatformConfig, sheet: str | None, tables: tuple[str, ...]) -> PlatformConfig:
    """`config` with its `tables` read from `sheet`."""
    specs = {table: getattr(config, table).model_copy(update={"sheet": sheet}) for table in tables}
    return config.model_copy(update=specs)


def _unread_tables(raw: RawFile, config: PlatformConfig) -> list[str]:
    """The sheets no table reads that hold every column a table maps (at its header row):
    orders split over sheets that the mapping names one of, left out unless told."""
    unread = []
    for name, head in raw.unread_heads.items():
        for spec in (config.sellers, config.orders):
            mapped = {column for field in spec.fields.values() for column in field.columns}
            if mapped <= set(header_cells(head, spec.header_row)):
                unread.append(name)
                break
    return unread
