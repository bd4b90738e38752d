import type { Queryable } from '@storefront/service-kit'

/** A cart line, as the API returns it. */
export interface CartLine extends Record<string, unknown> {
  readonly product_id: number
  readonly quantity: number
}

/** The SQL of cart lines. Every statement is parameterized and prepared. */
export class CartRepository {
  constructor(private readonly db: Queryable) {}

  /** A user's lines in product order (the primary key's order, so no sort step). */
  list(userId: number, signal: AbortSignal): Promise<CartLine[]> {
    return this.db.query<CartLine>('SELECT product_id, quantity FROM cart_items WHERE user_id = $1 ORDER BY product_id', [userId], { signal })
  }

  /**
   * Adds `quantity` to the line (creating it), unless the total would pass `maxQuantity`: then it
   * changes nothing and resolves undefined. One statement, so concurrent adds never lose one.
   */
  async add(line: { userId: number; productId: number; quantity: number; maxQuantity: number }, signal: AbortSignal): Promise<CartLine | undefined> {
    // The limit is a WHERE on the update rather than the CHECK constraint: a refused add is an
    // answer (no row), not an error, so a transaction around it is not aborted by it.
    const rows = await this.db.query<CartLine>(
      `INSERT INTO cart_items (user_id, product_id, quantity) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, product_id) DO UPDATE
         SET quantity = cart_items.quantity + excluded.quantity, updated_at = now()
         WHERE cart_items.quantity + excluded.quantity <= $4
       RETURNING product_id, quantity`,
      [line.userId, line.productId, line.quantity, line.maxQuantity],
      { signal },
    )
    return rows[0]
  }

  /** Removes the line if there is one. */
  async remove(userId: number, productId: number, signal: AbortSignal): Promise<void> {
    await this.db.query('DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2', [userId, productId], { signal })
  }
}
