import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'

import { OpsStats } from '../../src/schemas/ops-figures.js'
import { bffPerTest, closedPortUrl } from '../helper.js'

const start = bffPerTest()

describe('GET /ops/breakers', () => {
  it('reports each downstream\'s breaker state and counts, and shows products open after its failures', async () => {
    const harness = await start()
    const before = await harness.app.inject({ method: 'GET', url: '/ops/breakers' })
    expect(before.statusCode).toBe(200)
    const breakers = before.json().breakers
    expect(Object.keys(breakers).sort()).toEqual(['cart', 'favorites', 'inventory', 'products'])
    expect(breakers.products.state).toBe('closed')
    expect(breakers.products.stats).toBeTypeOf('object')

    harness.fakes.products.behave = () => ({ status: 500 })
    await harness.app.inject({ method: 'GET', url: '/products/all' })
    await harness.app.inject({ method: 'GET', url: '/products/all' })
    const after = (await harness.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers
    expect(after.products.state).toBe('open')
    expect(after.cart.state).toBe('closed')
  })
})

describe('concurrency limits and throttles on /ops and /metrics', () => {
  it('shows each downstream\'s limit with calls in flight and its throttle counts on /ops/breakers, and the same as gauges on /metrics', async () => {
    const harness = await start({}, { clients: { inventory: { concurrency: { initial: 7, min: 7, max: 7 } }, cart: { concurrency: false, throttle: false } } })
    expect((await harness.app.inject({ method: 'GET', url: '/products/all' })).statusCode).toBe(200)
    const breakers = (await harness.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers
    expect(breakers.inventory.limit).toEqual({ limit: 7, inflight: 0 })
    expect(breakers.products.limit).toEqual({ limit: expect.any(Number), inflight: 0 })
    expect(breakers.products.throttle).toEqual({ requests: 1, accepts: 1, probability: 0 })
    expect(breakers.cart).toMatchObject({ state: 'closed', limit: null, throttle: null })

    const metrics = (await harness.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^bff_downstream_concurrency_limit\{downstream="inventory",service="bff"\} 7$/m)
    expect(metrics).toMatch(/^bff_downstream_inflight\{downstream="inventory",service="bff"\} 0$/m)
    expect(metrics).toMatch(/^bff_downstream_throttle_probability\{downstream="products",service="bff"\} 0$/m)
    // A client without a limit or throttle has no series.
    expect(metrics).not.toMatch(/^bff_downstream_concurrency_limit\{[^}]*downstream="cart"/m)

    const stats = (await harness.app.inject({ method: 'GET', url: '/ops/stats' })).json().downstreams
    expect(stats.inventory).toMatchObject({ limit: 7, inflight: 0, throttle_probability: 0 })
  })
})

describe('replicas on /ops', () => {
  it('shows each downstream\'s replicas, and one that refuses connections ejected while the breaker stays closed', async () => {
    const dead = await closedPortUrl()
    const harness = await start((fakes) => ({ INVENTORY_URL: `${fakes.inventory.url},${dead}` }))
    const before = (await harness.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers
    expect(before.products.replicas).toEqual([{ origin: harness.fakes.products.url, state: 'healthy', pending: 0, consecutive_failures: 0, ejections: 0, ejected_for_ms: 0 }])
    expect(before.inventory.replicas.map((replica: { origin: string }) => replica.origin)).toEqual([harness.fakes.inventory.url, dead])
    for (let page = 0; page < 12; page++) {
      const response = await harness.app.inject({ method: 'GET', url: '/products/all' })
      expect(response.json().degraded).toEqual([])
    }
    const breakers = (await harness.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers
    expect(breakers.inventory.state).toBe('closed')
    expect(breakers.inventory.replicas).toMatchObject([
      { origin: harness.fakes.inventory.url, state: 'healthy' },
      { origin: dead, state: 'ejected', consecutive_failures: 5, ejections: 1, ejected_for_ms: expect.any(Number) },
    ])
    const stats = (await harness.app.inject({ method: 'GET', url: '/ops/stats' })).json()
    // What the document (and the dashboard's generated types) says, replicas and limits included.
    expect([...Value.Errors(OpsStats, stats)]).toEqual([])
    expect(stats.downstreams.inventory.replicas.map((replica: { state: string }) => replica.state)).toEqual(['healthy', 'ejected'])
    const metrics = (await harness.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^bff_downstream_replicas_ejected\{[^}]*downstream="inventory"[^}]*\} 1$/m)
    expect(metrics).toMatch(/^bff_downstream_replicas_ejected\{[^}]*downstream="products"[^}]*\} 0$/m)
  })
})

describe('GET /ops/stats', () => {
  it('gives each downstream its breaker state, the last 10 s of calls and a point per second of the last minute', async () => {
    const harness = await start()
    const headers = await harness.signIn(1)
    harness.fakes.inventory.behave = () => ({ status: 500 })
    for (let i = 0; i < 3; i++) {
      await harness.app.inject({ method: 'GET', url: '/products/all', headers })
    }
    const stats = (await harness.app.inject({ method: 'GET', url: '/ops/stats' })).json()
    expect(stats.window_s).toBe(10)
    expect(stats.fault_control).toBe(true)
    const { products, inventory } = stats.downstreams
    expect(products.state).toBe('closed')
    expect(products.rate_per_s).toBeCloseTo(0.3, 5)
    expect(products.error_rate).toBe(0)
    expect(products.p50_ms).toBeGreaterThan(0)
    expect(products.p99_ms).toBeGreaterThanOrEqual(products.p50_ms)
    expect(inventory.error_rate).toBe(1)
    expect(products.series).toHaveLength(60)
    expect(products.series.at(-1).t).toBeLessThanOrEqual(Date.now())
    expect(products.series.reduce((sum: number, point: { rate_per_s: number }) => sum + point.rate_per_s, 0)).toBe(3)
    expect([...Value.Errors(OpsStats, stats)]).toEqual([])
  })
})

