import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'

import { type TestCluster, createTestCluster } from '../../testing/test-cluster.js'
import type { EmbeddedCluster } from './embedded-cluster.js'

describe('EmbeddedCluster', () => {
  let test: TestCluster | undefined
  let cluster: EmbeddedCluster | undefined

  afterAll(async () => {
    await test?.remove()
  })

  it('initialises, starts, and gives each name a database only its own role can reach', async () => {
    test = await createTestCluster('cluster-test')
    cluster = test.cluster
    await cluster.start()
    expect(await cluster.isRunning()).toBe(true)
    const cartUrl = await cluster.ensureDatabase('cart')
    const favoritesUrl = await cluster.ensureDatabase('favorites')
    // Idempotent: a second call changes nothing and gives the same URL.
    expect(await cluster.ensureDatabase('cart')).toBe(cartUrl)

    const cart = postgres(cartUrl, { max: 1, onnotice: () => {} })
    try {
      const [row] = await cart`SELECT current_user AS who, current_database() AS db, current_setting('server_version_num')::int AS version`
      expect(row).toEqual({ who: 'cart', db: 'cart', version: expect.any(Number) as number })
      expect((row as { version: number }).version).toBeGreaterThanOrEqual(180_000)
      await cart`CREATE TABLE lines (id int)`
    } finally {
      await cart.end()
    }

    // The cart role cannot connect to the favorites database.
    const intruder = new URL(favoritesUrl)
    intruder.username = 'cart'
    intruder.password = new URL(cartUrl).password
    const sneaky = postgres(intruder.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 })
    try {
      await expect(sneaky`SELECT 1`).rejects.toMatchObject({ code: '42501' })
    } finally {
      await sneaky.end()
    }
  }, 60_000)

  it('keeps the data across a restart', async () => {
    await cluster!.stop()
    expect(await cluster!.isRunning()).toBe(false)
    await cluster!.start()
    const cart = postgres(await cluster!.ensureDatabase('cart'), { max: 1, onnotice: () => {} })
    try {
      expect(await cart`SELECT count(*)::int AS n FROM lines`).toEqual([{ n: 0 }])
    } finally {
      await cart.end()
    }
  }, 60_000)
})
