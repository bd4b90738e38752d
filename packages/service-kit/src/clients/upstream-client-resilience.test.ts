import { CircuitOpenError, Deadline, RetryBudget, TimeoutError } from '@storefront/resilience'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { failure } from './test-support/failure.js'
import { FaultServer, json } from './test-support/fault-server.js'
import type { UpstreamClientOptions } from './upstream-client-options.js'
import { UpstreamClient } from './upstream-client.js'

let server: FaultServer
const clients: UpstreamClient[] = []

function client(options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const made = new UpstreamClient({ name: 'cart', url: server.url, token: 'test-service-token-123', retry: { intervalMs: 1 }, ...options })
  clients.push(made)
  return made
}

const anything = (value: unknown): unknown => value

/** Answers `failures` times with `status`, then 200. */
function failThenSucceed(failures: number, status: number, headers: Record<string, string> = {}): void {
  let seen = 0
  server.handle((_req, res) => {
    seen++
    if (seen <= failures) {
      json(res, status, { title: 'failing' }, headers)
    } else {
      json(res, 200, [])
    }
  })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

beforeEach(async () => {
  server = await FaultServer.start()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((made) => made.close()))
  await server.close()
})

describe('UpstreamClient retries', () => {
  it('retries a GET after a 503 and returns the second answer', async () => {
    failThenSucceed(1, 503)
    const response = await client().get('/users/1/cart', { deadline: Deadline.after(1000), parse: anything })
    expect(response.status).toBe(200)
    expect(server.calls).toBe(2)
  })

  it('sends the budget left at each attempt, not the one at the start', async () => {
    server.handle((_req, res) => {
      // Answer the first attempt late, so the second one starts with less budget.
      if (server.calls === 1) {
        setTimeout(() => { json(res, 503, {}) }, 60)
      } else {
        json(res, 200, [])
      }
    })
    await client().get('/users/1/cart', { deadline: Deadline.after(1000), parse: anything })
    const [first, second] = server.requests.map((seen) => Number(seen.headers['x-request-timeout-ms']))
    expect(first).toBeGreaterThan(950)
    expect(second).toBeLessThanOrEqual(first! - 55)
  })

  it('retries PUT and DELETE, which are idempotent', async () => {
    failThenSucceed(1, 500)
    await client().send('DELETE', '/users/1/cart/items/2', { deadline: Deadline.after(1000) })
    failThenSucceed(1, 502)
    await client().send('PUT', '/users/1/favorites/2', { deadline: Deadline.after(1000) })
    expect(server.requests.map((seen) => seen.method)).toEqual(['DELETE', 'DELETE', 'PUT', 'PUT'])
  })

  it('never retries a POST without an idempotency key, and carries Retry-After on the error', async () => {
    failThenSucceed(5, 503, { 'retry-after': '7' })
    const error = await failure(client().send('POST', '/users/1/cart/items', { deadline: Deadline.after(1000), body: { product_id: 1 } }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_STATUS', status: 503, retryAfterMs: 7000 })
    expect(server.calls).toBe(1)
  })

  it('retries a POST that carries an idempotency key, with the same key each time', async () => {
    failThenSucceed(1, 503)
    const response = await client().send('POST', '/users/1/cart/items', {
      deadline: Deadline.after(1000),
      body: { product_id: 1 },
      idempotencyKey: 'add-1',
      parse: anything,
    })
    expect(response.status).toBe(200)
    expect(server.requests.map((seen) => seen.headers['idempotency-key'])).toEqual(['add-1', 'add-1'])
  })

  it.each([400, 404, 409, 429])('never retries a %i', async (status) => {
    failThenSucceed(5, status, { 'retry-after': '1' })
    const error = await failure(client().get('/users/1/cart', { deadline: Deadline.after(1000), parse: anything }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_STATUS', status })
    expect(server.calls).toBe(1)
  })

  it('does not sleep past the deadline for a Retry-After longer than what is left', async () => {
    failThenSucceed(5, 503, { 'retry-after': '1' })
    const startedAt = performance.now()
    const error = await failure(client().get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_STATUS', status: 503, retryAfterMs: 1000 })
    expect(performance.now() - startedAt).toBeLessThan(100)
    expect(server.calls).toBe(1)
  })

  it('stops retrying at the deadline', async () => {
    server.handle((_req, res) => { setTimeout(() => { json(res, 500, {}) }, 80) })
    const startedAt = performance.now()
    const error = await failure(client({ retry: { maxAttempts: 10, intervalMs: 1 } }).get('/users/1/cart', { deadline: Deadline.after(200), parse: anything }))
    const elapsed = performance.now() - startedAt
    expect(error).toBeInstanceOf(TimeoutError)
    expect(elapsed).toBeGreaterThanOrEqual(190)
    expect(elapsed).toBeLessThan(250)
    // Attempts of ~80 ms each: the third is cut off by the deadline, and no fourth starts.
    expect(server.calls).toBeGreaterThanOrEqual(2)
    expect(server.calls).toBeLessThanOrEqual(3)
  })

  it('caps retries during an outage with the shared retry budget', async () => {
    server.handle((_req, res) => { json(res, 503, {}) })
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0, windowMs: 10_000 })
    const made = client({ retryBudget: budget, breaker: { maxFailures: Infinity } })
    const calls = Array.from({ length: 30 }, () => failure(made.get('/users/1/cart', { deadline: Deadline.after(2000), parse: anything })))
    const errors = await Promise.all(calls)
    expect(errors.every((error) => (error as { status?: number }).status === 503)).toBe(true)
    // 30 requests at ratio 0.1 allow 3 retries; without the budget it would be 60.
    expect(server.calls).toBeGreaterThanOrEqual(30)
    expect(server.calls).toBeLessThanOrEqual(33)
    expect(made.retryBudgetStats).toMatchObject({ requests: 30, retries: server.calls - 30 })
  })
})

describe('UpstreamClient circuit breaker', () => {
  it('opens after repeated failures, then fails fast without calling the server', async () => {
    server.handle((_req, res) => { json(res, 500, {}) })
    const made = client({ retry: { maxAttempts: 1 }, breaker: { maxFailures: 3, resetIntervalMs: 200 } })
    for (let i = 0; i < 3; i++) {
      await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    }
    expect(made.breaker.state).toBe('open')
    const startedAt = performance.now()
    const error = await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    expect(performance.now() - startedAt).toBeLessThan(5)
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect(server.calls).toBe(3)
  })

  it('half-opens after resetIntervalMs and closes when the server has recovered', async () => {
    server.handle((_req, res) => { json(res, 503, {}) })
    const made = client({ retry: { maxAttempts: 1 }, breaker: { maxFailures: 2, resetIntervalMs: 200 } })
    await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    expect(made.breaker.state).toBe('open')
    server.handle((_req, res) => { json(res, 200, []) })
    await sleep(100)
    await expect(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything })).rejects.toBeInstanceOf(CircuitOpenError)
    await sleep(120)
    expect(made.breaker.state).toBe('half-open')
    const response = await made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything })
    expect(response.status).toBe(200)
    expect(made.breaker.state).toBe('closed')
    expect(server.calls).toBe(3)
  })

  it('reopens when the half-open probe fails', async () => {
    server.handle((_req, res) => { json(res, 500, {}) })
    const made = client({ retry: { maxAttempts: 1 }, breaker: { maxFailures: 1, resetIntervalMs: 100 } })
    await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    await sleep(110)
    await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    expect(made.breaker.state).toBe('open')
    expect(server.calls).toBe(2)
  })

  it('counts malformed bodies and misses of its own deadline as failures, but not 4xx answers', async () => {
    const made = client({ retry: { maxAttempts: 1 }, breaker: { maxFailures: 3 } })
    server.handle((_req, res) => { json(res, 404, {}) })
    for (let i = 0; i < 5; i++) {
      await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    }
    expect(made.breaker.state).toBe('closed')
    server.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{oops') })
    await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    expect(made.breaker.state).toBe('closed')
    server.handle(() => {})
    await expect(made.get('/users/1/cart', { deadline: Deadline.after(5000), ownDeadline: Deadline.after(50), parse: anything })).rejects.toBeInstanceOf(TimeoutError)
    expect(made.breaker.state).toBe('open')
  })

  it('stops retrying as soon as the breaker opens', async () => {
    server.handle((_req, res) => { json(res, 503, {}) })
    const made = client({ retry: { maxAttempts: 5, intervalMs: 1 }, breaker: { maxFailures: 2 } })
    const error = await failure(made.get('/users/1/cart', { deadline: Deadline.after(1000), parse: anything }))
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect(server.calls).toBe(2)
  })

  it('names the breaker after the downstream and exposes its stats', async () => {
    server.handle((_req, res) => { json(res, 500, {}) })
    const made = client({ retry: { maxAttempts: 1 } })
    await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: anything }))
    expect(made.breaker.name).toBe('cart')
    expect(made.breaker.stats).toMatchObject({ state: 'closed', totalFailures: 1 })
  })
})

