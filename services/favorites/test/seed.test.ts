import { describe, expect, it } from 'vitest'

import { seedIfEmpty } from '../src/seed.js'
import { favoriteRows, startFavorites } from './helper.js'

describe('seedIfEmpty', () => {
  it('leaves a populated table alone and seeds an empty one with the six rows', async () => {
    const harness = await startFavorites()
    try {
      await harness.db.query('DELETE FROM favorites WHERE user_id = 3')
      expect(await seedIfEmpty(harness.db)).toBe(false)
      expect(await favoriteRows(harness.db)).toEqual([[1, 1], [1, 2], [1, 3]])

      await harness.db.query('DELETE FROM favorites')
      expect(await seedIfEmpty(harness.db)).toBe(true)
      expect(await favoriteRows(harness.db)).toEqual([[1, 1], [1, 2], [1, 3], [3, 1], [3, 2], [3, 3]])
    } finally {
      await harness.close()
    }
  })
})
