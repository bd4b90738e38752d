/**
 * Validators of the downstreams' JSON (see the HTTP contract). Each throws on a wrong shape; the
 * upstream client turns that into `UPSTREAM_ERR_BAD_BODY`, so a bad body counts as a failure.
 * Hand-written rather than a schema library: four small shapes do not justify a dependency.
 */

/** A product as the products service sends it: the id and name checked, every other field kept. */
export type ProductRecord = Readonly<Record<string, unknown>> & { readonly product_id: number; readonly product_name: string }

/** One stock figure from inventory. */
export interface StockItem {
  readonly product_id: number
  readonly inventory: number
}

/** One cart line. */
export interface CartLine {
  readonly product_id: number
  readonly quantity: number
}

/** One favorite. */
export interface Favorite {
  readonly product_id: number
}

const MAX_ID = 2_147_483_647

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ID
}

function arrayOf<T>(value: unknown, what: string, item: (entry: unknown, index: number) => T): T[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${what}: expected an array`)
  }
  return value.map(item)
}

function recordWithId(entry: unknown, what: string, index: number): Record<string, unknown> & { product_id: number } {
  if (!isRecord(entry) || !isId(entry.product_id)) {
    throw new TypeError(`${what}[${index}]: expected an object with a positive integer product_id`)
  }
  return entry as Record<string, unknown> & { product_id: number }
}

/** `GET /products`: `[{ product_id, product_name, … }]`. */
export function parseProducts(value: unknown): ProductRecord[] {
  return arrayOf(value, 'products', (entry, index) => {
    const product = recordWithId(entry, 'products', index)
    if (typeof product.product_name !== 'string') {
      throw new TypeError(`products[${index}].product_name: expected a string`)
    }
    // A copy, so that adding `inventory` later never writes into the parsed body.
    return { ...product } as ProductRecord
  })
}

/** `GET /inventory?product_ids=…`: `{ items: [{ product_id, inventory }] }`. */
export function parseStockItems(value: unknown): StockItem[] {
  if (!isRecord(value)) {
    throw new TypeError('inventory: expected an object with items')
  }
  return arrayOf(value.items, 'inventory.items', (entry, index) => {
    const item = recordWithId(entry, 'inventory.items', index)
    if (!Number.isInteger(item.inventory) || (item.inventory as number) < 0) {
      throw new TypeError(`inventory.items[${index}].inventory: expected a whole number >= 0`)
    }
    return { product_id: item.product_id, inventory: item.inventory as number }
  })
}

/** `GET /users/{id}/cart`: `[{ product_id, quantity }]`. */
export function parseCartLines(value: unknown): CartLine[] {
  return arrayOf(value, 'cart', (entry, index) => {
    const line = recordWithId(entry, 'cart', index)
    if (!Number.isInteger(line.quantity) || (line.quantity as number) < 1) {
      throw new TypeError(`cart[${index}].quantity: expected a whole number >= 1`)
    }
    return { product_id: line.product_id, quantity: line.quantity as number }
  })
}

/** `GET /users/{id}/favorites`: `[{ product_id }]`. */
export function parseFavorites(value: unknown): Favorite[] {
  return arrayOf(value, 'favorites', (entry, index) => ({ product_id: recordWithId(entry, 'favorites', index).product_id }))
}

/** `POST /users/{id}/cart/items`: the line as it now is. */
export function parseCartLine(value: unknown): CartLine {
  const [line] = parseCartLines([value])
  return line as CartLine
}
