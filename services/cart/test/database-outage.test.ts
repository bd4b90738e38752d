import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { TEST_SERVICE_TOKEN, type TestCluster, authHeaders, createTestCluster } from '@storefront/service-kit/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'

import { buildApp } from '../src/app.js'
import { readCartEnv } from '../src/config.js'
import { openCartDatabase } from '../src/database.js'

/**
 * The database killed under load: while it is down the cart answers 503 problems and reports not
 * ready; when it is back the service reconnects on its own; and no acknowledged add is lost or
 * applied twice when every unacknowledged one is retried with its idempotency key.
 */

/** Adds in the run: one product each, so the lines can be counted exactly. */
const ADDS = 60
/** Adds sent before the server is killed. */
const KILL_AFTER = 20
const USER = 7

/** SIGKILLs the server's postmaster, as an out-of-memory killer or a crash would. */
function killServer(dataDir: string): void {
  // Run as root the data directory belongs to the postgres OS user; root still reads it.
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  process.kill(pid, 'SIGKILL')
}

describe('the cart when its database is killed under load', () => {
  let test: TestCluster | undefined
  let app: FastifyInstance | undefined

  afterAll(async () => {
    await app?.close()
    await test?.remove()
  })

  it('answers 503 while it is down, reconnects, and keeps exactly the acknowledged adds once retried with their keys', async () => {
    test = await createTestCluster('outage')
    const { cluster } = test
    const dataDir = cluster.dataDir
    await cluster.start()
    const env = readCartEnv({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', DATABASE_URL: await cluster.ensureDatabase('cart') })
    const db = await openCartDatabase(env)
    app = buildApp(env, { db, logger: false })
    await app.ready()
    const running = app

    const add = (productId: number) => running.inject({
      method: 'POST',
      url: `/users/${USER}/cart/items`,
      headers: { ...authHeaders, 'idempotency-key': `outage-${productId}` },
      payload: { product_id: productId, quantity: 1 },
    })

    const acknowledged = new Set<number>()
    const unanswered: number[] = []
    for (let productId = 1; productId <= ADDS; productId++) {
      if (productId === KILL_AFTER + 1) {
        killServer(dataDir)
        await cluster.exited
      }
      const response = await add(productId)
      if (response.statusCode === 201) {
        acknowledged.add(productId)
      } else {
        unanswered.push(productId)
        expect(response.statusCode).toBe(503)
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(response.json()).toMatchObject({ status: 503, code: 'SVC_ERR_DATABASE_UNAVAILABLE' })
        expect(response.headers['retry-after']).toBe('1')
      }
    }
    expect([...acknowledged]).toEqual(Array.from({ length: KILL_AFTER }, (_, index) => index + 1))
    expect(unanswered).toHaveLength(ADDS - KILL_AFTER)
    expect((await running.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503)
    expect((await running.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)

    await cluster.startAfterCrash(20_000)
    // The pool reconnects on its own: no restart of the service.
    const until = Date.now() + 10_000
    while ((await running.inject({ method: 'GET', url: '/health/ready' })).statusCode !== 200) {
      expect(Date.now()).toBeLessThan(until)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    // Every add is retried with its key, the acknowledged ones too: a replay must not add again.
    for (let productId = 1; productId <= ADDS; productId++) {
      const response = await add(productId)
      expect({ productId, status: response.statusCode }).toEqual({ productId, status: 201 })
      expect(response.json()).toEqual({ product_id: productId, quantity: 1 })
    }
    const lines = await running.inject({ method: 'GET', url: `/users/${USER}/cart`, headers: authHeaders })
    const body = lines.json<Array<{ product_id: number; quantity: number }>>()
    expect(body).toHaveLength(ADDS)
    expect(body.every((line) => line.quantity === 1)).toBe(true)
  }, 90_000)
})
