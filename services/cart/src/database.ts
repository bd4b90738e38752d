import { type Database, loadMigrations, migrate, openDatabase, seedDemoDataOnce } from '@storefront/service-kit'

import type { CartEnv } from './config.js'
import { IdempotencyRepository } from './data-access/idempotency-repository.js'
import { seedCarts } from './seed.js'

const MIGRATIONS = new URL('../migrations/', import.meta.url)

/**
 * Opens the cart database (server or embedded), applies migrations, with `SEED_DEMO_DATA` gives a
 * fresh database the spec's carts (once: a cart its users emptied stays empty after a restart),
 * and purges idempotency keys older than `IDEMPOTENCY_TTL_HOURS`.
 */
export async function openCartDatabase(env: Pick<CartEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'IDEMPOTENCY_TTL_HOURS' | 'SEED_DEMO_DATA'>): Promise<Database> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name: 'cart', poolMax: env.DB_POOL_MAX, applicationName: 'storefront-cart' })
  try {
    await migrate(db, await loadMigrations(MIGRATIONS), 'cart')
    if (env.SEED_DEMO_DATA) {
      await seedDemoDataOnce(db, 'cart', seedCarts)
    }
    await new IdempotencyRepository(db).purgeOlderThan(env.IDEMPOTENCY_TTL_HOURS)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
