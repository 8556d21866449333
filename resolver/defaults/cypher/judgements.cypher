// purpose: Investigators' judgements in force: pairs of accounts a person judged the same, different or unsure, by whom, when and why, with the traders the accounts belong to now.
// param verdict: string|null = null -- same, different or unsure; or all
// param trader_id: trader|null = null -- judgements on one trader's accounts, or all
// example: resolver query judgements -p verdict=different
:param verdict => "different";
:param trader_id => null;
MATCH (a:Account)-[j:JUDGED]->(b:Account)
WHERE ($verdict IS NULL OR j.verdict = $verdict)
  AND ($trader_id IS NULL OR a.trader_id = $trader_id OR b.trader_id = $trader_id)
RETURN j.seq AS seq, a.account_id AS account_a, b.account_id AS account_b, j.verdict AS verdict,
  j.by AS author, j.at AS judged_at, j.reason AS reason, a.trader_id AS trader_a,
  b.trader_id AS trader_b
ORDER BY seq
