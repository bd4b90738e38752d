import postgres from 'postgres'

import { QueryTrace } from '../tracing/query-spans.js'
import { databaseUnavailable, isDatabaseUnavailable } from './database-unavailable.js'
import type { Database, DatabaseStats, QueryOptions, Queryable, Row } from './database.js'

/** Options of {@link openPostgresDatabase}. */
export interface PostgresOptions {
  /** Connections in the pool. */
  readonly poolMax: number
  /** Shown in `pg_stat_activity`, so an operator can tell the services' connections apart. */
  readonly applicationName: string
}

type Sql = postgres.Sql | postgres.TransactionSql

/**
 * A PostgreSQL server through postgres.js: a pooled connection set, prepared statements (the
 * statement is parsed and planned once per connection), and server-side cancellation of a query
 * whose request gave up.
 */
export function openPostgresDatabase(url: string, options: PostgresOptions): Database {
  const sql = postgres(url, {
    max: options.poolMax,
    prepare: true,
    idle_timeout: 30,
    connect_timeout: 10,
    // Reconnect after a quarter of a second, always: postgres.js's default backoff grows to 20 s,
    // which would hold every query of a service whose database came back long after it did, past
    // any caller's deadline. A query meanwhile fails fast with a 503.
    backoff: () => 0.25,
    onnotice: () => {},
    connection: { application_name: options.applicationName },
  })
  let active = 0
  const database = new URL(url).pathname.slice(1)

  const runQuery = async <R extends Row>(target: Sql, text: string, params: readonly unknown[] | undefined, signal: AbortSignal | undefined): Promise<R[]> => {
    signal?.throwIfAborted()
    const pending = target.unsafe<R[]>(text, (params ?? []) as postgres.ParameterOrJSON<never>[], { prepare: true })
    // Cancelling asks the server to stop the statement (a CancelRequest on a side connection).
    const onAbort = (): void => {
      pending.cancel()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    active++
    const traced = QueryTrace.start(text, database)
    try {
      const rows = await pending
      traced?.end()
      return rows
    } catch (error) {
      traced?.end(error)
      if (signal?.aborted === true) {
        throw signal.reason as Error
      }
      throw isDatabaseUnavailable(error) ? databaseUnavailable(error) : error
    } finally {
      active--
      signal?.removeEventListener('abort', onAbort)
    }
  }
  const within = (tx: postgres.TransactionSql): Queryable => ({
    query: <R extends Row>(text: string, params?: readonly unknown[], queryOptions?: QueryOptions) => runQuery<R>(tx, text, params, queryOptions?.signal),
    exec: async (text: string) => {
      await tx.unsafe(text)
    },
  })

  return {
    query: <R extends Row>(text: string, params?: readonly unknown[], queryOptions?: QueryOptions) => runQuery<R>(sql, text, params, queryOptions?.signal),
    exec: async (text: string) => {
      await sql.unsafe(text)
    },
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>, queryOptions?: QueryOptions): Promise<T> => {
      queryOptions?.signal?.throwIfAborted()
      try {
        return (await sql.begin((tx) => fn(within(tx)))) as T
      } catch (error) {
        throw isDatabaseUnavailable(error) ? databaseUnavailable(error) : error
      }
    },
    ping: async (queryOptions?: QueryOptions) => {
      await runQuery(sql, 'SELECT 1', [], queryOptions?.signal)
    },
    get stats(): DatabaseStats {
      // postgres.js does not expose its queue: queries in flight include those waiting for a connection.
      return { active, waiting: 0 }
    },
    close: async () => {
      await sql.end({ timeout: 5 })
    },
  }
}
