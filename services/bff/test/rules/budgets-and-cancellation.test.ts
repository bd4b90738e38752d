import { describe, expect, it } from 'vitest'

import { idsOf, stockOf } from '../fakes.js'
import { type BffHarness, PRODUCTION_BUDGETS, bffPerTest, listenOnLoopback, timeUntil, timed } from '../helper.js'

/**
 * The whole page never takes longer than the products window plus the inventory window (counted
 * from the products answer) plus a few ms, and every downstream call still running when the page is
 * answered, or when the caller goes away, is closed at once.
 */

/** Slack on either side of a budget for timers, scheduling and loopback round trips. */
const SLACK_MS = 60

/**
 * How soon after the answer (or the caller leaving) a straggling call must be closed: well before
 * its own window (1000 ms) would have closed it.
 */
const PROMPTLY_MS = 250

const start = bffPerTest(PRODUCTION_BUDGETS)

/** `GET /products/all` as user 1 (signed in beforehand, outside the measured time). */
async function getPage(bff: BffHarness, headers: Record<string, string> = {}) {
  const signedIn = await bff.signIn(1)
  const { value: response, elapsedMs, lagMs } = await timed(() => bff.app.inject({ method: 'GET', url: '/products/all', headers: { ...signedIn, ...headers } }))
  return { response, elapsedMs, lagMs }
}

describe('the two budgets', () => {
  it('answers about 1900 ms in when products answers at 900 ms and inventory hangs: the inventory window starts at the products answer', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 900 })
    bff.fakes.inventory.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: ['inventory'], degraded_reasons: { inventory: 'timeout' } })
    expect(body.products.every((product: { inventory: unknown }) => product.inventory === null)).toBe(true)
    expect(elapsedMs).toBeGreaterThanOrEqual(1900 - 10)
    expect(elapsedMs).toBeLessThanOrEqual(1900 + SLACK_MS + lagMs)
    expect(await timeUntil(() => bff.fakes.inventory.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
  })

  it('answers no later when cart and favorites hang as well: their window ended at 1000 ms', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 900 })
    bff.fakes.inventory.behave = () => ({ hang: true })
    bff.fakes.cart.behave = () => ({ hang: true })
    bff.fakes.favorites.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.json()).toMatchObject({
      cart_items: null,
      favorite_items: null,
      degraded: ['cart', 'favorites', 'inventory'],
      degraded_reasons: { cart: 'timeout', favorites: 'timeout', inventory: 'timeout' },
    })
    expect(elapsedMs).toBeLessThanOrEqual(1900 + SLACK_MS + lagMs)
  })

  it('answers at the end of the 1000 ms window, not at products + 1000 ms, when cart hangs and products answers at 900 ms', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 900 })
    bff.fakes.cart.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    const body = response.json()
    expect(body).toMatchObject({ cart_items: null, favorite_items: 3, degraded: ['cart'], degraded_reasons: { cart: 'timeout' } })
    expect(body.products[0].inventory).toBe(stockOf(1))
    expect(elapsedMs).toBeGreaterThanOrEqual(1000 - 10)
    expect(elapsedMs).toBeLessThanOrEqual(1000 + SLACK_MS + lagMs)
  })

  it('answers 504 when the caller\'s own x-request-timeout-ms (1500) runs out before the inventory window, and closes the inventory call', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 900 })
    bff.fakes.inventory.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff, { 'x-request-timeout-ms': '1500' })
    expect(response.statusCode).toBe(504)
    expect(elapsedMs).toBeGreaterThanOrEqual(1500 - 10)
    expect(elapsedMs).toBeLessThanOrEqual(1500 + SLACK_MS + lagMs)
    const told = Number(bff.fakes.inventory.requests[0]!.headers['x-request-timeout-ms'])
    expect(told).toBeLessThanOrEqual(600)
    expect(told).toBeGreaterThan(500)
    expect(await timeUntil(() => bff.fakes.inventory.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
  })
})

describe('stragglers', () => {
  it('closes the hung cart and favorites calls as soon as the 502 for a failed products is sent', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ malformed: true })
    bff.fakes.cart.behave = () => ({ hang: true })
    bff.fakes.favorites.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(elapsedMs).toBeLessThan(200 + lagMs)
    const closedAfterMs = await timeUntil(() => bff.fakes.cart.requests[0]!.closedEarly && bff.fakes.favorites.requests[0]!.closedEarly, PROMPTLY_MS)
    // Closed by the answer, long before their own 1000 ms window would have closed them.
    expect(closedAfterMs).toBeDefined()
  })

  it('closes the hung cart and favorites calls with the 504 of a hung products', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ hang: true })
    bff.fakes.cart.behave = () => ({ hang: true })
    bff.fakes.favorites.behave = () => ({ hang: true })
    const { response } = await getPage(bff)
    expect(response.statusCode).toBe(504)
    for (const fake of [bff.fakes.products, bff.fakes.cart, bff.fakes.favorites]) {
      expect(await timeUntil(() => fake.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
    }
  })

  it('closes every inventory chunk call, cart and favorites at once when the caller goes away mid-page', async () => {
    const bff = await start()
    bff.fakes.productCount = 250
    bff.fakes.inventory.behave = () => ({ hang: true })
    bff.fakes.cart.behave = () => ({ hang: true })
    bff.fakes.favorites.behave = () => ({ hang: true })
    const origin = await listenOnLoopback(bff.app)
    const controller = new AbortController()
    const request = fetch(`${origin}/products/all`, { headers: await bff.signIn(1), signal: controller.signal })
    request.catch(() => {})
    const inFlight = () => [...bff.fakes.inventory.requests, ...bff.fakes.cart.requests, ...bff.fakes.favorites.requests]
    expect(await timeUntil(() => inFlight().length === 5, 500)).toBeDefined()
    expect(bff.fakes.inventory.requests.map((seen) => idsOf(seen.url).length).sort((a, b) => a - b)).toEqual([50, 100, 100])
    controller.abort()
    expect(await timeUntil(() => inFlight().every((seen) => seen.closedEarly), PROMPTLY_MS)).toBeDefined()
    // Nothing asked again after the caller left.
    expect(inFlight()).toHaveLength(5)
  })

  it('closes a hung inventory call at once when a 300 ms caller deadline ends the page', async () => {
    const bff = await start()
    bff.fakes.inventory.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff, { 'x-request-timeout-ms': '300' })
    expect(response.statusCode).toBe(504)
    expect(elapsedMs).toBeLessThanOrEqual(300 + SLACK_MS + lagMs)
    expect(await timeUntil(() => bff.fakes.inventory.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
  })
})
