-- Demo rows are no longer written by a migration: the service writes the source document's carts
-- into a fresh database when SEED_DEMO_DATA=true (see src/seed.ts), so a production database
-- starts empty. This file stays, empty, because databases have recorded it as applied.
SELECT 1;
