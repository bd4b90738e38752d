import type { Queryable } from '@storefront/service-kit'

/** The demo favourites, as `[user_id, product_id]` (docs/spec/api.md, "Seed data"). */
export const SEED_FAVORITES: ReadonlyArray<readonly [userId: number, productId: number]> = [
  [1, 1],
  [1, 2],
  [1, 3],
  [3, 1],
  [3, 2],
  [3, 3],
]

/** Writes {@link SEED_FAVORITES}; rows already there are left as they are. */
export async function seedFavorites(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO favorites (user_id, product_id)
     SELECT * FROM unnest($1::int[], $2::int[])
     ON CONFLICT (user_id, product_id) DO NOTHING`,
    [SEED_FAVORITES.map(([userId]) => userId), SEED_FAVORITES.map(([, productId]) => productId)],
  )
}
