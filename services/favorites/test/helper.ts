import type { Database } from '@storefront/service-kit'
import { type TestDatabase, TEST_SERVICE_TOKEN, createTestDatabase } from '@storefront/service-kit/testing'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'

import { buildApp } from '../src/app.js'
import { type FavoritesEnv, readFavoritesEnv } from '../src/config.js'
import { openFavoritesDatabase } from '../src/database.js'

/** A running favorites app on a database of the engine under test. */
export interface FavoritesHarness {
  readonly app: FastifyInstance
  readonly db: Database
  readonly env: FavoritesEnv
  readonly testDb: TestDatabase
  /** Closes the app and the database but keeps the data, as a process exit would. */
  stop(): Promise<void>
  /** Stops, then drops the database. */
  close(): Promise<void>
}

/**
 * Builds the app on a fresh database, or on `existing` to restart over data a previous harness
 * left (its `stop()` must have run); `overrides` are environment strings.
 */
export async function startFavorites(overrides: Record<string, string> = {}, existing?: TestDatabase): Promise<FavoritesHarness> {
  const testDb = existing ?? (await createTestDatabase('favorites'))
  const env = readFavoritesEnv({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', SEED_DEMO_DATA: 'true', ...overrides })
  const db = await openFavoritesDatabase({ ...env, DATABASE_URL: testDb.location.databaseUrl, DATA_DIR: testDb.location.dataDir })
  const app = buildApp(env, { db, logger: false })
  await app.ready()
  const stop = async (): Promise<void> => {
    await app.close()
    await db.close()
  }
  return {
    app,
    db,
    env,
    testDb,
    stop,
    close: async () => {
      await stop()
      await testDb.drop()
    },
  }
}

/** The `[user_id, product_id]` rows in the table, in key order: what a test checks writes against. */
export async function favoriteRows(db: Database, userId?: number): Promise<Array<[number, number]>> {
  const rows = userId === undefined
    ? await db.query<{ user_id: number; product_id: number }>('SELECT user_id, product_id FROM favorites ORDER BY user_id, product_id')
    : await db.query<{ user_id: number; product_id: number }>('SELECT user_id, product_id FROM favorites WHERE user_id = $1 ORDER BY product_id', [userId])
  return rows.map((row) => [row.user_id, row.product_id])
}

/** Asserts an RFC 9457 problem of `status` that leaks no stack or driver text, and returns its body. */
export function expectProblem(response: LightMyRequestResponse, status: number): Record<string, unknown> {
  expect(response.statusCode).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = response.json<Record<string, unknown>>()
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:storefront:problem:/), title: expect.any(String), detail: expect.any(String) })
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+|postgres|pglite|syntax error|favorites_pkey|violates/i)
  return body
}
