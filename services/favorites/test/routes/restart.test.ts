import { authHeaders } from '@storefront/service-kit/testing'
import { describe, expect, it } from 'vitest'

import { SEED_FAVORITES } from '../../src/seed.js'
import { type FavoritesHarness, favoriteRows, startFavorites } from '../helper.js'

/** Closes whichever harness is still open and drops the database they share. */
async function cleanUp(first: FavoritesHarness, second: FavoritesHarness | undefined, firstStopped: boolean): Promise<void> {
  if (second !== undefined) {
    await second.close()
  } else if (firstStopped) {
    await first.testDb.drop()
  } else {
    await first.close()
  }
}

const write = (harness: FavoritesHarness, method: 'PUT' | 'DELETE', userId: number, productId: number) =>
  harness.app.inject({ method, url: `/users/${userId}/favorites/${productId}`, headers: authHeaders })

describe('a fresh database', () => {
  it('is seeded with exactly the contract\'s six seed favourites', async () => {
    const harness = await startFavorites()
    try {
      expect(await favoriteRows(harness.db)).toEqual([[1, 1], [1, 2], [1, 3], [3, 1], [3, 2], [3, 3]])
      expect(SEED_FAVORITES).toEqual([[1, 1], [1, 2], [1, 3], [3, 1], [3, 2], [3, 3]])
    } finally {
      await harness.close()
    }
  })
})

describe('a restart', () => {
  it('keeps every committed write and does not seed again', async () => {
    const first = await startFavorites()
    let second: FavoritesHarness | undefined
    let firstStopped = false
    try {
      for (const [method, userId, productId] of [['PUT', 7, 70], ['PUT', 7, 71], ['DELETE', 1, 2], ['PUT', 3, 9], ['DELETE', 3, 1]] as const) {
        expect((await write(first, method, userId, productId)).statusCode).toBe(204)
      }
      await first.stop()
      firstStopped = true

      second = await startFavorites({}, first.testDb)
      // (1,2) and (3,1) stay deleted: a second seed would have brought them back.
      expect(await favoriteRows(second.db)).toEqual([[1, 1], [1, 3], [3, 2], [3, 3], [3, 9], [7, 70], [7, 71]])
      const listed = await second.app.inject({ method: 'GET', url: '/users/7/favorites', headers: authHeaders })
      expect(listed.json()).toEqual([{ product_id: 70 }, { product_id: 71 }])
    } finally {
      await cleanUp(first, second, firstStopped)
    }
  })

  it('leaves a table its users emptied empty: the seed is for fresh databases only', async () => {
    const first = await startFavorites()
    let second: FavoritesHarness | undefined
    let firstStopped = false
    try {
      for (const [userId, productId] of SEED_FAVORITES) {
        expect((await write(first, 'DELETE', userId, productId)).statusCode).toBe(204)
      }
      expect(await favoriteRows(first.db)).toEqual([])
      await first.stop()
      firstStopped = true

      second = await startFavorites({}, first.testDb)
      expect(await favoriteRows(second.db)).toEqual([])
      for (const userId of [1, 3]) {
        const listed = await second.app.inject({ method: 'GET', url: `/users/${userId}/favorites`, headers: authHeaders })
        expect(listed.statusCode).toBe(200)
        expect(listed.json()).toEqual([])
      }
    } finally {
      await cleanUp(first, second, firstStopped)
    }
  })
})
