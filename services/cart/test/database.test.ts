import { type TestDatabase, createTestDatabase } from '@storefront/service-kit/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { type CartHarness, cartClient, startCart } from './helper.js'

let testDb: TestDatabase
let running: CartHarness | undefined

beforeEach(async () => {
  testDb = await createTestDatabase('cart')
})

afterEach(async () => {
  await running?.stop()
  running = undefined
  await testDb.drop()
})

/** Stops the running app (closing its database) and opens a new one on the same location. */
async function restart(): Promise<CartHarness> {
  await running?.stop()
  running = await startCart({}, testDb)
  return running
}

const seeded = {
  1: [
    { product_id: 1, quantity: 1 },
    { product_id: 2, quantity: 1 },
    { product_id: 3, quantity: 1 },
  ],
  2: [
    { product_id: 1, quantity: 1 },
    { product_id: 2, quantity: 1 },
    { product_id: 5, quantity: 1 },
  ],
}

describe('openCartDatabase', () => {
  it('keeps every committed write across a restart, stored idempotent answers included', async () => {
    let client = cartClient((await restart()).app)
    const first = await client.add(1, { product_id: 2, quantity: 4 }, { 'idempotency-key': 'restart-key' })
    expect(first.json()).toEqual({ product_id: 2, quantity: 5 })
    await client.add(7, { product_id: 9, quantity: 3 })
    await client.remove(2, 5)

    client = cartClient((await restart()).app)
    expect(await client.lines(1)).toEqual([
      { product_id: 1, quantity: 1 },
      { product_id: 2, quantity: 5 },
      { product_id: 3, quantity: 1 },
    ])
    expect(await client.lines(2)).toEqual([
      { product_id: 1, quantity: 1 },
      { product_id: 2, quantity: 1 },
    ])
    expect(await client.lines(7)).toEqual([{ product_id: 9, quantity: 3 }])

    const replay = await client.add(1, { product_id: 2, quantity: 4 }, { 'idempotency-key': 'restart-key' })
    expect(replay.statusCode).toBe(201)
    expect(replay.headers['idempotency-replayed']).toBe('true')
    expect(replay.body).toBe(first.body)
    expect((await client.lines(1))[1]).toEqual({ product_id: 2, quantity: 5 })
  })

  it('seeds a fresh database with the spec\'s carts, once: an emptied cart stays empty after a restart', async () => {
    let client = cartClient((await restart()).app)
    expect(await client.lines(1)).toEqual(seeded[1])
    expect(await client.lines(2)).toEqual(seeded[2])
    expect(await client.lines(3)).toEqual([])
    for (const [userId, lines] of Object.entries(seeded)) {
      for (const line of lines) {
        await client.remove(userId, line.product_id)
      }
    }
    client = cartClient((await restart()).app)
    expect(await client.lines(1)).toEqual([])
    expect(await client.lines(2)).toEqual([])
    // The seed is migration 003; each migration ran once across both starts.
    expect(await running!.db.query("SELECT version FROM schema_migrations WHERE scope = 'cart' ORDER BY version")).toEqual([{ version: '001' }, { version: '002' }, { version: '003' }])
  })

  it('purges keys older than IDEMPOTENCY_TTL_HOURS at start, so such a key adds again; younger keys still replay', async () => {
    let client = cartClient((await restart()).app)
    await client.add(8, { product_id: 1 }, { 'idempotency-key': 'old' })
    await client.add(8, { product_id: 2 }, { 'idempotency-key': 'young' })
    await running!.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old'")
    await running!.db.query("UPDATE idempotency_keys SET created_at = now() - interval '23 hours' WHERE key = 'young'")

    client = cartClient((await restart()).app)
    expect(await running!.db.query('SELECT key FROM idempotency_keys WHERE user_id = 8')).toEqual([{ key: 'young' }])
    const old = await client.add(8, { product_id: 1 }, { 'idempotency-key': 'old' })
    expect(old.headers['idempotency-replayed']).toBeUndefined()
    expect(old.json()).toEqual({ product_id: 1, quantity: 2 })
    const young = await client.add(8, { product_id: 2 }, { 'idempotency-key': 'young' })
    expect(young.headers['idempotency-replayed']).toBe('true')
    expect(young.json()).toEqual({ product_id: 2, quantity: 1 })
  })
})
