import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { Database, QueryOptions, Row } from '@storefront/service-kit'
import { authHeaders, expectProblem } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildApp } from '../../src/app.js'
import { seedStock } from '../../src/domain/seed-stock.js'
import { type InventoryHarness, startInventory } from '../helper.js'

let harness: InventoryHarness

beforeAll(async () => {
  harness = await startInventory()
})

afterAll(async () => {
  await harness.close()
})

const get = (url: string, headers: Record<string, string> = authHeaders) => harness.app.inject({ method: 'GET', url, headers })

type Reply = Awaited<ReturnType<typeof get>>

function expectItems(response: Reply): Array<{ product_id: number; inventory: number }> {
  expect(response.statusCode).toBe(200)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  const body = response.json<{ items: Array<{ product_id: number; inventory: number }> }>()
  expect(Object.keys(body)).toEqual(['items'])
  return body.items
}

const item = (id: number) => ({ product_id: id, inventory: seedStock(id) })

/** Ids the path and the list must both refuse with 400 (URL-encoded where needed). */
const BAD_IDS = ['abc', '-1', '0', '99999999999', '2147483648', '1.5', '1e3', '0x10', '01', '+1', '%201', '%27%20OR%201%3D1--', '1%3B%20DROP%20TABLE%20inventory']

describe('GET /products/{id}/inventory', () => {
  it('answers the seeded stock of each of the 10 products as { inventory }', async () => {
    for (let id = 1; id <= 10; id++) {
      const response = await get(`/products/${id}/inventory`)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.json()).toEqual({ inventory: seedStock(id) })
    }
  })

  it('answers 404 INVENTORY_ERR_NOT_FOUND for a product without a stock row', async () => {
    const body = expectProblem(await get('/products/11/inventory'), 404)
    expect(body.code).toBe('INVENTORY_ERR_NOT_FOUND')
    expect(expectProblem(await get('/products/2147483647/inventory'), 404).code).toBe('INVENTORY_ERR_NOT_FOUND')
  })

  it.each(BAD_IDS)('answers 400 for id %s, never 500', async (id) => {
    expectProblem(await get(`/products/${id}/inventory`), 400)
  })

  it('answers 400 for an unknown query parameter', async () => {
    expectProblem(await get('/products/1/inventory?fresh=true'), 400)
  })

  it.each([
    ['an id past the router\'s parameter length', `/products/${'1'.repeat(101)}/inventory`],
    ['a bad percent-encoding', '/products/%zz/inventory'],
  ])('answers 4xx, never 5xx, for %s', async (_name, url) => {
    // Fastify's router refuses these before the kit's error handler runs (414 / 400 as plain JSON);
    // reported to the kit's owner. The contract's floor, a 4xx, holds either way.
    const response = await get(url)
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
  })

  it('answers the current stock, not a cached one', async () => {
    const before = (await get('/products/4/inventory')).json<{ inventory: number }>().inventory
    await harness.db.query('UPDATE inventory SET on_hand = $1 WHERE product_id = 4', [before + 1])
    try {
      expect((await get('/products/4/inventory')).json()).toEqual({ inventory: before + 1 })
      expect(expectItems(await get('/inventory?product_ids=4'))).toEqual([{ product_id: 4, inventory: before + 1 }])
    } finally {
      await harness.db.query('UPDATE inventory SET on_hand = $1 WHERE product_id = 4', [before])
    }
  })
})

