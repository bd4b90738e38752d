import { afterEach, describe, expect, it } from 'vitest'

import { type Gate, startGate } from '../fakes.js'
import { type BffHarness, PRODUCTION_BUDGETS, listenOnLoopback, median, startBff, timeUntil, timed } from '../helper.js'

/**
 * The products breaker through a whole outage: failures open it, an open circuit answers 503 with
 * retry-after at once without calling products, after resetIntervalMs one probe (and only one)
 * goes to products, and a probe that succeeds closes it again. For both kinds of outage: products
 * answering 500, and nothing listening where products should be.
 */

/** Three failures open the circuit; a probe is let through 1000 ms later. */
const RESET_INTERVAL_MS = 1000
const breakerOf = (resetIntervalMs: number) => ({ maxFailures: 3, windowMs: 10_000, resetIntervalMs })

/** 503s timed per round, the rounds allowed, and the limits on a round's median and on each 503. */
const ROUND_SIZE = 20
const ROUNDS = 3
const MEDIAN_LIMIT_MS = 5
const EACH_LIMIT_MS = 20

let harness: BffHarness | undefined
let gate: Gate | undefined

afterEach(async () => {
  await harness?.close()
  await gate?.close()
  harness = undefined
  gate = undefined
})

interface Running {
  readonly bff: BffHarness
  readonly origin: string
  readonly headers: Record<string, string>
}

/** A BFF whose products breaker opens after 3 failures, listening on loopback, and user 1's headers. */
async function start(overrides: Record<string, string> = {}, resetIntervalMs = RESET_INTERVAL_MS): Promise<Running> {
  const bff = await startBff({ ...PRODUCTION_BUDGETS, ...overrides }, { clients: { products: { breaker: breakerOf(resetIntervalMs) } } })
  harness = bff
  return { bff, origin: await listenOnLoopback(bff.app), headers: await bff.signIn(1) }
}

/** `GET /products/all` (or `path`) over a real connection, body read, with when it started and ended. */
async function fetchPage(running: Running, path = '/products/all') {
  const { value, elapsedMs, startedAt, lagMs } = await timed(async () => {
    const response = await fetch(`${running.origin}${path}`, { headers: running.headers })
    return { status: response.status, headers: response.headers, body: await response.json() as Record<string, unknown> }
  })
  return { ...value, elapsedMs, startedAt, lagMs, answeredAt: startedAt + elapsedMs }
}

interface BreakerView {
  readonly state: string
  readonly stats: Record<string, number>
}

async function productsBreaker(bff: BffHarness): Promise<BreakerView> {
  const response = await bff.app.inject({ method: 'GET', url: '/ops/breakers' })
  expect(response.statusCode).toBe(200)
  return response.json<{ breakers: Record<string, BreakerView> }>().breakers.products!
}

/**
 * Reads /ops/breakers every few ms until products is half-open, and checks that it became so
 * resetIntervalMs after it opened during `opening`: not before that page started, and not much
 * after it was answered. Every state read before then must be 'open'.
 */
