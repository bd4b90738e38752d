import { authHeaders, expectProblem } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type CartHarness, cartClient, startCart } from '../helper.js'

let harness: CartHarness
let client: ReturnType<typeof cartClient>

beforeAll(async () => {
  harness = await startCart()
  client = cartClient(harness.app)
})

afterAll(async () => {
  await harness.close()
})

// Each test that writes uses its own user, so the tests do not depend on their order.
const BAD_IDS = ['abc', '-1', '0', '99999999999', '2147483648', '1.5', '1e3', "'%20OR%201=1--", '%20OR%201=1']

describe('GET /users/{id}/cart', () => {
  it('answers the seeded carts of users 1 and 2, ordered by product_id, quantity 1', async () => {
    const one = await client.getCart(1)
    expect(one.statusCode).toBe(200)
    expect(one.headers['content-type']).toMatch(/^application\/json/)
    expect(one.json()).toEqual([
      { product_id: 1, quantity: 1 },
      { product_id: 2, quantity: 1 },
      { product_id: 3, quantity: 1 },
    ])
    expect(await client.lines(2)).toEqual([
      { product_id: 1, quantity: 1 },
      { product_id: 2, quantity: 1 },
      { product_id: 5, quantity: 1 },
    ])
  })

  it('answers [] for a user with no cart, up to the largest 32-bit id', async () => {
    expect(await client.lines(3)).toEqual([])
    expect(await client.lines(2_147_483_647)).toEqual([])
  })

  it('orders lines by product_id, not by when they were added', async () => {
    for (const productId of [9, 4, 7]) {
      expect((await client.add(20, { product_id: productId })).statusCode).toBe(201)
    }
    expect((await client.lines(20)).map((line) => line.product_id)).toEqual([4, 7, 9])
  })

  it.each(BAD_IDS)('answers 400 for user id %s, never 500', async (id) => {
    expectProblem(await client.getCart(id), 400)
  })
})

