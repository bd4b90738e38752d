import { describe, expect, it } from 'vitest'

import type { BffDeps } from '../../src/app.js'
import { stockOf } from '../fakes.js'
import { type BffHarness, bffPerTest, eventually } from '../helper.js'

/** Caching on, as in production, unless a test says otherwise. */
const CACHING = { CATALOGUE_TTL_MS: '1000', STOCK_TTL_MS: '250', STALE_IF_ERROR_MS: '300000' }

const start = bffPerTest(CACHING)

/** A products breaker that never opens, so that each failure is seen as itself. */
const NEVER_OPENS: BffDeps = { clients: { products: { breaker: { maxFailures: Infinity } } } }

async function page(bff: BffHarness, headers: Record<string, string> = {}, url = '/products/all') {
  return bff.app.inject({ method: 'GET', url, headers })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

describe('coalescing', () => {
  it('makes one products call and one inventory call for 32 concurrent pages, with caching off', async () => {
    const bff = await start({ CATALOGUE_TTL_MS: '0', STOCK_TTL_MS: '0' })
    const headers = await bff.signIn(1)
    bff.fakes.products.behave = () => ({ delayMs: 100 })
    const pages = await Promise.all(Array.from({ length: 32 }, () => page(bff, headers)))
    for (const response of pages) {
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: [] })
    }
    expect(bff.fakes.products.requests).toHaveLength(1)
    expect(bff.fakes.inventory.requests).toHaveLength(1)
    // The user's own lists are never shared between pages.
    expect(bff.fakes.cart.requests).toHaveLength(32)
    expect(bff.fakes.favorites.requests).toHaveLength(32)
  })

  it('keeps a shared call going while one page waits for it, after another page went away', async () => {
    const bff = await start({ CATALOGUE_TTL_MS: '0' })
    bff.fakes.products.behave = () => ({ delayMs: 150 })
    const leaving = bff.app.inject({ method: 'GET', url: '/products/all', headers: { 'x-request-timeout-ms': '50' } })
    const staying = page(bff)
    expect((await leaving).statusCode).toBe(504)
    expect((await staying).statusCode).toBe(200)
    // The page that stayed did not need a second call once the first page gave up: it re-read only
    // because the shared call was cut short by the first page's budget, never twice more.
    expect(bff.fakes.products.requests.length).toBeLessThanOrEqual(2)
  })

  it('cancels a shared call once no page waits for it', async () => {
    const bff = await start({ CATALOGUE_TTL_MS: '0' })
    bff.fakes.products.behave = () => ({ hang: true })
    const budget = { 'x-request-timeout-ms': '100' }
    const answers = await Promise.all([1, 2].map(() => bff.app.inject({ method: 'GET', url: '/products/all', headers: budget })))
    expect(answers.map((answer) => answer.statusCode)).toEqual([504, 504])
    expect(await eventually(() => bff.fakes.products.requests.every((request) => request.closedEarly))).toBe(true)
  })
})

describe('caching', () => {
  it('serves the catalogue for CATALOGUE_TTL_MS and stock for STOCK_TTL_MS without asking again', async () => {
    const bff = await start({ CATALOGUE_TTL_MS: '400', STOCK_TTL_MS: '200' })
    const headers = await bff.signIn(1)
    expect((await page(bff, headers)).statusCode).toBe(200)
    expect((await page(bff, headers)).json().products[0]).toEqual({ product_id: 1, product_name: 'Product 1', price_cents: 100, inventory: stockOf(1) })
    expect(bff.fakes.products.requests).toHaveLength(1)
    expect(bff.fakes.inventory.requests).toHaveLength(1)
    expect(bff.fakes.cart.requests).toHaveLength(2)
    await sleep(250)
    await page(bff, headers)
    expect(bff.fakes.products.requests).toHaveLength(1)
    expect(bff.fakes.inventory.requests).toHaveLength(2)
    await sleep(200)
    await page(bff, headers)
    expect(bff.fakes.products.requests).toHaveLength(2)
  })

  it('asks every time with both TTLs at 0', async () => {
    const bff = await start({ CATALOGUE_TTL_MS: '0', STOCK_TTL_MS: '0' })
    await page(bff)
    await page(bff)
    expect(bff.fakes.products.requests).toHaveLength(2)
    expect(bff.fakes.inventory.requests).toHaveLength(2)
  })
})

