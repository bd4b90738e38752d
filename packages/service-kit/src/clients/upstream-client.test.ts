import { Deadline, TimeoutError } from '@storefront/resilience'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { failure } from './test-support/failure.js'
import { FaultServer, closedPortUrl, json } from './test-support/fault-server.js'
import type { UpstreamClientOptions, UpstreamOutcomeEvent } from './upstream-client-options.js'
import { UpstreamClient } from './upstream-client.js'
import { UpstreamError } from './upstream-error.js'

interface Stock {
  readonly inventory: number
}

/** A validator as callers write them: throws on a wrong shape. */
function parseStock(value: unknown): Stock {
  if (typeof value !== 'object' || value === null || typeof (value as { inventory?: unknown }).inventory !== 'number') {
    throw new TypeError('not a stock record')
  }
  return value as Stock
}

const TOKEN = 'test-service-token-123'
let server: FaultServer
const clients: UpstreamClient[] = []

function client(options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const made = new UpstreamClient({ name: 'inventory', url: server.url, token: TOKEN, ...options })
  clients.push(made)
  return made
}

beforeEach(async () => {
  server = await FaultServer.start()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((made) => made.close()))
  await server.close()
})

describe('UpstreamClient requests', () => {
  it('sends the bearer token, request id and remaining deadline, and returns the validated body', async () => {
    server.handle((_req, res) => { json(res, 200, { inventory: 42 }) })
    const deadline = Deadline.after(500)
    const response = await client().get('/products/1/inventory', { deadline, requestId: 'req-1', parse: parseStock })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ inventory: 42 })
    const seen = server.requests[0]!
    expect(seen.url).toBe('/products/1/inventory')
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(seen.headers['x-request-id']).toBe('req-1')
    const budget = Number(seen.headers['x-request-timeout-ms'])
    expect(budget).toBeLessThanOrEqual(500)
    expect(budget).toBeGreaterThan(450)
  })

  it('sends a JSON body and the idempotency key on a POST', async () => {
    server.handle((_req, res) => { json(res, 201, { inventory: 2 }) })
    const response = await client().send('POST', '/users/1/cart/items', {
      deadline: Deadline.after(500),
      body: { product_id: 1, quantity: 2 },
      idempotencyKey: 'key-1',
      parse: parseStock,
    })
    expect(response).toMatchObject({ status: 201, body: { inventory: 2 } })
    const seen = server.requests[0]!
    expect(seen.method).toBe('POST')
    expect(seen.headers['content-type']).toBe('application/json')
    expect(seen.headers['idempotency-key']).toBe('key-1')
    expect(JSON.parse(seen.body)).toEqual({ product_id: 1, quantity: 2 })
  })

  it('returns no body for a 204 answer', async () => {
    server.handle((_req, res) => { res.writeHead(204).end() })
    const response = await client().send('PUT', '/users/1/favorites/2', { deadline: Deadline.after(500) })
    expect(response).toMatchObject({ status: 204, body: undefined })
  })

  it('treats an expected 404 as an answer: no error, no breaker failure, one call', async () => {
    server.handle((_req, res) => { json(res, 404, { type: 'about:blank', title: 'Not found', status: 404, detail: 'none' }) })
    const made = client()
    const response = await made.get('/products/9/inventory', { deadline: Deadline.after(500), parse: parseStock, expect: [200, 404] })
    expect(response).toMatchObject({ status: 404, body: undefined })
    expect(server.calls).toBe(1)
    expect(made.breaker.stats.totalFailures).toBe(0)
  })

  it('fails with UPSTREAM_ERR_STATUS carrying the status outside expect, without counting a 4xx against the breaker', async () => {
    server.handle((_req, res) => { json(res, 400, { title: 'Bad request' }) })
    const made = client()
    const error = await failure(made.get('/inventory?product_ids=x', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_STATUS', status: 400, downstream: 'inventory' })
    expect(made.breaker.stats.totalFailures).toBe(0)
  })

  it('fails with UPSTREAM_ERR_BAD_BODY when a 2xx that should carry a body has none', async () => {
    server.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end() })
    const error = await failure(client({ retry: { maxAttempts: 1 } }).getJson('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_BAD_BODY' })
    server.handle((_req, res) => { res.writeHead(204).end() })
    const noContent = await failure(client({ retry: { maxAttempts: 1 } }).get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock }))
    expect(noContent).toMatchObject({ code: 'UPSTREAM_ERR_BAD_BODY' })
  })

  it('getJson returns the validated body', async () => {
    server.handle((_req, res) => { json(res, 200, { inventory: 7 }) })
    expect(await client().getJson('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock })).toEqual({ inventory: 7 })
  })

  it('keeps the problem document of a 4xx answer, so a caller can tell one client error from another', async () => {
    server.handle((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/problem+json' })
      res.end(JSON.stringify({ type: 'about:blank', title: 'Quantity limit exceeded', status: 422, detail: 'at most 999', code: 'CART_ERR_QUANTITY_LIMIT', stack: 'never passed on' }))
    })
    const error = await failure(client().send('POST', '/users/1/cart/items', { deadline: Deadline.after(500), body: { product_id: 1 } }))
    expect((error as UpstreamError).problem).toEqual({ type: 'about:blank', title: 'Quantity limit exceeded', status: 422, detail: 'at most 999', code: 'CART_ERR_QUANTITY_LIMIT' })
  })

  it('keeps no problem from a 4xx answer that is not a problem document', async () => {
    server.handle((_req, res) => { res.writeHead(409, { 'content-type': 'text/plain' }).end('busy') })
    const error = await failure(client().send('DELETE', '/users/1/cart/items/1', { deadline: Deadline.after(500) }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_STATUS', status: 409, problem: undefined })
  })

  it('fails with UPSTREAM_ERR_CONNECT when the connection is refused', async () => {
    const made = new UpstreamClient({ name: 'cart', url: await closedPortUrl(), token: TOKEN })
    clients.push(made)
    const error = await failure(made.get('/users/1/cart', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_CONNECT', downstream: 'cart' })
    expect((error as UpstreamError).cause).toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('fails with UPSTREAM_ERR_CONNECT when the connection is reset mid-body', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
      res.write('{"inventory": 4')
      setTimeout(() => res.socket?.destroy(), 10)
    })
    const error = await failure(client({ retry: { maxAttempts: 1 } }).get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_CONNECT' })
  })
})

describe('UpstreamClient response bodies', () => {
  it('fails with UPSTREAM_ERR_BAD_BODY on malformed JSON and reuses the connection afterwards', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '8' }).end('{"invent')
    })
    // One connection, so a body that spoiled its socket would show as a second connection.
    const made = client({ connections: 1 })
    const error = await failure(made.get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_BAD_BODY' })
    expect((error as Error).cause).toBeInstanceOf(SyntaxError)
    server.handle((_req, res) => { json(res, 200, { inventory: 1 }) })
    await made.get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock })
    expect(server.calls).toBe(2)
    expect(server.connections).toBe(1)
  })

  it('fails with UPSTREAM_ERR_BAD_BODY when the validator rejects the shape, and reuses the connection', async () => {
    server.handle((_req, res) => { json(res, 200, { inventory: 'lots' }) })
    const made = client({ connections: 1 })
    const error = await failure(made.get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_BAD_BODY' })
    expect((error as Error).cause).toBeInstanceOf(TypeError)
    server.handle((_req, res) => { json(res, 200, { inventory: 1 }) })
    const response = await made.get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock })
    expect(response.body).toEqual({ inventory: 1 })
    expect(server.connections).toBe(1)
  })

  it('fails with UPSTREAM_ERR_BAD_BODY on a non-JSON content type', async () => {
    server.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>gateway</h1>') })
    const error = await failure(client().get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_BAD_BODY' })
  })

  it('cuts off a streamed body over the limit instead of buffering it, and serves the next call', async () => {
    const chunk = Buffer.alloc(128 * 1024, 0x20)
    let written = 0
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      // 2 MiB in 128 KiB steps, slowly enough that the client's limit is reached mid-stream.
      const timer = setInterval(() => {
        if (res.destroyed || written >= 2 * 1024 * 1024) {
          clearInterval(timer)
          res.end()
          return
        }
        written += chunk.length
        res.write(chunk)
      }, 5)
    })
    const made = client()
    const error = await failure(made.get('/products', { deadline: Deadline.after(2000), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_BODY_TOO_LARGE' })
    await server.requests[0]!.aborted
    expect(written).toBeLessThan(2 * 1024 * 1024)
    expect(server.calls).toBe(1)
    server.handle((_req, res) => { json(res, 200, { inventory: 1 }) })
    const response = await made.get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock })
    expect(response.body).toEqual({ inventory: 1 })
  })

  it('refuses a body whose content-length announces more than the limit before reading it', async () => {
    server.handle((_req, res) => { json(res, 200, { inventory: 1, pad: 'x'.repeat(200) }) })
    const error = await failure(client({ maxResponseBytes: 100 }).get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock }))
    expect(error).toMatchObject({ code: 'UPSTREAM_ERR_BODY_TOO_LARGE' })
    expect(server.calls).toBe(1)
  })
})

