import type { Queryable } from '@storefront/service-kit'

/** The source document's favourites, as `[user_id, product_id]` (the HTTP contract, "Seed data"). */
export const SEED_FAVORITES: ReadonlyArray<readonly [userId: number, productId: number]> = [
  [1, 1],
  [1, 2],
  [1, 3],
  [3, 1],
  [3, 2],
  [3, 3],
]

/** Seeds an empty favorites table with {@link SEED_FAVORITES}; leaves a populated one alone. */
export async function seedIfEmpty(db: Queryable): Promise<boolean> {
  const rows = await db.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM favorites) AS present')
  if (rows[0]?.present === true) {
    return false
  }
  // ON CONFLICT keeps a second replica seeding at the same moment harmless.
  await db.query(
    `INSERT INTO favorites (user_id, product_id)
     SELECT * FROM unnest($1::int[], $2::int[])
     ON CONFLICT (user_id, product_id) DO NOTHING`,
    [SEED_FAVORITES.map(([userId]) => userId), SEED_FAVORITES.map(([, productId]) => productId)],
  )
  return true
}
