"""Schema versions of the case database, and the steps that upgrade an older case.

A case records the version of its schema in `meta`. Opening a case of an older version runs
each step from its version up, in the same transaction as the rest of the upgrade; a case made
by a newer resolver is refused. Version 0 is the layout before versions were kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from importlib.resources import files
from pathlib import Path

import duckdb
import pandas as pd

from resolver.errors import CaseError
from resolver.vocabulary import COURTESY_TITLES

SCHEMA_VERSION = 12
SCHEMA_SQL = files("resolver.case").joinpath("schema.sql")
V3_MARKER = "-- version 3:"  # schema.sql's tables from here on are version 3's
VIEWS_SQL = files("resolver.case").joinpath("views.sql")
# Files that version 0 kept beside the database; version 1 keeps the model in it.
V0_MODEL_FILE, V0_RULES_FILE = "model.json", "model.config.sha256"


def version_of(db: duckdb.DuckDBPyConnection, folder: Path) -> int | None:
    """The schema version of an open database; None when it is empty (a new case)."""
    tables = {
        name
        for (name,) in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if not tables:
        return None
    if "meta" in tables:
        rows = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        return int(rows[0][0])
    if "disclosures" in tables:
        return 0
    raise CaseError(f"{folder}: this folder's case.duckdb is not a resolver case")


def create(db: duckdb.DuckDBPyConnection, tool_version: str) -> None:
    db.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    db.execute(
        "INSERT INTO meta VALUES ('schema_version', ?), ('created_by', ?)",
        [str(SCHEMA_VERSION), f"resolver {tool_version}"],
    )


def upgrade(db: duckdb.DuckDBPyConnection, folder: Path, version: int) -> list[Path]:
    """Bring the database from `version` to SCHEMA_VERSION; returns files the caller removes
    once the upgrade is committed (their content now lives in the database)."""
    if version > SCHEMA_VERSION:
        raise CaseError(
            f"{folder}: this case was written by a newer resolver (schema {version}; this one "
            f"reads up to {SCHEMA_VERSION}): upgrade resolver to open it"
        )
    leftovers: list[Path] = []
    for step in STEPS[version:]:
        leftovers += step(db, folder)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
    return leftovers


def _v0_to_v1(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 1 keeps its version in `meta` and the trained model inside the database (so a
    match that rolls back also rolls back the model it trained)."""
    db.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('created_by', 'resolver 0.1')")
    db.execute(
        "CREATE TABLE model (trained_at TIMESTAMPTZ NOT NULL, rules_sha256 VARCHAR NOT NULL, "
        "rules VARCHAR, settings VARCHAR NOT NULL)"
    )
    model, rules = folder / V0_MODEL_FILE, folder / V0_RULES_FILE
    if model.exists() and rules.exists():
        settings = json.loads(model.read_text(encoding="utf-8"))
        db.execute(
            "INSERT INTO model VALUES (now(), ?, NULL, ?)",
            [rules.read_text(encoding="utf-8").strip(), json.dumps(settings)],
        )
    return [path for path in (model, rules) if path.exists()]


