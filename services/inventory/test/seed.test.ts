import { authHeaders } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { seedStock } from '../src/domain/seed-stock.js'
import { seedInventory } from '../src/seed.js'
import { type InventoryHarness, startInventory, stockRows } from './helper.js'

describe('seedStock', () => {
  it('gives the first ten products fixed stock (every fresh database holds these)', () => {
    expect(Array.from({ length: 10 }, (_, index) => seedStock(index + 1))).toEqual([41, 83, 86, 86, 17, 72, 80, 54, 38, 35])
  })

  it('spreads stock over the whole of 0..100 and nothing else', () => {
    const counts = new Map<number, number>()
    for (let id = 1; id <= 10_000; id++) {
      const stock = seedStock(id)
      counts.set(stock, (counts.get(stock) ?? 0) + 1)
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 101 }, (_, index) => index))
    // Roughly uniform: 10 000 draws over 101 values average 99 each.
    expect(Math.min(...counts.values())).toBeGreaterThan(50)
    expect(Math.max(...counts.values())).toBeLessThan(150)
  })

  it('stays within 0..100 at the largest id', () => {
    expect(seedStock(2_147_483_647)).toBeGreaterThanOrEqual(0)
    expect(seedStock(2_147_483_647)).toBeLessThanOrEqual(100)
  })
})

describe('a fresh database', () => {
  let first: InventoryHarness
  let second: InventoryHarness

  beforeAll(async () => {
    first = await startInventory()
    second = await startInventory()
  })

  afterAll(async () => {
    await first.close()
    await second.close()
  })

  it('holds stock 0..100 for products 1..10, and only those', async () => {
    const rows = await stockRows(first.db)
    expect(rows.map((row) => row.product_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(rows.every((row) => Number.isInteger(row.on_hand) && row.on_hand >= 0 && row.on_hand <= 100)).toBe(true)
    expect(rows).toEqual(rows.map((row) => ({ product_id: row.product_id, on_hand: seedStock(row.product_id) })))
    // Not one constant: the contract's seed stock is random (docs/spec/api.md, "Seed data").
    expect(new Set(rows.map((row) => row.on_hand)).size).toBeGreaterThan(5)
  })

  it('holds the same stock as every other fresh database', async () => {
    expect(first.testDb.location).not.toEqual(second.testDb.location)
    expect(await stockRows(second.db)).toEqual(await stockRows(first.db))
  })

  it('is not seeded again once it was, even emptied and restarted with a larger SEED_PRODUCTS', async () => {
    await first.db.query('DELETE FROM inventory')
    await first.stop()
    const restarted = await startInventory({ SEED_PRODUCTS: '20' }, first.testDb)
    try {
      expect(await stockRows(restarted.db)).toEqual([])
    } finally {
      await restarted.stop()
    }
  })
})

describe('SEED_PRODUCTS', () => {
  it('seeds products 1..N', async () => {
    const harness = await startInventory({ SEED_PRODUCTS: '25' })
    try {
      const rows = await stockRows(harness.db)
      expect(rows.map((row) => row.product_id)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1))
      const response = await harness.app.inject({ method: 'GET', url: '/products/25/inventory', headers: authHeaders })
      expect(response.json()).toEqual({ inventory: seedStock(25) })
    } finally {
      await harness.close()
    }
  })
})

describe('seedInventory', () => {
  let harness: InventoryHarness

  beforeAll(async () => {
    harness = await startInventory({ SEED_PRODUCTS: '0' })
  })

  afterAll(async () => {
    await harness.close()
  })

  it('starts from nothing when SEED_PRODUCTS is 0', async () => {
    expect(await stockRows(harness.db)).toEqual([])
    expect((await harness.app.inject({ method: 'GET', url: '/products/1/inventory', headers: authHeaders })).statusCode).toBe(404)
  })

  it('writes a large catalogue in batches, reporting progress after each', async () => {
    const progress: number[] = []
    await seedInventory(harness.db, 2500, (done) => progress.push(done))
    expect(progress).toEqual([1000, 2000, 2500])
    const rows = await harness.db.query<{ count: number; low: number; high: number; mismatched: number }>(
      'SELECT count(*)::int AS count, min(product_id) AS low, max(product_id) AS high, count(*) FILTER (WHERE on_hand < 0 OR on_hand > 100)::int AS mismatched FROM inventory',
    )
    expect(rows[0]).toEqual({ count: 2500, low: 1, high: 2500, mismatched: 0 })
    const sample = await harness.db.query<{ on_hand: number }>('SELECT on_hand FROM inventory WHERE product_id = 2345')
    expect(sample[0]?.on_hand).toBe(seedStock(2345))
  })

  it('adds missing products and leaves existing stock alone when run again', async () => {
    await harness.db.query('UPDATE inventory SET on_hand = 1000 WHERE product_id = 7')
    await harness.db.query('DELETE FROM inventory WHERE product_id = 8')
    await seedInventory(harness.db, 3000)
    const rows = await harness.db.query<{ product_id: number; on_hand: number }>('SELECT product_id, on_hand FROM inventory WHERE product_id IN (7, 8, 3000) ORDER BY product_id')
    expect(rows).toEqual([
      { product_id: 7, on_hand: 1000 },
      { product_id: 8, on_hand: seedStock(8) },
      { product_id: 3000, on_hand: seedStock(3000) },
    ])
    const count = await harness.db.query<{ count: number }>('SELECT count(*)::int AS count FROM inventory')
    expect(count[0]?.count).toBe(3000)
  })

  it('calls no progress and writes nothing for 0 products', async () => {
    const progress: number[] = []
    await seedInventory(harness.db, 0, (done) => progress.push(done))
    expect(progress).toEqual([])
  })
})

describe('a restart', () => {
  it('keeps the data and does not seed again', async () => {
    const running = await startInventory()
    // Change the data, so a fresh (reseeded) database could not pass for the old one.
    await running.db.query('UPDATE inventory SET on_hand = 77 WHERE product_id = 3')
    await running.db.query('DELETE FROM inventory WHERE product_id = 10')
    const before = await stockRows(running.db)
    await running.stop()

    const restarted = await startInventory({}, running.testDb)
    try {
      expect(await stockRows(restarted.db)).toEqual(before)
      expect(before).toHaveLength(9)
      const answer = await restarted.app.inject({ method: 'GET', url: '/inventory?product_ids=3,10,1', headers: authHeaders })
      expect(answer.json()).toEqual({ items: [{ product_id: 3, inventory: 77 }, { product_id: 1, inventory: seedStock(1) }] })
      expect((await restarted.app.inject({ method: 'GET', url: '/products/10/inventory', headers: authHeaders })).statusCode).toBe(404)
    } finally {
      await restarted.close()
    }
  })
})
