import { isCircuitOpenError, isTimeoutError } from '@storefront/resilience'

import { UpstreamError, isUpstreamError } from './upstream-error.js'

/** Methods that may run twice without changing the result: retried freely (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

/** Statuses that say "try again": the downstream or a proxy in front of it is failing right now. */
const RETRY_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504])

/** Error codes of a connection that was refused, reset or closed under us (Node and undici). */
const CONNECT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

/** How a logical call ended, for metrics. */
export type UpstreamOutcome = 'ok' | 'error' | 'timeout' | 'circuit_open' | 'aborted'

/**
 * Worth another attempt: a broken connection or a 500/502/503/504. Never a 4xx (the request is
 * wrong and will stay wrong), a bad body (the same code will send it again), a timeout (the
 * deadline is spent) or an open circuit (a retry would meet the same refusal).
 */
export function isRetryable(error: unknown): boolean {
  if (!isUpstreamError(error)) {
    return false
  }
  return error.code === 'UPSTREAM_ERR_CONNECT' || (error.code === 'UPSTREAM_ERR_STATUS' && RETRY_STATUSES.has(error.status ?? 0))
}

/**
 * Whether the breaker counts an error against the downstream: everything except a 4xx answer,
 * which proves the downstream is up and judging requests.
 */
export function isDownstreamFailure(error: unknown): boolean {
  return !(isUpstreamError(error) && error.code === 'UPSTREAM_ERR_STATUS' && (error.status ?? 0) < 500)
}

/** Turns a socket-level error into `UPSTREAM_ERR_CONNECT`; anything else is returned as is. */
export function toConnectError(error: unknown, downstream: string): unknown {
  if (isUpstreamError(error)) {
    return error
  }
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && CONNECT_CODES.has(code)) {
    const message = error instanceof Error ? error.message : code
    return new UpstreamError('UPSTREAM_ERR_CONNECT', `${downstream} connection failed: ${message}`, { downstream, cause: error })
  }
  return error
}

/** The metrics label for a failed call. */
export function outcomeOf(error: unknown, callerSignal: AbortSignal | undefined): UpstreamOutcome {
  // The caller's abort first: its reason may itself be a TimeoutError (an incoming deadline).
  if (callerSignal?.aborted === true && error === callerSignal.reason) {
    return 'aborted'
  }
  if (isTimeoutError(error)) {
    return 'timeout'
  }
  return isCircuitOpenError(error) ? 'circuit_open' : 'error'
}
