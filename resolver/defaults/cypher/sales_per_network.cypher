// purpose: Sales per network (traders tied by a shared phone, bank account, address or ID), each order counted once, with the infringing part.
// param network_id: trader|null = null -- one network (the smallest trader id in it), or all
// param from: datetime = "1970-01-01T00:00:00" -- first moment counted, Asia/Shanghai, inclusive
// param to: datetime = "9999-12-31T23:59:59" -- end, exclusive
// param platform: platform|null = null -- only this platform
// param keywords: list = config -- infringing-product keywords (default: config/keywords.yaml)
// param infringing_only: boolean = false -- count only orders whose product matches a keyword
// param include_self_purchases: boolean = false -- count self-purchase orders too
// example: resolver query sales_per_network -p network_id=TR000001
:param network_id => "TR000001";
:param from => "1970-01-01T00:00:00";
:param to => "9999-12-31T23:59:59";
:param platform => null;
:param keywords => ["飞羚", "FEILING", "Feiling"];
:param infringing_only => false;
:param include_self_purchases => false;
MATCH (o:Order)
WHERE ($network_id IS NULL OR o.network_id = $network_id)
  AND o.paid_at >= $from AND o.paid_at < $to
  AND ($platform IS NULL OR o.platform = $platform)
  AND ($include_self_purchases OR NOT o.self_purchase)
WITH o, any(k IN $keywords WHERE o.product_title CONTAINS k) AS infringing
WHERE infringing OR NOT $infringing_only
RETURN o.network_id AS network, collect(DISTINCT o.trader_id) AS traders, count(o) AS orders,
  toInteger(sum(o.amount_fen)) AS amount_fen,
  toInteger(sum(CASE WHEN infringing THEN o.amount_fen ELSE 0 END)) AS infringing_amount_fen
ORDER BY network