describe('request logs of the polled operations routes', () => {
  it('writes no line at LOG_LEVEL=info for /ops/stats and /ops/breakers, and info lines for /ops/faults', async () => {
    const lines: { level: number; msg: string; req?: { url: string } }[] = []
    const stream = { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) }
    const harness = await start({}, { logger: { level: 'info', stream } })
    for (const url of ['/ops/stats', '/ops/breakers', '/health/ready', '/metrics']) {
      expect((await harness.app.inject({ method: 'GET', url })).statusCode).toBe(200)
    }
    expect(lines.filter((line) => line.msg === 'incoming request')).toEqual([])
    await harness.app.inject({ method: 'GET', url: '/ops/faults' })
    expect(lines.filter((line) => line.msg === 'incoming request').map((line) => [line.level, line.req?.url])).toEqual([[30, '/ops/faults']])
  })
})

describe('fault control', () => {
  it('passes the settings to the service with the service token, even while its breaker is open', async () => {
    const harness = await start()
    const bff = harness
    bff.fakes.products.behave = () => ({ status: 500 })
    await bff.app.inject({ method: 'GET', url: '/products/all' })
    await bff.app.inject({ method: 'GET', url: '/products/all' })
    expect((await bff.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers.products.state).toBe('open')
    bff.fakes.products.behave = (seen) => (seen.url === '/ops/faults' ? { body: { delay_ms: null, error_rate: 0 } } : {})
    const response = await bff.app.inject({ method: 'PUT', url: '/ops/faults/products', payload: { delay_ms: null, error_rate: 0 } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ delay_ms: null, error_rate: 0 })
    const seen = bff.fakes.products.requests.at(-1)!
    expect(seen).toMatchObject({ method: 'PUT', url: '/ops/faults', body: { delay_ms: null, error_rate: 0 } })
    expect(seen.headers.authorization).toMatch(/^Bearer /)
  })

  it('sends a change to every replica, and fails when one of them cannot be reached', async () => {
    const dead = await closedPortUrl()
    const harness = await start((fakes) => ({ CART_URL: `${dead},${fakes.cart.url}` }))
    harness.fakes.cart.behave = (seen) => (seen.url === '/ops/faults' ? { body: { delay_ms: null, error_rate: 0.5 } } : {})
    const change = await harness.app.inject({ method: 'PUT', url: '/ops/faults/cart', payload: { delay_ms: null, error_rate: 0.5 } })
    expect(change.statusCode).toBe(502)
    expect(change.json()).toMatchObject({ code: 'BFF_ERR_FAULT_CONTROL_FAILED', detail: 'cart: not reachable (connection refused)' })
    expect(harness.fakes.cart.requests.at(-1)).toMatchObject({ method: 'PUT', url: '/ops/faults', body: { delay_ms: null, error_rate: 0.5 } })
    // A read shows the settings of a replica that answers.
    const read = await harness.app.inject({ method: 'GET', url: '/ops/faults' })
    expect(read.json().faults.cart).toEqual({ delay_ms: null, error_rate: 0.5 })
  })

  it('refuses unknown downstreams and bad settings with 400, and a service without fault control with 502', async () => {
    const harness = await start()
    expect((await harness.app.inject({ method: 'PUT', url: '/ops/faults/payments', payload: { delay_ms: null, error_rate: 0 } })).statusCode).toBe(400)
    expect((await harness.app.inject({ method: 'PUT', url: '/ops/faults/cart', payload: { delay_ms: 'slow', error_rate: 0 } })).statusCode).toBe(400)
    expect((await harness.app.inject({ method: 'PUT', url: '/ops/faults/cart', payload: { delay_ms: null, error_rate: 1.5 } })).statusCode).toBe(400)
    harness.fakes.cart.behave = () => ({ status: 404, body: { title: 'Not found', status: 404 } })
    const off = await harness.app.inject({ method: 'PUT', url: '/ops/faults/cart', payload: { delay_ms: null, error_rate: 1 } })
    expect(off.statusCode).toBe(502)
    expect(off.json()).toMatchObject({ code: 'BFF_ERR_FAULT_CONTROL_FAILED', detail: expect.stringContaining('FAULT_CONTROL=true') })
  })

  it('is refused outside demo mode, even to the operator', async () => {
    const opsToken = 'ops-token-for-tests-0123456789abcdef'
    const harness = await start({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'a-test-secret-of-at-least-32-characters!', OPS_TOKEN: opsToken })
    const headers = { authorization: `Bearer ${opsToken}` }
    const response = await harness.app.inject({ method: 'PUT', url: '/ops/faults/inventory', headers, payload: { delay_ms: '0-5000', error_rate: 0 } })
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'BFF_ERR_FAULT_CONTROL_DISABLED' })
    expect(harness.fakes.inventory.requests).toHaveLength(0)
    expect((await harness.app.inject({ method: 'GET', url: '/ops/faults', headers })).statusCode).toBe(403)
  })
})
