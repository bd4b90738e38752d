import { describe, expect, it } from 'vitest'

import type { BffDeps } from '../../src/app.js'
import { type SeenRequest, idsOf, stockOf } from '../fakes.js'
import { type BffHarness, PRODUCTION_BUDGETS, bffPerTest, timeUntil, timed } from '../helper.js'

/**
 * Slow inventory chunks are hedged: once 20 chunk calls have been timed, a chunk call still running
 * after the recent 95th percentile (at least 25 ms) gets a second copy, and the first answer wins.
 * No copy is sent while the inventory breaker is not closed or its retry budget is spent.
 */

/** Chunk calls timed before the delay is trusted (LatencyTracker's minSamples). */
const WARM_PAGES = 20
/** The shortest hedge delay (MIN_HEDGE_DELAY_MS of the products route). */
const MIN_HEDGE_DELAY_MS = 25
/** How long the first copy of the slow chunk takes. */
const SLOW_MS = 800
/** How soon after the answer the losing copy must be closed. */
const PROMPTLY_MS = 250

const startPerTest = bffPerTest(PRODUCTION_BUDGETS)

async function start(deps: BffDeps = {}): Promise<{ bff: BffHarness; headers: Record<string, string> }> {
  const bff = await startPerTest({}, deps)
  return { bff, headers: await bff.signIn(1) }
}

async function getPage(bff: BffHarness, headers: Record<string, string>) {
  const { value: response, elapsedMs, lagMs, startedAt } = await timed(() => bff.app.inject({ method: 'GET', url: '/products/all', headers }))
  return { response, elapsedMs, lagMs, startedAt }
}

/** WARM_PAGES fast one-chunk pages, so that the latency tracker has its samples. */
async function warm(bff: BffHarness, headers: Record<string, string>): Promise<void> {
  for (let page = 0; page < WARM_PAGES; page++) {
    expect((await getPage(bff, headers)).response.json().degraded).toEqual([])
  }
  expect(bff.fakes.inventory.requests).toHaveLength(WARM_PAGES)
}

/**
 * A page of 250 products whose chunk of ids 101-200 is slow the first time it is asked for (and
 * fast after); returns the inventory calls of that page, and when each arrived.
 */
async function pageWithSlowChunk(bff: BffHarness, headers: Record<string, string>) {
  bff.fakes.productCount = 250
  const before = bff.fakes.inventory.requests.length
  const arrivals = new Map<SeenRequest, number>()
  let slowSent = false
  bff.fakes.inventory.behave = (request) => {
    arrivals.set(request, performance.now())
    if (idsOf(request.url).includes(101) && !slowSent) {
      slowSent = true
      return { delayMs: SLOW_MS }
    }
    return {}
  }
  const page = await getPage(bff, headers)
  const calls = bff.fakes.inventory.requests.slice(before)
  const slowChunk = calls.filter((request) => idsOf(request.url).includes(101))
  return { ...page, calls, slowChunk, arrivedAt: (request: SeenRequest) => arrivals.get(request)! }
}

async function hedgesCounted(bff: BffHarness): Promise<number> {
  const metrics = (await bff.app.inject({ method: 'GET', url: '/metrics' })).body
  return Number(/^bff_inventory_hedges_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1])
}

function expectEveryStock(products: { product_id: number; inventory: number | null }[]): void {
  expect(products).toHaveLength(250)
  expect(products.every((product) => product.inventory === stockOf(product.product_id))).toBe(true)
}

describe('a slow inventory chunk once hedging is warm', () => {
  it('gets a second copy after at least 25 ms; the page has its stock well before the slow copy would answer, and the slow copy is closed', async () => {
    const { bff, headers } = await start()
    await warm(bff, headers)
    const { response, elapsedMs, lagMs, startedAt, slowChunk, arrivedAt } = await pageWithSlowChunk(bff, headers)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ degraded: [], degraded_reasons: {} })
    expectEveryStock(body.products)
    expect(elapsedMs).toBeLessThan(SLOW_MS / 2 + lagMs)
    expect(slowChunk).toHaveLength(2)
    expect(idsOf(slowChunk[1]!.url)).toEqual(idsOf(slowChunk[0]!.url))
    // The second copy starts at least 25 ms after the first, which starts after the page does.
    expect(arrivedAt(slowChunk[1]!) - startedAt).toBeGreaterThanOrEqual(MIN_HEDGE_DELAY_MS)
    expect(await timeUntil(() => slowChunk[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
    expect(await hedgesCounted(bff)).toBeGreaterThanOrEqual(1)
  })
})

describe('when no hedge is sent', () => {
  it('sends none before 20 chunk calls have been timed: the slow copy is waited for', async () => {
    const { bff, headers } = await start()
    const { response, elapsedMs, slowChunk } = await pageWithSlowChunk(bff, headers)
    expectEveryStock(response.json().products)
    expect(slowChunk).toHaveLength(1)
    expect(elapsedMs).toBeGreaterThanOrEqual(SLOW_MS)
    expect(await hedgesCounted(bff)).toBe(0)
  })

  it('sends none when the inventory retry budget is spent', async () => {
    const { bff, headers } = await start({ clients: { inventory: { retryBudget: { ratio: 0, minPerSecond: 0 } } } })
    await warm(bff, headers)
    const { response, elapsedMs, slowChunk } = await pageWithSlowChunk(bff, headers)
    expectEveryStock(response.json().products)
    expect(slowChunk).toHaveLength(1)
    expect(elapsedMs).toBeGreaterThanOrEqual(SLOW_MS)
    expect(await hedgesCounted(bff)).toBe(0)
  })

  it('sends none while the inventory breaker is half-open, even where it would admit a second probe', async () => {
    const { bff, headers } = await start({ clients: { inventory: { breaker: { maxFailures: 1, windowMs: 10_000, resetIntervalMs: 200, halfOpenMaxCalls: 2 } } } })
    await warm(bff, headers)
    bff.fakes.inventory.behave = () => ({ status: 500 })
    expect((await getPage(bff, headers)).response.json()).toMatchObject({ degraded: ['inventory'] })
    const ops = async () => (await bff.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers.inventory.state as string
    expect(await ops()).toBe('open')
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(await ops()).toBe('half-open')

    // One chunk only: the probe itself.
    bff.fakes.productCount = 10
    const before = bff.fakes.inventory.requests.length
    const hedgesBefore = await hedgesCounted(bff)
    bff.fakes.inventory.behave = () => ({ delayMs: 300 })
    const { response, elapsedMs } = await getPage(bff, headers)
    expect(response.json()).toMatchObject({ degraded: [] })
    expect(bff.fakes.inventory.requests.length - before).toBe(1)
    expect(elapsedMs).toBeGreaterThanOrEqual(300)
    expect(await hedgesCounted(bff)).toBe(hedgesBefore)
  })
})