async function expectHalfOpenAfterReset(bff: BffHarness, opening: { startedAt: number; answeredAt: number }): Promise<void> {
  const { value: halfOpen, lagMs } = await timed(async () => {
    while (performance.now() - opening.answeredAt < RESET_INTERVAL_MS + 1000) {
      const { state } = await productsBreaker(bff)
      if (state === 'half-open') {
        return true
      }
      expect(state).toBe('open')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    return false
  })
  expect(halfOpen).toBe(true)
  expect(performance.now() - opening.startedAt).toBeGreaterThanOrEqual(RESET_INTERVAL_MS)
  expect(performance.now() - opening.answeredAt).toBeLessThan(RESET_INTERVAL_MS + 100 + lagMs)
}

/** While open: three pages, each a 503 with retry-after, none reaching products. */
async function expect503sWithoutCalls(running: Running, reachesProducts: () => number): Promise<void> {
  const before = reachesProducts()
  for (let index = 0; index < 3; index++) {
    const page = await fetchPage(running)
    expect(page.status).toBe(503)
    expect(page.body).toMatchObject({ status: 503, code: 'SVC_ERR_UPSTREAM_UNAVAILABLE' })
    // Whole seconds, rounded up from what is left of the 1000 ms.
    expect(page.headers.get('retry-after')).toBe('1')
  }
  expect(reachesProducts()).toBe(before)
}

/**
 * A BFF whose products breaker opened on a 500 and is now half-open, with products back but
 * answering in 200 ms (so concurrent pages overlap the probe), and products' request count so far.
 */
async function halfOpenWithSlowProducts() {
  const running = await start()
  const { bff } = running
  const products = bff.fakes.products
  products.behave = () => ({ status: 500 })
  const failed = await fetchPage(running)
  expect(failed.status).toBe(502)
  await expectHalfOpenAfterReset(bff, failed)
  const before = products.requests.length
  products.behave = () => ({ delayMs: 200 })
  return { running, bff, products, before }
}

describe('the products breaker when products answers 500', () => {
  it('opens after maxFailures, answers 503 with retry-after without calling products, probes once after resetIntervalMs, and closes when products is back', async () => {
    const running = await start()
    const { bff } = running
    const products = bff.fakes.products
    expect((await productsBreaker(bff)).state).toBe('closed')
    expect((await fetchPage(running)).status).toBe(200)
    expect(products.requests).toHaveLength(1)

    products.behave = () => ({ status: 500 })
    // One page: the first call and its two retries, the third failure opening the circuit.
    const failed = await fetchPage(running)
    expect(failed.status).toBe(502)
    expect(products.requests).toHaveLength(4)
    expect(await productsBreaker(bff)).toMatchObject({ state: 'open', stats: { failures: 3 } })

    await expect503sWithoutCalls(running, () => products.requests.length)
    expect(performance.now() - failed.answeredAt).toBeLessThan(RESET_INTERVAL_MS)
    expect((await productsBreaker(bff)).state).toBe('open')

    // The circuit opened while the failed page was being answered.
    await expectHalfOpenAfterReset(bff, failed)

    products.behave = () => ({})
    const recovered = await fetchPage(running)
    expect(recovered.status).toBe(200)
    expect(recovered.body).toMatchObject({ cart_items: 2, favorite_items: 3, degraded: [] })
    // The probe: exactly one more call reached products.
    expect(products.requests).toHaveLength(5)
    expect((await productsBreaker(bff)).state).toBe('closed')
    expect((await fetchPage(running)).status).toBe(200)
    expect(products.requests).toHaveLength(6)
  })

  it('sends one probe when products is still failing, opens again for another resetIntervalMs, and closes on the next good probe', async () => {
    const running = await start()
    const { bff } = running
    const products = bff.fakes.products
    products.behave = () => ({ status: 500 })
    const failed = await fetchPage(running)
    expect(failed.status).toBe(502)
    expect(products.requests).toHaveLength(3)
    await expectHalfOpenAfterReset(bff, failed)

    const probe = await fetchPage(running)
    // The probe failed and reopened the circuit; its retry met the open circuit.
    expect([502, 503]).toContain(probe.status)
    expect(products.requests).toHaveLength(4)
    expect((await productsBreaker(bff)).state).toBe('open')
    await expect503sWithoutCalls(running, () => products.requests.length)

    products.behave = () => ({})
    await expectHalfOpenAfterReset(bff, probe)
    expect((await fetchPage(running)).status).toBe(200)
    expect(products.requests).toHaveLength(5)
    expect((await productsBreaker(bff)).state).toBe('closed')
  })

  it('lets exactly one of five concurrent pages probe products when half-open; the others answer 503 at once', async () => {
    const { running, bff, products, before } = await halfOpenWithSlowProducts()
    // Five different pages, so that no two share a products call (identical ones would, below).
    const pages = await Promise.all([1, 2, 3, 4, 5].map((limit) => fetchPage(running, `/products/all?limit=${limit}`)))
    expect(products.requests.length - before).toBe(1)
    const statuses = pages.map((page) => page.status).sort((a, b) => a - b)
    expect(statuses).toEqual([200, 503, 503, 503, 503])
    for (const page of pages.filter((each) => each.status === 503)) {
      expect(page.elapsedMs).toBeLessThan(100 + page.lagMs)
    }
    expect((await productsBreaker(bff)).state).toBe('closed')
  })

  it('lets five concurrent identical pages share the one probe when half-open, and all five answer 200', async () => {
    const { running, bff, products, before } = await halfOpenWithSlowProducts()
    const pages = await Promise.all(Array.from({ length: 5 }, () => fetchPage(running)))
    expect(products.requests.length - before).toBe(1)
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200, 200])
    expect((await productsBreaker(bff)).state).toBe('closed')
  })
})

