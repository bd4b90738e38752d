import { ResilienceError, hasResilienceCode } from './resilience-error.js'

/**
 * An {@link AdaptiveThrottle} refused a call locally, without sending it, because too few of the
 * recent requests were accepted by the downstream.
 */
export class ThrottledError extends ResilienceError {
  static override readonly code: string = 'RES_ERR_THROTTLED'

  /** The probability of refusal the call was refused at, in (0, 1). */
  readonly probability: number

  constructor(probability: number) {
    // Raised on an outage's fast path: as for CircuitOpenError, no stack trace is captured.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      super(`Throttled locally (refusing ${(probability * 100).toFixed(0)}% of calls)`, ThrottledError.code)
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    this.probability = probability
  }
}

/** True when `value` is a {@link ThrottledError} from any installed copy of the library. */
export function isThrottledError(value: unknown): value is ThrottledError {
  return hasResilienceCode(value, ThrottledError.code)
}
