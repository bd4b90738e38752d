import { type Queryable, insertInBatches } from '@storefront/service-kit'

import { productName, productPriceCents } from './domain/product-names.js'

/**
 * Writes products 1..`count` (inserting missing ones, leaving existing ones), in batches, calling
 * `onProgress` with how many are done. Idempotent, so `db:seed` can run again with a larger count.
 * A service's start runs it only through `seedDemoDataOnce` (`SEED_DEMO_DATA=true`), once per
 * database.
 */
export async function seedProducts(db: Queryable, count: number, onProgress?: (done: number) => void): Promise<void> {
  await insertInBatches(
    db,
    count,
    (batch, ids) =>
      batch.query(
        `INSERT INTO products (product_id, product_name, price_cents)
         SELECT * FROM unnest($1::int[], $2::text[], $3::int[])
         ON CONFLICT (product_id) DO NOTHING`,
        [ids, ids.map(productName), ids.map(productPriceCents)],
      ),
    { onProgress },
  )
}
