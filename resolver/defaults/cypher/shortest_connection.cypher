// purpose: The shortest chain of shared identifiers and scored links between two accounts (hubs excluded).
// param account_a: account -- an account, as platform:key
// param account_b: account -- another account
// example: resolver query shortest_connection -p account_a=taobao:1234567890 -p account_b=jd:JD12345678
:param account_a => "taobao:1234567890";
:param account_b => "jd:JD12345678";
MATCH p = (a:Account {account_id: $account_a})-[:REGISTERED_WITH|LINKED*1..6]-(b:Account {account_id: $account_b})
WHERE none(n IN nodes(p) WHERE coalesce(n.hub, false))
WITH p
ORDER BY length(p)
LIMIT 1
RETURN length(p) AS hops,
  [n IN nodes(p) | labels(n)[0] + ':' + coalesce(n.account_id, n.value)] AS path