describe('the products breaker when nothing listens where products should be', () => {
  it('opens after maxFailures refused connections, answers 503 with retry-after without connecting, probes once after resetIntervalMs, and closes when products listens again', async () => {
    let fakeUrl = ''
    gate = await startGate(() => fakeUrl)
    const running = await start({ PRODUCTS_URL: gate.url })
    const { bff } = running
    fakeUrl = bff.fakes.products.url
    const products = bff.fakes.products
    expect((await fetchPage(running)).status).toBe(200)
    expect(products.requests).toHaveLength(1)

    await gate.shut()
    const failed = await fetchPage(running)
    expect(failed.status).toBe(502)
    expect(failed.body).toMatchObject({ code: 'SVC_ERR_UPSTREAM_FAILED' })
    expect(await productsBreaker(bff)).toMatchObject({ state: 'open', stats: { failures: 3 } })

    const acceptedWhileOpen = gate.accepted
    await gate.open()
    // Open: refused by the BFF itself, so not even a connection reaches the (listening again) port.
    await expect503sWithoutCalls(running, () => gate!.accepted + products.requests.length)
    expect(gate.accepted).toBe(acceptedWhileOpen)
    expect(products.requests).toHaveLength(1)
    expect(performance.now() - failed.answeredAt).toBeLessThan(RESET_INTERVAL_MS)

    await expectHalfOpenAfterReset(bff, failed)
    const recovered = await fetchPage(running)
    expect(recovered.status).toBe(200)
    expect(products.requests).toHaveLength(2)
    expect((await productsBreaker(bff)).state).toBe('closed')
  })
})

describe('the 503 of an open products circuit', () => {
  /**
   * Opens the products circuit the given way and leaves it open for a minute; afterwards a call
   * reaching products, even a bare connection, would be counted by the returned function.
   */
  const outages = {
    'products answering 500': async (running: Running): Promise<() => number> => {
      const products = running.bff.fakes.products
      products.behave = () => ({ status: 500 })
      expect((await fetchPage(running)).status).toBe(502)
      products.behave = () => ({})
      return () => products.requests.length
    },
    'nothing listening where products should be': async (running: Running): Promise<() => number> => {
      const products = running.bff.fakes.products
      await gate!.shut()
      expect((await fetchPage(running)).status).toBe(502)
      await gate!.open()
      return () => gate!.accepted + products.requests.length
    },
  }

  it.each(Object.keys(outages) as (keyof typeof outages)[])('comes in under 5 ms (median of 20, each under 20 ms) without calling products or waiting for a hanging cart and favorites, with %s', async (outage) => {
    let fakeUrl = ''
    gate = await startGate(() => fakeUrl)
    const running = await start({ PRODUCTS_URL: gate.url }, 60_000)
    const { bff } = running
    fakeUrl = bff.fakes.products.url
    expect((await fetchPage(running)).status).toBe(200)
    const reachesProducts = await outages[outage](running)
    expect((await productsBreaker(bff)).state).toBe('open')
    // A page that waited for the optional parts would take their whole 1000 ms window.
    bff.fakes.cart.behave = () => ({ hang: true })
    bff.fakes.favorites.behave = () => ({ hang: true })
    const before = reachesProducts()
    const optionalBefore = { cart: bff.fakes.cart.requests.length, favorites: bff.fakes.favorites.requests.length }

    // A round can catch a pause of the whole process (a collection, a neighbour on the core); a
    // BFF that waits for anything on this path fails every round.
    const rounds: { median: number; max: number }[] = []
    for (let round = 0; round < ROUNDS && !rounds.some((each) => each.median < MEDIAN_LIMIT_MS && each.max < EACH_LIMIT_MS); round++) {
      const times: number[] = []
      for (let index = 0; index < ROUND_SIZE; index++) {
        const { value: response, elapsedMs } = await timed(() => bff.app.inject({ method: 'GET', url: '/products/all', headers: running.headers }))
        expect(response.statusCode).toBe(503)
        expect(response.json()).toMatchObject({ status: 503, code: 'SVC_ERR_UPSTREAM_UNAVAILABLE' })
        const retryAfter = Number(response.headers['retry-after'])
        expect(retryAfter).toBeGreaterThanOrEqual(59)
        expect(retryAfter).toBeLessThanOrEqual(60)
        times.push(elapsedMs)
      }
      rounds.push({ median: median(times), max: Math.max(...times) })
    }
    expect(reachesProducts()).toBe(before)
    expect(rounds.find((each) => each.median < MEDIAN_LIMIT_MS && each.max < EACH_LIMIT_MS), JSON.stringify(rounds)).toBeDefined()
    // The cart and favorites calls the pages started (those that got as far as the fakes) were closed with them.
    const optional = [...bff.fakes.cart.requests.slice(optionalBefore.cart), ...bff.fakes.favorites.requests.slice(optionalBefore.favorites)]
    expect(await timeUntil(() => optional.every((request) => request.closedEarly), 200)).toBeDefined()
  })
})
