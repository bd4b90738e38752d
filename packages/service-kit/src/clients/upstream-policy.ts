import { TimeoutError, isCircuitOpenError, isLimitExceededError, isThrottledError, isTimeoutError } from '@storefront/resilience'

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
 * Whether an error is the downstream's failure: everything except a 4xx answer, which proves the
 * downstream is up and judging requests.
 */
function isDownstreamFailure(error: unknown): boolean {
  return !(isUpstreamError(error) && error.code === 'UPSTREAM_ERR_STATUS' && (error.status ?? 0) < 500)
}

/** Timeouts of a downstream's own budget: they reach its breaker as an abort, yet they count. */
const ownTimeouts = new WeakSet<object>()

/** Answers shaped by the caller's budget (a 504 for a budget the caller had already spent). */
const callerBudgetAnswers = new WeakSet<object>()

/** The error a call fails with when the downstream's own budget runs out; it counts against the breaker. */
export function ownTimeoutError(timeoutMs: number): TimeoutError {
  const error = new TimeoutError(timeoutMs)
  ownTimeouts.add(error)
  return error
}

/**
 * True for the `TimeoutError` of a call whose downstream missed its own deadline (`ownDeadline`),
 * as opposed to one ended by the caller's deadline: the first is the downstream's failure, the
 * second the caller's business.
 */
export function isOwnTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ownTimeouts.has(error)
}

/**
 * Marks a 504 answered to a request that carried the caller's budget: the downstream only said
 * that the caller's time was up, which says nothing about its health, and a retry would be sent
 * even less time.
 */
export function markCallerBudgetAnswer(error: UpstreamError): UpstreamError {
  callerBudgetAnswers.add(error)
  return error
}

/** True for a 504 marked by {@link markCallerBudgetAnswer}. */
export function isCallerBudgetAnswer(error: unknown): boolean {
  return typeof error === 'object' && error !== null && callerBudgetAnswers.has(error)
}

/** What a breaker tells `isFailure` about how a call ended. */
export interface CallEnding {
  /** True when the caller's signal ended the call (its deadline, its client gone, a lost hedge). */
  readonly callerAborted: boolean
}

/**
 * What the breaker counts against the downstream: its own failures only. A call the caller cut
 * short (its deadline, its client gone, a lost hedge) never counts, so no client can open a
 * breaker for everyone by sending tiny budgets; a miss of the downstream's own budget does.
 */
export function countsAgainstDownstream(error: unknown, ending: CallEnding): boolean {
  if (ending.callerAborted) {
    return isOwnTimeout(error)
  }
  return isFailedAnswer(error)
}

/**
 * Whether an attempt that ended by itself (no abort) failed: the downstream's failure, but not a
 * 504 that only said the caller's budget was spent.
 */
export function isFailedAnswer(error: unknown): boolean {
  return isDownstreamFailure(error) && !isCallerBudgetAnswer(error)
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

/**
 * True when the client refused the call itself, without reaching the downstream (or without a
 * further attempt): its breaker is open (`CircuitOpenError`), its throttle refused
 * (`ThrottledError`) or its concurrency limit is reached (`LimitExceededError`). Callers treat all
 * three alike: the downstream is unavailable right now, try again shortly.
 */
export function isLocalRefusal(error: unknown): boolean {
  return isCircuitOpenError(error) || isThrottledError(error) || isLimitExceededError(error)
}

/**
 * The metrics label for a failed call. A refusal by the throttle or the concurrency limit is
 * `error`: it stands for the failures (or overload) that caused it, as on the page.
 */
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
