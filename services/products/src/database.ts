import { type Database, loadMigrations, migrate, openDatabase } from '@storefront/service-kit'

import type { ProductsEnv } from './config.js'
import { seedIfEmpty } from './seed.js'

const MIGRATIONS = new URL('../migrations/', import.meta.url)

/** Opens the products database (server or embedded), applies migrations and seeds a fresh one. */
export async function openProductsDatabase(env: Pick<ProductsEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_PRODUCTS'>): Promise<Database> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name: 'products', poolMax: env.DB_POOL_MAX, applicationName: 'storefront-products' })
  try {
    await migrate(db, await loadMigrations(MIGRATIONS), 'products')
    await seedIfEmpty(db, env.SEED_PRODUCTS)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
