// purpose: What two traders share: every phone, bank account, address, ID or name that accounts of both are registered with.
// param trader_a: trader -- a trader id
// param trader_b: trader -- another trader id
// example: resolver query shared_identifiers -p trader_a=TR000001 -p trader_b=TR000002
:param trader_a => "TR000001";
:param trader_b => "TR000002";
MATCH (ta:Trader {trader_id: $trader_a})-[:OPERATES]->(a:Account)-[:REGISTERED_WITH]->(i)
MATCH (i)<-[:REGISTERED_WITH]-(b:Account)<-[:OPERATES]-(tb:Trader {trader_id: $trader_b})
WHERE a <> b
RETURN labels(i)[0] AS kind, i.value AS value, i.hub AS hub, i.masked AS masked,
  collect(DISTINCT a.account_id) AS accounts_a, collect(DISTINCT b.account_id) AS accounts_b
ORDER BY kind, value
