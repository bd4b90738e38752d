import { describe, expect, it } from 'vitest'

import { bffPerTest, closedPortUrl } from '../helper.js'

/**
 * The BFF's operator surfaces (`GET /metrics` and everything under `/ops/`) answer only with
 * `authorization: Bearer <OPS_TOKEN>`, except in demo mode on a loopback address.
 */

const OPS_TOKEN = 'ops-token-for-tests-0123456789abcdef'
const JWT_SECRET = 'a-test-secret-of-at-least-32-characters!'

const start = bffPerTest()

/** Every operator route, as a request. */
const OPERATOR_ROUTES = [
  { method: 'GET', url: '/metrics' },
  { method: 'GET', url: '/ops/breakers' },
  { method: 'GET', url: '/ops/stats' },
  { method: 'GET', url: '/ops/faults' },
  { method: 'GET', url: '/ops/traces' },
  { method: 'PUT', url: '/ops/faults/products', payload: { delay_ms: '9999999', error_rate: 1 } },
] as const

describe('outside demo mode on loopback', () => {
  const jwt = { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: JWT_SECRET, OPS_TOKEN }

  it.each(OPERATOR_ROUTES)('$method $url answers 401 without a token, with a problem and www-authenticate', async (route) => {
    const bff = await start(jwt)
    const response = await bff.app.inject(route)
    expect(response.statusCode).toBe(401)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/)
    expect(response.json()).toMatchObject({ status: 401, code: 'BFF_ERR_OPS_TOKEN_REQUIRED' })
    expect(bff.fakes.products.requests).toHaveLength(0)
  })

  it.each(OPERATOR_ROUTES)('$method $url answers 403 with a wrong token', async (route) => {
    const bff = await start(jwt)
    for (const authorization of [`Bearer ${OPS_TOKEN}x`, `Bearer ${OPS_TOKEN.slice(1)}`, 'Bearer a', `Basic ${OPS_TOKEN}`]) {
      const response = await bff.app.inject({ ...route, headers: { authorization } })
      expect({ authorization, status: response.statusCode }).toEqual({ authorization, status: 403 })
      expect(response.json()).toMatchObject({ code: 'BFF_ERR_OPS_TOKEN_WRONG' })
    }
  })

  it('serves /metrics and /ops/breakers with the token', async () => {
    const bff = await start(jwt)
    const headers = { authorization: `Bearer ${OPS_TOKEN}` }
    const metrics = await bff.app.inject({ method: 'GET', url: '/metrics', headers })
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toContain('http_requests_total')
    const breakers = await bff.app.inject({ method: 'GET', url: '/ops/breakers', headers })
    expect(breakers.statusCode).toBe(200)
    expect(breakers.json()).toMatchObject({ breakers: { products: { state: 'closed' } } })
  })

  it('still refuses fault control with the token: it exists in demo mode only', async () => {
    const bff = await start(jwt)
    const response = await bff.app.inject({ method: 'PUT', url: '/ops/faults/products', headers: { authorization: `Bearer ${OPS_TOKEN}` }, payload: { delay_ms: null, error_rate: 1 } })
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'BFF_ERR_FAULT_CONTROL_DISABLED' })
  })

  it('keeps the operator routes closed when OPS_TOKEN is not set, saying so', async () => {
    const bff = await start({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: JWT_SECRET })
    for (const route of OPERATOR_ROUTES) {
      const response = await bff.app.inject({ ...route, headers: { authorization: 'Bearer anything-at-all-0123456789' } })
      expect({ url: route.url, status: response.statusCode }).toEqual({ url: route.url, status: 401 })
      expect(response.json<{ detail: string }>().detail).toMatch(/OPS_TOKEN/)
    }
  })

  it('keeps the pages public: / and the /ops dashboard page', async () => {
    const bff = await start(jwt)
    expect((await bff.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200)
    expect((await bff.app.inject({ method: 'GET', url: '/ops' })).statusCode).toBe(200)
    expect((await bff.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200)
  })
})

describe('demo mode off loopback (ALLOW_DEMO_AUTH=true)', () => {
  it('asks for OPS_TOKEN on the operator routes: anonymous fault control is 401', async () => {
    const bff = await start({ HOST: '0.0.0.0', AUTH_MODE: 'demo', ALLOW_DEMO_AUTH: 'true', SERVICE_TOKEN: 'Zq3vY8pL2mN7xR4tB9wK6sD1fH5jG0cE', OPS_TOKEN: 'u7Hc2Wq9Lk4Xp1Nz8Rm3Tb6Vy5Jd0GfA' })
    const anonymous = await bff.app.inject({ method: 'PUT', url: '/ops/faults/products', payload: { delay_ms: null, error_rate: 1 } })
    expect(anonymous.statusCode).toBe(401)
    expect((await bff.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401)
    const signedIn = await bff.app.inject({ method: 'GET', url: '/ops/breakers', headers: { authorization: 'Bearer u7Hc2Wq9Lk4Xp1Nz8Rm3Tb6Vy5Jd0GfA' } })
    expect(signedIn.statusCode).toBe(200)
  })
})

describe('demo mode on loopback', () => {
  it('opens the dashboard\'s data without a token', async () => {
    const bff = await start()
    for (const url of ['/metrics', '/ops/breakers', '/ops/stats']) {
      expect((await bff.app.inject({ method: 'GET', url })).statusCode).toBe(200)
    }
  })

  it('refuses a fault delay over 60 000 ms', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'PUT', url: '/ops/faults/products', payload: { delay_ms: '0-9999999', error_rate: 0 } })
    expect(response.statusCode).toBe(400)
    expect(bff.fakes.products.requests).toHaveLength(0)
  })

  it('never shows internal addresses when a service cannot be reached', async () => {
    const unreachable = await closedPortUrl()
    const bff = await start({ PRODUCTS_URL: unreachable })
    const port = new URL(unreachable).port
    const read = await bff.app.inject({ method: 'GET', url: '/ops/faults' })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ faults: { products: { unavailable: expect.any(String) as string } } })
    expect(read.body).not.toContain('127.0.0.1')
    expect(read.body).not.toContain(port)
    const change = await bff.app.inject({ method: 'PUT', url: '/ops/faults/products', payload: { delay_ms: null, error_rate: 0 } })
    expect(change.statusCode).toBe(502)
    expect(change.body).not.toContain('127.0.0.1')
    expect(change.body).not.toContain(port)
  })
})
