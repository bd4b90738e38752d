/** A row as the drivers return it: column name to value. */
export type Row = Record<string, unknown>

/** Options of a single query. */
export interface QueryOptions {
  /** Aborting it gives up on the query: the statement is cancelled on the server. Rejects with the reason. */
  readonly signal?: AbortSignal | undefined
}

/** What can run SQL: the database, or a transaction. */
export interface Queryable {
  /**
   * Runs one parameterized statement (`$1`, `$2`, …) and returns its rows. Pass objects (not JSON
   * strings) to `jsonb` parameters: the server driver encodes a string again, the embedded one does not.
   */
  query<R extends Row = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>
  /** Runs a script of several statements without parameters (migrations, seeds). */
  exec(text: string): Promise<void>
}

/** Counters for the metrics endpoint. */
export interface DatabaseStats {
  /** Queries in flight now. */
  readonly active: number
  /** Of those, queries known to be waiting for a connection. */
  readonly waiting: number
}

/** A service's database: a PostgreSQL server (the embedded one or any other) through a pool. */
export interface Database extends Queryable {
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: QueryOptions): Promise<T>
  /** Resolves when the database answers a trivial query. */
  ping(options?: QueryOptions): Promise<void>
  readonly stats: DatabaseStats
  /** Closes the pool; waits for running queries. */
  close(): Promise<void>
}
