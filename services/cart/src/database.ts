import { type Database, type ServiceDatabaseDefinition, openServiceDatabase } from '@storefront/service-kit'

import type { CartEnv } from './config.js'
import { IdempotencyRepository } from './data-access/idempotency-repository.js'
import { seedCarts } from './seed.js'

/**
 * The cart database: its migrations, the spec's carts as demo rows, and at every open a purge of
 * idempotency keys older than `IDEMPOTENCY_TTL_HOURS`.
 */
export function cartDatabase(env: Pick<CartEnv, 'IDEMPOTENCY_TTL_HOURS'>): ServiceDatabaseDefinition {
  return {
    name: 'cart',
    migrations: new URL('../migrations/', import.meta.url),
    seedDemoData: seedCarts,
    afterOpen: async (db) => {
      await new IdempotencyRepository(db).purgeOlderThan(env.IDEMPOTENCY_TTL_HOURS)
    },
  }
}

/**
 * Opens the cart database (server or embedded), applies migrations, with `SEED_DEMO_DATA` gives a
 * fresh database the spec's carts (once: a cart its users emptied stays empty after a restart),
 * and purges expired idempotency keys.
 */
export function openCartDatabase(env: Pick<CartEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'IDEMPOTENCY_TTL_HOURS' | 'SEED_DEMO_DATA'>): Promise<Database> {
  return openServiceDatabase(cartDatabase(env), env)
}