describe('POST /users/{id}/cart/items', () => {
  it('adds a new line and answers 201 with it', async () => {
    const response = await client.add(30, { product_id: 7, quantity: 2 })
    expect(response.statusCode).toBe(201)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.headers['idempotency-replayed']).toBeUndefined()
    expect(response.json()).toEqual({ product_id: 7, quantity: 2 })
    expect(await client.lines(30)).toEqual([{ product_id: 7, quantity: 2 }])
  })

  it('adds 1 when quantity is left out', async () => {
    expect((await client.add(31, { product_id: 4 })).json()).toEqual({ product_id: 4, quantity: 1 })
    expect(await client.lines(31)).toEqual([{ product_id: 4, quantity: 1 }])
  })

  it('accumulates into the line and answers its new total', async () => {
    expect((await client.add(32, { product_id: 3, quantity: 2 })).json()).toEqual({ product_id: 3, quantity: 2 })
    expect((await client.add(32, { product_id: 3, quantity: 5 })).json()).toEqual({ product_id: 3, quantity: 7 })
    expect((await client.add(32, { product_id: 3 })).json()).toEqual({ product_id: 3, quantity: 8 })
    expect(await client.lines(32)).toEqual([{ product_id: 3, quantity: 8 }])
  })

  it('accepts a total of exactly 999, and answers 422 CART_ERR_QUANTITY_LIMIT past it, changing nothing', async () => {
    expect((await client.add(33, { product_id: 1, quantity: 999 })).json()).toEqual({ product_id: 1, quantity: 999 })
    const refused = expectProblem(await client.add(33, { product_id: 1, quantity: 1 }), 422)
    expect(refused.code).toBe('CART_ERR_QUANTITY_LIMIT')
    expect(refused.type).toBe('urn:storefront:problem:cart-err-quantity-limit')
    expect(await client.lines(33)).toEqual([{ product_id: 1, quantity: 999 }])

    expect((await client.add(33, { product_id: 2, quantity: 500 })).statusCode).toBe(201)
    expectProblem(await client.add(33, { product_id: 2, quantity: 500 }), 422)
    expect((await client.add(33, { product_id: 2, quantity: 499 })).json()).toEqual({ product_id: 2, quantity: 999 })
    expect(await client.lines(33)).toEqual([
      { product_id: 1, quantity: 999 },
      { product_id: 2, quantity: 999 },
    ])
  })

  it('keeps users apart: one user\'s add changes no other cart', async () => {
    await client.add(34, { product_id: 1, quantity: 3 })
    await client.add(35, { product_id: 1, quantity: 4 })
    expect(await client.lines(34)).toEqual([{ product_id: 1, quantity: 3 }])
    expect(await client.lines(35)).toEqual([{ product_id: 1, quantity: 4 }])
    expect(await client.lines(1)).toEqual([
      { product_id: 1, quantity: 1 },
      { product_id: 2, quantity: 1 },
      { product_id: 3, quantity: 1 },
    ])
  })

  it('accepts the largest 32-bit user and product ids', async () => {
    expect((await client.add(2_147_483_647, { product_id: 2_147_483_647 })).json()).toEqual({ product_id: 2_147_483_647, quantity: 1 })
  })

  it('adds 50 times for 50 parallel POSTs without a key', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => client.add(36, { product_id: 8, quantity: 2 })))
    expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 50 }, () => 201))
    // Every answer is a distinct running total: no add was lost or counted twice.
    expect(responses.map((response) => response.json<{ quantity: number }>().quantity).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => 2 * (index + 1)))
    expect(await client.lines(36)).toEqual([{ product_id: 8, quantity: 100 }])
  })

  it.each(BAD_IDS)('answers 400 for user id %s, never 500', async (id) => {
    expectProblem(await client.add(id, { product_id: 1 }), 400)
  })

  const badBodies: Array<[string, string]> = [
    ['non-JSON', '{"product_id": 1,'],
    ['plain text', 'product_id=1'],
    ['an empty body', ''],
    ['[]', '[]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"product_id"'],
    ['{} (missing product_id)', '{}'],
    ['quantity without product_id', '{"quantity":2}'],
    ['quantity 0', '{"product_id":1,"quantity":0}'],
    ['quantity -1', '{"product_id":1,"quantity":-1}'],
    ['quantity 1000', '{"product_id":1,"quantity":1000}'],
    ['quantity 1.5', '{"product_id":1,"quantity":1.5}'],
    ['quantity "2"', '{"product_id":1,"quantity":"2"}'],
    ['quantity null', '{"product_id":1,"quantity":null}'],
    ['quantity true', '{"product_id":1,"quantity":true}'],
    ['quantity 1e400', '{"product_id":1,"quantity":1e400}'],
    ['product_id "1"', '{"product_id":"1"}'],
    ['product_id 0', '{"product_id":0}'],
    ['product_id -1', '{"product_id":-1}'],
    ['product_id 1.5', '{"product_id":1.5}'],
    ['product_id 2147483648', '{"product_id":2147483648}'],
    ['product_id 99999999999', '{"product_id":99999999999}'],
    ['product_id null', '{"product_id":null}'],
    ['product_id [1]', '{"product_id":[1]}'],
    ['an unknown field', '{"product_id":1,"quantity":1,"price":0}'],
    ['__proto__', '{"product_id":1,"__proto__":{"quantity":5}}'],
  ]
  it.each(badBodies)('answers 400 for %s, never 500, and adds nothing', async (_name, payload) => {
    expectProblem(await client.postRaw(37, payload), 400)
    expect(await client.lines(37)).toEqual([])
  })

  it('answers 400 for a POST without any body', async () => {
    const response = await harness.app.inject({ method: 'POST', url: '/users/37/cart/items', headers: authHeaders })
    expectProblem(response, 400)
  })

  it('answers 415 for a body of a media type it does not read, and 400 for JSON sent as text', async () => {
    expectProblem(await client.postRaw(37, '<item product_id="1"/>', { 'content-type': 'application/xml' }), 415)
    // Fastify reads text/plain as a string, which is not the object the schema asks for.
    expectProblem(await client.postRaw(37, '{"product_id":1}', { 'content-type': 'text/plain' }), 400)
    expect(await client.lines(37)).toEqual([])
  })

  it('answers 413 for a 1 MB body, before reading it', async () => {
    const payload = JSON.stringify({ product_id: 1, quantity: 1, padding: 'x'.repeat(1024 * 1024) })
    const body = expectProblem(await client.postRaw(37, payload), 413)
    expect(body.code).toBe('SVC_ERR_BODY_TOO_LARGE')
    expect(await client.lines(37)).toEqual([])
  })
})

