import type { Database } from '../db/database.js'

/** A lock held on a table until `release` is called. */
export interface TableLock {
  /** Releases the lock and waits for its transaction to end. */
  release(): Promise<void>
}

/**
 * Holds `ACCESS EXCLUSIVE` on `table` in a transaction of `db`, as a long migration would, so that
 * a test can make the service's next query wait: on PostgreSQL the query blocks on the lock; on
 * the embedded engine it waits for the one connection. Resolves once the lock is held.
 */
export async function lockTable(db: Database, table: string): Promise<TableLock> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) {
    throw new Error(`lockTable: not a plain table name: ${table}`)
  }
  let release!: () => void
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve
  })
  const holding = db.transaction(async (tx) => {
    await tx.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`)
    locked()
    await released
  })
  await Promise.race([isLocked, holding])
  return {
    release: async () => {
      release()
      await holding
    },
  }
}
