// purpose: The networks with the largest sales (each order once, self-purchases left out), with their traders and accounts.
// param limit: integer[1..100000] = 10 -- networks returned
// param keywords: list = config -- infringing-product keywords (default: config/keywords.yaml)
// example: resolver query top_networks -p limit=5
:param limit => 5;
:param keywords => ["飞羚", "FEILING", "Feiling"];
MATCH (o:Order)
WHERE NOT o.self_purchase
WITH o, any(k IN $keywords WHERE o.product_title CONTAINS k) AS infringing
WITH o.network_id AS network, count(o) AS orders, toInteger(sum(o.amount_fen)) AS amount_fen,
  toInteger(sum(CASE WHEN infringing THEN o.amount_fen ELSE 0 END)) AS infringing_amount_fen
ORDER BY amount_fen DESC, network
LIMIT $limit
MATCH (t:Trader {network_id: network})-[:OPERATES]->(a:Account)
WHERE NOT t.retired
RETURN network, count(DISTINCT t) AS traders, count(DISTINCT a) AS accounts, orders, amount_fen,
  infringing_amount_fen
ORDER BY amount_fen DESC, network
