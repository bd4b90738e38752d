import { afterEach, describe, expect, it } from 'vitest'

import type { BffDeps } from '../../src/app.js'
import { type Gate, startGate } from '../fakes.js'
import { type BffHarness, closedPortUrl, startBff } from '../helper.js'

/**
 * 30 concurrent pages during an inventory outage must not become a retry storm. Every page still
 * answers 200 (inventory is optional), and the calls inventory receives stay within what the
 * inventory client allows: one per chunk, plus retries and hedges, which all draw on one
 * RetryBudget. Its defaults (ratio 0.2, minPerSecond 10, windowMs 10 000) allow, over the window,
 *
 *   retries + hedges <= floor(0.2 * calls recorded + 10 * 10 000 / 1000) = floor(0.2 * recorded) + 100
 *
 * where every first call of a chunk, and every hedge copy, is recorded as a call.
 */

const PAGES = 30
const BUDGET_FLOOR = 10 * 10_000 / 1000
const BUDGET_RATIO = 0.2

let harness: BffHarness | undefined
let gate: Gate | undefined

afterEach(async () => {
  await harness?.close()
  await gate?.close()
  harness = undefined
  gate = undefined
})

/**
 * Counts, not times, are asserted here: budgets of 5 s (instead of the production 1 s) keep a
 * starved machine from turning an inventory error into a timeout, or a page into a 504.
 */
const ROOMY_BUDGETS = { PRODUCTS_TIMEOUT_MS: '5000', INVENTORY_TIMEOUT_MS: '5000' }

async function start(overrides: Record<string, string> = {}, deps: BffDeps = {}): Promise<BffHarness> {
  harness = await startBff({ ...ROOMY_BUDGETS, ...overrides }, deps)
  return harness
}

/** Breaker settings that never open: the retry budget is then the only limit. */
const NEVER_OPENS: BffDeps = { clients: { inventory: { breaker: { maxFailures: Infinity } } } }

interface PageProduct {
  inventory: number | null
}

/**
 * PAGES concurrent pages of `pageSize` products as user 1; every one must be a 200 with inventory
 * degraded (reasons allowed as given). Each page is a different slice of the catalogue
 * (`?limit=pageSize&after=…`), so each asks inventory for stock of its own: identical pages would
 * share their inventory calls, and there would be no storm to contain.
 */
async function concurrentPages(bff: BffHarness, reasons: readonly string[], pageSize = 1): Promise<void> {
  const headers = await bff.signIn(1)
  bff.fakes.productCount = PAGES * pageSize
  const url = (page: number): string => page === 0 ? `/products/all?limit=${pageSize}` : `/products/all?limit=${pageSize}&after=${page * pageSize}`
  const responses = await Promise.all(Array.from({ length: PAGES }, (_, page) => bff.app.inject({ method: 'GET', url: url(page), headers })))
  for (const response of responses) {
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: ['inventory'] })
    expect(reasons).toContain(body.degraded_reasons.inventory)
    expect(body.products.length).toBeGreaterThan(0)
    expect(body.products.every((product: PageProduct) => product.inventory === null)).toBe(true)
    expect(response.headers['x-degraded']).toBe('inventory')
  }
}

interface InventoryOps {
  readonly state: string
  readonly stats: { readonly totalFailures: number }
  readonly retry_budget: { readonly requests: number; readonly retries: number; readonly available: number }
}

async function inventoryOps(bff: BffHarness): Promise<InventoryOps> {
  return (await bff.app.inject({ method: 'GET', url: '/ops/breakers' })).json<{ breakers: { inventory: InventoryOps } }>().breakers.inventory
}

describe('an inventory outage under the production client settings', () => {
  // The breaker opens on the 5th failure. A retry is only tried after a failure, so at most the 4
  // failures before that one can have let a retry through; after it every call is refused.
  const BREAKER_BOUND = PAGES + 4

  it.each([503, 500])('reaches inventory at most 30 + 4 times when it answers %i, and every page is 200 with inventory degraded', async (status) => {
    const bff = await start()
    bff.fakes.inventory.behave = () => ({ status })
    await concurrentPages(bff, ['error', 'circuit_open'])
    expect(bff.fakes.inventory.requests.length).toBeGreaterThanOrEqual(5)
    expect(bff.fakes.inventory.requests.length).toBeLessThanOrEqual(BREAKER_BOUND)
    expect((await inventoryOps(bff)).state).toBe('open')
  })

  it('tries at most 30 + 4 connections when nothing listens where inventory should be, and every page is 200 with inventory degraded', async () => {
    const bff = await start({ INVENTORY_URL: await closedPortUrl() })
    await concurrentPages(bff, ['error', 'circuit_open'])
    // A refused connection is not seen by any server: the breaker counts every attempt it let through.
    const ops = await inventoryOps(bff)
    expect(ops.state).toBe('open')
    expect(ops.stats.totalFailures).toBeGreaterThanOrEqual(5)
    expect(ops.stats.totalFailures).toBeLessThanOrEqual(BREAKER_BOUND)
  })
})