def _v1_to_v2(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 2 keeps every person behind a store (`seller_parties`), compares house numbers
    however they are written, and links on ties with the values they share. Parties are made
    from the registrant and contact of each record (disclosures ingested before version 2 did
    not keep second registrants, legal representatives or payment accounts: ingest them again
    into a new case for those); streets are normalised again from the raw addresses; links,
    hubs and self-purchases are derived data and are scored again by the next `resolver match`
    or `train`, which keeps every trader id."""
    db.execute(
        """
        CREATE TABLE seller_parties (
            record_id VARCHAR NOT NULL, role VARCHAR NOT NULL,
            name VARCHAR, name_norm VARCHAR, pinyin VARCHAR, surname VARCHAR,
            kind VARCHAR, kind_raw VARCHAR, stem VARCHAR,
            id_number VARCHAR, id_norm VARCHAR, id_partial VARCHAR, id_kind VARCHAR,
            id_valid BOOLEAN, source_column VARCHAR, source_row INTEGER NOT NULL
        );
        INSERT INTO seller_parties
        SELECT record_id, 'registrant', registrant_name, registrant_norm, registrant_pinyin,
            registrant_surname, registrant_kind, registrant_kind_raw, registrant_stem,
            id_number, id_norm, id_partial, id_kind, id_valid, NULL, source_row
        FROM seller_records
        WHERE coalesce(registrant_name, '') <> '' OR coalesce(id_number, '') <> '';
        INSERT INTO seller_parties (record_id, role, name, name_norm, kind, source_row)
        SELECT record_id, 'contact', contact, contact_norm, 'person', source_row
        FROM seller_records WHERE coalesce(contact, '') <> '';
        DROP TABLE links;
        CREATE TABLE links (
            account_a VARCHAR NOT NULL, account_b VARCHAR NOT NULL, splink_weight DOUBLE,
            control_weight DOUBLE, control_evidence VARCHAR, match_weight DOUBLE NOT NULL,
            probability DOUBLE NOT NULL, comparisons VARCHAR,
            self_purchase_orders INTEGER NOT NULL, PRIMARY KEY (account_a, account_b)
        );
        DROP TABLE self_purchase_orders;
        CREATE TABLE self_purchase_orders (
            platform VARCHAR NOT NULL, order_id VARCHAR NOT NULL, seller VARCHAR NOT NULL,
            registrant VARCHAR NOT NULL, strong BOOLEAN NOT NULL, evidence VARCHAR NOT NULL
        );
        DROP TABLE hubs;
        CREATE TABLE hubs (
            kind VARCHAR NOT NULL, value VARCHAR NOT NULL, accounts INTEGER, groups INTEGER,
            reason VARCHAR NOT NULL
        );
        CREATE TABLE kept_apart (
            reason VARCHAR NOT NULL, kind VARCHAR, value VARCHAR, groups VARCHAR NOT NULL
        );
        DELETE FROM model;
        INSERT INTO meta VALUES ('links_stale', 'this case was upgraded from an older resolver')
        """
    )
    for table, raw, street, which in (
        ("seller_identifiers", "raw", "street", "seller_identifiers.kind = 'address'"),
        ("orders", "recipient_address", "recipient_street", "orders.recipient_address <> ''"),
    ):
        _derive_again(db, table, raw, which, {street: partial(_part, "normalize_address",
                                                                "street")})  # fmt: skip
    return []


def _derive_again(
    db: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    which: str,
    derive: Mapping[str, Callable[[str], object]],
) -> int:
    """Set each column of `derive` (column: its function of `source`) of `table` on the rows
    `which` (a condition naming its columns with the table), each distinct value derived once,
    in one pass: normal forms made again by a newer normaliser. Returns how many rows it
    changed."""
    values = [v for (v,) in db.execute(f"SELECT DISTINCT {source} FROM {table} WHERE {which}")
              .fetchall()]  # fmt: skip
    derived = {column: [function(v) for v in values] for column, function in derive.items()}
    db.register("derived", pd.DataFrame({"source": values, **derived}))
    changed = db.execute(
        f"UPDATE {table} SET {', '.join(f'{c} = n.{c}' for c in derive)} FROM derived n "
        f"WHERE {table}.{source} = n.source AND {which} "
        f"AND ({' OR '.join(f'{table}.{c} IS DISTINCT FROM n.{c}' for c in derive)})"
    ).fetchone()  # DuckDB answers an UPDATE with the rows it changed
    db.unregister("derived")
    return int(changed[0]) if changed else 0


def _v2_to_v3(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 3 keeps investigators' judgements (an empty ledger), contested traders and
    what clustering held together by one tie (filled by the next run)."""
    after_marker = SCHEMA_SQL.read_text(encoding="utf-8").split(V3_MARKER, 1)[1]
    db.execute(after_marker.split("\n", 1)[1])
    return []


def _v3_to_v4(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 4 keeps a value lent to unrelated groups (an agency's phone listed as an
    add-on, a nominee's ID) as a weak tie (`hubs.weak`) instead of leaving it out: the next
    `resolver match` finds the hubs again (and, `matching.yaml` having changed, trains and
    scores again)."""
    db.execute("ALTER TABLE hubs ADD COLUMN weak BOOLEAN DEFAULT false")
    return []


def _v4_to_v5(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 5 keeps the ties of scored pairs too weak to link (`weak_ties`), which can join
    a lone account to a trader together: the next `resolver match` or `train` scores every
    pair again to find them, keeping every trader id."""
    db.execute(
        """
        CREATE TABLE weak_ties (
            account_a VARCHAR NOT NULL, account_b VARCHAR NOT NULL,
            kind VARCHAR NOT NULL, value VARCHAR, bits DOUBLE NOT NULL
        );
        INSERT OR REPLACE INTO meta
        VALUES ('links_stale', 'this case was upgraded from a resolver that kept no weak ties')
        """
    )
    return []


def _v5_to_v6(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 6 strips a shop's decoration (`优选`, `精选`, `生活馆`...) from store and company
    names as it strips `旗舰店`: the stems are made again from the names as disclosed, so that
    disclosures ingested before and after compare alike, and the next `resolver match` or
    `train` scores every pair again, keeping every trader id."""
    _stem_again(db)
    db.execute(
        "INSERT OR IGNORE INTO meta VALUES ('links_stale', 'this case was upgraded from a "
        "resolver that kept shop decorations in store names')"
    )
    return []


def _stem_again(db: duckdb.DuckDBPyConnection) -> int:
    """Make every store and company stem again from the name as disclosed; returns how many
    rows changed."""
    from resolver.normalize import company_stem

    return sum(
        _derive_again(db, table, name, which, {stem: company_stem})
        for table, name, stem, which in (
            ("seller_records", "store_name", "store_stem", "seller_records.store_name IS NOT NULL"),
            ("seller_parties", "name", "stem", "seller_parties.stem IS NOT NULL"),
        )
    )


# How a self-purchase was found, as version 6 and before stored it (English only), and the way
# of `resolver.case.orders.PURCHASE_WAYS` that stands for it from version 7
PURCHASE_WORDS_BEFORE_V7 = {
    "recipient phone is a phone it is registered with": "registered_phone",
    "recipient is one of its people, at a masked phone that fits": "name_at_masked_phone",
    "recipient is one of its people, at a landline it is registered with": "name_at_landline",
    "recipient is one of its people, at its address": "name_at_address",
    "recipient's masked name fits one of its people, at a masked phone that fits":
        "masked_name_at_masked_phone",
    "recipient's masked name fits one of its people, at a landline it is registered with":
        "masked_name_at_landline",
    "recipient's masked name fits one of its people, at its address": "masked_name_at_address",
    "recipient phone is a phone it lists that unrelated stores list too": "lent_phone",
    "recipient is one of its people, at its address, which unrelated stores give too":
        "name_at_shared_address",
    "recipient phone is masked so that it fits a phone of its trader's": "masked_fit",
}  # fmt: skip


def _v6_to_v7(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 7 stores how each self-purchase was found as a way that each language words
    (a Chinese report said it in English): the words stored before become their ways."""
    db.register(
        "purchase_words",
        pd.DataFrame(list(PURCHASE_WORDS_BEFORE_V7.items()), columns=["said", "way"]),
    )
    db.execute(
        "UPDATE self_purchase_orders SET evidence = w.way FROM purchase_words w "
        "WHERE self_purchase_orders.evidence = w.said"
    )
    db.unregister("purchase_words")
    return []


# What an address must hold for version 8 to read it otherwise than version 7: a Chinese numeral,
# an ordinal, a lane, a courtyard, a floor, or a bracket (a note at the end); and a phone version 7
# set aside: an extension after a dash
READ_AGAIN_IN_V8 = r"[〇零一二两三四五六七八九十第弄院层(（\[【]"
PHONES_READ_AGAIN_IN_V8 = r"\d\s*[-－]\s*\d{1,6}\s*$"


def _v7_to_v8(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 8 reads house numbers in Chinese numerals (`三栋二二四室`), with an ordinal
    (`第3栋`), a lane (`1099弄`) or a courtyard (`8号院`), and leaves out a note in brackets at
    the end of an address (`（菜鸟驿站）`); a landline with an extension after a dash
    (`0571-88888888-8001`); and a company's stem leaves out its region and the trade only
    companies name (`汕头美嘉百货商贸有限公司` -> `美嘉百货`), a store's its number
    (`美嘉百货2店`). The addresses and phones that may read otherwise and every stem are made
    again from what was disclosed (a phone set aside at ingest that now reads leaves the
    quarantine), and where one reads otherwise, the next `resolver match` or `train` scores
    every pair again."""
    changed = _stem_again(db) + _read_addresses_again(db, READ_AGAIN_IN_V8)
    for table, raw, which, columns in (
        ("seller_identifiers", "raw", "seller_identifiers.kind = 'phone'", PHONE_COLUMNS),
        ("orders", "recipient_phone", "orders.recipient_phone <> ''", RECIPIENT_PHONE_COLUMNS),
    ):
        changed += _read_again(db, table, raw, which, PHONES_READ_AGAIN_IN_V8, "normalize_phone",
                               columns)  # fmt: skip
    _set_aside_again(db, "normalize_phone", ("not a valid phone number",))  # as version 7 said
    if changed:
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('links_stale', 'this case was upgraded from a "
            "resolver that read house numbers in Chinese numerals as words, set aside landlines "
            "with extensions and kept the trade in company stems')"
        )
    return []


# What a value must hold for version 9 to read it otherwise than version 8: an ID number, a
# character no number is made of (a label, a note); a phone, payment account or address, a
# closing bracket at its end (a note) or Chinese after its last digit; a name, a closing bracket
# at its end, a courtesy title at its end or a letter (pinyin, surname first)
IDS_READ_AGAIN_IN_V9 = r"[^0-9A-Za-z*\s●○•-]"
NOTED_IN_V9 = r"[)）\]】]\s*$|[0-9*xX]\s*[一-鿿]+\s*$"
NAMES_READ_AGAIN_IN_V9 = rf"[)）\]】]\s*$|[A-Za-z]|(?:{'|'.join(COURTESY_TITLES)})\s*$"
# ... and an address, a closing bracket at its end, a recipient (`收`), or a number after a space,
# a comma or a word that a postcode or a phone follows (`邮编`, `电话`, `tel`), or a postcode first
ADDRESSES_READ_AGAIN_IN_V9 = (
    r"[)）\]】]\s*$|收\s*$|[\s,，;；:：码编话机lL][0-9０-９\-－ ]{6,}$|^\s*[0-9０-９]{6}\s"
)
# The reasons version 8 set a value aside for, that a label or a note may have caused
SET_ASIDE_BEFORE_V9 = {
    "normalize_id_number": ("neither an ID card number nor a USCC",),
    "normalize_phone": ("not a phone number", "not a valid phone number"),
    "normalize_payment_account": ("not a payment account",),
}


def _v8_to_v9(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 9 reads an ID number without a label before it (`身份证：`) or a note after it
    (`（法人）`); a phone or payment account without a note after it (`（微信同号）`, `王先生`);
    a person's name without a note in brackets (`张三（店主）`) or a courtesy title after it
    (`张三先生`), and in letters surname first (`San ZHANG`, `Xiuying Wang`); leaves out of an
    address a note in brackets that names a recipient (`（张三收）`) and a postcode, a phone or a
    recipient written beside it without brackets; and leaves out of a stem a region, a legal
    form or a platform in brackets (`美嘉（杭州）科技有限公司`, `美嘉百货专卖店（天猫）`). Every
    stem, and the values that may read otherwise, are made again from what was disclosed; a
    value set aside at ingest that now reads leaves the quarantine (one that reads with another
    fault keeps its place, with that reason); a bank account that a note hid a payment account
    in becomes one; and where one reads otherwise, the next `resolver match` or `train` scores
    every pair again."""
    from resolver.normalize import is_payment_account

    changed = 0
    id_columns = {"id_norm": "norm", "id_partial": "partial", "id_kind": "kind",
                  "id_valid": "valid"}  # fmt: skip
    for table in ("seller_parties", "seller_records"):
        which = f"{table}.id_number IS NOT NULL"
        changed += _read_again(db, table, "id_number", which, IDS_READ_AGAIN_IN_V9,
                               "normalize_id_number", id_columns)  # fmt: skip
    changed += _infer_kinds_again(db)
    banks = db.execute(
        "SELECT DISTINCT raw FROM seller_identifiers WHERE kind = 'bank_account' "
        f"AND regexp_matches(raw, '{NOTED_IN_V9}')"
    ).fetchall()
    paying = [raw for (raw,) in banks if is_payment_account(raw)]
    if paying:
        db.register("paying", pd.DataFrame({"raw": paying}))
        db.execute(
            "UPDATE seller_identifiers SET kind = 'payment_account' WHERE kind = 'bank_account' "
            "AND raw IN (SELECT raw FROM paying)"
        )
        db.unregister("paying")
    for kind, normalizer, columns in (
        ("phone", "normalize_phone", PHONE_COLUMNS),
        ("payment_account", "normalize_payment_account", PAYMENT_COLUMNS),
    ):
        which = f"seller_identifiers.kind = '{kind}'"
        changed += _read_again(db, "seller_identifiers", "raw", which, NOTED_IN_V9, normalizer,
                               columns)  # fmt: skip
    changed += _read_again(db, "orders", "recipient_phone", "orders.recipient_phone <> ''",
                           NOTED_IN_V9, "normalize_phone", RECIPIENT_PHONE_COLUMNS)  # fmt: skip
    changed += _read_names_again(db, NAMES_READ_AGAIN_IN_V9)
    changed += _read_addresses_again(db, ADDRESSES_READ_AGAIN_IN_V9) + _stem_again(db)
    for normalizer, reasons in SET_ASIDE_BEFORE_V9.items():
        _set_aside_again(db, normalizer, reasons)
    if changed:
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('links_stale', 'this case was upgraded from a "
            "resolver that read labels and notes beside identifiers and names as part of them')"
        )
    return []


# What a payment account must hold for version 10 to read it otherwise than version 9: Chinese
# words after an e-mail, or a bracket
PAYMENTS_READ_AGAIN_IN_V10 = r"@.*[一-鿿]\s*$|[(（\[【]"


def _v9_to_v10(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 10 reads a payment account without a note in words after an e-mail
    (`wang@qq.com 本人`) or the brackets around it after its provider's name
    (`支付宝（2088123456789012）`), and a store's stem without the place of a branch after a
    dash (`美嘉百货-北京店`). Those payment accounts and every stem are made again from what was
    disclosed; a payment account set aside at ingest that now reads leaves the quarantine; and
    where one reads otherwise, the next `resolver match` or `train` scores every pair again."""
    changed = _read_again(db, "seller_identifiers", "raw",
                          "seller_identifiers.kind = 'payment_account'",
                          PAYMENTS_READ_AGAIN_IN_V10, "normalize_payment_account",
                          PAYMENT_COLUMNS)  # fmt: skip
    changed += _stem_again(db)
    _set_aside_again(db, "normalize_payment_account", ("not a payment account",))
    if changed:
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('links_stale', 'this case was upgraded from a "
            "resolver that set aside e-mails with a note and kept the place of a branch in "
            "the stem of a store')"
        )
    return []


def _v10_to_v11(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 11 counts one order to a registrant's name at his address or landline as a
    self-purchase (version 10 asked for two), and a name the same in sound only, or one the
    people of two accounts not otherwise tied carry at that place, as a name that proves little.
    Where the case found an order to a name, the next `resolver match` or `train` scores every
    pair again, keeping every trader id."""
    by_name = db.execute(
        "SELECT count(*) FROM self_purchase_orders WHERE evidence IN "
        "('name_at_address', 'name_at_landline', 'name_at_masked_phone')"
    ).fetchall()[0][0]
    if by_name:
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('links_stale', 'this case was upgraded from a "
            "resolver that asked for two orders to a name for a self-purchase')"
        )
    return []


def _v11_to_v12(db: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Version 12 keeps the model's weight of each pair too weak to link beside its ties (the
    order in which `resolver review` lists leads; NULL for pairs scored before), and counts a
    masked ID number that fits only under the same name. Where a stored tie is such a fit, the
    next `resolver match` or `train` scores every pair again, keeping every trader id."""
    from resolver.case.records import ID_BEARERS, one_bearer

    db.execute("ALTER TABLE weak_ties ADD COLUMN splink_weight DOUBLE")
    fits = db.execute(
        f"""
        WITH bearers AS ({ID_BEARERS}),
        ties AS (
            SELECT account_a, account_b, value FROM weak_ties WHERE kind = 'masked_id_keys'
            UNION SELECT account_a, account_b, tie.value FROM (
                SELECT account_a, account_b, unnest(json_transform(control_evidence,
                    '[{{"kind": "VARCHAR", "value": "VARCHAR"}}]')) AS tie
                FROM links WHERE control_evidence LIKE '%masked_id_keys%')
            WHERE tie.kind = 'masked_id_keys'
        )
        SELECT count(*) FROM ties t WHERE NOT {one_bearer("t")}
        """
    ).fetchall()[0][0]
    if fits:
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('links_stale', 'this case was upgraded from a "
            "resolver that let a masked ID number fit under another name')"
        )
    return []


def _infer_kinds_again(db: duckdb.DuckDBPyConnection) -> int:
    """A registrant's kind that its mapping does not state is inferred from its ID number (a
    USCC says company or individual business) and its name: inferred again where version 9
    reads the ID number otherwise, with the stem that follows from the kind. Returns how many
    rows changed."""
    from resolver.normalize import company_stem, infer_kind, looks_like_entity

    changed = 0
    for table, name, kind, stem, which in (
        ("seller_parties", "name", "kind", "stem",
         "seller_parties.role = 'registrant' AND seller_parties.kind_raw IS NULL"),
        ("seller_records", "registrant_name", "registrant_kind", "registrant_stem",
         "seller_records.registrant_kind_raw IS NULL"),
    ):  # fmt: skip
        rows = db.execute(
            f"SELECT DISTINCT {name}, id_kind, id_norm FROM {table} WHERE {which} "
            f"AND regexp_matches(id_number, '{IDS_READ_AGAIN_IN_V9}')"
        ).fetchall()
        if not rows:
            continue
        inferred = pd.DataFrame(rows, columns=["name", "id_kind", "id_norm"], dtype=object)
        inferred["kind"] = [infer_kind(n or "", k, u) for n, k, u in rows]
        inferred["stem"] = [
            company_stem(n) if k != "person" and looks_like_entity(n or "") else None
            for n, k in zip(inferred["name"], inferred["kind"], strict=True)
        ]
        db.register("inferred", inferred)
        done = db.execute(
            f"UPDATE {table} SET {kind} = i.kind, {stem} = i.stem FROM inferred i "
            f"WHERE {which} AND {table}.{name} IS NOT DISTINCT FROM i.name "
            f"AND {table}.id_kind IS NOT DISTINCT FROM i.id_kind "
            f"AND {table}.id_norm IS NOT DISTINCT FROM i.id_norm "
            f"AND ({table}.{kind} IS DISTINCT FROM i.kind "
            f"OR {table}.{stem} IS DISTINCT FROM i.stem)"
        ).fetchone()
        db.unregister("inferred")
        changed += int(done[0]) if done else 0
    return changed


# The columns a phone's parts go to (`normalize_phone`'s answer: column)
PHONE_COLUMNS = {"norm": "e164", "partial": "partial", "subtype": "kind", "issue": "issue"}
RECIPIENT_PHONE_COLUMNS = {"recipient_phone_e164": "e164", "recipient_phone_partial": "partial"}
PAYMENT_COLUMNS = {**PHONE_COLUMNS, "norm": "norm"}
# The columns a name's parts go to, by table and the column of the name as disclosed
NAME_COLUMNS = (
    ("seller_parties", "name", {"name_norm": "norm", "pinyin": "pinyin", "surname": "surname"}),
    ("seller_records", "registrant_name", {"registrant_norm": "norm",
     "registrant_pinyin": "pinyin", "registrant_surname": "surname"}),
    ("seller_records", "contact", {"contact_norm": "norm"}),
    ("orders", "recipient_name", {"recipient_name_norm": "norm", "recipient_pinyin": "pinyin"}),
)  # fmt: skip
ADDRESS_PARTS = ("norm", "province_code", "city_code", "district_code", "street")


def _read_names_again(db: duckdb.DuckDBPyConnection, pattern: str) -> int:
    """Read again the names of sellers' people and of recipients that match `pattern`."""
    reader = "normalize_name"
    return sum(
        _read_again(db, table, raw, f"{table}.{raw} IS NOT NULL", pattern, reader, columns)
        for table, raw, columns in NAME_COLUMNS
    )


def _read_addresses_again(db: duckdb.DuckDBPyConnection, pattern: str) -> int:
    """Read again the sellers' and recipients' addresses that match `pattern`."""
    seller = {part: part for part in ADDRESS_PARTS}
    recipient = {f"recipient_{p}" if p != "norm" else "recipient_address_norm": p
                 for p in ADDRESS_PARTS}  # fmt: skip
    return _read_again(
        db, "seller_identifiers", "raw", "seller_identifiers.kind = 'address'", pattern,
        "normalize_address", seller,
    ) + _read_again(
        db, "orders", "recipient_address", "orders.recipient_address <> ''", pattern,
        "normalize_address", recipient,
    )  # fmt: skip


def _read_again(
    db: duckdb.DuckDBPyConnection,
    table: str,
    raw: str,
    which: str,
    pattern: str,
    normalizer: str,
    columns: dict[str, str],
) -> int:
    """`_derive_again` the `columns` (column: part of `normalizer`'s answer) of `table`'s rows
    `which` whose `raw` matches `pattern`; returns how many rows changed."""
    which = f"{which} AND regexp_matches({table}.{raw}, '{pattern}')"
    derive = {column: partial(_part, normalizer, part) for column, part in columns.items()}
    return _derive_again(db, table, raw, which, derive)


def _set_aside_again(
    db: duckdb.DuckDBPyConnection, normalizer: str, reasons: tuple[str, ...]
) -> None:
    """Read again the sellers' values set aside for `reasons` (which `normalizer` gave): one that
    now reads leaves the quarantine, one that reads with another fault keeps that reason."""
    import resolver.normalize

    read = getattr(resolver.normalize, normalizer)
    said = ", ".join(f"'{r}'" for r in reasons)
    raws = db.execute(
        "SELECT DISTINCT raw_value FROM quarantine WHERE table_name = 'sellers' "
        f"AND level = 'value' AND reason IN ({said}) AND raw_value IS NOT NULL"
    ).fetchall()
    if not raws:
        return
    issues = pd.DataFrame({"raw": [r for (r,) in raws]})
    issues["issue"] = pd.Series([read(r).issue for r in issues["raw"]], dtype="string")
    db.register("issues", issues)
    db.execute(
        "DELETE FROM quarantine WHERE table_name = 'sellers' AND level = 'value' "
        f"AND reason IN ({said}) AND raw_value IN (SELECT raw FROM issues WHERE issue IS NULL)"
    )
    db.execute(
        "UPDATE quarantine SET reason = i.issue FROM issues i WHERE table_name = 'sellers' "
        f"AND level = 'value' AND reason IN ({said}) AND raw_value = i.raw "
        "AND i.issue IS NOT NULL"
    )
    db.unregister("issues")


def _part(normalizer: str, part: str, raw: str) -> str | None:
    """`part` of `raw` as `resolver.normalize`'s `normalizer` reads it."""
    import resolver.normalize

    return getattr(getattr(resolver.normalize, normalizer)(raw), part)


STEPS: list[Callable[[duckdb.DuckDBPyConnection, Path], list[Path]]] = [
    _v0_to_v1,
    _v1_to_v2,
    _v2_to_v3,
    _v3_to_v4,
    _v4_to_v5,
    _v5_to_v6,
    _v6_to_v7,
    _v7_to_v8,
    _v8_to_v9,
    _v9_to_v10,
    _v10_to_v11,
    _v11_to_v12,
]
assert len(STEPS) == SCHEMA_VERSION  # one step into each version
