import { describe, expect, it } from 'vitest'

import { bffPerTest } from '../helper.js'

const start = bffPerTest()

describe('the user\'s writes', () => {
  it.each([
    ['POST', '/cart/items', { product_id: 1 }],
    ['DELETE', '/cart/items/1', undefined],
    ['PUT', '/favorites/1', undefined],
    ['DELETE', '/favorites/1', undefined],
  ] as const)('%s %s answers 401 to an anonymous caller and calls nothing', async (method, url, payload) => {
    const bff = await start()
    const response = await bff.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer')
    expect(response.json()).toMatchObject({ code: 'BFF_ERR_SIGN_IN_REQUIRED', status: 401 })
    expect(bff.fakes.cart.requests.length + bff.fakes.favorites.requests.length).toBe(0)
  })

  it('POST /cart/items adds to the signed-in user\'s cart with an idempotency key and answers 201 with the line', async () => {
    const bff = await start()
    const headers = await bff.signIn(2)
    const response = await bff.app.inject({ method: 'POST', url: '/cart/items', headers, payload: { product_id: 5, quantity: 3 } })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toEqual({ product_id: 5, quantity: 3 })
    const seen = bff.fakes.cart.requests[0]!
    expect(seen.method).toBe('POST')
    expect(seen.url).toBe('/users/2/cart/items')
    expect(seen.body).toEqual({ product_id: 5, quantity: 3 })
    expect(seen.headers['idempotency-key']).toMatch(/^bff-[0-9a-f-]{36}$/)
  })

  it('passes the caller\'s Idempotency-Key down, and quantity defaults to 1', async () => {
    const bff = await start()
    const headers = { ...(await bff.signIn(1)), 'idempotency-key': 'click-42' }
    const response = await bff.app.inject({ method: 'POST', url: '/cart/items', headers, payload: { product_id: 5 } })
    expect(response.statusCode).toBe(201)
    expect(bff.fakes.cart.requests[0]!.headers['idempotency-key']).toBe('click-42')
    expect(bff.fakes.cart.requests[0]!.body).toEqual({ product_id: 5, quantity: 1 })
  })

  it('retries an add that failed with 503 under the same key, so the cart changes once', async () => {
    const bff = await start()
    let calls = 0
    bff.fakes.cart.behave = () => (++calls === 1 ? { status: 503, body: { type: 'about:blank', title: 'Unavailable', status: 503 } } : {})
    const response = await bff.app.inject({ method: 'POST', url: '/cart/items', headers: await bff.signIn(1), payload: { product_id: 5 } })
    expect(response.statusCode).toBe(201)
    const [first, second] = bff.fakes.cart.requests
    expect(bff.fakes.cart.requests).toHaveLength(2)
    expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key'])
  })

  it.each([
    [{ product_id: 1, quantity: 0 }],
    [{ product_id: 1, quantity: 1000 }],
    [{ product_id: 'x' }],
    [{ quantity: 1 }],
    [{ product_id: 1, user_id: 2 }],
  ])('refuses %j with 400 without calling cart', async (payload) => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'POST', url: '/cart/items', headers: await bff.signIn(1), payload })
    expect(response.statusCode).toBe(400)
    expect(bff.fakes.cart.requests).toHaveLength(0)
  })

  it('passes on the cart\'s own answer to a request it refuses (422 over the quantity limit)', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ status: 422, body: { type: 'urn:x', title: 'Quantity limit exceeded', status: 422, detail: 'A line holds at most 999', code: 'CART_ERR_QUANTITY_LIMIT' } })
    const response = await bff.app.inject({ method: 'POST', url: '/cart/items', headers: await bff.signIn(1), payload: { product_id: 1, quantity: 999 } })
    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ status: 422, code: 'CART_ERR_QUANTITY_LIMIT', detail: 'A line holds at most 999' })
    // A refusal is an answer: no retry, and it does not count against cart's breaker.
    expect(bff.fakes.cart.requests).toHaveLength(1)
  })

  it('answers 502 when cart fails, never passing on its 500', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ status: 500, body: { title: 'boom', status: 500, detail: 'stack trace here' } })
    const response = await bff.app.inject({ method: 'POST', url: '/cart/items', headers: await bff.signIn(1), payload: { product_id: 1 } })
    expect(response.statusCode).toBe(502)
    expect(response.body).not.toContain('stack trace')
  })

  it('DELETE /cart/items/{id} removes from the signed-in user\'s cart with 204; a bad id is 400', async () => {
    const bff = await start()
    const headers = await bff.signIn(3)
    const response = await bff.app.inject({ method: 'DELETE', url: '/cart/items/7', headers })
    expect(response.statusCode).toBe(204)
    expect(bff.fakes.cart.requests[0]).toMatchObject({ method: 'DELETE', url: '/users/3/cart/items/7' })
    for (const bad of ['abc', '-1', '0', '99999999999']) {
      const refused = await bff.app.inject({ method: 'DELETE', url: `/cart/items/${bad}`, headers })
      expect({ bad, status: refused.statusCode }).toEqual({ bad, status: 400 })
    }
    expect(bff.fakes.cart.requests).toHaveLength(1)
  })

  it('PUT and DELETE /favorites/{id} change the signed-in user\'s favorites with 204', async () => {
    const bff = await start()
    const headers = await bff.signIn(1)
    expect((await bff.app.inject({ method: 'PUT', url: '/favorites/8', headers })).statusCode).toBe(204)
    expect((await bff.app.inject({ method: 'DELETE', url: '/favorites/8', headers })).statusCode).toBe(204)
    expect(bff.fakes.favorites.requests.map((seen) => `${seen.method} ${seen.url}`)).toEqual(['PUT /users/1/favorites/8', 'DELETE /users/1/favorites/8'])
  })

  it('never takes the user from the URL or the body', async () => {
    const bff = await start()
    const headers = await bff.signIn(1)
    expect((await bff.app.inject({ method: 'GET', url: '/users/2/cart', headers })).statusCode).toBe(404)
    expect((await bff.app.inject({ method: 'PUT', url: '/users/2/favorites/1', headers })).statusCode).toBe(404)
    expect(bff.fakes.cart.requests.length + bff.fakes.favorites.requests.length).toBe(0)
  })
})
