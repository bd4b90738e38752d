import type { Queryable } from '@storefront/service-kit'

/** The demo carts, as `[user_id, product_id]`, each with quantity 1 (docs/spec/api.md, "Seed data"). */
const SEED_CART_LINES: ReadonlyArray<readonly [userId: number, productId: number]> = [
  [1, 1],
  [1, 2],
  [1, 3],
  [2, 1],
  [2, 2],
  [2, 5],
]

/** Writes {@link SEED_CART_LINES}; lines already there are left as they are. */
export async function seedCarts(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO cart_items (user_id, product_id, quantity)
     SELECT user_id, product_id, 1 FROM unnest($1::int[], $2::int[]) AS seed (user_id, product_id)
     ON CONFLICT DO NOTHING`,
    [SEED_CART_LINES.map(([userId]) => userId), SEED_CART_LINES.map(([, productId]) => productId)],
  )
}
