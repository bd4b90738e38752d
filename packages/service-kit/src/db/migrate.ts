import { readFile, readdir } from 'node:fs/promises'

import type { Database } from './database.js'

/** One versioned SQL script: `migrations/001_create_products.sql`. */
export interface Migration {
  /** The number prefix, e.g. `001`; migrations run in this order. */
  readonly version: string
  readonly name: string
  readonly sql: string
}

/** Reads `NNN_name.sql` files from a folder, in version order. */
export async function loadMigrations(folder: URL): Promise<Migration[]> {
  const files = (await readdir(folder)).filter((file) => /^\d{3,}_[\w-]+\.sql$/.test(file)).sort()
  return Promise.all(
    files.map(async (file) => {
      const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_')
      return { version, name: rest.join('_'), sql: await readFile(new URL(file, folder), 'utf8') }
    }),
  )
}

/**
 * Applies the migrations not yet applied, in one transaction, under an advisory lock so that two
 * replicas starting at once do not race. Returns the versions it applied.
 *
 * History is kept per `scope` (the service's name), so two services pointed at one database (a
 * small deployment, or the catalogue generator with one `DATABASE_URL`) do not take each other's
 * `001` for their own.
 */
export async function migrate(db: Database, migrations: readonly Migration[], scope: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    // Any constant works; it only has to be the same for every replica of one database.
    await tx.query('SELECT pg_advisory_xact_lock(7428017)')
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      scope text NOT NULL,
      version text NOT NULL,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, version)
    )`)
    const rows = await tx.query<{ version: string }>('SELECT version FROM schema_migrations WHERE scope = $1', [scope])
    const applied = new Set(rows.map((row) => row.version))
    const done: string[] = []
    for (const migration of migrations) {
      if (applied.has(migration.version)) {
        continue
      }
      await tx.exec(migration.sql)
      await tx.query('INSERT INTO schema_migrations (scope, version, name) VALUES ($1, $2, $3)', [scope, migration.version, migration.name])
      done.push(migration.version)
    }
    return done
  })
}