describe('DELETE /users/{id}/cart/items/{product_id}', () => {
  it('removes the line, answers 204 with no body, and again 204 when it is gone', async () => {
    await client.add(40, { product_id: 1, quantity: 3 })
    await client.add(40, { product_id: 2, quantity: 1 })
    const first = await client.remove(40, 1)
    expect(first.statusCode).toBe(204)
    expect(first.body).toBe('')
    expect(await client.lines(40)).toEqual([{ product_id: 2, quantity: 1 }])
    const again = await client.remove(40, 1)
    expect(again.statusCode).toBe(204)
    expect(await client.lines(40)).toEqual([{ product_id: 2, quantity: 1 }])
  })

  it('answers 204 for a product that was never in the cart, and for a user with no cart', async () => {
    expect((await client.remove(41, 12)).statusCode).toBe(204)
    expect((await client.remove(2_147_483_647, 2_147_483_647)).statusCode).toBe(204)
  })

  it('removes only that user\'s line', async () => {
    await client.add(42, { product_id: 6 })
    await client.add(43, { product_id: 6 })
    expect((await client.remove(42, 6)).statusCode).toBe(204)
    expect(await client.lines(42)).toEqual([])
    expect(await client.lines(43)).toEqual([{ product_id: 6, quantity: 1 }])
  })

  it('starts a removed line again from zero', async () => {
    await client.add(44, { product_id: 6, quantity: 9 })
    await client.remove(44, 6)
    expect((await client.add(44, { product_id: 6, quantity: 2 })).json()).toEqual({ product_id: 6, quantity: 2 })
  })

  it.each(BAD_IDS)('answers 400 for user id %s, never 500', async (id) => {
    expectProblem(await client.remove(id, 1), 400)
  })

  it.each(BAD_IDS)('answers 400 for product id %s, never 500, and removes nothing', async (id) => {
    await client.add(45, { product_id: 1 })
    expectProblem(await client.remove(45, id), 400)
    expect(await client.lines(45)).toEqual([{ product_id: 1, quantity: expect.any(Number) }])
  })
})

describe('every route', () => {
  it('answers 401 without the service token, or with a wrong one, and changes nothing', async () => {
    const missing = expectProblem(await client.getCart(1, {}), 401)
    expect(missing.code).toBe('SVC_ERR_UNAUTHORIZED')
    expectProblem(await client.getCart(1, { authorization: 'Bearer wrong-token-wrong-token-xx' }), 401)
    expectProblem(await harness.app.inject({ method: 'POST', url: '/users/50/cart/items', headers: { 'content-type': 'application/json' }, payload: '{"product_id":1}' }), 401)
    expectProblem(await client.remove(1, 1, {}), 401)
    expectProblem(await client.remove(1, 1, { authorization: authHeaders.authorization!.toUpperCase() }), 401)
    expect(await client.lines(50)).toEqual([])
    expect(await client.lines(1)).toEqual([
      { product_id: 1, quantity: 1 },
      { product_id: 2, quantity: 1 },
      { product_id: 3, quantity: 1 },
    ])
  })

  it('serves health and metrics without a token', async () => {
    expect((await harness.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
    const ready = await harness.app.inject({ method: 'GET', url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready' })
    await client.getCart(1)
    const metrics = await harness.app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/users\/:id\/cart"[^}]*status="200"/)
  })

  it('answers 404 for an unknown route and 405 with allow for a known one with another method', async () => {
    expectProblem(await harness.app.inject({ method: 'GET', url: '/users/1/wishlist', headers: authHeaders }), 404)
    const getItems = await harness.app.inject({ method: 'GET', url: '/users/1/cart/items', headers: authHeaders })
    expectProblem(getItems, 405)
    expect(getItems.headers.allow).toBe('POST')
    const putLine = await harness.app.inject({ method: 'PUT', url: '/users/1/cart/items/1', headers: authHeaders, payload: {} })
    expectProblem(putLine, 405)
    expect(putLine.headers.allow).toBe('DELETE')
    expectProblem(await harness.app.inject({ method: 'DELETE', url: '/users/1/cart', headers: authHeaders }), 405)
  })

  it('echoes a well-formed x-request-id, on problems too', async () => {
    expect((await client.getCart(1, { ...authHeaders, 'x-request-id': 'cart-req-1' })).headers['x-request-id']).toBe('cart-req-1')
    const problem = await client.add(1, { product_id: 'x' }, { 'x-request-id': 'cart-req-2' })
    expect(problem.headers['x-request-id']).toBe('cart-req-2')
    expect(expectProblem(problem, 400).request_id).toBe('cart-req-2')
  })

  it('answers 400 for a malformed x-request-timeout-ms', async () => {
    expectProblem(await client.getCart(1, { ...authHeaders, 'x-request-timeout-ms': 'soon' }), 400)
  })
})
