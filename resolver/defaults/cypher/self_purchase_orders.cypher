// purpose: Self-purchase (brushing) orders: orders shipped to the phone, or the name and address, that an account of the same trader (the seller included) is registered with; with the other accounts they were shipped to.
// param trader_id: trader|null = null -- one trader, or all
// example: resolver query self_purchase_orders -p trader_id=TR000001
:param trader_id => "TR000001";
MATCH (t:Trader)-[:OPERATES]->(a:Account)-[:SOLD]->(o:Order)
WHERE o.self_purchase AND ($trader_id IS NULL OR t.trader_id = $trader_id)
OPTIONAL MATCH (o)-[:SHIPS_TO]->(:Phone)<-[:REGISTERED_WITH]-(b:Account)
WHERE b <> a
RETURN t.trader_id AS trader, a.account_id AS seller, o.order_id AS order_id,
  o.paid_at AS paid_at, o.amount_fen AS amount_fen, o.recipient_name AS recipient,
  collect(DISTINCT b.account_id) AS shipped_to_accounts
ORDER BY paid_at, order_id
