import type { Database } from '@storefront/service-kit'
import { type TestDatabase, TEST_SERVICE_TOKEN, createTestDatabase } from '@storefront/service-kit/testing'
import type { FastifyInstance } from 'fastify'

import { buildApp } from '../src/app.js'
import { type ProductsEnv, readProductsEnv } from '../src/config.js'
import { openProductsDatabase } from '../src/database.js'

/** A running products app on a fresh database of the engine under test. */
export interface ProductsHarness {
  readonly app: FastifyInstance
  readonly db: Database
  readonly env: ProductsEnv
  readonly testDb: TestDatabase
  close(): Promise<void>
}

/** Builds the app on a fresh database; `overrides` are environment strings. The cache is off unless set. */
export async function startProducts(overrides: Record<string, string> = {}): Promise<ProductsHarness> {
  const testDb = await createTestDatabase('products')
  const env = readProductsEnv({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', SEED_DEMO_DATA: 'true', CATALOGUE_CACHE_MS: '0', ...overrides })
  const db = await openProductsDatabase({ ...env, DATABASE_URL: testDb.location.databaseUrl, DATA_DIR: testDb.location.dataDir })
  const app = buildApp(env, { db, logger: false })
  await app.ready()
  return {
    app,
    db,
    env,
    testDb,
    close: async () => {
      await app.close()
      await db.close()
      await testDb.drop()
    },
  }
}
