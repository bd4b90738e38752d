import type { Database } from './database.js'
import { openPgliteDatabase } from './pglite-database.js'
import { openPostgresDatabase } from './postgres-database.js'

/** Where a service's data lives. */
export interface DatabaseLocation {
  /** A PostgreSQL server; when unset, the embedded engine. */
  readonly databaseUrl?: string | undefined
  /** The embedded engine's directory (or `memory://`). */
  readonly dataDir: string
  readonly poolMax?: number
  readonly applicationName: string
}

/** Opens the server database when a URL is given, else the embedded one: one SQL code path, two engines. */
export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.databaseUrl !== undefined) {
    const db = openPostgresDatabase(location.databaseUrl, { poolMax: location.poolMax ?? 10, applicationName: location.applicationName })
    await db.ping()
    return db
  }
  return openPgliteDatabase(location.dataDir)
}
