import { describe, expect, it } from 'vitest'

import { idsOf, stockOf } from '../fakes.js'
import { type BffHarness, PRODUCTION_BUDGETS, bffPerTest, closedPortUrl, timeUntil, timed } from '../helper.js'

/**
 * Cart, favorites and inventory are optional parts of GET /products/all, under the production
 * budgets (1000 ms each): whatever has not answered well within its window is null, named in
 * `degraded` with its reason, and its call is closed; the page is never later than the windows.
 */

/** Slack on either side of a budget for timers, scheduling and loopback round trips. */
const SLACK_MS = 50

/** "Quickly": a failing optional part costs its retries' short pauses, far from the 1000 ms window. */
const QUICK_MS = 300

/** How soon after the answer a hung call must be closed: well before anything else would close it. */
const PROMPTLY_MS = 250

const start = bffPerTest(PRODUCTION_BUDGETS)

/** `GET /products/all` as user 1 (signed in beforehand, outside the measured time). */
async function getPage(bff: BffHarness) {
  const headers = await bff.signIn(1)
  const { value: response, elapsedMs, startedAt, lagMs } = await timed(() => bff.app.inject({ method: 'GET', url: '/products/all', headers }))
  return { response, elapsedMs, startedAt, lagMs, answeredAt: startedAt + elapsedMs }
}

interface PageProduct {
  product_id: number
  product_name: string
  inventory: number | null
}

describe('cart and favorites hanging', () => {
  it('answers 200 with cart_items null and cart degraded by timeout 1000 ms (± 50) in, and closes the hung cart call', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: null, favorite_items: 3, degraded: ['cart'], degraded_reasons: { cart: 'timeout' } })
    expect(body.products.map((product: PageProduct) => product.inventory)).toEqual(Array.from({ length: 10 }, (_, index) => stockOf(index + 1)))
    expect(response.headers['x-degraded']).toBe('cart')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(elapsedMs).toBeGreaterThanOrEqual(1000 - SLACK_MS)
    expect(elapsedMs).toBeLessThanOrEqual(1000 + SLACK_MS + lagMs)
    expect(bff.fakes.cart.requests).toHaveLength(1)
    expect(await timeUntil(() => bff.fakes.cart.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
  })

  it('answers 200 with favorite_items null and favorites degraded by timeout 1000 ms (± 50) in, and closes the hung favorites call', async () => {
    const bff = await start()
    bff.fakes.favorites.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: null, degraded: ['favorites'], degraded_reasons: { favorites: 'timeout' } })
    expect(response.headers['x-degraded']).toBe('favorites')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(elapsedMs).toBeGreaterThanOrEqual(1000 - SLACK_MS)
    expect(elapsedMs).toBeLessThanOrEqual(1000 + SLACK_MS + lagMs)
    expect(bff.fakes.favorites.requests).toHaveLength(1)
    expect(await timeUntil(() => bff.fakes.favorites.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
  })

  it('answers once, at the window, with both null when cart and favorites both hang', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ hang: true })
    bff.fakes.favorites.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.json()).toMatchObject({
      cart_items: null,
      favorite_items: null,
      degraded: ['cart', 'favorites'],
      degraded_reasons: { cart: 'timeout', favorites: 'timeout' },
    })
    expect(response.headers['x-degraded']).toBe('cart, favorites')
    expect(elapsedMs).toBeLessThanOrEqual(1000 + SLACK_MS + lagMs)
  })

  it('still counts a cart that answers at 700 ms, inside the window', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ delayMs: 700 })
    const { response, elapsedMs } = await getPage(bff)
    expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: [], degraded_reasons: {} })
    expect(elapsedMs).toBeGreaterThanOrEqual(700)
    expect(elapsedMs).toBeLessThan(1000)
  })
})

describe('cart and favorites failing', () => {
  it('degrades cart with reason error well within the window when cart answers 500', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ status: 500 })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: null, favorite_items: 3, degraded: ['cart'], degraded_reasons: { cart: 'error' } })
    expect(response.headers['x-degraded']).toBe('cart')
    expect(elapsedMs).toBeLessThan(QUICK_MS + lagMs)
    // The first call and its two retries.
    expect(bff.fakes.cart.requests).toHaveLength(3)
  })

  it('degrades favorites with reason error well within the window when favorites answers 500', async () => {
    const bff = await start()
    bff.fakes.favorites.behave = () => ({ status: 500 })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: null, degraded: ['favorites'], degraded_reasons: { favorites: 'error' } })
    expect(elapsedMs).toBeLessThan(QUICK_MS + lagMs)
  })

  it('degrades cart with reason error well within the window when nothing listens where cart should be', async () => {
    const bff = await start({ CART_URL: await closedPortUrl() })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ cart_items: null, favorite_items: 3, degraded: ['cart'], degraded_reasons: { cart: 'error' } })
    expect(elapsedMs).toBeLessThan(QUICK_MS + lagMs)
  })

  it('degrades cart with reason error when cart answers JSON of the wrong shape', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ body: [{ product_id: 1, quantity: 0 }] })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.json()).toMatchObject({ cart_items: null, degraded: ['cart'], degraded_reasons: { cart: 'error' } })
    expect(elapsedMs).toBeLessThan(QUICK_MS + lagMs)
  })
})