describe('an inventory outage with the breaker kept closed: the retry budget alone', () => {
  // 30 different pages of 250 products: 3 chunks each, 90 first calls wanting 2 retries each (180 retries,
  // 270 calls without a budget). The budget allows floor(0.2 * 90) + 100 = 118 retries.
  const FIRST_CALLS = PAGES * 3
  const BUDGET_BOUND = FIRST_CALLS + Math.floor(BUDGET_RATIO * FIRST_CALLS + BUDGET_FLOOR)

  it.each([503, 500])('reaches inventory at most 90 + 118 times when it answers %i, spending the budget', async (status) => {
    const bff = await start({}, NEVER_OPENS)
    bff.fakes.inventory.behave = () => ({ status })
    await concurrentPages(bff, ['error'], 250)
    const calls = bff.fakes.inventory.requests.length
    expect(calls).toBeGreaterThan(FIRST_CALLS)
    expect(calls).toBeLessThanOrEqual(BUDGET_BOUND)
    const ops = await inventoryOps(bff)
    expect(ops.state).toBe('closed')
    expect(ops.retry_budget).toMatchObject({ requests: FIRST_CALLS, retries: calls - FIRST_CALLS, available: 0 })
  })

  it('makes at most 90 + 118 attempts when nothing listens where inventory should be', async () => {
    const bff = await start({ INVENTORY_URL: await closedPortUrl() }, NEVER_OPENS)
    await concurrentPages(bff, ['error'], 250)
    const ops = await inventoryOps(bff)
    expect(ops.retry_budget.requests).toBe(FIRST_CALLS)
    expect(ops.retry_budget.available).toBe(0)
    expect(ops.stats.totalFailures).toBe(FIRST_CALLS + ops.retry_budget.retries)
    expect(ops.stats.totalFailures).toBeLessThanOrEqual(BUDGET_BOUND)
  })

  it('opens at most 90 + 118 connections when every connection to inventory is reset before an answer', async () => {
    gate = await startGate('http://127.0.0.1:9')
    await gate.reset()
    const bff = await start({ INVENTORY_URL: gate.url }, NEVER_OPENS)
    await concurrentPages(bff, ['error'], 250)
    expect(gate.accepted).toBeGreaterThan(FIRST_CALLS)
    expect(gate.accepted).toBeLessThanOrEqual(BUDGET_BOUND)
  })
})

describe('an inventory outage once hedging is warm', () => {
  // 20 one-chunk pages first (20 calls recorded), then 90 first calls. Each chunk may add one hedge
  // copy, recorded as a call too, so hedges + retries <= floor(0.2 * (20 + 90 + 90)) + 100 = 140.
  const WARM_PAGES = 20
  const FIRST_CALLS = PAGES * 3
  const HEDGED_BOUND = FIRST_CALLS + Math.floor(BUDGET_RATIO * (WARM_PAGES + 2 * FIRST_CALLS) + BUDGET_FLOOR)

  it('reaches inventory at most 90 + 140 times: hedges draw on the same budget as retries', async () => {
    const bff = await start({}, NEVER_OPENS)
    const headers = await bff.signIn(1)
    for (let page = 0; page < WARM_PAGES; page++) {
      expect((await bff.app.inject({ method: 'GET', url: '/products/all', headers })).json().degraded).toEqual([])
    }
    const warmCalls = bff.fakes.inventory.requests.length
    expect(warmCalls).toBe(WARM_PAGES)

    bff.fakes.inventory.behave = () => ({ status: 503 })
    await concurrentPages(bff, ['error'], 250)
    const calls = bff.fakes.inventory.requests.length - warmCalls
    expect(calls).toBeGreaterThan(FIRST_CALLS)
    expect(calls).toBeLessThanOrEqual(HEDGED_BOUND)
    const metrics = (await bff.app.inject({ method: 'GET', url: '/metrics' })).body
    const hedges = Number(/^bff_inventory_hedges_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1])
    // Hedging did take part in the storm it is bounded in.
    expect(hedges).toBeGreaterThan(0)
    // The budget's "retries" are its tokens: every retry and every hedge took one.
    const ops = await inventoryOps(bff)
    expect(ops.retry_budget).toMatchObject({ requests: WARM_PAGES + FIRST_CALLS + hedges, retries: calls - FIRST_CALLS, available: 0 })
  })
})
