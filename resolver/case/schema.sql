-- The case database, at the schema version of resolver.case.migrations.SCHEMA_VERSION.
-- Only the modules of resolver.case read or write these tables.

CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,  -- schema_version, created_by
    value VARCHAR NOT NULL
);
-- Ingest: one row per file, what it disclosed, and what was set aside.
CREATE TABLE disclosures (
    disclosure_id VARCHAR PRIMARY KEY,  -- sha256 of the file's bytes
    path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    config_sha256 VARCHAR NOT NULL,
    ingested_at TIMESTAMPTZ NOT NULL,
    source_rows INTEGER NOT NULL,
    sellers INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    quarantined_rows INTEGER NOT NULL,
    quarantined_values INTEGER NOT NULL
);
CREATE TABLE seller_records (
    record_id VARCHAR PRIMARY KEY,  -- disclosure_id prefix + account_id
    disclosure_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,  -- platform:account_key
    store_name VARCHAR, store_name_norm VARCHAR, store_stem VARCHAR,
    alias VARCHAR, alias_norm VARCHAR,
    registrant_name VARCHAR, registrant_norm VARCHAR, registrant_pinyin VARCHAR,
    registrant_surname VARCHAR, registrant_stem VARCHAR,
    registrant_kind VARCHAR, registrant_kind_raw VARCHAR,
    id_number VARCHAR, id_norm VARCHAR, id_partial VARCHAR, id_kind VARCHAR, id_valid BOOLEAN,
    contact VARCHAR, contact_norm VARCHAR,
    source_file VARCHAR NOT NULL, source_sheet VARCHAR,
    source_row INTEGER NOT NULL  -- the first row that discloses this account
);
-- The people and entities behind a seller record: each registrant (a store that changed hands
-- has several), the legal representative behind an entity, the contact person.
CREATE TABLE seller_parties (
    record_id VARCHAR NOT NULL,
    role VARCHAR NOT NULL,  -- registrant | legal_representative | contact
    name VARCHAR, name_norm VARCHAR, pinyin VARCHAR, surname VARCHAR,
    kind VARCHAR,  -- person | individual_business | company
    kind_raw VARCHAR,
    stem VARCHAR,  -- an entity's name without region, legal form and store suffix
    id_number VARCHAR, id_norm VARCHAR, id_partial VARCHAR, id_kind VARCHAR, id_valid BOOLEAN,
    source_column VARCHAR, source_row INTEGER NOT NULL
);
CREATE TABLE seller_identifiers (
    record_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,  -- phone | address | bank_account | payment_account
    raw VARCHAR NOT NULL,
    norm VARCHAR,  -- E.164 phone, compact address, digits-only account; NULL when masked
    partial VARCHAR,  -- key shared by a value and its masks
    subtype VARCHAR,  -- phones: mobile | landline | masked; payment: phone | email | id | masked
    province_code VARCHAR, city_code VARCHAR, district_code VARCHAR, street VARCHAR,
    issue VARCHAR,
    source_column VARCHAR, source_row INTEGER NOT NULL
);
CREATE TABLE orders (
    disclosure_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    order_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    product_title VARCHAR,
    unit_price_fen BIGINT, quantity INTEGER, discount_fen BIGINT, amount_fen BIGINT NOT NULL,
    paid_at VARCHAR NOT NULL,  -- YYYY-MM-DDTHH:MM:SS, Asia/Shanghai
    recipient_name VARCHAR, recipient_name_norm VARCHAR, recipient_pinyin VARCHAR,
    recipient_phone VARCHAR, recipient_phone_e164 VARCHAR, recipient_phone_partial VARCHAR,
    recipient_address VARCHAR, recipient_address_norm VARCHAR,
    recipient_province_code VARCHAR, recipient_city_code VARCHAR,
    recipient_district_code VARCHAR, recipient_street VARCHAR,
    source_file VARCHAR NOT NULL, source_sheet VARCHAR, source_row INTEGER NOT NULL
);
CREATE TABLE quarantine (
    disclosure_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,  -- sellers | orders
    level VARCHAR NOT NULL,  -- row: the row was set aside; value: only this value was
    source_sheet VARCHAR, source_row INTEGER, source_column VARCHAR,
    reason VARCHAR NOT NULL,
    raw_value VARCHAR,
    raw_row VARCHAR  -- the whole source row as JSON, so nothing is lost
);
-- Linkage: the model, scored links, the evidence behind them, and the traders.
CREATE TABLE model (
    trained_at TIMESTAMPTZ NOT NULL,
    rules_sha256 VARCHAR NOT NULL,  -- of the matching rules the model was trained with
    rules VARCHAR,  -- those rules as JSON (NULL in a case upgraded from version 0)
    settings VARCHAR NOT NULL  -- Splink's model (settings and parameters) as JSON
);
CREATE TABLE links (
    account_a VARCHAR NOT NULL,  -- platform:key, account_a < account_b
    account_b VARCHAR NOT NULL,
    splink_weight DOUBLE,  -- the Splink model's match weight (bits)
    control_weight DOUBLE,  -- the control evidence's weight (bits); NULL when none is shared
    -- JSON: [{kind, value, bits, counted}], each tie the two accounts share (a value, or
    -- self-purchase orders); within a facet only the strongest is counted
    control_evidence VARCHAR,
    match_weight DOUBLE NOT NULL,  -- the stronger of the two
    probability DOUBLE NOT NULL,
    comparisons VARCHAR,  -- JSON: [{comparison, level, weight}], the parts of splink_weight
    self_purchase_orders INTEGER NOT NULL,
    PRIMARY KEY (account_a, account_b)
);
-- The ties of scored pairs that do not link (each too weak alone: a masked key, an address,
-- a store name...): ties of two kinds to several accounts of one trader join a lone account
-- to it (see linkage.clustering); one alone is a lead for review (`Links.leads`). Replaced
-- with the links.
CREATE TABLE weak_ties (
    account_a VARCHAR NOT NULL, account_b VARCHAR NOT NULL,  -- account_a < account_b
    kind VARCHAR NOT NULL, value VARCHAR, bits DOUBLE NOT NULL,
    splink_weight DOUBLE  -- the model's weight of the pair (NULL: scored before version 12)
);
-- Orders shipped to another account's people: a self-purchase when both accounts end up in
-- one trader (see the orders views of resolver.case.orders).
CREATE TABLE self_purchase_orders (
    platform VARCHAR NOT NULL, order_id VARCHAR NOT NULL,
    seller VARCHAR NOT NULL,  -- the account that sold it
    registrant VARCHAR NOT NULL,  -- the account whose people received it (may be the seller)
    strong BOOLEAN NOT NULL,  -- to a phone or payment account, not only to a name
    evidence VARCHAR NOT NULL  -- how it was found: one of resolver.case.orders.PURCHASE_WAYS
);
CREATE TABLE hubs (
    kind VARCHAR NOT NULL, value VARCHAR NOT NULL,
    accounts INTEGER, groups INTEGER,  -- holders, and how many otherwise unrelated groups
    reason VARCHAR NOT NULL,
    weak BOOLEAN DEFAULT false  -- kept as a weak tie (an agency's phone, a nominee's ID)
);
-- What clustering kept apart that a person should look at.
CREATE TABLE kept_apart (
    reason VARCHAR NOT NULL,
    kind VARCHAR, value VARCHAR,  -- the one value that alone held the groups together
    groups VARCHAR NOT NULL  -- JSON: the accounts of each group
);
CREATE TABLE traders (
    trader_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    retired_into VARCHAR,  -- set when merged into an older trader
    retired_at TIMESTAMPTZ
);
CREATE TABLE trader_accounts (
    account_id VARCHAR PRIMARY KEY,
    trader_id VARCHAR NOT NULL,
    probability DOUBLE NOT NULL  -- of belonging: the account's strongest kept link
);
CREATE TABLE trader_events (
    happened_at TIMESTAMPTZ NOT NULL,
    event VARCHAR NOT NULL,  -- created | merged | split
    trader_id VARCHAR NOT NULL,
    other_trader_id VARCHAR  -- merged: the id kept; split: the id it split from
);
-- version 3: what follows is created by the upgrade from version 2 as it stands here.
-- Investigators' judgements: an append-only ledger, each entry chained to the one before by
-- its hash. A pair's judgement is its latest entry; `retracted` withdraws it. Nothing is
-- deleted. Pairs are of accounts (platform:key), never of trader ids, which change.
CREATE TABLE judgements (
    seq INTEGER PRIMARY KEY,  -- 1, 2, ... in the order they were recorded
    account_a VARCHAR NOT NULL,  -- the smaller of the two
    account_b VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,  -- same | different | unsure | retracted
    author VARCHAR NOT NULL,
    judged_at VARCHAR NOT NULL,  -- UTC, ISO 8601 to the microsecond (as hashed)
    reason VARCHAR,
    evidence VARCHAR,  -- a reference to what the decision rests on
    probability DOUBLE,  -- the stored link's when judged (NULL: the model kept no link)
    rules_sha256 VARCHAR,  -- of the matching rules that scored it
    disclosed_by VARCHAR NOT NULL,  -- JSON: the disclosures naming either account then
    previous_hash VARCHAR NOT NULL,
    entry_hash VARCHAR NOT NULL
);
-- What holds a trader of several people together by one tie alone (a link that is a bridge
-- between two groups, or one shared value), kept by clustering: for a person to review.
CREATE TABLE held_together (
    reason VARCHAR NOT NULL,
    kind VARCHAR, value VARCHAR,  -- the one value, when a value holds them
    groups VARCHAR NOT NULL  -- JSON: the accounts on each side
);
-- Accounts of traders whose judgements cannot all hold (A=B, B=C, A≠C): reports refuse
-- their networks until the judgements are resolved.
CREATE TABLE contested (
    account_id VARCHAR NOT NULL,
    conflict VARCHAR NOT NULL  -- the judgements in conflict, in words
);
