import { ResilienceError, hasResilienceCode } from './resilience-error.js'

/**
 * A call ran past its time: a {@link withTimeout}, a per-attempt `timeoutMs`, a breaker's
 * `timeoutMs`, a `settle` window or a {@link Deadline}. The call's signal was aborted with this
 * error as its reason.
 */
export class TimeoutError extends ResilienceError {
  static override readonly code: string = 'RES_ERR_TIMEOUT'

  /** The time limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number

  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`Operation timed out after ${formatMs(timeoutMs)} ms`, TimeoutError.code, options)
    this.timeoutMs = timeoutMs
  }
}

/** True when `value` is a {@link TimeoutError} from any installed copy of the library. */
export function isTimeoutError(value: unknown): value is TimeoutError {
  return hasResilienceCode(value, TimeoutError.code)
}

function formatMs(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1)
}
