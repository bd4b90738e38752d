import { authHeaders, lockTable } from '@storefront/service-kit/testing'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type ProductsHarness, startProducts } from '../helper.js'

let harness: ProductsHarness

beforeAll(async () => {
  harness = await startProducts()
})

afterAll(async () => {
  await harness.close()
})

describe('the x-request-timeout-ms deadline', () => {
  it('answers 504 once the caller\'s budget is spent, and stops the query', async () => {
    const lock = await lockTable(harness.db, 'products')
    try {
      const startedAt = performance.now()
      const response = await harness.app.inject({ method: 'GET', url: '/products', headers: { ...authHeaders, 'x-request-timeout-ms': '300' } })
      const elapsedMs = performance.now() - startedAt
      expect(response.statusCode).toBe(504)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 504, code: 'SVC_ERR_DEADLINE_EXCEEDED' })
      expect(elapsedMs).toBeGreaterThanOrEqual(295)
      expect(elapsedMs).toBeLessThan(1500)

      {
        // The statement was cancelled on the server, not left waiting for the lock.
        const admin = postgres(harness.testDb.location.databaseUrl!, { max: 1, onnotice: () => {} })
        try {
          let waiting = -1
          for (let attempt = 0; attempt < 50 && waiting !== 0; attempt++) {
            const rows = await admin<Array<{ count: number }>>`
              SELECT count(*)::int AS count FROM pg_stat_activity
              WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT product_id%'`
            waiting = rows[0]!.count
            if (waiting !== 0) {
              await new Promise((resolve) => setTimeout(resolve, 20))
            }
          }
          expect(waiting).toBe(0)
        } finally {
          await admin.end()
        }
      }
    } finally {
      await lock.release()
    }
    // Once the lock is gone the service answers again.
    expect((await harness.app.inject({ method: 'GET', url: '/products/1', headers: authHeaders })).statusCode).toBe(200)
  })

  it('caps a caller\'s budget at REQUEST_TIMEOUT_MS', async () => {
    const capped = await startProducts({ REQUEST_TIMEOUT_MS: '200' })
    try {
      const lockHolder = capped.db.transaction(async (tx) => {
        await tx.query('LOCK TABLE products IN ACCESS EXCLUSIVE MODE')
        await new Promise((resolve) => setTimeout(resolve, 1000))
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      const startedAt = performance.now()
      const response = await capped.app.inject({ method: 'GET', url: '/products', headers: { ...authHeaders, 'x-request-timeout-ms': '60000' } })
      expect(response.statusCode).toBe(504)
      expect(performance.now() - startedAt).toBeLessThan(900)
      await lockHolder
    } finally {
      await capped.close()
    }
  })
})
