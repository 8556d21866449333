-- Views derived from the tables, made for each connection (code, not data: changing one needs
-- no migration). Only the modules of resolver.case read them.

-- Every identifying value of each account, as (kind, value) rows, gathered over all the
-- disclosures that name it: the input of hub detection, of the account records compared by
-- linkage, of networks and of the graph. Full values and the partial keys a value shares with
-- its masks (`138*5678`) are kinds of their own; `masked_*` keys come from masked values only
-- (two full numbers that differ are different numbers, whatever their keys). A payment account
-- that is a phone number, in full or masked, is that phone (its keys are phone keys: one number
-- listed as a phone and as an Alipay account is one value, not two). `value_sources`
-- keeps, beside each, the value as disclosed and the file, sheet and row that disclosed it, and
-- the disclosure.
CREATE OR REPLACE TEMP VIEW value_sources AS
WITH identifiers AS (
    SELECT r.account_id, i.kind, i.norm, i.partial, i.subtype, i.district_code, i.street,
        i.raw, r.source_file, r.source_sheet, i.source_row, r.disclosure_id,
        -- a payment account that is a phone number, or the mask of one (an e-mail's has an @)
        coalesce(i.kind = 'payment_account' AND (i.subtype = 'phone' OR (i.subtype = 'masked'
                 AND i.partial NOT LIKE '%@%')), false) AS payment_phone
    FROM seller_identifiers i JOIN seller_records r USING (record_id)
),
parties AS (
    SELECT r.account_id, p.name, p.name_norm, p.pinyin, p.kind, p.stem, p.id_number, p.id_norm,
        p.id_partial, r.source_file, r.source_sheet, p.source_row, r.disclosure_id
    FROM seller_parties p JOIN seller_records r USING (record_id)
)
SELECT account_id, 'phones' AS kind, norm AS value, raw, source_file, source_sheet, source_row,
        disclosure_id
    FROM identifiers
    WHERE norm IS NOT NULL AND ((kind = 'phone' AND subtype = 'mobile')
                                OR (kind = 'payment_account' AND subtype = 'phone'))
UNION ALL SELECT account_id, 'landlines', norm, raw, source_file, source_sheet, source_row,
        disclosure_id
    FROM identifiers WHERE kind = 'phone' AND subtype = 'landline' AND norm IS NOT NULL
UNION ALL SELECT account_id, 'phone_keys', partial, raw, source_file, source_sheet, source_row,
        disclosure_id
    FROM identifiers WHERE partial IS NOT NULL AND (kind = 'phone' OR payment_phone)
UNION ALL SELECT account_id, 'masked_phone_keys', partial, raw, source_file, source_sheet,
        source_row, disclosure_id
    FROM identifiers
    WHERE norm IS NULL AND partial IS NOT NULL AND (kind = 'phone' OR payment_phone)
UNION ALL SELECT account_id, 'bank_accounts', norm, raw, source_file, source_sheet, source_row,
        disclosure_id
    FROM identifiers WHERE kind = 'bank_account' AND norm IS NOT NULL
UNION ALL SELECT account_id, 'bank_keys', partial, raw, source_file, source_sheet, source_row,
        disclosure_id
    FROM identifiers WHERE kind = 'bank_account' AND partial IS NOT NULL
UNION ALL SELECT account_id, 'masked_bank_keys', partial, raw, source_file, source_sheet,
        source_row, disclosure_id
    FROM identifiers WHERE kind = 'bank_account' AND norm IS NULL AND partial IS NOT NULL
UNION ALL SELECT account_id, 'payment_accounts', norm, raw, source_file, source_sheet,
        source_row, disclosure_id
    FROM identifiers WHERE kind = 'payment_account' AND norm IS NOT NULL
UNION ALL SELECT account_id, 'payment_keys', partial, raw, source_file, source_sheet, source_row,
        disclosure_id
    FROM identifiers WHERE kind = 'payment_account' AND partial IS NOT NULL AND NOT payment_phone
UNION ALL SELECT account_id, 'masked_payment_keys', partial, raw, source_file, source_sheet,
        source_row, disclosure_id
    FROM identifiers
    WHERE kind = 'payment_account' AND norm IS NULL AND partial IS NOT NULL AND NOT payment_phone
UNION ALL SELECT account_id, 'addresses', district_code || '|' || street, raw, source_file,
        source_sheet, source_row, disclosure_id
    FROM identifiers WHERE kind = 'address' AND district_code IS NOT NULL AND street <> ''
UNION ALL SELECT account_id, 'districts', district_code, raw, source_file, source_sheet,
        source_row, disclosure_id
    FROM identifiers WHERE kind = 'address' AND district_code IS NOT NULL
UNION ALL SELECT account_id, 'id_numbers', id_norm, id_number, source_file, source_sheet,
        source_row, disclosure_id
    FROM parties WHERE id_norm IS NOT NULL
UNION ALL SELECT account_id, 'id_keys', id_partial, id_number, source_file, source_sheet,
        source_row, disclosure_id
    FROM parties WHERE id_partial IS NOT NULL
UNION ALL SELECT account_id, 'masked_id_keys', id_partial, id_number, source_file, source_sheet,
        source_row, disclosure_id
    FROM parties WHERE id_norm IS NULL AND id_partial IS NOT NULL
UNION ALL SELECT r.account_id, 'store_stems', r.store_stem, r.store_name, r.source_file,
        r.source_sheet, r.source_row, r.disclosure_id
    FROM seller_records r WHERE r.store_stem <> ''
UNION ALL SELECT account_id, 'store_stems', stem, name, source_file, source_sheet, source_row,
        disclosure_id
    FROM parties WHERE stem <> ''
-- a masked name (`王*`) is no name to compare: every 王 of two characters would share it
UNION ALL SELECT account_id, 'names', name_norm, name, source_file, source_sheet, source_row,
        disclosure_id
    FROM parties WHERE name_norm <> '' AND NOT contains(name_norm, '*')
UNION ALL SELECT account_id, 'name_pinyins', pinyin, name, source_file, source_sheet, source_row,
        disclosure_id
    FROM parties WHERE pinyin <> '' AND NOT contains(name_norm, '*');

CREATE OR REPLACE TEMP VIEW account_values AS
SELECT DISTINCT account_id, kind, value FROM value_sources;

-- Values not declared hubs by the last linkage run (a hub key is left out of masked keys too);
-- a weak hub (an agency's phone, a nominee's ID) is kept as a value of its weak kind
-- (`lent_phones`, `lent_id_numbers`).
CREATE OR REPLACE TEMP VIEW kept_values AS
SELECT v.* FROM account_values v
WHERE NOT EXISTS (SELECT 1 FROM hubs h
                  WHERE h.value = v.value AND h.kind = replace(v.kind, 'masked_', ''))
UNION ALL
SELECT v.account_id, 'lent_' || v.kind AS kind, v.value FROM account_values v
JOIN hubs h ON h.kind = v.kind AND h.value = v.value
WHERE h.weak;

-- Who each order was shipped to, in the forms compared with sellers' values (each order once
-- per disclosure that lists it).
CREATE OR REPLACE TEMP VIEW order_recipients AS
SELECT disclosure_id, platform, order_id, account_id AS seller, recipient_name_norm AS name,
    recipient_pinyin AS pinyin,
    recipient_phone_e164 AS phone, recipient_phone_partial AS phone_key,
    recipient_phone_e164 IS NULL AND recipient_phone_partial IS NOT NULL AS phone_masked,
    CASE WHEN recipient_district_code IS NOT NULL AND recipient_street <> ''
         THEN recipient_district_code || '|' || recipient_street END AS address
FROM orders;

-- Self-purchases: orders shipped to an account's people where both accounts are one trader
-- (the seller's own people included; an order to another trader's people is a sale like any
-- other).
CREATE OR REPLACE TEMP VIEW self_purchases AS
SELECT s.* FROM self_purchase_orders s
JOIN trader_accounts ts ON ts.account_id = s.seller
JOIN trader_accounts tr ON tr.account_id = s.registrant
WHERE ts.trader_id = tr.trader_id;
