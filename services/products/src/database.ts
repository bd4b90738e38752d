import { type Database, loadMigrations, migrate, openDatabase, seedDemoDataOnce } from '@storefront/service-kit'

import type { ProductsEnv } from './config.js'
import { seedProducts } from './seed.js'

const MIGRATIONS = new URL('../migrations/', import.meta.url)

/**
 * Opens the products database (server or embedded) and applies migrations; with `SEED_DEMO_DATA`,
 * a fresh database gets a catalogue of `SEED_PRODUCTS` products, once.
 */
export async function openProductsDatabase(env: Pick<ProductsEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_PRODUCTS' | 'SEED_DEMO_DATA'>): Promise<Database> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name: 'products', poolMax: env.DB_POOL_MAX, applicationName: 'storefront-products' })
  try {
    await migrate(db, await loadMigrations(MIGRATIONS), 'products')
    if (env.SEED_DEMO_DATA) {
      await seedDemoDataOnce(db, 'products', (tx) => seedProducts(tx, env.SEED_PRODUCTS))
    }
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