describe('stale-if-error', () => {
  /** A BFF that has read the catalogue and stock once, both now past their TTL. */
  async function afterOneGoodPage(overrides: Record<string, string> = {}) {
    const bff = await start({ CATALOGUE_TTL_MS: '0', STOCK_TTL_MS: '0', ...overrides })
    expect((await page(bff)).statusCode).toBe(200)
    return bff
  }

  function expectStaleCatalogue(response: Awaited<ReturnType<typeof page>>): void {
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-degraded']).toBe('products')
    expect(response.headers['cache-control']).toBe('no-store')
    const body = response.json()
    expect(body).toMatchObject({ degraded: ['products'], degraded_reasons: { products: 'stale' } })
    expect(body.products).toHaveLength(10)
    expect(body.products[2]).toMatchObject({ product_id: 3, inventory: stockOf(3) })
  }

  it('serves the last catalogue, marked stale, when products answers 500', async () => {
    const bff = await afterOneGoodPage()
    bff.fakes.products.behave = () => ({ status: 500 })
    expectStaleCatalogue(await page(bff))
  })

  it('serves it when products times out', async () => {
    const bff = await afterOneGoodPage()
    bff.fakes.products.behave = () => ({ hang: true })
    expectStaleCatalogue(await page(bff))
  })

  it('serves it while products\' circuit is open, without calling products', async () => {
    const bff = await afterOneGoodPage()
    bff.fakes.products.behave = () => ({ status: 500 })
    for (let attempt = 0; attempt < 10 && (await bff.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers.products.state !== 'open'; attempt++) {
      await page(bff)
    }
    expect((await bff.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers.products.state).toBe('open')
    const calls = bff.fakes.products.requests.length
    const headers = await bff.signIn(1)
    const response = await page(bff, headers)
    expectStaleCatalogue(response)
    expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: 3 })
    expect(bff.fakes.products.requests).toHaveLength(calls)
  })

  it('answers 502 and 504 again once STALE_IF_ERROR_MS has passed', async () => {
    const bff = await start({ CATALOGUE_TTL_MS: '0', STOCK_TTL_MS: '0', STALE_IF_ERROR_MS: '200' }, NEVER_OPENS)
    expect((await page(bff)).statusCode).toBe(200)
    bff.fakes.products.behave = () => ({ status: 500 })
    expectStaleCatalogue(await page(bff))
    await sleep(250)
    expect((await page(bff)).statusCode).toBe(502)
    bff.fakes.products.behave = () => ({ hang: true })
    expect((await page(bff)).statusCode).toBe(504)
  })

  it('answers 503 again, circuit open, once STALE_IF_ERROR_MS has passed', async () => {
    const bff = await afterOneGoodPage({ STALE_IF_ERROR_MS: '200' })
    bff.fakes.products.behave = () => ({ status: 500 })
    expectStaleCatalogue(await page(bff))
    await sleep(250)
    let status = 0
    for (let attempt = 0; attempt < 10 && status !== 503; attempt++) {
      status = (await page(bff)).statusCode
    }
    expect(status).toBe(503)
  })

  it('never serves stale with STALE_IF_ERROR_MS=0', async () => {
    const bff = await afterOneGoodPage({ STALE_IF_ERROR_MS: '0' })
    bff.fakes.products.behave = () => ({ status: 500 })
    expect((await page(bff)).statusCode).toBe(502)
  })

  it('gives each product its last stock, inventory marked stale, when inventory fails', async () => {
    const bff = await afterOneGoodPage()
    bff.fakes.inventory.behave = () => ({ status: 500 })
    const response = await page(bff)
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-degraded']).toBe('inventory')
    const body = response.json()
    expect(body).toMatchObject({ degraded: ['inventory'], degraded_reasons: { inventory: 'stale' } })
    expect(body.products.map((product: { inventory: number }) => product.inventory)).toEqual(Array.from({ length: 10 }, (_, index) => stockOf(index + 1)))
  })

  it('names the failure, not stale, when some product has no stock to stand in', async () => {
    const bff = await afterOneGoodPage()
    bff.fakes.productCount = 12
    bff.fakes.inventory.behave = () => ({ status: 500 })
    const body = (await page(bff)).json()
    expect(body).toMatchObject({ degraded: ['inventory'], degraded_reasons: { inventory: 'error' } })
    expect(body.products[0].inventory).toBe(stockOf(1))
    expect(body.products[11].inventory).toBeNull()
  })
})