describe('GET /inventory?product_ids=', () => {
  it('answers every known id in request order', async () => {
    expect(expectItems(await get('/inventory?product_ids=3,1,10,2'))).toEqual([item(3), item(1), item(10), item(2)])
    expect(expectItems(await get('/inventory?product_ids=7'))).toEqual([item(7)])
  })

  it('leaves unknown ids out and keeps the order of the rest', async () => {
    expect(expectItems(await get('/inventory?product_ids=11,5,2147483647,4,999'))).toEqual([item(5), item(4)])
    expect(expectItems(await get('/inventory?product_ids=11,12'))).toEqual([])
  })

  it('answers a repeated id once, where it is first seen', async () => {
    expect(expectItems(await get('/inventory?product_ids=3,1,3,2,1,3'))).toEqual([item(3), item(1), item(2)])
  })

  it('accepts exactly 1000 ids', async () => {
    const ids = Array.from({ length: 1000 }, (_, index) => 1000 - index)
    const items = expectItems(await get(`/inventory?product_ids=${ids.join(',')}`))
    expect(items).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map(item))
  })

  it('accepts 1000 ids of 10 digits each', async () => {
    const ids = Array.from({ length: 1000 }, (_, index) => 2_147_483_647 - index)
    expect(expectItems(await get(`/inventory?product_ids=${ids.join(',')}`))).toEqual([])
  })

  it('answers 400 INVENTORY_ERR_TOO_MANY_IDS for 1001 ids, duplicates counted', async () => {
    const distinct = Array.from({ length: 1001 }, (_, index) => index + 1).join(',')
    expect(expectProblem(await get(`/inventory?product_ids=${distinct}`), 400).code).toBe('INVENTORY_ERR_TOO_MANY_IDS')
    const repeated = Array.from({ length: 1001 }, () => '1').join(',')
    expect(expectProblem(await get(`/inventory?product_ids=${repeated}`), 400).code).toBe('INVENTORY_ERR_TOO_MANY_IDS')
  })

  it.each(BAD_IDS)('answers 400 when the list holds %s, never 500', async (id) => {
    expectProblem(await get(`/inventory?product_ids=${id}`), 400)
    expectProblem(await get(`/inventory?product_ids=1,${id},2`), 400)
  })

  it.each([
    ['an empty list', 'product_ids='],
    ['no list', ''],
    ['an empty entry', 'product_ids=1,,2'],
    ['a trailing comma', 'product_ids=1,2,'],
    ['a leading comma', 'product_ids=,1'],
    ['only a comma', 'product_ids=,'],
    ['a space after a comma', 'product_ids=1,%202'],
    ['another separator', 'product_ids=1;2'],
    ['the list twice', 'product_ids=1&product_ids=2'],
    ['an unknown parameter', 'product_ids=1&limit=5'],
    ['a JSON array', 'product_ids=%5B1%2C2%5D'],
  ])('answers 400 for %s', async (_name, query) => {
    expectProblem(await get(`/inventory?${query}`), 400)
  })

  it('answers 400 to a 1 MB query string without parsing it as ids', async () => {
    const commas = Array.from({ length: 500_000 }, () => '1').join(',')
    expectProblem(await get(`/inventory?product_ids=${commas}`), 400)
    expectProblem(await get(`/inventory?product_ids=${'9'.repeat(1_000_000)}`), 400)
    expectProblem(await get(`/inventory?product_ids=1&${'x'.repeat(1_000_000)}=1`), 400)
  })

  it('answers a 1 MB URL over a real socket with a 4xx, never a 5xx', async () => {
    // Node's HTTP parser caps the request head (16 KiB by default) before Fastify sees the URL.
    const app = buildApp(harness.env, { db: harness.db, logger: false })
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const { port } = app.server.address() as AddressInfo
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path: `/inventory?product_ids=${'1,'.repeat(500_000)}1`, headers: authHeaders }, (response) => {
          response.resume()
          resolve(response.statusCode ?? 0)
        })
        request.on('error', reject)
        request.end()
      })
      expect(status).toBe(431)
    } finally {
      await app.close()
    }
  })
})

