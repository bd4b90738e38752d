import { authHeaders, expectProblem } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type ProductsHarness, startProducts } from '../helper.js'

let harness: ProductsHarness

beforeAll(async () => {
  harness = await startProducts()
})

afterAll(async () => {
  await harness.close()
})

const get = (url: string, headers: Record<string, string> = authHeaders) => harness.app.inject({ method: 'GET', url, headers })

describe('GET /products', () => {
  it('answers the seeded catalogue of 10, ordered by product_id, with names', async () => {
    const response = await get('/products')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    const products = response.json<Array<{ product_id: number; product_name: string; price_cents: number }>>()
    expect(products.map((product) => product.product_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(products[0]).toEqual({ product_id: 1, product_name: 'Ceramic Coffee Mug', price_cents: expect.any(Number) })
    expect(products.every((product) => product.product_name.length > 0)).toBe(true)
  })

  it('pages by keyset with limit and after', async () => {
    const first = (await get('/products?limit=3')).json<Array<{ product_id: number }>>()
    expect(first.map((product) => product.product_id)).toEqual([1, 2, 3])
    const next = (await get('/products?limit=3&after=3')).json<Array<{ product_id: number }>>()
    expect(next.map((product) => product.product_id)).toEqual([4, 5, 6])
    const last = (await get('/products?after=9')).json<Array<{ product_id: number }>>()
    expect(last.map((product) => product.product_id)).toEqual([10])
    expect((await get('/products?after=10')).json()).toEqual([])
  })

  it.each(['limit=0', 'limit=1001', 'limit=abc', 'limit=-1', 'limit=1.5', 'after=abc', 'after=0', 'after=99999999999', 'sort=name'])(
    'answers 400 for ?%s',
    async (query) => {
      expectProblem(await get(`/products?${query}`), 400)
    },
  )
})

describe('GET /products/{id}', () => {
  it('answers one product', async () => {
    const response = await get('/products/2')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ product_id: 2, product_name: 'Wool Beanie', price_cents: expect.any(Number) })
  })

  it('answers 404 for an unknown product', async () => {
    const body = expectProblem(await get('/products/11'), 404)
    expect(body.code).toBe('PRODUCTS_ERR_NOT_FOUND')
  })

  it.each(['abc', '-1', '0', '99999999999', '2147483648', '1.5', '1e3', '0x10', "'%20OR%201=1--", '%20 1'])('answers 400 for id %s, never 500', async (id) => {
    expectProblem(await get(`/products/${id}`), 400)
  })

  it('accepts the largest 32-bit id and answers 404 for it', async () => {
    expectProblem(await get('/products/2147483647'), 404)
  })
})

describe('every route', () => {
  it('answers 401 without the service token, or with a wrong one', async () => {
    const missing = expectProblem(await get('/products', {}), 401)
    expect(missing.code).toBe('SVC_ERR_UNAUTHORIZED')
    expectProblem(await get('/products/1', { authorization: 'Bearer wrong-token-wrong-token-xx' }), 401)
    expectProblem(await get('/products/1', { authorization: authHeaders.authorization!.toUpperCase() }), 401)
  })

  it('serves health and metrics without a token', async () => {
    expect((await get('/health/live', {})).statusCode).toBe(200)
    const ready = await get('/health/ready', {})
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready' })
    const metrics = await get('/metrics', {})
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/products\/:id"[^}]*status="200"/)
    expect(metrics.body).toMatch(/http_request_duration_seconds_bucket/)
  })

  it('answers 404 for an unknown route and 405 for a known one with another method', async () => {
    expectProblem(await get('/nope'), 404)
    const response = await harness.app.inject({ method: 'POST', url: '/products/1', headers: authHeaders, payload: {} })
    expectProblem(response, 405)
    expect(response.headers.allow).toContain('GET')
    expectProblem(await harness.app.inject({ method: 'DELETE', url: '/products', headers: authHeaders }), 405)
  })

  it('echoes a well-formed x-request-id and makes one otherwise', async () => {
    expect((await get('/products/1', { ...authHeaders, 'x-request-id': 'abc-123' })).headers['x-request-id']).toBe('abc-123')
    const made = (await get('/products/1', { ...authHeaders, 'x-request-id': 'bad id with spaces' })).headers['x-request-id']
    expect(made).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers 400 for a malformed x-request-timeout-ms', async () => {
    expectProblem(await get('/products/1', { ...authHeaders, 'x-request-timeout-ms': 'soon' }), 400)
  })
})
