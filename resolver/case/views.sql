-- Views derived from the tables, made for each connection (code, not data: changing one needs
-- no migration). Only the modules of resolver.case read them.

-- Identifier values per account, as (kind, value) rows: the input of hub detection, of the
-- account records compared by linkage, of networks and of the graph. Exact values and partial
-- keys are kinds of their own.
CREATE OR REPLACE TEMP VIEW account_values AS
SELECT DISTINCT r.account_id, v.kind, v.value, r.registrant_norm
FROM seller_records r
JOIN (
    SELECT record_id, 'phones' AS kind, norm AS value FROM seller_identifiers
        WHERE kind = 'phone' AND norm IS NOT NULL
    UNION ALL SELECT record_id, 'phone_keys', partial FROM seller_identifiers
        WHERE kind = 'phone' AND partial IS NOT NULL
    UNION ALL SELECT record_id, 'bank_accounts', norm FROM seller_identifiers
        WHERE kind = 'bank_account' AND norm IS NOT NULL
    UNION ALL SELECT record_id, 'bank_keys', partial FROM seller_identifiers
        WHERE kind = 'bank_account' AND partial IS NOT NULL
    UNION ALL SELECT record_id, 'addresses', district_code || '|' || street FROM seller_identifiers
        WHERE kind = 'address' AND district_code IS NOT NULL AND street <> ''
    UNION ALL SELECT record_id, 'districts', district_code FROM seller_identifiers
        WHERE kind = 'address' AND district_code IS NOT NULL
    UNION ALL SELECT record_id, 'store_stems', store_stem FROM seller_records
        WHERE store_stem <> ''
    UNION ALL SELECT record_id, 'store_stems', registrant_stem FROM seller_records
        WHERE registrant_stem <> ''
) v USING (record_id);

-- Values not declared hubs by the last linkage run.
CREATE OR REPLACE TEMP VIEW kept_values AS
SELECT v.* FROM account_values v
WHERE NOT EXISTS (SELECT 1 FROM hubs h WHERE h.kind = v.kind AND h.value = v.value);
