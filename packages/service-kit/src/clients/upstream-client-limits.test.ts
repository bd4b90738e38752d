import { Deadline, LimitExceededError, ThrottledError } from '@storefront/resilience'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { failure } from './test-support/failure.js'
import { FaultServer, json } from './test-support/fault-server.js'
import type { UpstreamClientOptions } from './upstream-client-options.js'
import { UpstreamClient } from './upstream-client.js'

let server: FaultServer
const clients: UpstreamClient[] = []

/** A client whose breaker never opens and that never retries: the throttle and the limit alone act. */
function client(options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const made = new UpstreamClient({
    name: 'cart',
    url: server.url,
    token: 'test-service-token-123',
    breaker: { maxFailures: Infinity },
    retry: { maxAttempts: 1 },
    ...options,
  })
  clients.push(made)
  return made
}

const anything = (value: unknown): unknown => value

/** Makes `count` calls one after another and returns how each failed (`undefined` for a success). */
async function sequentialCalls(made: UpstreamClient, count: number): Promise<unknown[]> {
  const errors: unknown[] = []
  for (let index = 0; index < count; index++) {
    errors.push(await made.get('/users/1/cart', { deadline: Deadline.after(1000), parse: anything }).then(() => undefined, (error: unknown) => error))
  }
  return errors
}

beforeEach(async () => {
  server = await FaultServer.start()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((made) => made.close()))
  await server.close()
})

describe('UpstreamClient throttle', () => {
  it('refuses calls locally once a downstream failing everything passes minRequests: the server sees about minRequests of 400 calls', async () => {
    server.handle((_req, res) => { json(res, 503, { title: 'down' }) })
    const made = client({ throttle: { minRequests: 20 } })
    const errors = await sequentialCalls(made, 400)
    const refused = errors.filter((error) => error instanceof ThrottledError).length
    // No accepts: k × accepts is 0, so past the floor only the (1 - probability) leak gets through,
    // about ln(400 / 20) ≈ 3 calls.
    expect(server.calls).toBeGreaterThanOrEqual(20)
    expect(server.calls).toBeLessThanOrEqual(35)
    expect(refused).toBe(400 - server.calls)
    expect(made.throttleStats).toMatchObject({ requests: 400, accepts: 0 })
    expect(made.throttleStats?.probability).toBeGreaterThan(0.9)
  })

  it('never refuses while the downstream accepts more than one call in k: failing one call in four, all 400 reach it', async () => {
    server.handle((_req, res) => {
      json(res, server.calls % 4 === 0 ? 503 : 200, [])
    })
    const made = client({ throttle: { minRequests: 20 } })
    const errors = await sequentialCalls(made, 400)
    expect(errors.some((error) => error instanceof ThrottledError)).toBe(false)
    expect(server.calls).toBe(400)
    expect(made.throttleStats).toMatchObject({ requests: 400, accepts: 300, probability: 0 })
  })

  it('counts a 4xx answer as accepted: a downstream that answers 404 to everything is never throttled', async () => {
    server.handle((_req, res) => { json(res, 404, { title: 'none' }) })
    const made = client({ throttle: { minRequests: 20 } })
    const errors = await sequentialCalls(made, 100)
    expect(errors.some((error) => error instanceof ThrottledError)).toBe(false)
    expect(server.calls).toBe(100)
    expect(made.throttleStats).toMatchObject({ requests: 100, accepts: 100, probability: 0 })
  })

  it('does not count the caller\'s abort: calls the caller gives up on are neither requests nor failures', async () => {
    server.handle(() => {
      // Never answers: only the caller's abort ends the call.
    })
    const made = client({ throttle: { minRequests: 0 } })
    for (let index = 0; index < 5; index++) {
      const controller = new AbortController()
      const call = made.get('/users/1/cart', { deadline: Deadline.after(5000), parse: anything, signal: controller.signal })
      const reason = new Error('client went away')
      setTimeout(() => { controller.abort(reason) }, 5)
      expect(await failure(call)).toBe(reason)
    }
    expect(made.throttleStats).toMatchObject({ requests: 0, accepts: 0, probability: 0 })
  })

  it('changes nothing with the defaults for a quiet client: a few failures never refuse the next call', async () => {
    let failing = true
    server.handle((_req, res) => { json(res, failing ? 503 : 200, []) })
    const made = client()
    await sequentialCalls(made, 10)
    failing = false
    const errors = await sequentialCalls(made, 10)
    expect(errors.every((error) => error === undefined)).toBe(true)
    expect(server.calls).toBe(20)
  })
})

describe('UpstreamClient concurrency limit', () => {
  it('refuses calls past the limit at once with LimitExceededError, without reaching the server or the breaker', async () => {
    server.handle((_req, res) => {
      setTimeout(() => { json(res, 200, []) }, 150)
    })
    const made = client({ concurrency: { initial: 5, min: 5, max: 5 }, retry: { maxAttempts: 3 } })
    expect([made.limit, made.inflight]).toEqual([5, 0])
    const calls = Array.from({ length: 12 }, () => made.get('/users/1/cart', { deadline: Deadline.after(2000), parse: anything }).then(() => undefined, (error: unknown) => error))
    // The refusals are immediate; the five admitted calls are still waiting for the slow server.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(made.inflight).toBe(5)
    const errors = await Promise.all(calls)
    const refused = errors.filter((error) => error instanceof LimitExceededError)
    expect(refused).toHaveLength(7)
    expect(errors.filter((error) => error === undefined)).toHaveLength(5)
    expect((refused[0] as LimitExceededError).limit).toBe(5)
    // Not retried and not a failure of the downstream.
    expect(server.calls).toBe(5)
    expect(made.breaker.stats.failures).toBe(0)
    expect(made.inflight).toBe(0)
  })

  it('runs without a limit when concurrency is false', async () => {
    const made = client({ concurrency: false, throttle: false })
    expect([made.limit, made.inflight, made.throttleStats]).toEqual([undefined, undefined, undefined])
    await made.get('/users/1/cart', { deadline: Deadline.after(1000), parse: anything })
    expect(server.calls).toBe(1)
  })
})
