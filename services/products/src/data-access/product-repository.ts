import type { Queryable } from '@storefront/service-kit'

/** A catalogue row, as the API returns it. */
export interface Product extends Record<string, unknown> {
  readonly product_id: number
  readonly product_name: string
  readonly price_cents: number
}

/** The SQL of the catalogue. Every statement is parameterized and prepared. */
export class ProductRepository {
  constructor(private readonly db: Queryable) {}

  /** Products in id order after `afterId`, at most `limit` (all when undefined). */
  list(page: { limit: number | undefined; afterId: number }, signal: AbortSignal): Promise<Product[]> {
    return page.limit === undefined
      ? this.db.query<Product>('SELECT product_id, product_name, price_cents FROM products WHERE product_id > $1 ORDER BY product_id', [page.afterId], { signal })
      : this.db.query<Product>('SELECT product_id, product_name, price_cents FROM products WHERE product_id > $1 ORDER BY product_id LIMIT $2', [page.afterId, page.limit], { signal })
  }

  /** One product, or undefined. */
  async find(id: number, signal: AbortSignal): Promise<Product | undefined> {
    const rows = await this.db.query<Product>('SELECT product_id, product_name, price_cents FROM products WHERE product_id = $1', [id], { signal })
    return rows[0]
  }
}
