import { authHeaders, expectProblem } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type FavoritesHarness, favoriteRows, startFavorites } from '../helper.js'

let harness: FavoritesHarness

beforeAll(async () => {
  harness = await startFavorites()
})

afterAll(async () => {
  await harness.close()
})

type Method = 'GET' | 'PUT' | 'DELETE' | 'POST' | 'PATCH'

const send = (method: Method, url: string, headers: Record<string, string> = authHeaders) => harness.app.inject({ method, url, headers })
const get = (url: string, headers?: Record<string, string>) => send('GET', url, headers)
const put = (url: string, headers?: Record<string, string>) => send('PUT', url, headers)
const del = (url: string, headers?: Record<string, string>) => send('DELETE', url, headers)

/** A user's favourite product ids, as the API lists them. */
async function listed(userId: number): Promise<number[]> {
  const response = await get(`/users/${userId}/favorites`)
  expect(response.statusCode).toBe(200)
  return response.json<Array<{ product_id: number }>>().map((favorite) => favorite.product_id)
}

// Each test that writes uses users of its own (10 and up), so the seeded users 1 and 3 stay as seeded.
describe('GET /users/{id}/favorites', () => {
  it('answers the seeded favourites of users 1 and 3 as [{ product_id }] in product_id order', async () => {
    for (const userId of [1, 3]) {
      const response = await get(`/users/${userId}/favorites`)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.json()).toEqual([{ product_id: 1 }, { product_id: 2 }, { product_id: 3 }])
    }
  })

  it('answers 200 [] for a user with no favourites, never 404', async () => {
    for (const userId of [2, 4, 2_147_483_647]) {
      const response = await get(`/users/${userId}/favorites`)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.body).toBe('[]')
    }
  })

  it('orders by product_id whatever order the favourites were added in', async () => {
    for (const productId of [30, 4, 17, 2_147_483_647, 1]) {
      expect((await put(`/users/10/favorites/${productId}`)).statusCode).toBe(204)
    }
    expect(await listed(10)).toEqual([1, 4, 17, 30, 2_147_483_647])
  })
})

describe('PUT /users/{id}/favorites/{product_id}', () => {
  it('answers 204 with no body, and GET then shows the favourite', async () => {
    const response = await put('/users/11/favorites/5')
    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    expect(await listed(11)).toEqual([5])
    expect(await favoriteRows(harness.db, 11)).toEqual([[11, 5]])
  })

  it('is idempotent: a second PUT answers 204 and leaves one row', async () => {
    expect((await put('/users/12/favorites/6')).statusCode).toBe(204)
    expect((await put('/users/12/favorites/6')).statusCode).toBe(204)
    expect(await favoriteRows(harness.db, 12)).toEqual([[12, 6]])
    expect(await listed(12)).toEqual([6])
  })

  it('keeps users apart: one user\'s favourite is not another\'s', async () => {
    expect((await put('/users/13/favorites/7')).statusCode).toBe(204)
    expect(await listed(14)).toEqual([])
    expect((await del('/users/14/favorites/7')).statusCode).toBe(204)
    expect(await listed(13)).toEqual([7])
    expect(await listed(1)).toEqual([1, 2, 3])
  })

  it('accepts the largest 32-bit ids in both positions', async () => {
    expect((await put('/users/2147483647/favorites/2147483647')).statusCode).toBe(204)
    expect(await listed(2_147_483_647)).toEqual([2_147_483_647])
  })
})

describe('DELETE /users/{id}/favorites/{product_id}', () => {
  it('answers 204 with no body and removes only that favourite', async () => {
    expect((await put('/users/15/favorites/1')).statusCode).toBe(204)
    expect((await put('/users/15/favorites/2')).statusCode).toBe(204)
    const response = await del('/users/15/favorites/1')
    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    expect(await listed(15)).toEqual([2])
  })

  it('is idempotent: deleting a favourite that is not there answers 204', async () => {
    expect((await del('/users/16/favorites/9')).statusCode).toBe(204)
    expect((await put('/users/16/favorites/9')).statusCode).toBe(204)
    expect((await del('/users/16/favorites/9')).statusCode).toBe(204)
    expect((await del('/users/16/favorites/9')).statusCode).toBe(204)
    expect(await listed(16)).toEqual([])
  })
})

