-- The first answer to each POST /users/{id}/cart/items that carried an Idempotency-Key, scoped per
-- user. A row is claimed (inserted without a result) and completed in the same transaction as the
-- cart change, so a committed row always holds its result; the primary key's unique index is what
-- makes a concurrent request with the same key wait for the first one to commit.
CREATE TABLE idempotency_keys (
  user_id integer NOT NULL CHECK (user_id > 0),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- sha256 of the user id and the validated body: the same key with another body is refused.
  request_hash text NOT NULL,
  status_code integer CHECK (status_code BETWEEN 100 AND 599),
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key),
  CHECK ((status_code IS NULL) = (response IS NULL))
);

-- Keys are kept IDEMPOTENCY_TTL_HOURS (24 h by default); the purge deletes by age.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
