import type { Deadline, SettleOutcome } from '@storefront/resilience'
import { isCircuitOpenError, isTimeoutError } from '@storefront/resilience'
import { isOwnTimeout } from '@storefront/service-kit/clients'

/** Why part of the page is missing or old. */
export type DegradedReason = 'timeout' | 'error' | 'circuit_open' | 'stale'

/** What every downstream call of a page carries. */
export interface CallCommon {
  readonly signal: AbortSignal
  readonly deadline: Deadline
  readonly requestId?: string
}

/**
 * How long past a window `settle` waits before it gives up on a call itself. Each call ends at its
 * window (the downstream's own timeout, counted by its breaker) or at the caller's deadline (the
 * caller's business) on its own; `settle`'s limit only guards against a call that does neither,
 * and must not race them, or the caller's abort would be taken for the downstream's timeout.
 */
const SETTLE_GRACE_MS = 25

/** The time `settle` may wait for calls bounded by `window`. */
export function settleLimitMs(window: Deadline): number {
  return window.remainingMs() + SETTLE_GRACE_MS
}

/**
 * True when an optional call was ended by the caller's deadline: a `TimeoutError` that is not the
 * downstream's own (see `isOwnTimeout`).
 */
export function endedByCallerBudget(outcome: SettleOutcome<unknown> | undefined): boolean {
  return outcome?.status === 'rejected' && isTimeoutError(outcome.reason) && !isOwnTimeout(outcome.reason)
}

/**
 * Why an optional call did not answer well; `undefined` when it did (or was never made). Only an
 * open breaker is `circuit_open`; a refusal by the client's throttle or concurrency limit is
 * `error`, as the failures that caused it would have been: the throttle acts while the breaker is
 * closed, on a downstream that is failing or overloaded but not declared down.
 */
export function reasonOf(outcome: SettleOutcome<unknown> | undefined): Exclude<DegradedReason, 'stale'> | undefined {
  if (outcome === undefined || outcome.status === 'fulfilled') {
    return undefined
  }
  if (outcome.status === 'timeout' || isTimeoutError(outcome.reason)) {
    return 'timeout'
  }
  return isCircuitOpenError(outcome.reason) ? 'circuit_open' : 'error'
}
