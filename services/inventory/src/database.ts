import { type Database, loadMigrations, migrate, openDatabase } from '@storefront/service-kit'

import type { InventoryEnv } from './config.js'
import { seedIfEmpty } from './seed.js'

const MIGRATIONS = new URL('../migrations/', import.meta.url)

/** Opens the inventory database (server or embedded), applies migrations and seeds a fresh one. */
export async function openInventoryDatabase(env: Pick<InventoryEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_PRODUCTS'>): Promise<Database> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name: 'inventory', poolMax: env.DB_POOL_MAX, applicationName: 'storefront-inventory' })
  try {
    await migrate(db, await loadMigrations(MIGRATIONS), 'inventory')
    await seedIfEmpty(db, env.SEED_PRODUCTS)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
