-- Each user's cart: one line per product. Ids are positive 32-bit integers (the HTTP contract).
-- The API refuses a line over 999; the CHECK repeats the limit so no code path can store one.
-- The primary key's index also serves "a user's cart in product order".
CREATE TABLE cart_items (
  user_id integer NOT NULL CHECK (user_id > 0),
  product_id integer NOT NULL CHECK (product_id > 0),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, product_id)
);
