import type { Database } from '@storefront/service-kit'
import { type TestDatabase, TEST_SERVICE_TOKEN, createTestDatabase } from '@storefront/service-kit/testing'
import type { FastifyInstance } from 'fastify'

import { buildApp } from '../src/app.js'
import { type InventoryEnv, readInventoryEnv } from '../src/config.js'
import { openInventoryDatabase } from '../src/database.js'

/** A running inventory app on a database of the engine under test. */
export interface InventoryHarness {
  readonly app: FastifyInstance
  readonly db: Database
  readonly env: InventoryEnv
  readonly testDb: TestDatabase
  /** Closes the app and the database and keeps the data, as a process that stops would. */
  stop(): Promise<void>
  /** Stops, then drops the database. */
  close(): Promise<void>
}

/**
 * Builds the app; `overrides` are environment strings. On a fresh database unless `testDb` is
 * given, in which case it reopens that one (a restart).
 */
export async function startInventory(overrides: Record<string, string> = {}, testDb?: TestDatabase): Promise<InventoryHarness> {
  const database = testDb ?? (await createTestDatabase('inventory'))
  const env = readInventoryEnv({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', SEED_DEMO_DATA: 'true', ...overrides })
  const db = await openInventoryDatabase({ ...env, DATABASE_URL: database.location.databaseUrl, DATA_DIR: database.location.dataDir })
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
    testDb: database,
    stop,
    close: async () => {
      await stop()
      await database.drop()
    },
  }
}

/** Every stock row, in id order, straight from the database. */
export async function stockRows(db: Database): Promise<Array<{ product_id: number; on_hand: number }>> {
  return db.query<{ product_id: number; on_hand: number }>('SELECT product_id, on_hand FROM inventory ORDER BY product_id')
}
