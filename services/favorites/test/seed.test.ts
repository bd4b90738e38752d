import { describe, expect, it } from 'vitest'

import { seedFavorites } from '../src/seed.js'
import { favoriteRows, startFavorites } from './helper.js'

describe('seedFavorites', () => {
  it('writes the six rows, leaving rows already there as they are', async () => {
    const harness = await startFavorites()
    try {
      await harness.db.query('DELETE FROM favorites WHERE user_id = 3')
      await harness.db.query('INSERT INTO favorites (user_id, product_id) VALUES (9, 9)')
      await seedFavorites(harness.db)
      expect(await favoriteRows(harness.db)).toEqual([[1, 1], [1, 2], [1, 3], [3, 1], [3, 2], [3, 3], [9, 9]])
    } finally {
      await harness.close()
    }
  })
})
