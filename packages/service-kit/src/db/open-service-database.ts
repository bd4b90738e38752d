import type { Database, Queryable } from './database.js'
import { seedDemoDataOnce } from './demo-data.js'
import { loadMigrations, migrate } from './migrate.js'
import { openDatabase } from './open-database.js'

/** The database variables every service reads (see `baseEnv`). */
export interface ServiceDatabaseEnv {
  readonly DATABASE_URL?: string | undefined
  readonly DATA_DIR: string
  readonly DB_POOL_MAX: number
  readonly SEED_DEMO_DATA: boolean
}

/** What makes one service's database: its name, its migrations and its demo rows. */
export interface ServiceDatabaseDefinition {
  /** The service: its role and database on the embedded server, and its migration history's scope. */
  readonly name: string
  /** The folder of its `NNN_name.sql` migrations. */
  readonly migrations: URL
  /** Writes the demo rows into a fresh database, once, when `SEED_DEMO_DATA` is set. */
  readonly seedDemoData?: (tx: Queryable) => Promise<void>
  /** Runs at every open, after migrating and seeding (e.g. purging expired rows). */
  readonly afterOpen?: (db: Database) => Promise<void>
}

/**
 * Opens a service's database the way every service does: on `DATABASE_URL` or the embedded server,
 * migrated, seeded with demo rows once when asked, then `afterOpen`. The database is closed again
 * if any step fails, so a failed start leaves no pool behind.
 */
export async function openServiceDatabase(definition: ServiceDatabaseDefinition, env: ServiceDatabaseEnv): Promise<Database> {
  const { name, seedDemoData, afterOpen } = definition
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, name, poolMax: env.DB_POOL_MAX, applicationName: `storefront-${name}` })
  try {
    await migrate(db, await loadMigrations(definition.migrations), name)
    if (env.SEED_DEMO_DATA && seedDemoData !== undefined) {
      await seedDemoDataOnce(db, name, seedDemoData)
    }
    await afterOpen?.(db)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