describe('inventory hanging for some chunks', () => {
  it('fills the chunks that answered, nulls the hung chunk of ids 101-200, and answers 1000 ms (+ 50) after products answered', async () => {
    const bff = await start()
    bff.fakes.productCount = 250
    let inventoryAskedAt: number | undefined
    bff.fakes.inventory.behave = (request) => {
      inventoryAskedAt ??= performance.now()
      return { hang: idsOf(request.url).includes(101) }
    }
    const { response, startedAt, answeredAt, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: ['inventory'], degraded_reasons: { inventory: 'timeout' } })
    expect(response.headers['x-degraded']).toBe('inventory')
    expect(response.headers['cache-control']).toBe('no-store')
    const products = body.products as PageProduct[]
    expect(products).toHaveLength(250)
    for (const product of products) {
      const hung = product.product_id >= 101 && product.product_id <= 200
      expect(product.inventory).toBe(hung ? null : stockOf(product.product_id))
      expect(product.product_name).toBe(`Product ${product.product_id}`)
    }
    const calls = bff.fakes.inventory.requests.map((request) => idsOf(request.url))
    expect(calls).toHaveLength(3)
    expect(calls.find((ids) => ids.includes(101))).toEqual(Array.from({ length: 100 }, (_, index) => index + 101))
    // Products answers within a few ms; inventory's 1000 ms window starts when it does.
    const productsTookMs = inventoryAskedAt! - startedAt
    expect(productsTookMs).toBeLessThan(200)
    expect(answeredAt - inventoryAskedAt!).toBeGreaterThanOrEqual(1000 - SLACK_MS)
    expect(answeredAt - startedAt).toBeLessThanOrEqual(productsTookMs + 1000 + SLACK_MS + lagMs)
    const hungCall = bff.fakes.inventory.requests.find((request) => idsOf(request.url).includes(101))!
    expect(await timeUntil(() => hungCall.closedEarly, PROMPTLY_MS)).toBeDefined()
    expect(bff.fakes.inventory.requests.filter((request) => request.closedEarly)).toHaveLength(1)
  })
})

describe('cart and favorites alongside products', () => {
  it('asks cart and favorites at the same time as products, not after it', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 300 })
    const arrivals: Record<string, number> = {}
    for (const name of ['cart', 'favorites'] as const) {
      bff.fakes[name].behave = () => {
        arrivals[name] = performance.now()
        return {}
      }
    }
    const { response, startedAt, lagMs } = await getPage(bff)
    expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: [] })
    expect(arrivals.cart! - startedAt).toBeLessThan(100 + lagMs)
    expect(arrivals.favorites! - startedAt).toBeLessThan(100 + lagMs)
  })
})

describe('inventory failing', () => {
  it('degrades inventory with reason error at once when its body is over the 1 MiB default, without asking again', async () => {
    const bff = await start()
    const padding = 'x'.repeat(1024 * 1024)
    bff.fakes.inventory.behave = (request) => ({ body: { items: idsOf(request.url).map((id) => ({ product_id: id, inventory: 1 })), padding } })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: ['inventory'], degraded_reasons: { inventory: 'error' } })
    expect(body.products.every((product: PageProduct) => product.inventory === null)).toBe(true)
    expect(elapsedMs).toBeLessThan(QUICK_MS + lagMs)
    expect(bff.fakes.inventory.requests).toHaveLength(1)
  })

  it('degrades inventory with reason error at once when inventory answers JSON of the wrong shape', async () => {
    const bff = await start()
    bff.fakes.inventory.behave = (request) => ({ body: idsOf(request.url).map((id) => ({ product_id: id, inventory: 1 })) })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    const body = response.json()
    expect(body).toMatchObject({ degraded: ['inventory'], degraded_reasons: { inventory: 'error' } })
    expect(body.products.every((product: PageProduct) => product.inventory === null)).toBe(true)
    expect(elapsedMs).toBeLessThan(QUICK_MS + lagMs)
    expect(bff.fakes.inventory.requests).toHaveLength(1)
  })

  it('degrades inventory with reason error when a stock figure is negative', async () => {
    const bff = await start()
    bff.fakes.inventory.behave = (request) => ({ body: { items: idsOf(request.url).map((id) => ({ product_id: id, inventory: -1 })) } })
    const { response } = await getPage(bff)
    expect(response.json()).toMatchObject({ degraded: ['inventory'], degraded_reasons: { inventory: 'error' } })
  })

  it('degrades inventory with reason error well within the window when nothing listens where inventory should be', async () => {
    const bff = await start({ INVENTORY_URL: await closedPortUrl() })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: ['inventory'], degraded_reasons: { inventory: 'error' } })
    expect(body.products.every((product: PageProduct) => product.inventory === null)).toBe(true)
    expect(elapsedMs).toBeLessThan(QUICK_MS + lagMs)
  })
})
