import { authHeaders } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type FavoritesHarness, favoriteRows, startFavorites } from '../helper.js'

let harness: FavoritesHarness

beforeAll(async () => {
  harness = await startFavorites()
})

afterAll(async () => {
  await harness.close()
})

const write = (method: 'PUT' | 'DELETE', userId: number, productId: number) =>
  harness.app.inject({ method, url: `/users/${userId}/favorites/${productId}`, headers: authHeaders })

describe('concurrent writes', () => {
  it('50 parallel PUTs of one favourite all answer 204 and leave one row', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => write('PUT', 30, 5)))
    expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 50 }, () => 204))
    expect(await favoriteRows(harness.db, 30)).toEqual([[30, 5]])
  })

  it('parallel PUTs of 40 different products by one user all land, listed in order', async () => {
    const productIds = Array.from({ length: 40 }, (_, index) => 40 - index)
    const responses = await Promise.all(productIds.map((productId) => write('PUT', 31, productId)))
    expect(responses.every((response) => response.statusCode === 204)).toBe(true)
    const listed = await harness.app.inject({ method: 'GET', url: '/users/31/favorites', headers: authHeaders })
    expect(listed.json()).toEqual(productIds.toSorted((a, b) => a - b).map((productId) => ({ product_id: productId })))
  })

  it('interleaved PUTs and DELETEs of one favourite never fail, and GET agrees with the table after', async () => {
    const responses = await Promise.all(Array.from({ length: 60 }, (_, index) => write(index % 2 === 0 ? 'PUT' : 'DELETE', 32, 7)))
    expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 60 }, () => 204))
    const rows = await favoriteRows(harness.db, 32)
    expect([[], [[32, 7]]]).toContainEqual(rows)
    const listed = await harness.app.inject({ method: 'GET', url: '/users/32/favorites', headers: authHeaders })
    expect(listed.json()).toEqual(rows.map(([, productId]) => ({ product_id: productId })))
    // Whatever order they ran in, the service still answers the next write exactly.
    expect((await write('PUT', 32, 7)).statusCode).toBe(204)
    expect(await favoriteRows(harness.db, 32)).toEqual([[32, 7]])
    expect((await write('DELETE', 32, 7)).statusCode).toBe(204)
    expect(await favoriteRows(harness.db, 32)).toEqual([])
  })

  it('reads running alongside writes answer 200 with a list that only ever holds that favourite', async () => {
    const requests = Array.from({ length: 40 }, (_, index) =>
      index % 4 === 0
        ? harness.app.inject({ method: 'GET', url: '/users/33/favorites', headers: authHeaders })
        : write(index % 4 === 1 ? 'PUT' : index % 4 === 2 ? 'DELETE' : 'PUT', 33, 3),
    )
    const responses = await Promise.all(requests)
    for (const [index, response] of responses.entries()) {
      if (index % 4 === 0) {
        expect(response.statusCode).toBe(200)
        expect([[], [{ product_id: 3 }]]).toContainEqual(response.json())
      } else {
        expect(response.statusCode).toBe(204)
      }
    }
  })
})
