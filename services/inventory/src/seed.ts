import type { Database, Queryable } from '@storefront/service-kit'

import { seedStock } from './domain/seed-stock.js'

const BATCH = 1000

/**
 * Writes stock for products 1..`count` (inserting missing rows, leaving existing ones and their
 * current stock alone), in batches, calling `onProgress` with how many are done. Idempotent, so it
 * can run at every start.
 */
export async function seedInventory(db: Queryable, count: number, onProgress?: (done: number) => void): Promise<void> {
  for (let start = 1; start <= count; start += BATCH) {
    const end = Math.min(count, start + BATCH - 1)
    const ids = Array.from({ length: end - start + 1 }, (_, index) => start + index)
    await db.query(
      `INSERT INTO inventory (product_id, on_hand)
       SELECT * FROM unnest($1::int[], $2::int[])
       ON CONFLICT (product_id) DO NOTHING`,
      [ids, ids.map(seedStock)],
    )
    onProgress?.(end)
  }
}

/**
 * Seeds a fresh (empty) inventory with stock for `count` products; leaves a populated one alone.
 *
 * Unlike products' seed, the check and the writes share one transaction: a start that dies halfway
 * through seeding leaves an empty table, which the next start seeds in full, rather than a partial
 * one it would never complete.
 */
export async function seedIfEmpty(db: Database, count: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM inventory) AS present')
    if (rows[0]?.present === true) {
      return false
    }
    await seedInventory(tx, count)
    return true
  })
}
