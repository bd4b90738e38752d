-- The source document's carts, with quantity 1. A migration runs once per database, so a fresh
-- database gets them exactly once: a cart its users have emptied stays empty after a restart
-- (a "seed when the table is empty" check at every start would bring these rows back).
INSERT INTO cart_items (user_id, product_id, quantity)
SELECT user_id, product_id, 1
FROM (VALUES (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 5)) AS seed (user_id, product_id)
WHERE NOT EXISTS (SELECT 1 FROM cart_items);
