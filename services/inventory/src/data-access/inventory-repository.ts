import type { Queryable } from '@storefront/service-kit'

/** One product's stock, as the API returns it. */
export interface StockItem extends Record<string, unknown> {
  readonly product_id: number
  /** Stock on hand (the `on_hand` column), ≥ 0. */
  readonly inventory: number
}

/** The SQL of stock. Every statement is parameterized and prepared; nothing is cached. */
export class InventoryRepository {
  constructor(private readonly db: Queryable) {}

  /** A product's stock on hand, or undefined when it has no stock row. */
  async find(productId: number, signal: AbortSignal): Promise<number | undefined> {
    const rows = await this.db.query<{ on_hand: number }>('SELECT on_hand FROM inventory WHERE product_id = $1', [productId], { signal })
    return rows[0]?.on_hand
  }

  /**
   * The stock of each of `productIds` that has a row, in the order of `productIds`; ids without a
   * row are left out. One statement whatever the count. `productIds` should hold no duplicates:
   * a repeated id would be answered at each occurrence.
   */
  async findMany(productIds: readonly number[], signal: AbortSignal): Promise<StockItem[]> {
    const rows = await this.db.query<StockItem>(
      'SELECT product_id, on_hand AS inventory FROM inventory WHERE product_id = ANY($1::int[])',
      [productIds],
      { signal },
    )
    // The database answers in its own order; the contract wants the caller's.
    const byId = new Map(rows.map((row) => [row.product_id, row]))
    const items: StockItem[] = []
    for (const id of productIds) {
      const item = byId.get(id)
      if (item !== undefined) {
        items.push(item)
      }
    }
    return items
  }
}
