// purpose: Accounts that share a bank account (full numbers, not masked keys), with their traders.
// param different_traders_only: boolean = false -- only pairs the linkage put in different traders
// example: resolver query shared_bank_accounts -p different_traders_only=true
:param different_traders_only => true;
MATCH (a:Account)-[:REGISTERED_WITH]->(i:BankAccount)<-[:REGISTERED_WITH]-(b:Account)
WHERE a.account_id < b.account_id AND NOT i.masked
  AND (NOT $different_traders_only OR a.trader_id <> b.trader_id)
RETURN i.value AS bank_account, i.hub AS hub, a.account_id AS account_a, a.trader_id AS trader_a,
  b.account_id AS account_b, b.trader_id AS trader_b
ORDER BY bank_account, account_a, account_b
