import type { Database } from './database.js'
import { embeddedDatabaseUrl } from './embedded/embedded-database-url.js'
import { openPostgresDatabase } from './postgres-database.js'

/** Where a service's data lives. */
export interface DatabaseLocation {
  /** A PostgreSQL server (15 or newer); when unset, the embedded PostgreSQL server. */
  readonly databaseUrl?: string | undefined
  /** The embedded server's data directory (`DATA_DIR`), used when `databaseUrl` is unset. */
  readonly dataDir: string
  /** The service: the name of its role and database on the embedded server. */
  readonly name: string
  readonly poolMax?: number
  readonly applicationName: string
}

/**
 * Opens the service's database: on the server `databaseUrl` names, else on the embedded
 * PostgreSQL server under `dataDir`, started here if no process runs it yet (and then stopped
 * when this database closes). One engine, one driver, either way.
 */
export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  const options = { poolMax: location.poolMax ?? 10, applicationName: location.applicationName }
  if (location.databaseUrl !== undefined) {
    const db = openPostgresDatabase(location.databaseUrl, options)
    await db.ping()
    return db
  }
  const embedded = await embeddedDatabaseUrl(location.name, location.dataDir)
  const db = openPostgresDatabase(embedded.url, options)
  try {
    await db.ping()
  } catch (error) {
    await db.close()
    await embedded.startedHere?.stop()
    throw error
  }
  const server = embedded.startedHere
  if (server === undefined) {
    return db
  }
  return {
    ...db,
    get stats() {
      return db.stats
    },
    close: async () => {
      await db.close()
      await server.stop()
    },
  }
}
