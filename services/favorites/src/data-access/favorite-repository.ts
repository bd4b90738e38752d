import type { Queryable } from '@storefront/service-kit'

/** A favourite, as the API returns it. */
export interface Favorite extends Record<string, unknown> {
  readonly product_id: number
}

/** The SQL of favourites. Every statement is parameterized and prepared. */
export class FavoriteRepository {
  constructor(private readonly db: Queryable) {}

  /** A user's favourites in product_id order; empty when there are none. */
  list(userId: number, signal: AbortSignal): Promise<Favorite[]> {
    return this.db.query<Favorite>('SELECT product_id FROM favorites WHERE user_id = $1 ORDER BY product_id', [userId], { signal })
  }

  /** Marks a product as a favourite; a no-op when it already is, so a retry or a race adds one row. */
  async add(userId: number, productId: number, signal: AbortSignal): Promise<void> {
    await this.db.query('INSERT INTO favorites (user_id, product_id) VALUES ($1, $2) ON CONFLICT (user_id, product_id) DO NOTHING', [userId, productId], { signal })
  }

  /** Removes a favourite; a no-op when it is not one. */
  async remove(userId: number, productId: number, signal: AbortSignal): Promise<void> {
    await this.db.query('DELETE FROM favorites WHERE user_id = $1 AND product_id = $2', [userId, productId], { signal })
  }
}
