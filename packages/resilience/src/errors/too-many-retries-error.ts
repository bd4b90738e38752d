import { ResilienceError, hasResilienceCode } from './resilience-error.js'

/** Why {@link retry} stopped: attempts used up, the budget refused, or the deadline left no room. */
export type RetryStopReason = 'attempts' | 'budget' | 'deadline'

/**
 * Every attempt of {@link retry} failed (or retrying was refused by the budget or the deadline).
 * `cause` is the last attempt's error and `errors` holds each attempt's error in order.
 */
export class TooManyRetriesError extends ResilienceError {
  static override readonly code: string = 'RES_ERR_TOO_MANY_RETRIES'

  /** How many attempts ran. */
  readonly attempts: number
  /** Each attempt's error, first to last. */
  readonly errors: readonly unknown[]
  /** What ended the retrying. */
  readonly reason: RetryStopReason

  constructor(attempts: number, errors: readonly unknown[], reason: RetryStopReason = 'attempts') {
    super(messageFor(attempts, reason), TooManyRetriesError.code, { cause: errors[errors.length - 1] })
    this.attempts = attempts
    this.errors = errors
    this.reason = reason
  }
}

/** True when `value` is a {@link TooManyRetriesError} from any installed copy of the library. */
export function isTooManyRetriesError(value: unknown): value is TooManyRetriesError {
  return hasResilienceCode(value, TooManyRetriesError.code)
}

function messageFor(attempts: number, reason: RetryStopReason): string {
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`
  switch (reason) {
    case 'attempts':
      return `All ${tries} failed`
    case 'budget':
      return `Retry budget exhausted after ${tries}`
    case 'deadline':
      return `Deadline leaves no time to retry after ${tries}`
  }
}
