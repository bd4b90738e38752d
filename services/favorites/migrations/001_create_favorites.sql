-- Each user's favourite products. Ids are positive 32-bit integers (the HTTP contract). There is no
-- foreign key to products: the catalogue lives in another service's database.
CREATE TABLE favorites (
  user_id integer NOT NULL CHECK (user_id > 0),
  product_id integer NOT NULL CHECK (product_id > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The key makes a favourite a set member: PUT is idempotent through ON CONFLICT DO NOTHING, and
  -- a user's list is read in product_id order straight from the index.
  PRIMARY KEY (user_id, product_id)
);
