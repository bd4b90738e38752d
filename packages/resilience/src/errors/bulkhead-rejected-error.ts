import { ResilienceError, hasResilienceCode } from './resilience-error.js'

/** A {@link Bulkhead} had every slot and every queue place taken, so it refused the call at once. */
export class BulkheadRejectedError extends ResilienceError {
  static override readonly code: string = 'RES_ERR_BULKHEAD_REJECTED'

  /** The bulkhead's `maxConcurrent`. */
  readonly maxConcurrent: number
  /** The bulkhead's `maxQueue`. */
  readonly maxQueue: number

  constructor(maxConcurrent: number, maxQueue: number) {
    super(`Bulkhead full (${maxConcurrent} running, ${maxQueue} queued)`, BulkheadRejectedError.code)
    this.maxConcurrent = maxConcurrent
    this.maxQueue = maxQueue
  }
}

/** True when `value` is a {@link BulkheadRejectedError} from any installed copy of the library. */
export function isBulkheadRejectedError(value: unknown): value is BulkheadRejectedError {
  return hasResilienceCode(value, BulkheadRejectedError.code)
}
