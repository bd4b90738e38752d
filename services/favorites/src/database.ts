import { type Database, loadMigrations, migrate, openDatabase, seedDemoDataOnce } from '@storefront/service-kit'

import type { FavoritesEnv } from './config.js'
import { seedFavorites } from './seed.js'

const MIGRATIONS = new URL('../migrations/', import.meta.url)

/**
 * Opens the favorites database (server or embedded) and applies migrations; with `SEED_DEMO_DATA`,
 * a fresh database gets the source document's favourites, once: favourites users removed stay
 * removed after a restart.
 */
export async function openFavoritesDatabase(env: Pick<FavoritesEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_DEMO_DATA'>): Promise<Database> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name: 'favorites', poolMax: env.DB_POOL_MAX, applicationName: 'storefront-favorites' })
  try {
    await migrate(db, await loadMigrations(MIGRATIONS), 'favorites')
    if (env.SEED_DEMO_DATA) {
      await seedDemoDataOnce(db, 'favorites', seedFavorites)
    }
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
