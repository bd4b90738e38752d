import { mkdir } from 'node:fs/promises'

import { PGlite, type Transaction } from '@electric-sql/pglite'

import type { Database, DatabaseStats, QueryOptions, Queryable, Row } from './database.js'
import { Mutex } from './mutex.js'

/**
 * Real PostgreSQL compiled to WebAssembly, in this process, persisted under `dataDir` (or in memory
 * for `memory://`). It has one connection: statements run one at a time, in order, through a queue
 * that a cancelled request can leave. A statement already running cannot be interrupted, so a
 * deadline is honoured between statements.
 */
export async function openPgliteDatabase(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) {
    await mkdir(dataDir, { recursive: true })
  }
  const pg = await PGlite.create(dataDir)
  const mutex = new Mutex()
  let active = 0

  const runQuery = async <R extends Row>(target: PGlite | Transaction, text: string, params: readonly unknown[] | undefined, signal: AbortSignal | undefined): Promise<R[]> => {
    signal?.throwIfAborted()
    const result = await target.query<R>(text, params as unknown[] | undefined)
    return result.rows
  }
  const within = (tx: Transaction): Queryable => ({
    query: <R extends Row>(text: string, params?: readonly unknown[], options?: QueryOptions) => runQuery<R>(tx, text, params, options?.signal),
    exec: async (text: string) => {
      await tx.exec(text)
    },
  })
  const locked = async <T>(fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    await mutex.acquire(signal)
    active++
    try {
      return await fn()
    } finally {
      active--
      mutex.release()
    }
  }

  return {
    engine: 'pglite',
    query: <R extends Row>(text: string, params?: readonly unknown[], options?: QueryOptions) =>
      locked(() => runQuery<R>(pg, text, params, options?.signal), options?.signal),
    exec: (text: string) =>
      locked(async () => {
        await pg.exec(text)
      }, undefined),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>, options?: QueryOptions) =>
      locked(() => pg.transaction((tx) => fn(within(tx))), options?.signal),
    ping: async (options?: QueryOptions) => {
      await locked(() => pg.query('SELECT 1'), options?.signal)
    },
    get stats(): DatabaseStats {
      return { active, waiting: mutex.waiting }
    },
    close: async () => {
      await mutex.acquire()
      await pg.close()
    },
  }
}
