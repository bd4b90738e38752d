import type { Database, Queryable } from './database.js'

/**
 * Writes a service's demo rows into a fresh database, once: `seed` runs in a transaction that also
 * records it in `demo_data`, under an advisory lock, so two replicas starting together seed once
 * and a table its users emptied stays empty after a restart. Returns true when it seeded.
 *
 * Demo rows are written only where they are asked for (`SEED_DEMO_DATA=true`, which `npm start`
 * sets), never by a migration, so a production database starts empty.
 */
export async function seedDemoDataOnce(db: Database, scope: string, seed: (tx: Queryable) => Promise<void>): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Any constant works, as long as it differs from the migrations' lock.
    await tx.query('SELECT pg_advisory_xact_lock(7428018)')
    await tx.exec(`CREATE TABLE IF NOT EXISTS demo_data (
      scope text PRIMARY KEY,
      seeded_at timestamptz NOT NULL DEFAULT now()
    )`)
    const rows = await tx.query<{ seeded: boolean }>('SELECT EXISTS (SELECT 1 FROM demo_data WHERE scope = $1) AS seeded', [scope])
    if (rows[0]?.seeded === true) {
      return false
    }
    await seed(tx)
    await tx.query('INSERT INTO demo_data (scope) VALUES ($1)', [scope])
    return true
  })
}
