import { type Context, createContextKey } from '@opentelemetry/api'

/**
 * Time a request spent in its database, summed over its queries: what a service reports back to
 * its caller in `server-timing: db;dur=…`, so that the caller's trace shows it without the
 * service's own spans.
 */
export class DatabaseTime {
  /** Milliseconds spent in queries so far. */
  ms = 0
  /** Queries run so far. */
  queries = 0

  /** Adds one query's time. */
  add(ms: number): void {
    this.ms += ms
    this.queries++
  }

  /** The `server-timing` header's value, or `undefined` when no query ran. */
  toHeader(): string | undefined {
    return this.queries === 0 ? undefined : `db;dur=${this.ms.toFixed(2)}`
  }
}

const kDatabaseTime = createContextKey('storefront database time')

/** `context` with `time` as the request's database time. */
export function withDatabaseTime(context: Context, time: DatabaseTime): Context {
  return context.setValue(kDatabaseTime, time)
}

/** The database time of the request whose context `context` is, if any. */
export function databaseTimeOf(context: Context): DatabaseTime | undefined {
  return context.getValue(kDatabaseTime) as DatabaseTime | undefined
}

const DB_DURATION = /(?:^|,)\s*db\s*;(?:[^,]*;)?\s*dur=([\d.]+)/

/** The database time a `server-timing` header reports, in ms; `undefined` without one. */
export function databaseMsFromServerTiming(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header.join(',') : header
  if (value === undefined) {
    return undefined
  }
  const match = DB_DURATION.exec(value)
  return match === null ? undefined : Number(match[1])
}
