import { describe, expect, it } from 'vitest'

import { idsOf } from '../fakes.js'
import { type BffHarness, PRODUCTION_BUDGETS, bffPerTest, closedPortUrl, timeUntil, timed } from '../helper.js'

/**
 * Products is the one required part of GET /products/all, under the production budgets
 * (PRODUCTS_TIMEOUT_MS = INVENTORY_TIMEOUT_MS = 1000): past its window the page is a 504, a failed
 * answer a 502, and the time it is told it has left travels with every call.
 */

/** Slack on either side of a budget for timers, scheduling and loopback round trips. */
const SLACK_MS = 50

/** How soon after the answer a hung call must be closed. */
const PROMPTLY_MS = 250

const start = bffPerTest(PRODUCTION_BUDGETS)

/** `GET /products/all` as user 1 (signed in beforehand, outside the measured time). */
async function getPage(bff: BffHarness, headers: Record<string, string> = {}) {
  const signedIn = await bff.signIn(1)
  const { value: response, elapsedMs, lagMs } = await timed(() => bff.app.inject({ method: 'GET', url: '/products/all', headers: { ...signedIn, ...headers } }))
  return { response, elapsedMs, lagMs }
}

describe('products hanging', () => {
  it('answers 504 1000 ms (± 50) after the request came in, and closes the hung products call', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(504)
    expect(response.json()).toMatchObject({ status: 504, code: 'SVC_ERR_DEADLINE_EXCEEDED' })
    expect(elapsedMs).toBeGreaterThanOrEqual(1000 - SLACK_MS)
    expect(elapsedMs).toBeLessThanOrEqual(1000 + SLACK_MS + lagMs)
    expect(bff.fakes.products.requests).toHaveLength(1)
    expect(bff.fakes.inventory.requests).toHaveLength(0)
    expect(await timeUntil(() => bff.fakes.products.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
  })

  it('answers 504 300 ms (± 50) after the request when the caller sends x-request-timeout-ms: 300, and tells products it has at most 300 ms', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ hang: true })
    const { response, elapsedMs, lagMs } = await getPage(bff, { 'x-request-timeout-ms': '300' })
    expect(response.statusCode).toBe(504)
    expect(elapsedMs).toBeGreaterThanOrEqual(300 - SLACK_MS)
    expect(elapsedMs).toBeLessThanOrEqual(300 + SLACK_MS + lagMs)
    const told = Number(bff.fakes.products.requests[0]!.headers['x-request-timeout-ms'])
    expect(told).toBeLessThanOrEqual(300)
    expect(told).toBeGreaterThan(250)
    expect(await timeUntil(() => bff.fakes.products.requests[0]!.closedEarly, PROMPTLY_MS)).toBeDefined()
  })
})

describe('products failing', () => {
  it('answers 502 at once when products answers a body that is not JSON, and does not ask again', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ malformed: true })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(response.json()).toMatchObject({ status: 502, code: 'SVC_ERR_UPSTREAM_FAILED' })
    expect(elapsedMs).toBeLessThan(200 + lagMs)
    expect(bff.fakes.products.requests).toHaveLength(1)
  })

  it('answers 502 at once when products answers JSON of the wrong shape', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ body: { products: [] } })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(elapsedMs).toBeLessThan(200 + lagMs)
    expect(bff.fakes.products.requests).toHaveLength(1)
  })

  it('answers 502 at once when products\' body is over its maxResponseBytes, and does not ask again', async () => {
    const bff = await start({}, { clients: { products: { maxResponseBytes: 4096 } } })
    // 250 products of ~60 bytes each: about 15 KB.
    bff.fakes.productCount = 250
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(elapsedMs).toBeLessThan(200 + lagMs)
    expect(bff.fakes.products.requests).toHaveLength(1)
    expect(bff.fakes.inventory.requests).toHaveLength(0)
  })

  it('reads a products body of the same size when it is under maxResponseBytes', async () => {
    const bff = await start({}, { clients: { products: { maxResponseBytes: 64 * 1024 } } })
    bff.fakes.productCount = 250
    const { response } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    expect(response.json().products).toHaveLength(250)
  })

  it('answers 502 well within the window when nothing listens where products should be', async () => {
    const bff = await start({ PRODUCTS_URL: await closedPortUrl() })
    const { response, elapsedMs, lagMs } = await getPage(bff)
    expect(response.statusCode).toBe(502)
    expect(response.json()).toMatchObject({ code: 'SVC_ERR_UPSTREAM_FAILED' })
    // Three attempts with backoff pauses of at most 25 and 50 ms.
    expect(elapsedMs).toBeLessThan(300 + lagMs)
  })
})

describe('what every downstream is told', () => {
  it('tells products, cart and favorites the time left of the 1000 ms window, and inventory that of its own window', async () => {
    const bff = await start()
    bff.fakes.productCount = 150
    // Products answers after 100 ms: inventory's window starts then, not with the request.
    bff.fakes.products.behave = () => ({ delayMs: 100 })
    const { response } = await getPage(bff)
    expect(response.statusCode).toBe(200)
    for (const fake of [bff.fakes.products, bff.fakes.cart, bff.fakes.favorites]) {
      const told = Number(fake.requests[0]!.headers['x-request-timeout-ms'])
      expect(told).toBeLessThanOrEqual(1000)
      expect(told).toBeGreaterThan(900)
    }
    expect(bff.fakes.inventory.requests).toHaveLength(2)
    for (const request of bff.fakes.inventory.requests) {
      const told = Number(request.headers['x-request-timeout-ms'])
      expect(told).toBeLessThanOrEqual(1000)
      expect(told).toBeGreaterThan(900)
    }
  })

  it('tells products no more than the caller\'s own x-request-timeout-ms when it is shorter than the window', async () => {
    const bff = await start()
    const { response } = await getPage(bff, { 'x-request-timeout-ms': '600' })
    expect(response.statusCode).toBe(200)
    const told = Number(bff.fakes.products.requests[0]!.headers['x-request-timeout-ms'])
    expect(told).toBeLessThanOrEqual(600)
    expect(told).toBeGreaterThan(500)
  })

  it('passes the caller\'s x-request-id to products, cart, favorites and every inventory chunk, and echoes it', async () => {
    const bff = await start()
    bff.fakes.productCount = 250
    const { response } = await getPage(bff, { 'x-request-id': 'page-load-7f3a' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['x-request-id']).toBe('page-load-7f3a')
    const seen = [bff.fakes.products, bff.fakes.cart, bff.fakes.favorites, bff.fakes.inventory].flatMap((fake) => fake.requests)
    expect(seen).toHaveLength(6)
    expect(seen.map((request) => request.headers['x-request-id'])).toEqual(Array.from({ length: 6 }, () => 'page-load-7f3a'))
    expect(bff.fakes.inventory.requests.map((request) => idsOf(request.url).length).sort((a, b) => a - b)).toEqual([50, 100, 100])
  })
})