describe('bad input', () => {
  // Strings as they go on the wire: `' OR 1=1--` URL-encoded, an encoded space, an encoded slash.
  const badIds = ['abc', '-1', '0', '99999999999', '2147483648', '1.5', '1e3', '0x10', '01', '+1', '%27%20OR%201%3D1--', '%201', '1%2F2', '%E2%91%A0']

  it.each(badIds)('answers 400 for %s in either id position of every route, never 500, and writes nothing', async (bad) => {
    const before = await favoriteRows(harness.db)
    const requests: Array<[Method, string]> = [
      ['GET', `/users/${bad}/favorites`],
      ['PUT', `/users/${bad}/favorites/1`],
      ['PUT', `/users/1/favorites/${bad}`],
      ['DELETE', `/users/${bad}/favorites/1`],
      ['DELETE', `/users/1/favorites/${bad}`],
    ]
    for (const [method, url] of requests) {
      const body = expectProblem(await send(method, url), 400)
      expect(body.code).toBe('SVC_ERR_VALIDATION')
    }
    expect(await favoriteRows(harness.db)).toEqual(before)
  })

  it('answers 400 for any query parameter, since no route takes one, and writes nothing', async () => {
    expectProblem(await get('/users/1/favorites?limit=1'), 400)
    expectProblem(await put('/users/19/favorites/1?force=true'), 400)
    expectProblem(await del('/users/1/favorites/1?all=1'), 400)
    expect(await favoriteRows(harness.db, 19)).toEqual([])
    expect(await listed(1)).toEqual([1, 2, 3])
  })

  it('answers 400 for an empty id segment', async () => {
    expectProblem(await get('/users//favorites'), 400)
    expectProblem(await put('/users/1/favorites/'), 400)
    expectProblem(await del('/users//favorites/1'), 400)
  })
})

describe('every route', () => {
  it('answers 401 without the service token, or with a wrong one, and changes nothing', async () => {
    const before = await favoriteRows(harness.db)
    const wrong = { authorization: 'Bearer wrong-token-wrong-token-xx' }
    for (const headers of [{}, wrong, { authorization: authHeaders.authorization!.toUpperCase() }]) {
      const body = expectProblem(await get('/users/1/favorites', headers), 401)
      expect(body.code).toBe('SVC_ERR_UNAUTHORIZED')
      expectProblem(await put('/users/1/favorites/9', headers), 401)
      expectProblem(await del('/users/1/favorites/1', headers), 401)
    }
    expect(await favoriteRows(harness.db)).toEqual(before)
  })

  it('answers 405 with allow for a known path with another method, 404 for an unknown path', async () => {
    const postList = expectProblem(await send('POST', '/users/1/favorites'), 405)
    expect(postList.code).toBe('SVC_ERR_METHOD_NOT_ALLOWED')
    expect((await send('POST', '/users/1/favorites')).headers.allow).toBe('GET, HEAD')
    for (const method of ['POST', 'PATCH', 'GET'] as const) {
      const response = await send(method, '/users/1/favorites/2')
      expectProblem(response, 405)
      expect(response.headers.allow).toBe('DELETE, PUT')
    }
    expectProblem(await send('DELETE', '/users/1/favorites'), 405)
    expect((await get('/users/1/favourites')).statusCode).toBe(404)
    expectProblem(await get('/users/1'), 404)
    expectProblem(await get('/users/1/favorites/2/extra'), 404)
  })

  it('serves health and metrics without a token, counting favourite requests by route pattern', async () => {
    expect((await get('/health/live', {})).statusCode).toBe(200)
    const ready = await get('/health/ready', {})
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready' })
    expect((await put('/users/17/favorites/1')).statusCode).toBe(204)
    const metrics = await get('/metrics', {})
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/users\/:id\/favorites\/:product_id"[^}]*method="PUT"[^}]*status="204"/)
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/users\/:id\/favorites"[^}]*status="200"/)
    expect(metrics.body).not.toMatch(/route="\/users\/17/)
  })

  it('echoes a well-formed x-request-id and makes one otherwise', async () => {
    expect((await put('/users/18/favorites/1', { ...authHeaders, 'x-request-id': 'fav-123' })).headers['x-request-id']).toBe('fav-123')
    const made = (await get('/users/18/favorites', { ...authHeaders, 'x-request-id': 'bad id with spaces' })).headers['x-request-id']
    expect(made).toMatch(/^[0-9a-f-]{36}$/)
  })
})
