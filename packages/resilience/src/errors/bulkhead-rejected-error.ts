import { ResilienceError, hasResilienceCode } from './resilience-error.js'

/** A {@link Bulkhead} had every slot and every queue place taken, so it refused the call at once. */
export class BulkheadRejectedError extends ResilienceError {
  static override readonly code: string = 'RES_ERR_BULKHEAD_REJECTED'

  /** The bulkhead's `maxConcurrent`. */
  readonly maxConcurrent: number
  /** The bulkhead's `maxQueue`. */
  readonly maxQueue: number

  constructor(maxConcurrent: number, maxQueue: number) {
    // Raised on an overload's fast path: as for CircuitOpenError, no stack trace is captured.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      super(`Bulkhead full (${maxConcurrent} running, ${maxQueue} queued)`, BulkheadRejectedError.code)
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    this.maxConcurrent = maxConcurrent
    this.maxQueue = maxQueue
  }
}

/** True when `value` is a {@link BulkheadRejectedError} from any installed copy of the library. */
export function isBulkheadRejectedError(value: unknown): value is BulkheadRejectedError {
  return hasResilienceCode(value, BulkheadRejectedError.code)
}