describe('paging', () => {
  it('walks a 10 000-product catalogue 1000 at a time with no gaps or repeats, and next_after null on the last page', async () => {
    const bff = await start()
    bff.fakes.productCount = 10_000
    const seen: number[] = []
    let url = '/products/all?limit=1000'
    for (let pages = 0; pages < 20; pages++) {
      const response = await page(bff, {}, url)
      expect(response.statusCode).toBe(200)
      const body = response.json()
      expect(body.degraded).toEqual([])
      for (const product of body.products) {
        expect(product.inventory).toBe(stockOf(product.product_id))
        seen.push(product.product_id)
      }
      if (body.next_after === null) {
        break
      }
      expect(body.next_after).toBe(seen.at(-1))
      url = `/products/all?limit=1000&after=${body.next_after}`
    }
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, index) => index + 1))
  })

  it('walks it 48 at a time, with stock asked for only what is shown', async () => {
    const bff = await start({ STOCK_TTL_MS: '0' })
    bff.fakes.productCount = 100
    const seen: number[] = []
    let next: number | null = 0
    while (next !== null) {
      const url: string = next === 0 ? '/products/all?limit=48' : `/products/all?limit=48&after=${next}`
      const body = (await page(bff, {}, url)).json<{ products: Array<{ product_id: number }>; next_after: number | null }>()
      expect(body.products.length).toBeLessThanOrEqual(48)
      seen.push(...body.products.map((product) => product.product_id))
      next = body.next_after
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, index) => index + 1))
    const asked = bff.fakes.inventory.requests.map((request) => new URL(request.url, 'http://x').searchParams.get('product_ids')!.split(',').length)
    expect(asked).toEqual([48, 48, 4])
  })

  it('answers the whole catalogue without next_after when no limit is given', async () => {
    const bff = await start()
    const body = (await page(bff)).json()
    expect(body.products).toHaveLength(10)
    expect(body).not.toHaveProperty('next_after')
  })

  it.each([
    ['limit=0'], ['limit=1001'], ['limit=-1'], ['limit=abc'], ['limit=10&after=0'], ['limit=10&after=x'], ['after=5'], ['limit=10&page=2'],
  ])('answers 400 for ?%s', async (query) => {
    const bff = await start()
    const response = await page(bff, {}, `/products/all?${query}`)
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 400, code: 'SVC_ERR_VALIDATION' })
  })
})

describe('the caches on /ops/stats and /metrics', () => {
  it('counts hits, misses, coalesced calls and stale answers, and the age of the catalogue served', async () => {
    const bff = await start({ STOCK_TTL_MS: '0' })
    bff.fakes.products.behave = () => ({ delayMs: 50 })
    await Promise.all([page(bff), page(bff), page(bff)])
    await page(bff)
    const stats = (await bff.app.inject({ method: 'GET', url: '/ops/stats' })).json()
    expect(stats.cache.catalogue).toMatchObject({ hits: 1, misses: 1, coalesced: 2, stale_served: 0, entries: 1 })
    expect(stats.cache.catalogue.age_ms).toBeGreaterThanOrEqual(0)
    expect(stats.cache.catalogue.age_ms).toBeLessThan(1000)
    // Stock is counted per product: 4 pages of 10, none cached (STOCK_TTL_MS=0).
    expect(stats.cache.stock).toMatchObject({ hits: 0, misses: 40, stale_served: 0, entries: 10 })
    expect(stats.cache.stock.coalesced).toBeGreaterThanOrEqual(1)
    const metrics = (await bff.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^bff_cache_lookups_total\{cache="catalogue",result="coalesced"[^}]*\} 2$/m)
    expect(metrics).toMatch(/^bff_cache_lookups_total\{cache="catalogue",result="hit"[^}]*\} 1$/m)
    expect(metrics).toMatch(/^bff_cache_entries\{cache="stock"[^}]*\} 10$/m)
    expect(metrics).toMatch(/^bff_catalogue_age_seconds(\{[^}]*\})? \d/m)
  })
})
