import { type Database, type ServiceDatabaseDefinition, openServiceDatabase } from '@storefront/service-kit'

import type { FavoritesEnv } from './config.js'
import { seedFavorites } from './seed.js'

/** The favorites database: its migrations, and the contract's seed favourites as demo rows. */
export function favoritesDatabase(): ServiceDatabaseDefinition {
  return { name: 'favorites', migrations: new URL('../migrations/', import.meta.url), seedDemoData: seedFavorites }
}

/**
 * Opens the favorites database (server or embedded) and applies migrations; with `SEED_DEMO_DATA`,
 * a fresh database gets the seed favourites (docs/spec/api.md, "Seed data"), once: favourites users
 * removed stay removed after a restart.
 */
export function openFavoritesDatabase(env: Pick<FavoritesEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'SEED_DEMO_DATA'>): Promise<Database> {
  return openServiceDatabase(favoritesDatabase(), env)
}