describe('the batch query', () => {
  /** The real database, recording every statement the routes run and the signal each got. */
  function recording(db: Database): { db: Database; calls: Array<{ text: string; params: readonly unknown[] | undefined; signal: AbortSignal | undefined }> } {
    const calls: Array<{ text: string; params: readonly unknown[] | undefined; signal: AbortSignal | undefined }> = []
    const spy: Database = Object.create(db) as Database
    Object.defineProperty(spy, 'query', {
      value: <R extends Row>(text: string, params?: readonly unknown[], options?: QueryOptions) => {
        calls.push({ text, params, signal: options?.signal })
        return db.query<R>(text, params, options)
      },
    })
    return { db: spy, calls }
  }

  it('runs one parameterized statement for 1000 ids, with the request signal', async () => {
    const { db, calls } = recording(harness.db)
    const app = buildApp(harness.env, { db, logger: false })
    try {
      const ids = Array.from({ length: 1000 }, (_, index) => index + 1)
      expect(expectItems(await app.inject({ method: 'GET', url: `/inventory?product_ids=${ids.join(',')}`, headers: authHeaders }))).toHaveLength(10)
      expect(calls).toHaveLength(1)
      expect(calls[0]!.text).toMatch(/= ANY\(\$1::int\[\]\)/)
      expect(calls[0]!.text).not.toMatch(/\b1000\b/)
      expect(calls[0]!.params).toEqual([ids])
      expect(calls[0]!.signal).toBeInstanceOf(AbortSignal)

      calls.length = 0
      expect((await app.inject({ method: 'GET', url: '/products/2/inventory', headers: authHeaders })).statusCode).toBe(200)
      expect(calls).toHaveLength(1)
      expect(calls[0]!.params).toEqual([2])
      expect(calls[0]!.signal).toBeInstanceOf(AbortSignal)
    } finally {
      await app.close()
    }
  })

  it('sends a repeated id to the database once', async () => {
    const { db, calls } = recording(harness.db)
    const app = buildApp(harness.env, { db, logger: false })
    try {
      await app.inject({ method: 'GET', url: '/inventory?product_ids=2,2,1,2', headers: authHeaders })
      expect(calls.map((call) => call.params)).toEqual([[[2, 1]]])
    } finally {
      await app.close()
    }
  })
})

describe('every route', () => {
  it('answers 401 without the service token, or with a wrong one', async () => {
    const missing = expectProblem(await get('/inventory?product_ids=1', {}), 401)
    expect(missing.code).toBe('SVC_ERR_UNAUTHORIZED')
    expectProblem(await get('/products/1/inventory', {}), 401)
    expectProblem(await get('/products/1/inventory', { authorization: 'Bearer wrong-token-wrong-token-xx' }), 401)
    expectProblem(await get('/inventory?product_ids=1', { authorization: authHeaders.authorization!.toUpperCase() }), 401)
  })

  it('serves health and metrics without a token', async () => {
    expect((await get('/health/live', {})).statusCode).toBe(200)
    const ready = await get('/health/ready', {})
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready' })
    await get('/products/1/inventory')
    await get('/inventory?product_ids=1')
    const metrics = await get('/metrics', {})
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/products\/:id\/inventory"[^}]*status="200"/)
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/inventory"[^}]*status="200"/)
    expect(metrics.body).toMatch(/service="inventory"/)
  })

  it('answers 404 for an unknown route and 405 for a known one with another method', async () => {
    expectProblem(await get('/products/1'), 404)
    expectProblem(await get('/products'), 404)
    const post = await harness.app.inject({ method: 'POST', url: '/inventory?product_ids=1', headers: authHeaders, payload: {} })
    expectProblem(post, 405)
    expect(post.headers.allow).toContain('GET')
    expectProblem(await harness.app.inject({ method: 'PUT', url: '/products/1/inventory', headers: authHeaders, payload: { inventory: 5 } }), 405)
    expectProblem(await harness.app.inject({ method: 'DELETE', url: '/products/1/inventory', headers: authHeaders }), 405)
  })

  it('echoes a well-formed x-request-id and makes one otherwise', async () => {
    expect((await get('/products/1/inventory', { ...authHeaders, 'x-request-id': 'abc-123' })).headers['x-request-id']).toBe('abc-123')
    const made = (await get('/inventory?product_ids=1', { ...authHeaders, 'x-request-id': 'bad id with spaces' })).headers['x-request-id']
    expect(made).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers 400 for a malformed x-request-timeout-ms', async () => {
    expectProblem(await get('/inventory?product_ids=1', { ...authHeaders, 'x-request-timeout-ms': 'soon' }), 400)
  })
})
