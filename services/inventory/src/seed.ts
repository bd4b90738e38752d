import { type Queryable, insertInBatches } from '@storefront/service-kit'

import { seedStock } from './domain/seed-stock.js'

/**
 * Writes stock for products 1..`count` (inserting missing rows, leaving existing ones and their
 * current stock alone), in batches, calling `onProgress` with how many are done. Idempotent, so
 * `db:seed` can run again with a larger count. A service's start runs it only through
 * `seedDemoDataOnce` (`SEED_DEMO_DATA=true`), once per database.
 */
export async function seedInventory(db: Queryable, count: number, onProgress?: (done: number) => void): Promise<void> {
  await insertInBatches(
    db,
    count,
    (batch, ids) =>
      batch.query(
        `INSERT INTO inventory (product_id, on_hand)
         SELECT * FROM unnest($1::int[], $2::int[])
         ON CONFLICT (product_id) DO NOTHING`,
        [ids, ids.map(seedStock)],
      ),
    { onProgress },
  )
}
