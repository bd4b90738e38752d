import { type Database, type ServiceDatabaseDefinition, openServiceDatabase } from '@storefront/service-kit'

import type { ProductsEnv } from './config.js'
import { seedProducts } from './seed.js'

type ProductsDatabaseEnv = Pick<ProductsEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_PRODUCTS' | 'SEED_DEMO_DATA'>

/** The products database: its migrations, and a demo catalogue of `SEED_PRODUCTS` products. */
export function productsDatabase(env: Pick<ProductsEnv, 'SEED_PRODUCTS'>): ServiceDatabaseDefinition {
  return {
    name: 'products',
    migrations: new URL('../migrations/', import.meta.url),
    seedDemoData: (tx) => seedProducts(tx, env.SEED_PRODUCTS),
  }
}

/**
 * Opens the products database (server or embedded) and applies migrations; with `SEED_DEMO_DATA`,
 * a fresh database gets a catalogue of `SEED_PRODUCTS` products, once.
 */
export function openProductsDatabase(env: ProductsDatabaseEnv): Promise<Database> {
  return openServiceDatabase(productsDatabase(env), env)
}
