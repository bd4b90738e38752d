import { type Database, loadMigrations, migrate, openDatabase } from '@storefront/service-kit'

import type { FavoritesEnv } from './config.js'
import { seedIfEmpty } from './seed.js'

const MIGRATIONS = new URL('../migrations/', import.meta.url)

/** The migration that creates the favorites table: the mark of a fresh database. */
const CREATES_TABLE = '001'

/**
 * Opens the favorites database (server or embedded), applies migrations and seeds a fresh one.
 *
 * Only a database whose table this start created is seeded. Seeding whenever the table is empty
 * would bring the demo rows back after users removed every favourite and the service restarted:
 * deleted user data must stay deleted.
 */
export async function openFavoritesDatabase(env: Pick<FavoritesEnv, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX'>): Promise<Database> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name: 'favorites', poolMax: env.DB_POOL_MAX, applicationName: 'storefront-favorites' })
  try {
    const applied = await migrate(db, await loadMigrations(MIGRATIONS), 'favorites')
    if (applied.includes(CREATES_TABLE)) {
      await seedIfEmpty(db)
    }
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
