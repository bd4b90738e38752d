import { ResilienceError, hasResilienceCode } from './resilience-error.js'

/**
 * A {@link CircuitBreaker} refused a call without running it, because it is open (or half-open
 * with every probe slot taken, or isolated).
 */
export class CircuitOpenError extends ResilienceError {
  static override readonly code: string = 'RES_ERR_CIRCUIT_OPEN'

  /**
   * Milliseconds until the breaker lets a probe through; `0` when half-open and busy probing,
   * `Infinity` while isolated.
   */
  readonly retryAfterMs: number
  /** The breaker's name, when it has one. */
  readonly breaker: string | undefined

  constructor(retryAfterMs: number, breaker?: string) {
    // Raised on an outage's fast path, thousands of times a second: capturing a stack trace would
    // cost more than the refusal itself, and the breaker's name already says where it came from.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      super(`Circuit${breaker === undefined ? '' : ` "${breaker}"`} is open`, CircuitOpenError.code)
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    this.retryAfterMs = retryAfterMs
    this.breaker = breaker
  }
}

/** True when `value` is a {@link CircuitOpenError} from any installed copy of the library. */
export function isCircuitOpenError(value: unknown): value is CircuitOpenError {
  return hasResilienceCode(value, CircuitOpenError.code)
}
