import { createHash } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'

import type { Database } from './database.js'

/** One versioned SQL script: `migrations/001_create_products.sql`. */
export interface Migration {
  /** The number prefix, e.g. `001`; migrations run in this order. */
  readonly version: string
  readonly name: string
  /** The file's name, for messages. */
  readonly file: string
  readonly sql: string
}

/** The SHA-256 of a migration's text: what an applied migration is held to. */
function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex')
}

/** Reads `NNN_name.sql` files from a folder, in version order. */
export async function loadMigrations(folder: URL): Promise<Migration[]> {
  const files = (await readdir(folder)).filter((file) => /^\d{3,}_[\w-]+\.sql$/.test(file)).sort()
  return Promise.all(
    files.map(async (file) => {
      const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_')
      return { version, name: rest.join('_'), file, sql: await readFile(new URL(file, folder), 'utf8') }
    }),
  )
}

/**
 * Applies the migrations not yet applied, in one transaction, under an advisory lock so that two
 * replicas starting at once migrate once. Returns the versions it applied.
 *
 * Each applied migration is recorded with the SHA-256 of its text. A migration file changed after
 * it was applied stops the start with an error naming the file: the database no longer matches
 * the code's idea of it, and silently going on would hide that. (A migration applied before
 * checksums were kept takes its file's checksum the first time.)
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
    await tx.exec('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text')
    const rows = await tx.query<{ version: string; checksum: string | null }>('SELECT version, checksum FROM schema_migrations WHERE scope = $1', [scope])
    const applied = new Map(rows.map((row) => [row.version, row.checksum]))
    const done: string[] = []
    for (const migration of migrations) {
      const checksum = checksumOf(migration.sql)
      const recorded = applied.get(migration.version)
      if (recorded !== undefined) {
        if (recorded === null) {
          await tx.query('UPDATE schema_migrations SET checksum = $3 WHERE scope = $1 AND version = $2', [scope, migration.version, checksum])
        } else if (recorded !== checksum) {
          throw new Error(`Migration ${scope}/${migration.file} was changed after it was applied (checksum ${recorded.slice(0, 12)}… recorded, ${checksum.slice(0, 12)}… now): restore it, and put the change in a new migration`)
        }
        continue
      }
      await tx.exec(migration.sql)
      await tx.query('INSERT INTO schema_migrations (scope, version, name, checksum) VALUES ($1, $2, $3, $4)', [scope, migration.version, migration.name, checksum])
      done.push(migration.version)
    }
    return done
  })
}
