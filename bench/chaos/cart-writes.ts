import { randomUUID } from 'node:crypto'
import { setTimeout } from 'node:timers/promises'

import type { Visitor } from '../lib/sign-in.js'

/** The product the durability check adds to the cart: user 1's seeded cart holds 1, 2 and 3. */
export const CHECKED_PRODUCT = 7

/** The longest one add may take before it counts as not acknowledged, in ms. */
const ADD_TIMEOUT_MS = 3000

/**
 * Adds one of {@link CHECKED_PRODUCT} to the visitor's cart through the BFF, with an idempotency
 * key of its own; true when the add was acknowledged (201), false for any other answer or none.
 */
export async function addToCart(bffOrigin: string, visitor: Visitor): Promise<boolean> {
  try {
    const response = await fetch(`${bffOrigin}/cart/items`, {
      method: 'POST',
      headers: { ...visitor.headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ product_id: CHECKED_PRODUCT, quantity: 1 }),
      signal: AbortSignal.timeout(ADD_TIMEOUT_MS),
    })
    await response.arrayBuffer()
    return response.status === 201
  } catch {
    return false
  }
}

/** How long {@link checkedQuantity} keeps asking while the cart or its breaker is not back, in ms. */
const READ_PATIENCE_MS = 20_000

/**
 * The quantity of {@link CHECKED_PRODUCT} in the visitor's cart (`GET /cart` through the BFF); 0
 * when it has no line. Asks again every 250 ms while the answer is a 5xx (a cart just restarted, its
 * breaker still open), for up to {@link READ_PATIENCE_MS}.
 */
export async function checkedQuantity(bffOrigin: string, visitor: Visitor): Promise<number> {
  const until = performance.now() + READ_PATIENCE_MS
  for (;;) {
    const response = await fetch(`${bffOrigin}/cart`, { headers: visitor.headers })
    const body = await response.text()
    if (response.status === 200) {
      const lines = JSON.parse(body) as Array<{ product_id?: unknown; quantity?: unknown }>
      const line = lines.find((candidate) => candidate.product_id === CHECKED_PRODUCT)
      return typeof line?.quantity === 'number' ? line.quantity : 0
    }
    if (response.status < 500 || performance.now() > until) {
      throw new Error(`GET /cart answered ${response.status}: ${body.slice(0, 200)}`)
    }
    await setTimeout(250)
  }
}
