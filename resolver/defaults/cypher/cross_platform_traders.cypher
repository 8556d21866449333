// purpose: Traders running accounts on several platforms.
// param min_platforms: integer[1..50] = 2 -- at least this many platforms
// example: resolver query cross_platform_traders -p min_platforms=3
:param min_platforms => 3;
MATCH (t:Trader)-[:OPERATES]->(a:Account)
WHERE NOT t.retired
WITH t, collect(DISTINCT a.platform) AS platforms, count(DISTINCT a) AS accounts
WHERE size(platforms) >= $min_platforms
RETURN t.trader_id AS trader, t.names AS names, platforms, accounts
ORDER BY size(platforms) DESC, accounts DESC, trader
