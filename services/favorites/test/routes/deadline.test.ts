import type { Database, QueryOptions, Row } from '@storefront/service-kit'
import { authHeaders, expectProblem, lockTable } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildApp } from '../../src/app.js'
import { type FavoritesHarness, favoriteRows, startFavorites } from '../helper.js'

let harness: FavoritesHarness

beforeAll(async () => {
  harness = await startFavorites()
})

afterAll(async () => {
  await harness.close()
})

describe('the x-request-timeout-ms deadline', () => {
  it('answers 504 on every route once the caller\'s budget is spent, and the cancelled writes never happen', async () => {
    const lock = await lockTable(harness.db, 'favorites')
    try {
      const headers = { ...authHeaders, 'x-request-timeout-ms': '300' }
      const requests = [
        harness.app.inject({ method: 'GET', url: '/users/1/favorites', headers }),
        harness.app.inject({ method: 'PUT', url: '/users/40/favorites/1', headers }),
        harness.app.inject({ method: 'DELETE', url: '/users/1/favorites/1', headers }),
      ]
      const startedAt = performance.now()
      const responses = await Promise.all(requests)
      const elapsedMs = performance.now() - startedAt
      for (const response of responses) {
        const body = expectProblem(response, 504)
        expect(body.code).toBe('SVC_ERR_DEADLINE_EXCEEDED')
      }
      expect(elapsedMs).toBeGreaterThanOrEqual(290)
      expect(elapsedMs).toBeLessThan(1500)
    } finally {
      await lock.release()
    }
    // The lock is gone: neither the PUT nor the DELETE ran late, and the service answers again.
    expect(await favoriteRows(harness.db, 40)).toEqual([])
    expect(await favoriteRows(harness.db, 1)).toEqual([[1, 1], [1, 2], [1, 3]])
    expect((await harness.app.inject({ method: 'GET', url: '/users/1/favorites', headers: authHeaders })).statusCode).toBe(200)
  })

  it('passes each request\'s abort signal to every query it runs', async () => {
    const seen: Array<AbortSignal | undefined> = []
    const db = harness.db
    const spy: Database = {
      query: <R extends Row>(text: string, params?: readonly unknown[], options?: QueryOptions) => {
        seen.push(options?.signal)
        return db.query<R>(text, params, options)
      },
      exec: (text) => db.exec(text),
      transaction: (fn, options) => db.transaction(fn, options),
      ping: (options) => db.ping(options),
      get stats() {
        return db.stats
      },
      // The harness owns the real database; this app must not close it.
      close: async () => {},
    }
    const app = buildApp(harness.env, { db: spy, logger: false })
    try {
      for (const [method, url] of [['GET', '/users/41/favorites'], ['PUT', '/users/41/favorites/2'], ['DELETE', '/users/41/favorites/2']] as const) {
        expect((await app.inject({ method, url, headers: authHeaders })).statusCode).toBeLessThan(300)
      }
    } finally {
      await app.close()
    }
    expect(seen).toHaveLength(3)
    for (const signal of seen) {
      expect(signal).toBeInstanceOf(AbortSignal)
    }
  })
})