describe('UpstreamClient: what the breaker counts', () => {
  /** Never answers; the call must be ended by a budget or the caller. */
  const hang = (): void => {
    server.handle(() => undefined)
  }

  it('does not count a call ended by the caller\'s shorter deadline', async () => {
    hang()
    const cart = client({ breaker: { maxFailures: 2 } })
    for (let index = 0; index < 4; index++) {
      const error = await failure(cart.get('/users/1/cart', { deadline: Deadline.after(20), ownDeadline: Deadline.after(1000), parse: anything }))
      expect(error).toBeInstanceOf(TimeoutError)
    }
    expect(cart.breaker.state).toBe('closed')
    expect(cart.breaker.stats.failures).toBe(0)
  })

  it('counts a call ended by the downstream\'s own deadline, with the caller\'s longer', async () => {
    hang()
    const cart = client({ breaker: { maxFailures: 2 } })
    for (let index = 0; index < 2; index++) {
      const error = await failure(cart.get('/users/1/cart', { deadline: Deadline.after(5000), ownDeadline: Deadline.after(20), parse: anything }))
      expect(error).toBeInstanceOf(TimeoutError)
    }
    expect(cart.breaker.state).toBe('open')
    expect(await failure(cart.get('/users/1/cart', { deadline: Deadline.after(5000), ownDeadline: Deadline.after(20), parse: anything }))).toBeInstanceOf(CircuitOpenError)
  })

  it('sends the tighter budget downstream', async () => {
    server.handle((_req, res) => { json(res, 200, []) })
    const cart = client()
    await cart.get('/users/1/cart', { deadline: Deadline.after(5000), ownDeadline: Deadline.after(300), parse: anything })
    await cart.get('/users/1/cart', { deadline: Deadline.after(200), ownDeadline: Deadline.after(3000), parse: anything })
    const [own, caller] = server.requests.map((seen) => Number(seen.headers['x-request-timeout-ms']))
    expect(own).toBeGreaterThan(250)
    expect(own).toBeLessThanOrEqual(300)
    expect(caller).toBeGreaterThan(150)
    expect(caller).toBeLessThanOrEqual(200)
  })

  it('does not count, nor retry, a 504 answered to the caller\'s budget', async () => {
    server.handle((_req, res) => { json(res, 504, { title: 'Gateway Timeout' }) })
    const cart = client({ breaker: { maxFailures: 2 } })
    for (let index = 0; index < 3; index++) {
      await failure(cart.get('/users/1/cart', { deadline: Deadline.after(100), ownDeadline: Deadline.after(1000), parse: anything }))
    }
    expect(server.calls).toBe(3)
    expect(cart.breaker.stats.failures).toBe(0)
  })

  it('counts a 504 answered to its own budget', async () => {
    server.handle((_req, res) => { json(res, 504, { title: 'Gateway Timeout' }) })
    const cart = client({ breaker: { maxFailures: 2 }, retry: { maxAttempts: 1 } })
    for (let index = 0; index < 2; index++) {
      await failure(cart.get('/users/1/cart', { deadline: Deadline.after(5000), ownDeadline: Deadline.after(1000), parse: anything }))
    }
    expect(cart.breaker.state).toBe('open')
  })

  it('does not count a call the caller aborts, even when no deadline is near', async () => {
    hang()
    const cart = client({ breaker: { maxFailures: 2 } })
    for (let index = 0; index < 3; index++) {
      const controller = new AbortController()
      const call = cart.get('/users/1/cart', { deadline: Deadline.after(5000), ownDeadline: Deadline.after(5000), signal: controller.signal, parse: anything })
      setTimeout(() => { controller.abort(new Error('client gone')) }, 10)
      expect(await failure(call)).toMatchObject({ message: 'client gone' })
    }
    expect(cart.breaker.stats.failures).toBe(0)
  })
})
