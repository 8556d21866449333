// purpose: The network of an account: its trader's accounts, and the traders that share a phone, bank account, address or ID with them, up to k hops away, naming what they share. Hub identifiers, masked keys and names do not connect.
// param account_id: account -- the account, as platform:key
// param k: integer[0..3] = 2 -- hops between traders, 0 to 3
// example: resolver query account_network -p account_id=taobao:1234567890 -p k=2
:param account_id => "taobao:1234567890";
:param k => 2;
MATCH (start:Account {account_id: $account_id})
WITH start
MATCH (start)<-[:OPERATES]-(t0:Trader)-[:OPERATES]->(a0:Account)
RETURN 0 AS hops, t0.trader_id AS trader, collect(DISTINCT a0.account_id) AS accounts,
  null AS via_trader, [] AS shared_identifiers
UNION ALL
MATCH (start:Account {account_id: $account_id})
WITH start
WHERE $k >= 1
MATCH (start)<-[:OPERATES]-(t0:Trader)-[:OPERATES]->(a0:Account)
MATCH (a0)-[:REGISTERED_WITH]->(i)
WHERE labels(i)[0] <> 'Name' AND NOT i.hub AND NOT i.masked
WITH t0, i
MATCH (i)<-[:REGISTERED_WITH]-(a1:Account)<-[:OPERATES]-(t1:Trader)
WHERE t1 <> t0
RETURN 1 AS hops, t1.trader_id AS trader, collect(DISTINCT a1.account_id) AS accounts,
  t0.trader_id AS via_trader, collect(DISTINCT labels(i)[0] + ':' + i.value) AS shared_identifiers
UNION ALL
MATCH (start:Account {account_id: $account_id})
WITH start
WHERE $k >= 2
MATCH (start)<-[:OPERATES]-(t0:Trader)-[:OPERATES]->(a0:Account)
MATCH (a0)-[:REGISTERED_WITH]->(i1)
WHERE labels(i1)[0] <> 'Name' AND NOT i1.hub AND NOT i1.masked
WITH DISTINCT t0, i1
MATCH (i1)<-[:REGISTERED_WITH]-(:Account)<-[:OPERATES]-(t1:Trader)
WHERE t1 <> t0
WITH DISTINCT t0, t1
MATCH (t1)-[:OPERATES]->(:Account)-[:REGISTERED_WITH]->(i)
WHERE labels(i)[0] <> 'Name' AND NOT i.hub AND NOT i.masked
WITH t0, t1, i
MATCH (i)<-[:REGISTERED_WITH]-(a2:Account)<-[:OPERATES]-(t2:Trader)
WHERE t2 <> t0 AND t2 <> t1
RETURN 2 AS hops, t2.trader_id AS trader, collect(DISTINCT a2.account_id) AS accounts,
  t1.trader_id AS via_trader, collect(DISTINCT labels(i)[0] + ':' + i.value) AS shared_identifiers
UNION ALL
MATCH (start:Account {account_id: $account_id})
WITH start
WHERE $k >= 3
MATCH (start)<-[:OPERATES]-(t0:Trader)-[:OPERATES]->(a0:Account)
MATCH (a0)-[:REGISTERED_WITH]->(i1)
WHERE labels(i1)[0] <> 'Name' AND NOT i1.hub AND NOT i1.masked
WITH DISTINCT t0, i1
MATCH (i1)<-[:REGISTERED_WITH]-(:Account)<-[:OPERATES]-(t1:Trader)
WHERE t1 <> t0
WITH DISTINCT t0, t1
MATCH (t1)-[:OPERATES]->(:Account)-[:REGISTERED_WITH]->(i2)
WHERE labels(i2)[0] <> 'Name' AND NOT i2.hub AND NOT i2.masked
WITH DISTINCT t0, t1, i2
MATCH (i2)<-[:REGISTERED_WITH]-(:Account)<-[:OPERATES]-(t2:Trader)
WHERE t2 <> t0 AND t2 <> t1
WITH DISTINCT t0, t1, t2
MATCH (t2)-[:OPERATES]->(:Account)-[:REGISTERED_WITH]->(i)
WHERE labels(i)[0] <> 'Name' AND NOT i.hub AND NOT i.masked
WITH t0, t1, t2, i
MATCH (i)<-[:REGISTERED_WITH]-(a3:Account)<-[:OPERATES]-(t3:Trader)
WHERE t3 <> t0 AND t3 <> t1 AND t3 <> t2
RETURN 3 AS hops, t3.trader_id AS trader, collect(DISTINCT a3.account_id) AS accounts,
  t2.trader_id AS via_trader, collect(DISTINCT labels(i)[0] + ':' + i.value) AS shared_identifiers
