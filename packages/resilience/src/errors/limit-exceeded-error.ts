import { ResilienceError, hasResilienceCode } from './resilience-error.js'

/**
 * An {@link AdaptiveLimiter} had as many calls in flight as its current limit allows, so it
 * refused the call at once without running it.
 */
export class LimitExceededError extends ResilienceError {
  static override readonly code: string = 'RES_ERR_LIMIT_EXCEEDED'

  /** The limit in force when the call was refused. */
  readonly limit: number

  constructor(limit: number) {
    // Raised on an overload's fast path: as for CircuitOpenError, no stack trace is captured.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      super(`Concurrency limit reached (${limit} in flight)`, LimitExceededError.code)
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    this.limit = limit
  }
}

/** True when `value` is a {@link LimitExceededError} from any installed copy of the library. */
export function isLimitExceededError(value: unknown): value is LimitExceededError {
  return hasResilienceCode(value, LimitExceededError.code)
}
