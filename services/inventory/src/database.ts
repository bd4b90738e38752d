import { type Database, loadMigrations, migrate, openDatabase, seedDemoDataOnce } from '@storefront/service-kit'

import type { InventoryEnv } from './config.js'
import { seedInventory } from './seed.js'

const MIGRATIONS = new URL('../migrations/', import.meta.url)

/**
 * Opens the inventory database (server or embedded) and applies migrations; with
 * `SEED_DEMO_DATA`, a fresh database gets stock for `SEED_PRODUCTS` products, once.
 */
export async function openInventoryDatabase(env: Pick<InventoryEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_PRODUCTS' | 'SEED_DEMO_DATA'>): Promise<Database> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name: 'inventory', poolMax: env.DB_POOL_MAX, applicationName: 'storefront-inventory' })
  try {
    await migrate(db, await loadMigrations(MIGRATIONS), 'inventory')
    if (env.SEED_DEMO_DATA) {
      await seedDemoDataOnce(db, 'inventory', (tx) => seedInventory(tx, env.SEED_PRODUCTS))
    }
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