describe('UpstreamClient cancellation', () => {
  it('ends a hung call with TimeoutError at the deadline and closes the request at the server', async () => {
    server.handle(() => {})
    const startedAt = performance.now()
    const error = await failure(client().get('/products/1/inventory', { deadline: Deadline.after(200), parse: parseStock }))
    const elapsed = performance.now() - startedAt
    expect(error).toBeInstanceOf(TimeoutError)
    expect(elapsed).toBeGreaterThanOrEqual(190)
    expect(elapsed).toBeLessThan(250)
    await server.requests[0]!.aborted
    expect(server.calls).toBe(1)
  })

  it('fails with TimeoutError without calling the server when the deadline is already spent', async () => {
    const error = await failure(client().get('/products/1/inventory', { deadline: Deadline.after(0), parse: parseStock }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(server.calls).toBe(0)
  })

  it("aborts the call with the caller's reason when the caller's signal aborts", async () => {
    server.handle(() => {})
    const events: UpstreamOutcomeEvent[] = []
    const controller = new AbortController()
    const reason = new Error('client went away')
    setTimeout(() => { controller.abort(reason) }, 50)
    const startedAt = performance.now()
    const error = await failure(client({ onOutcome: (event) => events.push(event) }).get('/products/1/inventory', {
      deadline: Deadline.after(2000),
      signal: controller.signal,
      parse: parseStock,
    }))
    expect(error).toBe(reason)
    expect(performance.now() - startedAt).toBeLessThan(150)
    await server.requests[0]!.aborted
    expect(events).toMatchObject([{ outcome: 'aborted' }])
  })
})

describe('UpstreamClient outcome events', () => {
  it('reports each logical call once, with the route label, last status and duration', async () => {
    let calls = 0
    server.handle((_req, res) => {
      calls++
      if (calls === 1) {
        json(res, 503, {})
      } else {
        json(res, 200, { inventory: 3 })
      }
    })
    const events: UpstreamOutcomeEvent[] = []
    const made = client({ onOutcome: (event) => events.push(event) })
    await made.get('/products/7/inventory', { deadline: Deadline.after(1000), route: '/products/:id/inventory', parse: parseStock })
    server.handle((_req, res) => { json(res, 400, {}) })
    await failure(made.get('/products/7/inventory', { deadline: Deadline.after(1000), route: '/products/:id/inventory', parse: parseStock }))
    server.handle(() => {})
    await failure(made.get('/products/7/inventory', { deadline: Deadline.after(50), parse: parseStock }))
    expect(server.calls).toBe(4)
    expect(events).toMatchObject([
      { downstream: 'inventory', route: '/products/:id/inventory', method: 'GET', status: 200, outcome: 'ok' },
      { route: '/products/:id/inventory', status: 400, outcome: 'error' },
      { route: 'unlabelled', outcome: 'timeout' },
    ])
    expect(events[2]).not.toHaveProperty('status')
    expect(events[2]!.durationMs).toBeGreaterThanOrEqual(45)
  })

  it('keeps the answer when the outcome hook throws', async () => {
    server.handle((_req, res) => { json(res, 200, { inventory: 5 }) })
    const made = client({ onOutcome: () => { throw new Error('metrics broke') } })
    const response = await made.get('/products/1/inventory', { deadline: Deadline.after(500), parse: parseStock })
    expect(response.body).toEqual({ inventory: 5 })
  })
})
