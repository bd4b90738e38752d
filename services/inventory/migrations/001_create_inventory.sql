-- Stock on hand per product. Ids are positive 32-bit integers (the HTTP contract); stock is never
-- negative. The API calls on_hand `inventory`. No foreign key: products live in another service's
-- database, so a stock row for a product the catalogue does not know is possible and harmless.
CREATE TABLE inventory (
  product_id integer PRIMARY KEY CHECK (product_id > 0),
  on_hand integer NOT NULL CHECK (on_hand >= 0)
);
