import { describe, expect, it } from 'vitest'

import type { SeenRequest } from '../fakes.js'
import { type BffHarness, bffPerTest, eventually } from '../helper.js'

/**
 * A caller's budget is the caller's business: pages cut short by the caller's own
 * `x-request-timeout-ms` (or by the caller going away) never count against a downstream's breaker,
 * so no client can open a breaker for every shopper by sending tiny budgets. Only the downstream's
 * own failures count, a miss of its own timeout among them.
 */

const start = bffPerTest()

/** More tiny-budget pages than the breaker's default threshold of 5 failures. */
const ATTACK_PAGES = 8

interface BreakerView {
  readonly state: string
  readonly stats: { readonly failures: number }
}

async function breakers(bff: BffHarness): Promise<Record<string, BreakerView>> {
  const response = await bff.app.inject({ method: 'GET', url: '/ops/breakers' })
  expect(response.statusCode).toBe(200)
  return response.json<{ breakers: Record<string, BreakerView> }>().breakers
}

/** A downstream that keeps the contract on budgets: a budget it cannot meet is a 504 at once. */
function honoursBudget(minimumMs: number) {
  return (request: SeenRequest) => {
    const budget = Number(request.headers['x-request-timeout-ms'])
    return budget < minimumMs ? { status: 504, body: { type: 'about:blank', title: 'Gateway Timeout', status: 504, detail: 'budget spent' } } : { delayMs: 5 }
  }
}

describe('tiny caller budgets', () => {
  it(`leave the products breaker closed: ${ATTACK_PAGES} pages with x-request-timeout-ms 1 are 504s, the next ordinary page is 200`, async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 30 })
    for (let index = 0; index < ATTACK_PAGES; index++) {
      const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { 'x-request-timeout-ms': '1' } })
      expect(page.statusCode).toBe(504)
    }
    const after = await breakers(bff)
    expect(after.products).toMatchObject({ state: 'closed', stats: { failures: 0 } })
    const page = await bff.app.inject({ method: 'GET', url: '/products/all' })
    expect(page.statusCode).toBe(200)
    expect(page.json()).toMatchObject({ degraded: [] })
  })

  it('leave the products breaker closed when products answers 504 because the budget it was sent is spent', async () => {
    const bff = await start()
    bff.fakes.products.behave = honoursBudget(50)
    for (let index = 0; index < ATTACK_PAGES; index++) {
      const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { 'x-request-timeout-ms': '40' } })
      expect(page.statusCode).toBeGreaterThanOrEqual(500)
    }
    expect((await breakers(bff)).products).toMatchObject({ state: 'closed', stats: { failures: 0 } })
    expect((await bff.app.inject({ method: 'GET', url: '/products/all' })).statusCode).toBe(200)
  })

  it('leave the cart and favorites breakers closed: the next ordinary page of a signed-in user has both', async () => {
    const bff = await start()
    const headers = await bff.signIn(1)
    // Slower than the caller's budget, well within the page's own window of 300 ms.
    bff.fakes.cart.behave = () => ({ delayMs: 200 })
    bff.fakes.favorites.behave = () => ({ delayMs: 200 })
    for (let index = 0; index < ATTACK_PAGES; index++) {
      // The caller's budget runs out before cart and favorites answer: the contract's 504.
      const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { ...headers, 'x-request-timeout-ms': '120' } })
      expect(page.statusCode).toBe(504)
    }
    const after = await breakers(bff)
    expect(after.cart).toMatchObject({ state: 'closed', stats: { failures: 0 } })
    expect(after.favorites).toMatchObject({ state: 'closed', stats: { failures: 0 } })
    const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers })
    expect(page.statusCode).toBe(200)
    expect(page.json()).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: [] })
  })

  it('leave the cart and favorites breakers closed when they answer 504 for the budget they were sent', async () => {
    const bff = await start()
    const headers = await bff.signIn(1)
    bff.fakes.cart.behave = honoursBudget(100)
    bff.fakes.favorites.behave = honoursBudget(100)
    for (let index = 0; index < ATTACK_PAGES; index++) {
      const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { ...headers, 'x-request-timeout-ms': '80' } })
      expect(page.statusCode).toBe(200)
    }
    const after = await breakers(bff)
    expect(after.cart).toMatchObject({ state: 'closed', stats: { failures: 0 } })
    expect(after.favorites).toMatchObject({ state: 'closed', stats: { failures: 0 } })
    expect((await bff.app.inject({ method: 'GET', url: '/products/all', headers })).json()).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: [] })
  })

  it('leave the products breaker closed when the caller goes away before products answers', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 200 })
    const origin = await bff.app.listen({ host: '127.0.0.1', port: 0 })
    for (let index = 0; index < ATTACK_PAGES; index++) {
      await fetch(`${origin}/products/all`, { signal: AbortSignal.timeout(20) }).catch(() => undefined)
    }
    // On a busy machine a caller may give up before its page reached products at all: what must
    // hold is that every call products did get was cut off, and that none counted.
    const calls = () => bff.fakes.products.requests
    expect(await eventually(() => calls().length > 0 && calls().every((request) => request.closedEarly), 2000)).toBe(true)
    expect(calls().length).toBeLessThanOrEqual(ATTACK_PAGES)
    expect((await breakers(bff)).products).toMatchObject({ state: 'closed', stats: { failures: 0 } })
  })
})

describe('the downstream\'s own failures still count', () => {
  it('opens the products breaker after 5 misses of PRODUCTS_TIMEOUT_MS, even with a longer caller budget', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ hang: true })
    for (let index = 0; index < 5; index++) {
      const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers: { 'x-request-timeout-ms': '5000' } })
      expect(page.statusCode).toBe(504)
    }
    expect((await breakers(bff)).products).toMatchObject({ state: 'open' })
    expect((await bff.app.inject({ method: 'GET', url: '/products/all' })).statusCode).toBe(503)
  })

  it('opens the cart breaker after 5 misses of the page window by cart', async () => {
    const bff = await start()
    const headers = await bff.signIn(1)
    bff.fakes.cart.behave = () => ({ hang: true })
    for (let index = 0; index < 5; index++) {
      const page = await bff.app.inject({ method: 'GET', url: '/products/all', headers })
      expect(page.json()).toMatchObject({ degraded: ['cart'], degraded_reasons: { cart: 'timeout' } })
    }
    expect((await breakers(bff)).cart).toMatchObject({ state: 'open' })
  })
})
