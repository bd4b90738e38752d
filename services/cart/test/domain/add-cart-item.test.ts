import type { Database, Queryable } from '@storefront/service-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { addCartItem } from '../../src/domain/add-cart-item.js'
import { requestHash } from '../../src/domain/request-hash.js'
import { type CartHarness, startCart } from '../helper.js'

let harness: CartHarness

beforeAll(async () => {
  harness = await startCart()
})

afterAll(async () => {
  await harness.close()
})

const signal = new AbortController().signal

/** The harness database, with every statement inside a transaction that matches `failOn` failing. */
function failingInside(db: Database, failOn: RegExp): Database {
  const wrap = (tx: Queryable): Queryable => ({
    query: async (text, params, options) => {
      if (failOn.test(text)) {
        throw new Error('injected failure')
      }
      return tx.query(text, params, options)
    },
    exec: (text) => tx.exec(text),
  })
  return {
    stats: db.stats,
    query: (text, params, options) => db.query(text, params, options),
    exec: (text) => db.exec(text),
    ping: (options) => db.ping(options),
    close: () => db.close(),
    transaction: (fn, options) => db.transaction((tx) => fn(wrap(tx)), options),
  }
}

async function state(userId: number): Promise<{ lines: unknown[]; keys: unknown[] }> {
  return {
    lines: await harness.db.query('SELECT product_id, quantity FROM cart_items WHERE user_id = $1 ORDER BY product_id', [userId]),
    keys: await harness.db.query('SELECT key FROM idempotency_keys WHERE user_id = $1', [userId]),
  }
}

describe('addCartItem', () => {
  it('rolls back the cart change together with the key when storing the answer fails', async () => {
    await addCartItem(harness.db, { userId: 200, productId: 1, quantity: 2, idempotencyKey: undefined }, signal)
    const broken = failingInside(harness.db, /^UPDATE idempotency_keys/)
    await expect(addCartItem(broken, { userId: 200, productId: 1, quantity: 5, idempotencyKey: 'k-200' }, signal)).rejects.toThrow('injected failure')
    expect(await state(200)).toEqual({ lines: [{ product_id: 1, quantity: 2 }], keys: [] })

    // Nothing of the failed attempt is left behind, so a retry with the key adds exactly once.
    expect(await addCartItem(harness.db, { userId: 200, productId: 1, quantity: 5, idempotencyKey: 'k-200' }, signal)).toEqual({
      statusCode: 201,
      line: { product_id: 1, quantity: 7 },
      replayed: false,
    })
    expect(await addCartItem(harness.db, { userId: 200, productId: 1, quantity: 5, idempotencyKey: 'k-200' }, signal)).toEqual({
      statusCode: 201,
      line: { product_id: 1, quantity: 7 },
      replayed: true,
    })
    expect(await state(200)).toEqual({ lines: [{ product_id: 1, quantity: 7 }], keys: [{ key: 'k-200' }] })
  })

  it('claims the key before it changes the cart, so a failed claim changes nothing', async () => {
    const broken = failingInside(harness.db, /^INSERT INTO idempotency_keys/)
    await expect(addCartItem(broken, { userId: 201, productId: 1, quantity: 5, idempotencyKey: 'k-201' }, signal)).rejects.toThrow('injected failure')
    expect(await state(201)).toEqual({ lines: [], keys: [] })
  })

  it('gives up before touching the database when the request is already cancelled', async () => {
    const cancelled = AbortSignal.abort(new Error('deadline passed'))
    await expect(addCartItem(harness.db, { userId: 202, productId: 1, quantity: 1, idempotencyKey: 'k-202' }, cancelled)).rejects.toThrow('deadline passed')
    await expect(addCartItem(harness.db, { userId: 202, productId: 1, quantity: 1, idempotencyKey: undefined }, cancelled)).rejects.toThrow('deadline passed')
    expect(await state(202)).toEqual({ lines: [], keys: [] })
  })
})

describe('requestHash', () => {
  it('is 64 hex digits, the same for the same request, and differs when any field differs', () => {
    const base = requestHash(1, 2, 3)
    expect(base).toMatch(/^[0-9a-f]{64}$/)
    expect(requestHash(1, 2, 3)).toBe(base)
    expect(new Set([base, requestHash(4, 2, 3), requestHash(1, 4, 3), requestHash(1, 2, 4), requestHash(12, 3, 3), requestHash(1, 23, 3)]).size).toBe(6)
  })
})
