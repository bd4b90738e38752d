import type { Database } from '@storefront/service-kit'
import { type TestDatabase, TEST_SERVICE_TOKEN, authHeaders, createTestDatabase } from '@storefront/service-kit/testing'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'

import { buildApp } from '../src/app.js'
import { type CartEnv, readCartEnv } from '../src/config.js'
import { openCartDatabase } from '../src/database.js'

/** A cart app and its database, open on a test database. */
export interface RunningCart {
  readonly app: FastifyInstance
  readonly db: Database
  readonly env: CartEnv
  /** Closes the app, then the database; the data stays, so the same location can be reopened. */
  stop(): Promise<void>
}

/** A running cart app on a fresh database of the engine under test. */
export interface CartHarness extends RunningCart {
  readonly testDb: TestDatabase
  /** Stops the app and drops the database. */
  close(): Promise<void>
}

/** Opens the app on an existing test database (a first start, or a restart); `overrides` are environment strings. */
export async function runCart(testDb: TestDatabase, overrides: Record<string, string> = {}): Promise<RunningCart> {
  const env = readCartEnv({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', SEED_DEMO_DATA: 'true', ...overrides })
  const db = await openCartDatabase({ ...env, DATABASE_URL: testDb.location.databaseUrl, DATA_DIR: testDb.location.dataDir })
  const app = buildApp(env, { db, logger: false })
  await app.ready()
  return {
    app,
    db,
    env,
    stop: async () => {
      await app.close()
      await db.close()
    },
  }
}

/** Builds the app on a fresh database. */
export async function startCart(overrides: Record<string, string> = {}): Promise<CartHarness> {
  const testDb = await createTestDatabase('cart')
  const running = await runCart(testDb, overrides)
  return {
    ...running,
    testDb,
    close: async () => {
      await running.stop()
      await testDb.drop()
    },
  }
}

/** A cart line as the API answers it. */
export interface Line {
  product_id: number
  quantity: number
}

/** Shorthands for the cart routes, with the service token unless other headers are given. */
export function cartClient(app: FastifyInstance) {
  return {
    getCart: (userId: number | string, headers: Record<string, string> = authHeaders) => app.inject({ method: 'GET', url: `/users/${userId}/cart`, headers }),
    /** POSTs `body` as JSON, with the token and `headers` (e.g. an Idempotency-Key). */
    add: (userId: number | string, body: unknown, headers: Record<string, string> = {}) => postRaw(app, userId, JSON.stringify(body), headers),
    /** POSTs `payload` as it is, with a JSON content type unless `headers` set another. */
    postRaw: (userId: number | string, payload: string, headers: Record<string, string> = {}) => postRaw(app, userId, payload, headers),
    remove: (userId: number | string, productId: number | string, headers: Record<string, string> = authHeaders) =>
      app.inject({ method: 'DELETE', url: `/users/${userId}/cart/items/${productId}`, headers }),
    /** The user's cart, asserting the 200. */
    async lines(userId: number): Promise<Line[]> {
      const response = await app.inject({ method: 'GET', url: `/users/${userId}/cart`, headers: authHeaders })
      expect(response.statusCode).toBe(200)
      return response.json<Line[]>()
    },
  }
}

function postRaw(app: FastifyInstance, userId: number | string, payload: string, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: `/users/${userId}/cart/items`, headers: { ...authHeaders, 'content-type': 'application/json', ...headers }, payload })
}

/** Asserts an RFC 9457 problem with `status` and no internals, and returns its body. */
export function expectProblem(response: LightMyRequestResponse, status: number): Record<string, unknown> {
  expect(response.statusCode).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = response.json<Record<string, unknown>>()
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:storefront:problem:/), title: expect.any(String), detail: expect.any(String) })
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+|postgres|pglite|syntax error|violates/i)
  return body
}
