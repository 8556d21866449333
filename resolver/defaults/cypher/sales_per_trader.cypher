// purpose: Sales per trader, each order counted once, with the part that matches the infringing-product keywords. Self-purchase (brushing) orders are left out unless asked for.
// param from: datetime = "1970-01-01T00:00:00" -- first moment counted, Asia/Shanghai, inclusive
// param to: datetime = "9999-12-31T23:59:59" -- end, exclusive
// param platform: platform|null = null -- only this platform
// param keywords: list = config -- infringing-product keywords (default: config/keywords.yaml)
// param infringing_only: boolean = false -- count only orders whose product matches a keyword
// param include_self_purchases: boolean = false -- count self-purchase orders too
// param limit: integer[1..100000] = 100 -- rows returned
// example: resolver query sales_per_trader -p from=2024-01-01T00:00:00 -p platform=jd
:param from => "2024-01-01T00:00:00";
:param to => "9999-12-31T23:59:59";
:param platform => "jd";
:param keywords => ["飞羚", "FEILING", "Feiling"];
:param infringing_only => false;
:param include_self_purchases => false;
:param limit => 100;
MATCH (o:Order)
WHERE o.paid_at >= $from AND o.paid_at < $to
  AND ($platform IS NULL OR o.platform = $platform)
  AND ($include_self_purchases OR NOT o.self_purchase)
WITH o, any(k IN $keywords WHERE o.product_title CONTAINS k) AS infringing
WHERE infringing OR NOT $infringing_only
WITH o.trader_id AS trader, count(o) AS orders, toInteger(sum(o.amount_fen)) AS amount_fen,
  toInteger(sum(CASE WHEN infringing THEN o.amount_fen ELSE 0 END)) AS infringing_amount_fen
ORDER BY amount_fen DESC, trader
LIMIT $limit
MATCH (t:Trader {trader_id: trader})
RETURN trader, t.names AS names, orders, amount_fen, infringing_amount_fen
ORDER BY amount_fen DESC, trader
