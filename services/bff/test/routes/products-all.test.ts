import { TEST_SERVICE_TOKEN } from '@storefront/service-kit/testing'
import { describe, expect, it } from 'vitest'

import { idsOf, stockOf } from '../fakes.js'
import { type BffHarness, INVENTORY_BUDGET_MS, PRODUCTS_BUDGET_MS, bffPerTest, closedPortUrl, eventually } from '../helper.js'

/** Slack for scheduling and the loopback round trips on top of a budget. */
const MARGIN_MS = 100

const start = bffPerTest()

/** `GET /products/all` as user 1 (or another, or anonymously), with the time it took. */
async function getPage(bff: BffHarness, user: number | 'anonymous' = 1) {
  const startedAt = performance.now()
  const headers = user === 'anonymous' ? {} : await bff.signIn(user)
  const response = await bff.app.inject({ method: 'GET', url: '/products/all', headers })
  return { response, elapsedMs: performance.now() - startedAt }
}

describe('GET /products/all when every downstream answers', () => {
  it('merges products with their stock and counts the cart lines and favorites', async () => {
    const bff = await start()
    const { response } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-degraded']).toBeUndefined()
    expect(response.headers['cache-control']).not.toMatch(/no-store/)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: [], degraded_reasons: {} })
    expect(body.products).toHaveLength(10)
    expect(body.products[0]).toEqual({ product_id: 1, product_name: 'Product 1', price_cents: 100, inventory: stockOf(1) })
    expect(body.products[9]).toEqual({ product_id: 10, product_name: 'Product 10', price_cents: 1000, inventory: stockOf(10) })
    // The downstreams were asked with the service token, for user 1, in one inventory call.
    for (const fake of [bff.fakes.products, bff.fakes.inventory, bff.fakes.favorites, bff.fakes.cart]) {
      expect(fake.requests).toHaveLength(1)
      expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_SERVICE_TOKEN}`)
    }
    expect(bff.fakes.cart.requests[0]!.url).toBe('/users/1/cart')
    expect(bff.fakes.favorites.requests[0]!.url).toBe('/users/1/favorites')
    expect(idsOf(bff.fakes.inventory.requests[0]!.url)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('answers an anonymous visitor with null counts that are not degraded, without calling cart or favorites', async () => {
    const bff = await start()
    const { response } = await getPage(bff, 'anonymous')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: null, favorite_items: null, degraded: [], degraded_reasons: {} })
    expect(response.headers['x-degraded']).toBeUndefined()
    expect(bff.fakes.cart.requests).toHaveLength(0)
    expect(bff.fakes.favorites.requests).toHaveLength(0)
  })

  it('starts inventory as soon as products answers, not after a slow cart', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ delayMs: 200 })
    let inventoryAskedAtMs = 0
    const startedAt = performance.now()
    bff.fakes.inventory.behave = () => {
      inventoryAskedAtMs = performance.now() - startedAt
      return {}
    }
    const { response } = await getPage(bff)
    expect(response.json()).toMatchObject({ cart_items: 2, degraded: [] })
    expect(inventoryAskedAtMs).toBeGreaterThan(0)
    expect(inventoryAskedAtMs).toBeLessThan(150)
  })
})

describe('GET /products/all when products fails', () => {
  it('answers 504 once PRODUCTS_TIMEOUT_MS passes while products hangs', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ hang: true })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(504)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(elapsedMs).toBeGreaterThanOrEqual(PRODUCTS_BUDGET_MS - 5)
    expect(elapsedMs).toBeLessThan(PRODUCTS_BUDGET_MS + MARGIN_MS)
    expect(bff.fakes.inventory.requests).toHaveLength(0)
  })

  it('answers 502 when products answers 500', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ status: 500, body: { error: 'relation "products" does not exist' } })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(response.body).not.toMatch(/relation/)
    expect(elapsedMs).toBeLessThan(PRODUCTS_BUDGET_MS + MARGIN_MS)
  })

  it('answers 502 when nothing listens where products should be', async () => {
    const bff = await start({ PRODUCTS_URL: await closedPortUrl() })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(response.json()).toMatchObject({ status: 502, code: 'SVC_ERR_UPSTREAM_FAILED' })
    expect(elapsedMs).toBeLessThan(PRODUCTS_BUDGET_MS + MARGIN_MS)
  })

  it('answers 502 when products sends a body that is not JSON, or JSON of the wrong shape', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ malformed: true })
    expect((await getPage(bff)).response.statusCode).toBe(502)
    bff.fakes.products.behave = () => ({ body: [{ product_id: 'one', product_name: 'x' }] })
    expect((await getPage(bff)).response.statusCode).toBe(502)
  })

  it('answers 503 with retry-after once products\' circuit is open, without calling it', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ status: 500 })
    // Each page tries products up to 3 times; the breaker opens after 5 failures.
    await getPage(bff)
    await getPage(bff)
    const callsBefore = bff.fakes.products.requests.length
    const { response } = await getPage(bff)
    expect(response.statusCode).toBe(503)
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0)
    expect(bff.fakes.products.requests.length).toBe(callsBefore)
  })
})

describe('GET /products/all when an optional part fails', () => {
  it('answers in time with cart_items null and cart degraded by timeout when cart hangs, and closes the hung call', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ hang: true })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: null, favorite_items: 3, degraded: ['cart'], degraded_reasons: { cart: 'timeout' } })
    expect(response.json().products[0].inventory).toBe(stockOf(1))
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers['x-degraded']).toBe('cart')
    expect(elapsedMs).toBeGreaterThanOrEqual(PRODUCTS_BUDGET_MS - 5)
    expect(elapsedMs).toBeLessThan(PRODUCTS_BUDGET_MS + MARGIN_MS)
    expect(await eventually(() => bff.fakes.cart.requests[0]?.closedEarly === true)).toBe(true)
  })

  it('names favorites with reason error when favorites answers 500', async () => {
    const bff = await start()
    bff.fakes.favorites.behave = () => ({ status: 500 })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: null, degraded: ['favorites'], degraded_reasons: { favorites: 'error' } })
    expect(response.headers['x-degraded']).toBe('favorites')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(elapsedMs).toBeLessThan(PRODUCTS_BUDGET_MS + MARGIN_MS)
  })

  it('gives every product inventory null when inventory hangs, within INVENTORY_TIMEOUT_MS', async () => {
    const bff = await start()
    bff.fakes.inventory.behave = () => ({ hang: true })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.products).toHaveLength(10)
    expect(body.products.every((product: { inventory: unknown; product_name: unknown }) => product.inventory === null && typeof product.product_name === 'string')).toBe(true)
    expect(body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: ['inventory'], degraded_reasons: { inventory: 'timeout' } })
    expect(response.headers['x-degraded']).toBe('inventory')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(elapsedMs).toBeGreaterThanOrEqual(INVENTORY_BUDGET_MS - 5)
    expect(elapsedMs).toBeLessThan(INVENTORY_BUDGET_MS + MARGIN_MS)
    expect(await eventually(() => bff.fakes.inventory.requests[0]?.closedEarly === true)).toBe(true)
  })

  it('lists every degraded part in x-degraded, joined by ", "', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ status: 500 })
    bff.fakes.inventory.behave = () => ({ malformed: true })
    const { response } = await getPage(bff)
    expect(response.json()).toMatchObject({ degraded: ['cart', 'inventory'], degraded_reasons: { cart: 'error', inventory: 'error' } })
    expect(response.headers['x-degraded']).toBe('cart, inventory')
    expect(response.headers['cache-control']).toBe('no-store')
  })
})

describe('GET /products/all inventory chunks', () => {
  it('asks for 250 products\' stock in 3 concurrent calls of at most 100 ids', async () => {
    const bff = await start()
    bff.fakes.productCount = 250
    bff.fakes.inventory.behave = () => ({ delayMs: 150 })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const calls = bff.fakes.inventory.requests.map((request) => idsOf(request.url))
    expect(calls).toHaveLength(3)
    expect(calls.every((ids) => ids.length <= 100)).toBe(true)
    expect(calls.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, index) => index + 1))
    expect(bff.fakes.inventory.maxInFlight).toBe(3)
    // One round of 150 ms, not three.
    expect(elapsedMs).toBeLessThan(300)
    const body = response.json()
    expect(body.degraded).toEqual([])
    expect(body.products[249]).toMatchObject({ product_id: 250, inventory: stockOf(250) })
  })

  it('fills the chunks that answered and nulls the ones that hung', async () => {
    const bff = await start()
    bff.fakes.productCount = 400
    // Chunks 101..200 and 301..400 hang.
    bff.fakes.inventory.behave = (request) => ({ hang: Math.floor(((idsOf(request.url)[0] ?? 1) - 1) / 100) % 2 === 1 })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    const inventoryOf = (id: number): unknown => body.products[id - 1].inventory
    for (const id of [1, 100, 201, 300]) {
      expect(inventoryOf(id)).toBe(stockOf(id))
    }
    for (const id of [101, 200, 301, 400]) {
      expect(inventoryOf(id)).toBeNull()
    }
    expect(body).toMatchObject({ degraded: ['inventory'], degraded_reasons: { inventory: 'timeout' } })
    expect(response.headers['x-degraded']).toBe('inventory')
    expect(elapsedMs).toBeLessThan(INVENTORY_BUDGET_MS + MARGIN_MS)
    expect(await eventually(() => bff.fakes.inventory.requests.filter((request) => request.closedEarly).length === 2)).toBe(true)
  })
})

describe('GET /products/all cancellation', () => {
  it('cancels a hung cart call as soon as the 502 for a failed products is sent', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ malformed: true })
    bff.fakes.cart.behave = () => ({ hang: true })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(elapsedMs).toBeLessThan(PRODUCTS_BUDGET_MS - 100)
    const sentAt = performance.now()
    expect(await eventually(() => bff.fakes.cart.requests[0]?.closedEarly === true, 150)).toBe(true)
    // Closed by the answer, not by the end of the cart's window.
    expect(performance.now() - sentAt).toBeLessThan(PRODUCTS_BUDGET_MS - elapsedMs - 50)
  })

  it('cancels every downstream call when the client goes away', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ hang: true })
    bff.fakes.cart.behave = () => ({ hang: true })
    await bff.app.listen({ host: '127.0.0.1', port: 0 })
    const address = bff.app.server.address()
    if (address === null || typeof address === 'string') {
      throw new Error('the BFF is not listening on a TCP port')
    }
    const controller = new AbortController()
    const request = fetch(`http://127.0.0.1:${address.port}/products/all`, { headers: await bff.signIn(1), signal: controller.signal })
    request.catch(() => {})
    expect(await eventually(() => bff.fakes.products.requests.length === 1 && bff.fakes.cart.requests.length === 1)).toBe(true)
    const abortedAt = performance.now()
    controller.abort()
    expect(await eventually(() => bff.fakes.products.requests[0]!.closedEarly && bff.fakes.cart.requests[0]!.closedEarly, 200)).toBe(true)
    // Well before the products window would have ended the calls by itself.
    expect(performance.now() - abortedAt).toBeLessThan(PRODUCTS_BUDGET_MS - 100)
  })
})

