import { authHeaders, lockTable } from '@storefront/service-kit/testing'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type InventoryHarness, startInventory } from '../helper.js'

let harness: InventoryHarness

beforeAll(async () => {
  harness = await startInventory()
})

afterAll(async () => {
  await harness.close()
})

/** True once no statement of the routes is left running on the server: cancelled, not left waiting for the lock. */
async function noQueryLeft(): Promise<boolean> {
  const admin = postgres(harness.testDb.location.databaseUrl!, { max: 1, onnotice: () => {} })
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const rows = await admin<Array<{ count: number }>>`
        SELECT count(*)::int AS count FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%FROM inventory WHERE%'`
      if (rows[0]!.count === 0) {
        return true
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return false
  } finally {
    await admin.end()
  }
}

describe('the x-request-timeout-ms deadline', () => {
  it.each(['/products/1/inventory', '/inventory?product_ids=1,2,3'])('answers 504 on %s once the caller\'s budget is spent, and stops the query', async (url) => {
    const lock = await lockTable(harness.db, 'inventory')
    try {
      const startedAt = performance.now()
      const response = await harness.app.inject({ method: 'GET', url, headers: { ...authHeaders, 'x-request-timeout-ms': '300' } })
      const elapsedMs = performance.now() - startedAt
      expect(response.statusCode).toBe(504)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 504, code: 'SVC_ERR_DEADLINE_EXCEEDED' })
      expect(elapsedMs).toBeGreaterThanOrEqual(295)
      expect(elapsedMs).toBeLessThan(1500)
      expect(await noQueryLeft()).toBe(true)
    } finally {
      await lock.release()
    }
    // Once the lock is gone the service answers again.
    expect((await harness.app.inject({ method: 'GET', url, headers: authHeaders })).statusCode).toBe(200)
  })
})
