-- The catalogue. Ids are positive 32-bit integers (the HTTP contract).
CREATE TABLE products (
  product_id integer PRIMARY KEY CHECK (product_id > 0),
  product_name text NOT NULL CHECK (length(product_name) BETWEEN 1 AND 200),
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);