describe('GET /products/all keeps refused and big pages cheap', () => {
  it('does not call cart or favorites while products\' circuit is open', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ status: 500 })
    const headers = await bff.signIn(1)
    while ((await bff.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers.products.state !== 'open') {
      await bff.app.inject({ method: 'GET', url: '/products/all', headers })
    }
    const cartCalls = bff.fakes.cart.requests.length
    const favoritesCalls = bff.fakes.favorites.requests.length
    for (let i = 0; i < 5; i++) {
      expect((await bff.app.inject({ method: 'GET', url: '/products/all', headers })).statusCode).toBe(503)
    }
    expect(bff.fakes.cart.requests.length).toBe(cartCalls)
    expect(bff.fakes.favorites.requests.length).toBe(favoritesCalls)
  })

  it('never sends a 10 000-product page more than 100 inventory calls, hedges included', async () => {
    const bff = await start({ INVENTORY_TIMEOUT_MS: '2000', PRODUCTS_TIMEOUT_MS: '2000' })
    bff.fakes.productCount = 10_000
    // The first page teaches the hedge delay (100 fast chunk calls).
    expect((await getPage(bff, 'anonymous')).response.statusCode).toBe(200)
    expect(bff.fakes.inventory.requests).toHaveLength(100)
    // On the second, some chunks are slow: with spare calls they would be hedged; here there are none.
    const slow = new Set<string>()
    bff.fakes.inventory.behave = (seen) => {
      const first = idsOf(seen.url)[0]!
      if (first % 1000 === 1 && !slow.has(seen.url)) {
        slow.add(seen.url)
        return { delayMs: 150 }
      }
      return {}
    }
    const { response } = await getPage(bff, 'anonymous')
    expect(response.statusCode).toBe(200)
    expect(response.json().degraded).toEqual([])
    expect(bff.fakes.inventory.requests).toHaveLength(200)
  })
})
