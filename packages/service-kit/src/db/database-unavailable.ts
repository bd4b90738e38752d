import { AppError, kitErrors } from '../errors/app-error.js'

/** postgres.js's codes for a connection that could not be made or was lost. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
])

/**
 * True for an error that says the database cannot be reached, rather than that the statement was
 * wrong: a refused or lost connection, or the server shutting down, crashing or still starting
 * (SQLSTATE 57P01-57P03, class 08).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') {
    return false
  }
  return CONNECTION_CODES.has(code) || code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08')
}

/**
 * The error a query fails with while the database is down: a 503 problem with `retry-after`, so a
 * caller (the BFF's retries, a shopper's browser) tries again shortly instead of taking a 500 for
 * a bug. The driver's own message, which names addresses, stays in the cause.
 */
export function databaseUnavailable(cause: unknown): AppError {
  return new AppError(kitErrors.DATABASE_UNAVAILABLE, 'The database cannot be reached; try again shortly.', {
    cause,
    headers: { 'retry-after': '1' },
  })
}
