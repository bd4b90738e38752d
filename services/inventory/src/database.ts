import { type Database, type ServiceDatabaseDefinition, openServiceDatabase } from '@storefront/service-kit'

import type { InventoryEnv } from './config.js'
import { seedInventory } from './seed.js'

type InventoryDatabaseEnv = Pick<InventoryEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_PRODUCTS' | 'SEED_DEMO_DATA'>

/** The inventory database: its migrations, and demo stock for `SEED_PRODUCTS` products. */
export function inventoryDatabase(env: Pick<InventoryEnv, 'SEED_PRODUCTS'>): ServiceDatabaseDefinition {
  return {
    name: 'inventory',
    migrations: new URL('../migrations/', import.meta.url),
    seedDemoData: (tx) => seedInventory(tx, env.SEED_PRODUCTS),
  }
}

/**
 * Opens the inventory database (server or embedded) and applies migrations; with
 * `SEED_DEMO_DATA`, a fresh database gets stock for `SEED_PRODUCTS` products, once.
 */
export function openInventoryDatabase(env: InventoryDatabaseEnv): Promise<Database> {
  return openServiceDatabase(inventoryDatabase(env), env)
}
